//! The checker's diagnostics, proven on files: every `tests/check/{error,ok}/*.dfs` is checked with a
//! fixed environment and compared with its `.expected` codes and its `.stderr` miette rendering.

// Regenerate the goldens deliberately with `UPDATE_GOLDEN=1 cargo test --test check_errors`.
// A `<name>.set` file beside a scenario holds `NAME=VALUE` lines passed as `--set` overrides.

use dfaas_run::check::{check_path, CheckOptions, Checked};
use dfaas_run::cli::render::human;
use dfaas_run::diagnostic::{Code, Severity};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The environment every corpus file is checked with (never the process environment).
const ENV: &[(&str, &str)] =
    &[("DFAAS_TEST_NODE", "http://127.0.0.1:8080"), ("DFAAS_TEST_RATE", "25/s"), ("DFAAS_TEST_WORDS", "ten seconds")];

/// Codes a scenario file cannot produce: they come from the command line or the file system
/// (`tests/cli_bad_input.rs` covers them).
const NOT_FROM_A_FILE: &[Code] = &[
    Code::NoScenarios,
    Code::TooLarge,
    // The `import` command's codes point into operator `.env` files: covered by tests/import/.
    Code::UnknownVariable,
    Code::ListLength,
    Code::TrailingRemark,
    Code::InvalidBoolean,
    Code::InvalidName,
    Code::NotImported,
];

/// Codes of problems that have no place in a file to point at.
const WITHOUT_LABEL: &[Code] = &[Code::UnknownOverride, Code::Encoding, Code::TooLarge, Code::NoScenarios];

fn corpus(dir: &str) -> Vec<PathBuf> {
    let root = Path::new("tests/check").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "dfs"))
        .collect();
    files.sort();
    files
}

fn options(file: &Path) -> CheckOptions {
    let mut options = CheckOptions::with_env(ENV);
    if let Ok(text) = std::fs::read_to_string(file.with_extension("set")) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (name, value) =
                line.split_once('=').unwrap_or_else(|| panic!("{}: `{line}` is not NAME=VALUE", file.display()));
            options.overrides.push((name.to_string(), value.to_string()));
        }
    }
    options
}

/// One line per diagnostic, from the JSON form: `<code> <line>:<column> <severity>`.
fn expected_lines(file: &Path, checked: &Checked) -> String {
    let shown = file.display().to_string();
    let mut out = String::new();
    for d in &checked.diagnostics {
        let j = d.to_json(&checked.sources, &shown);
        let severity = match j.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{} {}:{} {severity}", j.code, j.line, j.column);
    }
    out
}

fn rendered(checked: &Checked) -> String {
    checked.diagnostics.iter().map(|d| human(d, &checked.sources, false)).collect()
}

