//! A shard folder: the run folder of one shard plus `shard.json` (which shard of how many, split or
//! replicate, the synchronised start and its lateness, the outcome, what to judge over all shards)
//! and an end marker, `DONE` or `FAILED`, written last. Versioned: readers refuse newer formats.

use super::expectations::ExpectationRecord;
use super::shard::{Shard, ShardMode};
use crate::plan::{Plan, StepKind};
use crate::runtime::run_dir::{timestamp, RunStatus};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::SystemTime;

pub const SHARD_MANIFEST: &str = "shard.json";
pub const DONE_MARKER: &str = "DONE";
pub const FAILED_MARKER: &str = "FAILED";
/// Version of the shard folder layout; `merge` refuses versions it does not know.
pub const SHARD_FORMAT_VERSION: u32 = 1;

/// Where a shard is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShardOutcome {
    /// Started (or killed before it could say otherwise: then there is no marker).
    Running,
    /// Ran its share to the end: its results are complete.
    Done,
    /// Could not run its share (barrier, missed start, gate, interruption): named by `merge`.
    Failed,
}

/// `shard.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardManifest {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub scenario: String,
    pub source_hash: String,
    pub index: u32,
    pub count: u32,
    pub mode: ShardMode,
    /// The synchronised start (RFC 3339), if there was one.
    pub start_at: Option<String>,
    pub start_grace_ms: Option<u64>,
    /// The latest any of this shard's attacks began after its planned time, in milliseconds.
    pub start_lateness_ms: Option<f64>,
    /// The barrier (`dns:HOST:PORT`), and how long this shard waited at it.
    pub barrier: Option<String>,
    pub barrier_waited_ms: Option<u64>,
    /// Whether `results.json` files were written (`--no-results` turns them off).
    pub results_written: bool,
    pub outcome: ShardOutcome,
    /// The run's status once it ended.
    pub status: Option<RunStatus>,
    pub message: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub attacks: Vec<ShardAttack>,
    /// The scenario's `expect` lines, judged by `merge` over all shards.
    pub expectations: Vec<ExpectationRecord>,
    /// The whole plan (not this shard's share), as `dfaas-run plan --format json` shows it.
    pub plan: serde_json::Value,
}

/// One attack as this shard ran it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardAttack {
    pub name: String,
    /// Its folder, relative to the shard folder.
    pub dir: String,
    /// Requests of the whole plan on one machine (open model), and this shard's share.
    pub plan_requests: Option<u64>,
    pub shard_requests: Option<u64>,
    /// Planned start (from the load start) and duration, in milliseconds.
    pub planned_offset_ms: u64,
    pub planned_duration_ms: u64,
    /// When this shard's attack actually began (RFC 3339): second 0 of its `timeseries.csv`.
    pub start: Option<String>,
}

impl ShardManifest {
    /// The manifest of a shard about to run `plan` (the whole plan) as `shard`.
    pub fn new(plan: &Plan, shard: Shard, expectations: Vec<ExpectationRecord>, results_written: bool) -> Self {
        let attacks = plan
            .steps
            .iter()
            .filter_map(|step| {
                let StepKind::Attack { attack, .. } = &step.kind else { return None };
                let millis = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                Some(ShardAttack {
                    name: attack.clone(),
                    dir: attack.clone(),
                    plan_requests: step.expected_requests,
                    shard_requests: step.expected_requests.map(|n| shard.requests_of(n)),
                    planned_offset_ms: millis(step.window.start.earliest),
                    planned_duration_ms: millis(step.window.end.earliest.saturating_sub(step.window.start.earliest)),
                    start: None,
                })
            })
            .collect();
        ShardManifest {
            format: "dfaas-run/shard".into(),
            format_version: SHARD_FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            scenario: plan.scenario.clone(),
            source_hash: plan.source_hash.clone(),
            index: shard.index,
            count: shard.count,
            mode: shard.mode,
            start_at: None,
            start_grace_ms: None,
            start_lateness_ms: None,
            barrier: None,
            barrier_waited_ms: None,
            results_written,
            outcome: ShardOutcome::Running,
            status: None,
            message: None,
            started_at: timestamp(SystemTime::now()),
            ended_at: None,
            attacks,
            expectations,
            plan: serde_json::to_value(plan).unwrap_or(serde_json::Value::Null),
        }
    }

    /// Writes `shard.json` atomically (temp file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let tmp = dir.join(".shard.json.tmp");
        let path = dir.join(SHARD_MANIFEST);
        std::fs::write(&tmp, text + "\n")
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    pub fn load(dir: &Path) -> Result<ShardManifest, String> {
        let path = dir.join(SHARD_MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let version = value.get("format_version").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if value.get("format").and_then(serde_json::Value::as_str) != Some("dfaas-run/shard") {
            return Err(format!("{} is not a dfaas-run shard manifest", path.display()));
        }
        if version > u64::from(SHARD_FORMAT_VERSION) {
            return Err(format!(
                "{} has shard format version {version}; this dfaas-run reads up to {SHARD_FORMAT_VERSION}: use a newer dfaas-run to merge",
                path.display()
            ));
        }
        serde_json::from_value(value).map_err(|e| format!("{} is not a shard manifest: {e}", path.display()))
    }

    pub fn shard(&self) -> Shard {
        Shard { index: self.index, count: self.count, mode: self.mode }
    }
}

/// Writes the end marker (`DONE` or `FAILED`, with the message) after everything else.
pub fn write_marker(dir: &Path, outcome: ShardOutcome, message: Option<&str>) -> Result<(), String> {
    let name = match outcome {
        ShardOutcome::Done => DONE_MARKER,
        _ => FAILED_MARKER,
    };
    let path = dir.join(name);
    let text = format!("{}\n", message.unwrap_or(""));
    std::fs::write(&path, text.trim_start()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The marker a shard folder ends with, if any (`DONE` wins if both were somehow written).
pub fn read_marker(dir: &Path) -> Option<(ShardOutcome, String)> {
    [(DONE_MARKER, ShardOutcome::Done), (FAILED_MARKER, ShardOutcome::Failed)].iter().find_map(|(name, outcome)| {
        std::fs::read_to_string(dir.join(name)).ok().map(|text| (*outcome, text.trim().to_string()))
    })
}
