//! Tests of reports (`dfaas_run::report`) and of the `report` and `compare` commands, on run
//! folders built deterministically by `fixture` and on real runs against the demo node.

mod compare;
mod expectations;
mod fixture;
mod html;
mod json_schema;
mod metrics;
mod notify;
mod report_cli;
mod run_reports;
mod webhook;

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the real binary in `dir`.
pub fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).current_dir(dir).args(args).output().expect("dfaas-run runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The golden file `tests/reports/golden/NAME`.
pub fn golden(name: &str, actual: &str) {
    let path = support::root().join("tests/reports/golden").join(name);
    if let Err(e) = support::compare_golden(&path, actual) {
        panic!("{e}");
    }
}
