//! `dfaas-run merge INPUTS...`: shard folders (local or `s3://`), run folders or results files into
//! one run folder; names missing or failed shards and refuses a partial merge unless allowed.

use super::exit;
use crate::report::metrics::Metrics;
use crate::runtime::run_dir;
use crate::scale::merge::{merge_results_files, merge_runs, merge_shards, MergeReport};
use crate::scale::merge_check::check_shards;
use crate::scale::merge_inputs::{gather, wait_for_markers, Inputs, Scratch};
use crate::scale::storage::{Bucket, Location};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard folders, folders or s3://BUCKET/PREFIX holding shard folders, run folders, or results files
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Where the merged run goes: a new (or empty) folder, or s3://BUCKET/PREFIX [default: runs/<scenario>/<timestamp>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    /// Merge the finished shards even if some are missing, unfinished or failed (they are named)
    #[arg(long)]
    pub allow_partial: bool,
    /// The number of shards of the run (checked against the shards' own count)
    #[arg(long, value_name = "N")]
    pub expect_shards: Option<u32>,
    /// First wait up to DURATION for every shard to end (a merge Job started with the shards)
    #[arg(long, value_name = "DURATION", requires = "expect_shards", value_parser = parse_duration)]
    pub wait: Option<Duration>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::model::units::parse_duration(s).map_err(|_| format!("`{s}` is not a duration (like `30m`)"))
}

pub fn run(args: MergeArgs) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::RUNTIME_FAILURE;
        }
    };
    runtime.block_on(merge(args))
}

async fn merge(args: MergeArgs) -> u8 {
    if let (Some(timeout), Some(count)) = (args.wait, args.expect_shards) {
        match wait_for_markers(&args.inputs, count, timeout).await {
            Ok(0) => {}
            Ok(pending) => {
                eprintln!("merge: stopped waiting after {}s; {pending} shard(s) have not ended", timeout.as_secs())
            }
            Err(message) => return fail(exit::RUNTIME_FAILURE, &message),
        }
    }
    let scratch = match Scratch::new("merge") {
        Ok(s) => s,
        Err(message) => return fail(exit::RUNTIME_FAILURE, &message),
    };
    let inputs = match gather(&args.inputs, &scratch).await {
        Ok(inputs) => inputs,
        Err(message) => return fail(exit::SCENARIO_ERROR, &message),
    };
    let out = match args.out.as_deref().map(Location::parse).transpose() {
        Ok(out) => out,
        Err(message) => return fail(exit::SCENARIO_ERROR, &message),
    };
    let parts = match inputs {
        Inputs::Shards(parts) => parts,
        Inputs::Runs(runs) => return finish(&out, "runs", |dir| merge_runs(&runs, dir)).await,
        Inputs::ResultsFiles(files) => return finish(&out, "merged", |dir| merge_results_files(&files, dir)).await,
    };
    let (finished, coverage) = match check_shards(parts, args.expect_shards) {
        Ok(checked) => checked,
        Err(message) => return fail(exit::SCENARIO_ERROR, &message),
    };
    for problem in &coverage.problems {
        eprintln!("✘ {problem}");
    }
    if !coverage.problems.is_empty() && !args.allow_partial {
        let message = format!(
            "merge refused: {} of {} shards are not finished (named above); pass --allow-partial to merge the {} finished one(s)",
            coverage.problems.len(),
            coverage.count,
            finished.len()
        );
        return fail(exit::RUNTIME_FAILURE, &message);
    }
    if finished.is_empty() {
        return fail(exit::RUNTIME_FAILURE, "no shard finished: nothing to merge");
    }
    let scenario = coverage.scenario.clone();
    finish(&out, &scenario, |dir| merge_shards(&finished, coverage, dir)).await
}

/// Picks the output folder, merges into it, uploads it if it goes to a bucket, and reports.
async fn finish(
    out: &Option<Location>,
    scenario: &str,
    merge: impl FnOnce(&Path) -> Result<MergeReport, String>,
) -> u8 {
    let staging;
    let (dir, upload) = match out {
        None => match run_dir::create(Path::new("runs"), scenario) {
            Ok(dir) => (dir, None),
            Err(e) => return fail(exit::RUNTIME_FAILURE, &format!("cannot create a folder under runs/: {e}")),
        },
        Some(Location::Local(path)) => match fresh(path) {
            Ok(()) => (path.clone(), None),
            Err(message) => return fail(exit::SCENARIO_ERROR, &message),
        },
        Some(Location::S3(to)) => {
            staging = match Scratch::new("merged") {
                Ok(s) => s,
                Err(message) => return fail(exit::RUNTIME_FAILURE, &message),
            };
            (staging.0.clone(), Some(to.clone()))
        }
    };
    let report = match merge(&dir) {
        Ok(report) => report,
        Err(message) => return fail(exit::RUNTIME_FAILURE, &message),
    };
    print_report(&report, &dir);
    let location = match &upload {
        None => dir.display().to_string(),
        Some(to) => {
            let uploaded = match Bucket::open(&to.bucket) {
                Ok(bucket) => bucket.upload_dir(&dir, to, &[]).await,
                Err(e) => Err(e),
            };
            if let Err(message) = uploaded {
                return fail(exit::RUNTIME_FAILURE, &message);
            }
            to.to_string()
        }
    };
    eprintln!("merged {} input(s); results in {location}", report.inputs.len());
    println!("{location}");
    if report.passed() {
        exit::OK
    } else {
        exit::EXPECTATIONS_FAILED
    }
}

/// The output folder must be new or empty: merged runs are never overwritten.
fn fresh(path: &PathBuf) -> Result<(), String> {
    if path.exists() && std::fs::read_dir(path).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(format!("{} exists and is not empty: merged runs are never overwritten", path.display()));
    }
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

fn print_report(report: &MergeReport, dir: &Path) {
    for attack in &report.attacks {
        let planned = attack.planned_requests.map(|n| format!(" of {n} planned")).unwrap_or_default();
        let figures = Metrics::load(&dir.join(&attack.name)).ok().map(|m| {
            let ratio = m.success_ratio().map(|r| format!("{:.2}%", r * 100.0)).unwrap_or_else(|| "-".into());
            let p99 = if m.summary.latency.count > 0 {
                format!("{:.1}ms", m.summary.latency.p99_ns as f64 / 1e6)
            } else {
                "-".into()
            };
            format!(", success {ratio}, p99 {p99}")
        });
        eprintln!(
            "{:<20} {} requests{planned} from {} input(s){}",
            attack.name,
            attack.requests,
            attack.parts,
            figures.unwrap_or_default()
        );
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for v in &report.verdicts {
        let mark = if v.passed { "✔" } else { "✘" };
        let measured = v.problem.clone().unwrap_or_else(|| v.measured.clone());
        eprintln!("{mark} expect {}  (measured {measured})", v.expectation);
    }
}

fn fail(code: u8, message: &str) -> u8 {
    eprintln!("error: {message}");
    code
}
