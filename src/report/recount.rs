//! Figures rebuilt from an attack's `results.json` when its `summary.json` or histograms are
//! missing (a run killed before its writer finished): the same `Metrics`, and what was skipped.

use super::metrics::Metrics;
use crate::runtime::results::{
    canonical_header_name, read_results, Counts, DurationHistogram, ErrorKind, HeaderCounts, NodeCounts, Observed,
    SummaryIdentity, Totals, ValueCounts, VegetaResult, MAX_VALUES_PER_HEADER,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// The success rule of recounted figures: the file does not say which status set was used.
pub const RECORDED_RULE: &str = "as recorded (a result without error is a success)";

/// Metrics recounted from a results file, with the lines that were left out.
#[derive(Debug)]
pub struct Recounted {
    pub metrics: Metrics,
    /// Lines skipped, with file, line and reason (a truncated last line).
    pub skipped: Vec<String>,
}

/// Reads every result of `path` (ours or vegeta's). A truncated last line is skipped and named;
/// any other unreadable line is an error, so that no figure is silently wrong.
pub fn recount(path: &Path, attack: &str) -> Result<Recounted, String> {
    let mut reader = read_results(path).map_err(|e| e.to_string())?;
    let mut tally = Tally::default();
    for result in reader.by_ref() {
        tally.observe(&result.map_err(|e| e.to_string())?);
    }
    let skipped = reader.truncated_tail().map(|s| s.to_string()).into_iter().collect();
    Ok(Recounted { metrics: tally.finish(attack), skipped })
}

/// The totals every summary keeps (shared with the live writer), plus what a results file has to
/// reveal by itself: the histograms, and the nodes and header values in the order met.
#[derive(Debug, Default)]
struct Tally {
    totals: Totals,
    latency: DurationHistogram,
    lateness: DurationHistogram,
    nodes: Vec<NodeCounts>,
    /// Header name → (value → counts, other).
    headers: Vec<(String, BTreeMap<String, Counts>, Counts)>,
}

impl Tally {
    fn observe(&mut self, r: &VegetaResult) {
        let success = r.is_success();
        let kind = || {
            let name = r.error_kind.as_deref().unwrap_or("other");
            ErrorKind::NAMES.iter().position(|n| *n == name).unwrap_or(ErrorKind::NAMES.len() - 1)
        };
        let never_sent = matches!(r.error_kind.as_deref(), Some("not_sent_in_time" | "not_built"));
        let lateness = r.lateness.unwrap_or_default();
        self.totals.observe(Observed {
            failure: (!success).then(|| (kind(), r.error.as_str())),
            code: r.code,
            bytes_out: r.bytes_out,
            bytes_in: r.bytes_in,
            timestamp: r.timestamp,
            sent: (!never_sent).then_some((r.latency, lateness)),
            not_sent_in_time: r.error_kind.as_deref() == Some("not_sent_in_time"),
        });
        if !never_sent {
            self.latency.record(r.latency);
            self.lateness.record(lateness.late_by());
        }
        if let Some(node) = &r.node {
            let i = match self.nodes.iter().position(|n| &n.name == node) {
                Some(i) => i,
                None => {
                    self.nodes.push(NodeCounts { name: node.clone(), ..NodeCounts::default() });
                    self.nodes.len() - 1
                }
            };
            let n = &mut self.nodes[i];
            n.requests += 1;
            n.successes += u64::from(success);
            n.errors += u64::from(!success);
        }
        for (name, values) in &r.headers {
            let Some(value) = values.first() else { continue };
            let name = canonical_header_name(name);
            let i = match self.headers.iter().position(|(n, _, _)| *n == name) {
                Some(i) => i,
                None => {
                    self.headers.push((name, BTreeMap::new(), Counts::default()));
                    self.headers.len() - 1
                }
            };
            let (_, by_value, other) = &mut self.headers[i];
            let counts = if by_value.contains_key(value) || by_value.len() < MAX_VALUES_PER_HEADER {
                by_value.entry(value.clone()).or_default()
            } else {
                other
            };
            counts.requests += 1;
            counts.successes += u64::from(success);
        }
    }

    fn finish(self, attack: &str) -> Metrics {
        let (requests, successes) = (self.totals.requests(), self.totals.successes());
        let headers = self
            .headers
            .into_iter()
            .map(|(name, values, other)| {
                let seen: Counts = values.values().chain([&other]).fold(Counts::default(), |a, c| Counts {
                    requests: a.requests + c.requests,
                    successes: a.successes + c.successes,
                });
                HeaderCounts {
                    name,
                    values: values
                        .into_iter()
                        .map(|(value, c)| ValueCounts { value, requests: c.requests, successes: c.successes })
                        .collect(),
                    other,
                    absent: Counts { requests: requests - seen.requests, successes: successes - seen.successes },
                }
            })
            .collect();
        let identity = SummaryIdentity {
            attack: attack.to_string(),
            success_rule: RECORDED_RULE.to_string(),
            start: self.totals.first().unwrap_or(SystemTime::UNIX_EPOCH),
            timestamps_before_start: 0,
            nodes: self.nodes,
            headers,
        };
        let summary = self.totals.into_summary(identity, &self.latency, &self.lateness);
        Metrics { summary, latency: self.latency, lateness: self.lateness }
    }
}
