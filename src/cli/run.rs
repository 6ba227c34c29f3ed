//! `dfaas-run run FILE` (and `dfaas-run FILE`): check, plan, execute, print the summary and exit
//! with the documented code. Ctrl-C/SIGTERM stop cleanly; a second one exits at once.

use super::console::Console;
use super::scale_args::{ScaleArgs, JOB_INDEX_VAR};
use super::{exit, scenario_files, shard_run, time_scale, ScenarioArgs};
use crate::model::TimeScale;
use crate::plan::plan;
use crate::report::context::ReportContext;
use crate::report::run_folder::{RunFolder, VerdictSource};
use crate::report::templates::{Renderer, ReportFormat};
use crate::runtime::executor::{execute, RunOptions, RunOutcome};
use crate::runtime::run_dir::RunStatus;
use crate::runtime::scale_out::{ScaleOut, StartAt};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Where run folders go: DIR/<scenario>/<UTC timestamp>/ (a shard: DIR/shard-INDEX, DIR may be s3://BUCKET/PREFIX)
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,
    /// No live progress (steps that fail and the final summary are still printed)
    #[arg(long, short)]
    pub quiet: bool,
    /// How long in-flight requests may finish after Ctrl-C (like `5s`)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub grace: Duration,
    /// Run with every delay, duration, wait and retry interval multiplied by F (rates unchanged):
    /// `0.01` smoke-tests a 30-minute experiment in 18 s
    #[arg(long, value_name = "F", value_parser = time_scale::parse)]
    pub time_scale: Option<TimeScale>,
    #[command(flatten)]
    pub scale: ScaleArgs,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::model::units::parse_duration(s).map_err(|_| format!("`{s}` is not a duration (like `5s` or `500ms`)"))
}

pub fn run(args: RunArgs) -> u8 {
    let (scenario, checked) = match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let scenario = match time_scale::apply(scenario, args.time_scale) {
        Ok(scenario) => scenario,
        Err(code) => return code,
    };
    if scenario.attacks.is_empty() {
        eprintln!(
            "error: {} declares no attack; nothing to run (add `attack NAME on NODE {{ ... }}`)",
            args.scenario.file.display()
        );
        return exit::SCENARIO_ERROR;
    }
    let job_index = std::env::var(JOB_INDEX_VAR).ok();
    let request = match args.scale.request(&args.out, job_index.as_deref()) {
        Ok(request) => request,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::SCENARIO_ERROR;
        }
    };
    let sources: Vec<String> = checked.sources.files().map(|(_, f)| f.name.clone()).collect();
    let whole = plan(&scenario);
    let (mut session, plan) = match request.shard {
        Some(_) => match shard_run::prepare(&request, &scenario, &whole) {
            Ok((session, shard_plan)) => (Some(session), shard_plan),
            Err(message) => {
                eprintln!("error: {message}");
                return exit::RUNTIME_FAILURE;
            }
        },
        None => (None, whole),
    };
    let plan = Arc::new(plan);
    let console = match Console::start(args.quiet) {
        Ok(console) => console,
        Err(code) => return code,
    };
    let options = RunOptions {
        base_dir: args.out.clone(),
        sources,
        overrides: args.scenario.set.clone(),
        grace: args.grace,
        time_scale: args.time_scale.map(TimeScale::as_f64).unwrap_or(1.0),
        progress_every: console.progress_every,
        stop: console.stop.clone(),
        events: console.events.clone(),
        scale: ScaleOut {
            start_at: request.start_at.map(|at| Arc::new(StartAt::new(at, request.start_grace))),
            write_results: request.write_results,
            ..ScaleOut::default()
        },
    };
    let scenario = Arc::new(scenario);
    let outcome = console.run(async {
        match session.as_mut() {
            Some(shard) => shard.run(scenario, plan, options).await,
            None => execute(scenario, plan, options).await,
        }
    });
    let code = match outcome {
        Ok(outcome) => summarize(
            &outcome,
            args.time_scale.filter(|s| !s.is_one()),
            session.as_ref().map(shard_run::ShardSession::location),
        ),
        Err(message) => {
            eprintln!("error: {message}");
            exit::RUNTIME_FAILURE
        }
    };
    // A shard folder staged for object storage has been uploaded (or the error said where it is).
    if let Some(shard) = session.filter(|s| s.upload.is_some() && code != exit::RUNTIME_FAILURE) {
        let _ = std::fs::remove_dir_all(&shard.folder);
    }
    code
}

/// Prints what the run did (the built-in text report, read back from the run folder) and maps
/// its status to the exit code. `location` names where the results are when that is not the run
/// folder itself (a shard folder uploaded to object storage).
pub(super) fn summarize(outcome: &RunOutcome, scale: Option<TimeScale>, location: Option<String>) -> u8 {
    let dir = &outcome.dir;
    eprintln!();
    let text = RunFolder::read(dir, VerdictSource::File).and_then(|run| {
        let context = ReportContext::new(&run);
        let renderer = Renderer::new(&context, dir, dir)?;
        renderer.builtin(ReportFormat::Text).map_err(|e| e.to_string())
    });
    match text {
        Ok(text) => eprint!("{text}"),
        Err(e) => eprintln!("cannot summarize the run: {e}"),
    }
    let (word, code) = match outcome.status {
        RunStatus::Passed => ("passed", exit::OK),
        RunStatus::ExpectationsFailed => ("expectations failed", exit::EXPECTATIONS_FAILED),
        RunStatus::Failed | RunStatus::Running => ("failed", exit::RUNTIME_FAILURE),
        RunStatus::Interrupted => ("interrupted", exit::INTERRUPTED),
    };
    if let Some(message) = outcome.manifest.message.as_ref().filter(|_| outcome.status == RunStatus::Failed) {
        eprintln!("error: {message}");
    }
    let scaled = scale.map(|s| format!(" with every duration × {s} (--time-scale)")).unwrap_or_default();
    let location = location.unwrap_or_else(|| dir.display().to_string());
    eprintln!("run {word}{scaled}; results in {location}");
    println!("{location}");
    code
}
