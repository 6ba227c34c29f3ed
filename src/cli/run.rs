//! `dfaas-run run FILE` (and `dfaas-run FILE`): check, plan, execute, print the summary and exit
//! with the documented code. Ctrl-C/SIGTERM stop cleanly; a second one exits at once.

use super::live::Live;
use super::{exit, scenario_files, ScenarioArgs};
use crate::plan::plan;
use crate::report::expect::Verdict;
use crate::report::metrics::Metrics;
use crate::runtime::events::{Event, Events};
use crate::runtime::executor::{execute, RunOptions, RunOutcome};
use crate::runtime::run_dir::RunStatus;
use crate::runtime::stop::Stop;
use crate::runtime::wrapup_steps::EXPECTATIONS_FILE;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Where run folders go: DIR/<scenario>/<UTC timestamp>/
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,
    /// No live progress (steps that fail and the final summary are still printed)
    #[arg(long, short)]
    pub quiet: bool,
    /// How long in-flight requests may finish after Ctrl-C (like `5s`)
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub grace: Duration,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::model::units::parse_duration(s).map_err(|_| format!("`{s}` is not a duration (like `5s` or `500ms`)"))
}

pub fn run(args: RunArgs) -> u8 {
    let (scenario, checked) = match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if scenario.attacks.is_empty() {
        eprintln!(
            "error: {} declares no attack; nothing to run (add `attack NAME on NODE {{ ... }}`)",
            args.scenario.file.display()
        );
        return exit::SCENARIO_ERROR;
    }
    let sources: Vec<String> = checked.sources.files().map(|(_, f)| f.name.clone()).collect();
    let plan = Arc::new(plan(&scenario));
    let runtime = match crate::runtime::threads::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::RUNTIME_FAILURE;
        }
    };
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let live = Arc::new(Live::new(terminal, args.quiet));
    let events = {
        let live = live.clone();
        Events::new(move |e| live.handle(e))
    };
    let stop = Stop::new();
    let options = RunOptions {
        base_dir: args.out.clone(),
        sources,
        overrides: args.scenario.set.clone(),
        grace: args.grace,
        progress_every: Duration::from_millis(if terminal { 250 } else { 1000 }),
        stop: stop.clone(),
        events: events.clone(),
    };
    let scenario = Arc::new(scenario);
    let outcome = runtime.block_on(async move {
        tokio::spawn(watch_signals(stop, events));
        execute(scenario, plan, options).await
    });
    live.finish();
    match outcome {
        Ok(outcome) => summarize(&outcome),
        Err(message) => {
            eprintln!("error: {message}");
            exit::RUNTIME_FAILURE
        }
    }
}

/// First Ctrl-C or SIGTERM: stop cleanly. Second: exit at once (files stay readable: results are
/// line-based and flushed every second, the manifest is replaced atomically).
pub(super) async fn watch_signals(stop: Stop, events: Events) {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    for second in [false, true] {
        #[cfg(unix)]
        {
            let sigterm = async {
                match term.as_mut() {
                    Some(t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = sigterm => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        events.emit(Event::Interrupted { second });
        if second {
            std::process::exit(exit::INTERRUPTED as i32);
        }
        stop.stop();
    }
}

/// Prints what the run did and maps its status to the exit code.
pub(super) fn summarize(outcome: &RunOutcome) -> u8 {
    let dir = &outcome.dir;
    eprintln!();
    for attack in &outcome.manifest.attacks {
        match Metrics::load(&dir.join(&attack.dir)) {
            Ok(m) => {
                let s = &m.summary;
                let ratio = m.success_ratio().map(|r| format!("{:.2}%", r * 100.0)).unwrap_or_else(|| "-".into());
                let p99 =
                    if s.latency.count > 0 { format!("{:.1}ms", s.latency.p99_ns as f64 / 1e6) } else { "-".into() };
                let planned = attack.expected_requests.map(|n| format!(" of {n} planned")).unwrap_or_default();
                eprintln!(
                    "{:<20} {} requests{planned}, success {ratio} ({}), p99 {p99}, not sent in time {}",
                    attack.name, s.requests, s.success_rule, s.not_sent_in_time
                );
            }
            Err(e) => eprintln!("{:<20} no results: {e}", attack.name),
        }
    }
    if let Ok(text) = std::fs::read_to_string(dir.join(EXPECTATIONS_FILE)) {
        if let Ok(verdicts) = serde_json::from_str::<Vec<Verdict>>(&text) {
            for v in verdicts {
                let mark = if v.passed { "✔" } else { "✘" };
                let measured = v.problem.unwrap_or(v.measured);
                eprintln!("{mark} expect {}  (measured {measured})", v.expectation);
            }
        }
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
    eprintln!("run {word}; results in {}", dir.display());
    println!("{}", dir.display());
    code
}
