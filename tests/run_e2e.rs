//! `dfaas-run run` end to end, driving the real binary against demo nodes on loopback addresses:
//! exact counts in vegeta format, start offsets, ramp shape, gates, expectations, deploy and
//! teardown, interruption.

use dfaas_run::runtime::demo::{DemoConfig, DemoNode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).current_dir(dir).args(args).output().expect("dfaas-run runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// The run folder printed on stdout.
fn run_dir(dir: &Path, output: &Output) -> PathBuf {
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no run folder printed; stderr:\n{}", String::from_utf8_lossy(&output.stderr)));
    dir.join(line.trim())
}

fn results(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}"))).collect()
}

fn timestamp(v: &Value) -> SystemTime {
    let text = v["timestamp"].as_str().expect("timestamp");
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).expect("RFC 3339");
    SystemTime::from(t)
}

fn manifest(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).expect("run.json")).expect("manifest JSON")
}

fn step_state<'a>(m: &'a Value, id: &str) -> &'a str {
    m["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .and_then(|s| s["state"].as_str())
        .unwrap_or("missing")
}

#[test]
fn a_scenario_runs_end_to_end_with_exact_counts() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = write(
        tmp.path(),
        "e2e.dfs",
        r#"
scenario "e2e"
node demo { embedded demo { latency 1ms..3ms } }
health demo {
  request GET "/healthz"
  every 100ms
  within 10s
}
attack first on demo {
  rate 100/s
  duration 2s
  record header "X-Server"
  request POST "/function/echo" {
    header "Content-Type" = "text/plain"
    body "hello {{ seq }}"
  }
}
attack second on demo {
  after first
  delay 500ms
  stages {
    ramp 20/s -> 180/s over 2s
  }
  request GET "/function/figlet"
}
expect requests(first) == 200
expect requests(second) == 200
expect success(all) >= 99%
expect p99(all) < 2s
"#,
    );
    let output = dfaas_run(tmp.path(), &["run", scenario.to_str().expect("utf-8"), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    let run = run_dir(tmp.path(), &output);
    assert!(run.starts_with(tmp.path().join("runs").join("e2e")));

    let m = manifest(&run);
    assert_eq!(m["status"], "passed");
    for step in m["steps"].as_array().expect("steps") {
        assert_eq!(step["state"], "succeeded", "{step}");
    }

    let first = results(&run.join("first/results.json"));
    let second = results(&run.join("second/results.json"));
    assert_eq!(first.len(), 200);
    assert_eq!(second.len(), 200);
    // vegeta's fields, names and units.
    let r = &first[0];
    for field in [
        "attack",
        "seq",
        "code",
        "timestamp",
        "latency",
        "bytes_out",
        "bytes_in",
        "error",
        "body",
        "method",
        "url",
        "headers",
    ] {
        assert!(r.get(field).is_some(), "missing {field} in {r}");
    }
    assert_eq!(r["attack"], "first");
    assert_eq!(r["method"], "POST");
    assert!(r["latency"].as_u64().is_some_and(|ns| ns >= 1_000_000), "latency in ns: {r}");
    assert!(first.iter().all(|r| r["code"] == 200 && r["error"] == ""));
    assert!(first.iter().all(|r| r["headers"]["X-Server"][0] == "127.0.0.1"), "{}", first[0]);
    let mut seqs: Vec<u64> = first.iter().map(|r| r["seq"].as_u64().expect("seq")).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..200).collect::<Vec<_>>());

    // `after first` + `delay 500ms`: the second attack starts 2.5 s after the first one in the plan
    // (first's 2 s, then the delay), never before the first one's last response; loose upper bound:
    // a shared machine can be slow.
    // Compare scheduled times (sent − lateness): a late first request must not shift the check.
    let scheduled = |r: &Value| {
        let lateness = r["lateness"].as_i64().expect("lateness");
        let by = Duration::from_nanos(lateness.unsigned_abs());
        if lateness < 0 {
            timestamp(r) + by
        } else {
            timestamp(r) - by
        }
    };
    let first_start = first.iter().map(scheduled).min().expect("first has results");
    let first_last = first.iter().map(timestamp).max().expect("first has results");
    let second_first = second.iter().map(timestamp).min().expect("second has results");
    let second_start = second.iter().map(scheduled).min().expect("second has results");
    let offset = second_start.duration_since(first_start).expect("second starts after first");
    assert!(offset >= Duration::from_millis(2_450), "second started {offset:?} after first");
    assert!(offset < Duration::from_secs(7), "second started {offset:?} after first");
    assert!(second_first > first_last, "the attacks do not overlap");

    // The ramp's shape, from the scheduled times: ∫ 20→100/s over 1 s = 60 requests, then 140.
    let in_window = |lo: f64, hi: f64| {
        second
            .iter()
            .filter(|r| {
                let t = scheduled(r).duration_since(second_start).unwrap_or_default().as_secs_f64();
                t >= lo && t < hi
            })
            .count()
    };
    let (early, late) = (in_window(0.0, 1.0), in_window(1.0, 2.1));
    assert!((59..=61).contains(&early) && (139..=141).contains(&late), "ramp: {early} then {late}");

    // Merged results: every line, in timestamp order.
    let merged = results(&run.join("merged-results/merged-results.json"));
    assert_eq!(merged.len(), 400);
    assert!(merged.windows(2).all(|w| timestamp(&w[0]) <= timestamp(&w[1])));

    let report = std::fs::read_to_string(run.join("first/report.txt")).expect("report.txt");
    assert!(report.starts_with("Requests      [total, rate, throughput]"), "{report}");
    assert!(report.contains("200:200"), "{report}");
    let verdicts: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("expectations.json")).expect("expectations"))
            .expect("JSON");
    assert_eq!(verdicts.as_array().map(Vec::len), Some(4));
    assert!(verdicts.as_array().expect("array").iter().all(|v| v["passed"] == true), "{verdicts}");
}

