//! Live counters of a running attack, updated from the results path with one or two atomic adds
//! per request, and sampled a few times a second for the progress display.

use super::events::AttackProgress;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Latency buckets: 8 sub-buckets per power of two of microseconds, up to ~2^40 µs.
const SUB: usize = 8;
const BUCKETS: usize = 41 * SUB;

pub struct Live {
    pub completed: AtomicU64,
    pub successes: AtomicU64,
    latencies: Vec<AtomicU64>,
}

impl Default for Live {
    fn default() -> Self {
        Live {
            completed: AtomicU64::new(0),
            successes: AtomicU64::new(0),
            latencies: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

fn bucket(latency: Duration) -> usize {
    let us = latency.as_micros().max(1) as u64;
    let exp = 63 - us.leading_zeros() as usize;
    let sub = if exp >= 3 { ((us >> (exp - 3)) & 7) as usize } else { ((us << (3 - exp)) & 7) as usize };
    (exp * SUB + sub).min(BUCKETS - 1)
}

fn bucket_upper(index: usize) -> Duration {
    let (exp, sub) = (index / SUB, index % SUB);
    let base = 1u64 << exp;
    let upper = base + ((sub as u64 + 1) * base) / SUB as u64;
    Duration::from_micros(upper)
}

impl Live {
    pub fn record(&self, success: bool, latency: Option<Duration>) {
        self.completed.fetch_add(1, Ordering::Relaxed);
        if success {
            self.successes.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(l) = latency {
            self.latencies[bucket(l)].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The 99th percentile so far, to within one bucket (about 12 %): for display only.
    pub fn p99(&self) -> Option<Duration> {
        let counts: Vec<u64> = self.latencies.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let target = (total as f64 * 0.99).ceil() as u64;
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= target {
                return Some(bucket_upper(i));
            }
        }
        None
    }
}

/// Turns successive samples into progress snapshots (computing the current rate).
pub struct Sampler {
    pub attack: String,
    pub duration: Duration,
    pub planned: Option<u64>,
    start: Instant,
    last: (Instant, u64),
}

impl Sampler {
    pub fn new(attack: String, duration: Duration, planned: Option<u64>, start: Instant) -> Self {
        Sampler { attack, duration, planned, start, last: (start, 0) }
    }

    pub fn sample(&mut self, live: &Live, sent: u64, in_flight: u64) -> AttackProgress {
        let now = Instant::now();
        let dt = now.duration_since(self.last.0).as_secs_f64();
        let rate = if dt > 0.0 { sent.saturating_sub(self.last.1) as f64 / dt } else { 0.0 };
        self.last = (now, sent);
        AttackProgress {
            attack: self.attack.clone(),
            elapsed: now.duration_since(self.start),
            duration: self.duration,
            sent,
            planned: self.planned,
            in_flight,
            completed: live.completed.load(Ordering::Relaxed),
            successes: live.successes.load(Ordering::Relaxed),
            rate,
            p99: live.p99(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p99_is_within_a_bucket() {
        let live = Live::default();
        for i in 1..=1000u64 {
            live.record(true, Some(Duration::from_micros(i * 100)));
        }
        let p99 = live.p99().expect("has data").as_micros() as f64;
        let exact = 99_000.0;
        assert!(p99 >= exact && p99 <= exact * 1.13, "{p99}");
        assert_eq!(live.completed.load(Ordering::Relaxed), 1000);
    }
}
