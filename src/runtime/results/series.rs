//! The per-second time series of an attack, relative to its start (second = ⌊(timestamp − start) / 1 s⌋),
//! written as `timeseries.csv`. Memory grows only with seconds, codes, nodes and capped header values.

use super::record::Record;
use super::recorded_headers::{HeaderValues, ABSENT_SLOT, OTHER_SLOT};
use super::timestamp::{format_rfc3339, unix_nanos};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The columns every `timeseries.csv` starts with, in order; the others are counts per status
/// code, node and recorded header value.
pub const BASE_COLUMNS: [&str; 11] = [
    "second",
    "timestamp",
    "requests",
    "successes",
    "errors",
    "not_sent",
    "bytes_out",
    "bytes_in",
    "latency_sum_ns",
    "latency_max_ns",
    "latency_mean_ns",
];

/// The counts of one second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondCounts {
    pub requests: u64,
    pub successes: u64,
    pub errors: u64,
    /// Records never sent (cap reached, or the request could not be built).
    pub not_sent: u64,
    pub bytes_out: u64,
    pub bytes_in: u64,
    /// Sum of the latencies of the requests sent in this second (saturating).
    pub latency_sum_ns: u64,
    pub latency_max_ns: u64,
    /// (status code, count), in order of first appearance.
    pub codes: Vec<(u16, u64)>,
    /// Per node of the attack: (successes, errors).
    pub nodes: Vec<(u64, u64)>,
    /// Per recorded header: counts by value slot (see `recorded_headers`).
    pub header_slots: Vec<Vec<u64>>,
}

impl SecondCounts {
    pub fn code(&self, code: u16) -> u64 {
        self.codes.iter().find(|(c, _)| *c == code).map_or(0, |(_, n)| *n)
    }
}

/// Buckets records by the second of the attack they were sent in.
#[derive(Debug)]
pub struct Series {
    start: SystemTime,
    start_nanos: i128,
    node_count: usize,
    header_count: usize,
    seconds: BTreeMap<u64, SecondCounts>,
    before_start: u64,
}

impl Series {
    pub fn new(start: SystemTime, node_count: usize, header_count: usize) -> Self {
        Series {
            start,
            start_nanos: unix_nanos(start),
            node_count,
            header_count,
            seconds: BTreeMap::new(),
            before_start: 0,
        }
    }

    /// The second of the attack a timestamp falls in; timestamps before the start (a clock step
    /// backwards) fall in second 0 and are counted by [`Series::before_start`].
    pub fn second_of(&self, timestamp: SystemTime) -> Option<u64> {
        let offset = unix_nanos(timestamp) - self.start_nanos;
        (offset >= 0).then_some((offset / 1_000_000_000) as u64)
    }

    /// Counts one record. `success` is its classification; `header_slots` its slot per recorded
    /// header (from `HeaderValues::classify`).
    pub fn observe(&mut self, record: &Record, success: bool, header_slots: &[usize]) {
        let second = self.second_of(record.timestamp).unwrap_or_else(|| {
            self.before_start += 1;
            0
        });
        let (node_count, header_count) = (self.node_count, self.header_count);
        let counts = self.seconds.entry(second).or_insert_with(|| SecondCounts {
            nodes: vec![(0, 0); node_count],
            header_slots: vec![Vec::new(); header_count],
            ..SecondCounts::default()
        });
        counts.requests += 1;
        if success {
            counts.successes += 1;
        } else {
            counts.errors += 1;
        }
        if record.not_sent() {
            counts.not_sent += 1;
        } else {
            let latency = u64::try_from(record.latency.as_nanos()).unwrap_or(u64::MAX);
            counts.latency_sum_ns = counts.latency_sum_ns.saturating_add(latency);
            counts.latency_max_ns = counts.latency_max_ns.max(latency);
        }
        counts.bytes_out += record.bytes_out;
        counts.bytes_in += record.bytes_in;
        match counts.codes.iter_mut().find(|(code, _)| *code == record.code) {
            Some((_, n)) => *n += 1,
            None => counts.codes.push((record.code, 1)),
        }
        if let Some(node) = counts.nodes.get_mut(usize::from(record.node)) {
            if success {
                node.0 += 1;
            } else {
                node.1 += 1;
            }
        }
        for (slots, &slot) in counts.header_slots.iter_mut().zip(header_slots) {
            if slots.len() <= slot {
                slots.resize(slot + 1, 0);
            }
            slots[slot] += 1;
        }
    }

