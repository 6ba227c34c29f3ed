//! The editor samples (`editors/test/samples`, tokenized for the grammars' golden files) are valid
//! scenarios: `dfaas-run check` passes on them, so the highlighting is tested on real syntax.

use std::process::Command;

#[test]
fn editor_samples_pass_check() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/test/samples");
    let out = Command::new(env!("CARGO_BIN_EXE_dfaas-run")).arg("check").arg(&samples).output().expect("run dfaas-run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "check failed:\n{stderr}");
    assert!(stderr.contains("ok: 3 files checked, 0 errors, 0 warnings"), "{stderr}");
}
