//! Metrics read back from a run folder: each attack's summary and histograms, and their exact
//! combination over all attacks (counts add, histograms add; percentiles are never averaged).

use crate::runtime::results::{
    AttackSummary, Counts, DurationHistogram, DurationStats, EarlyStats, HeaderCounts, NodeCounts, ValueCounts,
    LATENCY_FILE, LATENESS_FILE, SUMMARY_FILE,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// One attack's (or the merge's) figures.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub summary: AttackSummary,
    pub latency: DurationHistogram,
    pub lateness: DurationHistogram,
}

impl Metrics {
    /// Reads `summary.json`, `latency.hdr` and `lateness.hdr` of an attack folder.
    pub fn load(dir: &Path) -> Result<Metrics, String> {
        let path = dir.join(SUMMARY_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let summary: AttackSummary =
            serde_json::from_str(&text).map_err(|e| format!("{} is not an attack summary: {e}", path.display()))?;
        let hist = |name: &str| {
            DurationHistogram::load(&dir.join(name))
                .map_err(|e| format!("cannot read {}: {e}", dir.join(name).display()))
        };
        Ok(Metrics { summary, latency: hist(LATENCY_FILE)?, lateness: hist(LATENESS_FILE)? })
    }

    /// Requests that actually went out.
    pub fn sent(&self) -> u64 {
        self.summary.requests - self.summary.not_sent
    }

    pub fn success_ratio(&self) -> Option<f64> {
        (self.summary.requests > 0).then(|| self.summary.successes as f64 / self.summary.requests as f64)
    }

    /// First send to last send.
    pub fn attack_span(&self) -> Duration {
        match (self.summary.first_timestamp, self.summary.last_timestamp) {
            (Some(a), Some(b)) => b.duration_since(a).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    /// Last send to the end of its response.
    pub fn wait(&self) -> Duration {
        match (self.summary.last_timestamp, self.summary.last_end) {
            (Some(a), Some(b)) => b.duration_since(a).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    /// Combines several attacks into one set of figures named `name`.
    pub fn combine(name: &str, parts: &[&Metrics]) -> Result<Metrics, String> {
        let mut latency = DurationHistogram::new();
        let mut lateness = DurationHistogram::new();
        for p in parts {
            latency.add(&p.latency).map_err(|e| format!("cannot merge latency histograms: {e}"))?;
            lateness.add(&p.lateness).map_err(|e| format!("cannot merge lateness histograms: {e}"))?;
        }
        let sum = |f: fn(&AttackSummary) -> u64| parts.iter().map(|p| f(&p.summary)).sum::<u64>();
        let add_maps = |pick: fn(&AttackSummary) -> &BTreeMap<String, u64>| {
            let mut out: BTreeMap<String, u64> = BTreeMap::new();
            for p in parts {
                for (k, v) in pick(&p.summary) {
                    *out.entry(k.clone()).or_default() += v;
                }
            }
            out
        };
        let errors_by_kind = add_maps(|s| &s.errors_by_kind);
        let error_messages = add_maps(|s| &s.error_messages);
        let mut status_codes: BTreeMap<u16, u64> = BTreeMap::new();
        for p in parts {
            for (k, v) in &p.summary.status_codes {
                *status_codes.entry(*k).or_default() += v;
            }
        }
        let mut distinct: Vec<&str> = parts.iter().map(|p| p.summary.success_rule.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        // One rule, or each rule with the attacks that used it: a report always says which.
        let success_rule = if distinct.len() <= 1 {
            distinct.first().map(|s| s.to_string()).unwrap_or_default()
        } else {
            let with_attacks = |rule: &str| {
                let names: Vec<&str> = parts
                    .iter()
                    .filter(|p| p.summary.success_rule == rule)
                    .map(|p| p.summary.attack.as_str())
                    .collect();
                format!("{rule} ({})", names.join(", "))
            };
            distinct.iter().map(|r| with_attacks(r)).collect::<Vec<_>>().join("; ")
        };
        let summary = AttackSummary {
            attack: name.to_string(),
            success_rule,
            start: parts.iter().map(|p| p.summary.start).min().unwrap_or(std::time::SystemTime::UNIX_EPOCH),
            requests: sum(|s| s.requests),
            successes: sum(|s| s.successes),
            errors: sum(|s| s.errors),
            not_sent: sum(|s| s.not_sent),
            not_sent_in_time: sum(|s| s.not_sent_in_time),
            errors_by_kind,
            error_messages,
            error_messages_not_listed: sum(|s| s.error_messages_not_listed),
            status_codes,
            bytes_out: sum(|s| s.bytes_out),
            bytes_in: sum(|s| s.bytes_in),
            first_timestamp: parts.iter().filter_map(|p| p.summary.first_timestamp).min(),
            last_timestamp: parts.iter().filter_map(|p| p.summary.last_timestamp).max(),
            last_end: parts.iter().filter_map(|p| p.summary.last_end).max(),
            latency: DurationStats::combine(parts.iter().map(|p| &p.summary.latency), &latency),
            lateness: DurationStats::combine(parts.iter().map(|p| &p.summary.lateness), &lateness),
            early: EarlyStats::combine(parts.iter().map(|p| &p.summary.early)),
            timestamps_before_start: sum(|s| s.timestamps_before_start),
            nodes: combine_nodes(parts.iter().map(|p| &p.summary.nodes)),
            headers: combine_headers(parts),
        };
        Ok(Metrics { summary, latency, lateness })
    }
}

/// Per target node, added by node name, in order of first appearance.
fn combine_nodes<'a>(parts: impl Iterator<Item = &'a Vec<NodeCounts>>) -> Vec<NodeCounts> {
    let mut out: Vec<NodeCounts> = Vec::new();
    for node in parts.flatten() {
        let i = match out.iter().position(|n| n.name == node.name) {
            Some(i) => i,
            None => {
                out.push(NodeCounts { name: node.name.clone(), ..NodeCounts::default() });
                out.len() - 1
            }
        };
        out[i].requests += node.requests;
        out[i].successes += node.successes;
        out[i].errors += node.errors;
    }
    out
}

/// Per recorded header (by name, case-insensitively, in order of first appearance) and per
/// value (sorted): counts added. A value counted under `other` in one attack stays there; the
/// requests of an attack that did not record the header count as `absent`.
fn combine_headers(parts: &[&Metrics]) -> Vec<HeaderCounts> {
    let mut out: Vec<(HeaderCounts, BTreeMap<String, Counts>)> = Vec::new();
    let add = |into: &mut Counts, from: &Counts| {
        into.requests += from.requests;
        into.successes += from.successes;
    };
    for header in parts.iter().flat_map(|p| &p.summary.headers) {
        let i = match out.iter().position(|(h, _)| h.name.eq_ignore_ascii_case(&header.name)) {
            Some(i) => i,
            None => {
                out.push((HeaderCounts { name: header.name.clone(), ..HeaderCounts::default() }, BTreeMap::new()));
                out.len() - 1
            }
        };
        let (combined, values) = &mut out[i];
        add(&mut combined.other, &header.other);
        add(&mut combined.absent, &header.absent);
        for v in &header.values {
            add(values.entry(v.value.clone()).or_default(), &Counts { requests: v.requests, successes: v.successes });
        }
    }
    for (combined, _) in &mut out {
        for p in parts.iter().filter(|p| !p.summary.headers.iter().any(|h| h.name.eq_ignore_ascii_case(&combined.name)))
        {
            add(&mut combined.absent, &Counts { requests: p.summary.requests, successes: p.summary.successes });
        }
    }
    out.into_iter()
        .map(|(mut h, values)| {
            h.values = values
                .into_iter()
                .map(|(value, c)| ValueCounts { value, requests: c.requests, successes: c.successes })
                .collect();
            h
        })
        .collect()
}
