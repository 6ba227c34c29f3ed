//! The report context: every figure of a run as one serializable value. It is `report.json`
//! as is, and what every template (built-in or the user's) is rendered with (`docs/reports.md`).

use super::expect::{Planned, Verdict};
use super::metrics::Metrics;
use super::plot_files::Plot;
use super::run_folder::{AbsentAttack, RunFolder};
use crate::runtime::results::timestamp::format_rfc3339;
use crate::runtime::results::{DurationStats, EarlyStats};
use serde::{Deserialize, Serialize};

/// `format` of `report.json`, and its version (bumped when a field changes meaning or goes away).
pub const REPORT_FORMAT: &str = "dfaas-run/report";
pub const REPORT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportContext {
    pub format: String,
    pub format_version: u32,
    pub tool_version: String,
    pub scenario: String,
    /// `passed`, `expectations_failed`, `failed` or `interrupted` (see `RunFolder::outcome`).
    pub outcome: String,
    pub run: RunInfo,
    /// Attacks with results, in plan order.
    pub attacks: Vec<AttackFigures>,
    /// Attacks of the plan without results, and why.
    pub absent_attacks: Vec<AbsentAttack>,
    /// Every attack combined (named `all`); `null` when no attack has results.
    pub merged: Option<AttackFigures>,
    pub expectations: Expectations,
    /// What was skipped or recounted while reading the run folder.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run folder, as given.
    pub dir: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub load_started_at: Option<String>,
    pub source_hash: String,
    pub sources: Vec<String>,
    /// `--set` overrides, in order.
    pub overrides: Vec<NameValue>,
    /// The nodes and the URL each was reached at.
    pub nodes: Vec<NodeUrl>,
    /// The steps finished when the report was rendered.
    pub steps: Vec<StepInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeUrl {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepInfo {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub elapsed_ms: Option<u64>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expectations {
    /// False when they were not evaluated (none declared, or the run stopped before).
    pub evaluated: bool,
    pub passed: usize,
    pub failed: usize,
    pub verdicts: Vec<Verdict>,
}

/// One attack's figures (or `all`'s). Durations in integer nanoseconds, ratios in 0..=1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttackFigures {
    pub name: String,
    /// The status codes counted as success.
    pub success_rule: String,
    /// True when recounted from `results.json` (no usable `summary.json`).
    pub recounted: bool,
    pub planned: Option<PlannedFigures>,
    pub requests: u64,
    pub sent: u64,
    pub not_sent: u64,
    pub not_sent_in_time: u64,
    pub successes: u64,
    pub errors: u64,
    pub success_ratio: Option<f64>,
    /// Requests per second from the first send to the last (vegeta's rate).
    pub rate_per_s: f64,
    /// Successes per second from the first send to the last response (vegeta's throughput).
    pub throughput_per_s: f64,
    pub start: String,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub duration: Durations,
    pub latency: DurationStats,
    pub lateness: DurationStats,
    /// Requests sent before their scheduled time: `count`, `max_ns`.
    pub early: EarlyStats,
    pub bytes_in: ByteFigures,
    pub bytes_out: ByteFigures,
    pub status_codes: Vec<StatusCount>,
    /// Error kinds with a non-zero count.
    pub errors_by_kind: Vec<KindCount>,
    /// Messages by count, most frequent first.
    pub error_messages: Vec<MessageCount>,
    pub error_messages_not_listed: u64,
    /// Per target node.
    pub nodes: Vec<Split>,
    /// Per recorded response header.
    pub headers: Vec<HeaderSplit>,
    pub plots: Vec<Plot>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PlannedFigures {
    /// `null` for the closed model.
    pub requests: Option<u64>,
    pub duration_ns: u64,
    pub rate_per_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Durations {
    /// `attack_ns + wait_ns`.
    pub total_ns: u64,
    /// First send to last send.
    pub attack_ns: u64,
    /// Last send to the end of its response.
    pub wait_ns: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ByteFigures {
    pub total: u64,
    /// Per request.
    pub mean: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusCount {
    /// 0: no response.
    pub code: u16,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageCount {
    pub message: String,
    pub count: u64,
}

/// The counts of one part of the requests (a node, a header value).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Split {
    pub name: String,
    pub requests: u64,
    pub successes: u64,
    pub errors: u64,
    pub success_ratio: Option<f64>,
    /// This part's share of all the requests.
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeaderSplit {
    pub name: String,
    /// Per value (the first 64 distinct ones), sorted by value.
    pub values: Vec<Split>,
    /// Responses with a value beyond the first 64.
    pub other: Split,
    /// Requests without the header (no response, or not in the response).
    pub absent: Split,
}

impl ReportContext {
    /// The context of a run folder.
    pub fn new(run: &RunFolder) -> ReportContext {
        let m = &run.manifest;
        let attacks = run
            .attacks
            .iter()
            .map(|a| AttackFigures::new(&a.metrics, a.planned, a.recounted, a.plots.clone()))
            .collect();
        let merged = run.merged.as_ref().map(|(metrics, planned)| {
            let recounted = run.attacks.iter().any(|a| a.recounted);
            AttackFigures::new(metrics, *planned, recounted, run.merged_plots.clone())
        });
        let verdicts = run.verdicts.clone().unwrap_or_default();
        let failed = verdicts.iter().filter(|v| !v.passed).count();
        ReportContext {
            format: REPORT_FORMAT.into(),
            format_version: REPORT_FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            scenario: m.scenario.clone(),
            outcome: run.outcome().into(),
            run: RunInfo {
                dir: run.dir.display().to_string(),
                started_at: m.started_at.clone(),
                ended_at: m.ended_at.clone(),
                load_started_at: m.load_started_at.clone(),
                source_hash: m.source_hash.clone(),
                sources: m.sources.clone(),
                overrides: m.overrides.iter().map(|(n, v)| NameValue { name: n.clone(), value: v.clone() }).collect(),
                nodes: m.nodes.iter().map(|(n, u)| NodeUrl { name: n.clone(), url: u.clone() }).collect(),
                steps: m
                    .steps
                    .iter()
                    .filter(|s| s.ended_at.is_some())
                    .map(|s| StepInfo {
                        id: s.id.clone(),
                        kind: s.kind.clone(),
                        state: step_state(s.state).into(),
                        elapsed_ms: s.elapsed_ms,
                        message: s.message.clone(),
                    })
                    .collect(),
            },
            attacks,
            absent_attacks: run.absent.clone(),
            merged,
            expectations: Expectations {
                evaluated: run.verdicts.is_some(),
                passed: verdicts.len() - failed,
                failed,
                verdicts,
            },
            warnings: run.warnings.clone(),
        }
    }
}

fn step_state(s: crate::runtime::events::StepState) -> &'static str {
    use crate::runtime::events::StepState::*;
    match s {
        Pending => "pending",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        Skipped => "skipped",
        Interrupted => "interrupted",
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl AttackFigures {
    pub fn new(m: &Metrics, planned: Option<Planned>, recounted: bool, plots: Vec<Plot>) -> AttackFigures {
        let s = &m.summary;
        let (attack, wait) = (m.attack_span(), m.wait());
        let per_second = |n: u64, d: std::time::Duration| if d.is_zero() { 0.0 } else { n as f64 / d.as_secs_f64() };
        let bytes = |total: u64| ByteFigures {
            total,
            mean: if s.requests == 0 { 0.0 } else { total as f64 / s.requests as f64 },
        };
        let split = |name: &str, requests: u64, successes: u64| Split {
            name: name.to_string(),
            requests,
            successes,
            errors: requests - successes.min(requests),
            success_ratio: ratio(successes, requests),
            share: ratio(requests, s.requests),
        };
        let mut error_messages: Vec<MessageCount> =
            s.error_messages.iter().map(|(message, &count)| MessageCount { message: message.clone(), count }).collect();
        error_messages.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.message.cmp(&b.message)));
        AttackFigures {
            name: s.attack.clone(),
            success_rule: s.success_rule.clone(),
            recounted,
            planned: planned.map(|p| PlannedFigures {
                requests: p.requests,
                duration_ns: nanos(p.duration),
                rate_per_s: p.requests.filter(|_| !p.duration.is_zero()).map(|n| n as f64 / p.duration.as_secs_f64()),
            }),
            requests: s.requests,
            sent: m.sent(),
            not_sent: s.not_sent,
            not_sent_in_time: s.not_sent_in_time,
            successes: s.successes,
            errors: s.errors,
            success_ratio: m.success_ratio(),
            rate_per_s: per_second(s.requests, attack),
            throughput_per_s: per_second(s.successes, attack + wait),
            start: format_rfc3339(s.start),
            first_timestamp: s.first_timestamp.map(format_rfc3339),
            last_timestamp: s.last_timestamp.map(format_rfc3339),
            duration: Durations { total_ns: nanos(attack + wait), attack_ns: nanos(attack), wait_ns: nanos(wait) },
            latency: s.latency.clone(),
            lateness: s.lateness.clone(),
            early: s.early,
            bytes_in: bytes(s.bytes_in),
            bytes_out: bytes(s.bytes_out),
            status_codes: s.status_codes.iter().map(|(&code, &count)| StatusCount { code, count }).collect(),
            errors_by_kind: s
                .errors_by_kind
                .iter()
                .filter(|(_, &n)| n > 0)
                .map(|(kind, &count)| KindCount { kind: kind.clone(), count })
                .collect(),
            error_messages,
            error_messages_not_listed: s.error_messages_not_listed,
            nodes: s.nodes.iter().map(|n| split(&n.name, n.requests, n.successes)).collect(),
            headers: s
                .headers
                .iter()
                .map(|h| HeaderSplit {
                    name: h.name.clone(),
                    values: h.values.iter().map(|v| split(&v.value, v.requests, v.successes)).collect(),
                    other: split("(other values)", h.other.requests, h.other.successes),
                    absent: split("(without it)", h.absent.requests, h.absent.successes),
                })
                .collect(),
            plots,
        }
    }
}
