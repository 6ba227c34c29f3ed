//! `summary.json`: the counts of one attack (requests, successes, errors by kind and message,
//! status codes, bytes, latency, per node, per recorded header value) and the success rule used.

use super::error_kind::ErrorKind;
use super::histogram::DurationHistogram;
use super::lateness::{EarlyStats, Lateness};
use super::record::Record;
use super::recorded_headers::{HeaderValues, ABSENT_SLOT, OTHER_SLOT};
use super::timestamp::{rfc3339, rfc3339_option};
use crate::model::units::StatusSet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

/// Distinct error messages listed in a summary; further ones are only counted (messages contain
/// the URL, which templated requests vary).
pub const MAX_ERROR_MESSAGES: usize = 256;

/// Everything `summary.json` holds about one attack. Durations are integer nanoseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackSummary {
    pub attack: String,
    /// The status codes counted as success (`200..399` is vegeta's rule).
    pub success_rule: String,
    #[serde(with = "rfc3339")]
    pub start: SystemTime,
    /// Every record, including those never sent.
    pub requests: u64,
    pub successes: u64,
    /// `requests − successes`.
    pub errors: u64,
    /// Requests never sent (cap reached, or the request could not be built); also errors.
    pub not_sent: u64,
    /// Of those, requests never sent because the max in-flight cap was reached.
    pub not_sent_in_time: u64,
    /// Error kind name → count (every kind listed, zeros included).
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Error message → count, for the first [`MAX_ERROR_MESSAGES`] distinct messages.
    pub error_messages: BTreeMap<String, u64>,
    /// Errors whose message was not listed because the list was full.
    pub error_messages_not_listed: u64,
    /// Status code → count (0: no response).
    pub status_codes: BTreeMap<u16, u64>,
    pub bytes_out: u64,
    pub bytes_in: u64,
    /// Earliest and latest send timestamps; latest end (timestamp + latency).
    #[serde(with = "rfc3339_option")]
    pub first_timestamp: Option<SystemTime>,
    #[serde(with = "rfc3339_option")]
    pub last_timestamp: Option<SystemTime>,
    #[serde(with = "rfc3339_option")]
    pub last_end: Option<SystemTime>,
    /// Latency of the requests actually sent (successes and errors alike, like vegeta).
    pub latency: DurationStats,
    /// Lateness (sent − scheduled) of the requests actually sent; a request sent early counts as
    /// 0 late (so its percentiles are those of sent − scheduled wherever that is positive).
    pub lateness: DurationStats,
    /// The requests sent before their scheduled time (the tick-driven pacer centres each tick's
    /// requests on the tick): how many, and the earliest by how much.
    #[serde(default)]
    pub early: EarlyStats,
    /// Records timestamped before `start` (a clock step backwards); counted in second 0.
    pub timestamps_before_start: u64,
    /// Per target node, in the attack's order.
    pub nodes: Vec<NodeCounts>,
    /// Per recorded response header, in the attack's order.
    pub headers: Vec<HeaderCounts>,
}

/// Exact count, min, mean and max; percentiles from the HDR histogram (0.1 % precision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationStats {
    pub count: u64,
    pub min_ns: u64,
    pub mean_ns: u64,
    pub max_ns: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p95_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
}

impl DurationStats {
    /// Count, min, mean and max as given; percentiles from `histogram`.
    fn with_percentiles(count: u64, min_ns: u64, mean_ns: u64, max_ns: u64, histogram: &DurationHistogram) -> Self {
        let at = |q: f64| u64::try_from(histogram.quantile(q).as_nanos()).unwrap_or(u64::MAX);
        DurationStats {
            count,
            min_ns,
            mean_ns,
            max_ns,
            p50_ns: at(0.50),
            p90_ns: at(0.90),
            p95_ns: at(0.95),
            p99_ns: at(0.99),
            p999_ns: at(0.999),
        }
    }

