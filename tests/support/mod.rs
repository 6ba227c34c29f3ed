//! Helpers shared by the integration tests: finding the example scenarios, checking them in a
//! fixed environment, and comparing output with golden files (`UPDATE_GOLDEN=1` rewrites them).
#![allow(dead_code)] // Each test crate uses its own subset.

use dfaas_run::check::{check_path, CheckOptions, Checked};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.dfs` file under `scenarios/`, sorted, including the imported-only ones.
pub fn all_dfs_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&root().join("scenarios"), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .dfs file under scenarios/");
    files
}

/// The runnable scenarios: every `.dfs` file except the shared ones under `scenarios/common/`.
pub fn scenario_files() -> Vec<PathBuf> {
    let common = root().join("scenarios").join("common");
    all_dfs_files().into_iter().filter(|p| !p.starts_with(&common)).collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())).path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "dfs") {
            out.push(path);
        }
    }
}

/// The golden name of a scenario: its file stem (unique among the scenarios).
pub fn name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Checks a file with an empty environment, so that every `${VAR:-default}` takes its default.
pub fn check(path: &Path) -> Checked {
    check_path(path, &CheckOptions::with_env(&[]))
}

/// Diagnostics of a check as `code: message` lines, for assertion messages.
pub fn describe(checked: &Checked) -> String {
    checked.diagnostics.iter().map(|d| format!("{}: {}\n", d.code.as_str(), d.message)).collect()
}

pub fn updating_golden() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `path`. Returns a readable failure, or writes the
/// file when `UPDATE_GOLDEN=1`.
pub fn compare_golden(path: &Path, actual: &str) -> Result<(), String> {
    let shown = path.strip_prefix(root()).unwrap_or(path).display().to_string();
    if updating_golden() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        return std::fs::write(path, actual).map_err(|e| format!("cannot write {shown}: {e}"));
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{shown}: cannot read it ({e}); run with UPDATE_GOLDEN=1 to create it"))?;
    if expected == actual {
        return Ok(());
    }
    Err(format!(
        "{shown} differs from the output (- golden, + actual); if the change is intended, run with UPDATE_GOLDEN=1\n{}",
        line_diff(&expected, actual)
    ))
}

/// A unified-style line diff with two lines of context around each change.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = ops.iter().enumerate().filter(|(_, (op, _))| *op != ' ').map(|(k, _)| k).collect();
    if changed.is_empty() {
        return "(the lines are equal: the difference is in line endings or the final newline)\n".to_string();
    }
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (k, (op, line)) in ops.iter().enumerate() {
        let near = changed.iter().any(|&c| c.abs_diff(k) <= 2);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|l| l + 1 != k) {
            out.push_str("  ...\n");
        }
        out.push_str(&format!("{op} {line}\n"));
        last_shown = Some(k);
    }
    out
}

/// Random scenario generation for property tests.
pub mod scenario_gen;
pub mod scenario_values;
