//! Golden tests of the formatter: each `tests/format/<name>.dfs` must format to
//! `<name>.formatted.dfs` (regenerate with `UPDATE_GOLDEN=1`), which must be a fixed point.

use dfaas_run::parser::format::format_source;
use dfaas_run::parser::parse_file;
use dfaas_run::parser::span::FileId;
use std::path::{Path, PathBuf};

const FORMATTED: &str = ".formatted.dfs";

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/format");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".dfs") && !name.ends_with(FORMATTED)
        })
        .collect();
    inputs.sort();
    inputs
}

fn expected_path(input: &Path) -> PathBuf {
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    input.with_file_name(format!("{}{FORMATTED}", name.trim_end_matches(".dfs")))
}

/// The first differing line, then both texts in full, for a readable failure.
fn describe_mismatch(name: &str, expected: &str, actual: &str) -> String {
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(
        "{name}: formatted output differs from the golden file at line {}\n  expected: {:?}\n  actual:   {:?}\n--- actual output ---\n{actual}--- end ---\n(run with UPDATE_GOLDEN=1 to accept)",
        line + 1,
        expected.lines().nth(line).unwrap_or("<end of file>"),
        actual.lines().nth(line).unwrap_or("<end of file>"),
    )
}

#[test]
fn golden_files_match() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let inputs = inputs();
    assert!(inputs.len() >= 8, "the golden inputs are missing: {inputs:?}");
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.display().to_string();
        let text = std::fs::read_to_string(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual = format_source(&text).unwrap_or_else(|e| panic!("{name} must parse: {e:#?}"));
        let golden = expected_path(input);
        if update {
            std::fs::write(&golden, &actual).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if actual != expected {
            failures.push(describe_mismatch(&name, &expected, &actual));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn golden_outputs_are_fixed_points_with_the_same_meaning() {
    for input in inputs() {
        let golden = expected_path(&input);
        let Ok(expected) = std::fs::read_to_string(&golden) else { continue };
        let again = format_source(&expected).unwrap_or_else(|e| panic!("{}: {e:#?}", golden.display()));
        assert_eq!(again, expected, "{} is not formatted", golden.display());
        let original = std::fs::read_to_string(&input).unwrap_or_default();
        let before = parse_file(&original, FileId(0)).ok();
        let after = parse_file(&expected, FileId(0)).ok();
        assert_eq!(after, before, "{} does not mean the same as its input", golden.display());
    }
}