#[test]
fn failing_expectations_exit_1_and_a_failed_gate_exits_3() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let expect_fail = write(
        tmp.path(),
        "strict.dfs",
        "node demo { embedded demo }\nattack a on demo {\n  rate 50/s\n  duration 200ms\n  request GET \"/function/x\"\n}\nexpect requests(a) == 11\nexpect requests(a) == 10\n",
    );
    let output = dfaas_run(tmp.path(), &["run", expect_fail.to_str().expect("utf-8"), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("✘ expect requests(a) == 11"), "{stderr}");
    assert!(stderr.contains("✔ expect requests(a) == 10"), "{stderr}");
    let run = run_dir(tmp.path(), &output);
    assert_eq!(manifest(&run)["status"], "expectations_failed");

    // A node nobody listens on: the gate fails, the attack never starts, the folder is complete.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let gate_fail = write(
        tmp.path(),
        "down.dfs",
        &format!("node down {{ url \"http://{closed}\" }}\nhealth down {{\n  every 100ms\n  within 500ms\n  timeout 200ms\n}}\nattack a on down {{\n  rate 10/s\n  duration 1s\n  request GET \"/\"\n}}\n"),
    );
    let output = dfaas_run(tmp.path(), &["run", gate_fail.to_str().expect("utf-8"), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr:\n{stderr}");
    assert!(stderr.contains("health gate for node `down` failed"), "{stderr}");
    let run = run_dir(tmp.path(), &output);
    let m = manifest(&run);
    assert_eq!(m["status"], "failed");
    assert_eq!(step_state(&m, "health:down"), "failed");
    assert_eq!(step_state(&m, "attack:a"), "skipped");
    assert!(!run.join("a/results.json").exists());
}

/// Binds `ip:0` to find a free port, or `None` where that address cannot be bound.
fn free_port(ip: &str) -> Option<u16> {
    std::net::TcpListener::bind((ip, 0)).ok().and_then(|l| l.local_addr().ok()).map(|a| a.port())
}

#[test]
fn deploy_health_attack_teardown_on_three_nodes() {
    let ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
    let ips: Vec<&str> = if ips.iter().all(|ip| free_port(ip).is_some()) {
        ips.to_vec()
    } else {
        eprintln!("note: 127.0.0.2-4 cannot be bound here; using three ports on 127.0.0.1");
        vec!["127.0.0.1"; 3]
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let nodes: Vec<DemoNode> = ips
        .iter()
        .map(|ip| {
            let listen = format!("{ip}:0").parse().expect("address");
            let config =
                DemoConfig { listen, credentials: Some(("admin".into(), "s3cret".into())), ..DemoConfig::default() };
            runtime.block_on(DemoNode::start(config)).expect("demo node starts")
        })
        .collect();
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("scenario \"three\"\n");
    for (i, n) in nodes.iter().enumerate() {
        text.push_str(&format!("node n{i} {{\n  url \"{}\"\n  gateway {{\n    user \"admin\"\n    password \"${{GW_PASSWORD}}\"\n  }}\n}}\n", n.url()));
    }
    text.push_str("function figlet {\n  image \"ghcr.io/openfaas/figlet:latest\"\n}\n");
    text.push_str("deploy figlet on n0, n1, n2 {\n  label \"dfaas.maxrate\" = \"100\"\n  retries 2\n  every 100ms\n}\nwait 100ms\n");
    text.push_str("health n0, n1, n2 {\n  request GET \"/healthz\"\n  expect json \"status\" == \"ok\"\n  every 100ms\n  within 5s\n}\n");
    text.push_str("attack load on n0, n1, n2 {\n  rate 60/s\n  duration 1s\n  request GET \"/function/figlet\"\n}\n");
    text.push_str("teardown figlet on n0, n1, n2\n");
    let scenario = write(tmp.path(), "three.dfs", &text);
    let output = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .current_dir(tmp.path())
        .env("GW_PASSWORD", "s3cret")
        .args(["run", scenario.to_str().expect("utf-8"), "--quiet"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    let run = run_dir(tmp.path(), &output);
    let m = manifest(&run);
    for i in 0..3 {
        assert_eq!(step_state(&m, &format!("deploy:figlet@n{i}")), "succeeded");
        assert_eq!(step_state(&m, &format!("teardown:figlet@n{i}")), "succeeded");
        assert_eq!(step_state(&m, &format!("health:n{i}")), "succeeded");
    }
    let stats: Vec<_> = nodes.iter().map(DemoNode::stats).collect();
    for s in &stats {
        assert_eq!(s.deploys, 1);
        assert_eq!(s.deletes, 1);
        assert!(s.health_probes >= 1);
        assert_eq!(s.function_calls, 20, "round-robin over three nodes: {s:?}");
    }
    assert_eq!(results(&run.join("load/results.json")).len(), 60);
    for node in nodes {
        runtime.block_on(node.shutdown());
    }
}

#[cfg(unix)]
#[test]
fn sigint_leaves_readable_results_and_exits_130() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = write(
        tmp.path(),
        "long.dfs",
        "scenario \"long\"\nnode demo { embedded demo }\nattack a on demo {\n  rate 200/s\n  duration 60s\n  request GET \"/function/x\"\n}\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .current_dir(tmp.path())
        .args(["run", scenario.to_str().expect("utf-8")])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    // Wait until the attack is running (its start line), then for results on disk.
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        if line.expect("line").contains("▶ attack:a") {
            break;
        }
    }
    let runs = tmp.path().join("runs/long");
    let results_file = loop {
        let found = std::fs::read_dir(&runs)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path().join("a/results.json"));
        if let Some(f) = found.filter(|f| std::fs::metadata(f).map(|m| m.len() > 0).unwrap_or(false)) {
            break f;
        }
        std::thread::yield_now();
    };
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    let exit = child.wait().expect("child exits");
    let stderr = drain.join().expect("stderr read");
    assert_eq!(exit.code(), Some(130), "stderr:\n{stderr}");
    let run = results_file.parent().and_then(Path::parent).expect("run folder").to_path_buf();
    let m = manifest(&run);
    assert_eq!(m["status"], "interrupted");
    let lines = results(&results_file);
    assert!(!lines.is_empty() && lines.len() < 12_000, "{}", lines.len());
    assert!(run.join("a/summary.json").exists(), "the writer finished cleanly");
    assert!(run.join("merged-results/merged-results.json").exists());
}

#[test]
fn refused_connections_are_classified_and_the_run_folder_is_complete() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let scenario = write(
        tmp.path(),
        "refused.dfs",
        &format!("node gone {{ url \"http://{closed}\" }}\nattack a on gone {{\n  rate 20/s\n  duration 500ms\n  request GET \"/x\"\n}}\nexpect success(all) >= 99%\n"),
    );
    let output = dfaas_run(tmp.path(), &["run", scenario.to_str().expect("utf-8"), "--quiet"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the attack ran, its expectation failed:\n{stderr}");
    let run = run_dir(tmp.path(), &output);
    let lines = results(&run.join("a/results.json"));
    assert_eq!(lines.len(), 10);
    assert!(lines.iter().all(|r| r["code"] == 0 && r["error_kind"] == "connect_refused"), "{}", lines[0]);
    assert!(
        lines.iter().all(|r| r["error"].as_str().is_some_and(|e| e.contains("connection refused"))),
        "{}",
        lines[0]
    );
    let report = std::fs::read_to_string(run.join("a/report.txt")).expect("report");
    assert!(report.contains("Success       [ratio]                           0.00%"), "{report}");
    assert!(report.contains("connection refused"), "the error set lists the error: {report}");
    for file in [
        "a/summary.json",
        "a/latency.hdr",
        "a/timeseries.csv",
        "merged-results/merged-results.json",
        "expectations.json",
        "run.json",
    ] {
        assert!(run.join(file).exists(), "{file} is written");
    }
}
