//! How a run takes part in a scaled-out run: its shard (which requests it sends), its exact run
//! folder, the synchronised start (an absolute time, a grace, the lateness observed), results lines.

use crate::scale::shard::{SeqSlice, Shard};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The scale-out options of a run. `ScaleOut::default()` is a plain single-machine run.
#[derive(Debug)]
pub struct ScaleOut {
    /// This run is one shard of several.
    pub shard: Option<Shard>,
    /// Write the run into exactly this folder (already created by the caller) instead of a new
    /// `<base>/<scenario>/<timestamp>` folder.
    pub run_dir: Option<PathBuf>,
    /// The load phase starts at this absolute time (shared: the caller reads the lateness after).
    pub start_at: Option<Arc<StartAt>>,
    /// Write every result to `results.json` (false: only the aggregates, for large shards).
    pub write_results: bool,
}

impl Default for ScaleOut {
    fn default() -> Self {
        ScaleOut { shard: None, run_dir: None, start_at: None, write_results: true }
    }
}

impl ScaleOut {
    /// The request numbers this run sends.
    pub fn slice(&self) -> SeqSlice {
        self.shard.map(|s| s.slice()).unwrap_or(SeqSlice::ALL)
    }
}

/// A synchronised start: every shard starts its load at `at`; an attack that begins more than
/// `grace` after its planned time fails the run instead of sending a load that is out of step.
#[derive(Debug)]
pub struct StartAt {
    pub at: SystemTime,
    pub grace: Duration,
    worst: Mutex<Option<Duration>>,
}

impl StartAt {
    pub fn new(at: SystemTime, grace: Duration) -> Self {
        StartAt { at, grace, worst: Mutex::new(None) }
    }

    /// The monotonic instant of `at`, read against both clocks now (in the past if `at` is).
    pub fn instant(&self) -> Instant {
        let (now, wall) = (Instant::now(), SystemTime::now());
        match self.at.duration_since(wall) {
            Ok(ahead) => now + ahead,
            Err(behind) => now.checked_sub(behind.duration()).unwrap_or(now),
        }
    }

    /// Records that an attack began `late` after its planned time. `Err` when that is more than
    /// the grace: the shard must not run out of step with the others.
    pub fn observe(&self, attack: &str, late: Duration) -> Result<(), String> {
        {
            let mut worst = self.worst.lock().unwrap_or_else(|p| p.into_inner());
            *worst = Some(worst.map_or(late, |w| w.max(late)));
        }
        if late > self.grace {
            return Err(format!(
                "attack `{attack}` missed the synchronised start by {:.3}s, more than the start grace of {:.3}s: \
                 this shard did not run it (start the shards with a later --start-at, or raise --start-grace)",
                late.as_secs_f64(),
                self.grace.as_secs_f64()
            ));
        }
        Ok(())
    }

    /// The largest lateness observed so far, if an attack has begun.
    pub fn worst_lateness(&self) -> Option<Duration> {
        *self.worst.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_beyond_the_grace_is_an_error() {
        let start = StartAt::new(SystemTime::now(), Duration::from_secs(2));
        assert_eq!(start.worst_lateness(), None);
        assert!(start.observe("a", Duration::from_millis(5)).is_ok());
        let err = start.observe("b", Duration::from_secs(3)).unwrap_err();
        assert!(err.contains("attack `b` missed the synchronised start by 3.000s"), "{err}");
        assert_eq!(start.worst_lateness(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn the_start_instant_follows_the_wall_clock() {
        let ahead = StartAt::new(SystemTime::now() + Duration::from_secs(60), Duration::ZERO);
        assert!(ahead.instant() > Instant::now() + Duration::from_secs(59));
        let behind = StartAt::new(SystemTime::now() - Duration::from_secs(60), Duration::ZERO);
        assert!(behind.instant() < Instant::now());
    }
}
