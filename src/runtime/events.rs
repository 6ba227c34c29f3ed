//! What a run reports while it runs: step transitions, gate and deploy tries, attack progress.
//! The library emits events; the CLI decides how (or whether) to print them.

use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StepStarted { id: String },
    StepFinished { id: String, state: StepState, elapsed: Duration, message: Option<String> },
    GateTry { node: String, attempt: u32, ok: bool, detail: String },
    DeployTry { step: String, attempt: u32, ok: bool, detail: String },
    AttackProgress(AttackProgress),
    Interrupted { second: bool },
}

/// A snapshot of a running attack, emitted a few times a second.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackProgress {
    pub attack: String,
    pub elapsed: Duration,
    pub duration: Duration,
    pub sent: u64,
    pub planned: Option<u64>,
    pub in_flight: u64,
    pub completed: u64,
    pub successes: u64,
    /// Current request rate over the last interval, per second.
    pub rate: f64,
    pub p99: Option<Duration>,
}

/// The final state of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Pending,
    Running,
    Succeeded,
    Failed,
    /// Not run: a step it needs failed or was skipped, or the run was interrupted before it.
    Skipped,
    Interrupted,
}

type Listener = Arc<dyn Fn(Event) + Send + Sync>;

/// Where events go. Cloning is cheap; `Events::none()` drops them.
#[derive(Clone, Default)]
pub struct Events(Option<Listener>);

impl Events {
    pub fn new(listener: impl Fn(Event) + Send + Sync + 'static) -> Self {
        Events(Some(Arc::new(listener)))
    }

    pub fn none() -> Self {
        Events(None)
    }

    pub fn emit(&self, event: Event) {
        if let Some(listener) = &self.0 {
            listener(event);
        }
    }
}
