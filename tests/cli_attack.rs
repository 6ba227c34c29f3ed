//! `dfaas-run attack` through the real binary against a demo node on 127.0.0.1: exact counts,
//! templates, the run folder of a scenario run, the closed model, and usage errors (exit 2).

use dfaas_run::runtime::demo::{DemoConfig, DemoNode};
use dfaas_run::runtime::results::timestamp::parse_system_time;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).current_dir(dir).args(args).output().expect("dfaas-run runs")
}

fn demo_node(runtime: &tokio::runtime::Runtime) -> DemoNode {
    runtime.block_on(DemoNode::start(DemoConfig::default())).expect("demo node starts")
}

/// The run folder printed on stdout.
fn run_dir(dir: &Path, output: &Output) -> PathBuf {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_else(|| panic!("no run folder; stderr:\n{}", stderr(output)));
    dir.join(line.trim())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn results(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}"))).collect()
}

#[test]
fn an_open_attack_sends_exactly_the_planned_requests_with_templates() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let node = demo_node(&runtime);
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("{}function/echo?n={{{{ seq }}}}", node.url());
    let output = dfaas_run(
        tmp.path(),
        &[
            "attack",
            &url,
            "--rate",
            "200/s",
            "--duration",
            "1s",
            "--method",
            "post",
            "-H",
            "Content-Type: text/plain",
            "--body",
            "hello {{ seq }}",
            "--out",
            "out",
            "--quiet",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("200 of 200"), "{}", stderr(&output));
    let run = run_dir(tmp.path(), &output);
    assert!(run.starts_with(tmp.path().join("out").join("attack")), "{}", run.display());
    assert_eq!(node.stats().function_calls, 200);

    let lines = results(&run.join("attack").join("results.json"));
    assert_eq!(lines.len(), 200);
    let seqs: BTreeSet<u64> = lines.iter().map(|l| l["seq"].as_u64().expect("seq")).collect();
    assert_eq!(seqs, (0..200).collect());
    for line in &lines {
        let seq = line["seq"].as_u64().expect("seq");
        assert_eq!(line["method"], "POST");
        assert_eq!(line["url"], format!("{}function/echo?n={seq}", node.url()));
        assert_eq!(line["bytes_out"], format!("hello {seq}").len());
        assert_eq!(line["code"], 200);
    }
    let summary = json(&run.join("attack").join("summary.json"));
    assert_eq!((summary["requests"].as_u64(), summary["successes"].as_u64()), (Some(200), Some(200)));
    let manifest = json(&run.join("run.json"));
    assert_eq!(manifest["status"], "passed");
    assert_eq!(manifest["attacks"][0]["expected_requests"], 200);
    let merged_path = run.join("merged-results").join("merged-results.json");
    let merged = results(&merged_path);
    assert_eq!(merged.len(), 200);
    let sent_at = |line: &Value| line["timestamp"].as_str().expect("timestamp").to_string();
    let in_order = |lines: &[Value]| {
        lines.windows(2).all(|w| parse_system_time(&sent_at(&w[0])) <= parse_system_time(&sent_at(&w[1])))
    };
    assert!(in_order(&merged));
    // The writer puts the results in timestamp order (unless a response took longer than its
    // ordering window, which a loaded machine could make happen): then the merged results are the
    // same file under a second name.
    use std::os::unix::fs::MetadataExt;
    let inode = |p: &Path| std::fs::metadata(p).expect("metadata").ino();
    let merge_note = manifest["steps"].as_array().expect("steps").iter().find(|s| s["id"] == "merge").expect("merge")
        ["message"]
        .as_str()
        .expect("merge note")
        .to_string();
    if in_order(&lines) {
        assert_eq!(inode(&merged_path), inode(&run.join("attack").join("results.json")), "{merge_note}");
        assert!(merge_note.contains("linked"), "{merge_note}");
    } else {
        assert!(merge_note.contains("200 results from 1 attack(s)"), "{merge_note}");
    }
    assert!(run.join("attack").join("report.txt").is_file());
    runtime.block_on(node.shutdown());
}

#[test]
fn a_closed_attack_keeps_its_workers_busy_under_its_own_name() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let node = demo_node(&runtime);
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = format!("{}function/echo", node.url());
    let output =
        dfaas_run(tmp.path(), &["attack", &url, "--workers", "3", "--duration", "300ms", "--name", "probe", "-q"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let run = run_dir(tmp.path(), &output);
    assert!(run.starts_with(tmp.path().join("runs").join("probe")), "{}", run.display());
    let summary = json(&run.join("probe").join("summary.json"));
    let requests = summary["requests"].as_u64().expect("requests");
    assert!(requests >= 3, "each worker sent at least one request");
    assert_eq!(summary["successes"].as_u64(), Some(requests));
    assert_eq!(node.stats().function_calls, requests);
    runtime.block_on(node.shutdown());
}

#[test]
fn usage_errors_exit_2_and_run_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let url = "http://127.0.0.1:9/";
    let cases: &[&[&str]] = &[
        &["attack", url, "--duration", "1s"],
        &["attack", url, "--rate", "10/s", "--workers", "2", "--duration", "1s"],
        &["attack", url, "--rate", "0/s", "--duration", "1s"],
        &["attack", url, "--rate", "10/x", "--duration", "1s"],
        &["attack", url, "--rate", "10/s"],
        &["attack", "ftp://127.0.0.1/", "--rate", "10/s", "--duration", "1s"],
        &["attack", url, "--rate", "10/s", "--duration", "1s", "-H", "no colon"],
        &["attack", url, "--rate", "10/s", "--duration", "1s", "--method", "FETCH"],
        &["attack", url, "--rate", "10/s", "--duration", "1s", "--name", "all"],
        &["attack", url, "--rate", "10/s", "--duration", "1s", "--body-file", "missing.txt"],
    ];
    for args in cases {
        let output = dfaas_run(tmp.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("error"), "{args:?}: {}", stderr(&output));
    }
    assert!(!tmp.path().join("runs").exists(), "no run folder for a usage error");
}
