//! The plan's vocabulary: a `Plan` is a list of `Step`s, each with its kind, the steps it needs,
//! whether it runs whatever happened before it, its time window and its planned request count.

use crate::model::serialize_duration;
use crate::model::units::format_duration;
use crate::model::Stage;
use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// A whole plan. Deterministic: the same scenario always gives the same plan, byte for byte.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub scenario: String,
    pub source_hash: String,
    /// When the load phase starts (every gate passed), from the start of the run.
    pub load_start: Bounds,
    pub steps: Vec<Step>,
    pub totals: Totals,
}

impl Plan {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub attacks: usize,
    /// Requests planned by open-model attacks (exact).
    pub expected_requests: u64,
    /// Attacks whose request count depends on the server (closed model).
    pub closed_attacks: usize,
    /// From the load start to the end of the last attack.
    #[serde(serialize_with = "serialize_duration")]
    pub load_duration: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Stable identifier: `attack:spike`, `health:edge`, `deploy:figlet@edge`, `merge`, ...
    pub id: String,
    #[serde(flatten)]
    pub kind: StepKind,
    /// Steps that must have finished before this one starts.
    pub needs: Vec<String>,
    /// Runs once its needs have finished, whatever their outcome (reports, notify, teardown).
    pub always: bool,
    pub window: Window,
    /// Exact request count for open-model attacks.
    pub expected_requests: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    Deploy {
        function: String,
        node: String,
    },
    Wait {
        #[serde(serialize_with = "serialize_duration")]
        duration: Duration,
    },
    Health {
        node: String,
    },
    Attack {
        attack: String,
        nodes: Vec<String>,
        load: String,
        /// The open model's rate profile, stage by stage (empty for the closed model): what
        /// reports draw as the planned rate.
        stages: Vec<Stage>,
    },
    AttackReport {
        attack: String,
    },
    Merge,
    MergedReport,
    Expect {
        count: usize,
    },
    Notify {
        target: String,
    },
    Teardown {
        function: String,
        node: String,
    },
}

impl StepKind {
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Deploy { .. } => "deploy",
            StepKind::Wait { .. } => "wait",
            StepKind::Health { .. } => "health",
            StepKind::Attack { .. } => "attack",
            StepKind::AttackReport { .. } => "report",
            StepKind::Merge => "merge",
            StepKind::MergedReport => "report",
            StepKind::Expect { .. } => "expect",
            StepKind::Notify { .. } => "notify",
            StepKind::Teardown { .. } => "teardown",
        }
    }
}

/// What a time is measured from: the start of the run, or the start of the load phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Anchor {
    Run,
    Load,
}

/// A time known within bounds: `earliest ≤ t ≤ latest` (equal when exact; `latest` may be open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bounds {
    #[serde(serialize_with = "serialize_duration")]
    pub earliest: Duration,
    #[serde(serialize_with = "crate::model::serialize_opt_duration")]
    pub latest: Option<Duration>,
}

impl Bounds {
    pub fn exact(at: Duration) -> Self {
        Bounds { earliest: at, latest: Some(at) }
    }

    pub fn between(earliest: Duration, latest: Duration) -> Self {
        Bounds { earliest, latest: Some(latest) }
    }

    pub fn after(earliest: Duration) -> Self {
        Bounds { earliest, latest: None }
    }

    pub fn is_exact(&self) -> bool {
        self.latest == Some(self.earliest)
    }
}

/// When a step starts and ends, from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub anchor: Anchor,
    pub start: Bounds,
    pub end: Bounds,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let anchor = match self.anchor {
            Anchor::Run => "run",
            Anchor::Load => "load",
        };
        let show = |b: &Bounds| match b.latest {
            Some(l) if l == b.earliest => format!("{anchor}+{}", format_duration(b.earliest)),
            Some(l) => format!("{anchor}+{}..{}", format_duration(b.earliest), format_duration(l)),
            None => format!("≥ {anchor}+{}", format_duration(b.earliest)),
        };
        write!(f, "{} → {}", show(&self.start), show(&self.end))
    }
}
