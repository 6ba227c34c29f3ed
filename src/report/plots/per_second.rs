//! Per-second counts as the plots use them (requests, successes, errors, status codes, per node,
//! per responder), read from an attack's `timeseries.csv`, or built by the merged-results stream.

use crate::runtime::results::AttackSummary;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Counts per second; every vector has one entry per second, from second 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PerSecond {
    pub requests: Vec<u64>,
    pub successes: Vec<u64>,
    pub errors: Vec<u64>,
    /// Requests actually sent (the others have no latency).
    pub sent: Vec<u64>,
    /// Sum of the latencies of the requests sent, in nanoseconds.
    pub latency_sum_ns: Vec<u128>,
    /// Status code → count per second (0: no response).
    pub codes: BTreeMap<u16, Vec<u64>>,
    /// Per target node.
    pub nodes: Vec<NodeSeconds>,
    /// Per value of the first recorded response header, when one was recorded.
    pub responders: Option<Responders>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeSeconds {
    pub name: String,
    pub successes: Vec<u64>,
    pub errors: Vec<u64>,
    /// Responses whose `X-Server` names another host than the node's (merged data only; `None`
    /// when not computed).
    pub forwarded: Option<Vec<u64>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Responders {
    /// The header's canonical name (`X-Server`).
    pub header: String,
    /// Per value, sorted by value.
    pub values: Vec<(String, Vec<u64>)>,
    /// Values beyond the distinct ones counted apart.
    pub other: Vec<u64>,
    /// Records without the header (no response, or the response lacked it).
    pub absent: Vec<u64>,
}

impl PerSecond {
    /// How many seconds the series spans.
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Reads an attack's `timeseries.csv`; `summary` names its nodes and recorded headers.
    pub fn from_timeseries(path: &Path, summary: &AttackSummary) -> Result<PerSecond, String> {
        let shown = path.display();
        let mut reader = csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let header = reader.headers().map_err(|e| format!("cannot read {shown}: {e}"))?.clone();
        let index: HashMap<&str, usize> = header.iter().enumerate().map(|(i, name)| (name, i)).collect();
        let column = |name: &str| index.get(name).copied().ok_or_else(|| format!("{shown} has no `{name}` column"));

        let (requests, successes, errors, latency_sum) =
            (column("requests")?, column("successes")?, column("errors")?, column("latency_sum_ns")?);
        let not_sent = column("not_sent")?;
        let codes: Vec<(u16, usize)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, name)| name.strip_prefix("code:").and_then(|c| c.parse().ok()).map(|c| (c, i)))
            .collect();
        let nodes: Vec<(String, usize, usize)> = summary
            .nodes
            .iter()
            .map(|n| {
                Ok((
                    n.name.clone(),
                    column(&format!("node:{}:successes", n.name))?,
                    column(&format!("node:{}:errors", n.name))?,
                ))
            })
            .collect::<Result<_, String>>()?;
        let responder_columns = match summary.headers.first() {
            None => None,
            Some(h) => {
                let prefix = format!("{}=", h.name);
                let values: Vec<(String, usize)> = header
                    .iter()
                    .enumerate()
                    .filter_map(|(i, name)| name.strip_prefix(&prefix).map(|v| (v.to_string(), i)))
                    .collect();
                Some((
                    h.name.clone(),
                    values,
                    column(&format!("{}:other", h.name))?,
                    column(&format!("{}:absent", h.name))?,
                ))
            }
        };

        let mut out = PerSecond {
            nodes: nodes
                .iter()
                .map(|(name, _, _)| NodeSeconds { name: name.clone(), ..NodeSeconds::default() })
                .collect(),
            responders: responder_columns.as_ref().map(|(name, values, _, _)| Responders {
                header: name.clone(),
                values: values.iter().map(|(v, _)| (v.clone(), Vec::new())).collect(),
                ..Responders::default()
            }),
            ..PerSecond::default()
        };
        for (code, _) in &codes {
            out.codes.insert(*code, Vec::new());
        }
        for (row_number, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("cannot read {shown}: {e}"))?;
            let get = |i: usize| -> Result<u64, String> {
                let cell = row.get(i).unwrap_or("");
                cell.parse()
                    .map_err(|_| format!("{shown}: line {}: `{}` is not a count: `{cell}`", row_number + 2, &header[i]))
            };
            out.requests.push(get(requests)?);
            out.successes.push(get(successes)?);
            out.errors.push(get(errors)?);
            out.sent.push(get(requests)?.saturating_sub(get(not_sent)?));
            out.latency_sum_ns.push(u128::from(get(latency_sum)?));
            for (code, i) in &codes {
                let n = get(*i)?;
                out.codes.entry(*code).or_default().push(n);
            }
            for (node, (_, s, e)) in out.nodes.iter_mut().zip(&nodes) {
                node.successes.push(get(*s)?);
                node.errors.push(get(*e)?);
            }
            if let (Some(r), Some((_, values, other, absent))) = (out.responders.as_mut(), &responder_columns) {
                for ((_, counts), (_, i)) in r.values.iter_mut().zip(values) {
                    counts.push(get(*i)?);
                }
                r.other.push(get(*other)?);
                r.absent.push(get(*absent)?);
            }
        }
        Ok(out)
    }

    /// Makes room for `second` (every vector grows with zeros).
    pub fn ensure_second(&mut self, second: usize) {
        let len = second + 1;
        if self.requests.len() >= len {
            return;
        }
        self.requests.resize(len, 0);
        self.successes.resize(len, 0);
        self.errors.resize(len, 0);
        self.sent.resize(len, 0);
        self.latency_sum_ns.resize(len, 0);
        for counts in self.codes.values_mut() {
            counts.resize(len, 0);
        }
        for node in &mut self.nodes {
            node.successes.resize(len, 0);
            node.errors.resize(len, 0);
            if let Some(forwarded) = &mut node.forwarded {
                forwarded.resize(len, 0);
            }
        }
        if let Some(r) = &mut self.responders {
            for (_, counts) in &mut r.values {
                counts.resize(len, 0);
            }
            r.other.resize(len, 0);
            r.absent.resize(len, 0);
        }
    }
}

