//! Deterministic per-request randomness: the n-th locally served request always gets the same
//! draws for a given seed, whatever the concurrency, so error counts are reproducible in tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A counter-based generator (SplitMix64 over `seed + n`): lock-free, one atomic add per request.
#[derive(Debug)]
pub(super) struct Draws {
    seed: u64,
    next: AtomicU64,
}

/// The two draws a served request needs.
#[derive(Debug, Clone, Copy)]
pub(super) struct Draw {
    error: u64,
    latency: u64,
}

impl Draws {
    pub(super) fn new(seed: u64) -> Self {
        Draws { seed, next: AtomicU64::new(0) }
    }

    pub(super) fn next(&self) -> Draw {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let base = self.seed.wrapping_add(n.wrapping_mul(2).wrapping_mul(GOLDEN_GAMMA));
        Draw {
            error: mix(base.wrapping_add(GOLDEN_GAMMA)),
            latency: mix(base.wrapping_add(GOLDEN_GAMMA.wrapping_mul(2))),
        }
    }
}

impl Draw {
    /// True with probability `rate` (0.0..=1.0).
    pub(super) fn is_error(self, rate: f64) -> bool {
        unit(self.error) < rate
    }

    /// A latency uniform over `min..=max` (nanosecond resolution).
    pub(super) fn latency(self, (min, max): (Duration, Duration)) -> Duration {
        let (low, high) = (min.as_nanos(), max.as_nanos());
        if high <= low {
            return min;
        }
        let span = high - low + 1;
        let offset = (span * self.latency as u128) >> 64;
        Duration::from_nanos(u64::try_from(low + offset).unwrap_or(u64::MAX))
    }
}

/// The SplitMix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform value in `[0, 1)` from the top 53 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let (a, b) = (Draws::new(7), Draws::new(7));
        for _ in 0..100 {
            let (x, y) = (a.next(), b.next());
            assert_eq!((x.error, x.latency), (y.error, y.latency));
        }
        let c = Draws::new(8);
        let differing = (0..100).filter(|_| a.next().error != c.next().error).count();
        assert!(differing > 90);
    }

    #[test]
    fn error_share_follows_the_rate() {
        let draws = Draws::new(42);
        let errors = (0..100_000).filter(|_| draws.next().is_error(0.25)).count();
        // Binomial(100 000, 0.25): standard deviation ≈ 137; allow five of them.
        assert!((24_315..=25_685).contains(&errors), "{errors}");
        assert!((0..1000).all(|_| !draws.next().is_error(0.0)));
        assert!((0..1000).all(|_| draws.next().is_error(1.0)));
    }

    #[test]
    fn latency_stays_within_bounds_and_covers_them() {
        let draws = Draws::new(1);
        let range = (Duration::from_millis(5), Duration::from_millis(20));
        let samples: Vec<Duration> = (0..10_000).map(|_| draws.next().latency(range)).collect();
        assert!(samples.iter().all(|d| *d >= range.0 && *d <= range.1));
        assert!(samples.iter().any(|d| *d < Duration::from_millis(6)));
        assert!(samples.iter().any(|d| *d > Duration::from_millis(19)));
        let fixed = (Duration::from_millis(3), Duration::from_millis(3));
        assert_eq!(draws.next().latency(fixed), Duration::from_millis(3));
    }
}
