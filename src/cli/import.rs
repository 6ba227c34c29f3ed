//! `dfaas-run import OPERATOR.env [-o SCENARIO.dfs]`: the DFaaS operator's configuration as a
//! scenario. Diagnostics point into the `.env`; exit 2 when it has errors, nothing is written.

use super::exit;
use super::render::{human, use_color};
use crate::check::read_source;
use crate::diagnostic::Diagnostic;
use crate::import::{import, ImportOptions};
use crate::parser::span::SourceMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub const LONG_ABOUT: &str = "Import a DFaaS operator configuration (its .env file) as a scenario.

Reads both layouts of the operator's .env: the 2024 one (lists separated by `:`, deployment
variables, trailing `# ...` remarks) and the later one (lists separated by `;`, SKIP_PLOTS), and
writes an equivalent scenario in canonical layout: nodes, deploys with `dfaas.maxrate` labels,
the wait, health gates with the operator's retry policy, one attack per entry, teardown.
Gateway credentials become `${OPENFAAS_GATEWAY_USER}`/`${OPENFAAS_GATEWAY_PWD}` references,
never literals. Node URLs can be overridden with DFAAS_NODE_1, DFAAS_NODE_2, ...

The scenario is checked before it is written. Problems of the .env are reported on its lines
(exit 2, nothing written).";

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The operator's .env file
    pub file: PathBuf,
    /// Where to write the scenario (default: stdout)
    #[arg(long, short, value_name = "SCENARIO.dfs")]
    pub output: Option<PathBuf>,
    /// The scenario's name (default: the output file's name, else the .env file's, without extension)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
}

fn stem(path: &Path) -> Option<String> {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).filter(|s| !s.is_empty())
}

pub fn run(args: ImportArgs) -> u8 {
    let color = use_color();
    let empty = SourceMap::new();
    let text = match read_source(&args.file) {
        Ok(text) => text,
        Err(d) => {
            eprint!("{}", human(&d, &empty, color));
            return exit::SCENARIO_ERROR;
        }
    };
    if let Some(output) = args.output.as_ref().filter(|o| o.exists() && !args.force) {
        eprintln!("error: {} exists; pass --force to replace it", output.display());
        return exit::SCENARIO_ERROR;
    }
    let shown = args.file.display().to_string();
    let mut sources = SourceMap::new();
    let file = sources.add(&args.file, shown.clone(), text.clone());
    let scenario_name = args
        .name
        .clone()
        .or_else(|| args.output.as_deref().and_then(stem))
        .or_else(|| stem(&args.file))
        .unwrap_or_else(|| "operator".into());
    let options = ImportOptions {
        scenario_name,
        source_file: args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| shown.clone()),
        source_path: shown.clone(),
    };
    let imported = import(&text, file, &options);
    for d in &imported.diagnostics {
        eprint!("{}", human(d, &sources, color));
    }
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let errors = imported.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!("error: {shown} has {errors} error{}; no scenario written", if errors == 1 { "" } else { "s" });
        return exit::SCENARIO_ERROR;
    }
    if let Some(failure) = &imported.round_trip_failure {
        eprintln!("error: {}; this is a bug of `dfaas-run import`, please report it with the .env", failure.message);
        if let Some(checked) = &failure.checked {
            for d in &checked.diagnostics {
                eprint!("{}", human(d, &checked.sources, color));
            }
            if let Some((_, f)) = checked.sources.files().next() {
                eprintln!("--- the written scenario ---\n{}", f.text);
            }
        }
        return exit::SCENARIO_ERROR;
    }
    let Some(scenario) = imported.scenario else {
        eprintln!("error: no scenario was written");
        return exit::SCENARIO_ERROR;
    };
    let summary = imported.config.as_ref().map(summarize).unwrap_or_default();
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &scenario) {
                let d =
                    Diagnostic::error(crate::diagnostic::Code::Io, format!("cannot write `{}`: {e}", path.display()))
                        .help("check that the folder exists and is writable")
                        .with_path(path.display().to_string());
                eprint!("{}", human(&d, &empty, color));
                return exit::SCENARIO_ERROR;
            }
            eprintln!("imported {summary} into {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(scenario.as_bytes()).and_then(|_| stdout.flush()).is_err() {
                return exit::SCENARIO_ERROR;
            }
            eprintln!("imported {summary}");
        }
    }
    if imported.config.as_ref().is_some_and(|c| c.deploy || c.teardown) {
        eprintln!("note: set OPENFAAS_GATEWAY_USER and OPENFAAS_GATEWAY_PWD in the environment before running it");
    }
    exit::OK
}

fn summarize(config: &crate::import::OperatorConfig) -> String {
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![count(config.nodes.len(), "node")];
    if !config.functions.is_empty() {
        parts.push(count(config.functions.len(), "function"));
    }
    parts.push(count(config.attacks.len(), "attack"));
    parts.join(", ")
}
