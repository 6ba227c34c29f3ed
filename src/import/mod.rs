//! `dfaas-run import`: the DFaaS operator's `.env` configuration → an equivalent `.dfs` scenario,
//! in canonical layout, checked before it is handed back (it must pass `check` as written).
//!
//! The stages, each in its own file: `env_file` reads Docker's env-file format with spans,
//! `variables` knows the operator's variables, `lists` decides the separator and splits lists,
//! `values`, `config` and `attacks` type every entry, `scenario_text` writes the scenario.

mod attacks;
mod config;
mod env_file;
mod lists;
mod scenario_text;
mod values;
mod variables;

pub use config::{AttackTarget, OperatorConfig};
pub use lists::Separator;
pub use scenario_text::{DEPLOY_RETRIES, HEALTH_EVERY_SECS, HEALTH_TIMEOUT_SECS, HEALTH_TRIES, RETRY_EVERY_SECS};
pub use variables::KNOWN as KNOWN_VARIABLES;

use crate::check::{check_source, CheckOptions, Checked};
use crate::diagnostic::Diagnostic;
use crate::parser::format::format_source;
use crate::parser::span::FileId;
use std::path::Path;

/// How the output is named.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The `scenario "..."` name.
    pub scenario_name: String,
    /// The `.env` file's name as the output's header comment shows it (no folders).
    pub source_file: String,
    /// Shown in diagnostics that are about the whole file (a missing variable).
    pub source_path: String,
}

/// What an import produced.
pub struct Imported {
    /// Every problem of the `.env` file (spans into it, as `FileId` given to `import`).
    pub diagnostics: Vec<Diagnostic>,
    /// What the user should know besides diagnostics (the separator found).
    pub notes: Vec<String>,
    /// The scenario, formatted and checked; `None` when the `.env` has errors.
    pub scenario: Option<String>,
    /// The typed configuration the scenario was written from.
    pub config: Option<OperatorConfig>,
    /// When the written scenario does not pass the checker as it should (a bug of the importer):
    /// the check, with the scenario's text in its sources.
    pub round_trip_failure: Option<RoundTripFailure>,
}

/// A written scenario that does not check, or does not mean what the `.env` said.
pub struct RoundTripFailure {
    pub message: String,
    pub checked: Option<Box<Checked>>,
}

/// Imports the `.env` text `text` (file `file` in the caller's source map).
pub fn import(text: &str, file: FileId, options: &ImportOptions) -> Imported {
    let (env, mut diagnostics) = env_file::read_env_file(text, file);
    diagnostics.extend(variables::check_names(&env));
    let mut imported =
        Imported { diagnostics: Vec::new(), notes: Vec::new(), scenario: None, config: None, round_trip_failure: None };
    let layout = match lists::detect(&env) {
        Ok(layout) => layout,
        Err(d) => {
            diagnostics.push(d);
            imported.diagnostics = sorted(diagnostics);
            return imported;
        }
    };
    imported.notes.push(match &layout.evidence {
        Some(evidence) => format!(
            "lists are separated by `{}` ({}), as `{}` shows",
            layout.separator.char(),
            layout.separator.layout(),
            evidence.node
        ),
        None => format!(
            "no list has two entries: reading lists as separated by `{}` ({})",
            layout.separator.char(),
            layout.separator.layout()
        ),
    });
    let config = config::build(&env, layout, &options.source_path, &mut diagnostics);
    imported.diagnostics = sorted(diagnostics);
    let Some(config) = config else { return imported };
    if imported.diagnostics.iter().any(Diagnostic::is_error) {
        return imported;
    }
    let naming = scenario_text::Naming { scenario: &options.scenario_name, source_file: &options.source_file };
    let written = scenario_text::render(&config, &naming);
    match round_trip(&written, &config, &options.scenario_name) {
        Ok(scenario) => imported.scenario = Some(scenario),
        Err(failure) => imported.round_trip_failure = Some(failure),
    }
    imported.config = Some(config);
    imported
}

fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| s.start));
    diagnostics
}

