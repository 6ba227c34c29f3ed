//! The steps after the load: per-attack and merged reports, the merge of all results in
//! timestamp order, the expectations, and notifications. They read the run folder, nothing else.

use super::events::StepState;
use super::executor::Context;
use super::report_values::ReportValues;
use super::results::{merge_results, MergeOptions, RESULTS_FILE, SUMMARY_FILE};
use crate::parser::ast::When;
use crate::plan::StepKind;
use crate::report::context::ReportContext;
use crate::report::expect::{self, Planned, Verdict};
use crate::report::metrics::Metrics;
use crate::report::notify::{self, RunNews};
use crate::report::plots::{self, AttackPlots, MergedData, MergedPlots, PlotFormat};
use crate::report::run_folder::{RunFolder, VerdictSource};
use crate::report::success_rates::SuccessCounter;
use crate::report::templates::ReportFormat;
use crate::report::{self, vegeta_text};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::PoisonError;

pub const MERGED_DIR: &str = "merged-results";
pub const MERGED_RESULTS: &str = "merged-results.json";
pub const EXPECTATIONS_FILE: &str = "expectations.json";

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f).await.map_err(|e| format!("internal error: {e}"))?
}

/// The attacks that produced results, in plan order, with their metrics and plans.
fn attack_metrics(ctx: &Context) -> Result<BTreeMap<String, (Metrics, Planned)>, String> {
    let mut out = BTreeMap::new();
    for step in &ctx.plan.steps {
        let StepKind::Attack { attack, .. } = &step.kind else { continue };
        let dir = ctx.dir.join(attack);
        if !dir.join(SUMMARY_FILE).exists() {
            continue;
        }
        let duration = step.window.end.earliest.saturating_sub(step.window.start.earliest);
        out.insert(attack.clone(), (Metrics::load(&dir)?, Planned { requests: step.expected_requests, duration }));
    }
    Ok(out)
}

fn combined(ctx: &Context, attacks: &BTreeMap<String, (Metrics, Planned)>) -> Result<(Metrics, Planned), String> {
    let parts: Vec<&Metrics> = attacks.values().map(|(m, _)| m).collect();
    let metrics = Metrics::combine("merged", &parts)?;
    let all_planned = attacks.values().map(|(_, p)| p.requests).collect::<Option<Vec<u64>>>().map(|v| v.iter().sum());
    Ok((metrics, Planned { requests: all_planned, duration: ctx.plan.totals.load_duration }))
}

/// What the merged report needs from the merged results, gathered by the only attack's report
/// on its way through that attack's results: the merged results are the same results (the
/// merge only puts them in timestamp order), so the merged report need not read them again.
#[derive(Debug)]
pub struct MergedPass {
    pub data: MergedData,
    pub successes: SuccessCounter,
}

/// Whether the merged results will be exactly the results of `attack`: the plan merges, and
/// `attack` is its only attack.
fn merges_only(ctx: &Context, attack: &str) -> bool {
    let mut attacks = ctx.plan.steps.iter().filter_map(|s| match &s.kind {
        StepKind::Attack { attack, .. } => Some(attack),
        _ => None,
    });
    let only = attacks.next().is_some_and(|a| a == attack) && attacks.next().is_none();
    only && ctx.plan.steps.iter().any(|s| matches!(s.kind, StepKind::Merge))
}

pub async fn attack_report(ctx: &Context, attack: &str) -> Result<Option<String>, String> {
    let dir = ctx.dir.join(attack);
    if !dir.join(SUMMARY_FILE).exists() {
        return Ok(Some("no results to report: the attack did not run".into()));
    }
    let values = ReportValues::for_folder(ctx, &dir, Some(attack));
    let (run_dir, attack, formats) =
        (ctx.dir.clone(), attack.to_string(), PlotFormat::from_names(&ctx.scenario.report.plots));
    let gather_merged = merges_only(ctx, &attack);
    let (note, merged) = blocking(move || {
        let metrics = Metrics::load(&dir)?;
        let path = dir.join("report.txt");
        std::fs::write(&path, vegeta_text::render(&metrics))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !dir.join(RESULTS_FILE).exists() {
            // `--no-results`: only aggregates were kept; the plots and the success rates need
            // every result.
            return Ok((format!("{} (no plots: results.json was not kept)", path.display()), None));
        }
        // One pass over the results feeds the plots and `report_values.txt`, and the merged
        // report's data when the merged results will be these results (no merged data if that
        // fails: the merged report then reads the merged results itself).
        let mut counted = SuccessCounter::default();
        let mut merged = gather_merged.then(|| plots::merged_stream(&run_dir).ok()).flatten();
        let plots = AttackPlots::read(&run_dir, &attack, &mut |r| {
            counted.observe(r);
            if let Some(merged) = &mut merged {
                merged.observe(r);
            }
        })
        .map_err(|e| format!("cannot read the results of `{attack}` for its plots and success rates: {e}"))?;
        let merged = merged
            .filter(|m| !m.depends_on_order())
            .map(|m| MergedPass { data: m.finish(None), successes: counted.clone() });
        values.write(counted)?;
        let files = plots
            .draw(&formats)
            .map_err(|e| format!("the plots of `{attack}` failed (its results are on disk): {e}"))?;
        Ok((format!("{}{}", path.display(), plots_note(files.len())), merged))
    })
    .await?;
    *ctx.merged_pass.lock().unwrap_or_else(PoisonError::into_inner) = merged;
    Ok(Some(note))
}

