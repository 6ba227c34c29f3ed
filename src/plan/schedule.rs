//! Time windows. Setup steps (deploy, wait, gates) take a bounded but variable time, so they get
//! bounds from the run's start; attacks get exact offsets from the load start (every gate passed).

use super::step::{Anchor, Bounds, Window};
use crate::model::{Attack, HealthGate, Scenario};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct SetupWindows {
    pub wait: Option<Window>,
    pub gates: Vec<Window>,
    pub load_start: Bounds,
}

/// The longest a gate can take before it fails.
pub fn gate_deadline(gate: &HealthGate) -> Duration {
    match gate.tries {
        Some(tries) => gate.within.min(gate.every * tries.saturating_sub(1) + gate.timeout),
        None => gate.within,
    }
}

/// The quickest a gate can pass: `consecutive` good answers, `every` apart.
fn gate_minimum(gate: &HealthGate) -> Duration {
    gate.every * gate.consecutive.saturating_sub(1)
}

pub fn setup_windows(scenario: &Scenario) -> SetupWindows {
    let deploy_latest = scenario.deployments.iter().map(|d| d.max_duration()).max().unwrap_or(Duration::ZERO);
    let (mut earliest, mut latest) = (Duration::ZERO, deploy_latest);
    let wait = scenario.wait.map(|w| {
        let window = Window {
            anchor: Anchor::Run,
            start: Bounds::between(earliest, latest),
            end: Bounds::between(earliest + w, latest + w),
        };
        earliest += w;
        latest += w;
        window
    });
    let gates: Vec<Window> = scenario
        .gates
        .iter()
        .map(|g| Window {
            anchor: Anchor::Run,
            start: Bounds::between(earliest, latest),
            end: Bounds::between(earliest + gate_minimum(g), latest + gate_deadline(g)),
        })
        .collect();
    let load_earliest = gates.iter().map(|w| w.end.earliest).max().unwrap_or(earliest);
    let load_latest = gates.iter().filter_map(|w| w.end.latest).max().unwrap_or(latest);
    SetupWindows { wait, gates, load_start: Bounds::between(load_earliest, load_latest) }
}

/// Each attack with its start offset from the load start, in a stable topological order
/// (declaration order among attacks whose `after` are satisfied).
pub fn attack_offsets(scenario: &Scenario) -> Vec<(&Attack, Duration)> {
    let mut start: BTreeMap<&str, Duration> = BTreeMap::new();
    let mut ordered = Vec::new();
    let mut remaining: Vec<&Attack> = scenario.attacks.iter().collect();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|a| a.after.iter().all(|b| start.contains_key(b.as_str())));
        // The checker rejects `after` cycles; if one slipped through, stop rather than loop.
        let Some(i) = ready else { break };
        let attack = remaining.remove(i);
        let base = attack
            .after
            .iter()
            .filter_map(|b| {
                let other = scenario.attack(b)?;
                Some(start[b.as_str()] + other.duration())
            })
            .max()
            .unwrap_or(Duration::ZERO);
        let at = base + attack.delay;
        start.insert(&attack.name, at);
        ordered.push((attack, at));
    }
    ordered
}
