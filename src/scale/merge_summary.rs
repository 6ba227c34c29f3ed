//! One attack's figures over several shards, exactly: counts, status codes, bytes, per-node and
//! per-header counts add up; histograms add; percentiles come from the sum, never from averages.

use crate::report::metrics::Metrics;
use crate::runtime::results::{
    AttackSummary, Counts, DurationHistogram, DurationStats, EarlyStats, HeaderCounts, NodeCounts, ValueCounts,
};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// Adds the figures of one attack from several shards (or runs). `parts` must not be empty.
pub fn merge_attack(name: &str, parts: &[Metrics]) -> Result<Metrics, String> {
    let mut latency = DurationHistogram::new();
    let mut lateness = DurationHistogram::new();
    for p in parts {
        latency.add(&p.latency).map_err(|e| format!("cannot add the latency histograms of `{name}`: {e}"))?;
        lateness.add(&p.lateness).map_err(|e| format!("cannot add the lateness histograms of `{name}`: {e}"))?;
    }
    let summaries: Vec<&AttackSummary> = parts.iter().map(|p| &p.summary).collect();
    let sum = |f: fn(&AttackSummary) -> u64| summaries.iter().map(|s| f(s)).sum::<u64>();
    let mut rules: Vec<&str> = summaries.iter().map(|s| s.success_rule.as_str()).collect();
    rules.dedup();
    let success_rule = match rules.as_slice() {
        [one] => one.to_string(),
        _ => format!("differs between shards: {}", rules.join(", ")),
    };
    let summary = AttackSummary {
        attack: name.to_string(),
        success_rule,
        start: summaries.iter().map(|s| s.start).min().unwrap_or(SystemTime::UNIX_EPOCH),
        requests: sum(|s| s.requests),
        successes: sum(|s| s.successes),
        errors: sum(|s| s.errors),
        not_sent: sum(|s| s.not_sent),
        not_sent_in_time: sum(|s| s.not_sent_in_time),
        errors_by_kind: add_maps(summaries.iter().map(|s| &s.errors_by_kind)),
        error_messages: add_maps(summaries.iter().map(|s| &s.error_messages)),
        error_messages_not_listed: sum(|s| s.error_messages_not_listed),
        status_codes: add_maps(summaries.iter().map(|s| &s.status_codes)),
        bytes_out: sum(|s| s.bytes_out),
        bytes_in: sum(|s| s.bytes_in),
        first_timestamp: summaries.iter().filter_map(|s| s.first_timestamp).min(),
        last_timestamp: summaries.iter().filter_map(|s| s.last_timestamp).max(),
        last_end: summaries.iter().filter_map(|s| s.last_end).max(),
        latency: DurationStats::combine(summaries.iter().map(|s| &s.latency), &latency),
        lateness: DurationStats::combine(summaries.iter().map(|s| &s.lateness), &lateness),
        early: EarlyStats::combine(summaries.iter().map(|s| &s.early)),
        timestamps_before_start: sum(|s| s.timestamps_before_start),
        nodes: merge_nodes(&summaries),
        headers: merge_headers(&summaries),
    };
    Ok(Metrics { summary, latency, lateness })
}

fn add_maps<'a, K: Ord + Clone + 'a>(maps: impl Iterator<Item = &'a BTreeMap<K, u64>>) -> BTreeMap<K, u64> {
    let mut out = BTreeMap::new();
    for map in maps {
        for (k, v) in map {
            *out.entry(k.clone()).or_insert(0) += v;
        }
    }
    out
}

/// Per node, by name, in the order the nodes first appear.
fn merge_nodes(summaries: &[&AttackSummary]) -> Vec<NodeCounts> {
    let mut out: Vec<NodeCounts> = Vec::new();
    for node in summaries.iter().flat_map(|s| &s.nodes) {
        match out.iter_mut().find(|n| n.name == node.name) {
            Some(n) => {
                n.requests += node.requests;
                n.successes += node.successes;
                n.errors += node.errors;
            }
            None => out.push(node.clone()),
        }
    }
    out
}

/// Per recorded header, by name; values by value (sorted). A value a shard counted as `other`
/// (past its first 64 distinct values) stays in `other`.
fn merge_headers(summaries: &[&AttackSummary]) -> Vec<HeaderCounts> {
    let add = |a: &mut Counts, b: &Counts| {
        a.requests += b.requests;
        a.successes += b.successes;
    };
    let mut out: Vec<(String, BTreeMap<String, Counts>, Counts, Counts)> = Vec::new();
    for header in summaries.iter().flat_map(|s| &s.headers) {
        let i = match out.iter().position(|(name, ..)| *name == header.name) {
            Some(i) => i,
            None => {
                out.push((header.name.clone(), BTreeMap::new(), Counts::default(), Counts::default()));
                out.len() - 1
            }
        };
        let (_, values, other, absent) = &mut out[i];
        for v in &header.values {
            add(values.entry(v.value.clone()).or_default(), &Counts { requests: v.requests, successes: v.successes });
        }
        add(other, &header.other);
        add(absent, &header.absent);
    }
    out.into_iter()
        .map(|(name, values, other, absent)| HeaderCounts {
            name,
            values: values
                .into_iter()
                .map(|(value, c)| ValueCounts { value, requests: c.requests, successes: c.successes })
                .collect(),
            other,
            absent,
        })
        .collect()
}
