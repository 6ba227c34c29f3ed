//! The merged plots' data, built in one streaming pass over `merged-results.json`: per-second
//! counts over all attacks (per status, per target node, forwarded, per responder) and latency
//! columns. Memory grows with seconds, nodes, codes and 64 values per header, never with requests.

use super::hosts::{same_host, server_host, url_host};
use super::latency_columns::{never_sent, offset_s, LatencyColumns};
use super::per_second::{NodeSeconds, PerSecond, Responders};
use super::run_info::RunInfo;
use super::Tap;
use crate::runtime::results::{read_results, AttackSummary, VegetaResult, MAX_VALUES_PER_HEADER};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The header whose value names the node that answered (DFaaS nodes forward to their peers).
pub const FORWARDING_HEADER: &str = "X-Server";

/// Everything the merged plots draw, except the latency histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedData {
    /// Second 0 of the time axis: the load start.
    pub origin: SystemTime,
    /// Length of the time axis, in seconds.
    pub span_s: f64,
    pub per_second: PerSecond,
    pub latency: LatencyColumns,
    /// Whether forwarded counts were computed: some attack recorded `X-Server`, and `run.json`
    /// has the URL of every target node.
    pub forwarding: bool,
    /// A last line cut short (interrupted run) that was skipped, as `file:line: reason`.
    pub skipped: Option<String>,
}

/// Streams `merged_results` (attacks' `summaries` tell which headers were recorded); `tap` sees
/// every result too.
pub fn load_merged(
    merged_results: &Path,
    run: &RunInfo,
    summaries: &[AttackSummary],
    columns: usize,
    tap: Tap<'_>,
) -> Result<MergedData, String> {
    let mut stream = MergedStream::new(run, summaries, columns);
    let mut reader =
        read_results(merged_results).map_err(|e| format!("cannot read {}: {e}", merged_results.display()))?;
    for result in reader.by_ref() {
        let result = result.map_err(|e| e.to_string())?;
        stream.observe(&result);
        tap(&result);
    }
    let skipped = reader.truncated_tail().map(|s| s.to_string());
    Ok(stream.finish(skipped))
}

/// The merged plots' data, built one result at a time: from `merged-results.json`, or on the way
/// through the only attack's results (the same results: see `wrapup_steps::attack_report`).
pub struct MergedStream {
    state: Stream,
    span_s: f64,
    forwarding: bool,
}

impl MergedStream {
    /// For the results of `run`, whose attacks' `summaries` tell which headers were recorded; the
    /// latency is cut into `columns` columns.
    pub fn new(run: &RunInfo, summaries: &[AttackSummary], columns: usize) -> MergedStream {
        let origin = origin(run, summaries);
        let last_s = summaries.iter().filter_map(|s| s.last_timestamp).map(|t| offset_s(t, origin)).fold(0.0, f64::max);
        let span_s = run.load_end_s().max(last_s.floor() + 1.0).max(1.0);

        let node_names = run.target_nodes();
        let node_hosts: Vec<Option<String>> = node_names.iter().map(|n| run.node_url(n).and_then(url_host)).collect();
        let recorded =
            |name: &str| summaries.iter().any(|s| s.headers.iter().any(|h| h.name.eq_ignore_ascii_case(name)));
        // Forwarded counts need every target node's host: without one, none is counted (the plot
        // is left out) rather than some nodes wrongly showing zero.
        let forwarding = recorded(FORWARDING_HEADER) && node_hosts.iter().all(Option::is_some);
        let responder_header = summaries.iter().find_map(|s| s.headers.first()).map(|h| h.name.clone());

        let mut state = Stream {
            data: PerSecond {
                nodes: node_names
                    .iter()
                    .map(|name| NodeSeconds {
                        name: name.clone(),
                        forwarded: forwarding.then(Vec::new),
                        ..NodeSeconds::default()
                    })
                    .collect(),
                responders: responder_header
                    .as_ref()
                    .map(|header| Responders { header: header.clone(), ..Responders::default() }),
                ..PerSecond::default()
            },
            node_index: node_names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect(),
            node_hosts,
            value_index: HashMap::new(),
            latency: LatencyColumns::new(columns, span_s),
            origin,
        };
        state.data.ensure_second(span_s.ceil() as usize - 1);
        MergedStream { state, span_s, forwarding }
    }

