//! A rate profile: the sequence of stages an open-model attack follows, and the exact arithmetic
//! on it: total duration, expected request count (the integral of the rate), send times.

use super::units::{Rate, RATE_TIME_DENOMINATOR};
use serde::Serialize;
use std::time::Duration;

/// One stage: the rate goes linearly from `from` to `to` over `duration` (equal for a hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub from: Rate,
    pub to: Rate,
    #[serde(serialize_with = "crate::model::serialize_duration")]
    pub duration: Duration,
}

impl Stage {
    pub fn hold(rate: Rate, duration: Duration) -> Self {
        Stage { from: rate, to: rate, duration }
    }

    pub fn is_hold(&self) -> bool {
        self.from == self.to
    }

    /// `2 × RATE_TIME_DENOMINATOR ×` the number of requests this stage schedules (exact).
    fn doubled_area(&self) -> u128 {
        (self.from.milli_per_hour() as u128 + self.to.milli_per_hour() as u128) * self.duration.as_nanos()
    }
}

/// The stages of an attack, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct RateProfile {
    pub stages: Vec<Stage>,
}

impl RateProfile {
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// The exact number of requests scheduled: request `k` (from 0) is due when the integral of
    /// the rate reaches `k`, so the count is `ceil(∫ rate dt)` over the whole profile.
    pub fn expected_requests(&self) -> u64 {
        let doubled: u128 = self.stages.iter().map(Stage::doubled_area).sum();
        let denominator = 2 * RATE_TIME_DENOMINATOR;
        doubled.div_ceil(denominator) as u64
    }

    /// The peak rate over the profile.
    pub fn peak(&self) -> Rate {
        self.stages.iter().map(|s| s.from.max(s.to)).max().unwrap_or(Rate::ZERO)
    }

    /// The time (from the profile's start) at which request `k` is due, or `None` past the end.
    /// Exact in the count, `f64`-precise in the time (well under a microsecond for any real run).
    pub fn send_time(&self, k: u64) -> Option<Duration> {
        // The count is decided exactly; floats only place the requests in time.
        if k >= self.expected_requests() {
            return None;
        }
        let mut remaining = k as f64;
        let mut start = Duration::ZERO;
        for stage in &self.stages {
            let secs = stage.duration.as_secs_f64();
            let a = stage.from.as_per_second_f64();
            let b = stage.to.as_per_second_f64();
            let area = (a + b) / 2.0 * secs;
            if remaining < area {
                let t = if stage.is_hold() {
                    remaining / a
                } else {
                    // Solve a·t + (b−a)/(2·T)·t² = remaining for t in [0, T].
                    let slope = (b - a) / secs;
                    let disc = a * a + 2.0 * slope * remaining;
                    (disc.max(0.0).sqrt() - a) / slope
                };
                return Some(start + Duration::from_secs_f64(t.clamp(0.0, secs)));
            }
            remaining -= area;
            start += stage.duration;
        }
        // Rounding left this last request just past the summed areas: it is due at the end.
        Some(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn constant_rate_counts_exactly() {
        let p = RateProfile { stages: vec![Stage::hold(Rate::per_second(50), secs(30))] };
        assert_eq!(p.expected_requests(), 1500);
        assert_eq!(p.send_time(0), Some(Duration::ZERO));
        assert_eq!(p.send_time(1499).map(|d| d.as_millis()), Some(29_980));
        assert_eq!(p.send_time(1500), None);
    }

    #[test]
    fn ramp_counts_the_integral() {
        let p = RateProfile {
            stages: vec![
                Stage { from: Rate::per_second(10), to: Rate::per_second(400), duration: secs(20) },
                Stage::hold(Rate::per_second(400), secs(60)),
            ],
        };
        assert_eq!(p.expected_requests(), 4100 + 24_000);
        let last = p.send_time(p.expected_requests() - 1).expect("within the profile");
        assert!(last < secs(80));
    }

    #[test]
    fn send_times_stop_at_the_exact_count() {
        // 500/m is 8.33…/s, not exact in floats: 15 s of it is exactly 125 requests, not 126.
        let p = RateProfile { stages: vec![Stage::hold(Rate::from_milli_per_hour(500 * 60_000), secs(15))] };
        assert_eq!(p.expected_requests(), 125);
        assert!(p.send_time(124).is_some_and(|t| t < secs(15)));
        assert_eq!(p.send_time(125), None);
    }

    #[test]
    fn fractional_integrals_round_up() {
        // 1/s × 2.5 s: requests at 0, 1 and 2 s.
        let p = RateProfile { stages: vec![Stage::hold(Rate::per_second(1), Duration::from_millis(2500))] };
        assert_eq!(p.expected_requests(), 3);
    }
}
