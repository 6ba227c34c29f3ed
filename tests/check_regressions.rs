//! Checker bugs found while writing the example scenarios, each pinned by a test: bare counts in
//! `expect`.

use dfaas_run::check::{check_path, CheckOptions, Checked};
use dfaas_run::model::Threshold;
use std::path::Path;

fn check_text(dir: &Path, text: &str) -> Checked {
    let path = dir.join("scenario.dfs");
    std::fs::write(&path, text).expect("temp file writable");
    check_path(&path, &CheckOptions::with_env(&[]))
}

fn codes(checked: &Checked) -> Vec<(&'static str, String)> {
    checked.diagnostics.iter().map(|d| (d.code.as_str(), d.message.clone())).collect()
}

const NODE_AND_ATTACK: &str = r#"
node n { url "http://127.0.0.1:18080" }
attack a on n {
  rate 10/s
  duration 10s
  request GET "/"
}
"#;

#[test]
fn expect_compares_counts_written_as_plain_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}expect errors(all) == 0\nexpect requests(a) >= 100\n");
    let checked = check_text(dir.path(), &text);
    assert!(checked.diagnostics.is_empty(), "{:?}", codes(&checked));
    let thresholds: Vec<Threshold> =
        checked.scenario.expect("valid").expectations.iter().map(|e| e.threshold).collect();
    assert_eq!(thresholds, [Threshold::Count(0), Threshold::Count(100)]);
}

#[test]
fn expect_refuses_fractional_and_negative_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}expect requests(a) == 1.5\nexpect errors(a) <= -1\n");
    let checked = check_text(dir.path(), &text);
    let found = codes(&checked);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(code, m)| *code == "dfs::invalid_number" && m.contains("whole number")), "{found:?}");
}
