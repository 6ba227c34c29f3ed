//! Loading scenarios for a command: check, print the diagnostics to stderr, and hand back the
//! checked scenario or the exit code to stop with. Also finds `.dfs` files under folders.

use super::exit;
use super::render::{human, use_color};
use crate::check::{check_path, CheckOptions, Checked};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Scenario;
use std::path::{Path, PathBuf};

/// Checks one scenario, printing its diagnostics. `Err(code)` when it has errors.
pub fn load(file: &Path, set: &[(String, String)]) -> Result<(Scenario, Checked), u8> {
    let options = CheckOptions { overrides: set.to_vec(), ..CheckOptions::default() };
    let mut checked = check_path(file, &options);
    let color = use_color();
    for d in &checked.diagnostics {
        eprint!("{}", human(d, &checked.sources, color));
    }
    match checked.scenario.take() {
        Some(s) if !checked.has_errors() => Ok((s, checked)),
        _ => {
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: {} has {errors} error{}; nothing was run",
                file.display(),
                if errors == 1 { "" } else { "s" }
            );
            Err(exit::SCENARIO_ERROR)
        }
    }
}

/// Folders we never descend into when looking for scenarios.
const SKIPPED_DIRS: &[&str] = &["runs", "target", "node_modules"];

/// Expands files and folders into `.dfs` files (folders recursively, sorted, hidden and run
/// folders skipped). A folder without any `.dfs` file is a diagnostic.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files, &mut problems);
            if files.len() == before {
                problems.push(
                    Diagnostic::error(Code::NoScenarios, format!("no .dfs file under `{}`", path.display()))
                        .help("scenario files end in .dfs; pass a file or a folder that holds some")
                        .with_path(path.display().to_string()),
                );
            }
        } else {
            files.push(path.clone());
        }
    }
    (files, problems)
}

/// Symbolic links to folders are not followed (a link to a parent would never end); links to
/// files are.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(
                Diagnostic::error(Code::Io, format!("cannot read folder `{}`: {e}", dir.display()))
                    .help("check the folder's permissions")
                    .with_path(dir.display().to_string()),
            );
            return;
        }
    };
    let mut entries: Vec<(PathBuf, bool)> =
        entries.filter_map(|e| e.ok()).map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir()))).collect();
    entries.sort();
    for (path, is_dir) in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if is_dir {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(&path, files, problems);
            }
        } else if name.ends_with(".dfs") && path.is_file() {
            files.push(path);
        }
    }
}
