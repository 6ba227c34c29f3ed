//! The vegeta JSON-lines format: golden lines compared byte for byte with vegeta's, round trips
//! of every field, and reading files vegeta itself wrote (offsets, null headers, older layouts).

use super::*;
use dfaas_run::model::units::StatusSet;
use dfaas_run::runtime::results::{read_results, ResultsReader, VegetaEncoder, VegetaResult};
use proptest::prelude::*;
use std::path::Path;

fn encode(record: &Record, success: &StatusSet) -> String {
    let mut encoder = VegetaEncoder::new("spike", &["x-server".into(), "via".into()], &["edge".into()], true);
    let mut out = Vec::new();
    encoder.encode_record(record, success, &mut out);
    String::from_utf8(out).unwrap()
}

fn vegeta_rule() -> StatusSet {
    StatusSet::range(200, 399)
}

/// Source of truth: vegeta's `NewJSONEncoder` (lib/results_json.go, vegeta v12.12), which writes
/// `attack, seq, code, timestamp, latency, bytes_out, bytes_in, error, body, method, url, headers`
/// in that order; `timestamp` with Go's `time.RFC3339Nano` (trailing fraction zeros trimmed);
/// `latency` as integer nanoseconds; `body` as standard base64, `""` when empty; `headers` as
/// `{}` when empty; strings through `appendJSONString` (which also escapes `<` and `'`). Each
/// `VEGETA` line below was written by hand from that code for the `Result` vegeta would produce
/// for the same request. Ours must be exactly that line with our extra fields before the `}`.
fn assert_vegeta_line_plus_extras(ours: &str, vegeta: &str, extras: &str) {
    let expected = format!("{}{extras}}}\n", vegeta.strip_suffix('}').unwrap());
    assert_eq!(ours, expected);
}

#[test]
fn golden_success_line() {
    const VEGETA: &str = r#"{"attack":"spike","seq":42,"code":200,"timestamp":"2024-05-01T12:00:00.1234567Z","latency":1500000,"bytes_out":11,"bytes_in":5,"error":"","body":"aGVsbG8=","method":"POST","url":"http://127.0.0.1:8080/function/figlet","headers":{"X-Server":["10.0.0.1"]}}"#;
    const EXTRAS: &str = r#","lateness":2500,"node":"edge","error_kind":"""#;
    assert_vegeta_line_plus_extras(&encode(&full_record(), &vegeta_rule()), VEGETA, EXTRAS);
}

#[test]
fn golden_status_error_line() {
    let mut record = record(7, at(MAY_FIRST_NOON + 1, 0));
    record.code = 503;
    record.url = Arc::from("http://127.0.0.1:8080/function/echo?q=<it's>");
    record.latency = Duration::from_nanos(987_654_321);
    const VEGETA: &str = r#"{"attack":"spike","seq":7,"code":503,"timestamp":"2024-05-01T12:00:01Z","latency":987654321,"bytes_out":0,"bytes_in":0,"error":"503 Service Unavailable","body":"","method":"GET","url":"http://127.0.0.1:8080/function/echo?q=\u003cit\u0027s>","headers":{}}"#;
    const EXTRAS: &str = r#","lateness":0,"node":"","error_kind":"status""#;
    assert_vegeta_line_plus_extras(&encode(&record, &vegeta_rule()), VEGETA, EXTRAS);
}

#[test]
fn golden_transport_error_line() {
    // The message is ours (documented in docs/results-format.md); its encoding is vegeta's.
    let record = failed(record(8, at(MAY_FIRST_NOON, 5_000)), ErrorKind::ConnectRefused);
    const VEGETA: &str = r#"{"attack":"spike","seq":8,"code":0,"timestamp":"2024-05-01T12:00:00.000005Z","latency":1000000,"bytes_out":0,"bytes_in":0,"error":"Get \"http://127.0.0.1:8080/x\": dial tcp 127.0.0.1:8080: connect: connection refused","body":"","method":"GET","url":"http://127.0.0.1:8080/x","headers":{}}"#;
    const EXTRAS: &str = r#","lateness":0,"node":"","error_kind":"connect_refused""#;
    assert_vegeta_line_plus_extras(&encode(&record, &vegeta_rule()), VEGETA, EXTRAS);
}

