//! Evaluating `expect` lines against a run's metrics. Each expectation gets its measured value
//! and a verdict; any failure makes the run's exit code 1. Saved as `expectations.json`.

use super::metrics::Metrics;
use crate::model::units::{format_duration, MILLI_PER_HOUR_PER_SECOND};
use crate::model::{Expectation, Metric, Threshold};
use crate::parser::ast::CmpOp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
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
    // The measured value and the limit as exact fractions (numerator, denominator), compared
    // by cross-multiplying: `success == 95%` holds for 95 of 100, whatever floats would say.
    let (value, shown, limit): ((u128, u128), String, (u128, u128)) = match (e.metric, e.threshold) {
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
            ((d.as_nanos(), 1), show_duration(d), (t.as_nanos(), 1))
        }
        (Metric::Success, Threshold::Percent(p)) | (Metric::Errors, Threshold::Percent(p)) => {
            if s.requests == 0 {
                return fail("no request was made".into());
            }
            let count = if e.metric == Metric::Success { s.successes } else { s.errors };
            let shown = format!("{:.2}%", 100.0 * count as f64 / s.requests as f64);
            ((u128::from(count), u128::from(s.requests)), shown, (u128::from(p.ppm()), PPM))
        }
        (Metric::Errors, Threshold::Count(n)) => ((s.errors.into(), 1), s.errors.to_string(), (n.into(), 1)),
        (Metric::Requests, Threshold::Count(n)) => ((s.requests.into(), 1), s.requests.to_string(), (n.into(), 1)),
        (Metric::Rate | Metric::Throughput, Threshold::Rate(r)) => {
            if planned.duration.is_zero() {
                return fail("the attack had no planned duration to measure a rate over".into());
            }
            let n = if e.metric == Metric::Rate { m.sent() } else { s.successes };
            let rate = n as f64 / planned.duration.as_secs_f64();
            // n / seconds, in thousandths of a request per hour (the unit of `Rate`).
            let value =
                (u128::from(n) * u128::from(MILLI_PER_HOUR_PER_SECOND) * 1_000_000_000, planned.duration.as_nanos());
            (value, format!("{rate:.1}/s"), (u128::from(r.milli_per_hour()), 1))
        }
        (Metric::Rate | Metric::Throughput, Threshold::Percent(p)) => {
            let Some(expected) = planned.requests.filter(|n| *n > 0) else {
                return fail("nothing was planned to compare with (closed model)".into());
            };
            let n = if e.metric == Metric::Rate { m.sent() } else { s.successes };
            let shown = format!("{:.2}% of {expected} planned", 100.0 * n as f64 / expected as f64);
            ((u128::from(n), u128::from(expected)), shown, (u128::from(p.ppm()), PPM))
        }
        _ => return fail("this metric cannot be compared with this kind of value".into()),
    };
    let ordering = (value.0 * limit.1).cmp(&(limit.0 * value.1));
    Verdict { expectation: e.text.clone(), passed: holds(e.op, ordering), measured: shown, problem: None }
}

/// Parts per million in one.
const PPM: u128 = 1_000_000;

fn holds(op: CmpOp, ordering: Ordering) -> bool {
    match op {
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
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
