//! Evaluating `expect` lines against a run's metrics. Each expectation gets its measured value
//! and a verdict; any failure makes the run's exit code 1. Saved as `expectations.json`.

use super::metrics::Metrics;
use crate::model::units::format_duration;
use crate::model::{Expectation, Metric, Threshold};
use crate::parser::ast::CmpOp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The line as written (`p99(spike) < 250ms`).
    pub expectation: String,
    pub passed: bool,
    /// The measured value, in the threshold's unit (`212.4ms`, `99.87%`, `398.2/s`, `12`).
    pub measured: String,
    /// Why it could not be measured, when it could not (counts as a failure).
    pub problem: Option<String>,
}

/// What an attack was planned to do, for relative rates.
#[derive(Debug, Clone, Copy)]
pub struct Planned {
    pub requests: Option<u64>,
    pub duration: Duration,
}

/// Evaluates every expectation. `attacks` maps attack names to their metrics and plans; `all`
/// is the combination over every attack, planned over the whole load phase.
pub fn evaluate(
    expectations: &[Expectation],
    attacks: &BTreeMap<String, (Metrics, Planned)>,
    all: &(Metrics, Planned),
) -> Vec<Verdict> {
    expectations
        .iter()
        .map(|e| {
            let target = match &e.target {
                None => Some(all),
                Some(name) => attacks.get(name),
            };
            match target {
                None => Verdict {
                    expectation: e.text.clone(),
                    passed: false,
                    measured: "-".into(),
                    problem: Some(format!(
                        "attack `{}` has no results (it did not run)",
                        e.target.as_deref().unwrap_or("all")
                    )),
                },
                Some((metrics, planned)) => judge(e, metrics, planned),
            }
        })
        .collect()
}

fn judge(e: &Expectation, m: &Metrics, planned: &Planned) -> Verdict {
    let fail = |problem: String| Verdict {
        expectation: e.text.clone(),
        passed: false,
        measured: "-".into(),
        problem: Some(problem),
    };
    let s = &m.summary;
    let per_second = |n: u64| if planned.duration.is_zero() { 0.0 } else { n as f64 / planned.duration.as_secs_f64() };
    // (measured value as f64 in the threshold's unit, how to show it, threshold as f64)
    let (value, shown, limit) = match (e.metric, e.threshold) {
        (Metric::Percentile(_) | Metric::Mean | Metric::Min | Metric::Max, Threshold::Duration(t)) => {
            if s.latency.count == 0 {
                return fail("no request got a response, so there is no latency".into());
            }
            let d = match e.metric {
                Metric::Percentile(q) => m.latency.quantile(q / 100.0),
                Metric::Mean => Duration::from_nanos(s.latency.mean_ns),
                Metric::Min => Duration::from_nanos(s.latency.min_ns),
                _ => Duration::from_nanos(s.latency.max_ns),
            };
            (d.as_nanos() as f64, show_duration(d), t.as_nanos() as f64)
        }
        (Metric::Success, Threshold::Percent(p)) | (Metric::Errors, Threshold::Percent(p)) => {
            if s.requests == 0 {
                return fail("no request was made".into());
            }
            let count = if e.metric == Metric::Success { s.successes } else { s.errors };
            let ratio = count as f64 / s.requests as f64;
            (ratio * 1e6, format!("{:.2}%", ratio * 100.0), p.ppm() as f64)
        }
        (Metric::Errors, Threshold::Count(n)) => (s.errors as f64, s.errors.to_string(), n as f64),
        (Metric::Requests, Threshold::Count(n)) => (s.requests as f64, s.requests.to_string(), n as f64),
        (Metric::Rate | Metric::Throughput, Threshold::Rate(r)) => {
            let n = if e.metric == Metric::Rate { m.sent() } else { s.successes };
            let rate = per_second(n);
            (rate, format!("{rate:.1}/s"), r.as_per_second_f64())
        }
        (Metric::Rate | Metric::Throughput, Threshold::Percent(p)) => {
            let Some(expected) = planned.requests.filter(|n| *n > 0) else {
                return fail("nothing was planned to compare with (closed model)".into());
            };
            let n = if e.metric == Metric::Rate { m.sent() } else { s.successes };
            let ratio = n as f64 / expected as f64;
            (ratio * 1e6, format!("{:.2}% of {expected} planned", ratio * 100.0), p.ppm() as f64)
        }
        _ => return fail("this metric cannot be compared with this kind of value".into()),
    };
    Verdict { expectation: e.text.clone(), passed: holds(e.op, value, limit), measured: shown, problem: None }
}

fn holds(op: CmpOp, value: f64, limit: f64) -> bool {
    match op {
        CmpOp::Lt => value < limit,
        CmpOp::Le => value <= limit,
        CmpOp::Gt => value > limit,
        CmpOp::Ge => value >= limit,
        CmpOp::Eq => value == limit,
        CmpOp::Ne => value != limit,
    }
}

/// Durations with sensible precision: `212.4ms`, `1.53s`, `850µs`.
pub fn show_duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e9 {
        format!("{:.2}s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.1}ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.0}µs", ns / 1e3)
    } else {
        format_duration(d)
    }
}
