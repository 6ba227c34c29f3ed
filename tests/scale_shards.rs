//! Sharded runs end to end with the real binary: 4 `run --shard i/4` processes behind a barrier on
//! 127.0.0.1 ports and one `--start-at`, against a demo node; `merge` adds them up exactly, and
//! names a shard killed before it finished. Also: a missed start and a barrier that never passes.

use dfaas_run::runtime::demo::{DemoConfig, DemoNode};
use dfaas_run::runtime::results::{read_results, DurationHistogram, LATENCY_FILE};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_dfaas-run");

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t).format(&time::format_description::well_known::Rfc3339).expect("formats")
}

/// A whole second at least `lead` from now, as RFC 3339.
fn start_in(lead: Duration) -> String {
    let at = (SystemTime::now() + lead).duration_since(SystemTime::UNIX_EPOCH).expect("after 1970");
    rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(at.as_secs() + 1))
}

/// A base port such that `base..base + n` can all be bound on 127.0.0.1 right now.
fn free_ports(n: u16) -> u16 {
    for _ in 0..200 {
        let Ok(probe) = std::net::TcpListener::bind("127.0.0.1:0") else { continue };
        let Ok(base) = probe.local_addr().map(|a| a.port()) else { continue };
        drop(probe);
        if base.checked_add(n).is_none() {
            continue;
        }
        let held: Vec<_> = (0..n).filter_map(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).ok()).collect();
        if held.len() == usize::from(n) {
            return base;
        }
    }
    panic!("no {n} consecutive free ports on 127.0.0.1");
}

fn shard(dir: &Path, scenario: &Path, index: u32, out: &Path, start_at: &str, base: u16) -> Child {
    Command::new(BIN)
        .current_dir(dir)
        .args(["run", scenario.to_str().expect("utf-8"), "--quiet", "--shard", &format!("{index}/4")])
        .args(["--out", out.to_str().expect("utf-8"), "--start-at", start_at, "--start-grace", "30s"])
        .args(["--barrier", &format!("dns:127.0.0.1:{base}+{{i}}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfaas-run starts")
}

fn merge(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).current_dir(dir).arg("merge").args(args).output().expect("merge runs")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("JSON")
}

fn scenario(dir: &Path, name: &str, node: &DemoNode, expect: &str) -> PathBuf {
    write(
        dir,
        name,
        &format!(
            "scenario \"sharded\"\nnode demo {{ url \"{}\" }}\nattack a on demo {{\n  stages {{\n    ramp 100/s -> 300/s over 1s\n    hold 201/s for 1s\n  }}\n  request GET \"/function/x?n={{{{ seq }}}}\"\n}}\n{expect}\n",
            node.url()
        ),
    )
}

#[test]
fn four_shards_behind_a_barrier_merge_exactly() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let node = runtime.block_on(DemoNode::start(DemoConfig::default())).expect("demo node");
    let tmp = tempfile::tempdir().expect("temp dir");
    // ramp 100 → 300 over 1 s: 200 requests; hold 201/s for 1 s: 201. The plan says 401.
    let file = scenario(tmp.path(), "s.dfs", &node, "expect requests(a) == 401\nexpect success(all) == 100%");
    let out = tmp.path().join("shards");
    let start_at = start_in(Duration::from_secs(3));
    let base = free_ports(4);
    let children: Vec<Child> = (0..4).map(|i| shard(tmp.path(), &file, i, &out, &start_at, base)).collect();
    for (i, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().expect("shard ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "shard {i}:\n{stderr}");
        assert!(stderr.contains("barrier: all 4 shards answered"), "shard {i}:\n{stderr}");
        let folder = out.join(format!("shard-{i}"));
        assert!(folder.join("DONE").is_file(), "shard {i} ends with DONE");
        let manifest = json(&folder.join("shard.json"));
        assert_eq!((manifest["index"].as_u64(), manifest["count"].as_u64()), (Some(i as u64), Some(4)));
        assert_eq!(manifest["outcome"], "done");
        assert!(manifest["start_lateness_ms"].as_f64().is_some(), "lateness recorded: {manifest}");
        assert_eq!(manifest["barrier"], format!("dns:127.0.0.1:{base}+{{i}}"));
        assert!(manifest["barrier_waited_ms"].as_u64().is_some(), "{manifest}");
        // Request k went to shard k mod 4: 401 = 101 + 100 + 100 + 100.
        assert_eq!(manifest["attacks"][0]["shard_requests"].as_u64(), Some(if i == 0 { 101 } else { 100 }));
        assert!(!folder.join("expectations.json").exists(), "expectations are judged by merge, over the whole");
    }
    assert_eq!(node.stats().function_calls, 401, "the node got exactly the plan's requests");

    let merged = tmp.path().join("merged");
    let output = merge(tmp.path(), &[out.to_str().expect("utf-8"), "--out", merged.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "merge:\n{stderr}");
    assert!(stderr.contains("✔ expect requests(a) == 401"), "{stderr}");

    let results: Vec<_> =
        read_results(&merged.join("a/results.json")).expect("opens").collect::<Result<_, _>>().expect("reads");
    assert_eq!(results.len(), 401);
    let mut seqs: Vec<u64> = results.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..401).collect::<Vec<_>>(), "every request once");
    assert!(results.windows(2).all(|w| w[0].timestamp <= w[1].timestamp), "timestamp order");
    // The merged histogram is the histogram of every result, exactly.
    let mut all = DurationHistogram::new();
    for r in &results {
        all.record(r.latency);
    }
    let merged_histogram = DurationHistogram::load(&merged.join("a").join(LATENCY_FILE)).expect("histogram");
    assert_eq!(merged_histogram, all);
    let summary = json(&merged.join("a/summary.json"));
    assert_eq!(summary["requests"], 401);
    // The same reports and plots as a single-machine run.
    for file in
        ["report.html", "report.json", "report.txt", "a/plots/latency.png", "merged-results/plots/throughput.png"]
    {
        assert!(merged.join(file).is_file(), "merge writes {file}");
    }
    assert_eq!(json(&merged.join("report.json"))["attacks"][0]["requests"], 401, "the JSON report counts every shard");
    assert_eq!(summary["latency"]["count"], 401);
    // The series covers every request, aligned from the synchronised start.
    let series = std::fs::read_to_string(merged.join("a/timeseries.csv")).expect("series");
    let requests: u64 =
        series.lines().skip(1).map(|l| l.split(',').nth(2).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0)).sum();
    assert_eq!(requests, 401);
    assert!(series.lines().nth(1).is_some_and(|l| l.contains(&start_at.replace("Z", ""))), "{series}");
    assert_eq!(read_results(&merged.join("merged-results/merged-results.json")).expect("opens").count(), 401);
    let verdicts = json(&merged.join("expectations.json"));
    assert!(verdicts.as_array().is_some_and(|v| v.len() == 2 && v.iter().all(|v| v["passed"] == true)), "{verdicts}");
    let report = std::fs::read_to_string(merged.join("a/report.txt")).expect("report");
    assert!(report.contains("200:401"), "{report}");
    let record = json(&merged.join("merge.json"));
    assert_eq!(record["shards"]["merged"], serde_json::json!([0, 1, 2, 3]));
    assert_eq!(json(&merged.join("run.json"))["attacks"][0]["expected_requests"], 401);
    runtime.block_on(node.shutdown());
}

