//! The `dfaas-run` binary: parses arguments and maps the command's outcome to an exit code.
//! `dfaas-run FILE.dfs ...` is shorthand for `dfaas-run run FILE.dfs ...`.

use clap::Parser;
use dfaas_run::cli::{self, Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        if !first.starts_with('-') && !cli::is_subcommand(first) {
            args.insert(1, "run".into());
        }
    }
    let cli = Cli::parse_from(args);
    ExitCode::from(cli::run(cli))
}
