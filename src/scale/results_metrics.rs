//! Figures of plain results files (vegeta's own, or ours without their run folder), built from the
//! lines themselves: per attack name and over all, with HDR histograms, for the merged reports.

use crate::report::metrics::Metrics;
use crate::runtime::results::{
    read_results, AttackSummary, DurationHistogram, DurationStats, EarlyStats, ErrorKind, NodeCounts, VegetaResult,
    MAX_ERROR_MESSAGES,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The success rule of figures rebuilt from results lines: the line's own verdict.
pub const RECORDED_RULE: &str = "as recorded (empty `error`)";

/// Accumulates the figures of one attack, line by line.
#[derive(Debug)]
struct Accumulator {
    summary: AttackSummary,
    latency: DurationHistogram,
    lateness: DurationHistogram,
    latency_sum: u128,
    lateness_sum: u128,
}

impl Accumulator {
    fn new(attack: &str) -> Self {
        Accumulator {
            summary: AttackSummary {
                attack: attack.to_string(),
                success_rule: RECORDED_RULE.to_string(),
                start: SystemTime::UNIX_EPOCH,
                requests: 0,
                successes: 0,
                errors: 0,
                not_sent: 0,
                not_sent_in_time: 0,
                errors_by_kind: ErrorKind::NAMES.iter().map(|n| (n.to_string(), 0)).collect(),
                error_messages: BTreeMap::new(),
                error_messages_not_listed: 0,
                status_codes: BTreeMap::new(),
                bytes_out: 0,
                bytes_in: 0,
                first_timestamp: None,
                last_timestamp: None,
                last_end: None,
                latency: DurationStats::default(),
                lateness: DurationStats::default(),
                early: EarlyStats::default(),
                timestamps_before_start: 0,
                nodes: Vec::new(),
                headers: Vec::new(),
            },
            latency: DurationHistogram::new(),
            lateness: DurationHistogram::new(),
            latency_sum: 0,
            lateness_sum: 0,
        }
    }

    fn observe(&mut self, r: &VegetaResult) {
        let s = &mut self.summary;
        s.requests += 1;
        let kind = r.error_kind.as_deref();
        let never_sent = matches!(kind, Some("not_sent_in_time" | "not_built"));
        if r.is_success() {
            s.successes += 1;
        } else {
            s.errors += 1;
            let kind = kind.unwrap_or(if r.code == 0 { "other" } else { "status" });
            *s.errors_by_kind.entry(kind.to_string()).or_insert(0) += 1;
            if let Some(n) = s.error_messages.get_mut(&r.error) {
                *n += 1;
            } else if s.error_messages.len() < MAX_ERROR_MESSAGES {
                s.error_messages.insert(r.error.clone(), 1);
            } else {
                s.error_messages_not_listed += 1;
            }
        }
        *s.status_codes.entry(r.code).or_insert(0) += 1;
        s.bytes_out += r.bytes_out;
        s.bytes_in += r.bytes_in;
        s.first_timestamp = Some(s.first_timestamp.map_or(r.timestamp, |t| t.min(r.timestamp)));
        s.last_timestamp = Some(s.last_timestamp.map_or(r.timestamp, |t| t.max(r.timestamp)));
        if let Some(node) = &r.node {
            match s.nodes.iter_mut().find(|n| n.name == *node) {
                Some(n) => count_node(n, r.is_success()),
                None => {
                    let mut n = NodeCounts { name: node.clone(), ..NodeCounts::default() };
                    count_node(&mut n, r.is_success());
                    s.nodes.push(n);
                }
            }
        }
        if never_sent {
            s.not_sent += 1;
            s.not_sent_in_time += u64::from(kind == Some("not_sent_in_time"));
            return;
        }
        s.last_end = Some(s.last_end.map_or(r.end(), |t| t.max(r.end())));
        observe_duration(&mut s.latency, &mut self.latency_sum, r.latency);
        self.latency.record(r.latency);
        let lateness = r.lateness.unwrap_or_default();
        observe_duration(&mut s.lateness, &mut self.lateness_sum, lateness.late_by());
        self.lateness.record(lateness.late_by());
        s.early.observe(lateness);
    }

    fn finish(mut self) -> Metrics {
        let s = &mut self.summary;
        s.start = s.first_timestamp.unwrap_or(SystemTime::UNIX_EPOCH);
        finish_stats(&mut s.latency, self.latency_sum, &self.latency);
        finish_stats(&mut s.lateness, self.lateness_sum, &self.lateness);
        Metrics { summary: self.summary, latency: self.latency, lateness: self.lateness }
    }
}

fn count_node(n: &mut NodeCounts, success: bool) {
    n.requests += 1;
    if success {
        n.successes += 1;
    } else {
        n.errors += 1;
    }
}

fn observe_duration(stats: &mut DurationStats, sum: &mut u128, d: Duration) {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    stats.min_ns = if stats.count == 0 { nanos } else { stats.min_ns.min(nanos) };
    stats.max_ns = stats.max_ns.max(nanos);
    stats.count += 1;
    *sum += u128::from(nanos);
}

fn finish_stats(stats: &mut DurationStats, sum: u128, histogram: &DurationHistogram) {
    if stats.count == 0 {
        return;
    }
    let at = |q: f64| u64::try_from(histogram.quantile(q).as_nanos()).unwrap_or(u64::MAX);
    stats.mean_ns = (sum / u128::from(stats.count)) as u64;
    (stats.p50_ns, stats.p90_ns, stats.p95_ns, stats.p99_ns, stats.p999_ns) =
        (at(0.5), at(0.9), at(0.95), at(0.99), at(0.999));
}

/// Reads `file` once: the figures of every attack named in it (`fallback` for lines without a
/// name) and of all its lines together.
pub fn results_metrics(files: &[&Path], fallback: &str) -> Result<(BTreeMap<String, Metrics>, Metrics), String> {
    let mut attacks: BTreeMap<String, Accumulator> = BTreeMap::new();
    let mut all = Accumulator::new("merged");
    for file in files {
        let reader = read_results(file).map_err(|e| e.to_string())?;
        for result in reader {
            let result = result.map_err(|e| e.to_string())?;
            let name = if result.attack.is_empty() { fallback } else { result.attack.as_str() };
            attacks.entry(name.to_string()).or_insert_with(|| Accumulator::new(name)).observe(&result);
            all.observe(&result);
        }
    }
    Ok((attacks.into_iter().map(|(name, acc)| (name, acc.finish())).collect(), all.finish()))
}
