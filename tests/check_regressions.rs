//! Checker and grammar bugs found while writing the example scenarios and the language guide, each
//! pinned by a test: bare counts in `expect`, health gates whose `tries` outlast `within` or that
//! can never pass, unused-node warnings from imports, raw strings.

use dfaas_run::check::{check_path, CheckOptions, Checked};
use dfaas_run::model::{Body, RequestSource, Threshold};
use dfaas_run::plan::gate_deadline;
use std::path::Path;
use std::time::Duration;

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

#[test]
fn tries_without_within_get_the_time_they_need() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}health n {{\n  every 10s\n  tries 25\n}}\n");
    let checked = check_text(dir.path(), &text);
    assert!(checked.diagnostics.is_empty(), "{:?}", codes(&checked));
    let scenario = checked.scenario.expect("valid");
    let gate = &scenario.gates[0];
    // 24 pauses of 10s between 25 tries, and the last try's 5s timeout.
    assert_eq!(gate.within, Duration::from_secs(245));
    assert_eq!(gate_deadline(gate), Duration::from_secs(245));
}

#[test]
fn a_within_too_short_for_the_tries_is_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}health n {{\n  every 10s\n  within 1m\n  tries 25\n}}\n");
    let checked = check_text(dir.path(), &text);
    let d = match checked.diagnostics.as_slice() {
        [d] => d,
        other => panic!("expected one warning, got {other:?}"),
    };
    assert!(!d.is_error());
    assert_eq!(d.code.as_str(), "dfs::conflict");
    // Tries start at 0s, 10s, ..., 50s: six of them before the 1m deadline.
    assert_eq!(d.message, "only 6 of the 25 tries fit in `within 1m`, one every 10s");
    assert_eq!(d.labels.len(), 2);
    assert_eq!(checked.scenario.expect("warnings keep the scenario").gates[0].within, Duration::from_secs(60));
}

#[test]
fn a_within_long_enough_for_the_tries_is_quiet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}health n {{\n  every 10s\n  within 5m\n  tries 25\n}}\n");
    let checked = check_text(dir.path(), &text);
    assert!(checked.diagnostics.is_empty(), "{:?}", codes(&checked));
    assert_eq!(checked.scenario.expect("valid").gates[0].within, Duration::from_secs(300));
}

#[test]
fn unused_nodes_of_an_imported_file_do_not_warn() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("nodes.dfs"),
        "node shared-a { url \"http://127.0.0.2:8080\" }\nnode shared-b { url \"http://127.0.0.3:8080\" }\n",
    )
    .expect("temp file writable");
    let text = "import \"nodes.dfs\"\nnode local { url \"http://127.0.0.1:8080\" }\n\
                attack a on shared-a {\n  rate 1/s\n  duration 1s\n  request GET \"/\"\n}\n";
    let checked = check_text(dir.path(), text);
    // `shared-b` is unused but belongs to the shared file; `local` is the scenario's own.
    let found = codes(&checked);
    assert_eq!(found, [("dfs::unused", "node `local` is never used".to_string())]);
}

#[test]
fn a_gate_that_cannot_get_its_successes_in_time_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}health n {{\n  consecutive 100\n  every 1s\n  within 1m\n}}\n");
    let checked = check_text(dir.path(), &text);
    let found = codes(&checked);
    assert_eq!(
        found,
        [("dfs::conflict", "100 successes in a row, one every 1s, take 1m39s: the gate gives up after 1m".to_string())]
    );
    assert!(checked.scenario.is_none());
    // Exactly at the deadline is too late too: the 61st probe would start as the gate gives up.
    let text = format!("{NODE_AND_ATTACK}health n {{\n  consecutive 61\n  every 1s\n}}\n");
    assert_eq!(codes(&check_text(dir.path(), &text)).len(), 1);
    let text = format!("{NODE_AND_ATTACK}health n {{\n  consecutive 60\n  every 1s\n}}\n");
    assert!(check_text(dir.path(), &text).diagnostics.is_empty());
}

#[test]
fn a_gate_wanting_more_successes_than_tries_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!("{NODE_AND_ATTACK}health n {{\n  consecutive 5\n  tries 3\n}}\n");
    let checked = check_text(dir.path(), &text);
    let found = codes(&checked);
    assert_eq!(found, [("dfs::conflict", "the gate wants 5 successes in a row but makes only 3 tries".to_string())]);
    assert_eq!(checked.diagnostics[0].labels.len(), 2);
}

#[test]
fn raw_strings_parse_with_quotes_newlines_and_interpolation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "let who = \"dfaas\"\nnode n { url \"http://127.0.0.1:18080\" }\n\
                attack a on n {\n  rate 1/s\n  duration 1s\n  request POST \"/\" {\n    \
                body \"\"\"\n{\"hello\": \"${who}\", \"raw\": \"\\n\"}\n\"\"\"\n  }\n}\n";
    let checked = check_text(dir.path(), text);
    assert!(checked.diagnostics.is_empty(), "{:?}", codes(&checked));
    let scenario = checked.scenario.expect("valid");
    let RequestSource::Spec(spec) = &scenario.attacks[0].request else { panic!("a request spec") };
    let Body::Inline(body) = &spec.body else { panic!("an inline body") };
    // No escapes in raw strings: `\n` stays two characters; `${who}` is expanded.
    assert_eq!(body, "\n{\"hello\": \"dfaas\", \"raw\": \"\\n\"}\n");
}
