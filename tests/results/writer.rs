//! The writer end to end: many threads sending, every line written and counted once, and files
//! that stay readable when the sink is dropped without `finish`.

use super::*;
use dfaas_run::model::units::StatusSet;
use dfaas_run::runtime::results::{
    read_results, spawn_writer, AttackSummary, DurationHistogram, VegetaResult, WriterOptions, LATENCY_FILE,
    LATENESS_FILE, RESULTS_FILE, SERIES_FILE, SUMMARY_FILE,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const SENDERS: u64 = 4;
const PER_SENDER: u64 = 25_000;
const SERVERS: [&str; 3] = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

fn options(start: SystemTime) -> WriterOptions {
    WriterOptions {
        attack: "spike".into(),
        node_names: vec!["edge".into(), "cloud".into()],
        success: StatusSet::range(200, 200),
        recorded_headers: vec!["x-server".into()],
        start,
        write_body: false,
        write_results: true,
    }
}

/// The deterministic record number `seq`: a mix of successes, redirects, server errors,
/// timeouts and requests not sent in time, over two nodes and three responders.
fn varied_record(seq: u64, start: SystemTime) -> Record {
    let mut record = record(seq, start + Duration::from_micros(seq * 97));
    record.node = (seq % 2) as u16;
    record.bytes_out = 3;
    record.latency = Duration::from_micros(100 + seq % 5000);
    // Some sent early (negative), most late.
    record.lateness = Lateness::from_nanos((seq % 1000) as i64 - 200);
    match seq % 50 {
        0 => {
            record = failed(record, ErrorKind::Timeout);
            record.bytes_in = 0;
        }
        1 => {
            record = failed(record, ErrorKind::NotSentInTime);
            record.latency = Duration::ZERO;
        }
        11 => {
            record = failed(record, ErrorKind::NotBuilt("feeder exhausted".into()));
            record.latency = Duration::ZERO;
        }
        12 => record = failed(record, ErrorKind::Interrupted),
        2..=4 => record.code = 302,
        5..=9 => record.code = 500,
        _ => {}
    }
    if record.code != 0 {
        record.bytes_in = 5;
        record.headers = vec![(0, HeaderValue::from_static(SERVERS[(seq % 3) as usize]))];
    }
    record
}

/// The counts the summary must report, computed independently from the records.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    requests: u64,
    successes: u64,
    not_sent: u64,
    not_sent_in_time: u64,
    timeouts: u64,
    status_errors: u64,
    codes: BTreeMap<u16, u64>,
    bytes_in: u64,
    node_successes: [u64; 2],
    per_server: BTreeMap<String, u64>,
    min_latency: Option<u64>,
    max_latency: u64,
    early: u64,
    max_early: u64,
    max_late: u64,
}

impl Expected {
    fn count(&mut self, r: &Record) {
        self.requests += 1;
        let success = r.error.is_none() && r.code == 200;
        self.successes += u64::from(success);
        let not_sent = matches!(r.error, Some(ErrorKind::NotSentInTime | ErrorKind::NotBuilt(_)));
        self.not_sent += u64::from(not_sent);
        self.not_sent_in_time += u64::from(matches!(r.error, Some(ErrorKind::NotSentInTime)));
        self.timeouts += u64::from(matches!(r.error, Some(ErrorKind::Timeout)));
        self.status_errors += u64::from(r.error.is_none() && r.code != 200);
        *self.codes.entry(r.code).or_default() += 1;
        self.bytes_in += r.bytes_in;
        self.node_successes[usize::from(r.node)] += u64::from(success);
        if let Some((_, server)) = r.headers.first() {
            *self.per_server.entry(server.to_str().unwrap().to_string()).or_default() += 1;
        }
        if !not_sent {
            let nanos = r.latency.as_nanos() as u64;
            self.min_latency = Some(self.min_latency.map_or(nanos, |min| min.min(nanos)));
            self.max_latency = self.max_latency.max(nanos);
            let lateness = r.lateness.as_nanos();
            self.early += u64::from(lateness < 0);
            self.max_early = self.max_early.max((-lateness).max(0) as u64);
            self.max_late = self.max_late.max(lateness.max(0) as u64);
        }
    }
}

