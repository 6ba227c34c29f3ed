//! Two plans (with their scenarios) → what changed, for review: attacks added, removed or changed
//! (rate profile, duration, start window, request counts), health gates, setup steps, expectations, totals.

use super::step::{Bounds, Plan, Step, StepKind};
use crate::model::units::format_duration;
use crate::model::{Attack, Expectation, HealthGate, RequestSource, Scenario, Threshold};
use serde::Serialize;
use std::collections::BTreeSet;

/// One side of a diff: a checked scenario and its plan.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub scenario: &'a Scenario,
    pub plan: &'a Plan,
}

/// Everything that differs between two plans, in a stable order. Empty when they plan the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    pub changes: Vec<Change>,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// One thing added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// What it is about: `attack spike`, `health edge`, `step deploy:figlet@edge`, `expect p99(spike)`,
    /// `totals`, `scenario`.
    pub subject: String,
    /// For an added or removed thing: what it is, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// For a changed thing: each field that differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
    /// For counts: the difference (`+1500, +100%`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<String>,
}

/// Collects field changes of one subject.
struct Fields(Vec<FieldChange>);

impl Fields {
    fn compare(&mut self, field: &str, before: impl ToString, after: impl ToString) {
        let (before, after) = (before.to_string(), after.to_string());
        if before != after {
            self.0.push(FieldChange { field: field.to_string(), before, after, delta: None });
        }
    }

    /// A count, with the difference when it changed.
    fn compare_count(&mut self, field: &str, before: u64, after: u64) {
        if before != after {
            let (b, a, delta) = (before.to_string(), after.to_string(), Some(delta(before, after)));
            self.0.push(FieldChange { field: field.to_string(), before: b, after: a, delta });
        }
    }

    fn into_change(self, subject: String) -> Option<Change> {
        (!self.0.is_empty()).then_some(Change { kind: ChangeKind::Changed, subject, summary: None, fields: self.0 })
    }
}

fn added(subject: String, summary: String) -> Change {
    Change { kind: ChangeKind::Added, subject, summary: Some(summary), fields: Vec::new() }
}

fn removed(subject: String, summary: String) -> Change {
    Change { kind: ChangeKind::Removed, subject, summary: Some(summary), fields: Vec::new() }
}

/// What changed from `before` to `after`.
pub fn diff(before: Side, after: Side) -> PlanDiff {
    let mut changes = Vec::new();
    let mut scenario = Fields(Vec::new());
    scenario.compare("name", &before.scenario.name, &after.scenario.name);
    scenario.compare(
        "load starts",
        show_bounds("run", before.plan.load_start),
        show_bounds("run", after.plan.load_start),
    );
    scenario.compare("wait", show_opt_duration(before.scenario.wait), show_opt_duration(after.scenario.wait));
    changes.extend(scenario.into_change("scenario".into()));
    setup_steps(before, after, &mut changes);
    keyed(&before.scenario.gates, &after.scenario.gates, (before, after), &mut changes);
    keyed(&before.scenario.attacks, &after.scenario.attacks, (before, after), &mut changes);
    expectations(&before.scenario.expectations, &after.scenario.expectations, &mut changes);
    let (b, a) = (&before.plan.totals, &after.plan.totals);
    let mut totals = Fields(Vec::new());
    totals.compare("attacks", b.attacks, a.attacks);
    totals.compare_count("requests planned", b.expected_requests, a.expected_requests);
    totals.compare("closed-model attacks", b.closed_attacks, a.closed_attacks);
    totals.compare("load duration", format_duration(b.load_duration), format_duration(a.load_duration));
    changes.extend(totals.into_change("totals".into()));
    PlanDiff { changes }
}

/// Health gates and attacks: matched by name (node, attack) and compared field by field.
trait Compared {
    fn key(&self) -> &str;
    fn subject(&self) -> String;
    fn summary(&self, side: Side) -> String;
    fn fields(before: &Self, after: &Self, sides: (Side, Side), fields: &mut Fields);
}

/// Changed and added things in the order of `after`, then removed ones in the order of `before`.
fn keyed<T: Compared>(before: &[T], after: &[T], sides: (Side, Side), changes: &mut Vec<Change>) {
    for item in after {
        match before.iter().find(|b| b.key() == item.key()) {
            Some(old) => {
                let mut fields = Fields(Vec::new());
                T::fields(old, item, sides, &mut fields);
                changes.extend(fields.into_change(item.subject()));
            }
            None => changes.push(added(item.subject(), item.summary(sides.1))),
        }
    }
    for item in before.iter().filter(|b| !after.iter().any(|a| a.key() == b.key())) {
        changes.push(removed(item.subject(), item.summary(sides.0)));
    }
}

