//! How the merge cuts its input into sorted runs: nearly sorted input in one pass, lines far out of
//! order, reversed and shuffled input through several runs, ties in input order across runs.

use super::merge::{files_in, write};
use super::MAY_FIRST_NOON;
use dfaas_run::runtime::results::{merge_results, MergeOptions};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A result line tagged `f<file>l<line>`, `millis` after noon, with `padding` bytes of body.
fn result_line(file: usize, line: usize, millis: u64, padding: usize) -> String {
    let nanos = i128::from(MAY_FIRST_NOON) * 1_000_000_000 + i128::from(millis) * 1_000_000;
    let timestamp = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap().format(&Rfc3339).unwrap();
    let body = "QUFB".repeat(padding / 4);
    format!(
        r#"{{"attack":"f{file}l{line}","seq":{line},"code":200,"timestamp":"{timestamp}","latency":1000,"bytes_out":0,"bytes_in":0,"error":"","body":"{body}","method":"GET","url":"http://127.0.0.1:8080/","headers":{{}}}}"#
    )
}

/// Writes one input file per list of (milliseconds after noon, body padding), and returns their
/// paths and the expected merge: every line, stably sorted by timestamp (inputs in order).
fn inputs(dir: &Path, files: &[Vec<(u64, usize)>]) -> (Vec<PathBuf>, String) {
    let mut all = Vec::new();
    let mut paths = Vec::new();
    for (f, lines) in files.iter().enumerate() {
        let mut content = String::new();
        for (l, &(millis, padding)) in lines.iter().enumerate() {
            let text = result_line(f, l, millis, padding);
            content.push_str(&text);
            content.push('\n');
            all.push((millis, text));
        }
        paths.push(write(dir, &format!("in-{f}.json"), &content));
    }
    all.sort_by_key(|&(millis, _)| millis);
    (paths, all.into_iter().map(|(_, text)| text + "\n").collect())
}

/// Merges into `merged.json`, checks the output and that no run is left behind, returns the runs.
fn merge(dir: &Path, paths: &[PathBuf], expected: &str, options: MergeOptions) -> usize {
    let output = dir.join("merged.json");
    let summary = merge_results(paths, &output, options).unwrap();
    assert_eq!(std::fs::read_to_string(&output).unwrap(), expected, "{options:?}");
    assert_eq!(summary.lines as usize, expected.lines().count());
    assert_eq!(files_in(dir).len(), paths.len() + 1, "no run left behind");
    assert_ne!(summary.runs, 1, "one run is the output itself");
    summary.runs
}

fn options(chunk_records: usize, chunk_bytes: usize, fan_in: usize) -> MergeOptions {
    MergeOptions { chunk_records, chunk_bytes, fan_in }
}

/// 3 000 lines sent every 1/3 ms (so three per timestamp) and written up to 79 lines late, as
/// responses that arrive out of order.
fn nearly_sorted() -> Vec<(u64, usize)> {
    let late = |i: u64| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 80;
    let mut lines: Vec<(u64, (u64, usize))> = (0..3000u64).map(|i| (i + late(i), (i / 3, 40))).collect();
    lines.sort_by_key(|&(written, _)| written);
    lines.into_iter().map(|(_, line)| line).collect()
}

#[test]
fn nearly_sorted_input_is_sorted_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, expected) = inputs(dir.path(), &[nearly_sorted()]);
    assert_eq!(merge(dir.path(), &paths, &expected, MergeOptions::default()), 0);
    // Lines at most 79 places late fit in the quarter of a window of 400 that stays held.
    assert_eq!(merge(dir.path(), &paths, &expected, options(400, 1 << 20, 2)), 0);
}

#[test]
fn the_same_input_through_a_tiny_window_takes_several_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, expected) = inputs(dir.path(), &[nearly_sorted()]);
    assert!(merge(dir.path(), &paths, &expected, options(16, 1 << 20, 256)) > 1);
    assert!(merge(dir.path(), &paths, &expected, options(8, 1 << 20, 3)) > 3, "several merge passes");
    // About 12 lines of 300 bytes: the byte limit makes the window.
    let runs = merge(dir.path(), &paths, &expected, options(100_000, 3600, 4));
    assert!(runs > 4, "{runs}");
}

