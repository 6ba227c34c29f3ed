//! Shards of a run: shard `i` of `N` either splits the load (request `k` of every open-model attack
//! goes to shard `k mod N`, closed-model workers are spread evenly) or replicates it. Exact integers.
//!
//! Why interleaved (striped) rather than contiguous blocks: with stripes every shard follows the
//! whole rate profile at `1/N` of the rate, so the shards' sends interleave in time exactly like a
//! single machine's (request `k` is sent at the same offset, by shard `k mod N`), ramps stay ramps
//! on every shard, and each shard's count is `⌈(total − i) / N⌉`: the counts add up to the plan's
//! with no rounding at any `N`. Contiguous blocks `[i/N, (i+1)/N)` of the schedule would make
//! shard 0 run the start of a ramp and shard `N−1` its peak, one after the other.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether shards divide the load or each run all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ShardMode {
    /// Every shard runs `1/N` of every attack: together they run the plan once.
    Split,
    /// Every shard runs the whole plan: together they run it `N` times.
    Replicate,
}

impl fmt::Display for ShardMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShardMode::Split => "split",
            ShardMode::Replicate => "replicate",
        })
    }
}

/// Shard `index` of `count` (0-based), and how the load is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
    pub mode: ShardMode,
}

/// The request numbers one process sends: `first`, `first + stride`, `first + 2·stride`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqSlice {
    pub first: u64,
    pub stride: u64,
}

impl SeqSlice {
    /// Every request: a run that is not sharded, or a replicated shard.
    pub const ALL: SeqSlice = SeqSlice { first: 0, stride: 1 };

    /// The `local`-th request number of the slice.
    pub fn seq(&self, local: u64) -> u64 {
        self.first + local * self.stride
    }

    /// The position of request `seq` within the slice (`seq` belongs to it).
    pub fn local(&self, seq: u64) -> u64 {
        seq.saturating_sub(self.first) / self.stride
    }

    /// How many of the requests `0..total` belong to the slice.
    pub fn count_below(&self, total: u64) -> u64 {
        if total > self.first {
            (total - self.first - 1) / self.stride + 1
        } else {
            0
        }
    }

    /// Whether this is the whole sequence.
    pub fn is_all(&self) -> bool {
        *self == SeqSlice::ALL
    }
}

impl Shard {
    /// Checks `index < count` and `count ≥ 1`.
    pub fn new(index: u32, count: u32, mode: ShardMode) -> Result<Shard, String> {
        if count == 0 {
            return Err("the number of shards must be at least 1".into());
        }
        if index >= count {
            return Err(format!("shard index {index} is out of range: shards are numbered 0 to {}", count - 1));
        }
        Ok(Shard { index, count, mode })
    }

    /// Parses `i/N` (`2/8`: the third of eight shards).
    pub fn parse(text: &str, mode: ShardMode) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not a shard: write it as INDEX/COUNT, like `0/4` (0-based)"))?;
        let number = |s: &str, what: &str| {
            s.trim().parse::<u32>().map_err(|_| format!("`{text}`: the {what} `{s}` is not a whole number"))
        };
        Shard::new(number(i, "index")?, number(n, "count")?, mode)
    }

    /// The request numbers of this shard in every open-model attack (and of its closed-model workers).
    pub fn slice(&self) -> SeqSlice {
        match self.mode {
            ShardMode::Split => SeqSlice { first: u64::from(self.index), stride: u64::from(self.count) },
            ShardMode::Replicate => SeqSlice::ALL,
        }
    }

    /// How many of an open-model attack's `total` requests this shard sends.
    pub fn requests_of(&self, total: u64) -> u64 {
        self.slice().count_below(total)
    }

    /// How many of a closed-model attack's `workers` run on this shard: as even as possible, the
    /// remainder going to the first shards.
    pub fn workers_of(&self, workers: u32) -> u32 {
        match self.mode {
            ShardMode::Split => workers / self.count + u32::from(self.index < workers % self.count),
            ShardMode::Replicate => workers,
        }
    }

    /// What all `count` shards send together for an attack of `total` requests.
    pub fn all_shards_send(count: u32, mode: ShardMode, total: u64) -> u64 {
        match mode {
            ShardMode::Split => total,
            ShardMode::Replicate => total * u64::from(count),
        }
    }

    /// The folder name of this shard's output (`shard-3`).
    pub fn dir_name(&self) -> String {
        format!("shard-{}", self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} ({})", self.index, self.count, self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_index_and_count() {
        assert_eq!(Shard::parse("2/8", ShardMode::Split), Ok(Shard { index: 2, count: 8, mode: ShardMode::Split }));
        assert!(Shard::parse("8/8", ShardMode::Split).unwrap_err().contains("0 to 7"));
        assert!(Shard::parse("0/0", ShardMode::Split).unwrap_err().contains("at least 1"));
        assert!(Shard::parse("3", ShardMode::Split).unwrap_err().contains("INDEX/COUNT"));
        assert!(Shard::parse("a/4", ShardMode::Split).unwrap_err().contains("index `a`"));
    }

    #[test]
    fn split_counts_add_up() {
        for total in [0u64, 1, 5, 7, 100, 1001] {
            for count in 1..=9 {
                let parts: Vec<u64> = (0..count)
                    .map(|i| Shard::new(i, count, ShardMode::Split).map(|s| s.requests_of(total)).unwrap_or(0))
                    .collect();
                assert_eq!(parts.iter().sum::<u64>(), total, "{total} over {count}: {parts:?}");
                assert!(parts.iter().max().unwrap_or(&0) - parts.iter().min().unwrap_or(&0) <= 1);
            }
        }
    }

    #[test]
    fn workers_are_spread_with_the_remainder_first() {
        let workers: Vec<u32> =
            (0..4).map(|i| Shard::new(i, 4, ShardMode::Split).map(|s| s.workers_of(10)).unwrap_or(0)).collect();
        assert_eq!(workers, vec![3, 3, 2, 2]);
        let replicate = Shard::new(1, 4, ShardMode::Replicate).map(|s| s.workers_of(10));
        assert_eq!(replicate, Ok(10));
    }

    #[test]
    fn slices_map_both_ways() {
        let s = SeqSlice { first: 3, stride: 4 };
        assert_eq!(s.seq(2), 11);
        assert_eq!(s.local(11), 2);
        assert_eq!(s.count_below(12), 3);
        assert_eq!(s.count_below(3), 0);
    }
}