    /// The counts of one second, if any record fell in it.
    pub fn second(&self, second: u64) -> Option<&SecondCounts> {
        self.seconds.get(&second)
    }

    /// How many seconds the series spans (last second with a record + 1).
    pub fn len(&self) -> u64 {
        self.seconds.last_key_value().map_or(0, |(second, _)| second + 1)
    }

    pub fn is_empty(&self) -> bool {
        self.seconds.is_empty()
    }

    /// Records timestamped before the attack's start (counted in second 0).
    pub fn before_start(&self) -> u64 {
        self.before_start
    }

    /// Writes `timeseries.csv`: one row per second from 0 to the last (seconds without any record
    /// are rows of zeros). Columns, in this order:
    /// `second, timestamp` (RFC 3339 start of the second), `requests, successes, errors,
    /// not_sent, bytes_out, bytes_in, latency_sum_ns, latency_max_ns, latency_mean_ns`
    /// (latencies over the requests actually sent), then `code:<status>` for every status seen in
    /// the attack (ascending), `node:<name>:successes` and `node:<name>:errors` per node in the
    /// attack's order, and per recorded header `<Header>:absent`, `<Header>:other` and
    /// `<Header>=<value>` per value (sorted; values beyond the first 64 distinct count as other).
    pub fn write_csv(&self, path: &Path, node_names: &[String], headers: &HeaderValues) -> io::Result<()> {
        let codes: BTreeSet<u16> = self.seconds.values().flat_map(|c| c.codes.iter().map(|(code, _)| *code)).collect();
        let header_values: Vec<Vec<(usize, String)>> =
            (0..headers.names().len()).map(|h| headers.sorted_values(h)).collect();

        let mut columns: Vec<String> = BASE_COLUMNS.map(String::from).to_vec();
        columns.extend(codes.iter().map(|code| format!("code:{code}")));
        for name in node_names {
            columns.push(format!("node:{name}:successes"));
            columns.push(format!("node:{name}:errors"));
        }
        for (name, values) in headers.names().iter().zip(&header_values) {
            columns.push(format!("{name}:absent"));
            columns.push(format!("{name}:other"));
            columns.extend(values.iter().map(|(_, value)| format!("{name}={value}")));
        }

        let mut out = csv::Writer::from_writer(io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(path)?));
        out.write_record(&columns).map_err(io::Error::from)?;
        let empty = SecondCounts::default();
        let mut row: Vec<String> = Vec::with_capacity(columns.len());
        for second in 0..self.len() {
            let c = self.seconds.get(&second).unwrap_or(&empty);
            let sent = c.requests - c.not_sent;
            row.clear();
            row.push(second.to_string());
            row.push(format_rfc3339(self.start + Duration::from_secs(second)));
            for n in [c.requests, c.successes, c.errors, c.not_sent, c.bytes_out, c.bytes_in] {
                row.push(n.to_string());
            }
            row.push(c.latency_sum_ns.to_string());
            row.push(c.latency_max_ns.to_string());
            row.push(c.latency_sum_ns.checked_div(sent).unwrap_or(0).to_string());
            row.extend(codes.iter().map(|&code| c.code(code).to_string()));
            for node in 0..node_names.len() {
                let (successes, errors) = c.nodes.get(node).copied().unwrap_or_default();
                row.push(successes.to_string());
                row.push(errors.to_string());
            }
            for (header, values) in header_values.iter().enumerate() {
                let slots = c.header_slots.get(header).map_or(&[][..], |s| s.as_slice());
                let slot = |i: usize| slots.get(i).copied().unwrap_or(0).to_string();
                row.push(slot(ABSENT_SLOT));
                row.push(slot(OTHER_SLOT));
                row.extend(values.iter().map(|(i, _)| slot(*i)));
            }
            out.write_record(&row).map_err(io::Error::from)?;
        }
        let file = out.into_inner().map_err(|e| io::Error::other(e.to_string()))?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}