impl PerSecond {
    /// The mean latency (ms) over windows of `window` seconds, at the middle of each window;
    /// windows where nothing was sent have no point.
    pub fn mean_latency_ms(&self, window: usize) -> Vec<(f64, f64)> {
        let window = window.max(1);
        let sums = self.latency_sum_ns.chunks(window);
        let counts = self.sent.chunks(window);
        sums.zip(counts)
            .enumerate()
            .filter_map(|(i, (sums, counts))| {
                let n: u64 = counts.iter().sum();
                let total: u128 = sums.iter().sum();
                let middle = (i * window) as f64 + sums.len() as f64 / 2.0;
                (n > 0).then(|| (middle, total as f64 / n as f64 / 1e6))
            })
            .collect()
    }
}

/// Running totals of per-second counts: `(end of second n, total up to it)`, from `(0, 0)`.
pub fn cumulative(counts: &[u64]) -> Vec<(f64, f64)> {
    let mut total = 0u64;
    let mut out = Vec::with_capacity(counts.len() + 1);
    out.push((0.0, 0.0));
    for (second, n) in counts.iter().enumerate() {
        total += n;
        out.push(((second + 1) as f64, total as f64));
    }
    out
}

/// Per-second counts as points at the middle of each second.
pub fn per_second_points(counts: &[u64]) -> Vec<(f64, f64)> {
    counts.iter().enumerate().map(|(second, n)| (second as f64 + 0.5, *n as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_totals_end_each_second() {
        assert_eq!(cumulative(&[2, 0, 3]), vec![(0.0, 0.0), (1.0, 2.0), (2.0, 2.0), (3.0, 5.0)]);
        assert_eq!(per_second_points(&[4, 1]), vec![(0.5, 4.0), (1.5, 1.0)]);
        let p = PerSecond {
            sent: vec![1, 3, 0, 0, 2],
            latency_sum_ns: vec![4_000_000, 6_000_000, 0, 0, 2_000_000],
            ..PerSecond::default()
        };
        assert_eq!(p.mean_latency_ms(1), vec![(0.5, 4.0), (1.5, 2.0), (4.5, 1.0)]);
        assert_eq!(p.mean_latency_ms(2), vec![(1.0, 2.5), (4.5, 1.0)]);
    }
}
