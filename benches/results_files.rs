//! Results files at scale: encodes N results of two attacks in vegeta's format, merges them in
//! timestamp order, and reads the merge back into a report's figures, printing results/s for each.
//!
//! `benches/compare.sh` runs it with `--bench --results 5000000`; `cargo test --benches` runs it
//! on 20 000 results and checks every count (no timing is checked anywhere).

use dfaas_run::model::units::StatusSet;
use dfaas_run::runtime::results::{
    merge_results, read_results, DurationHistogram, MergeOptions, Record, VegetaEncoder,
};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// One error in this many results (a 503), so that reports have both kinds.
const ERROR_EVERY: u64 = 97;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let bench = args.iter().any(|a| a == "--bench");
    let results: u64 = match value("--results").map(|v| v.parse()) {
        Some(Ok(n)) if n >= 2 => n,
        Some(_) => fail("--results takes a whole number of at least 2"),
        None if bench => 5_000_000,
        None => 20_000,
    };
    let temp = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("cannot create a temporary folder: {e}")));
    let dir = value("--dir").map(PathBuf::from).unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", dir.display())));

    let inputs = [dir.join("a.json"), dir.join("b.json")];
    let started = Instant::now();
    let bytes = write_inputs(&inputs, results);
    let encode = started.elapsed();

    let merged = dir.join("merged.json");
    let started = Instant::now();
    let summary = merge_results(&inputs, &merged, MergeOptions::default())
        .unwrap_or_else(|e| fail(&format!("merge failed: {e}")));
    let merge = started.elapsed();
    check(summary.lines == results, &format!("merged {} lines, expected {results}", summary.lines));

    let started = Instant::now();
    let figures = report(&merged);
    let report_time = started.elapsed();
    check(figures.requests == results, &format!("report read {} results, expected {results}", figures.requests));
    let errors = results.div_ceil(2).div_ceil(ERROR_EVERY) + (results / 2).div_ceil(ERROR_EVERY);
    check(figures.requests - figures.successes == errors, "report counted the wrong number of errors");
    check(figures.out_of_order == 0, "merged results are not in timestamp order");

    let rate = |d: Duration| results as f64 / d.as_secs_f64().max(1e-9);
    println!("results files: {results} results of 2 attacks, {:.0} MB of JSON lines", bytes as f64 / 1e6);
    println!("  encode (vegeta JSON lines)      {:>10.0} results/s  ({:.2} s)", rate(encode), encode.as_secs_f64());
    let passes = match summary.runs {
        0 => "one pass".to_string(),
        runs => format!("{runs} sorted runs merged"),
    };
    println!(
        "  merge (timestamp order)         {:>10.0} results/s  ({:.2} s, {passes})",
        rate(merge),
        merge.as_secs_f64()
    );
    println!(
        "  report (decode and aggregate)   {:>10.0} results/s  ({:.2} s: success {:.2} %, p99 {:.2} ms)",
        rate(report_time),
        report_time.as_secs_f64(),
        100.0 * figures.successes as f64 / figures.requests as f64,
        figures.latency.quantile(0.99).as_secs_f64() * 1e3
    );
    if value("--dir").is_some() {
        let _ = std::fs::remove_file(&inputs[0]);
        let _ = std::fs::remove_file(&inputs[1]);
    }
}

fn fail(message: &str) -> ! {
    eprintln!("results_files: {message}");
    std::process::exit(1)
}

fn check(ok: bool, message: &str) {
    if !ok {
        fail(message);
    }
}

/// Two attacks interleaved in time (attack `a` on even microseconds, `b` on odd ones), as a run
/// with two overlapping attacks writes them. Returns the bytes written.
fn write_inputs(paths: &[PathBuf; 2], results: u64) -> u64 {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let success = StatusSet::range(200, 399);
    let url: Arc<str> = Arc::from("http://127.0.0.1:8080/function/figlet");
    let method: Arc<str> = Arc::from("GET");
    let mut bytes = 0;
    for (attack, path) in paths.iter().enumerate() {
        let name = if attack == 0 { "a" } else { "b" };
        let file = std::fs::File::create(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let mut encoder = VegetaEncoder::new(name, &[], &[], false);
        let mut line = Vec::with_capacity(512);
        let count = if attack == 0 { results.div_ceil(2) } else { results / 2 };
        for seq in 0..count {
            let error = seq % ERROR_EVERY == 0;
            let record = Record {
                seq,
                timestamp: start + Duration::from_micros(2 * seq + attack as u64),
                latency: Duration::from_nanos(200_000 + (seq * 7919) % 5_000_000),
                lateness: dfaas_run::runtime::results::Lateness::from_nanos((seq as i64 * 104_729) % 200_000 - 100_000),
                code: if error { 503 } else { 200 },
                bytes_out: 0,
                bytes_in: if error { 0 } else { 6 },
                error: None,
                body: None,
                method: method.clone(),
                url: url.clone(),
                node: Record::NO_NODE,
                headers: Vec::new(),
            };
            line.clear();
            encoder.encode_record(&record, &success, &mut line);
            bytes += line.len() as u64;
            out.write_all(&line).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        }
        out.flush().unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    }
    bytes
}

/// What `vegeta report` computes: counts, status codes, bytes and the latency distribution.
struct Figures {
    requests: u64,
    successes: u64,
    codes: BTreeMap<u16, u64>,
    bytes_in: u64,
    latency: DurationHistogram,
    out_of_order: u64,
}

fn report(path: &Path) -> Figures {
    let mut figures = Figures {
        requests: 0,
        successes: 0,
        codes: BTreeMap::new(),
        bytes_in: 0,
        latency: DurationHistogram::new(),
        out_of_order: 0,
    };
    let mut last = SystemTime::UNIX_EPOCH;
    let reader = read_results(path).unwrap_or_else(|e| fail(&e.to_string()));
    for result in reader {
        let result = result.unwrap_or_else(|e| fail(&e.to_string()));
        figures.requests += 1;
        figures.successes += u64::from(result.is_success());
        *figures.codes.entry(result.code).or_default() += 1;
        figures.bytes_in += result.bytes_in;
        figures.latency.record(result.latency);
        figures.out_of_order += u64::from(result.timestamp < last);
        last = result.timestamp;
    }
    check(figures.codes.values().sum::<u64>() == figures.requests, "status codes do not add up");
    check(figures.bytes_in <= 6 * figures.requests, "bytes in do not add up");
    figures
}
