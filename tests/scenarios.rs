//! The example scenarios under `scenarios/` stay valid and safe: each checks without any diagnostic
//! (library and CLI), and with their defaults they only ever send traffic to the local machine.

mod support;

use dfaas_run::model::RequestSource;
use std::process::Command;
use support::{all_dfs_files, check, describe, scenario_files};

#[test]
fn every_scenario_checks_without_diagnostics() {
    let files = scenario_files();
    assert!(files.len() >= 7, "expected at least 7 example scenarios, found {}", files.len());
    for path in all_dfs_files() {
        let checked = check(&path);
        assert!(checked.diagnostics.is_empty(), "{}:\n{}", path.display(), describe(&checked));
        assert!(checked.scenario.is_some(), "{} gives no scenario", path.display());
    }
}

#[test]
fn the_cli_checks_the_scenarios_folder_cleanly() {
    let out = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(["check", "--deny-warnings", "scenarios"])
        .current_dir(support::root())
        .env_clear()
        .output()
        .expect("dfaas-run starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary = format!("ok: {} files checked, 0 errors, 0 warnings", all_dfs_files().len());
    assert!(stderr.contains(&summary), "expected `{summary}` in:\n{stderr}");
}

fn is_local(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

#[test]
fn scenarios_only_target_the_local_machine_by_default() {
    for path in scenario_files() {
        let scenario = check(&path).scenario.unwrap_or_else(|| panic!("{} does not check", path.display()));
        let shown = path.display();
        for node in &scenario.nodes {
            if let Some(url) = &node.url {
                assert!(is_local(url), "{shown}: node `{}` targets {url}", node.name);
            }
            if let Some(url) = node.gateway.as_ref().and_then(|g| g.url.as_ref()) {
                assert!(is_local(url), "{shown}: gateway of `{}` is {url}", node.name);
            }
        }
        for attack in &scenario.attacks {
            if let RequestSource::Spec(spec) = &attack.request {
                if let Ok(url) = url::Url::parse(&spec.target) {
                    assert!(is_local(&url), "{shown}: attack `{}` targets {url}", attack.name);
                }
            }
        }
        for n in &scenario.notifications {
            assert!(is_local(&n.url), "{shown}: webhook {}", n.url);
        }
    }
}

#[test]
fn every_scenario_is_kept_in_canonical_format() {
    for path in support::all_dfs_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let formatted =
            dfaas_run::parser::format::format_source(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert_eq!(formatted, text, "{} is not formatted: run `dfaas-run fmt scenarios`", path.display());
    }
}

/// The quick start serves its demo node on a free loopback port: two of them at once both pass
/// (time-scaled to 1.5 s of load each).
#[test]
fn two_quick_starts_run_side_by_side() {
    let scenario = support::root().join("scenarios/quickstart.dfs");
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let dir = tempfile::tempdir().expect("temp dir");
            let child = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
                .arg("run")
                .arg(&scenario)
                .args(["--time-scale", "0.1", "-q"])
                .current_dir(dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("dfaas-run starts");
            (dir, child)
        })
        .collect();
    for (dir, child) in runs {
        let out = child.wait_with_output().expect("dfaas-run ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let run = dir.path().join(String::from_utf8_lossy(&out.stdout).trim());
        assert!(run.join("merged-results/merged-results.json").is_file(), "{}: {stderr}", run.display());
    }
}