/// Deploy, notify and teardown steps, by id (gates and attacks are compared field by field).
fn setup_steps(before: Side, after: Side, changes: &mut Vec<Change>) {
    let other =
        |s: &&Step| matches!(s.kind, StepKind::Deploy { .. } | StepKind::Notify { .. } | StepKind::Teardown { .. });
    let old: Vec<&Step> = before.plan.steps.iter().filter(other).collect();
    let new: Vec<&Step> = after.plan.steps.iter().filter(other).collect();
    let describe = |s: &Step| match &s.kind {
        StepKind::Notify { target } => format!("webhook {target}; {}", s.window),
        _ => s.window.to_string(),
    };
    for step in &new {
        match old.iter().find(|o| o.id == step.id) {
            Some(o) => {
                let mut f = Fields(Vec::new());
                if let (StepKind::Notify { target: t0 }, StepKind::Notify { target: t1 }) = (&o.kind, &step.kind) {
                    f.compare("webhook", t0, t1);
                }
                f.compare("window", o.window, step.window);
                changes.extend(f.into_change(format!("step {}", step.id)));
            }
            None => changes.push(added(format!("step {}", step.id), describe(step))),
        }
    }
    for step in old.iter().filter(|o| !new.iter().any(|n| n.id == o.id)) {
        changes.push(removed(format!("step {}", step.id), describe(step)));
    }
}

impl Compared for HealthGate {
    fn key(&self) -> &str {
        &self.node
    }

    fn subject(&self) -> String {
        format!("health {}", self.node)
    }

    fn summary(&self, side: Side) -> String {
        format!(
            "{} {}, expect status {}, every {}, within {}; {}",
            self.method,
            self.path,
            self.expect_status,
            format_duration(self.every),
            format_duration(self.within),
            window(side, &format!("health:{}", self.node))
        )
    }

    fn fields(b: &Self, a: &Self, (before, after): (Side, Side), f: &mut Fields) {
        f.compare("request", format!("{} {}", b.method, b.path), format!("{} {}", a.method, a.path));
        f.compare("expect status", &b.expect_status, &a.expect_status);
        let body = |g: &HealthGate| g.expect_body.as_ref().map(json).unwrap_or_else(|| "-".into());
        f.compare("expect body", body(b), body(a));
        f.compare("expect json", json(&b.expect_json), json(&a.expect_json));
        f.compare("every", format_duration(b.every), format_duration(a.every));
        f.compare("within", format_duration(b.within), format_duration(a.within));
        f.compare("consecutive", b.consecutive, a.consecutive);
        f.compare("tries", show_opt(b.tries), show_opt(a.tries));
        f.compare("timeout", format_duration(b.timeout), format_duration(a.timeout));
        let id = format!("health:{}", a.node);
        f.compare("window", window(before, &id), window(after, &id));
    }
}

impl Compared for Attack {
    fn key(&self) -> &str {
        &self.name
    }

    fn subject(&self) -> String {
        format!("attack {}", self.name)
    }

    fn summary(&self, side: Side) -> String {
        let id = format!("attack:{}", self.name);
        let mut parts = Vec::new();
        if !self.nodes.is_empty() {
            parts.push(format!("on {}", self.nodes.join(", ")));
        }
        if let Some(n) = self.expected_requests() {
            parts.push(format!("{n} requests"));
        }
        parts.push(load(side, &id));
        parts.push(window(side, &id));
        parts.join("; ")
    }

    fn fields(b: &Self, a: &Self, (before, after): (Side, Side), f: &mut Fields) {
        let id = format!("attack:{}", a.name);
        f.compare("nodes", list(&b.nodes), list(&a.nodes));
        f.compare("after", list(&b.after), list(&a.after));
        f.compare("delay", format_duration(b.delay), format_duration(a.delay));
        f.compare("rate profile", load(before, &id), load(after, &id));
        f.compare("duration", format_duration(b.duration()), format_duration(a.duration()));
        f.compare("window", window(before, &id), window(after, &id));
        match (b.expected_requests(), a.expected_requests()) {
            (Some(x), Some(y)) => f.compare_count("expected requests", x, y),
            (x, y) => f.compare("expected requests", show_opt(x), show_opt(y)),
        }
        f.compare("request", request(&b.request), request(&a.request));
        f.compare("success", &b.success, &a.success);
        f.compare("max-in-flight", b.max_in_flight, a.max_in_flight);
        f.compare("timeout", format_duration(b.timeout), format_duration(a.timeout));
        f.compare("connections", show_opt(b.connections), show_opt(a.connections));
        f.compare("keep-alive", on_off(b.keep_alive), on_off(a.keep_alive));
        f.compare("http2", on_off(b.http2), on_off(a.http2));
        f.compare("insecure", on_off(b.insecure), on_off(a.insecure));
    }
}