#[test]
fn the_success_rule_decides_status_errors() {
    let mut redirect = record(1, at(MAY_FIRST_NOON, 0));
    redirect.code = 302;
    let as_vegeta = VegetaResult::from_line(encode(&redirect, &vegeta_rule()).as_bytes()).unwrap();
    assert!(as_vegeta.is_success());
    let only_200 = VegetaResult::from_line(encode(&redirect, &StatusSet::range(200, 200)).as_bytes()).unwrap();
    assert_eq!(only_200.error, "302 Found");
    assert_eq!(only_200.error_kind.as_deref(), Some("status"));
}

#[test]
fn round_trip_of_every_field() {
    let mut record = full_record();
    record.headers = vec![
        (1, HeaderValue::from_static("1.1 proxy")),
        (0, HeaderValue::from_static("10.0.0.1")),
        (0, HeaderValue::from_static("10.0.0.2")),
    ];
    record.error = Some(ErrorKind::Http("malformed \"response\"\nline".into()));
    record.body = Some(Bytes::from_static(&[0, 159, 146, 150, 255]));
    let line = encode(&record, &vegeta_rule());
    let decoded = VegetaResult::from_line(line.as_bytes()).unwrap();
    let expected = VegetaResult {
        attack: "spike".into(),
        seq: 42,
        code: 200,
        timestamp: record.timestamp,
        latency: record.latency,
        bytes_out: 11,
        bytes_in: 5,
        error: "Post \"http://127.0.0.1:8080/function/figlet\": malformed \"response\"\nline".into(),
        body: vec![0, 159, 146, 150, 255],
        method: "POST".into(),
        url: "http://127.0.0.1:8080/function/figlet".into(),
        headers: vec![
            ("X-Server".into(), vec!["10.0.0.1".into(), "10.0.0.2".into()]),
            ("Via".into(), vec!["1.1 proxy".into()]),
        ],
        lateness: Some(Lateness::late(Duration::from_nanos(2500))),
        node: Some("edge".into()),
        error_kind: Some("http".into()),
    };
    assert_eq!(decoded, expected);
    assert_eq!(decoded.header("x-server").map(<[String]>::len), Some(2));
    assert_eq!(decoded.scheduled(), record.scheduled());
    assert_eq!(decoded.end(), record.timestamp + record.latency);
}

