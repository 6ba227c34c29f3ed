//! `merge`: shard folders (or run folders, or results files) → one run folder with the files and
//! reports of a single-machine run, exactly: counts and histograms add up, series align on absolute
//! time, `expect` lines are judged over the whole, and `merge.json` says what went in.

use super::merge_check::Coverage;
use super::merge_inputs::ShardPart;
use super::merge_series::merge_series;
use super::merge_summary::merge_attack;
use super::results_metrics::results_metrics;
use super::shard::Shard;
use crate::model::ReportSpec;
use crate::report::expect::{self, Planned, Verdict};
use crate::report::metrics::Metrics;
use crate::report::output::write_run_reports;
use crate::report::plots::{draw_attack_plots, draw_merged_plots, PlotFormat};
use crate::report::vegeta_text;
use crate::runtime::results::timestamp::parse_system_time;
use crate::runtime::results::{
    merge_results, MergeOptions, LATENCY_FILE, LATENESS_FILE, RESULTS_FILE, SERIES_FILE, SUMMARY_FILE,
};
use crate::runtime::run_dir::{timestamp, AttackRecord, Manifest, RunStatus};
use crate::runtime::wrapup_steps::{EXPECTATIONS_FILE, MERGED_DIR, MERGED_RESULTS};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What `merge.json` says about a merge.
pub const MERGE_FILE: &str = "merge.json";

