//! Runs a plan: starts each step when its needs have finished (attacks also at their offset from
//! the load start), skips dependents of failed steps, always runs reports and teardown, keeps the
//! manifest current, and stops cleanly on request.

use super::cpu_time::process_cpu_time;
use super::events::{Event, Events, StepState};
use super::run_dir::{self, Manifest, RunStatus};
use super::scale_out::ScaleOut;
use super::stop::Stop;
use super::{attack_step, demo_nodes, setup_steps, wrapup_steps};
use crate::model::Scenario;
use crate::plan::{Plan, Step, StepKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};
use tokio::task::JoinSet;

/// How to run.
pub struct RunOptions {
    /// Where run folders go (`runs/` by default).
    pub base_dir: PathBuf,
    /// The scenario's files, for the manifest.
    pub sources: Vec<String>,
    pub overrides: Vec<(String, String)>,
    /// How long in-flight requests may finish after a stop.
    pub grace: Duration,
    /// The `--time-scale` the scenario was scaled by (1 when not), for the manifest.
    pub time_scale: f64,
    /// How often attack progress is emitted.
    pub progress_every: Duration,
    pub stop: Stop,
    pub events: Events,
    /// Shard, run folder, synchronised start (`ScaleOut::default()` for a single machine).
    pub scale: ScaleOut,
}

/// How a run ended.
#[derive(Debug)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub status: RunStatus,
    pub manifest: Manifest,
}

/// What every step can reach.
pub struct Context {
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
    pub dir: PathBuf,
    pub manifest: Mutex<Manifest>,
    /// Node name → base URL in use (embedded demo nodes: their bound address).
    pub nodes: BTreeMap<String, url::Url>,
    pub http: reqwest::Client,
    pub stop: Stop,
    pub events: Events,
    pub grace: Duration,
    pub progress_every: Duration,
    /// The instant every gate had passed: attacks are timed from it.
    pub load_start: OnceLock<Instant>,
    pub scale: ScaleOut,
    /// The merged report's data, when the only attack's report gathered them (see
    /// `wrapup_steps::MergedPass`).
    pub merged_pass: Mutex<Option<wrapup_steps::MergedPass>>,
    /// The attacks whose `results.json` the writer wrote in timestamp order.
    pub results_in_order: Mutex<BTreeSet<String>>,
}

impl Context {
    /// Updates the manifest and writes it. Write errors are reported once, not fatal: results
    /// themselves are written separately.
    pub fn update(&self, change: impl FnOnce(&mut Manifest)) {
        let mut manifest = self.manifest.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut manifest);
        if let Err(e) = manifest.save(&self.dir) {
            eprintln!("warning: cannot write {}/run.json: {e}", self.dir.display());
        }
    }

    /// When the load phase started (set by the first attack to start), or the synchronised start.
    pub fn load_start(&self) -> Instant {
        *self.load_start.get_or_init(|| {
            let (at, wall) = match &self.scale.start_at {
                Some(start) => (start.instant(), start.at),
                None => (Instant::now(), SystemTime::now()),
            };
            self.update(|m| m.load_started_at = Some(run_dir::timestamp(wall)));
            at
        })
    }
}