#[test]
fn a_request_sent_early_has_a_negative_lateness_and_keeps_its_scheduled_time() {
    let mut record = full_record();
    record.lateness = Lateness::early(Duration::from_micros(640));
    let line = encode(&record, &vegeta_rule());
    assert!(line.contains(r#""lateness":-640000,"#), "{line}");
    let fast = VegetaResult::from_line(line.as_bytes()).unwrap();
    let by_serde: VegetaResult = serde_json::from_str(&line).unwrap();
    for decoded in [&fast, &by_serde] {
        assert_eq!(decoded.lateness, Some(record.lateness));
        assert_eq!(decoded.scheduled(), record.timestamp + Duration::from_micros(640));
        assert_eq!(decoded.scheduled(), record.scheduled());
    }
    for malformed in [r#""lateness":-,"#, r#""lateness":- 5,"#, r#""lateness":--5,"#] {
        let bad = line.replace(r#""lateness":-640000,"#, malformed);
        assert!(VegetaResult::from_line(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn bodies_are_written_only_when_asked() {
    let mut encoder = VegetaEncoder::new("a", &[], &[], false);
    let mut out = Vec::new();
    encoder.encode_record(&full_record(), &vegeta_rule(), &mut out);
    let decoded = VegetaResult::from_line(&out).unwrap();
    assert!(decoded.body.is_empty());
    assert_eq!(decoded.bytes_in, 5);
    assert_eq!(decoded.node, None, "node index 0 is out of an empty node list");
}

#[test]
fn reads_files_written_by_vegeta() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/results/fixtures/written-by-vegeta.json");
    let mut reader = read_results(&path).unwrap();
    let results: Vec<VegetaResult> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(reader.truncated_tail(), None);
    assert_eq!(results.len(), 3);

    let ok = &results[0];
    assert_eq!(ok.timestamp, at(MAY_FIRST_NOON, 123_000), "+02:00 is converted");
    assert_eq!(ok.latency, Duration::from_nanos(1_234_567));
    assert_eq!(ok.body, b"hello world");
    assert_eq!(ok.header("content-type"), Some(&["text/plain; charset=utf-8".to_string()][..]));
    assert!(ok.is_success());
    assert_eq!((ok.lateness, ok.node.as_deref(), ok.error_kind.as_deref()), (None, None, None));

    let refused = &results[1];
    assert_eq!(refused.timestamp, at(MAY_FIRST_NOON, 100_123_000));
    assert!(refused.headers.is_empty(), "null headers read as none");
    assert!(!refused.is_success());
    assert!(refused.error.ends_with("connect: connection refused"));

    let old = &results[2];
    assert_eq!(old.timestamp, at(1_551_452_400, 500_000_000), "-05:00 is converted");
    assert_eq!((old.method.as_str(), old.url.as_str()), ("", ""), "older vegeta wrote no method/url");
    assert!(old.body.is_empty() && old.headers.is_empty());
    assert_eq!(old.error, "500 Internal Server Error");
}

#[test]
fn a_truncated_last_line_is_a_warning_and_a_bad_middle_line_an_error() {
    let whole = encode(&full_record(), &vegeta_rule());
    let input = format!("{whole}{whole}{}", &whole[..whole.len() / 2]);
    let mut reader = reader_of(&input);
    assert_eq!(reader.by_ref().filter(Result::is_ok).count(), 2);
    let tail = reader.truncated_tail().unwrap();
    assert_eq!((tail.line, tail.path.as_path()), (3, Path::new("mem.json")));

    let broken = format!("{whole}{{\"seq\":1}}\n{whole}");
    let outcomes: Vec<bool> = reader_of(&broken).map(|r| r.is_ok()).collect();
    assert_eq!(outcomes, vec![true, false, true]);
    let error = reader_of(&broken).nth(1).unwrap().unwrap_err();
    assert!(error.to_string().starts_with("mem.json:2: not a result"), "{error}");
}

fn reader_of(text: &str) -> ResultsReader<std::io::Cursor<Vec<u8>>> {
    ResultsReader::new(Path::new("mem.json"), std::io::Cursor::new(text.as_bytes().to_vec()))
}

proptest! {
    #[test]
    fn any_record_round_trips(
        seq in any::<u64>(),
        nanos in 0u64..4_102_444_800_000_000_000,
        latency in 0u64..i64::MAX as u64,
        code in 0u16..1000,
        url in "http://127\\.0\\.0\\.1:8080/\\PC{0,40}",
        detail in "\\PC{0,30}",
        body in proptest::collection::vec(any::<u8>(), 0..64),
        header in "[ -~]{0,20}",
    ) {
        let mut record = full_record();
        record.seq = seq;
        record.timestamp = UNIX_EPOCH + Duration::from_nanos(nanos);
        record.latency = Duration::from_nanos(latency);
        record.code = code;
        record.url = Arc::from(url.as_str());
        record.error = (code == 0).then(|| ErrorKind::Other(detail.clone()));
        record.body = Some(Bytes::from(body.clone()));
        record.headers = vec![(0, HeaderValue::from_str(&header).unwrap())];
        let line = encode(&record, &vegeta_rule());
        prop_assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        let decoded = VegetaResult::from_line(line.as_bytes()).unwrap();
        prop_assert_eq!(decoded.seq, seq);
        prop_assert_eq!(decoded.timestamp, record.timestamp);
        prop_assert_eq!(decoded.latency, record.latency);
        prop_assert_eq!(decoded.code, code);
        prop_assert_eq!(&decoded.url, &url);
        prop_assert_eq!(&decoded.body, &body);
        prop_assert_eq!(decoded.header("X-Server"), Some(&[header][..]));
        let success = vegeta_rule().contains(code) && code != 0;
        prop_assert_eq!(decoded.is_success(), success);
        if code == 0 {
            prop_assert_eq!(decoded.error, format!("Post \"{url}\": {detail}"));
        }
    }
}
