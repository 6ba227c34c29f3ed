//! `--time-scale F`: `Scenario::time_scaled` multiplies every delay, duration, wait, gate interval
//! and deadline and retry interval exactly (rates, tries and timeouts unchanged), and `plan`/`run`
//! accept the flag and refuse factors that are not positive numbers.

use dfaas_run::check::{check_source, CheckOptions};
use dfaas_run::model::{Load, Scenario, TimeScale};
use dfaas_run::plan::plan;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const SCENARIO: &str = r#"
scenario "scaled"
node a {
  url "http://127.0.0.1:9"
  gateway { user "u" }
}
function f { image "img" }
deploy f on a {
  retries 3
  every 10s
  timeout 5s
}
wait 5s
health a {
  every 2s
  tries 10
  timeout 1s
}
attack ramp on a {
  delay 1m
  stages {
    ramp 10/s -> 100/s over 1m
    hold 100/s for 2m
  }
  timeout 3s
  request GET "/f"
}
attack closed on a {
  after ramp
  workers 4
  duration 30s
  request GET "/f"
}
teardown f on a
expect p99(ramp) < 250ms
"#;

fn scenario() -> Scenario {
    let checked = check_source(Path::new("scaled.dfs"), SCENARIO.to_string(), &CheckOptions::with_env(&[]));
    let messages: Vec<&str> = checked.diagnostics.iter().map(|d| d.message.as_str()).collect();
    checked.scenario.unwrap_or_else(|| panic!("the scenario checks: {messages:?}"))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn scale(text: &str) -> TimeScale {
    TimeScale::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_time_but_no_rate_nor_timeout_is_scaled() {
    let original = scenario();
    let scaled = original.time_scaled(scale("0.01")).expect("scales").scenario;
    assert_eq!(scaled.wait, Some(Duration::from_millis(50)));
    let (d, t) = (&scaled.deployments[0], &scaled.teardowns[0]);
    assert_eq!((d.every, d.retries, d.timeout), (Duration::from_millis(100), 3, secs(5)));
    assert_eq!(t.every, original.teardowns[0].every / 100);
    let g = &scaled.gates[0];
    assert_eq!((g.every, g.tries, g.timeout), (Duration::from_millis(20), Some(10), secs(1)));
    assert_eq!(g.within, original.gates[0].within / 100, "the deadline scales too");
    let ramp = scaled.attack("ramp").expect("ramp");
    assert_eq!((ramp.delay, ramp.timeout), (Duration::from_millis(600), secs(3)));
    let (Load::Open { profile }, Load::Open { profile: before }) =
        (&ramp.load, &original.attack("ramp").expect("ramp").load)
    else {
        panic!("open model");
    };
    for (s, b) in profile.stages.iter().zip(&before.stages) {
        assert_eq!((s.from, s.to, s.duration), (b.from, b.to, b.duration / 100), "rates unchanged");
    }
    // Request counts scale with the time: ∫ rate over a 100 times shorter profile.
    assert_eq!(before.expected_requests(), 3300 + 12_000);
    assert_eq!(profile.expected_requests(), 33 + 120);
    let closed = scaled.attack("closed").expect("closed");
    assert!(matches!(closed.load, Load::Closed { workers: 4, duration } if duration == Duration::from_millis(300)));
    assert_eq!(scaled.expectations[0].text, "p99(ramp) < 250ms", "latency thresholds are not times to scale");
    // The plan shows the scaled windows.
    let p = plan(&scaled);
    assert_eq!(p.totals.load_duration, Duration::from_millis(600 + 1800 + 300));
    assert_eq!(p.totals.expected_requests, 153);
}

#[test]
fn scaling_by_one_changes_nothing_and_up_scaling_works() {
    let original = scenario();
    let same = original.time_scaled(scale("1")).expect("scales");
    assert!(same.warnings.is_empty());
    assert_eq!(plan(&same.scenario).totals.load_duration, plan(&original).totals.load_duration);
    let slower = original.time_scaled(scale("2")).expect("scales").scenario;
    assert_eq!(slower.attack("ramp").map(|a| a.delay), Some(secs(120)));
}

#[test]
fn durations_scaled_below_a_millisecond_are_warned_about() {
    let scaled = scenario().time_scaled(scale("0.00001")).expect("scales");
    let warnings = scaled.warnings.join("\n");
    assert!(warnings.contains("wait: 5s × 0.00001 = 50us, shorter than 1ms"), "{warnings}");
    assert!(warnings.contains("attack ramp: delay"), "{warnings}");
    assert!(!warnings.contains("attack ramp: stage 2"), "1.2ms is not under 1ms: {warnings}");
    assert_eq!(scaled.scenario.wait, Some(Duration::from_micros(50)));
}

fn dfaas_run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .args(args)
        .output()
        .expect("dfaas-run runs")
}

#[test]
fn plan_shows_the_scaled_plan() {
    let file = "scenarios/dfaas-operator-default.dfs";
    let out = dfaas_run(&["plan", file, "--time-scale", "0.01"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("load+3s → load+9s"), "5m → 3s, 15m → 9s:\n{stdout}");
    assert!(stdout.contains("3150 requests; open: hold 350/s for 9s"), "{stdout}");
    assert!(stdout.contains("4 attacks, 5850 requests planned, load lasts 9s"), "{stdout}");
    assert!(
        stderr.contains("note: --time-scale 0.01:") && stderr.contains("the load lasts 9s instead of 15m"),
        "{stderr}"
    );
    let json = dfaas_run(&["plan", file, "--time-scale", "1e-2", "--format", "json"]);
    assert!(String::from_utf8_lossy(&json.stdout).contains("\"load_duration\": \"9s\""));
}

#[test]
fn bad_factors_are_usage_errors() {
    for (arg, expected) in [
        ("--time-scale=0", "is zero"),
        ("--time-scale=-1", "is negative"),
        ("--time-scale=inf", "is not a number"),
        ("--time-scale=NaN", "is not a number"),
    ] {
        for command in ["plan", "run"] {
            let out = dfaas_run(&[command, "scenarios/quickstart.dfs", arg]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {arg}: {stderr}");
            assert!(stderr.contains(expected), "{command} {arg}: {stderr}");
        }
    }
}
