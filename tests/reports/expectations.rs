//! Expectations as a truth table: every metric × comparison with a passing and a failing value
//! (boundaries included) on figures known exactly; then exit codes through the real binary.

use super::*;
use dfaas_run::check::{check_path, CheckOptions};
use dfaas_run::report::expect::{evaluate, Planned};
use dfaas_run::report::recount::recount;
use std::collections::BTreeMap;
use std::time::Duration;

/// 100 results, one every 10 ms: latencies 1 ms .. 100 ms, every 20th a 500 (5 errors).
fn known_results(path: &std::path::Path) {
    let mut text = String::new();
    for i in 0..100u64 {
        let failed = i % 20 == 0;
        let (code, error, kind) = if failed { (500, "500 Internal Server Error", "status") } else { (200, "", "") };
        text.push_str(&format!(
            "{{\"attack\":\"a\",\"seq\":{i},\"code\":{code},\"timestamp\":\"2024-05-01T12:00:00.{:03}Z\",\"latency\":{},\"bytes_out\":0,\"bytes_in\":2,\"error\":\"{error}\",\"body\":\"\",\"method\":\"GET\",\"url\":\"http://127.0.0.1:9/\",\"headers\":{{}},\"lateness\":0,\"node\":\"n\",\"error_kind\":\"{kind}\"}}\n",
            i * 10,
            (i + 1) * 1_000_000
        ));
    }
    std::fs::write(path, text).expect("write results");
}

/// (line, passes) — the figures: p50 ≈ 50 ms, p99 ≈ 99 ms, p99.9 ≈ 100 ms (HDR, within 0.1 %),
/// mean 50.5 ms, min 1 ms, max 100 ms, 95 % success, 5 errors, 100 requests over the planned 1 s
/// (100/s, 100 % of plan), 95 successes (95/s, 95 %).
const TABLE: &[(&str, bool)] = &[
    ("p99(a) < 100ms", true),
    ("p99(a) < 99ms", false),
    ("p99(a) <= 100ms", true),
    ("p99(a) <= 98ms", false),
    ("p99(a) > 98ms", true),
    ("p99(a) > 100ms", false),
    ("p99(a) >= 99ms", true),
    ("p99(a) >= 100ms", false),
    ("p99(a) == 99ms", false),
    ("p99(a) != 99ms", true),
    ("p50(a) < 51ms", true),
    ("p50(a) > 51ms", false),
    ("p99.9(all) <= 100.1ms", true),
    ("p99.9(all) < 99ms", false),
    ("mean(a) == 50.5ms", true),
    ("mean(a) != 50.5ms", false),
    ("mean(a) < 50.5ms", false),
    ("mean(a) <= 50.5ms", true),
    ("mean(a) > 50ms", true),
    ("mean(a) >= 51ms", false),
    ("min(a) == 1ms", true),
    ("min(a) > 1ms", false),
    ("min(a) >= 1ms", true),
    ("min(a) < 1ms", false),
    ("max(a) == 100ms", true),
    ("max(a) < 100ms", false),
    ("max(a) <= 100ms", true),
    ("max(a) != 100ms", false),
    ("success(a) >= 95%", true),
    ("success(a) > 95%", false),
    ("success(a) == 95%", true),
    ("success(a) != 95%", false),
    ("success(a) <= 95%", true),
    ("success(a) < 95%", false),
    ("success(all) >= 99%", false),
    ("errors(a) == 5", true),
    ("errors(a) != 5", false),
    ("errors(a) <= 5", true),
    ("errors(a) < 5", false),
    ("errors(a) > 4", true),
    ("errors(a) >= 6", false),
    ("errors(a) == 5%", true),
    ("errors(a) < 5%", false),
    ("errors(a) <= 5%", true),
    ("errors(a) > 5%", false),
    ("requests(a) == 100", true),
    ("requests(a) != 100", false),
    ("requests(a) >= 101", false),
    ("requests(all) > 99", true),
    ("requests(a) < 100", false),
    ("requests(a) <= 100", true),
    ("rate(a) >= 100/s", true),
    ("rate(a) > 100/s", false),
    ("rate(a) == 100/s", true),
    ("rate(a) < 100/s", false),
    ("rate(a) >= 95%", true),
    ("rate(a) == 100%", true),
    ("rate(a) < 100%", false),
    ("rate(a) != 100%", false),
    ("throughput(a) >= 95/s", true),
    ("throughput(a) > 95/s", false),
    ("throughput(a) <= 95/s", true),
    ("throughput(a) == 95%", true),
    ("throughput(a) >= 96%", false),
];

