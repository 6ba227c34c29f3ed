//! `dfaas-run fmt [--check] PATHS...`: rewrites scenario files in the canonical layout (or, with
//! `--check`, lists those that are not, with a short diff); `-` formats stdin to stdout.

mod diff;

use super::render::{human, use_color};
use super::{exit, scenario_files};
use crate::check::{read_source, MAX_FILE_BYTES};
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::format::format_source;
use crate::parser::span::SourceMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const STDIN_NAME: &str = "<stdin>";

/// The `--help` text (`-h` shows the one-line summary from `cli::Command`).
pub const LONG_ABOUT: &str = "Rewrite scenario files in the one canonical layout: two-space indentation, one \
property per line, no `;`, comments and literals kept exactly as written. Formatting never changes \
what a scenario means, and formatting twice changes nothing.\n\n\
Folders are searched for every .dfs file below them; `-` reads a scenario from stdin and writes the \
formatted text to stdout. Files are rewritten in place (through a temporary file in the same folder, \
then renamed) only when their layout changes.\n\n\
With --check nothing is written: every file that is not formatted is listed with a short diff, and the \
exit code is 1 if there is any (for CI). A file with syntax errors is never touched: its errors are \
printed and the exit code is 2.\n\n\
Exit codes: 0 everything is formatted (or was rewritten), 1 --check found unformatted files, 2 a \
syntax error, an unreadable file or a folder without .dfs files.\n\n\
Examples:\n  dfaas-run fmt scenarios/\n  dfaas-run fmt --check .\n  cat spike.dfs | dfaas-run fmt -";

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Change nothing: list the files that are not formatted, with a diff, and exit 1 if any
    #[arg(long)]
    pub check: bool,
    /// Scenario files, folders (every .dfs file below) or `-` (stdin to stdout)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// What happened to one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

pub fn run(args: FmtArgs) -> u8 {
    let color = use_color();
    let stdin = Path::new("-");
    let files: Vec<PathBuf> = args.paths.iter().filter(|p| p.as_path() != stdin).cloned().collect();
    let (files, problems) = scenario_files::expand(&files);
    for d in &problems {
        eprint!("{}", human(d, &SourceMap::new(), color));
    }
    let mut outcomes = Vec::new();
    if args.paths.iter().any(|p| p.as_path() == stdin) {
        outcomes.push(format_stdin(args.check, color));
    }
    for file in &files {
        outcomes.push(format_file(file, args.check, color));
    }
    summarize(&outcomes, problems.len(), args.check)
}

fn format_stdin(check: bool, color: bool) -> Outcome {
    let text = match read_stdin() {
        Ok(text) => text,
        Err(d) => {
            eprint!("{}", human(&d, &SourceMap::new(), color));
            return Outcome::Failed;
        }
    };
    let Some(formatted) = format_or_report(Path::new(STDIN_NAME), STDIN_NAME, &text, color) else {
        return Outcome::Failed;
    };
    let changed = formatted != text;
    if check {
        if changed {
            print!("{}", diff::short_diff(STDIN_NAME, &text, &formatted));
        }
    } else {
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(formatted.as_bytes()).and_then(|()| out.flush()) {
            eprintln!("error: cannot write the formatted scenario to stdout: {e}");
            return Outcome::Failed;
        }
    }
    if changed {
        Outcome::Changed
    } else {
        Outcome::Unchanged
    }
}

fn read_stdin() -> Result<String, Diagnostic> {
    let mut bytes = Vec::new();
    let read = std::io::stdin().lock().take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes);
    if let Err(e) = read {
        return Err(Diagnostic::error(Code::Io, format!("cannot read stdin: {e}"))
            .help("pipe a scenario into `dfaas-run fmt -`")
            .with_path(STDIN_NAME));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            Code::TooLarge,
            format!("stdin holds more than the {} MiB limit for a scenario file", MAX_FILE_BYTES >> 20),
        )
        .help("scenario files describe load, they do not hold data: move bodies to `body file \"...\"` or a feeder")
        .with_path(STDIN_NAME));
    }
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(Code::Encoding, format!("stdin is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
            .help("save the scenario as UTF-8")
            .with_path(STDIN_NAME)
    })
}

fn format_file(path: &Path, check: bool, color: bool) -> Outcome {
    let shown = path.display().to_string();
    let text = match read_source(path) {
        Ok(text) => text,
        Err(d) => {
            eprint!("{}", human(&d, &SourceMap::new(), color));
            return Outcome::Failed;
        }
    };
    let Some(formatted) = format_or_report(path, &shown, &text, color) else {
        return Outcome::Failed;
    };
    if formatted == text {
        return Outcome::Unchanged;
    }
    if check {
        print!("{}", diff::short_diff(&shown, &text, &formatted));
        return Outcome::Changed;
    }
    match replace_file(path, &formatted) {
        Ok(()) => {
            eprintln!("formatted {shown}");
            Outcome::Changed
        }
        Err(e) => {
            let d = Diagnostic::error(Code::Io, format!("cannot rewrite `{shown}`: {e}"))
                .help("check that the file and its folder are writable; the file was not changed")
                .with_path(shown);
            eprint!("{}", human(&d, &SourceMap::new(), color));
            Outcome::Failed
        }
    }
}

/// The formatted text, or `None` after printing the syntax errors.
fn format_or_report(path: &Path, shown: &str, text: &str, color: bool) -> Option<String> {
    match format_source(text) {
        Ok(formatted) => Some(formatted),
        Err(diagnostics) => {
            let mut sources = SourceMap::new();
            sources.add(path, shown.to_string(), text.to_string());
            for d in &diagnostics {
                eprint!("{}", human(d, &sources, color));
            }
            eprintln!("error: {shown} has syntax errors; it was not formatted");
            None
        }
    }
}

/// Writes `text` to a temporary file next to `path` (following a symlink to its target), with
/// the same permissions, then renames it over `path`: the file is never half-written.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.fmt-{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&temp, permissions)?;
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Prints the summary line and picks the exit code. `problems` are paths that yielded no file.
fn summarize(outcomes: &[Outcome], problems: usize, check: bool) -> u8 {
    let count = |o: Outcome| outcomes.iter().filter(|&&x| x == o).count();
    let (changed, failed) = (count(Outcome::Changed), count(Outcome::Failed));
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    let verdict = if failed + problems > 0 {
        "error"
    } else if check && changed > 0 {
        "not formatted"
    } else {
        "ok"
    };
    let changes = if check {
        format!("{} would be reformatted", files(changed))
    } else {
        format!("{} reformatted", files(changed))
    };
    let mut errors = if failed > 0 { format!(", {} with errors (not changed)", files(failed)) } else { String::new() };
    if problems > 0 {
        errors.push_str(&format!(", {problems} path{} without scenarios", if problems == 1 { "" } else { "s" }));
    }
    eprintln!("{verdict}: {} seen, {changes}{errors}", files(outcomes.len()));
    if check && changed > 0 && failed + problems == 0 {
        eprintln!("run `dfaas-run fmt` on them to fix the layout");
    }
    if failed + problems > 0 {
        exit::SCENARIO_ERROR
    } else if check && changed > 0 {
        exit::EXPECTATIONS_FAILED
    } else {
        exit::OK
    }
}
