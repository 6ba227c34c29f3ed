//! Before merging shards: are they shards of one run, which index is each, and which of the N are
//! missing, still running (or killed: no end marker) or failed. Only finished shards are merged.

use super::merge_inputs::ShardPart;
use super::shard::ShardMode;
use super::shard_dir::ShardOutcome;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Why a shard is not merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// No folder for this index.
    Missing,
    /// A folder without end marker: killed, or still running.
    Incomplete,
    /// Ended with `FAILED`.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShardProblem {
    pub index: u32,
    pub kind: ProblemKind,
    pub detail: String,
}

impl fmt::Display for ShardProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ProblemKind::Missing => write!(f, "shard {} is missing ({})", self.index, self.detail),
            ProblemKind::Incomplete => write!(
                f,
                "shard {} is incomplete: {} has no DONE or FAILED marker (killed, or still running)",
                self.index, self.detail
            ),
            ProblemKind::Failed => write!(f, "shard {} failed: {}", self.index, self.detail),
        }
    }
}

/// Which of the N shards are merged, and what is wrong with the others.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub scenario: String,
    pub count: u32,
    pub mode: ShardMode,
    pub merged: Vec<u32>,
    pub problems: Vec<ShardProblem>,
}

/// Checks that `parts` are shards of one run and sorts them out. `expect` is `--expect-shards`.
/// Returns the finished shards (by index) and the coverage; `Err` is a usage problem.
pub fn check_shards(parts: Vec<ShardPart>, expect: Option<u32>) -> Result<(Vec<ShardPart>, Coverage), String> {
    let Some(first) = parts.first() else { return Err("no shard folder to merge".into()) };
    let (scenario, hash, count, mode) = (
        first.manifest.scenario.clone(),
        first.manifest.source_hash.clone(),
        first.manifest.count,
        first.manifest.mode,
    );
    for p in &parts {
        let m = &p.manifest;
        if m.scenario != scenario || m.source_hash != hash || m.count != count || m.mode != mode {
            return Err(format!(
                "the inputs are shards of different runs: {} is shard {}/{} ({}) of `{}`, {} is shard {}/{} ({}) of `{}`{}",
                first.shown,
                first.manifest.index,
                count,
                mode,
                scenario,
                p.shown,
                m.index,
                m.count,
                m.mode,
                m.scenario,
                if m.source_hash != hash { " from other sources" } else { "" }
            ));
        }
    }
    if let Some(n) = expect.filter(|n| *n != count) {
        return Err(format!("--expect-shards {n}, but the shards say they are {count} ({})", first.shown));
    }
    let mut by_index: BTreeMap<u32, ShardPart> = BTreeMap::new();
    for p in parts {
        if p.manifest.index >= count {
            return Err(format!(
                "{} says it is shard {} of {count}: its shard.json is damaged",
                p.shown, p.manifest.index
            ));
        }
        if let Some(other) = by_index.get(&p.manifest.index) {
            return Err(format!(
                "{} and {} are both shard {}: give each shard once",
                other.shown, p.shown, p.manifest.index
            ));
        }
        by_index.insert(p.manifest.index, p);
    }
    let mut merged = Vec::new();
    let mut problems = Vec::new();
    let mut finished = Vec::new();
    for index in 0..count {
        let Some(part) = by_index.remove(&index) else {
            problems.push(ShardProblem {
                index,
                kind: ProblemKind::Missing,
                detail: "no folder for it among the inputs".into(),
            });
            continue;
        };
        match &part.marker {
            Some((ShardOutcome::Done, _)) => {
                merged.push(index);
                finished.push(part);
            }
            Some((_, message)) => {
                let detail = part.manifest.message.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| message.clone());
                problems.push(ShardProblem {
                    index,
                    kind: ProblemKind::Failed,
                    detail: format!("{} ({})", detail, part.shown),
                });
            }
            None => problems.push(ShardProblem { index, kind: ProblemKind::Incomplete, detail: part.shown.clone() }),
        }
    }
    Ok((finished, Coverage { scenario, count, mode, merged, problems }))
}