#[test]
fn every_metric_and_comparison_passes_and_fails_where_it_should() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut scenario = String::from(
        "scenario \"table\"\nnode n { url \"http://127.0.0.1:9\" }\nattack a on n {\n  rate 100/s\n  duration 1s\n  request GET \"/\"\n}\n",
    );
    for (line, _) in TABLE {
        scenario.push_str(&format!("expect {line}\n"));
    }
    let path = tmp.path().join("table.dfs");
    std::fs::write(&path, scenario).expect("write");
    let checked = check_path(&path, &CheckOptions::with_env(&[]));
    let scenario = checked.scenario.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    assert_eq!(scenario.expectations.len(), TABLE.len());

    let results = tmp.path().join("results.json");
    known_results(&results);
    let metrics = recount(&results, "a").expect("recount").metrics;
    let planned = Planned { requests: Some(100), duration: Duration::from_secs(1) };
    let attacks = BTreeMap::from([("a".to_string(), (metrics.clone(), planned))]);
    let verdicts = evaluate(&scenario.expectations, &attacks, &(metrics, planned));

    let mut wrong = Vec::new();
    for ((line, passes), v) in TABLE.iter().zip(&verdicts) {
        assert_eq!(&v.expectation, line);
        assert_eq!(v.problem, None, "{line}");
        if v.passed != *passes {
            wrong.push(format!("{line}: {} (measured {})", if v.passed { "passed" } else { "failed" }, v.measured));
        }
    }
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
    let measured: BTreeMap<&str, &str> =
        verdicts.iter().map(|v| (v.expectation.as_str(), v.measured.as_str())).collect();
    assert_eq!(measured["mean(a) == 50.5ms"], "50.5ms");
    assert_eq!(measured["success(a) >= 95%"], "95.00%");
    assert_eq!(measured["errors(a) == 5"], "5");
    assert_eq!(measured["rate(a) >= 100/s"], "100.0/s");
    assert_eq!(measured["rate(a) >= 95%"], "100.00% of 100 planned");
    assert_eq!(measured["throughput(a) == 95%"], "95.00% of 100 planned");
}

#[test]
fn an_attack_without_results_fails_its_expectations_with_the_reason() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("t.dfs");
    std::fs::write(
        &path,
        "node n { url \"http://127.0.0.1:9\" }\nattack a on n {\n  rate 1/s\n  duration 1s\n  request GET \"/\"\n}\nexpect errors(a) == 0\nexpect p99(all) < 1s\n",
    )
    .expect("write");
    let scenario = check_path(&path, &CheckOptions::with_env(&[])).scenario.expect("checks");
    let empty = dfaas_run::report::metrics::Metrics::combine("all", &[]).expect("empty");
    let planned = Planned { requests: Some(1), duration: Duration::from_secs(1) };
    let verdicts = evaluate(&scenario.expectations, &BTreeMap::new(), &(empty, planned));
    assert!(verdicts.iter().all(|v| !v.passed));
    assert_eq!(verdicts[0].problem.as_deref(), Some("attack `a` has no results (it did not run)"));
    assert_eq!(verdicts[1].problem.as_deref(), Some("no request got a response, so there is no latency"));
}

/// Runs a 10-request attack on the embedded demo node with `expects`; returns the exit code and
/// the run folder.
fn run_with(dir: &std::path::Path, name: &str, expects: &[&str]) -> (Option<i32>, std::path::PathBuf, String) {
    let mut text = format!("scenario \"{name}\"\nnode demo {{ embedded demo {{ latency 1ms..2ms }} }}\nattack a on demo {{\n  rate 50/s\n  duration 200ms\n  request GET \"/function/x\"\n}}\n");
    for e in expects {
        text.push_str(&format!("expect {e}\n"));
    }
    let path = dir.join(format!("{name}.dfs"));
    std::fs::write(&path, text).expect("write");
    let out = dfaas_run(dir, &["run", path.to_str().expect("utf-8"), "--quiet"]);
    let run = dir.join(stdout(&out).lines().last().expect("the run folder").trim());
    (out.status.code(), run, stderr(&out))
}

#[test]
fn the_exit_code_is_0_when_every_expectation_holds_and_1_when_one_fails() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let passing = ["requests(a) == 10", "success(a) >= 100%", "errors(all) == 0", "rate(a) >= 100%", "p99(a) < 10s"];
    let (code, run, err) = run_with(tmp.path(), "pass", &passing);
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).expect("report.json")).expect("json");
    assert_eq!(report["outcome"], "passed");
    assert_eq!(report["expectations"]["passed"], 5);
    let measured: Vec<&str> = report["expectations"]["verdicts"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v["measured"].as_str())
        .collect();
    assert_eq!(&measured[..4], ["10", "100.00%", "0", "100.00% of 10 planned"]);

    let (code, run, err) = run_with(tmp.path(), "fail", &["requests(a) == 10", "requests(a) < 10", "p99(a) < 10s"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("✘ expect requests(a) < 10   measured 10"), "{err}");
    assert!(err.contains("✔ expect requests(a) == 10  measured 10"), "{err}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).expect("report.json")).expect("json");
    assert_eq!(report["outcome"], "expectations_failed", "the report written before `expect` agrees with it");
    assert_eq!(
        (report["expectations"]["passed"].as_u64(), report["expectations"]["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("expectations.json")).expect("saved")).expect("json");
    assert_eq!(saved, report["expectations"]["verdicts"], "expectations.json and report.json agree");
}
