//! `dfaas-run merge` on its other inputs and refusals: plain results files (vegeta's own lines
//! too), single-machine run folders, replicated shards, `--wait`, and inputs that cannot be merged.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dfaas-run");

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).current_dir(dir).args(args).output().expect("runs")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("JSON")
}

fn scenario(dir: &Path, name: &str, rate: &str) -> PathBuf {
    let path = dir.join(format!("{name}.dfs"));
    std::fs::write(
        &path,
        format!("scenario \"{name}\"\nnode demo {{ embedded demo }}\nattack a on demo {{\n  rate {rate}\n  duration 500ms\n  request GET \"/function/x\"\n}}\nexpect requests(a) >= 1\n"),
    )
    .expect("write");
    path
}

/// Runs shard `index` of `count` of `file` into `out`; asserts it succeeded.
fn shard(dir: &Path, file: &Path, index: u32, count: u32, out: &str, mode: &str) {
    let output = dfaas_run(
        dir,
        &[
            "run",
            file.to_str().expect("utf-8"),
            "--quiet",
            "--shard",
            &format!("{index}/{count}"),
            "--out",
            out,
            "--shard-mode",
            mode,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn results_files_merge_in_time_order_with_figures_per_attack() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // vegeta's own format: no lateness, node or error_kind; null headers and body.
    let vegeta = tmp.path().join("vegeta.json");
    std::fs::write(
        &vegeta,
        concat!(
            r#"{"attack":"","seq":0,"code":200,"timestamp":"2024-05-01T12:00:00.5Z","latency":2000000,"bytes_out":0,"bytes_in":5,"error":"","body":null,"method":"GET","url":"http://127.0.0.1:8080/","headers":null}"#,
            "\n",
            r#"{"attack":"","seq":1,"code":500,"timestamp":"2024-05-01T12:00:01.5Z","latency":4000000,"bytes_out":0,"bytes_in":0,"error":"500 Internal Server Error","body":null,"method":"GET","url":"http://127.0.0.1:8080/","headers":null}"#,
            "\n"
        ),
    )
    .expect("write");
    let ours = tmp.path().join("ours.json");
    std::fs::write(
        &ours,
        concat!(
            r#"{"attack":"spike","seq":0,"code":200,"timestamp":"2024-05-01T12:00:01Z","latency":1000000,"bytes_out":3,"bytes_in":5,"error":"","body":"","method":"POST","url":"http://127.0.0.1:8080/f","headers":{},"lateness":500,"node":"edge","error_kind":""}"#,
            "\n",
            r#"{"attack":"spike","seq":1,"code":200,"timestamp":"2024-05-01T12:00:02Z","latency":1000000,"bytes_out":3,"bytes_in":5,"error":"","body":"","method":"POST","url":"http://127.0.0.1:8080/f","headers":{},"lateness":-250,"node":"edge","error_kind":""}"#,
            "\n"
        ),
    )
    .expect("write");
    let output = dfaas_run(tmp.path(), &["merge", "vegeta.json", "ours.json", "--out", "merged"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let merged = std::fs::read_to_string(tmp.path().join("merged/merged-results/merged-results.json")).expect("merged");
    let seqs: Vec<(String, u64)> = merged
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("line"))
        .map(|v| (v["attack"].as_str().unwrap_or("").to_string(), v["seq"].as_u64().unwrap_or(99)))
        .collect();
    assert_eq!(seqs, vec![("".into(), 0), ("spike".into(), 0), ("".into(), 1), ("spike".into(), 1)], "timestamp order");
    let all = json(&tmp.path().join("merged/merged-results/summary.json"));
    assert_eq!(
        (all["requests"].as_u64(), all["successes"].as_u64(), all["errors"].as_u64()),
        (Some(4), Some(3), Some(1))
    );
    assert_eq!(all["latency"]["max_ns"], 4_000_000);
    assert_eq!(all["errors_by_kind"]["status"], 1);
    let unnamed = json(&tmp.path().join("merged/results/summary.json"));
    assert_eq!(unnamed["requests"], 2, "vegeta's lines without a name are `results`");
    let spike = json(&tmp.path().join("merged/spike/summary.json"));
    assert_eq!(spike["nodes"][0]["name"], "edge");
    // A negative lateness: sent early, counted as 0 late.
    assert_eq!((spike["early"]["count"].as_u64(), spike["early"]["max_ns"].as_u64()), (Some(1), Some(250)));
    assert_eq!((spike["lateness"]["min_ns"].as_u64(), spike["lateness"]["max_ns"].as_u64()), (Some(0), Some(500)));
    assert_eq!(all["early"]["count"], 1, "early requests add up over attacks");
    let report = std::fs::read_to_string(tmp.path().join("merged/merged-results/report.txt")).expect("report");
    assert!(report.contains("200:3  500:1"), "{report}");
}

#[test]
fn run_folders_merge_side_by_side() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = scenario(tmp.path(), "pair", "20/s");
    let mut runs = Vec::new();
    for _ in 0..2 {
        let output = dfaas_run(tmp.path(), &["run", file.to_str().expect("utf-8"), "--quiet"]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        runs.push(String::from_utf8_lossy(&output.stdout).trim().to_string());
    }
    let output = dfaas_run(tmp.path(), &["merge", &runs[0], &runs[1], "--out", "both"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("none were judged"), "{stderr}");
    assert_eq!(json(&tmp.path().join("both/a/summary.json"))["requests"], 20);
    assert_eq!(json(&tmp.path().join("both/run.json"))["attacks"][0]["sent"], 20);
    // The output is never an existing folder with something in it.
    let again = dfaas_run(tmp.path(), &["merge", &runs[0], "--out", "both"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty: merged runs are never overwritten"));
}

#[test]
fn replicated_shards_plan_n_times_the_load() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = scenario(tmp.path(), "twice", "20/s");
    for i in 0..2 {
        shard(tmp.path(), &file, i, 2, "shards", "replicate");
    }
    // Both shards have ended: the wait returns at once.
    let output =
        dfaas_run(tmp.path(), &["merge", "shards", "--out", "merged", "--expect-shards", "2", "--wait", "10m"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let record = json(&tmp.path().join("merged/merge.json"));
    assert_eq!(record["attacks"][0]["requests"], 20);
    assert_eq!(record["attacks"][0]["planned_requests"], 20, "10 planned, run by each of 2 replicas");
    assert_eq!(record["shards"]["mode"], "replicate");
}

#[test]
fn inputs_that_cannot_be_merged_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let one = scenario(tmp.path(), "one", "20/s");
    let other = scenario(tmp.path(), "other", "30/s");
    shard(tmp.path(), &one, 0, 2, "a", "split");
    shard(tmp.path(), &other, 1, 2, "b", "split");
    shard(tmp.path(), &one, 0, 2, "c", "split");
    let refused = |args: &[&str], expected: &str| {
        let mut all = vec!["merge"];
        all.extend_from_slice(args);
        let output = dfaas_run(tmp.path(), &all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    };
    refused(&["a/shard-0", "b/shard-1"], "the inputs are shards of different runs");
    refused(&["a/shard-0", "c/shard-0"], "are both shard 0: give each shard once");
    std::fs::write(tmp.path().join("r.json"), "").expect("write");
    refused(&["a/shard-0", "r.json"], "the inputs mix kinds (1 shard folder(s), 0 run folder(s), 1 results file(s))");
    refused(&["nowhere"], "nowhere does not exist");
    refused(&["a/shard-0", "--out", "gs://bucket/x"], "`gs://` is not supported");
    // A shard that ended FAILED is named with its reason; a timeout of the wait says what is left.
    std::fs::remove_file(tmp.path().join("a/shard-0/DONE")).expect("rm");
    std::fs::write(tmp.path().join("a/shard-0/FAILED"), "health gate for node `demo` failed\n").expect("write");
    let output = dfaas_run(tmp.path(), &["merge", "a", "--expect-shards", "2", "--wait", "0s"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("1 shard(s) have not ended"), "{stderr}");
    assert!(stderr.contains("shard 0 failed: health gate for node `demo` failed"), "{stderr}");
    assert!(stderr.contains("shard 1 is missing"), "{stderr}");
    assert!(stderr.contains("no shard finished: nothing to merge") || stderr.contains("merge refused"), "{stderr}");
}
