//! `dfaas-run check [--format human|json] PATHS...`: every problem of every scenario file, exit 2
//! when any is an error. JSON output follows `docs/diagnostics.schema.json`.

use super::render::{human, use_color};
use super::{exit, scenario_files};
use crate::check::{check_path, unknown_override, CheckOptions, Checked};
use crate::diagnostic::{Code, JsonDiagnostic, Severity};
use crate::parser::span::SourceMap;
use serde::Serialize;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files or folders (every .dfs file below a folder); default: the current folder
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// `human` (source excerpts) or `json` (one document on stdout, for editors and CI)
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Override a variable: `--set rate=100/s` (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::parse_set)]
    pub set: Vec<(String, String)>,
    /// Treat warnings as errors (exit 2 when there is any)
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

/// The JSON document printed by `check --format json`.
#[derive(Serialize)]
struct Report {
    version: u32,
    files: Vec<FileResult>,
    diagnostics: Vec<JsonDiagnostic>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    ok: bool,
}

pub fn run(args: CheckArgs) -> u8 {
    let (files, mut problems) = scenario_files::expand(&args.paths);
    let color = use_color();
    let empty = SourceMap::new();
    let options = CheckOptions { overrides: args.set.clone(), ..CheckOptions::default() };
    let mut results: Vec<(String, Checked)> =
        files.iter().map(|file| (file.display().to_string(), check_path(file, &options))).collect();
    // With several files, `--set` applies to all of them: a variable is unknown only when no file
    // uses it, and then it is reported once, for the command line.
    if results.len() > 1 {
        let used: BTreeSet<&str> = results.iter().flat_map(|(_, c)| c.variables.iter().map(String::as_str)).collect();
        let known: Vec<&str> = used.iter().copied().collect();
        let mut reported = BTreeSet::new();
        for (name, _) in &args.set {
            if !used.contains(name.as_str()) && reported.insert(name.as_str()) {
                let shown = args.paths.first().map(|p| p.display().to_string()).unwrap_or_default();
                problems.push(unknown_override(name, &known).with_path(shown));
            }
        }
        for (_, checked) in &mut results {
            checked.diagnostics.retain(|d| d.code != Code::UnknownOverride);
        }
    }
    let mut report = Report { version: 1, files: Vec::new(), diagnostics: Vec::new(), errors: 0, warnings: 0 };
    let mut seen = BTreeSet::new();
    let count = |severity: Severity, report: &mut Report| match severity {
        Severity::Error => report.errors += 1,
        Severity::Warning => report.warnings += 1,
    };
    for d in &problems {
        count(d.severity, &mut report);
        match args.format {
            CheckFormat::Human => to_stderr(&human(d, &empty, color)),
            CheckFormat::Json => report.diagnostics.push(d.to_json(&empty, "")),
        }
    }
    for (shown, checked) in &results {
        let mut ok = true;
        for d in &checked.diagnostics {
            ok &= !d.is_error();
            // A file imported by several scenarios is reported once.
            let key = d.primary_span().map(|s| {
                (checked.sources.get(s.file).path.clone(), s.start, s.end, d.code.as_str(), d.message.clone())
            });
            if let Some(key) = key {
                if !seen.insert(key) {
                    continue;
                }
            }
            count(d.severity, &mut report);
            match args.format {
                CheckFormat::Human => to_stderr(&human(d, &checked.sources, color)),
                CheckFormat::Json => report.diagnostics.push(d.to_json(&checked.sources, shown)),
            }
        }
        if args.format == CheckFormat::Human && results.len() > 1 {
            // With several files, say how each one fared: the good ones too. (Counts include the
            // problems of imported files already reported with an earlier file.)
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = checked.diagnostics.len() - errors;
            match (ok, warnings) {
                (true, 0) => to_stderr(&format!("ok: {shown}\n")),
                (true, w) => to_stderr(&format!("ok: {shown} ({})\n", plural(w, "warning"))),
                (false, w) => {
                    to_stderr(&format!("failed: {shown} ({}, {})\n", plural(errors, "error"), plural(w, "warning")))
                }
            }
        }
        report.files.push(FileResult { file: shown.clone(), ok });
    }
    let failed = report.errors > 0 || (args.deny_warnings && report.warnings > 0);
    match args.format {
        CheckFormat::Json => {
            // Serializing plain strings and numbers cannot fail.
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            let _ = writeln!(std::io::stdout(), "{json}");
        }
        CheckFormat::Human => {
            to_stderr(&format!(
                "{}: {} checked, {}, {}\n",
                if failed { "error" } else { "ok" },
                plural(files.len(), "file"),
                plural(report.errors, "error"),
                plural(report.warnings, "warning")
            ));
        }
    }
    if failed {
        exit::SCENARIO_ERROR
    } else {
        exit::OK
    }
}

/// "1 error", "2 errors".
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Writes to stderr, ignoring failures: a closed pipe (`dfaas-run check | head`) is not a crash.
fn to_stderr(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
