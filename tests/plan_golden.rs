//! The plans of the example scenarios: golden text and JSON renders (`tests/golden/plan/`), YAML
//! that reads back as the JSON, DOT that Graphviz accepts, determinism and exact request counts.

mod support;

use dfaas_run::model::{Load, RateProfile, Scenario};
use dfaas_run::plan::{plan, render, Plan, PlanFormat, StepKind};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{check, compare_golden, describe, name, scenario_files};

/// Checks and plans one scenario (in an empty environment: every default applies).
fn planned(path: &Path) -> (Scenario, Plan) {
    let checked = check(path);
    let scenario =
        checked.scenario.unwrap_or_else(|| panic!("{} does not check:\n{}", path.display(), describe(&check(path))));
    let plan = plan(&scenario);
    (scenario, plan)
}

fn golden_dir() -> PathBuf {
    support::root().join("tests").join("golden").join("plan")
}

#[test]
fn plans_match_their_golden_files() {
    let mut failures = Vec::new();
    let mut names = Vec::new();
    for path in scenario_files() {
        let name = name(&path);
        assert!(!names.contains(&name), "two scenarios are named `{name}`: golden files would collide");
        let (_, plan) = planned(&path);
        for (format, ext) in [(PlanFormat::Text, "txt"), (PlanFormat::Json, "json")] {
            let golden = golden_dir().join(format!("{name}.{ext}"));
            if let Err(e) = compare_golden(&golden, &render(&plan, format)) {
                failures.push(e);
            }
        }
        names.push(name);
    }
    // A golden file without its scenario is stale: it would hide a renamed or deleted example.
    for entry in std::fs::read_dir(golden_dir()).expect("tests/golden/plan exists") {
        let path = entry.expect("readable directory entry").path();
        if !names.contains(&name(&path)) {
            if support::updating_golden() {
                std::fs::remove_file(&path).expect("stale golden file removable");
            } else {
                failures.push(format!("{} has no scenario; delete it (or run with UPDATE_GOLDEN=1)", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn yaml_reads_back_as_the_json() {
    for path in scenario_files() {
        let (_, plan) = planned(&path);
        let json: serde_json::Value = serde_json::from_str(&render(&plan, PlanFormat::Json)).expect("JSON plan parses");
        let yaml: serde_json::Value =
            serde_norway::from_str(&render(&plan, PlanFormat::Yaml)).expect("YAML plan parses");
        assert_eq!(yaml, json, "{}: the YAML plan does not mean the same as the JSON plan", path.display());
    }
}

#[test]
fn graphviz_accepts_the_dot_plans() {
    match Command::new("dot").arg("-V").output() {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "Graphviz's `dot` is not installed, and this test runs it on every plan: \
             install graphviz (`apt-get install graphviz`, `brew install graphviz`); CI installs it"
        ),
        Err(e) => panic!("cannot run Graphviz's `dot`: {e}"),
    }
    for path in scenario_files() {
        let (_, plan) = planned(&path);
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dot starts");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(render(&plan, PlanFormat::Dot).as_bytes())
            .expect("dot reads the plan");
        let out = child.wait_with_output().expect("dot finishes");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{}: dot -Tsvg failed: {stderr}", path.display());
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("<svg"), "{}: dot printed no SVG", path.display());
        for step in &plan.steps {
            let title = format!("<title>{}</title>", svg_text(&step.id));
            assert!(svg.contains(&title), "{}: step `{}` is not a node of the graph", path.display(), step.id);
        }
    }
}

/// Text as Graphviz writes it in SVG (it also escapes `-`, as `&#45;`).
fn svg_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('-', "&#45;")
}

#[test]
fn plans_are_deterministic() {
    for path in scenario_files() {
        let (_, first) = planned(&path);
        let (_, second) = planned(&path);
        for format in [PlanFormat::Text, PlanFormat::Json, PlanFormat::Yaml, PlanFormat::Dot] {
            assert_eq!(
                render(&first, format),
                render(&second, format),
                "{}: two {format:?} renders differ",
                path.display()
            );
        }
    }
}

/// `ceil(∫ rate dt)` with exact fractions: rates in requests per hour (over 1000), time in ns.
fn integral_ceil(profile: &RateProfile) -> u64 {
    const NANOS_PER_HOUR: u128 = 3_600 * 1_000_000_000;
    let (mut numerator, denominator) = (0u128, 2 * 1_000 * NANOS_PER_HOUR);
    for stage in &profile.stages {
        // A linear stage's area is its mean rate times its length: (from + to) / 2 × T.
        let ends = u128::from(stage.from.milli_per_hour()) + u128::from(stage.to.milli_per_hour());
        numerator += ends * stage.duration.as_nanos();
    }
    numerator.div_ceil(denominator) as u64
}

/// How many send times the profile hands out (what a pacer following it would send).
fn send_times(profile: &RateProfile) -> u64 {
    let mut k = 0;
    let mut previous = std::time::Duration::ZERO;
    while let Some(at) = profile.send_time(k) {
        assert!(at >= previous && at <= profile.duration(), "send time {k} ({at:?}) out of order or past the end");
        previous = at;
        k += 1;
    }
    k
}

#[test]
fn attack_steps_count_the_integral_of_their_rate() {
    for path in scenario_files() {
        let (scenario, plan) = planned(&path);
        let mut total = 0;
        for step in &plan.steps {
            let StepKind::Attack { attack, .. } = &step.kind else { continue };
            let attack = scenario.attack(attack).expect("every attack step names an attack");
            match &attack.load {
                Load::Open { profile } => {
                    let expected = integral_ceil(profile);
                    assert_eq!(step.expected_requests, Some(expected), "{}: {}", path.display(), step.id);
                    assert_eq!(send_times(profile), expected, "{}: {}: pacing disagrees", path.display(), step.id);
                    total += expected;
                }
                Load::Closed { .. } => assert_eq!(step.expected_requests, None, "{}: {}", path.display(), step.id),
            }
        }
        assert_eq!(plan.totals.expected_requests, total, "{}: totals", path.display());
    }
}

/// The worked example of `docs/language.md` and `scenarios/ramp-and-hold.dfs`, by hand.
#[test]
fn ramp_and_hold_counts_by_hand() {
    let (_, plan) = planned(&support::root().join("scenarios/ramp-and-hold.dfs"));
    let step = plan.step("attack:knee").expect("the knee attack");
    let ramp_up = (10 + 200) * 60 / 2; // 6300
    let hold = 200 * 120; // 24000
    let steps = (250 + 300 + 350 + 400) * 30; // 39000: four holds of 30s
    let ramp_down = 400 * 30 / 2; // 6000
    assert_eq!(step.expected_requests, Some(ramp_up + hold + steps + ramp_down));
    assert_eq!(plan.totals.load_duration, std::time::Duration::from_secs(60 + 120 + 4 * 30 + 30));
}
