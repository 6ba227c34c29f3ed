//! Property: for random rate profiles and N in 1..64, the split shards' schedules together are the
//! single-machine schedule exactly: counts add up, no request is doubled or lost, same send offsets.

use dfaas_run::model::units::Rate;
use dfaas_run::model::{RateProfile, Stage};
use dfaas_run::runtime::attack::schedule::Schedule;
use dfaas_run::scale::shard::{Shard, ShardMode};
use proptest::collection::vec;
use proptest::prelude::*;
use std::time::Duration;

/// A rate up to 500/s, in thousandths of a request per hour (so rarely a whole number per second),
/// zero included.
fn rate() -> impl Strategy<Value = Rate> {
    prop_oneof![Just(Rate::ZERO), (1u64..=500 * 3_600_000).prop_map(Rate::from_milli_per_hour)]
}

/// A hold or a ramp of up to 4 s (nanosecond durations, so rarely whole seconds).
fn stage() -> impl Strategy<Value = Stage> {
    (rate(), rate(), any::<bool>(), 1u64..4_000_000_000).prop_map(|(from, to, ramp, nanos)| Stage {
        from,
        to: if ramp { to } else { from },
        duration: Duration::from_nanos(nanos),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn split_shards_add_up_and_interleave(stages in vec(stage(), 1..5), count in 1u32..64) {
        let profile = RateProfile { stages };
        let total = profile.expected_requests();
        let whole: Vec<(u64, Duration)> = Schedule::new(&profile).ticks().collect();
        prop_assert_eq!(whole.len() as u64, total);

        let mut together: Vec<(u64, Duration)> = Vec::with_capacity(whole.len());
        let mut planned = 0;
        for index in 0..count {
            let shard = Shard::new(index, count, ShardMode::Split).map_err(TestCaseError::fail)?;
            let schedule = Schedule::new(&profile).sliced(shard.slice());
            let ticks: Vec<(u64, Duration)> = schedule.ticks().collect();
            prop_assert_eq!(ticks.len() as u64, shard.requests_of(total), "shard {}", index);
            prop_assert_eq!(schedule.count(), ticks.len() as u64);
            prop_assert_eq!(schedule.ticks().size_hint().0, ticks.len());
            prop_assert!(ticks.iter().all(|(k, _)| k % u64::from(count) == u64::from(index)));
            prop_assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
            planned += shard.requests_of(total);
            together.extend(ticks);
        }
        prop_assert_eq!(planned, total);
        // Every request exactly once, at the offset the single machine would send it.
        together.sort_by_key(|(k, _)| *k);
        prop_assert_eq!(together, whole);
    }

    #[test]
    fn replicated_shards_each_run_everything(stages in vec(stage(), 1..4), count in 1u32..64, index in 0u32..64) {
        let profile = RateProfile { stages };
        let shard = Shard::new(index % count, count, ShardMode::Replicate).map_err(TestCaseError::fail)?;
        let whole: Vec<(u64, Duration)> = Schedule::new(&profile).ticks().collect();
        let replica: Vec<(u64, Duration)> = Schedule::new(&profile).sliced(shard.slice()).ticks().collect();
        prop_assert_eq!(replica, whole);
        prop_assert_eq!(Shard::all_shards_send(count, ShardMode::Replicate, profile.expected_requests()),
            profile.expected_requests() * u64::from(count));
    }
}