    pub fn observe(&mut self, result: &VegetaResult) {
        self.state.observe(result, self.forwarding);
    }

    /// Whether the data depend on the order the results came in: only when the responder header
    /// had more distinct values than get their own line (the first ones seen get it). Otherwise
    /// any order of the same results gives the same data.
    pub fn depends_on_order(&self) -> bool {
        self.state.data.responders.as_ref().is_some_and(|r| r.other.iter().any(|&n| n > 0))
    }

    /// The data; `skipped` names a truncated last line left out, if any.
    pub fn finish(self, skipped: Option<String>) -> MergedData {
        self.state.finish(self.span_s, self.forwarding, skipped)
    }
}

/// The load start from the manifest, else the earliest attack start (minus its planned offset).
fn origin(run: &RunInfo, summaries: &[AttackSummary]) -> SystemTime {
    if let Some(t) = run.load_started_at {
        return t;
    }
    summaries
        .iter()
        .map(|s| {
            let planned = run.attack(&s.attack).map_or(0.0, |a| a.start_s);
            s.start.checked_sub(Duration::from_secs_f64(planned.max(0.0))).unwrap_or(s.start)
        })
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

struct Stream {
    data: PerSecond,
    node_index: HashMap<String, usize>,
    node_hosts: Vec<Option<String>>,
    /// Responder value → its index in `data.responders.values` (the first 64 distinct values).
    value_index: HashMap<String, usize>,
    latency: LatencyColumns,
    origin: SystemTime,
}

impl Stream {
    fn observe(&mut self, r: &VegetaResult, forwarding: bool) {
        let offset = offset_s(r.timestamp, self.origin);
        let second = offset.max(0.0).floor() as usize;
        self.data.ensure_second(second);
        let len = self.data.len();
        let success = r.is_success();
        self.data.requests[second] += 1;
        if success {
            self.data.successes[second] += 1;
        } else {
            self.data.errors[second] += 1;
        }
        self.data.codes.entry(r.code).or_insert_with(|| vec![0; len])[second] += 1;
        self.latency.observe_result(r, self.origin);
        if !never_sent(r) {
            self.data.sent[second] += 1;
            self.data.latency_sum_ns[second] += r.latency.as_nanos();
        }

        if let Some(&i) = r.node.as_ref().and_then(|n| self.node_index.get(n)) {
            let node = &mut self.data.nodes[i];
            if success {
                node.successes[second] += 1;
            } else {
                node.errors[second] += 1;
            }
            if forwarding {
                let server = r.header(FORWARDING_HEADER).and_then(|v| v.first());
                if let (Some(server), Some(host), Some(forwarded)) = (server, &self.node_hosts[i], &mut node.forwarded)
                {
                    if !same_host(host, &server_host(server)) {
                        forwarded[second] += 1;
                    }
                }
            }
        }

        if let Some(responders) = &mut self.data.responders {
            match r.header(&responders.header).and_then(|v| v.first()) {
                None => responders.absent[second] += 1,
                Some(value) => match self.value_index.get(value.as_str()) {
                    Some(&i) => responders.values[i].1[second] += 1,
                    None if self.value_index.len() < MAX_VALUES_PER_HEADER => {
                        self.value_index.insert(value.clone(), responders.values.len());
                        let mut counts = vec![0; len];
                        counts[second] = 1;
                        responders.values.push((value.clone(), counts));
                    }
                    None => responders.other[second] += 1,
                },
            }
        }
    }

    fn finish(mut self, span_s: f64, forwarding: bool, skipped: Option<String>) -> MergedData {
        if let Some(r) = &mut self.data.responders {
            r.values.sort_by(|a, b| a.0.cmp(&b.0));
        }
        MergedData { origin: self.origin, span_s, per_second: self.data, latency: self.latency, forwarding, skipped }
    }
}
