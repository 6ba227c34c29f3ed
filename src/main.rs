//! The `dfaas-run` binary: parses arguments and maps the command's outcome to an exit code.
//! `dfaas-run FILE.dfs ...` is shorthand for `dfaas-run run FILE.dfs ...`.

use clap::Parser;
use dfaas_run::cli::{self, Cli};
use std::process::ExitCode;

/// Commands that run for a long time and must not die because an output pipe closed: they keep
/// Rust's default (SIGPIPE ignored) and tolerate write errors on their progress output.
const LONG_RUNNING: &[&str] = &["run", "attack", "demo-node"];

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        if !first.starts_with('-') && !cli::is_subcommand(first) {
            args.insert(1, "run".into());
        }
    }
    let command = args.get(1).and_then(|a| a.to_str()).unwrap_or_default();
    if !LONG_RUNNING.contains(&command) {
        restore_default_sigpipe();
    }
    let cli = Cli::parse_from(args);
    ExitCode::from(cli::run(cli))
}

/// `dfaas-run plan x.dfs | head` should stop quietly when `head` has read enough, like any Unix
/// filter, instead of panicking on a broken pipe.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default at startup, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