#[test]
fn many_senders_every_line_written_once_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let start = at(MAY_FIRST_NOON, 0);
    let sink = spawn_writer(dir.path(), options(start)).unwrap();
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let sink = sink.clone();
            std::thread::spawn(move || {
                for i in 0..PER_SENDER {
                    sink.send(varied_record(s * PER_SENDER + i, start));
                }
            })
        })
        .collect();
    senders.into_iter().for_each(|t| t.join().unwrap());
    let summary = sink.finish().unwrap().summary;

    let mut expected = Expected::default();
    (0..SENDERS * PER_SENDER).for_each(|seq| expected.count(&varied_record(seq, start)));

    // results.json: every record exactly once, decodable, classified as the summary says.
    let mut reader = read_results(&dir.path().join(RESULTS_FILE)).unwrap();
    let results: Vec<VegetaResult> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(reader.truncated_tail(), None);
    assert_eq!(results.len() as u64, SENDERS * PER_SENDER);
    let mut seen = vec![false; results.len()];
    for result in &results {
        assert!(!std::mem::replace(&mut seen[result.seq as usize], true), "seq {} twice", result.seq);
        assert_eq!(result.attack, "spike");
        let original = varied_record(result.seq, start);
        assert_eq!(
            (result.code, result.timestamp, result.latency),
            (original.code, original.timestamp, original.latency)
        );
        assert_eq!(result.node.as_deref(), Some(["edge", "cloud"][usize::from(original.node)]));
    }
    assert_eq!(results.iter().filter(|r| r.is_success()).count() as u64, expected.successes);

    // summary.json: equal to the independent counts, and to what finish returned.
    assert_eq!(summary.requests, expected.requests);
    assert_eq!(summary.successes, expected.successes);
    assert_eq!(summary.errors, expected.requests - expected.successes);
    assert_eq!(summary.not_sent, expected.not_sent);
    assert_eq!(summary.not_sent_in_time, expected.not_sent_in_time);
    assert_eq!(summary.errors_by_kind["not_built"], expected.not_sent - expected.not_sent_in_time);
    assert_eq!(summary.errors_by_kind["interrupted"], expected.requests / 50);
    assert_eq!(summary.errors_by_kind["timeout"], expected.timeouts);
    assert_eq!(summary.errors_by_kind["status"], expected.status_errors);
    assert_eq!(summary.errors_by_kind["not_sent_in_time"], expected.not_sent_in_time);
    assert_eq!(
        summary.error_messages["302 Found"] + summary.error_messages["500 Internal Server Error"],
        expected.status_errors
    );
    assert_eq!(summary.status_codes, expected.codes);
    assert_eq!(summary.bytes_in, expected.bytes_in);
    assert_eq!(summary.bytes_out, 3 * expected.requests);
    assert_eq!(summary.success_rule, "200");
    assert_eq!(summary.first_timestamp, Some(start));
    assert_eq!(summary.last_timestamp, Some(varied_record(SENDERS * PER_SENDER - 1, start).timestamp));
    assert_eq!([summary.nodes[0].successes, summary.nodes[1].successes], expected.node_successes);
    assert_eq!(summary.nodes.iter().map(|n| n.requests).sum::<u64>(), expected.requests);
    assert_eq!((Some(summary.latency.min_ns), summary.latency.max_ns), (expected.min_latency, expected.max_latency));
    assert_eq!(summary.latency.count, expected.requests - expected.not_sent);
    assert_eq!((summary.early.count, summary.early.max_ns), (expected.early, expected.max_early));
    assert_eq!((summary.lateness.count, summary.lateness.min_ns), (summary.latency.count, 0), "early counts as 0 late");
    assert_eq!(summary.lateness.max_ns, expected.max_late);
    let servers: BTreeMap<String, u64> =
        summary.headers[0].values.iter().map(|v| (v.value.clone(), v.requests)).collect();
    assert_eq!(servers, expected.per_server);
    assert_eq!(summary.headers[0].name, "X-Server");
    let written: AttackSummary =
        serde_json::from_slice(&std::fs::read(dir.path().join(SUMMARY_FILE)).unwrap()).unwrap();
    assert_eq!(written, summary);

    // Histograms and series agree with the counts.
    let latency = DurationHistogram::load(&dir.path().join(LATENCY_FILE)).unwrap();
    let lateness = DurationHistogram::load(&dir.path().join(LATENESS_FILE)).unwrap();
    assert_eq!((latency.count(), lateness.count()), (summary.latency.count, summary.latency.count));
    assert_eq!(latency.quantile(0.99).as_nanos() as u64, summary.latency.p99_ns);
    let csv = std::fs::read_to_string(dir.path().join(SERIES_FILE)).unwrap();
    let requests_per_second: u64 =
        csv.lines().skip(1).map(|row| row.split(',').nth(2).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(requests_per_second, expected.requests);
}

