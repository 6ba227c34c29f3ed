//! Output edge cases of the binary: a reader that closes the pipe early must not make
//! `dfaas-run` panic (it stops quietly, like any Unix filter).

use std::process::{Command, Stdio};

#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_stops_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/dfaas-operator-default.dfs");
    for args in [vec!["completions", "zsh"], vec!["plan", scenario, "--format", "json"], vec!["man"]] {
        for _ in 0..5 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts");
            drop(child.stdout.take()); // The reader goes away before reading anything.
            let output = child.wait_with_output().expect("exits");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            let quiet = output.status.success() || output.status.signal() == Some(libc::SIGPIPE);
            assert!(quiet, "{args:?}: {:?}", output.status);
        }
    }
}
