//! Merging result files: timestamp order with stable ties, verbatim lines, bounded memory through
//! spilled runs, truncated last lines skipped and reported.

use super::*;
use dfaas_run::runtime::results::{merge_results, timestamp_key, MergeOptions};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

fn line(tag: &str, timestamp: &str) -> String {
    format!(
        r#"{{"attack":"{tag}","seq":0,"code":200,"timestamp":"{timestamp}","latency":1000,"bytes_out":0,"bytes_in":0,"error":"","body":"","method":"GET","url":"http://127.0.0.1:8080/","headers":{{}}}}"#
    )
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn tiny() -> MergeOptions {
    MergeOptions { chunk_records: 2, chunk_bytes: 1 << 20, fan_in: 2 }
}

#[test]
fn three_unsorted_inputs_merge_in_timestamp_order() {
    let dir = tempfile::tempdir().unwrap();
    let noon = |s: &str| format!("2024-05-01T12:00:{s}Z");
    let a = [("a1", noon("03")), ("a2", noon("01")), ("a3", noon("02")), ("a4", noon("01"))];
    // Written by vegeta on a machine at +02:00.
    let b = [
        ("b1", "2024-05-01T14:00:02+02:00".to_string()),
        ("b2", "2024-05-01T14:00:00.5+02:00".into()),
        ("b3", "2024-05-01T14:00:04+02:00".into()),
    ];
    let c = [("c1", noon("01")), ("c2", noon("00"))];
    let lines = |entries: &[(&str, String)]| entries.iter().map(|(tag, ts)| line(tag, ts) + "\n").collect::<String>();
    let truncated = &line("c4", &noon("05"))[..90];
    let inputs = vec![
        write(dir.path(), "a.json", &lines(&a)),
        write(dir.path(), "b.json", &lines(&b)),
        write(dir.path(), "c.json", &format!("{}\n{truncated}", lines(&c))),
    ];
    let output = dir.path().join("merged-results.json");

    let summary = merge_results(&inputs, &output, tiny()).unwrap();

    let tags: Vec<String> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["attack"].as_str().unwrap().to_string())
        .collect();
    // Ties (01: a2, a4, c1; 02: a3, b1) keep input order, then line order.
    assert_eq!(tags, ["c2", "b2", "a2", "a4", "c1", "a3", "b1", "a1", "b3"]);
    let merged = std::fs::read_to_string(&output).unwrap();
    let mut expected_lines: Vec<String> = a.iter().chain(&b).chain(&c).map(|(tag, ts)| line(tag, ts)).collect();
    let mut got_lines: Vec<&str> = merged.lines().collect();
    expected_lines.sort();
    got_lines.sort();
    assert_eq!(got_lines, expected_lines, "every line, verbatim");

    assert_eq!(summary.lines, 9);
    // Windows of 2 lines: a2 a3 a1 | a4 b1 b3 | b2 c1 | c2.
    assert_eq!(summary.runs, 4);
    assert_eq!(summary.inputs.iter().map(|i| i.lines).collect::<Vec<_>>(), [4, 3, 2]);
    assert_eq!(summary.skipped_lines.len(), 1);
    assert_eq!((summary.skipped_lines[0].path.as_path(), summary.skipped_lines[0].line), (inputs[2].as_path(), 4));
    assert_eq!(summary.first_timestamp, Some(at(MAY_FIRST_NOON, 0)));
    assert_eq!(summary.last_timestamp, Some(at(MAY_FIRST_NOON + 4, 0)));
    assert_eq!(files_in(dir.path()), ["a.json", "b.json", "c.json", "merged-results.json"], "no run left behind");
}

#[test]
fn a_complete_last_line_without_newline_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let last = line("x", "2024-05-01T12:00:00Z");
    let input = write(dir.path(), "x.json", &last);
    let output = dir.path().join("out.json");
    let summary = merge_results(&[input], &output, MergeOptions::default()).unwrap();
    assert_eq!((summary.lines, summary.runs, summary.skipped_lines.len()), (1, 0, 0));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), last + "\n");
}

#[test]
fn a_line_without_timestamp_in_the_middle_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = line("ok", "2024-05-01T12:00:00Z");
    let input = write(dir.path(), "bad.json", &format!("{good}\n{{\"seq\":1}}\n{good}\n"));
    let output = dir.path().join("out.json");
    let error = merge_results(std::slice::from_ref(&input), &output, tiny()).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(error.to_string(), format!("{}:2: no RFC 3339 `timestamp` in this line", input.display()));
    assert_eq!(files_in(dir.path()), ["bad.json"], "no output and no run left behind");
}

#[test]
fn finds_the_timestamp_wherever_it_is() {
    assert_eq!(timestamp_key(br#"{"timestamp":"1970-01-01T00:00:01Z"}"#), Some(1_000_000_000));
    assert_eq!(
        timestamp_key(br#"{"a":"\"timestamp\"","timestamp" : "1970-01-01T00:00:01.5+00:00"}"#),
        Some(1_500_000_000)
    );
    assert_eq!(
        timestamp_key(br#"{"headers":{"timestamp":["x"]},"timestamp":"1970-01-01T00:00:02Z"}"#),
        Some(2_000_000_000)
    );
    assert_eq!(timestamp_key(br#"{"timestamp":"yesterday"}"#), None);
    assert_eq!(timestamp_key(br#"{"timestamp":17}"#), None);
}

/// Line `l` of file `f`: (seconds after noon, offset in hours).
type Inputs = Vec<Vec<(u8, i8)>>;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn merge_output_is_the_stable_sort_of_the_inputs(
        inputs in proptest::collection::vec(proptest::collection::vec((0u8..8, -3i8..4), 0..25), 1..5),
        chunk_records in 1usize..9,
        fan_in in 2usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let inputs: Inputs = inputs;
        let mut all: Vec<(i128, String)> = Vec::new();
        let mut paths = Vec::new();
        for (f, file) in inputs.iter().enumerate() {
            let mut content = String::new();
            for (l, &(second, offset)) in file.iter().enumerate() {
                let nanos = (i128::from(MAY_FIRST_NOON) + i128::from(second)) * 1_000_000_000;
                let offset = UtcOffset::from_hms(offset, 0, 0).unwrap();
                let ts = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap().to_offset(offset).format(&Rfc3339).unwrap();
                let text = line(&format!("f{f}l{l}"), &ts);
                content.push_str(&text);
                content.push('\n');
                all.push((nanos, text));
            }
            paths.push(write(dir.path(), &format!("in-{f}.json"), &content));
        }
        let output = dir.path().join("merged.json");
        let options = MergeOptions { chunk_records, chunk_bytes: 1 << 20, fan_in };
        let summary = merge_results(&paths, &output, options).unwrap();

        all.sort_by_key(|(nanos, _)| *nanos);
        let expected: String = all.iter().map(|(_, text)| format!("{text}\n")).collect();
        prop_assert_eq!(std::fs::read_to_string(&output).unwrap(), expected);
        prop_assert_eq!(summary.lines as usize, all.len());
        prop_assert!(summary.skipped_lines.is_empty());
        prop_assert_eq!(files_in(dir.path()).len(), paths.len() + 1);
    }
}