/// Expectations: the same line on both sides is unchanged; a metric whose only threshold changed
/// is one change; the rest are added or removed.
fn expectations(before: &[Expectation], after: &[Expectation], changes: &mut Vec<Change>) {
    let shown = |e: &Expectation| format!("{} {} {}", metric_call(e), e.op.as_str(), threshold(&e.threshold));
    let old: BTreeSet<String> = before.iter().map(shown).collect();
    let new: BTreeSet<String> = after.iter().map(shown).collect();
    let gone: Vec<&Expectation> = before.iter().filter(|e| !new.contains(&shown(e))).collect();
    let came: Vec<&Expectation> = after.iter().filter(|e| !old.contains(&shown(e))).collect();
    let unique = |list: &[&Expectation], call: &str| list.iter().filter(|e| metric_call(e) == call).count() == 1;
    let mut paired = BTreeSet::new();
    for e in &came {
        let call = metric_call(e);
        let pair =
            gone.iter().find(|g| metric_call(g) == call).filter(|_| unique(&gone, &call) && unique(&came, &call));
        match pair {
            Some(g) => {
                paired.insert(call.clone());
                changes.push(Change {
                    kind: ChangeKind::Changed,
                    subject: format!("expect {call}"),
                    summary: None,
                    fields: vec![FieldChange {
                        field: "threshold".into(),
                        before: format!("{} {}", g.op.as_str(), threshold(&g.threshold)),
                        after: format!("{} {}", e.op.as_str(), threshold(&e.threshold)),
                        delta: None,
                    }],
                });
            }
            None => changes.push(added(format!("expect {call}"), shown(e))),
        }
    }
    for g in gone.iter().filter(|g| !paired.contains(&metric_call(g))) {
        changes.push(removed(format!("expect {}", metric_call(g)), shown(g)));
    }
}

/// `p99(spike)`, `success(all)`.
fn metric_call(e: &Expectation) -> String {
    format!("{}({})", e.metric.name(), e.target.as_deref().unwrap_or("all"))
}

fn threshold(t: &Threshold) -> String {
    match t {
        Threshold::Duration(d) => format_duration(*d),
        Threshold::Percent(p) => p.to_string(),
        Threshold::Count(n) => n.to_string(),
        Threshold::Rate(r) => r.to_string(),
    }
}

/// The attack step's load description (`open: hold 50/s for 30s`), from the plan.
fn load(side: Side, id: &str) -> String {
    match side.plan.step(id).map(|s| &s.kind) {
        Some(StepKind::Attack { load, .. }) => load.clone(),
        _ => "-".into(),
    }
}

fn window(side: Side, id: &str) -> String {
    side.plan.step(id).map(|s| s.window.to_string()).unwrap_or_else(|| "-".into())
}

fn request(source: &RequestSource) -> String {
    match source {
        RequestSource::Spec(spec) => format!("{} {}", spec.method, spec.target),
        RequestSource::Targets { path } => format!("targets {}", path.display()),
    }
}

/// `+1500, +100%` (the percentage left out when the old count is zero).
fn delta(before: u64, after: u64) -> String {
    let diff = i128::from(after) - i128::from(before);
    let sign = if diff >= 0 { "+" } else { "" };
    if before == 0 {
        return format!("{sign}{diff}");
    }
    let percent = diff as f64 * 100.0 / before as f64;
    format!("{sign}{diff}, {sign}{}%", trim_float(percent))
}

/// A percentage with at most one decimal, without a trailing `.0`.
fn trim_float(value: f64) -> String {
    let s = format!("{value:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn show_bounds(anchor: &str, b: Bounds) -> String {
    match b.latest {
        Some(l) if l == b.earliest => format!("{anchor}+{}", format_duration(l)),
        Some(l) => format!("{anchor}+{}..{}", format_duration(b.earliest), format_duration(l)),
        None => format!("≥ {anchor}+{}", format_duration(b.earliest)),
    }
}

fn show_opt_duration(d: Option<std::time::Duration>) -> String {
    d.map(format_duration).unwrap_or_else(|| "-".into())
}

fn show_opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

fn on_off(value: bool) -> &'static str {
    if value {
        "on"
    } else {
        "off"
    }
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("<{e}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_have_a_sign_and_a_share() {
        assert_eq!(delta(1500, 2400), "+900, +60%");
        assert_eq!(delta(600, 1250), "+650, +108.3%");
        assert_eq!(delta(2400, 1500), "-900, -37.5%");
        assert_eq!(delta(0, 10), "+10");
        assert_eq!(delta(10, 10), "+0, +0%");
    }
}