#[cfg(unix)]
#[test]
fn a_killed_shard_is_named_and_partial_merges_say_what_is_missing() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let node = runtime.block_on(DemoNode::start(DemoConfig::default())).expect("demo node");
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = scenario(tmp.path(), "s.dfs", &node, "expect success(all) >= 99%");
    let out = tmp.path().join("shards");
    let start_at = start_in(Duration::from_secs(3));
    let base = free_ports(4);
    let mut children: Vec<Child> = (0..4).map(|i| shard(tmp.path(), &file, i, &out, &start_at, base)).collect();
    // Shard 2 is killed once every shard is past the barrier (so the others start), before its load.
    let mut readers = Vec::new();
    for child in &mut children {
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let passed = lines.by_ref().map_while(Result::ok).any(|l| l.contains("barrier: all 4 shards answered"));
        assert!(passed, "every shard passes the barrier");
        readers.push(std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n")));
    }
    children[2].kill().expect("SIGKILL");
    for (i, (mut child, reader)) in children.into_iter().zip(readers).enumerate() {
        let status = child.wait().expect("shard ends");
        let stderr = reader.join().expect("stderr read");
        if i != 2 {
            assert_eq!(status.code(), Some(0), "shard {i}: {stderr}");
        }
    }
    assert!(out.join("shard-2/shard.json").is_file() && !out.join("shard-2/DONE").exists());

    let refused = merge(tmp.path(), &[out.to_str().expect("utf-8"), "--out", "refused"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("shard 2 is incomplete") && stderr.contains("no DONE or FAILED marker"), "{stderr}");
    assert!(stderr.contains("merge refused: 1 of 4 shards are not finished"), "{stderr}");

    let partial = merge(tmp.path(), &[out.to_str().expect("utf-8"), "--out", "partial", "--allow-partial"]);
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert_eq!(partial.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: partial: 3 of 4 shards merged; shard 2 is incomplete"), "{stderr}");
    let summary = json(&tmp.path().join("partial/a/summary.json"));
    assert_eq!(summary["requests"], 301, "shards 0, 1 and 3: 101 + 100 + 100");
    let record = json(&tmp.path().join("partial/merge.json"));
    assert_eq!(record["shards"]["problems"][0]["kind"], "incomplete");

    // A shard that is simply absent is named too; the shards' count cannot be contradicted.
    let missing = merge(tmp.path(), &[out.join("shard-0").to_str().expect("utf-8"), "--out", "one"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("shard 1 is missing"));
    let wrong = merge(tmp.path(), &[out.to_str().expect("utf-8"), "--expect-shards", "5", "--allow-partial"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--expect-shards 5, but the shards say they are 4"));
    runtime.block_on(node.shutdown());
}

#[test]
fn a_missed_start_fails_the_shard_with_a_clear_message() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = write(
        tmp.path(),
        "late.dfs",
        "scenario \"late\"\nnode demo { embedded demo }\nattack a on demo {\n  rate 10/s\n  duration 1s\n  request GET \"/function/x\"\n}\n",
    );
    let past = rfc3339(SystemTime::now() - Duration::from_secs(30));
    let output = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["run", file.to_str().expect("utf-8"), "--quiet", "--shard", "0/1", "--out", "shards"])
        .args(["--start-at", &past, "--start-grace", "2s"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("attack `a` missed the synchronised start by 30."), "{stderr}");
    assert!(stderr.contains("more than the start grace of 2.000s"), "{stderr}");
    let folder = tmp.path().join("shards/shard-0");
    assert!(folder.join("FAILED").is_file());
    let manifest = json(&folder.join("shard.json"));
    assert_eq!(manifest["outcome"], "failed");
    assert!(manifest["start_lateness_ms"].as_f64().is_some_and(|ms| ms >= 30_000.0), "{manifest}");
    // The same folder is never reused.
    let again = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["run", file.to_str().expect("utf-8"), "--quiet", "--shard", "0/1", "--out", "shards"])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&again.stderr).contains("shard folders are never overwritten"));
}

#[test]
fn a_barrier_that_never_passes_names_the_absent_shard() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = write(
        tmp.path(),
        "alone.dfs",
        "node demo { embedded demo }\nattack a on demo {\n  rate 10/s\n  duration 1s\n  request GET \"/function/x\"\n}\n",
    );
    let base = free_ports(2);
    let start_at = rfc3339(SystemTime::now() + Duration::from_millis(1500));
    // The barrier gives up 1 s before the start, so that started shards would still start together.
    let output = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["run", file.to_str().expect("utf-8"), "--quiet", "--shard", "0/2", "--out", "shards"])
        .args(["--start-at", &start_at, "--barrier", &format!("dns:127.0.0.1:{base}+{{i}}")])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let expected =
        format!("the start barrier did not pass: 1 of 2 shard(s) never answered: shard 1 at 127.0.0.1:{}", base + 1);
    assert!(stderr.contains(&expected), "{stderr}");
    let folder = tmp.path().join("shards/shard-0");
    assert!(std::fs::read_to_string(folder.join("FAILED")).is_ok_and(|t| t.contains("shard 1 at 127.0.0.1")));
    assert!(!folder.join("a").exists(), "no attack ran");
}

