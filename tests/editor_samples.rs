//! The editor samples (`editors/test/samples`, tokenized for the grammars' golden files) are valid
//! scenarios: `dfaas-run check` passes on them, so the highlighting is tested on real syntax.

use std::process::Command;

#[test]
fn editor_samples_pass_check() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/test/samples");
    let out = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(["check", "--deny-warnings", "--format", "json"])
        .arg(&samples)
        .output()
        .expect("run dfaas-run");
    assert_eq!(out.status.code(), Some(0), "check failed:\n{}", String::from_utf8_lossy(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check --format json prints JSON");
    let files = report["files"].as_array().map(Vec::len).unwrap_or(0);
    assert!(files >= 3, "every sample is checked: {report}");
}