pub async fn merge(ctx: &Context) -> Result<Option<String>, String> {
    let inputs: Vec<(&str, PathBuf)> = ctx
        .plan
        .steps
        .iter()
        .filter_map(|s| match &s.kind {
            StepKind::Attack { attack, .. } => Some((attack.as_str(), ctx.dir.join(attack).join(RESULTS_FILE))),
            _ => None,
        })
        .filter(|(_, p)| p.exists())
        .collect();
    let out_dir = ctx.dir.join(MERGED_DIR);
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let output = out_dir.join(MERGED_RESULTS);
    if let [(attack, input)] = inputs.as_slice() {
        // One attack whose results the writer wrote in timestamp order: they are the merged
        // results already, so the merged file is the same file (a second name, no copy).
        let in_order = ctx.results_in_order.lock().unwrap_or_else(PoisonError::into_inner).contains(*attack);
        if in_order && std::fs::hard_link(input, &output).is_ok() {
            return Ok(Some(format!("the results of `{attack}`, in timestamp order already (linked, not copied)")));
        }
    }
    let inputs: Vec<PathBuf> = inputs.into_iter().map(|(_, p)| p).collect();
    blocking(move || {
        let summary = merge_results(&inputs, &output, MergeOptions::default())
            .map_err(|e| format!("cannot merge results into {}: {e}", output.display()))?;
        let mut note = format!("{} results from {} attack(s) in timestamp order", summary.lines, inputs.len());
        if !summary.skipped_lines.is_empty() {
            note.push_str(&format!("; skipped {} unreadable line(s)", summary.skipped_lines.len()));
        }
        Ok(Some(note))
    })
    .await
}

/// The merged results' `report.txt` and `summary.json`, then the run-level reports (`report.*`
/// and the user's templates), with the expectations evaluated now: the `expect` step comes after.
pub async fn merged_report(ctx: &Context) -> Result<Option<String>, String> {
    let attacks = attack_metrics(ctx)?;
    let mut notes = Vec::new();
    if attacks.is_empty() {
        notes.push("no attack ran".to_string());
    } else {
        let (merged, _) = combined(ctx, &attacks)?;
        let dir = ctx.dir.join(MERGED_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let report = dir.join("report.txt");
        std::fs::write(&report, vegeta_text::render(&merged))
            .map_err(|e| format!("cannot write {}: {e}", report.display()))?;
        let summary = serde_json::to_string_pretty(&merged.summary).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(SUMMARY_FILE), summary + "\n")
            .map_err(|e| format!("cannot write {}: {e}", dir.join(SUMMARY_FILE).display()))?;
        if dir.join(MERGED_RESULTS).exists() {
            let values = ReportValues::for_folder(ctx, &dir, None);
            let (run_dir, formats) = (ctx.dir.clone(), PlotFormat::from_names(&ctx.scenario.report.plots));
            let gathered = ctx.merged_pass.lock().unwrap_or_else(PoisonError::into_inner).take();
            let plots = blocking(move || {
                let unreadable = |e| format!("cannot read the merged results for their plots and success rates: {e}");
                let (plots, counted) = match gathered {
                    // The only attack's report gathered them from the same results.
                    Some(MergedPass { data, successes }) => {
                        (MergedPlots::of(&run_dir, data).map_err(unreadable)?, successes)
                    }
                    // One pass over the merged results feeds the plots and `report_values.txt`.
                    None => {
                        let mut counted = SuccessCounter::default();
                        (MergedPlots::read(&run_dir, &mut |r| counted.observe(r)).map_err(unreadable)?, counted)
                    }
                };
                values.write(counted)?;
                plots.draw(&formats).map_err(|e| format!("the merged plots failed (the results are on disk): {e}"))
            })
            .await?;
            notes.push(format!("{}{}", report.display(), plots_note(plots.len())));
        } else {
            // A shard does not merge its results (`dfaas-run merge` does, over every shard).
            notes.push(format!("{} (no merged plots: the results were not merged here)", report.display()));
        }
    }
    let verdicts = (!ctx.scenario.expectations.is_empty())
        .then(|| combined(ctx, &attacks).map(|all| expect::evaluate(&ctx.scenario.expectations, &attacks, &all)))
        .transpose()?;
    let (dir, spec) = (ctx.dir.clone(), ctx.scenario.report.clone());
    notes.push(blocking(move || report::output::write_run_reports(&dir, verdicts, &spec)).await?);
    Ok(Some(notes.join("; ")))
}

