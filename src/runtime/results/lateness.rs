//! How far from its scheduled time a request was sent. Signed: the tick-driven pacer sends each
//! tick's requests centred on the tick, so a request may leave a little before its time.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant, SystemTime};

/// Sent − scheduled, in nanoseconds: positive when the request was sent late, negative when it
/// was sent early.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lateness(i64);

impl Lateness {
    pub const ZERO: Lateness = Lateness(0);

    /// A request scheduled at `scheduled` and sent (or given up) at `sent`.
    pub fn between(scheduled: Instant, sent: Instant) -> Lateness {
        match sent.checked_duration_since(scheduled) {
            Some(late) => Lateness::late(late),
            None => Lateness::early(scheduled - sent),
        }
    }

    /// Sent `by` after its scheduled time.
    pub fn late(by: Duration) -> Lateness {
        Lateness(i64::try_from(by.as_nanos()).unwrap_or(i64::MAX))
    }

    /// Sent `by` before its scheduled time.
    pub fn early(by: Duration) -> Lateness {
        Lateness(-i64::try_from(by.as_nanos()).unwrap_or(i64::MAX))
    }

    pub fn from_nanos(nanos: i64) -> Lateness {
        Lateness(nanos)
    }

    pub fn as_nanos(self) -> i64 {
        self.0
    }

    /// How late it was sent; zero when it was sent on time or early.
    pub fn late_by(self) -> Duration {
        Duration::from_nanos(self.0.max(0) as u64)
    }

    /// How early it was sent; `None` when it was sent on time or late.
    pub fn early_by(self) -> Option<Duration> {
        (self.0 < 0).then(|| Duration::from_nanos(self.0.unsigned_abs()))
    }

    /// When a request sent at `sent` with this lateness was scheduled: `sent − lateness`.
    pub fn scheduled(self, sent: SystemTime) -> SystemTime {
        match self.early_by() {
            Some(early) => sent + early,
            None => sent.checked_sub(self.late_by()).unwrap_or(sent),
        }
    }
}

/// The requests sent before their scheduled time: how many, and by how much at most.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyStats {
    pub count: u64,
    pub max_ns: u64,
}

impl EarlyStats {
    /// Counts `lateness` if it is early.
    pub fn observe(&mut self, lateness: Lateness) {
        if let Some(early) = lateness.early_by() {
            self.count += 1;
            self.max_ns = self.max_ns.max(u64::try_from(early.as_nanos()).unwrap_or(u64::MAX));
        }
    }

    /// The requests sent early of several parts together (attacks, shards).
    pub fn combine<'a>(parts: impl Iterator<Item = &'a EarlyStats>) -> EarlyStats {
        parts.fold(EarlyStats::default(), |all, p| EarlyStats {
            count: all.count + p.count,
            max_ns: all.max_ns.max(p.max_ns),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_sent_before_its_time_is_early_and_not_late() {
        let scheduled = Instant::now() + Duration::from_millis(5);
        let early = Lateness::between(scheduled, scheduled - Duration::from_micros(300));
        assert_eq!(early.as_nanos(), -300_000);
        assert_eq!(early.late_by(), Duration::ZERO);
        assert_eq!(early.early_by(), Some(Duration::from_micros(300)));
        let late = Lateness::between(scheduled, scheduled + Duration::from_micros(40));
        assert_eq!((late.as_nanos(), late.late_by(), late.early_by()), (40_000, Duration::from_micros(40), None));
        assert_eq!(Lateness::between(scheduled, scheduled), Lateness::ZERO);
    }

    #[test]
    fn early_stats_count_only_early_requests_and_combine_exactly() {
        let mut a = EarlyStats::default();
        for ns in [-5, 0, 7, -30] {
            a.observe(Lateness::from_nanos(ns));
        }
        assert_eq!(a, EarlyStats { count: 2, max_ns: 30 });
        let b = EarlyStats { count: 3, max_ns: 12 };
        assert_eq!(EarlyStats::combine([a, b].iter()), EarlyStats { count: 5, max_ns: 30 });
    }
}