/// Formats the written scenario and checks it (in an empty environment, so every `${...}`
/// takes its default): it must check without any diagnostic and mean what the `.env` meant.
fn round_trip(written: &str, config: &OperatorConfig, name: &str) -> Result<String, RoundTripFailure> {
    let formatted = format_source(written).map_err(|errors| RoundTripFailure {
        message: format!("the written scenario does not parse ({} syntax errors):\n{written}", errors.len()),
        checked: None,
    })?;
    let path = Path::new(name).with_extension("dfs");
    let checked = check_source(&path, formatted.clone(), &CheckOptions::with_env(&[]));
    let Some(scenario) = checked.scenario.as_ref().filter(|_| checked.diagnostics.is_empty()) else {
        return Err(RoundTripFailure {
            message: "the written scenario does not pass `dfaas-run check`".into(),
            checked: Some(Box::new(checked)),
        });
    };
    let pairs = config.nodes.len() * config.functions.len();
    let expected = (
        config.nodes.len(),
        config.attacks.len(),
        if config.deploy { pairs } else { 0 },
        if config.teardown { pairs } else { 0 },
        config.wait,
    );
    let found = (
        scenario.nodes.len(),
        scenario.attacks.len(),
        scenario.deployments.len(),
        scenario.teardowns.len(),
        scenario.wait,
    );
    let same_attacks = config.attacks.iter().zip(&scenario.attacks).all(|(a, s)| {
        a.name == s.name
            && a.delay == s.delay
            && a.duration == s.duration()
            && s.expected_requests() == Some(rate_count(a.rate, a.duration))
    });
    if expected != found || !same_attacks {
        return Err(RoundTripFailure {
            message: format!(
                "the written scenario does not mean what the .env says (nodes, attacks, deploys, teardowns, wait: expected {expected:?}, found {found:?}; attacks equal: {same_attacks})"
            ),
            checked: Some(Box::new(checked)),
        });
    }
    Ok(formatted)
}

/// Requests of a constant-rate attack: `ceil(rate × duration)`, exactly.
fn rate_count(rate: u64, duration: std::time::Duration) -> u64 {
    (rate as u128 * duration.as_nanos()).div_ceil(1_000_000_000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "NODES=127.0.0.2\nATTACKS_NAME=a\nATTACKS_DELAY=0\nATTACKS_TARGET=127.0.0.2/function/f\nATTACKS_METHOD=GET\nATTACKS_RATE=5\nATTACKS_DURATION=1\n";

    fn options() -> ImportOptions {
        ImportOptions { scenario_name: "t".into(), source_file: "t.env".into(), source_path: "t.env".into() }
    }

    #[test]
    fn a_written_scenario_that_does_not_check_or_mean_the_same_is_refused() {
        let imported = import(ENV, FileId(0), &options());
        let (Some(scenario), Some(config)) = (imported.scenario, imported.config) else {
            panic!("the small .env imports: {:?}", imported.diagnostics);
        };
        assert!(round_trip(&scenario, &config, "t").is_ok());
        let broken = round_trip(&scenario.replace("rate 5/s", "rate 5/s {"), &config, "t").err();
        assert!(broken.is_some_and(|f| f.message.contains("does not parse") && f.checked.is_none()));
        let unchecked = round_trip(&scenario.replace("/function/f", "function/f"), &config, "t").err();
        assert!(unchecked.is_some_and(|f| f.message.contains("does not pass") && f.checked.is_some()));
        let changed = round_trip(&scenario.replace("rate 5/s", "rate 6/s"), &config, "t").err();
        assert!(changed.is_some_and(|f| f.message.contains("does not mean what the .env says")));
    }

    #[test]
    fn errors_stop_the_import_and_warnings_do_not() {
        let bad = import(&ENV.replace("ATTACKS_RATE=5", "ATTACKS_RATE=five"), FileId(0), &options());
        assert!(bad.scenario.is_none() && bad.diagnostics.iter().any(Diagnostic::is_error));
        let warned = import(&ENV.replace("ATTACKS_RATE=5", "ATTACKS_RATE=5 # per second"), FileId(0), &options());
        assert!(warned.scenario.is_some() && warned.diagnostics.len() == 1, "{:?}", warned.diagnostics);
    }
}