fn plots_note(files: usize) -> String {
    match files {
        0 => String::new(),
        n => format!(" and {n} plot file(s)"),
    }
}

/// Evaluates the expectations; writes `expectations.json`. Fails when any expectation fails.
pub async fn expect(ctx: &Context) -> Result<Option<String>, String> {
    let attacks = attack_metrics(ctx)?;
    let all = combined(ctx, &attacks)?;
    let verdicts = expect::evaluate(&ctx.scenario.expectations, &attacks, &all);
    let path = ctx.dir.join(EXPECTATIONS_FILE);
    let text = serde_json::to_string_pretty(&verdicts).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let failed: Vec<&Verdict> = verdicts.iter().filter(|v| !v.passed).collect();
    if failed.is_empty() {
        Ok(Some(format!("{} expectation(s) passed", verdicts.len())))
    } else {
        let list: Vec<String> = failed
            .iter()
            .map(|v| {
                format!("{} (measured {})", v.expectation, v.problem.clone().unwrap_or_else(|| v.measured.clone()))
            })
            .collect();
        Err(format!("{} of {} expectation(s) failed: {}", failed.len(), verdicts.len(), list.join("; ")))
    }
}

/// The run's status as the notification tells it, from the steps finished so far.
fn status_so_far(ctx: &Context) -> String {
    if ctx.stop.is_stopped() {
        return "interrupted".into();
    }
    let manifest = ctx.manifest.lock().unwrap_or_else(|p| p.into_inner());
    let failed =
        |pred: &dyn Fn(&str) -> bool| manifest.steps.iter().any(|s| s.state == StepState::Failed && pred(&s.id));
    if failed(&|id| id != "expect" && !id.starts_with("notify:")) {
        "failed".into()
    } else if failed(&|id| id == "expect") {
        "expectations_failed".into()
    } else {
        "passed".into()
    }
}

pub async fn notify(ctx: &Context, step_id: &str) -> Result<Option<String>, String> {
    let index: usize =
        step_id.trim_start_matches("notify:").parse().map_err(|_| format!("bad notify step `{step_id}`"))?;
    let notification =
        ctx.scenario.notifications.get(index.saturating_sub(1)).ok_or_else(|| format!("no notification #{index}"))?;
    let status = status_so_far(ctx);
    let wanted = match notification.when {
        When::Always => true,
        When::Failure => status != "passed",
        When::Success => status == "passed",
    };
    if !wanted {
        return Ok(Some(
            format!("not sent: the run {status} and the notification is for `{:?}`", notification.when).to_lowercase(),
        ));
    }
    let attacks = attack_metrics(ctx).unwrap_or_default();
    let all = combined(ctx, &attacks).ok();
    let verdicts: Vec<Verdict> = std::fs::read_to_string(ctx.dir.join(EXPECTATIONS_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let report = RunFolder::read(&ctx.dir, VerdictSource::File).ok().map(|run| ReportContext::new(&run));
    let news = RunNews {
        scenario: ctx.scenario.name.clone(),
        status,
        run_dir: ctx.dir.display().to_string(),
        report_path: main_report(ctx),
        report,
        requests: all.as_ref().map(|(m, _)| m.summary.requests).unwrap_or(0),
        success_ratio: all.as_ref().and_then(|(m, _)| m.success_ratio()),
        p99_ms: all
            .as_ref()
            .filter(|(m, _)| m.summary.latency.count > 0)
            .map(|(m, _)| m.summary.latency.p99_ns as f64 / 1e6),
        expectations: verdicts,
    };
    let body = notify::body(&news, notification.template.as_deref())?;
    let attempts = notify::post(
        &ctx.http,
        &notification.url,
        &notification.headers,
        body,
        notification.retries,
        notification.timeout,
    )
    .await?;
    Ok(Some(format!("sent (attempt {attempts})")))
}

/// The run's main report for people: the first written of HTML, Markdown, text, JSON.
fn main_report(ctx: &Context) -> Option<String> {
    let spec = &ctx.scenario.report;
    let dir = spec.output.clone().unwrap_or_else(|| ctx.dir.clone());
    [ReportFormat::Html, ReportFormat::Markdown, ReportFormat::Text, ReportFormat::Json]
        .into_iter()
        .filter(|f| spec.formats.iter().any(|name| name == f.name()))
        .map(|f| dir.join(f.file_name()))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}
