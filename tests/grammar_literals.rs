//! Literals the grammar must accept where the language promises them: status ranges (`200..299`)
//! in status lists, and whole numbers as counts in `expect` thresholds (`errors(all) == 0`).

use dfaas_run::check::{check_path, CheckOptions};
use dfaas_run::model::{Scenario, Threshold};

fn check(source: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("literals.dfs");
    std::fs::write(&path, source).expect("write scenario");
    let checked = check_path(&path, &CheckOptions::with_env(&[]));
    let messages: Vec<String> =
        checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.as_str(), d.message)).collect();
    assert!(messages.is_empty(), "unexpected diagnostics: {messages:#?}");
    checked.scenario.expect("a scenario without diagnostics")
}

const NODE: &str = "node edge { url \"http://127.0.0.1:8080\" }\n";

#[test]
fn status_ranges_parse_in_status_lists() {
    let scenario = check(&format!(
        "{NODE}attack a on edge {{\n  rate 1/s\n  duration 1s\n  success 200..299, 404\n  request GET \"/\"\n}}\n"
    ));
    let success = &scenario.attacks[0].success;
    assert_eq!(success.ranges, vec![(200, 299), (404, 404)]);
}

#[test]
fn whole_numbers_are_counts_in_expectations() {
    let scenario = check(&format!(
        "{NODE}attack a on edge {{\n  rate 1/s\n  duration 1s\n  request GET \"/\"\n}}\nexpect errors(all) == 0\nexpect requests(a) >= 1\n"
    ));
    let thresholds: Vec<Threshold> = scenario.expectations.iter().map(|e| e.threshold).collect();
    assert_eq!(thresholds, vec![Threshold::Count(0), Threshold::Count(1)]);
}
