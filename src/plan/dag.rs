//! Scenario → Plan: the DAG of steps (deploy → wait → health → attacks → per-attack reports →
//! merge → merged report → expect → notify → teardown) with each step's time window.

use super::schedule::{attack_offsets, setup_windows};
use super::step::*;
use crate::model::units::format_duration;
use crate::model::{Attack, Load, Scenario};
use std::time::Duration;

/// Builds the plan. The scenario is already checked (names resolve, `after` is acyclic).
pub fn plan(scenario: &Scenario) -> Plan {
    let mut steps: Vec<Step> = Vec::new();
    let setup = setup_windows(scenario);

    let deploy_ids: Vec<String> =
        scenario.deployments.iter().map(|d| format!("deploy:{}@{}", d.function, d.node)).collect();
    for (d, id) in scenario.deployments.iter().zip(&deploy_ids) {
        steps.push(Step {
            id: id.clone(),
            kind: StepKind::Deploy { function: d.function.clone(), node: d.node.clone() },
            needs: Vec::new(),
            always: false,
            window: Window {
                anchor: Anchor::Run,
                start: Bounds::exact(Duration::ZERO),
                end: Bounds::between(Duration::ZERO, d.max_duration()),
            },
            expected_requests: None,
        });
    }

    let mut before_gates = deploy_ids.clone();
    if let (Some(duration), Some(window)) = (scenario.wait, setup.wait) {
        steps.push(Step {
            id: "wait".into(),
            kind: StepKind::Wait { duration },
            needs: deploy_ids.clone(),
            always: false,
            window,
            expected_requests: None,
        });
        before_gates = vec!["wait".into()];
    }

    let gate_ids: Vec<String> = scenario.gates.iter().map(|g| format!("health:{}", g.node)).collect();
    for ((gate, id), window) in scenario.gates.iter().zip(&gate_ids).zip(&setup.gates) {
        steps.push(Step {
            id: id.clone(),
            kind: StepKind::Health { node: gate.node.clone() },
            needs: before_gates.clone(),
            always: false,
            window: *window,
            expected_requests: None,
        });
    }
    let before_load = if gate_ids.is_empty() { before_gates } else { gate_ids };

    let offsets = attack_offsets(scenario);
    let attack_id = |name: &str| format!("attack:{name}");
    for (attack, start) in &offsets {
        let mut needs = before_load.clone();
        needs.extend(attack.after.iter().map(|a| attack_id(a)));
        steps.push(Step {
            id: attack_id(&attack.name),
            kind: StepKind::Attack {
                attack: attack.name.clone(),
                nodes: attack.nodes.clone(),
                load: describe_load(attack),
                stages: match &attack.load {
                    Load::Open { profile } => profile.stages.clone(),
                    Load::Closed { .. } => Vec::new(),
                },
            },
            needs,
            always: false,
            window: Window {
                anchor: Anchor::Load,
                start: Bounds::exact(*start),
                end: Bounds::exact(*start + attack.duration()),
            },
            expected_requests: attack.expected_requests(),
        });
    }
    let load_end = offsets.iter().map(|(a, s)| *s + a.duration()).max().unwrap_or(Duration::ZERO);

    let mut report_ids = Vec::new();
    for (attack, start) in &offsets {
        let id = format!("report:{}", attack.name);
        let end = *start + attack.duration();
        steps.push(Step {
            id: id.clone(),
            kind: StepKind::AttackReport { attack: attack.name.clone() },
            needs: vec![attack_id(&attack.name)],
            always: true,
            window: Window { anchor: Anchor::Load, start: Bounds::after(end), end: Bounds::after(end) },
            expected_requests: None,
        });
        report_ids.push(id);
    }

    let after_load = Window { anchor: Anchor::Load, start: Bounds::after(load_end), end: Bounds::after(load_end) };
    let mut last: Vec<String> = before_load_or(&steps);
    if !offsets.is_empty() {
        let attack_ids: Vec<String> = offsets.iter().map(|(a, _)| attack_id(&a.name)).collect();
        steps.push(Step {
            id: "merge".into(),
            kind: StepKind::Merge,
            needs: attack_ids,
            always: true,
            window: after_load,
            expected_requests: None,
        });
        steps.push(Step {
            id: "report:merged".into(),
            kind: StepKind::MergedReport,
            // The run's reports embed every attack's plots: they wait for the attacks' reports.
            needs: ["merge".to_string()].into_iter().chain(report_ids.iter().cloned()).collect(),
            always: true,
            window: after_load,
            expected_requests: None,
        });
        last = vec!["report:merged".into()];
        if !scenario.expectations.is_empty() {
            steps.push(Step {
                id: "expect".into(),
                kind: StepKind::Expect { count: scenario.expectations.len() },
                needs: vec!["report:merged".into()],
                always: true,
                window: after_load,
                expected_requests: None,
            });
            last = vec!["expect".into()];
        }
    }
    let mut notify_ids = Vec::new();
    for (i, n) in scenario.notifications.iter().enumerate() {
        let id = format!("notify:{}", i + 1);
        let mut needs = last.clone();
        needs.extend(report_ids.iter().cloned());
        let target = match (n.url.host_str(), n.url.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}", n.url.scheme()),
            (Some(h), None) => format!("{}://{h}", n.url.scheme()),
            _ => n.url.scheme().to_string(),
        };
        steps.push(Step {
            id: id.clone(),
            kind: StepKind::Notify { target },
            needs,
            always: true,
            window: after_load,
            expected_requests: None,
        });
        notify_ids.push(id);
    }
    if !notify_ids.is_empty() {
        last = notify_ids;
    }
    for t in &scenario.teardowns {
        let window = if offsets.is_empty() {
            Window { anchor: Anchor::Run, start: Bounds::after(Duration::ZERO), end: Bounds::after(Duration::ZERO) }
        } else {
            after_load
        };
        steps.push(Step {
            id: format!("teardown:{}@{}", t.function, t.node),
            kind: StepKind::Teardown { function: t.function.clone(), node: t.node.clone() },
            needs: last.clone(),
            always: true,
            window,
            expected_requests: None,
        });
    }

    let attacks = &scenario.attacks;
    Plan {
        scenario: scenario.name.clone(),
        source_hash: scenario.source_hash.clone(),
        load_start: setup.load_start,
        totals: Totals {
            attacks: attacks.len(),
            expected_requests: attacks.iter().filter_map(Attack::expected_requests).sum(),
            closed_attacks: attacks.iter().filter(|a| a.expected_requests().is_none()).count(),
            load_duration: load_end,
        },
        steps,
    }
}

/// The last setup steps, for a scenario without attacks (teardown then follows them).
fn before_load_or(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Health { .. } | StepKind::Wait { .. } | StepKind::Deploy { .. }))
        .map(|s| s.id.clone())
        .collect()
}

/// "open: ramp 10/s → 400/s over 20s, hold 400/s for 1m" or "closed: 10 workers for 30s".
fn describe_load(attack: &Attack) -> String {
    match &attack.load {
        Load::Open { profile } => {
            let stages: Vec<String> = profile
                .stages
                .iter()
                .map(|s| {
                    if s.is_hold() {
                        format!("hold {} for {}", s.from, format_duration(s.duration))
                    } else {
                        format!("ramp {} -> {} over {}", s.from, s.to, format_duration(s.duration))
                    }
                })
                .collect();
            format!("open: {}", stages.join(", "))
        }
        Load::Closed { workers, duration } => format!("closed: {workers} workers for {}", format_duration(*duration)),
    }
}
