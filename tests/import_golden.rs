//! `dfaas-run import` goldens (`tests/import/`): the two operator samples import to their
//! scenarios (the 2024 one byte for byte to `scenarios/dfaas-operator-default.dfs`), valid
//! variants to theirs, and every malformed variant gives its expected diagnostics and no scenario.

mod support;

use dfaas_run::diagnostic::Diagnostic;
use dfaas_run::import::{import, ImportOptions, Imported};
use dfaas_run::parser::span::{line_col, FileId};
use std::path::{Path, PathBuf};
use support::{compare_golden, root};

fn dir() -> PathBuf {
    root().join("tests").join("import")
}

fn run_import(env: &Path, scenario_name: &str) -> (String, Imported) {
    let text = std::fs::read_to_string(env).unwrap_or_else(|e| panic!("{}: {e}", env.display()));
    let file_name = env.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let options = ImportOptions {
        scenario_name: scenario_name.to_string(),
        source_file: file_name.clone(),
        source_path: file_name,
    };
    let imported = import(&text, FileId(0), &options);
    (text, imported)
}

/// `severity code line:column message`, then `  help: ...`, one diagnostic after the other.
fn describe(text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = match d.primary_span() {
            Some(span) => {
                let (line, column) = line_col(text, span.start);
                format!("{line}:{column}")
            }
            None => "-".to_string(),
        };
        let severity = if d.is_error() { "error" } else { "warning" };
        out.push_str(&format!("{severity} {} {at} {}\n", d.code.as_str(), d.message));
        if let Some(help) = &d.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    out
}

fn scenario_of(env: &Path, imported: &Imported) -> String {
    if let Some(failure) = &imported.round_trip_failure {
        let diagnostics: Vec<String> = failure
            .checked
            .iter()
            .flat_map(|c| c.diagnostics.iter().map(|d| format!("{}: {}", d.code.as_str(), d.message)))
            .collect();
        panic!("{}: {}\n{}", env.display(), failure.message, diagnostics.join("\n"));
    }
    imported.scenario.clone().unwrap_or_else(|| panic!("{} gives no scenario", env.display()))
}

fn env_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "env"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_2024_sample_imports_to_the_example_scenario_byte_for_byte() {
    let env = dir().join("dfaasoperator.env");
    let (text, imported) = run_import(&env, "dfaas-operator-default");
    let scenario = scenario_of(&env, &imported);
    let mut failures = Vec::new();
    for (golden, actual) in [
        (root().join("scenarios").join("dfaas-operator-default.dfs"), scenario.clone()),
        (dir().join("dfaasoperator.diagnostics"), describe(&text, &imported.diagnostics)),
    ] {
        if let Err(e) = compare_golden(&golden, &actual) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(imported.notes, ["lists are separated by `:` (the operator's 2024 layout), as `FUNCS_NAMES` shows"]);
    assert!(!scenario.contains("admin"), "gateway credentials are references, never the .env's values");
}

#[test]
fn the_later_sample_and_the_valid_variants_import_to_their_goldens() {
    let mut files = vec![dir().join("operator.env")];
    files.extend(env_files(&dir().join("variants")));
    assert!(files.len() >= 3);
    let mut failures = Vec::new();
    for env in files {
        let name = env.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let (text, imported) = run_import(&env, &name);
        let scenario = scenario_of(&env, &imported);
        assert!(!scenario.contains("s3cret"), "{}: a credential reached the scenario", env.display());
        for (golden, actual) in [
            (env.with_extension("dfs"), scenario),
            (env.with_extension("diagnostics"), describe(&text, &imported.diagnostics)),
        ] {
            if let Err(e) = compare_golden(&golden, &actual) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_variants_give_their_diagnostics_and_no_scenario() {
    let files = env_files(&dir().join("malformed"));
    assert!(files.len() >= 10, "at least 10 malformed variants, found {}", files.len());
    let mut failures = Vec::new();
    for env in files {
        let name = env.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let (text, imported) = run_import(&env, &name);
        assert!(imported.scenario.is_none(), "{}: a malformed .env gave a scenario", env.display());
        assert!(
            imported.diagnostics.iter().any(Diagnostic::is_error),
            "{}: no error among {:?}",
            env.display(),
            imported.diagnostics
        );
        if let Err(e) = compare_golden(&env.with_extension("diagnostics"), &describe(&text, &imported.diagnostics)) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every golden file under `tests/import/` has its `.env`: a stale one would hide a removed case.
#[test]
fn no_golden_without_its_env_file() {
    for folder in [dir(), dir().join("malformed"), dir().join("variants")] {
        for entry in std::fs::read_dir(&folder).expect("readable folder") {
            let path = entry.expect("entry").path();
            let golden = path.extension().is_some_and(|e| e == "dfs" || e == "diagnostics");
            assert!(!golden || path.with_extension("env").exists(), "{} has no .env beside it", path.display());
        }
    }
}