/// Invariants of every diagnostic: a help line, labels inside their file on character boundaries,
/// and a label unless the problem has no place in a file.
fn check_shape(file: &Path, checked: &Checked, problems: &mut Vec<String>) {
    for d in &checked.diagnostics {
        let what = format!("{}: {} ({})", file.display(), d.message, d.code.as_str());
        if d.help.as_deref().is_none_or(|h| h.trim().is_empty()) {
            problems.push(format!("{what}: no help line"));
        }
        if d.labels.is_empty() && !WITHOUT_LABEL.contains(&d.code) && d.path.is_none() {
            problems.push(format!("{what}: no label"));
        }
        for label in &d.labels {
            let text = &checked.sources.get(label.span.file).text;
            let inside = label.span.start <= label.span.end && label.span.end <= text.len();
            if !inside || !text.is_char_boundary(label.span.start) || !text.is_char_boundary(label.span.end) {
                problems.push(format!("{what}: label `{}` is outside its file", label.text));
            } else if label.span.is_empty() && label.span.start < text.len() {
                problems.push(format!("{what}: label `{}` is empty", label.text));
            }
        }
    }
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE_GOLDEN=1`.
fn compare(golden: &Path, actual: &str, problems: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(golden, actual).unwrap_or_else(|e| panic!("cannot write {}: {e}", golden.display()));
        return;
    }
    let expected = std::fs::read_to_string(golden).unwrap_or_default();
    if expected != actual {
        problems.push(format!(
            "{} differs (UPDATE_GOLDEN=1 to accept):\n{}",
            golden.display(),
            diff(&expected, actual)
        ));
    }
}

/// A small line diff: `-` expected, `+` actual, around the first difference.
fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let first = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let mut out = String::new();
    for line in e.iter().skip(first).take(12) {
        let _ = writeln!(out, "  - {line}");
    }
    for line in a.iter().skip(first).take(12) {
        let _ = writeln!(out, "  + {line}");
    }
    if e.is_empty() && a.is_empty() {
        out.push_str("  (whitespace differs)\n");
    }
    format!("  first difference at line {}\n{out}", first + 1)
}

/// Checks one corpus file, never letting a panic escape unreported.
fn check_file(file: &Path, problems: &mut Vec<String>) -> Option<Checked> {
    let options = options(file);
    match catch_unwind(AssertUnwindSafe(|| check_path(file, &options))) {
        Ok(checked) => Some(checked),
        Err(_) => {
            problems.push(format!("{}: the checker panicked", file.display()));
            None
        }
    }
}

fn run_corpus(dir: &str, must_fail: bool) -> BTreeSet<&'static str> {
    let files = corpus(dir);
    assert!(!files.is_empty(), "no .dfs file in tests/check/{dir}");
    let mut problems = Vec::new();
    let mut codes = BTreeSet::new();
    for file in &files {
        let Some(checked) = check_file(file, &mut problems) else { continue };
        codes.extend(checked.diagnostics.iter().map(|d| d.code.as_str()));
        if must_fail && !checked.has_errors() {
            problems.push(format!("{}: expected at least one error, got none", file.display()));
        }
        if !must_fail && (checked.has_errors() || checked.scenario.is_none()) {
            problems.push(format!(
                "{}: expected a valid scenario, got errors:\n{}",
                file.display(),
                rendered(&checked)
            ));
        }
        check_shape(file, &checked, &mut problems);
        compare(&file.with_extension("expected"), &expected_lines(file, &checked), &mut problems);
        compare(&file.with_extension("stderr"), &rendered(&checked), &mut problems);
    }
    assert!(problems.is_empty(), "{} problem(s):\n\n{}", problems.len(), problems.join("\n\n"));
    codes
}

#[test]
fn invalid_scenarios_report_every_expected_diagnostic() {
    let files = corpus("error");
    assert!(files.len() >= 45, "the error corpus has {} files, expected at least 45", files.len());
    let codes = run_corpus("error", true);
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !NOT_FROM_A_FILE.contains(c))
        .map(|c| c.as_str())
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes no file of tests/check/error produces: {missing:?}");
}

#[test]
fn valid_scenarios_have_no_error() {
    run_corpus("ok", false);
}

#[test]
fn several_problems_of_one_file_are_all_reported() {
    // Files named `multi_*` hold several problems on purpose: each must report at least three.
    let multi: Vec<PathBuf> = corpus("error")
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("multi_")))
        .collect();
    assert!(multi.len() >= 5, "expected at least 5 multi-problem files, found {}", multi.len());
    let mut problems = Vec::new();
    for file in &multi {
        let Some(checked) = check_file(file, &mut problems) else { continue };
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors < 3 {
            problems.push(format!("{}: {errors} error(s), expected at least 3", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn long_chains_are_checked_on_a_small_stack() {
    // 5 000 attacks each waiting for the next, and 5 000 variables each made of the previous: the
    // checker must walk them without recursing once per link.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut text = String::from("scenario \"chains\"\nnode edge { url \"http://127.0.0.1:8080\" }\nlet v0 = \"x\"\n");
    for i in 1..5_000 {
        text.push_str(&format!("let v{i} = \"${{v{}}}\"\n", i - 1));
    }
    for i in 0..5_000 {
        let after = if i + 1 < 5_000 { format!("after a{}; ", i + 1) } else { String::new() };
        text.push_str(&format!(
            "attack a{i} on edge {{ {after}rate 1/s; duration 1s; request GET \"/${{v4999}}\" }}\n"
        ));
    }
    let file = dir.path().join("chains.dfs");
    std::fs::write(&file, text).expect("write");
    let checked = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || check_path(&file, &CheckOptions::with_env(ENV)))
        .expect("a thread")
        .join()
        .expect("the checker does not overflow a 256 KiB stack");
    let errors: Vec<&str> = checked.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str()).collect();
    // Every attack expands `${v4999}`, 32 levels deep at most.
    assert!(!errors.is_empty() && errors.iter().all(|c| *c == "dfs::bad_interpolation"), "{errors:?}");
}

#[test]
fn mutated_corpus_files_never_panic() {
    // Deterministic damage to every corpus file — a brace, quote or escape inserted, a few bytes
    // cut, the end truncated — then check and render: errors are fine, a panic is not.
    const DAMAGE: &[&str] = &["{", "}", "\"", "\\", "${", "\"\"\"", "\n", "#", "(", "..", "->", "é", "=", "-", "1"];
    let dir = tempfile::tempdir().expect("a temporary folder");
    let target = dir.path().join("damaged.dfs");
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let mut panics = Vec::new();
    for file in corpus("error").into_iter().chain(corpus("ok")) {
        let Ok(original) = std::fs::read_to_string(&file) else { continue };
        for _ in 0..8 {
            let mut text = original.clone();
            for _ in 0..1 + next() % 3 {
                let mut at = next() % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next() % 3 {
                    0 => text.insert_str(at, DAMAGE[next() % DAMAGE.len()]),
                    1 => {
                        let mut end = (at + 1 + next() % 8).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => text.truncate(at),
                }
            }
            std::fs::write(&target, &text).expect("write");
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let checked = check_path(&target, &CheckOptions::with_env(ENV));
                for d in &checked.diagnostics {
                    let _ = (human(d, &checked.sources, false), d.to_json(&checked.sources, "damaged.dfs"));
                }
            }));
            if outcome.is_err() {
                panics.push(format!("from {}:\n{text}", file.display()));
            }
        }
    }
    assert!(panics.is_empty(), "{} damaged files panicked; the first:\n{}", panics.len(), panics[0]);
}
