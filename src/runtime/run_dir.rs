//! The run folder `runs/<scenario>/<UTC timestamp>/`, never overwritten, and its manifest
//! `run.json`: what ran, when, with which sources and plan, and how each step ended.

use super::events::StepState;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Version of the manifest layout; readers refuse versions they do not know.
pub const MANIFEST_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Passed,
    ExpectationsFailed,
    Failed,
    Interrupted,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRecord {
    pub id: String,
    pub kind: String,
    pub state: StepState,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub elapsed_ms: Option<u64>,
    /// CPU time of the whole process (all threads) while the step ran, shared by steps that
    /// overlap; `None` until it ends, or where the platform has no process CPU clock.
    #[serde(default)]
    pub cpu_ms: Option<u64>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttackRecord {
    pub name: String,
    /// Folder of the attack's results, relative to the run folder.
    pub dir: String,
    pub expected_requests: Option<u64>,
    pub scheduled: u64,
    pub sent: u64,
    pub not_sent: u64,
    pub interrupted: u64,
    /// Actual start, from the load start, in seconds.
    pub started_at_offset_s: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub scenario: String,
    pub source_hash: String,
    pub sources: Vec<String>,
    pub overrides: Vec<(String, String)>,
    pub time_scale: f64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub load_started_at: Option<String>,
    pub status: RunStatus,
    pub message: Option<String>,
    /// Node name → the URL used (embedded demo nodes get their bound address).
    pub nodes: Vec<(String, String)>,
    pub steps: Vec<StepRecord>,
    pub attacks: Vec<AttackRecord>,
    pub plan: serde_json::Value,
}

impl Manifest {
    pub fn new(plan: &Plan, sources: Vec<String>, overrides: Vec<(String, String)>) -> Manifest {
        Manifest {
            format: "dfaas-run/run".into(),
            format_version: MANIFEST_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            scenario: plan.scenario.clone(),
            source_hash: plan.source_hash.clone(),
            sources,
            overrides,
            time_scale: 1.0,
            started_at: timestamp(SystemTime::now()),
            ended_at: None,
            load_started_at: None,
            status: RunStatus::Running,
            message: None,
            nodes: Vec::new(),
            steps: plan
                .steps
                .iter()
                .map(|s| StepRecord {
                    id: s.id.clone(),
                    kind: s.kind.name().into(),
                    state: StepState::Pending,
                    started_at: None,
                    ended_at: None,
                    elapsed_ms: None,
                    cpu_ms: None,
                    message: None,
                })
                .collect(),
            attacks: Vec::new(),
            plan: serde_json::to_value(plan).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn step_mut(&mut self, id: &str) -> Option<&mut StepRecord> {
        self.steps.iter_mut().find(|s| s.id == id)
    }

    /// Writes `run.json` atomically (temp file, then rename), so a reader never sees half of it.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let tmp = dir.join(".run.json.tmp");
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(tmp, dir.join("run.json"))
    }

    pub fn load(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join("run.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("{} is not a run manifest: {e}", path.display()))?;
        if manifest.format_version > MANIFEST_VERSION {
            return Err(format!(
                "{} has format version {}; this dfaas-run reads up to {MANIFEST_VERSION}",
                path.display(),
                manifest.format_version
            ));
        }
        Ok(manifest)
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn timestamp(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&format).unwrap_or_default()
}

/// Creates `base/<scenario>/<YYYY-MM-DD-HHMMSS>` (UTC), adding `-2`, `-3`, ... if it exists.
pub fn create(base: &Path, scenario: &str) -> std::io::Result<PathBuf> {
    let name: String =
        scenario.chars().map(|c| if c.is_whitespace() || c == '/' || c == '\\' { '-' } else { c }).collect();
    let parent = base.join(name);
    std::fs::create_dir_all(&parent)?;
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year]-[month]-[day]-[hour][minute][second]");
    let stamp = now.format(&format).map_err(std::io::Error::other)?;
    for n in 1.. {
        let dir = if n == 1 { parent.join(&stamp) } else { parent.join(format!("{stamp}-{n}")) };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folders_are_never_reused() {
        let base = tempfile::tempdir().expect("temp dir");
        let a = create(base.path(), "my scenario").expect("first");
        let b = create(base.path(), "my scenario").expect("second");
        assert_ne!(a, b);
        assert!(a.starts_with(base.path().join("my-scenario")));
    }
}
