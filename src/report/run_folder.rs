//! A run folder read back for reports: the manifest, each attack's metrics (recounted from
//! `results.json` when its writer never finished), their combination, verdicts and plots.

use super::expect::{Planned, Verdict};
use super::metrics::Metrics;
use super::plot_files::{self, Plot};
use super::recount::recount;
use crate::model::units::parse_duration;
use crate::runtime::events::StepState;
use crate::runtime::results::{RESULTS_FILE, SUMMARY_FILE};
use crate::runtime::run_dir::Manifest;
use crate::runtime::wrapup_steps::{EXPECTATIONS_FILE, MERGED_DIR};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The name of the combination of every attack (as in `expect success(all) ...`).
pub const ALL: &str = "all";
/// What `run.json` declares itself as.
pub const MANIFEST_FORMAT: &str = "dfaas-run/run";

/// One attack's results.
#[derive(Debug, Clone)]
pub struct AttackResults {
    pub name: String,
    /// Its folder, relative to the run folder.
    pub folder: String,
    pub metrics: Metrics,
    pub planned: Option<Planned>,
    /// True when the figures were recounted from `results.json` (no usable `summary.json`).
    pub recounted: bool,
    pub plots: Vec<Plot>,
}

/// An attack of the plan without results, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AbsentAttack {
    pub name: String,
    pub reason: String,
}

/// Where the verdicts come from.
#[derive(Debug, Clone)]
pub enum VerdictSource {
    /// `expectations.json`, if the run got that far.
    File,
    /// Evaluated by the caller (during a run, before the `expect` step writes them).
    Given(Vec<Verdict>),
}

/// Everything reports need from a run folder.
#[derive(Debug, Clone)]
pub struct RunFolder {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// Attacks with results, in plan order.
    pub attacks: Vec<AttackResults>,
    pub absent: Vec<AbsentAttack>,
    /// Every attack with results combined (`None` when there is none).
    pub merged: Option<(Metrics, Option<Planned>)>,
    pub merged_plots: Vec<Plot>,
    /// `None` when the expectations were not evaluated (or the scenario has none).
    pub verdicts: Option<Vec<Verdict>>,
    /// What was skipped or recounted, each naming the file concerned.
    pub warnings: Vec<String>,
}

impl RunFolder {
    /// Reads `dir`. Only an unreadable manifest (missing, not one, a format version this build
    /// does not know) is an error; a missing or damaged attack is a warning naming what was left out.
    pub fn read(dir: &Path, verdicts: VerdictSource) -> Result<RunFolder, String> {
        if !dir.is_dir() {
            return Err(format!("{} is not a folder", dir.display()));
        }
        let manifest = Manifest::load(dir)?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "{} declares format `{}`, not `{MANIFEST_FORMAT}`: not a dfaas-run run folder",
                dir.join("run.json").display(),
                manifest.format
            ));
        }
        let mut warnings = Vec::new();
        let mut attacks = Vec::new();
        let mut absent = Vec::new();
        for (name, planned) in planned_attacks(&manifest) {
            let folder = manifest.attacks.iter().find(|a| a.name == name).map_or(name.clone(), |a| a.dir.clone());
            match attack_results(dir, &manifest, &name, &folder, &mut warnings) {
                Ok((metrics, recounted)) => attacks.push(AttackResults {
                    plots: plot_files::discover(dir, &folder),
                    name,
                    folder,
                    metrics,
                    planned,
                    recounted,
                }),
                Err(reason) => absent.push(AbsentAttack { name, reason }),
            }
        }
        let merged = if attacks.is_empty() {
            None
        } else {
            let parts: Vec<&Metrics> = attacks.iter().map(|a| &a.metrics).collect();
            let metrics = Metrics::combine(ALL, &parts)?;
            let requests = attacks.iter().map(|a| a.planned.and_then(|p| p.requests)).sum::<Option<u64>>();
            let duration = parse_plan_duration(&manifest.plan["totals"]["load_duration"]);
            let planned = duration.map(|duration| Planned { requests, duration });
            if !absent.is_empty() {
                let names: Vec<&str> = attacks.iter().map(|a| a.name.as_str()).collect();
                warnings.push(format!("the figures of `{ALL}` cover only {}", names.join(", ")));
            }
            Some((metrics, planned))
        };
        let verdicts = match verdicts {
            VerdictSource::Given(v) => Some(v),
            VerdictSource::File => read_verdicts(dir, &manifest, &mut warnings),
        };
        Ok(RunFolder {
            merged_plots: plot_files::discover(dir, MERGED_DIR),
            dir: dir.to_path_buf(),
            manifest,
            attacks,
            absent,
            merged,
            verdicts,
            warnings,
        })
    }

    /// The run's outcome from its load and expectations: `interrupted`, `failed` (a deployment,
    /// wait, gate or attack failed), `expectations_failed` or `passed`. Reports, notifications and
    /// teardown do not change it (they run after, and are in `run.json`).
    pub fn outcome(&self) -> &'static str {
        let load_steps = || {
            self.manifest.steps.iter().filter(|s| matches!(s.kind.as_str(), "deploy" | "wait" | "health" | "attack"))
        };
        let status = self.manifest.status;
        if status == crate::runtime::run_dir::RunStatus::Interrupted
            || load_steps().any(|s| s.state == StepState::Interrupted)
        {
            "interrupted"
        } else if load_steps().any(|s| matches!(s.state, StepState::Failed | StepState::Skipped)) {
            "failed"
        } else if self.verdicts.as_ref().is_some_and(|v| v.iter().any(|v| !v.passed)) {
            "expectations_failed"
        } else {
            "passed"
        }
    }
}