#[test]
fn a_sink_dropped_without_finish_leaves_readable_files() {
    let dir = tempfile::tempdir().unwrap();
    let start = at(MAY_FIRST_NOON, 0);
    let sink = spawn_writer(dir.path(), options(start)).unwrap();
    let other = sink.clone();
    for seq in 0..1_000 {
        sink.send(varied_record(seq, start));
    }
    drop(sink);
    other.send(varied_record(1_000, start));
    drop(other);

    // Simulate a kill in the middle of a later write: the last line is cut short.
    let path = dir.path().join(RESULTS_FILE);
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(br#"{"attack":"spike","seq":1001,"code":200,"timest"#).unwrap();
    drop(file);

    let mut reader = read_results(&path).unwrap();
    let results: Vec<VegetaResult> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(results.len(), 1_001);
    let tail = reader.truncated_tail().expect("the cut line is reported");
    assert_eq!(tail.line, 1_002);
    let summary: AttackSummary =
        serde_json::from_slice(&std::fs::read(dir.path().join(SUMMARY_FILE)).unwrap()).unwrap();
    assert_eq!(summary.requests, 1_001);
}

#[test]
fn an_existing_results_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(RESULTS_FILE), "keep me\n").unwrap();
    let error = spawn_writer(dir.path(), options(UNIX_EPOCH)).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(dir.path().join(RESULTS_FILE)).unwrap(), "keep me\n");
}

#[test]
fn an_empty_attack_writes_empty_but_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let sink = spawn_writer(&dir.path().join("nested/attack"), options(UNIX_EPOCH)).unwrap();
    let summary = sink.finish().unwrap().summary;
    assert_eq!((summary.requests, summary.first_timestamp, summary.latency.count), (0, None, 0));
    let attack_dir = dir.path().join("nested/attack");
    assert_eq!(std::fs::read(attack_dir.join(RESULTS_FILE)).unwrap(), b"");
    assert_eq!(DurationHistogram::load(&attack_dir.join(LATENCY_FILE)).unwrap().count(), 0);
    let csv = std::fs::read_to_string(attack_dir.join(SERIES_FILE)).unwrap();
    assert_eq!(csv.lines().count(), 1, "header row only");
    assert!(Path::new(&attack_dir.join(SUMMARY_FILE)).exists());
}

#[test]
fn without_results_lines_the_aggregates_are_the_same() {
    let start = at(MAY_FIRST_NOON, 0);
    let with = tempfile::tempdir().unwrap();
    let without = tempfile::tempdir().unwrap();
    let mut summaries = Vec::new();
    for (dir, write_results) in [(with.path(), true), (without.path(), false)] {
        let sink = spawn_writer(dir, WriterOptions { write_results, ..options(start) }).unwrap();
        for seq in 0..2_000 {
            sink.send(varied_record(seq, start));
        }
        summaries.push(sink.finish().unwrap().summary);
    }
    assert_eq!(summaries[0], summaries[1]);
    assert!(with.path().join(RESULTS_FILE).exists());
    assert!(!without.path().join(RESULTS_FILE).exists(), "no results.json when results are off");
    for file in [LATENCY_FILE, LATENESS_FILE, SERIES_FILE, SUMMARY_FILE] {
        assert_eq!(
            std::fs::read(with.path().join(file)).unwrap(),
            std::fs::read(without.path().join(file)).unwrap(),
            "{file}"
        );
    }
}

/// `results.json`'s timestamps (ns since the epoch), in file order.
fn written_keys(dir: &Path) -> Vec<i128> {
    read_results(&dir.join(RESULTS_FILE))
        .unwrap()
        .map(|r| r.unwrap().timestamp.duration_since(UNIX_EPOCH).unwrap().as_nanos() as i128)
        .collect()
}

/// Requests sent in an hour from now: the ordering window never lets them go for their age, only
/// when it is full and at the end, whatever the timing of this machine.
fn an_hour_ahead() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

#[test]
fn results_completing_out_of_order_are_written_in_timestamp_order() {
    let dir = tempfile::tempdir().unwrap();
    let start = an_hour_ahead();
    let sink = spawn_writer(dir.path(), options(start)).unwrap();
    // 100 000 requests completing out of order: in blocks of 64 backwards, more than the
    // window holds in all.
    let count = 100_000u64;
    for block in (0..count).step_by(64) {
        for seq in (block..(block + 64).min(count)).rev() {
            sink.send(record(seq, start + Duration::from_micros(seq * 10)));
        }
    }
    let finished = sink.finish().unwrap();
    assert!(finished.results_in_order);
    let keys = written_keys(dir.path());
    assert_eq!(keys.len() as u64, count);
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "not in timestamp order");
}

#[test]
fn a_straggler_is_written_and_the_file_is_said_out_of_order() {
    let dir = tempfile::tempdir().unwrap();
    let start = an_hour_ahead();
    let sink = spawn_writer(dir.path(), options(start)).unwrap();
    // Enough lines to fill the window, so that the earliest are written before the straggler
    // (sent before all of them) completes.
    for seq in 1..=40_000u64 {
        sink.send(record(seq, start + Duration::from_micros(seq)));
    }
    sink.send(record(0, start));
    let finished = sink.finish().unwrap();
    assert!(!finished.results_in_order);
    let keys = written_keys(dir.path());
    assert_eq!(keys.len(), 40_001, "every line is written");
    assert!(!keys.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(finished.summary.requests, 40_001);
}
