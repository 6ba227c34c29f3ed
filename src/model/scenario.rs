//! The types of a checked scenario, named after the language: `Scenario`, `Node`, `HealthGate`,
//! `Deployment`, `Attack`, `RequestSpec`, `Expectation`, `Notification`, `ReportSpec`.

use super::profile::RateProfile;
use super::units::{Percent, Rate, Size, StatusSet};
use super::{serialize_duration, serialize_opt_duration};
use crate::parser::ast::{BodyOp, CmpOp, FeederMode, When};
use serde::{Serialize, Serializer};
use std::path::PathBuf;
use std::time::Duration;

/// A whole scenario: the root file and everything it imports.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    /// SHA-256 of the sources (root file, then imports in load order).
    pub source_hash: String,
    pub nodes: Vec<Node>,
    pub functions: Vec<Function>,
    pub deployments: Vec<Deployment>,
    pub teardowns: Vec<Deployment>,
    #[serde(serialize_with = "serialize_opt_duration")]
    pub wait: Option<Duration>,
    pub gates: Vec<HealthGate>,
    pub attacks: Vec<Attack>,
    pub report: ReportSpec,
    pub expectations: Vec<Expectation>,
    pub notifications: Vec<Notification>,
}

impl Scenario {
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn attack(&self, name: &str) -> Option<&Attack> {
        self.attacks.iter().find(|a| a.name == name)
    }
}

/// A string that must not be printed (passwords, tokens): shown as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub name: String,
    /// Base URL; for an embedded demo node without `url`, `None` until the runtime binds it.
    pub url: Option<url::Url>,
    pub headers: Vec<Header>,
    pub demo: Option<DemoSpec>,
    pub gateway: Option<Gateway>,
}

/// The embedded demo target's behaviour (`embedded demo { ... }`).
#[derive(Debug, Clone, Serialize)]
pub struct DemoSpec {
    #[serde(serialize_with = "serialize_duration")]
    pub latency_min: Duration,
    #[serde(serialize_with = "serialize_duration")]
    pub latency_max: Duration,
    pub error_rate: Percent,
    pub max_rate: Option<Rate>,
    pub forward_to: Vec<String>,
    pub server: Option<String>,
}

/// OpenFaaS gateway access for deploy/teardown.
#[derive(Debug, Clone, Serialize)]
pub struct Gateway {
    pub url: Option<url::Url>,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Function {
    pub name: String,
    pub service: String,
    pub image: String,
    pub labels: Vec<Header>,
    pub env: Vec<Header>,
}

/// One function on one node: a deploy step (or a teardown step).
#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub function: String,
    pub node: String,
    /// Function labels merged with the deploy block's (the block wins).
    pub labels: Vec<Header>,
    pub retries: u32,
    #[serde(serialize_with = "serialize_duration")]
    pub every: Duration,
    #[serde(serialize_with = "serialize_duration")]
    pub timeout: Duration,
}