#[test]
fn a_few_lines_far_out_of_order_wait_for_a_second_run() {
    // Requests that timed out: written 30 s (thousands of lines) after they were sent.
    let mut lines: Vec<(u64, usize)> = (0..2000).map(|i| (30_000 + i, 0)).collect();
    for (at, sent) in [(500, 10), (900, 10), (1500, 400)] {
        lines.insert(at, (sent, 0));
    }
    let dir = tempfile::tempdir().unwrap();
    let (paths, expected) = inputs(dir.path(), &[lines]);
    assert_eq!(merge(dir.path(), &paths, &expected, options(100, 1 << 20, 2)), 2);
}

#[test]
fn sorted_inputs_one_after_the_other_are_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<Vec<(u64, usize)>> = (0..3).map(|f| (0..500).map(|i| (f * 500 + i, 0)).collect()).collect();
    let (paths, expected) = inputs(dir.path(), &files);
    assert_eq!(merge(dir.path(), &paths, &expected, options(64, 1 << 20, 2)), 0);
}

#[test]
fn sorted_inputs_that_overlap_in_time_are_a_run_each() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<Vec<(u64, usize)>> = (0..3).map(|f| (0..500).map(|i| (i * 3 + f, 0)).collect()).collect();
    let (paths, expected) = inputs(dir.path(), &files);
    assert_eq!(merge(dir.path(), &paths, &expected, options(64, 1 << 20, 2)), 3);
}

#[test]
fn reversed_input_takes_a_run_per_window_of_new_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, expected) = inputs(dir.path(), &[(0..400).rev().map(|i| (i, 0)).collect()]);
    // A window of 10 keeps 2 lines, which end their run: runs of 10, then 8 lines each.
    assert_eq!(merge(dir.path(), &paths, &expected, options(10, 1 << 20, 2)), 50);
}

#[test]
fn ties_keep_input_order_then_line_order_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let pattern = [2, 1, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2];
    let files: Vec<Vec<(u64, usize)>> = (0..3)
        .map(|f| pattern.iter().cycle().skip(f * 5).take(12 + f).map(|&millis| (millis, f * 40)).collect())
        .collect();
    let (paths, expected) = inputs(dir.path(), &files);
    for chunk_records in 1..=7 {
        merge(dir.path(), &paths, &expected, options(chunk_records, 1 << 20, 2));
    }
    for chunk_bytes in [1, 250, 600, 1000] {
        merge(dir.path(), &paths, &expected, options(100, chunk_bytes, 3));
    }
}

/// How an input's timestamps are ordered before its lines are written.
#[derive(Debug, Clone, Copy)]
enum Shape {
    AsDrawn,
    Sorted,
    Reversed,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_input_merges_into_its_stable_sort(
        files in proptest::collection::vec(
            (
                proptest::collection::vec((0u64..20, 0usize..300), 0..60),
                prop_oneof![Just(Shape::AsDrawn), Just(Shape::Sorted), Just(Shape::Reversed)],
            ),
            1..5,
        ),
        chunk_records in 1usize..12,
        chunk_bytes in 1usize..4000,
        fan_in in 2usize..5,
    ) {
        let files: Vec<Vec<(u64, usize)>> = files
            .into_iter()
            .map(|(mut lines, shape)| {
                match shape {
                    Shape::AsDrawn => {}
                    Shape::Sorted => lines.sort_by_key(|&(millis, _)| millis),
                    Shape::Reversed => lines.sort_by_key(|&(millis, _)| std::cmp::Reverse(millis)),
                }
                lines
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (paths, expected) = inputs(dir.path(), &files);
        merge(dir.path(), &paths, &expected, options(chunk_records, chunk_bytes, fan_in));
    }
}