/// What a merge did.
#[derive(Debug, Clone, Serialize)]
pub struct MergeReport {
    pub format: String,
    /// `shards`, `runs` or `results`.
    pub kind: String,
    pub scenario: Option<String>,
    pub inputs: Vec<String>,
    pub shards: Option<Coverage>,
    pub attacks: Vec<MergedAttack>,
    /// Whether `merged-results.json` (and per-attack `results.json`) could be written: every input
    /// had its results lines.
    pub results_merged: bool,
    pub verdicts: Vec<Verdict>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MergedAttack {
    pub name: String,
    /// How many inputs had results for it.
    pub parts: usize,
    pub requests: u64,
    /// What the plan says all shards together send (open model).
    pub planned_requests: Option<u64>,
}

/// One attack as merged: its name and its plan over all shards.
struct AttackPlan {
    name: String,
    planned: Planned,
}

impl MergeReport {
    fn new(kind: &str, scenario: Option<String>, inputs: Vec<String>) -> Self {
        MergeReport {
            format: "dfaas-run/merge".into(),
            kind: kind.into(),
            scenario,
            inputs,
            shards: None,
            attacks: Vec::new(),
            results_merged: true,
            verdicts: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Whether every `expect` line held.
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }
}

/// Merges the finished shards `parts` (checked by `check_shards`) into the fresh folder `out`.
pub fn merge_shards(parts: &[ShardPart], coverage: Coverage, out: &Path) -> Result<MergeReport, String> {
    let Some(first) = parts.first() else { return Err("no finished shard to merge".into()) };
    let m = &first.manifest;
    let start_at = m.start_at.as_deref().and_then(parse_system_time);
    let attacks: Vec<AttackPlan> = m
        .attacks
        .iter()
        .map(|a| AttackPlan {
            name: a.name.clone(),
            planned: Planned {
                requests: a.plan_requests.map(|n| Shard::all_shards_send(m.count, m.mode, n)),
                duration: Duration::from_millis(a.planned_duration_ms),
            },
        })
        .collect();
    let load_duration =
        m.attacks.iter().map(|a| a.planned_offset_ms + a.planned_duration_ms).max().map(Duration::from_millis);
    let folders: Vec<PathBuf> = parts.iter().map(|p| p.path.clone()).collect();
    let mut report =
        MergeReport::new("shards", Some(m.scenario.clone()), parts.iter().map(|p| p.shown.clone()).collect());
    let starts: Vec<&str> = parts.iter().filter_map(|p| p.manifest.start_at.as_deref()).collect();
    if starts.iter().any(|s| Some(*s) != starts.first().copied()) || (!starts.is_empty() && starts.len() != parts.len())
    {
        report.notes.push(format!("the shards did not share one --start-at: {}", starts.join(", ")));
    }
    if !coverage.problems.is_empty() {
        report.notes.push(format!(
            "partial: {} of {} shards merged; {}",
            coverage.merged.len(),
            coverage.count,
            coverage.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        ));
    }
    let merged = merge_folders(&attacks, &folders, out, &mut report)?;
    let expectations = m.expectations.iter().map(|e| e.to_model()).collect::<Result<Vec<_>, _>>()?;
    if !expectations.is_empty() {
        let all_planned = Planned {
            requests: attacks.iter().map(|a| a.planned.requests).sum::<Option<u64>>(),
            duration: load_duration.unwrap_or_default(),
        };
        let combined = combine(&merged)?;
        let by_name: BTreeMap<String, (Metrics, Planned)> =
            merged.into_iter().map(|(plan, metrics)| (plan.name, (metrics, plan.planned))).collect();
        report.verdicts = expect::evaluate(&expectations, &by_name, &(combined, all_planned));
        write_json(&out.join(EXPECTATIONS_FILE), &report.verdicts)?;
    }
    let status = if report.passed() { RunStatus::Passed } else { RunStatus::ExpectationsFailed };
    write_manifest(&folders, out, status, start_at, report.notes.first().cloned(), Some(m.plan.clone()), &report)?;
    let verdicts = report.verdicts.clone();
    render_reports(out, Some(verdicts), &mut report);
    report.shards = Some(coverage);
    write_json(&out.join(MERGE_FILE), &report)?;
    Ok(report)
}

/// Merges single-machine run folders of the same scenario (their attacks side by side).
pub fn merge_runs(runs: &[PathBuf], out: &Path) -> Result<MergeReport, String> {
    let manifests: Vec<Manifest> = runs.iter().map(|r| Manifest::load(r)).collect::<Result<_, _>>()?;
    let Some(first) = manifests.first() else { return Err("no run folder to merge".into()) };
    let mut names: Vec<String> = Vec::new();
    for record in manifests.iter().flat_map(|m| &m.attacks) {
        if !names.contains(&record.name) {
            names.push(record.name.clone());
        }
    }
    let attacks: Vec<AttackPlan> = names
        .into_iter()
        .map(|name| AttackPlan { name, planned: Planned { requests: None, duration: Duration::ZERO } })
        .collect();
    let mut report =
        MergeReport::new("runs", Some(first.scenario.clone()), runs.iter().map(|r| r.display().to_string()).collect());
    if manifests.iter().any(|m| m.source_hash != first.source_hash) {
        report.notes.push("the runs come from different scenario sources".into());
    }
    report.notes.push("run folders do not carry their scenario's `expect` lines: none were judged".into());
    merge_folders(&attacks, runs, out, &mut report)?;
    write_manifest(runs, out, RunStatus::Passed, None, None, None, &report)?;
    render_reports(out, None, &mut report);
    write_json(&out.join(MERGE_FILE), &report)?;
    Ok(report)
}

/// Merges plain results files: every line in timestamp order, and figures per attack name.
pub fn merge_results_files(files: &[PathBuf], out: &Path) -> Result<MergeReport, String> {
    let mut report = MergeReport::new("results", None, files.iter().map(|f| f.display().to_string()).collect());
    let dir = out.join(MERGED_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let merged_file = dir.join(MERGED_RESULTS);
    let summary = merge_results(files, &merged_file, MergeOptions::default()).map_err(|e| e.to_string())?;
    for skipped in &summary.skipped_lines {
        report.notes.push(format!("{}:{}: {} (left out)", skipped.path.display(), skipped.line, skipped.reason));
    }
    let (attacks, all) = results_metrics(&[merged_file.as_path()], "results")?;
    for (name, metrics) in &attacks {
        write_metrics(&out.join(name), metrics)?;
        report.attacks.push(MergedAttack {
            name: name.clone(),
            parts: files.len(),
            requests: metrics.summary.requests,
            planned_requests: None,
        });
    }
    write_metrics(&dir, &all)?;
    write_json(&out.join(MERGE_FILE), &report)?;
    Ok(report)
}

/// Merges every attack of `folders` into `out`, then all attacks into `out/merged-results`.
fn merge_folders(
    attacks: &[AttackPlan],
    folders: &[PathBuf],
    out: &Path,
    report: &mut MergeReport,
) -> Result<Vec<(AttackPlan, Metrics)>, String> {
    let mut merged = Vec::new();
    let mut attack_results = Vec::new();
    for plan in attacks {
        let dirs: Vec<PathBuf> =
            folders.iter().map(|f| f.join(&plan.name)).filter(|d| d.join(SUMMARY_FILE).is_file()).collect();
        if dirs.is_empty() {
            report.notes.push(format!("attack `{}` has no results in any input", plan.name));
            continue;
        }
        let parts: Vec<Metrics> = dirs.iter().map(|d| Metrics::load(d)).collect::<Result<_, _>>()?;
        let metrics = merge_attack(&plan.name, &parts)?;
        let target = out.join(&plan.name);
        write_metrics(&target, &metrics)?;
        let series: Vec<PathBuf> = dirs.iter().map(|d| d.join(SERIES_FILE)).filter(|p| p.is_file()).collect();
        // Second 0 is the earliest shard's start (within the grace of the synchronised start).
        let origin = metrics.summary.start;
        let series_refs: Vec<&Path> = series.iter().map(PathBuf::as_path).collect();
        merge_series(&series_refs, origin, &target.join(SERIES_FILE))
            .map_err(|e| format!("cannot merge the series of `{}`: {e}", plan.name))?;
        let results: Vec<PathBuf> = dirs.iter().map(|d| d.join(RESULTS_FILE)).filter(|p| p.is_file()).collect();
        if results.len() == dirs.len() {
            let output = target.join(RESULTS_FILE);
            merge_results(&results, &output, MergeOptions::default())
                .map_err(|e| format!("cannot merge the results of `{}`: {e}", plan.name))?;
            attack_results.push(output);
        } else {
            report.results_merged = false;
        }
        report.attacks.push(MergedAttack {
            name: plan.name.clone(),
            parts: dirs.len(),
            requests: metrics.summary.requests,
            planned_requests: plan.planned.requests,
        });
        let plan = AttackPlan { name: plan.name.clone(), planned: plan.planned };
        merged.push((plan, metrics));
    }
    if merged.is_empty() {
        return Err("no attack has results in the inputs: nothing to merge".into());
    }
    let dir = out.join(MERGED_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if report.results_merged {
        merge_results(&attack_results, &dir.join(MERGED_RESULTS), MergeOptions::default())
            .map_err(|e| format!("cannot merge the results into {}: {e}", dir.display()))?;
    } else {
        report.notes.push("some inputs have no results.json (--no-results): results lines were not merged".into());
    }
    let all = combine(&merged)?;
    write_text(
        &dir.join(SUMMARY_FILE),
        &(serde_json::to_string_pretty(&all.summary).map_err(|e| e.to_string())? + "\n"),
    )?;
    write_text(&dir.join("report.txt"), &vegeta_text::render(&all))?;
    Ok(merged)
}

/// The same plots and reports as a single-machine run (`report.html`, `report.json`, ... and the
/// `plots/` folders), drawn from the merged folder. The merge itself is already complete on disk,
/// so a figure that cannot be drawn becomes a note, not a failure.
fn render_reports(out: &Path, verdicts: Option<Vec<Verdict>>, report: &mut MergeReport) {
    let formats = PlotFormat::from_names(&ReportSpec::default().plots);
    for attack in &report.attacks {
        if out.join(&attack.name).join(RESULTS_FILE).is_file() {
            if let Err(e) = draw_attack_plots(out, &attack.name, &formats) {
                report.notes.push(format!("the plots of `{}` were not drawn: {e}", attack.name));
            }
        }
    }
    if out.join(MERGED_DIR).join(MERGED_RESULTS).is_file() {
        if let Err(e) = draw_merged_plots(out, &formats) {
            report.notes.push(format!("the merged plots were not drawn: {e}"));
        }
    }
    if let Err(e) = write_run_reports(out, verdicts, &ReportSpec::default()) {
        report.notes.push(format!("the reports were not written: {e}"));
    }
}

fn combine(merged: &[(AttackPlan, Metrics)]) -> Result<Metrics, String> {
    let parts: Vec<&Metrics> = merged.iter().map(|(_, m)| m).collect();
    Metrics::combine("merged", &parts)
}

/// `summary.json`, `latency.hdr`, `lateness.hdr` and `report.txt` of one attack.
fn write_metrics(dir: &Path, m: &Metrics) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_json(&dir.join(SUMMARY_FILE), &m.summary)?;
    for (name, histogram) in [(LATENCY_FILE, &m.latency), (LATENESS_FILE, &m.lateness)] {
        histogram.save(&dir.join(name)).map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
    }
    write_text(&dir.join("report.txt"), &vegeta_text::render(m))
}

/// `run.json` of the merged run, so that it reads like a single-machine run folder: the first
/// input's scenario, sources and plan; the inputs' time span; attack counts added up.
fn write_manifest(
    inputs: &[PathBuf],
    out: &Path,
    status: RunStatus,
    load_start: Option<SystemTime>,
    message: Option<String>,
    plan: Option<serde_json::Value>,
    report: &MergeReport,
) -> Result<(), String> {
    let manifests: Vec<Manifest> = inputs.iter().filter_map(|i| Manifest::load(i).ok()).collect();
    let Some(first) = manifests.first() else { return Ok(()) };
    let mut merged = first.clone();
    merged.started_at = manifests.iter().map(|m| m.started_at.clone()).min().unwrap_or_default();
    merged.ended_at = manifests.iter().filter_map(|m| m.ended_at.clone()).max();
    merged.load_started_at =
        load_start.map(timestamp).or_else(|| manifests.iter().filter_map(|m| m.load_started_at.clone()).min());
    merged.status = status;
    merged.message = message;
    merged.steps = Vec::new();
    if let Some(plan) = plan {
        merged.plan = plan;
    }
    merged.attacks = report
        .attacks
        .iter()
        .map(|a| {
            let records: Vec<&AttackRecord> =
                manifests.iter().flat_map(|m| &m.attacks).filter(|r| r.name == a.name).collect();
            let sum = |f: fn(&AttackRecord) -> u64| records.iter().map(|r| f(r)).sum();
            AttackRecord {
                name: a.name.clone(),
                dir: a.name.clone(),
                expected_requests: a.planned_requests,
                scheduled: sum(|r| r.scheduled),
                sent: sum(|r| r.sent),
                not_sent: sum(|r| r.not_sent),
                interrupted: sum(|r| r.interrupted),
                started_at_offset_s: None,
            }
        })
        .collect();
    merged.save(out).map_err(|e| format!("cannot write {}/run.json: {e}", out.display()))
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    write_text(path, &(text + "\n"))
}

fn write_text(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