    /// The stats of several parts together (attacks, shards): exact count, min and max; the mean
    /// from the parts' means weighted by their counts (each part's mean is whole nanoseconds, so
    /// this mean is within 1 ns of the exact one); percentiles from the parts' added histograms.
    pub fn combine<'a>(parts: impl Iterator<Item = &'a DurationStats>, histogram: &DurationHistogram) -> Self {
        let parts: Vec<&DurationStats> = parts.filter(|s| s.count > 0).collect();
        let count: u64 = parts.iter().map(|s| s.count).sum();
        if count == 0 {
            return DurationStats::default();
        }
        let total: u128 = parts.iter().map(|s| u128::from(s.mean_ns) * u128::from(s.count)).sum();
        let min = parts.iter().map(|s| s.min_ns).min().unwrap_or(0);
        let max = parts.iter().map(|s| s.max_ns).max().unwrap_or(0);
        DurationStats::with_percentiles(count, min, (total / u128::from(count)) as u64, max, histogram)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCounts {
    pub name: String,
    pub requests: u64,
    pub successes: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderCounts {
    /// Canonical header name (`X-Server`).
    pub name: String,
    /// Per distinct value (the first 64), sorted by value. A response counts under its first value.
    pub values: Vec<ValueCounts>,
    /// Responses whose value was beyond the first 64 distinct ones.
    pub other: Counts,
    /// Records without the header (no response, or the response lacked it).
    pub absent: Counts,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCounts {
    pub value: String,
    pub requests: u64,
    pub successes: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub requests: u64,
    pub successes: u64,
}

/// Exact min / sum / max of durations, alongside the histogram.
#[derive(Debug, Default)]
pub struct Extremes {
    count: u64,
    min: u64,
    max: u64,
    sum: u128,
}

impl Extremes {
    pub fn observe(&mut self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.min = if self.count == 0 { nanos } else { self.min.min(nanos) };
        self.max = self.max.max(nanos);
        self.sum += u128::from(nanos);
        self.count += 1;
    }

    /// Count, min, mean and max exact; percentiles from `histogram`.
    pub fn stats(&self, histogram: &DurationHistogram) -> DurationStats {
        if self.count == 0 {
            return DurationStats::default();
        }
        let mean = (self.sum / u128::from(self.count)) as u64;
        DurationStats::with_percentiles(self.count, self.min, mean, self.max, histogram)
    }
}

/// One result as the totals of a summary see it, whoever read it: the live writer (a `Record`)
/// or a results file read back (`report::recount`).
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    /// The error's kind (its index in [`ErrorKind::NAMES`]) and message; `None`: a success.
    pub failure: Option<(usize, &'a str)>,
    pub code: u16,
    pub bytes_out: u64,
    pub bytes_in: u64,
    pub timestamp: SystemTime,
    /// Latency and lateness of a request that was sent; `None`: never sent.
    pub sent: Option<(Duration, Lateness)>,
    /// Never sent because max-in-flight was reached.
    pub not_sent_in_time: bool,
}

/// The counters of a summary that do not depend on the attack's nodes and headers.
#[derive(Debug, Default)]
pub struct Totals {
    requests: u64,
    successes: u64,
    not_sent: u64,
    not_sent_in_time: u64,
    kinds: [u64; ErrorKind::NAMES.len()],
    messages: HashMap<String, u64>,
    messages_not_listed: u64,
    codes: BTreeMap<u16, u64>,
    bytes_out: u64,
    bytes_in: u64,
    first: Option<SystemTime>,
    last: Option<SystemTime>,
    last_end: Option<SystemTime>,
    latency: Extremes,
    lateness: Extremes,
    early: EarlyStats,
}

impl Totals {
    pub fn observe(&mut self, r: Observed<'_>) {
        self.requests += 1;
        match r.failure {
            None => self.successes += 1,
            Some((kind, message)) => {
                self.kinds[kind] += 1;
                if let Some(n) = self.messages.get_mut(message) {
                    *n += 1;
                } else if self.messages.len() < MAX_ERROR_MESSAGES {
                    self.messages.insert(message.to_string(), 1);
                } else {
                    self.messages_not_listed += 1;
                }
            }
        }
        *self.codes.entry(r.code).or_insert(0) += 1;
        self.bytes_out += r.bytes_out;
        self.bytes_in += r.bytes_in;
        let ts = r.timestamp;
        self.first = Some(self.first.map_or(ts, |first| first.min(ts)));
        self.last = Some(self.last.map_or(ts, |last| last.max(ts)));
        match r.sent {
            None => {
                self.not_sent += 1;
                self.not_sent_in_time += u64::from(r.not_sent_in_time);
            }
            Some((latency, lateness)) => {
                let end = ts + latency;
                self.last_end = Some(self.last_end.map_or(end, |last| last.max(end)));
                self.latency.observe(latency);
                self.lateness.observe(lateness.late_by());
                self.early.observe(lateness);
            }
        }
    }

    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn successes(&self) -> u64 {
        self.successes
    }

    /// The earliest timestamp seen.
    pub fn first(&self) -> Option<SystemTime> {
        self.first
    }

    /// The summary of these totals; percentiles from the histograms, the rest as given.
    pub fn into_summary(
        self,
        identity: SummaryIdentity,
        latency: &DurationHistogram,
        lateness: &DurationHistogram,
    ) -> AttackSummary {
        AttackSummary {
            attack: identity.attack,
            success_rule: identity.success_rule,
            start: identity.start,
            requests: self.requests,
            successes: self.successes,
            errors: self.requests - self.successes,
            not_sent: self.not_sent,
            not_sent_in_time: self.not_sent_in_time,
            errors_by_kind: ErrorKind::NAMES.iter().map(|n| n.to_string()).zip(self.kinds).collect(),
            error_messages: self.messages.into_iter().collect(),
            error_messages_not_listed: self.messages_not_listed,
            status_codes: self.codes,
            bytes_out: self.bytes_out,
            bytes_in: self.bytes_in,
            first_timestamp: self.first,
            last_timestamp: self.last,
            last_end: self.last_end,
            latency: self.latency.stats(latency),
            lateness: self.lateness.stats(lateness),
            early: self.early,
            timestamps_before_start: identity.timestamps_before_start,
            nodes: identity.nodes,
            headers: identity.headers,
        }
    }
}

/// What a summary says besides its totals: whose it is, by which rule, from when, and its counts
/// per node and per recorded header.
#[derive(Debug, Clone)]
pub struct SummaryIdentity {
    pub attack: String,
    pub success_rule: String,
    pub start: SystemTime,
    pub timestamps_before_start: u64,
    pub nodes: Vec<NodeCounts>,
    pub headers: Vec<HeaderCounts>,
}

/// Accumulates an [`AttackSummary`] record by record.
#[derive(Debug)]
pub struct SummaryBuilder {
    attack: String,
    success: StatusSet,
    start: SystemTime,
    node_names: Vec<String>,
    totals: Totals,
    nodes: Vec<(u64, u64)>,
    header_slots: Vec<Vec<Counts>>,
}

impl SummaryBuilder {
    pub fn new(attack: &str, success: &StatusSet, start: SystemTime, node_names: &[String], headers: usize) -> Self {
        SummaryBuilder {
            attack: attack.to_string(),
            success: success.clone(),
            start,
            node_names: node_names.to_vec(),
            totals: Totals::default(),
            nodes: vec![(0, 0); node_names.len()],
            header_slots: vec![Vec::new(); headers],
        }
    }

    /// Counts one record. `failure` is its classification and rendered message (`None` for a
    /// success); `header_slots` its slot per recorded header.
    pub fn observe(&mut self, record: &Record, failure: Option<(&ErrorKind, &str)>, header_slots: &[usize]) {
        let success = failure.is_none();
        self.totals.observe(Observed {
            failure: failure.map(|(kind, message)| (kind.index(), message)),
            code: record.code,
            bytes_out: record.bytes_out,
            bytes_in: record.bytes_in,
            timestamp: record.timestamp,
            sent: (!record.not_sent()).then_some((record.latency, record.lateness)),
            not_sent_in_time: matches!(record.error, Some(ErrorKind::NotSentInTime)),
        });
        if let Some(node) = self.nodes.get_mut(usize::from(record.node)) {
            if success {
                node.0 += 1;
            } else {
                node.1 += 1;
            }
        }
        for (slots, &slot) in self.header_slots.iter_mut().zip(header_slots) {
            if slots.len() <= slot {
                slots.resize(slot + 1, Counts::default());
            }
            slots[slot].requests += 1;
            slots[slot].successes += u64::from(success);
        }
    }

    /// The summary, with percentiles from the attack's histograms.
    pub fn finish(
        self,
        latency: &DurationHistogram,
        lateness: &DurationHistogram,
        headers: &HeaderValues,
        timestamps_before_start: u64,
    ) -> AttackSummary {
        let nodes = self
            .node_names
            .iter()
            .zip(&self.nodes)
            .map(|(name, &(successes, errors))| NodeCounts {
                name: name.clone(),
                requests: successes + errors,
                successes,
                errors,
            })
            .collect();
        let header_counts = headers
            .names()
            .iter()
            .zip(&self.header_slots)
            .enumerate()
            .map(|(h, (name, slots))| {
                let slot = |i: usize| slots.get(i).copied().unwrap_or_default();
                HeaderCounts {
                    name: name.clone(),
                    values: headers
                        .sorted_values(h)
                        .into_iter()
                        .map(|(i, value)| ValueCounts {
                            value,
                            requests: slot(i).requests,
                            successes: slot(i).successes,
                        })
                        .collect(),
                    other: slot(OTHER_SLOT),
                    absent: slot(ABSENT_SLOT),
                }
            })
            .collect();
        let identity = SummaryIdentity {
            attack: self.attack,
            success_rule: self.success.to_string(),
            start: self.start,
            timestamps_before_start,
            nodes,
            headers: header_counts,
        };
        self.totals.into_summary(identity, latency, lateness)
    }
}
