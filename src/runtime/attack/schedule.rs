//! The open-model schedule: request `k` is due when the integral of the rate reaches `k`. Walks a
//! rate profile in O(1) per request and yields exactly `RateProfile::expected_requests()` ticks
//! (a shard's schedule yields only its own slice of them, at the same offsets).

use crate::model::RateProfile;
use crate::scale::shard::SeqSlice;
use std::time::Duration;

/// One stage prepared for fast evaluation (rates in requests per second).
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: f64,
    length: f64,
    from: f64,
    to: f64,
    /// Requests scheduled before this segment starts.
    before: f64,
    area: f64,
}

/// The send offsets (from the attack's start) of every request of an open-model attack.
#[derive(Debug, Clone)]
pub struct Schedule {
    segments: Vec<Segment>,
    total: u64,
    end: Duration,
    /// The requests this process sends (all of them unless it is one shard of a split run).
    slice: SeqSlice,
}

impl Schedule {
    pub fn new(profile: &RateProfile) -> Self {
        let mut segments = Vec::with_capacity(profile.stages.len());
        let (mut start, mut before) = (0.0, 0.0);
        for stage in &profile.stages {
            let length = stage.duration.as_secs_f64();
            let (from, to) = (stage.from.as_per_second_f64(), stage.to.as_per_second_f64());
            let area = (from + to) / 2.0 * length;
            segments.push(Segment { start, length, from, to, before, area });
            start += length;
            before += area;
        }
        Schedule { segments, total: profile.expected_requests(), end: profile.duration(), slice: SeqSlice::ALL }
    }

    /// The same schedule, keeping only the requests of `slice` (a shard's share).
    pub fn sliced(mut self, slice: SeqSlice) -> Self {
        self.slice = slice;
        self
    }

    /// The exact number of requests of the whole schedule.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The number of ticks `ticks()` yields: the slice's share of the total.
    pub fn count(&self) -> u64 {
        self.slice.count_below(self.total)
    }

    /// Iterates `(k, offset)` for every request of the slice, in order. Other requests cost
    /// nothing: the walk jumps from one of the slice's requests to the next.
    pub fn ticks(&self) -> Ticks<'_> {
        Ticks { schedule: self, k: self.slice.first, segment: 0 }
    }

    /// When the last stage ends.
    pub fn end(&self) -> Duration {
        self.end
    }

    fn offset_in(&self, segment: &Segment, k: f64) -> f64 {
        let n = (k - segment.before).max(0.0);
        let t = if (segment.to - segment.from).abs() < f64::EPSILON {
            n / segment.from
        } else {
            // ∫₀ᵗ (a + s·u) du = a·t + s·t²/2 = n, with s = (b − a) / length.
            let slope = (segment.to - segment.from) / segment.length;
            let disc = segment.from * segment.from + 2.0 * slope * n;
            (disc.max(0.0).sqrt() - segment.from) / slope
        };
        segment.start + t.clamp(0.0, segment.length)
    }
}

/// Iterator over the schedule's ticks.
pub struct Ticks<'a> {
    schedule: &'a Schedule,
    k: u64,
    segment: usize,
}

impl Iterator for Ticks<'_> {
    type Item = (u64, Duration);

    fn next(&mut self) -> Option<(u64, Duration)> {
        if self.k >= self.schedule.total {
            return None;
        }
        let k = self.k as f64;
        let segments = &self.schedule.segments;
        // Move to the segment whose cumulative area passes k (skipping zero-area ones). The last
        // request may sit a rounding error past the final segment's area: it stays in that segment.
        while self.segment + 1 < segments.len() && k >= segments[self.segment].before + segments[self.segment].area {
            self.segment += 1;
        }
        let offset = self.schedule.offset_in(&segments[self.segment], k);
        let offset = Duration::from_secs_f64(offset).min(self.schedule.end);
        let tick = (self.k, offset);
        self.k += self.schedule.slice.stride;
        Some(tick)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let stride = self.schedule.slice.stride;
        let total = self.schedule.total;
        let left = if self.k < total { ((total - self.k - 1) / stride + 1) as usize } else { 0 };
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Rate;
    use crate::model::Stage;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let profile = RateProfile { stages: vec![Stage::hold(Rate::per_second(100), secs(2))] };
        let ticks: Vec<_> = Schedule::new(&profile).ticks().collect();
        assert_eq!(ticks.len(), 200);
        assert_eq!(ticks[0], (0, Duration::ZERO));
        assert_eq!(ticks[100].1.as_millis(), 1000);
        assert!(ticks.windows(2).all(|w| w[1].1 >= w[0].1));
    }

    #[test]
    fn ramp_ticks_follow_the_integral() {
        let profile = RateProfile {
            stages: vec![
                Stage { from: Rate::ZERO, to: Rate::per_second(100), duration: secs(10) },
                Stage::hold(Rate::per_second(100), secs(5)),
            ],
        };
        let schedule = Schedule::new(&profile);
        assert_eq!(schedule.total(), 500 + 500);
        let ticks: Vec<_> = schedule.ticks().collect();
        assert_eq!(ticks.len(), 1000);
        // Half the ramp's requests (250) are due at t = √(2·250/10) = √50 s ≈ 7.07 s.
        let t250 = ticks[250].1.as_secs_f64();
        assert!((t250 - 50f64.sqrt()).abs() < 1e-6, "{t250}");
        assert!(ticks.windows(2).all(|w| w[1].1 >= w[0].1));
        assert!(ticks.last().is_some_and(|t| t.1 < secs(15)));
    }

    #[test]
    fn many_steps_are_walked_in_order() {
        let stages: Vec<Stage> = (1..=50).map(|i| Stage::hold(Rate::per_second(i), secs(1))).collect();
        let profile = RateProfile { stages };
        let schedule = Schedule::new(&profile);
        assert_eq!(schedule.total(), (1..=50).sum::<u64>());
        let ticks: Vec<_> = schedule.ticks().collect();
        assert_eq!(ticks.len() as u64, schedule.total());
        // Second 10 (rate 11/s) holds exactly 11 requests.
        let in_second_10 = ticks.iter().filter(|t| t.1 >= secs(10) && t.1 < secs(11)).count();
        assert_eq!(in_second_10, 11);
    }
}
