//! One attack's per-second series over several shards, aligned on absolute time: each shard's
//! second goes to the merged second its start is nearest to, counted from a common origin.
//!
//! Counts stay exact (every row lands in exactly one merged second); a shard that started `d` after
//! the origin has its seconds placed `round(d)` seconds later, so shards within the start grace of
//! each other (usually milliseconds) line up second for second.

use crate::runtime::results::timestamp::{format_rfc3339, from_unix_nanos, parse_rfc3339, unix_nanos};
use crate::runtime::results::SERIES_BASE_COLUMNS as BASE;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Merges the `timeseries.csv` files of `inputs` into `output`, second 0 starting at `origin`.
pub fn merge_series(inputs: &[&Path], origin: SystemTime, output: &Path) -> io::Result<()> {
    let origin_nanos = unix_nanos(origin);
    // Merged second → column → value; and every extra column in first-seen order.
    let mut seconds: BTreeMap<u64, BTreeMap<String, u64>> = BTreeMap::new();
    let mut extra: Vec<String> = Vec::new();
    for path in inputs {
        let context =
            |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display()));
        let mut reader = csv::Reader::from_path(path).map_err(|e| context(&e))?;
        let columns: Vec<String> = reader.headers().map_err(|e| context(&e))?.iter().map(str::to_string).collect();
        if columns.get(..2) != Some(&["second".to_string(), "timestamp".to_string()][..]) {
            return Err(context(&"not a dfaas-run timeseries.csv (it must start with `second,timestamp`)"));
        }
        for name in columns.iter().skip(2) {
            if !BASE.contains(&name.as_str()) && !extra.contains(name) {
                extra.push(name.clone());
            }
        }
        for row in reader.records() {
            let row = row.map_err(|e| context(&e))?;
            let at = row
                .get(1)
                .and_then(|t| parse_rfc3339(t.as_bytes()))
                .ok_or_else(|| context(&"a row has no RFC 3339 timestamp"))?;
            let offset = at - origin_nanos;
            let second = if offset <= 0 { 0 } else { ((offset + 500_000_000) / 1_000_000_000) as u64 };
            let cells = seconds.entry(second).or_default();
            for (name, value) in columns.iter().zip(row.iter()).skip(2) {
                let value: u64 =
                    value.parse().map_err(|_| context(&format!("`{value}` in column `{name}` is not a count")))?;
                let cell = cells.entry(name.clone()).or_insert(0);
                *cell = match name.as_str() {
                    "latency_max_ns" => (*cell).max(value),
                    "latency_mean_ns" => 0,
                    _ => cell.saturating_add(value),
                };
            }
        }
    }
    let columns = ordered_columns(extra);
    let mut out = csv::Writer::from_path(output)?;
    out.write_record(&columns)?;
    let last = seconds.last_key_value().map_or(0, |(s, _)| s + 1);
    let empty = BTreeMap::new();
    for second in 0..last {
        let cells = seconds.get(&second).unwrap_or(&empty);
        let cell = |name: &str| cells.get(name).copied().unwrap_or(0);
        let sent = cell("requests").saturating_sub(cell("not_sent"));
        let row: Vec<String> = columns
            .iter()
            .map(|name| match name.as_str() {
                "second" => second.to_string(),
                "timestamp" => format_rfc3339(from_unix_nanos(origin_nanos) + Duration::from_secs(second)),
                "latency_mean_ns" => cell("latency_sum_ns").checked_div(sent).unwrap_or(0).to_string(),
                other => cell(other).to_string(),
            })
            .collect();
        out.write_record(&row)?;
    }
    out.flush()
}

/// The writer's column order: the base columns, `code:<status>` ascending, `node:` columns in
/// first-seen order, then per header (first-seen order) `absent`, `other` and the values sorted.
fn ordered_columns(extra: Vec<String>) -> Vec<String> {
    let mut codes: Vec<(u16, String)> = Vec::new();
    let mut nodes: Vec<String> = Vec::new();
    let mut headers: Vec<(String, Vec<String>)> = Vec::new();
    for name in extra {
        if let Some(code) = name.strip_prefix("code:").and_then(|c| c.parse::<u16>().ok()) {
            codes.push((code, name));
        } else if name.starts_with("node:") {
            nodes.push(name);
        } else {
            let header = match name.split_once('=') {
                Some((header, _)) => header.to_string(),
                None => name.rsplit_once(':').map_or(name.clone(), |(header, _)| header.to_string()),
            };
            match headers.iter_mut().find(|(h, _)| *h == header) {
                Some((_, columns)) => columns.push(name),
                None => headers.push((header, vec![name])),
            }
        }
    }
    codes.sort();
    let mut columns: Vec<String> = BASE.iter().map(|c| c.to_string()).collect();
    columns.extend(codes.into_iter().map(|(_, name)| name));
    columns.extend(nodes);
    for (header, mut names) in headers {
        let rank = |n: &String| {
            if *n == format!("{header}:absent") {
                0
            } else if *n == format!("{header}:other") {
                1
            } else {
                2
            }
        };
        names.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
        columns.extend(names);
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn seconds_align_on_absolute_time_and_counts_add() {
        let dir = tempfile::tempdir().expect("temp dir");
        let head = "second,timestamp,requests,successes,errors,not_sent,bytes_out,bytes_in,latency_sum_ns,latency_max_ns,latency_mean_ns";
        // Shard 0 started on time, shard 1 3 ms late, with a code and a header value of its own.
        let a = write(
            dir.path(),
            "a.csv",
            &format!(
                "{head},code:200,node:n:successes,node:n:errors,X-Server:absent,X-Server:other,X-Server=b\n\
                      0,2030-01-01T00:00:00Z,5,5,0,0,0,10,500,200,100,5,5,0,0,0,5\n\
                      1,2030-01-01T00:00:01Z,5,5,0,0,0,10,1000,300,200,5,5,0,0,0,5\n"
            ),
        );
        let b = write(
            dir.path(),
            "b.csv",
            &format!(
                "{head},code:200,code:500,node:n:successes,node:n:errors,X-Server:absent,X-Server:other,X-Server=a\n\
                      0,2030-01-01T00:00:00.003Z,5,4,1,0,0,8,1500,900,300,4,1,4,1,0,0,4\n"
            ),
        );
        let out = dir.path().join("merged.csv");
        let origin = from_unix_nanos(parse_rfc3339(b"2030-01-01T00:00:00Z").expect("time"));
        merge_series(&[&a, &b], origin, &out).expect("merges");
        let text = std::fs::read_to_string(&out).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            format!("{head},code:200,code:500,node:n:successes,node:n:errors,X-Server:absent,X-Server:other,X-Server=a,X-Server=b")
        );
        assert_eq!(lines[1], "0,2030-01-01T00:00:00Z,10,9,1,0,0,18,2000,900,200,9,1,9,1,0,0,4,5");
        assert_eq!(lines[2], "1,2030-01-01T00:00:01Z,5,5,0,0,0,10,1000,300,200,5,0,5,0,0,0,0,5");
        assert_eq!(lines.len(), 3);
    }
}
