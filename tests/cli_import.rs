//! `dfaas-run import` through the real binary: writing a file or stdout, the scenario name, never
//! overwriting without `--force`, diagnostics rendered on the `.env`'s lines, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("import")
}

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("OPENFAAS_GATEWAY_USER")
        .env_remove("OPENFAAS_GATEWAY_PWD")
        .args(args)
        .output()
        .expect("dfaas-run runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_sample_is_written_named_after_the_output_and_checks_cleanly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let env = samples().join("dfaasoperator.env");
    let output = tmp.path().join("dfaas-operator-default.dfs");
    let out = dfaas_run(tmp.path(), &["import", env.to_str().expect("utf-8"), "-o", output.to_str().expect("utf-8")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    let written = std::fs::read_to_string(&output).expect("written");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dfaas-operator-default.dfs");
    assert_eq!(written, std::fs::read_to_string(example).expect("example scenario"));
    for expected in [
        "dfs::trailing_remark",
        "dfaasoperator.env:24:29]",
        "note: lists are separated by `:` (the operator's 2024 layout)",
        "imported 3 nodes, 3 functions, 4 attacks into",
        "note: set OPENFAAS_GATEWAY_USER and OPENFAAS_GATEWAY_PWD",
    ] {
        assert!(stderr.contains(expected), "`{expected}` missing from:\n{stderr}");
    }
    let check = dfaas_run(tmp.path(), &["check", "--deny-warnings", output.to_str().expect("utf-8")]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

#[test]
fn an_existing_output_is_replaced_only_with_force() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let env = samples().join("operator.env");
    let output = tmp.path().join("mine.dfs");
    std::fs::write(&output, "# mine\n").expect("write");
    let refused = dfaas_run(tmp.path(), &["import", env.to_str().expect("utf-8"), "-o", "mine.dfs"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("mine.dfs exists; pass --force"), "{}", text(&refused.stderr));
    assert_eq!(std::fs::read_to_string(&output).expect("kept"), "# mine\n");
    let forced = dfaas_run(tmp.path(), &["import", env.to_str().expect("utf-8"), "-o", "mine.dfs", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert!(std::fs::read_to_string(&output).expect("replaced").contains("scenario \"mine\""));
}

#[test]
fn without_output_the_scenario_goes_to_stdout_named_after_the_env_file_or_name() {
    let dir = samples();
    let out = dfaas_run(&dir, &["import", "operator.env"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout, std::fs::read_to_string(dir.join("operator.dfs")).expect("golden"));
    assert!(text(&out.stderr).contains("note: lists are separated by `;` (the operator's later layout)"));
    let named = dfaas_run(&dir, &["import", "operator.env", "--name", "smoke"]);
    assert!(text(&named.stdout).contains("\nscenario \"smoke\"\n"), "{}", text(&named.stdout));
}

#[test]
fn a_malformed_env_exits_2_with_its_diagnostics_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let output = tmp.path().join("out.dfs");
    let dir = samples().join("malformed");
    let out = dfaas_run(&dir, &["import", "rate_list_too_short.env", "-o", output.to_str().expect("utf-8")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for expected in [
        "dfs::list_length",
        "× `ATTACKS_RATE` has 3 entries but `ATTACKS_NAME` names 4 attacks",
        "rate_list_too_short.env:28:14]",
        "attack 4 (`figlet-mid-500`) has none",
        "has 1 error; no scenario written",
    ] {
        assert!(stderr.contains(expected), "`{expected}` missing from:\n{stderr}");
    }
    assert!(!output.exists());
    let missing = dfaas_run(&dir, &["import", "no-such.env"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("dfs::io"), "{}", text(&missing.stderr));
}