impl Deployment {
    /// The longest this step can take: every try timing out, with the pauses between.
    pub fn max_duration(&self) -> Duration {
        let tries = self.retries + 1;
        self.timeout * tries + self.every * self.retries
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthGate {
    pub node: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<Header>,
    pub expect_status: StatusSet,
    pub expect_body: Option<BodyCheck>,
    pub expect_json: Vec<JsonCheck>,
    #[serde(serialize_with = "serialize_duration")]
    pub every: Duration,
    #[serde(serialize_with = "serialize_duration")]
    pub within: Duration,
    pub consecutive: u32,
    pub tries: Option<u32>,
    #[serde(serialize_with = "serialize_duration")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyCheck {
    #[serde(serialize_with = "serialize_body_op")]
    pub op: BodyOp,
    pub value: String,
}

fn serialize_body_op<S: Serializer>(op: &BodyOp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match op {
        BodyOp::Contains => "contains",
        BodyOp::Matches => "matches",
        BodyOp::Equals => "==",
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct JsonCheck {
    /// Dotted path into the response JSON (`components.proxy`, `items.0.name`).
    pub path: String,
    pub op: CmpOp,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attack {
    pub name: String,
    /// Target nodes, requests spread round-robin; empty when the request has absolute URLs.
    pub nodes: Vec<String>,
    /// Attacks this one starts after (their end).
    pub after: Vec<String>,
    #[serde(serialize_with = "serialize_duration")]
    pub delay: Duration,
    pub load: Load,
    pub max_in_flight: u32,
    #[serde(serialize_with = "serialize_duration")]
    pub timeout: Duration,
    pub connections: Option<u32>,
    pub keep_alive: bool,
    pub http2: bool,
    pub insecure: bool,
    /// Status codes counted as success (default 200..399, like vegeta).
    pub success: StatusSet,
    pub record_headers: Vec<String>,
    pub record_body: Option<Size>,
    pub request: RequestSource,
}

impl Attack {
    pub fn duration(&self) -> Duration {
        match &self.load {
            Load::Open { profile } => profile.duration(),
            Load::Closed { duration, .. } => *duration,
        }
    }

    /// Exact request count for the open model; `None` for the closed model.
    pub fn expected_requests(&self) -> Option<u64> {
        match &self.load {
            Load::Open { profile } => Some(profile.expected_requests()),
            Load::Closed { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum Load {
    /// Requests sent on schedule from the rate profile, whether or not earlier ones returned.
    Open { profile: RateProfile },
    /// `workers` loops, each sending its next request when the previous one returned.
    Closed {
        workers: u32,
        #[serde(serialize_with = "serialize_duration")]
        duration: Duration,
    },
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RequestSource {
    Spec(RequestSpec),
    /// A vegeta targets file, used as is.
    Targets {
        path: PathBuf,
    },
}

/// The names a per-request template can use (`{{ seq }}`, `{{ feeder.user }}`, ...).
pub const TEMPLATE_PLACEHOLDERS: &[&str] = &["seq", "uuid", "random", "timestamp", "unix", "unix_ms", "node", "feeder"];

#[derive(Debug, Clone, Serialize)]
pub struct RequestSpec {
    pub method: String,
    /// A path appended to the node's URL, or an absolute URL.
    pub target: String,
    pub headers: Vec<Header>,
    pub body: Body,
    pub feeder: Option<Feeder>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Body {
    None,
    /// A template rendered per request (`{{ seq }}`, `{{ uuid }}`, feeder columns, ...).
    Inline(String),
    File(PathBuf),
}

#[derive(Debug, Clone, Serialize)]
pub struct Feeder {
    pub path: PathBuf,
    pub mode: FeederMode,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportSpec {
    pub formats: Vec<String>,
    pub plots: Vec<String>,
    pub templates: Vec<UserTemplate>,
    pub output: Option<PathBuf>,
}

impl Default for ReportSpec {
    fn default() -> Self {
        ReportSpec {
            formats: DEFAULT_REPORT_FORMATS.iter().map(|s| s.to_string()).collect(),
            plots: DEFAULT_PLOT_FORMATS.iter().map(|s| s.to_string()).collect(),
            templates: Vec::new(),
            output: None,
        }
    }
}

pub const REPORT_FORMATS: &[&str] = &["text", "markdown", "html", "json"];
pub const DEFAULT_REPORT_FORMATS: &[&str] = &["text", "html", "json"];
pub const PLOT_FORMATS: &[&str] = &["png", "svg", "none"];
pub const DEFAULT_PLOT_FORMATS: &[&str] = &["png"];

#[derive(Debug, Clone, Serialize)]
pub struct UserTemplate {
    pub path: PathBuf,
    /// The output file name (default: the template's name without `.j2`).
    pub output: String,
}

/// `expect <metric>(<target>) <op> <threshold>`.
#[derive(Debug, Clone, Serialize)]
pub struct Expectation {
    /// The line as written, for reports (`p99(spike) < 250ms`).
    pub text: String,
    pub metric: Metric,
    /// An attack name, or `None` for `all`.
    pub target: Option<String>,
    pub op: CmpOp,
    pub threshold: Threshold,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "name", content = "value", rename_all = "lowercase")]
pub enum Metric {
    /// Latency percentile, in percent (p99.9 → 99.9).
    Percentile(f64),
    Mean,
    Min,
    Max,
    /// Share of requests that succeeded.
    Success,
    /// Failed requests: a count, or a share with a percent threshold.
    Errors,
    Requests,
    /// Achieved request rate: absolute, or relative to the plan with a percent threshold.
    Rate,
    /// Successful requests per second.
    Throughput,
}

impl Metric {
    /// The metric's name as written in `expect` (`p99.9`, `mean`, `success`).
    pub fn name(&self) -> String {
        match self {
            Metric::Percentile(p) => format!("p{p}"),
            Metric::Mean => "mean".into(),
            Metric::Min => "min".into(),
            Metric::Max => "max".into(),
            Metric::Success => "success".into(),
            Metric::Errors => "errors".into(),
            Metric::Requests => "requests".into(),
            Metric::Rate => "rate".into(),
            Metric::Throughput => "throughput".into(),
        }
    }

    /// The metric a name stands for; `p<number>` is a percentile of any number, which
    /// `is_percentile` checks.
    pub fn from_name(name: &str) -> Option<Metric> {
        Some(match name {
            "mean" => Metric::Mean,
            "min" => Metric::Min,
            "max" => Metric::Max,
            "success" => Metric::Success,
            "errors" => Metric::Errors,
            "requests" => Metric::Requests,
            "rate" => Metric::Rate,
            "throughput" => Metric::Throughput,
            _ => Metric::Percentile(name.strip_prefix('p')?.parse::<f64>().ok()?),
        })
    }

    /// Whether `p` is a percentile: above 0, at most 100.
    pub fn is_percentile(p: f64) -> bool {
        p > 0.0 && p <= 100.0
    }
}

/// Metric names as written (`p<N>` aside), for did-you-mean.
pub const METRIC_NAMES: &[&str] =
    &["mean", "min", "max", "success", "errors", "requests", "rate", "throughput", "p50", "p90", "p95", "p99", "p99.9"];

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Threshold {
    #[serde(serialize_with = "serialize_duration")]
    Duration(Duration),
    Percent(Percent),
    Count(u64),
    Rate(Rate),
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub url: url::Url,
    pub template: Option<PathBuf>,
    pub when: When,
    pub headers: Vec<Header>,
    pub retries: u32,
    #[serde(serialize_with = "serialize_duration")]
    pub timeout: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_round_trip() {
        for name in METRIC_NAMES {
            let metric = Metric::from_name(name).unwrap_or_else(|| panic!("{name} is a metric"));
            assert_eq!(metric.name(), *name);
        }
        assert_eq!(Metric::from_name("p99.9"), Some(Metric::Percentile(99.9)));
        assert_eq!(Metric::from_name("p0"), Some(Metric::Percentile(0.0)));
        assert!(!Metric::is_percentile(0.0) && !Metric::is_percentile(100.5) && !Metric::is_percentile(f64::NAN));
        assert!(Metric::is_percentile(0.001) && Metric::is_percentile(100.0));
        assert_eq!(Metric::from_name("p"), None);
        assert_eq!(Metric::from_name("latency"), None);
    }
}
