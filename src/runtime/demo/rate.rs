//! The rate meter behind overload forwarding: requests served locally over the last second, in
//! 50 ms slots, so a node serves up to its `max-rate` and hands the excess to its peers.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Slots in the window; `SLOTS × SLOT` is the one-second window.
const SLOTS: usize = 20;
const SLOT: Duration = Duration::from_millis(50);

/// Counts requests admitted over the last second and admits a new one only while that count
/// stays within the limit. The critical section is a handful of integer operations.
#[derive(Debug)]
pub(super) struct RateMeter {
    limit: f64,
    origin: Instant,
    window: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    /// The slot number (time since `origin` in `SLOT`s) each slot's count belongs to.
    ticks: [u64; SLOTS],
    counts: [u64; SLOTS],
}

impl Window {
    fn total(&self, now: u64) -> u64 {
        (0..SLOTS).filter(|&i| self.live(i, now)).map(|i| self.counts[i]).sum()
    }

    fn live(&self, slot: usize, now: u64) -> bool {
        let tick = self.ticks[slot];
        tick <= now && now - tick < SLOTS as u64
    }

    fn add(&mut self, now: u64) {
        let slot = (now % SLOTS as u64) as usize;
        if self.ticks[slot] != now {
            self.ticks[slot] = now;
            self.counts[slot] = 0;
        }
        self.counts[slot] += 1;
    }
}

impl RateMeter {
    /// A meter admitting at most `limit` requests per second (`limit` > 0).
    pub(super) fn new(limit: f64, origin: Instant) -> Self {
        RateMeter { limit, origin, window: Mutex::new(Window { ticks: [u64::MAX; SLOTS], counts: [0; SLOTS] }) }
    }

    fn tick(&self, now: Instant) -> u64 {
        (now.saturating_duration_since(self.origin).as_nanos() / SLOT.as_nanos()) as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        // The window holds plain counters: a panic elsewhere cannot leave it inconsistent.
        self.window.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits the request arriving at `now` when the requests admitted over the last second,
    /// this one included, stay within the limit; otherwise counts nothing and says no.
    pub(super) fn try_admit(&self, now: Instant) -> bool {
        let tick = self.tick(now);
        let mut window = self.lock();
        if (window.total(tick) + 1) as f64 > self.limit {
            return false;
        }
        window.add(tick);
        true
    }

    /// Counts a request that must be served here whatever the rate (one forwarded by a peer).
    pub(super) fn record(&self, now: Instant) {
        let tick = self.tick(now);
        self.lock().add(tick);
    }

    /// Requests admitted or recorded over the last second.
    pub(super) fn current(&self, now: Instant) -> u64 {
        let tick = self.tick(now);
        self.lock().total(tick)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_within_one_second() {
        let origin = Instant::now();
        let meter = RateMeter::new(20.0, origin);
        let admitted = (0..60).filter(|i| meter.try_admit(origin + Duration::from_millis(*i))).count();
        assert_eq!(admitted, 20);
        assert_eq!(meter.current(origin + Duration::from_millis(60)), 20);
    }

    #[test]
    fn the_window_slides_after_one_second() {
        let origin = Instant::now();
        let meter = RateMeter::new(2.0, origin);
        assert!(meter.try_admit(origin));
        assert!(meter.try_admit(origin + Duration::from_millis(500)));
        assert!(!meter.try_admit(origin + Duration::from_millis(900)));
        // The first request (slot 0) leaves the window once slot 20 begins.
        assert!(meter.try_admit(origin + Duration::from_millis(1000)));
        assert!(!meter.try_admit(origin + Duration::from_millis(1400)));
        // The one at 500 ms (slot 10) leaves at 1500 ms.
        assert!(meter.try_admit(origin + Duration::from_millis(1500)));
        assert_eq!(meter.current(origin + Duration::from_millis(1500)), 2);
        // Long after, the window is empty again: stale slots never count.
        assert_eq!(meter.current(origin + Duration::from_secs(60)), 0);
    }

    #[test]
    fn fractional_limits_round_down_and_recorded_requests_count() {
        let origin = Instant::now();
        let meter = RateMeter::new(2.5, origin);
        meter.record(origin);
        meter.record(origin);
        assert!(!meter.try_admit(origin), "two recorded requests already fill a 2.5/s window");
        assert_eq!(meter.current(origin), 2);
    }

    #[test]
    fn instants_before_the_origin_count_as_the_first_slot() {
        let origin = Instant::now() + Duration::from_secs(1);
        let meter = RateMeter::new(1.0, origin);
        assert!(meter.try_admit(Instant::now()));
        assert!(!meter.try_admit(origin));
    }
}
