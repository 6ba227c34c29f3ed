//! `dfaas-run compare A B`: golden text and JSON on fixed run folders, verdicts per threshold,
//! exit 0 without regression, 1 with one, 2 on bad input.

use super::fixture::{build_run, Behaviour};
use super::*;
use std::time::Duration;

fn runs() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    build_run(tmp.path(), "runs/a", Behaviour::BASELINE);
    build_run(tmp.path(), "runs/same", Behaviour::BASELINE);
    build_run(tmp.path(), "runs/slower", Behaviour { slower: Duration::from_millis(3), error_every: 20 });
    tmp
}

const GATE: &[&str] = &[
    "--max-p99-regression",
    "10%",
    "--max-mean-regression",
    "10%",
    "--min-success",
    "95%",
    "--max-error-increase",
    "1%",
];

#[test]
fn the_same_figures_pass_every_threshold() {
    let tmp = runs();
    let out = dfaas_run(tmp.path(), &[&["compare", "runs/a", "runs/same"], GATE].concat());
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    golden("compare-same.txt", &stdout(&out));
}

#[test]
fn a_slower_run_with_more_errors_regresses_with_exit_1() {
    let tmp = runs();
    let out = dfaas_run(tmp.path(), &[&["compare", "runs/a", "runs/slower"], GATE].concat());
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    golden("compare-slower.txt", &stdout(&out));
    let out = dfaas_run(tmp.path(), &[&["compare", "runs/a", "runs/slower", "--format", "json"], GATE].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    golden("compare-slower.json", &stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let regressions: Vec<&str> =
        json["regressions"].as_array().expect("list").iter().filter_map(|r| r.as_str()).collect();
    assert!(regressions.contains(&"all p99") && regressions.contains(&"all mean"), "{regressions:?}");
    assert!(regressions.contains(&"warmup errors"), "{regressions:?}");
    // 95.00% is at least 95%: a limit reached exactly holds.
    assert!(!regressions.contains(&"warmup success") && regressions.contains(&"spike success"), "{regressions:?}");

    // Without thresholds there is nothing to fail: the deltas are shown, the exit code is 0.
    let out = dfaas_run(tmp.path(), &["compare", "runs/a", "runs/slower"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("result: no regression"), "{}", stdout(&out));
    // A looser gate passes the same runs.
    let out = dfaas_run(
        tmp.path(),
        &["compare", "runs/a", "runs/slower", "--max-p99-regression", "50%", "--max-error-increase", "20"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn bad_input_exits_2() {
    let tmp = runs();
    for (args, message) in [
        (vec!["compare", "runs/a", "runs/none"], "error: run B: runs/none is not a folder"),
        (vec!["compare", "runs", "runs/a"], "error: run A: cannot read runs/run.json"),
        (vec!["compare", "runs/a", "runs/same", "--max-p99-regression", "ten"], "`ten` is not a percentage"),
        (vec!["compare", "runs/a", "runs/same", "--max-error-increase", "x"], "neither a count"),
        (vec!["compare", "runs/a"], "RUN_B"),
    ] {
        let out = dfaas_run(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn attacks_of_only_one_run_are_listed_not_compared() {
    let tmp = runs();
    std::fs::remove_dir_all(tmp.path().join("runs/same/spike")).expect("remove");
    let out = dfaas_run(tmp.path(), &["compare", "runs/a", "runs/same", "--max-p99-regression", "10%"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("only in A (not compared): spike\n"), "{text}");
    assert!(text.contains("warning: B: attack `spike`: its folder runs/same/spike is missing"), "{text}");
    assert!(text.contains("warning: `all` covers different attacks in A and B"), "{text}");
    let sections: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ') && l.ends_with("verdict")).collect();
    assert_eq!(sections.len(), 2, "warmup and all: {sections:?}");
}