/// Runs `plan` to the end (or until stopped) and returns where its results are.
pub async fn execute(scenario: Arc<Scenario>, plan: Arc<Plan>, options: RunOptions) -> Result<RunOutcome, String> {
    let dir = match &options.scale.run_dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .map(|()| dir.clone())
            .map_err(|e| format!("cannot create the run folder {}: {e}", dir.display()))?,
        None => run_dir::create(&options.base_dir, &scenario.name)
            .map_err(|e| format!("cannot create a run folder under {}: {e}", options.base_dir.display()))?,
    };
    let mut manifest = Manifest::new(&plan, options.sources.clone(), options.overrides.clone());
    manifest.time_scale = options.time_scale;
    manifest.save(&dir).map_err(|e| format!("cannot write {}/run.json: {e}", dir.display()))?;
    let demos = match demo_nodes::start(&scenario).await {
        Ok(d) => d,
        Err(message) => {
            let mut manifest = manifest;
            manifest.status = RunStatus::Failed;
            manifest.message = Some(message.clone());
            manifest.ended_at = Some(run_dir::timestamp(SystemTime::now()));
            let _ = manifest.save(&dir);
            return Err(message);
        }
    };
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let ctx = Arc::new(Context {
        scenario,
        plan,
        dir: dir.clone(),
        manifest: Mutex::new(manifest),
        nodes: demos.urls.clone(),
        http,
        stop: options.stop.clone(),
        events: options.events.clone(),
        grace: options.grace,
        progress_every: options.progress_every,
        load_start: OnceLock::new(),
        scale: options.scale,
        merged_pass: Mutex::new(None),
        results_in_order: Mutex::new(BTreeSet::new()),
    });
    ctx.update(|m| m.nodes = ctx.nodes.iter().map(|(n, u)| (n.clone(), u.to_string())).collect());

    let states = schedule(&ctx).await;

    demos.shutdown().await;
    // A failed notification is reported (its step, its message) but never changes the outcome:
    // the results are complete and the exit code must say what happened to the load.
    let counts = |id: &str| !id.starts_with("notify:");
    let failed = states.iter().any(|(id, s)| *s == StepState::Failed && counts(id));
    let expectations_failed = ctx
        .manifest
        .lock()
        .map(|m| m.steps.iter().any(|s| s.id == "expect" && s.state == StepState::Failed))
        .unwrap_or(false);
    let status = if ctx.stop.is_stopped() {
        RunStatus::Interrupted
    } else if expectations_failed
        && states.iter().filter(|(id, _)| id.as_str() != "expect" && counts(id)).all(|(_, s)| *s != StepState::Failed)
    {
        RunStatus::ExpectationsFailed
    } else if failed {
        RunStatus::Failed
    } else {
        RunStatus::Passed
    };
    ctx.update(|m| {
        m.status = status;
        m.ended_at = Some(run_dir::timestamp(SystemTime::now()));
        if m.message.is_none() {
            m.message = first_failure(m);
        }
    });
    let manifest = ctx.manifest.lock().map(|m| m.clone()).unwrap_or_else(|p| p.into_inner().clone());
    Ok(RunOutcome { dir, status, manifest })
}

fn first_failure(m: &Manifest) -> Option<String> {
    m.steps
        .iter()
        .find(|s| s.state == StepState::Failed)
        .map(|s| format!("{}: {}", s.id, s.message.clone().unwrap_or_default()))
}

