//! Loads what a set of plots is drawn from, from the run folder only: one attack's files
//! (`summary.json`, `timeseries.csv`, `results.json`, `latency.hdr`) or the merged results.

use super::frame::{merge_markers, Marker};
use super::generic_set::Subject;
use super::latency_columns::LatencyColumns;
use super::merged_data::{load_merged, MergedData, MergedStream};
use super::per_second::PerSecond;
use super::percentile_chart::Curve;
use super::run_info::{planned_rate, PlannedAttack, Profile, RunInfo};
use super::style::{category, latency_text, plot_width, INK};
use super::time_chart::TimeAxis;
use super::Tap;
use crate::runtime::results::{
    AttackSummary, DurationHistogram, LATENCY_FILE, RESULTS_FILE, SERIES_FILE, SUMMARY_FILE,
};
use crate::runtime::wrapup_steps::{MERGED_DIR, MERGED_RESULTS};
use std::path::Path;

fn read_summary(dir: &Path) -> Result<AttackSummary, String> {
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not an attack summary: {e}", path.display()))
}

fn read_histogram(dir: &Path) -> Result<DurationHistogram, String> {
    let path = dir.join(LATENCY_FILE);
    DurationHistogram::load(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn histogram_note(h: &DurationHistogram) -> String {
    if h.count() == 0 {
        return "No request was sent: the latency histogram is empty.".into();
    }
    let ns = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    format!(
        "From the HDR histogram (3 significant digits) of {} sent requests: min {}, mean {}, max {}.",
        h.count(),
        latency_text(ns(h.min())),
        latency_text(ns(h.mean())),
        latency_text(ns(h.max()))
    )
}

/// What is planned for these attacks, in words.
fn planned_note(attacks: &[&PlannedAttack], load: Option<&str>) -> String {
    let closed = attacks.iter().filter(|a| a.profile == Profile::Closed).count();
    let unknown = attacks.iter().any(|a| a.profile == Profile::Unknown);
    if unknown {
        "No planned rate: run.json's plan has no rate profile (made by an older dfaas-run).".into()
    } else if closed == attacks.len() {
        "No planned rate: the closed model's rate depends on the server.".into()
    } else if closed > 0 {
        format!("Dashed: the planned rate of the open-model attacks ({closed} closed-model attack(s) not included).")
    } else {
        match load {
            Some(load) => format!("Dashed: the planned rate ({}).", load.trim_start_matches("open: ")),
            None => "Dashed: the planned rate, all attacks together.".into(),
        }
    }
}

/// One attack's plots' data, from one pass over its results (`tap` sees every result too). `run`
/// is `None` when the folder has no `run.json` (no plan to draw).
pub fn attack_subject(run_dir: &Path, attack: &str, run: Option<&RunInfo>, tap: Tap<'_>) -> Result<Subject, String> {
    let dir = run_dir.join(attack);
    let summary = read_summary(&dir)?;
    let per_second = PerSecond::from_timeseries(&dir.join(SERIES_FILE), &summary)?;
    let planned = run.and_then(|r| r.attack(attack));
    let last_s = match summary.last_timestamp {
        Some(t) => t.duration_since(summary.start).map(|d| d.as_secs_f64().floor() + 1.0).unwrap_or(0.0),
        None => 0.0,
    };
    let planned_s = planned.map_or(0.0, |p| p.end_s - p.start_s);
    let end_s = (per_second.len() as f64).max(planned_s).max(last_s).max(1.0);
    let latency =
        LatencyColumns::from_results(&dir.join(RESULTS_FILE), summary.start, plot_width() as usize, end_s, tap)?;
    let histogram = read_histogram(&dir)?;
    let (planned_points, note) = match planned {
        None => (None, "No planned rate: the run folder has no plan for this attack.".to_string()),
        Some(p) => {
            let points = match &p.profile {
                Profile::Open(stages) => planned_rate(&[(0.0, stages)]),
                _ => None,
            };
            (points, planned_note(&[p], Some(&p.load)))
        }
    };
    Ok(Subject {
        name: attack.to_string(),
        axis: TimeAxis { origin: "the attack's start".into(), end_s },
        latency,
        curves: vec![Curve::from_histogram(format!("{attack} ({} sent)", histogram.count()), INK, true, &histogram)],
        histogram_note: histogram_note(&histogram),
        planned: planned_points,
        planned_note: note,
        success_rule: summary.success_rule.clone(),
        markers: Vec::new(),
        per_second,
    })
}

/// The attacks of the plan that have results, with their summaries.
fn attacks_with_results(run_dir: &Path, run: &RunInfo) -> Result<Vec<(PlannedAttack, AttackSummary)>, String> {
    let mut out = Vec::new();
    for attack in &run.attacks {
        let dir = run_dir.join(&attack.name);
        if dir.join(SUMMARY_FILE).exists() {
            out.push((attack.clone(), read_summary(&dir)?));
        }
    }
    Ok(out)
}

/// Phase boundaries from the plan: every attack's start and end.
pub fn plan_markers(run: &RunInfo) -> Vec<Marker> {
    let mut markers = Vec::new();
    for a in &run.attacks {
        markers.push(Marker { at_s: a.start_s, label: format!("{} starts", a.name) });
        markers.push(Marker { at_s: a.end_s, label: format!("{} ends", a.name) });
    }
    merge_markers(markers)
}

/// The merged results' data (also used by tests and by reports that need per-node counts), from
/// one pass over them (`tap` sees every result too).
pub fn merged_data(run_dir: &Path, run: &RunInfo, tap: Tap<'_>) -> Result<MergedData, String> {
    merged_data_of(run_dir, run, &attacks_with_results(run_dir, run)?, tap)
}

fn merged_data_of(
    run_dir: &Path,
    run: &RunInfo,
    attacks: &[(PlannedAttack, AttackSummary)],
    tap: Tap<'_>,
) -> Result<MergedData, String> {
    let summaries: Vec<AttackSummary> = attacks.iter().map(|(_, s)| s.clone()).collect();
    let path = run_dir.join(MERGED_DIR).join(MERGED_RESULTS);
    load_merged(&path, run, &summaries, plot_width() as usize, tap)
}

/// A stream that builds the merged data of `run` from results fed to it, as `merged_data` does
/// from the merged results file.
pub fn merged_stream(run_dir: &Path, run: &RunInfo) -> Result<MergedStream, String> {
    let summaries: Vec<AttackSummary> = attacks_with_results(run_dir, run)?.into_iter().map(|(_, s)| s).collect();
    Ok(MergedStream::new(run, &summaries, plot_width() as usize))
}

/// The merged plots' data: every attack together, on the load's time axis.
pub fn merged_subject(run_dir: &Path, run: &RunInfo, tap: Tap<'_>) -> Result<Subject, String> {
    let attacks = attacks_with_results(run_dir, run)?;
    if attacks.is_empty() {
        return Err(NO_ATTACK.into());
    }
    let data = merged_data_of(run_dir, run, &attacks, tap)?;
    subject_of(run_dir, run, &attacks, data)
}

/// The merged plots' data from the merged results' `data` (built by a [`MergedStream`]) and each
/// attack's histogram.
pub fn merged_subject_of(run_dir: &Path, run: &RunInfo, data: MergedData) -> Result<Subject, String> {
    let attacks = attacks_with_results(run_dir, run)?;
    if attacks.is_empty() {
        return Err(NO_ATTACK.into());
    }
    subject_of(run_dir, run, &attacks, data)
}

const NO_ATTACK: &str = "no attack has results to plot";

fn subject_of(
    run_dir: &Path,
    run: &RunInfo,
    attacks: &[(PlannedAttack, AttackSummary)],
    data: MergedData,
) -> Result<Subject, String> {
    let mut all = DurationHistogram::new();
    let mut curves = Vec::new();
    for (i, (attack, _)) in attacks.iter().enumerate() {
        let h = read_histogram(&run_dir.join(&attack.name))?;
        all.add(&h).map_err(|e| format!("cannot add the latency histogram of `{}`: {e}", attack.name))?;
        if attacks.len() > 1 {
            curves.push(Curve::from_histogram(format!("{} ({} sent)", attack.name, h.count()), category(i), false, &h));
        }
    }
    curves.insert(0, Curve::from_histogram(format!("all attacks ({} sent)", all.count()), INK, true, &all));

    let open: Vec<(f64, &[super::run_info::PlannedStage])> = run
        .attacks
        .iter()
        .filter_map(|a| match &a.profile {
            Profile::Open(stages) => Some((a.start_s, stages.as_slice())),
            _ => None,
        })
        .collect();
    let planned: Vec<&PlannedAttack> = run.attacks.iter().collect();
    let mut rules: Vec<&str> = attacks.iter().map(|(_, s)| s.success_rule.as_str()).collect();
    rules.dedup();
    let success_rule = if rules.len() == 1 { rules[0].to_string() } else { "per attack's rule".to_string() };
    let end_s = data.span_s.max(data.per_second.len() as f64);
    let histogram_note = histogram_note(&all);
    Ok(Subject {
        name: "All attacks".into(),
        axis: TimeAxis { origin: "the load start".into(), end_s },
        latency: data.latency,
        curves,
        histogram_note,
        planned: planned_rate(&open),
        planned_note: planned_note(&planned, None),
        success_rule,
        markers: plan_markers(run),
        per_second: data.per_second,
    })
}