/// The attacks of the plan, in plan order, with what was planned for each.
fn planned_attacks(manifest: &Manifest) -> Vec<(String, Option<Planned>)> {
    let steps = manifest.plan["steps"].as_array().cloned().unwrap_or_default();
    let from_plan: Vec<(String, Option<Planned>)> = steps
        .iter()
        .filter(|s| s["kind"] == "attack")
        .filter_map(|s| {
            let name = s["attack"].as_str()?.to_string();
            let window = &s["window"];
            let start = parse_plan_duration(&window["start"]["earliest"]);
            let end = parse_plan_duration(&window["end"]["earliest"]);
            let planned = start.zip(end).map(|(start, end)| Planned {
                requests: s["expected_requests"].as_u64(),
                duration: end.saturating_sub(start),
            });
            Some((name, planned))
        })
        .collect();
    if !from_plan.is_empty() {
        return from_plan;
    }
    // A manifest without a readable plan still lists the attacks that ran.
    manifest.attacks.iter().map(|a| (a.name.clone(), None)).collect()
}

fn parse_plan_duration(v: &serde_json::Value) -> Option<Duration> {
    v.as_str().and_then(|s| parse_duration(s).ok())
}

/// An attack's metrics: from `summary.json` and the histograms, else recounted from
/// `results.json`. `Err` says why the attack has no results.
fn attack_results(
    dir: &Path,
    manifest: &Manifest,
    name: &str,
    folder: &str,
    warnings: &mut Vec<String>,
) -> Result<(Metrics, bool), String> {
    let path = dir.join(folder);
    let step = manifest.steps.iter().find(|s| s.id == format!("attack:{name}"));
    let ran = manifest.attacks.iter().any(|a| a.name == name);
    let started = path.join(RESULTS_FILE).exists() || path.join(SUMMARY_FILE).exists();
    if !ran && !started {
        // Skipped (a gate failed), or interrupted before its start: nothing is missing.
        let why = step.and_then(|s| s.message.clone()).unwrap_or_else(|| "it did not run".into());
        return Err(format!("no results: {why}"));
    }
    if !path.is_dir() {
        warnings
            .push(format!("attack `{name}`: its folder {} is missing; it is left out of every figure", path.display()));
        return Err(format!("its folder {} is missing", path.display()));
    }
    let summary_problem = if path.join(SUMMARY_FILE).exists() {
        match Metrics::load(&path) {
            Ok(m) => return Ok((m, false)),
            Err(e) => e,
        }
    } else {
        format!(
            "{} is missing (the run ended before the attack's results were finished)",
            path.join(SUMMARY_FILE).display()
        )
    };
    let results = path.join(RESULTS_FILE);
    if !results.exists() {
        let reason = format!("{summary_problem}, and there is no {RESULTS_FILE}");
        warnings.push(format!("attack `{name}`: {reason}; it is left out of every figure"));
        return Err(reason);
    }
    match recount(&results, name) {
        Ok(r) => {
            let mut note = format!("attack `{name}`: {summary_problem}; figures recounted from {}", results.display());
            for skipped in &r.skipped {
                note.push_str(&format!("; skipped {skipped}"));
            }
            warnings.push(note);
            Ok((r.metrics, true))
        }
        Err(e) => {
            let reason = format!("{summary_problem}, and {e}");
            warnings.push(format!("attack `{name}`: {reason}; it is left out of every figure"));
            Err(reason)
        }
    }
}

/// `expectations.json`, when the run got that far. Its absence is a warning when the plan has
/// an `expect` step.
fn read_verdicts(dir: &Path, manifest: &Manifest, warnings: &mut Vec<String>) -> Option<Vec<Verdict>> {
    let path = dir.join(EXPECTATIONS_FILE);
    let planned = manifest.steps.iter().any(|s| s.kind == "expect");
    match std::fs::read_to_string(&path) {
        Ok(text) => match serde_json::from_str(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                warnings.push(format!("{} is not a list of verdicts ({e}); expectations not shown", path.display()));
                None
            }
        },
        Err(_) if planned => {
            warnings.push(format!("{} is missing: the expectations were not evaluated", path.display()));
            None
        }
        Err(_) => None,
    }
}