/// The scheduling loop. Returns the final state of every step.
async fn schedule(ctx: &Arc<Context>) -> BTreeMap<String, StepState> {
    let mut states: BTreeMap<String, StepState> =
        ctx.plan.steps.iter().map(|s| (s.id.clone(), StepState::Pending)).collect();
    let mut started: BTreeMap<String, (Instant, Option<Duration>)> = BTreeMap::new();
    let mut running: JoinSet<(String, Result<Option<String>, String>)> = JoinSet::new();
    loop {
        let mut progressed = true;
        while progressed {
            progressed = false;
            for step in ctx.plan.steps.iter() {
                if states[&step.id] != StepState::Pending {
                    continue;
                }
                let needs: Vec<StepState> =
                    step.needs.iter().map(|n| states.get(n).copied().unwrap_or(StepState::Succeeded)).collect();
                if needs.iter().any(|s| matches!(s, StepState::Pending | StepState::Running)) {
                    continue;
                }
                progressed = true;
                let blocked = step.needs.iter().zip(&needs).find(|(_, s)| **s != StepState::Succeeded);
                let skip = match (step.always, blocked, ctx.stop.is_stopped()) {
                    (false, Some((need, state)), _) => {
                        Some((StepState::Skipped, format!("not run: `{need}` {}", describe(*state))))
                    }
                    (false, None, true) => {
                        Some((StepState::Interrupted, "not run: the run was interrupted".to_string()))
                    }
                    _ => None,
                };
                if let Some((state, message)) = skip {
                    states.insert(step.id.clone(), state);
                    finish(ctx, step, state, Duration::ZERO, None, Some(message));
                    continue;
                }
                states.insert(step.id.clone(), StepState::Running);
                started.insert(step.id.clone(), (Instant::now(), process_cpu_time()));
                ctx.update(|m| {
                    if let Some(s) = m.step_mut(&step.id) {
                        s.state = StepState::Running;
                        s.started_at = Some(run_dir::timestamp(SystemTime::now()));
                    }
                });
                ctx.events.emit(Event::StepStarted { id: step.id.clone() });
                let (ctx, step) = (ctx.clone(), step.clone());
                running.spawn(async move {
                    let id = step.id.clone();
                    (id, run_step(&ctx, &step).await)
                });
            }
        }
        let Some(joined) = running.join_next().await else { break };
        let (id, result) = match joined {
            Ok(done) => done,
            Err(e) => {
                // A step task panicked: find which one is still marked running and fail it.
                let id = states
                    .iter()
                    .find(|(_, s)| **s == StepState::Running)
                    .map(|(id, _)| id.clone())
                    .unwrap_or_default();
                (id, Err(format!("internal error: {e}")))
            }
        };
        let (elapsed, cpu) = match started.get(&id) {
            Some((at, cpu)) => (at.elapsed(), cpu.zip(process_cpu_time()).map(|(from, to)| to.saturating_sub(from))),
            None => (Duration::ZERO, None),
        };
        let (state, message) = match result {
            Ok(m) => (
                if ctx.stop.is_stopped() && is_interruptible(&ctx.plan, &id) {
                    StepState::Interrupted
                } else {
                    StepState::Succeeded
                },
                m,
            ),
            Err(m) => (StepState::Failed, Some(m)),
        };
        states.insert(id.clone(), state);
        if let Some(step) = ctx.plan.step(&id) {
            finish(ctx, step, state, elapsed, cpu, message);
        }
    }
    states
}

fn is_interruptible(plan: &Plan, id: &str) -> bool {
    plan.step(id)
        .is_some_and(|s| matches!(s.kind, StepKind::Attack { .. } | StepKind::Health { .. } | StepKind::Wait { .. }))
}

fn describe(state: StepState) -> &'static str {
    match state {
        StepState::Failed => "failed",
        StepState::Skipped => "was skipped",
        StepState::Interrupted => "was interrupted",
        _ => "did not succeed",
    }
}

fn finish(
    ctx: &Context,
    step: &Step,
    state: StepState,
    elapsed: Duration,
    cpu: Option<Duration>,
    message: Option<String>,
) {
    ctx.update(|m| {
        if let Some(s) = m.step_mut(&step.id) {
            s.state = state;
            s.ended_at = Some(run_dir::timestamp(SystemTime::now()));
            s.elapsed_ms = Some(elapsed.as_millis() as u64);
            s.cpu_ms = cpu.map(|c| c.as_millis() as u64);
            s.message = message.clone();
        }
    });
    ctx.events.emit(Event::StepFinished { id: step.id.clone(), state, elapsed, message });
}

/// Runs one step. `Ok(note)` on success, `Err(reason)` on failure.
async fn run_step(ctx: &Arc<Context>, step: &Step) -> Result<Option<String>, String> {
    match &step.kind {
        StepKind::Deploy { function, node } => setup_steps::deploy(ctx, &step.id, function, node, false).await,
        StepKind::Teardown { function, node } => setup_steps::deploy(ctx, &step.id, function, node, true).await,
        StepKind::Wait { duration } => setup_steps::wait(ctx, *duration).await,
        StepKind::Health { node } => setup_steps::health(ctx, node).await,
        StepKind::Attack { attack, .. } => attack_step::run(ctx, step, attack).await,
        StepKind::AttackReport { attack } => wrapup_steps::attack_report(ctx, attack).await,
        StepKind::Merge => wrapup_steps::merge(ctx).await,
        StepKind::MergedReport => wrapup_steps::merged_report(ctx).await,
        StepKind::Expect { .. } => wrapup_steps::expect(ctx).await,
        StepKind::Notify { .. } => wrapup_steps::notify(ctx, &step.id).await,
    }
}
