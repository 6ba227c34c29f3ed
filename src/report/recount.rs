//! Figures rebuilt from an attack's `results.json` when its `summary.json` or histograms are
//! missing (a run killed before its writer finished): the same `Metrics`, and what was skipped.

use super::metrics::Metrics;
use crate::runtime::results::{
    canonical_header_name, read_results, AttackSummary, Counts, DurationHistogram, ErrorKind, Extremes, HeaderCounts,
    NodeCounts, ValueCounts, VegetaResult, MAX_ERROR_MESSAGES, MAX_VALUES_PER_HEADER,
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

#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    successes: u64,
    not_sent: u64,
    not_sent_in_time: u64,
    kinds: BTreeMap<String, u64>,
    messages: BTreeMap<String, u64>,
    messages_not_listed: u64,
    codes: BTreeMap<u16, u64>,
    bytes_out: u64,
    bytes_in: u64,
    first: Option<SystemTime>,
    last: Option<SystemTime>,
    last_end: Option<SystemTime>,
    latency: (Extremes, DurationHistogram),
    lateness: (Extremes, DurationHistogram),
    nodes: Vec<NodeCounts>,
    /// Header name → (value → counts, other).
    headers: Vec<(String, BTreeMap<String, Counts>, Counts)>,
}

impl Tally {
    fn observe(&mut self, r: &VegetaResult) {
        self.requests += 1;
        let success = r.is_success();
        if success {
            self.successes += 1;
        } else {
            let kind = r.error_kind.as_deref().filter(|k| ErrorKind::NAMES.contains(k)).unwrap_or("other");
            *self.kinds.entry(kind.to_string()).or_default() += 1;
            if let Some(n) = self.messages.get_mut(&r.error) {
                *n += 1;
            } else if self.messages.len() < MAX_ERROR_MESSAGES {
                self.messages.insert(r.error.clone(), 1);
            } else {
                self.messages_not_listed += 1;
            }
        }
        let never_sent = matches!(r.error_kind.as_deref(), Some("not_sent_in_time" | "not_built"));
        *self.codes.entry(r.code).or_default() += 1;
        self.bytes_out += r.bytes_out;
        self.bytes_in += r.bytes_in;
        self.first = Some(self.first.map_or(r.timestamp, |t| t.min(r.timestamp)));
        self.last = Some(self.last.map_or(r.timestamp, |t| t.max(r.timestamp)));
        if never_sent {
            self.not_sent += 1;
            self.not_sent_in_time += u64::from(r.error_kind.as_deref() == Some("not_sent_in_time"));
        } else {
            self.last_end = Some(self.last_end.map_or(r.end(), |t| t.max(r.end())));
            self.latency.0.observe(r.latency);
            self.latency.1.record(r.latency);
            let late = r.lateness.unwrap_or_default();
            self.lateness.0.observe(late);
            self.lateness.1.record(late);
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
        let mut errors_by_kind: BTreeMap<String, u64> = ErrorKind::NAMES.iter().map(|n| (n.to_string(), 0)).collect();
        errors_by_kind.extend(self.kinds);
        let (requests, successes) = (self.requests, self.successes);
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
        let summary = AttackSummary {
            attack: attack.to_string(),
            success_rule: RECORDED_RULE.to_string(),
            start: self.first.unwrap_or(SystemTime::UNIX_EPOCH),
            requests,
            successes,
            errors: requests - successes,
            not_sent: self.not_sent,
            not_sent_in_time: self.not_sent_in_time,
            errors_by_kind,
            error_messages: self.messages,
            error_messages_not_listed: self.messages_not_listed,
            status_codes: self.codes,
            bytes_out: self.bytes_out,
            bytes_in: self.bytes_in,
            first_timestamp: self.first,
            last_timestamp: self.last,
            last_end: self.last_end,
            latency: self.latency.0.stats(&self.latency.1),
            lateness: self.lateness.0.stats(&self.lateness.1),
            timestamps_before_start: 0,
            nodes: self.nodes,
            headers,
        };
        Metrics { summary, latency: self.latency.1, lateness: self.lateness.1 }
    }
}
