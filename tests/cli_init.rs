//! `dfaas-run init` on the real binary: the scaffolded repository checks and plans, its scripts are
//! valid shell, and an existing file is never overwritten (exit 2, nothing written).

use std::path::Path;
use std::process::{Command, Output};

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).args(args).current_dir(dir).output().expect("run dfaas-run")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const FILES: &[&str] = &["scenarios/smoke.dfs", ".gitignore", "ci/check-scenarios.sh", "hooks/pre-commit"];

#[test]
fn init_scaffolds_a_repository_that_checks() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = dfaas_run(tmp.path(), &["init", "repo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let repo = tmp.path().join("repo");
    let listed = String::from_utf8_lossy(&out.stdout);
    for file in FILES {
        assert!(repo.join(file).is_file(), "{file} is created");
        assert!(listed.contains(&format!("created {}", Path::new("repo").join(file).display())), "{listed}");
    }
    let gitignore = std::fs::read_to_string(repo.join(".gitignore")).expect("read .gitignore");
    assert!(gitignore.lines().any(|l| l == "runs/"), "{gitignore}");

    let check = dfaas_run(&repo, &["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("check --format json prints JSON");
    assert_eq!(report["files"].as_array().map(Vec::len), Some(1), "the starter scenario is found: {report}");
    assert_eq!((report["errors"].as_u64(), report["warnings"].as_u64()), (Some(0), Some(0)), "{report}");
    let check = dfaas_run(&repo, &["check", "--deny-warnings", "scenarios"]);
    assert_eq!(check.status.code(), Some(0), "the CI script's check passes: {}", stderr(&check));
    let plan = dfaas_run(&repo, &["plan", "scenarios/smoke.dfs"]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    assert!(String::from_utf8_lossy(&plan.stdout).contains("600 requests; open: hold 20/s for 30s"));
}

#[test]
fn scripts_are_executable_shell() {
    let tmp = tempfile::tempdir().expect("temp dir");
    assert_eq!(dfaas_run(tmp.path(), &["init"]).status.code(), Some(0));
    for script in ["ci/check-scenarios.sh", "hooks/pre-commit"] {
        let path = tmp.path().join(script);
        let text = std::fs::read_to_string(&path).expect("read script");
        assert!(text.starts_with("#!/bin/sh\n"), "{script}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "{script} is executable");
        }
        match Command::new("sh").arg("-n").arg(&path).output() {
            Ok(check) => assert!(check.status.success(), "sh -n {script}: {}", stderr(&check)),
            Err(e) => eprintln!("sh not available, {script} not syntax-checked: {e}"),
        }
    }
}

#[test]
fn init_never_overwrites() {
    let tmp = tempfile::tempdir().expect("temp dir");
    assert_eq!(dfaas_run(tmp.path(), &["init", "repo"]).status.code(), Some(0));
    let smoke = tmp.path().join("repo/scenarios/smoke.dfs");
    std::fs::write(&smoke, "# mine\n").expect("write");
    let out = dfaas_run(tmp.path(), &["init", "repo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exist; `dfaas-run init` never overwrites files, so nothing was written"));
    assert_eq!(std::fs::read_to_string(&smoke).expect("read"), "# mine\n", "the file is untouched");
}

#[test]
fn one_existing_file_means_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join(".gitignore"), "target/\n").expect("write");
    let out = dfaas_run(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("error: `./.gitignore` already exists;"), "{err}");
    assert!(err.contains("help: move it away"), "{err}");
    assert!(!tmp.path().join("scenarios").exists(), "nothing else was written");
    assert_eq!(std::fs::read_to_string(tmp.path().join(".gitignore")).expect("read"), "target/\n");
}