#[test]
fn shard_flags_are_checked() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = write(
        tmp.path(),
        "s.dfs",
        "node demo { embedded demo }\nattack a on demo {\n  rate 1/s\n  duration 1s\n  request GET \"/\"\n}\n",
    );
    let run = |args: &[&str]| {
        let output = Command::new(BIN)
            .current_dir(tmp.path())
            .env_remove("JOB_COMPLETION_INDEX")
            .args(["run", file.to_str().expect("utf-8")])
            .args(args)
            .output()
            .expect("runs");
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = run(&["--shards", "3"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("$JOB_COMPLETION_INDEX, which is not set"), "{stderr}");
    let (code, stderr) = run(&["--shard", "3/3"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("shard index 3 is out of range"), "{stderr}");
    let (code, stderr) = run(&["--barrier", "dns:h-{i}:7946"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--barrier waits for the other shards"), "{stderr}");
    let (code, stderr) = run(&["--out", "s3://bucket/x"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("object storage takes shard folders"), "{stderr}");
}

#[test]
fn an_attack_after_another_is_not_held_to_the_grace() {
    // `b` is planned 200 ms after the start, but begins when `a`'s one request (1.5 s) has drained.
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = write(
        tmp.path(),
        "chain.dfs",
        "scenario \"chain\"\nnode demo { embedded demo { latency 1500ms..1500ms } }\nattack a on demo {\n  rate 5/s\n  duration 200ms\n  request GET \"/function/x\"\n}\nattack b on demo {\n  after a\n  rate 5/s\n  duration 200ms\n  request GET \"/function/y\"\n}\n",
    );
    let output = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["run", file.to_str().expect("utf-8"), "--quiet", "--shard", "0/1", "--out", "shards"])
        .args(["--start-at", &start_in(Duration::ZERO), "--start-grace", "500ms"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let manifest = json(&tmp.path().join("shards/shard-0/shard.json"));
    assert_eq!(manifest["outcome"], "done");
    assert!(manifest["start_lateness_ms"].as_f64().is_some_and(|ms| ms < 500.0), "{manifest}");
}
