//! The command line: clap definitions and one module per subcommand. Each command returns an
//! exit code (see `exit`); printing happens here and nowhere in the library.

mod attack;
mod check;
mod compare;
mod completions;
mod console;
mod demo_node;
mod diff;
mod excerpt;
pub mod exit;
mod fmt;
mod git_revision;
mod import;
mod init;
mod k8s;
mod k8s_kubectl;
mod live;
mod man;
mod merge;
mod plan;
pub mod render;
mod report;
mod run;
mod scale_args;
mod scenario_files;
mod shard_run;
mod time_scale;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "dfaas-run", version, about = "Declarative load tests for function platforms and HTTP services", long_about = None)]
#[command(
    after_help = "Run a scenario with `dfaas-run SCENARIO.dfs` (same as `dfaas-run run SCENARIO.dfs`).\nExit codes: 0 ok, 1 expectations failed, 2 usage or scenario error, 3 runtime failure, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: health gates, attacks, reports, expectations
    Run(run::RunArgs),
    /// Attack one URL at a rate (or with workers) for a duration: no scenario file needed
    Attack(attack::AttackArgs),
    /// Check scenario files (or every .dfs file under folders) and report every problem
    Check(check::CheckArgs),
    /// Print the plan of a scenario: its steps, their order, time windows and request counts
    Plan(plan::PlanArgs),
    /// Re-render a run's reports from its saved results (text, Markdown, HTML, JSON, your templates)
    Report(report::ReportArgs),
    /// Compare two runs side by side; exit 1 when the second regressed beyond the thresholds
    Compare(compare::CompareArgs),
    /// Serve a local mock DFaaS/OpenFaaS function node (the embedded demo target)
    DemoNode(demo_node::DemoNodeArgs),
    /// Rewrite scenario files in the canonical layout (`--check` lists those that are not)
    #[command(long_about = fmt::LONG_ABOUT)]
    Fmt(fmt::FmtArgs),
    /// Show how the plan changed between two scenario files or two git revisions of one
    Diff(diff::DiffArgs),
    /// Import a DFaaS operator configuration (.env) as a scenario
    #[command(long_about = import::LONG_ABOUT)]
    Import(import::ImportArgs),
    /// Scaffold a scenario repository: a starter scenario, .gitignore, CI script, pre-commit hook
    Init(init::InitArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell
    Completions(completions::CompletionsArgs),
    /// Print the man page (or write one page per command with --out DIR)
    Man(man::ManArgs),
    /// Merge shard folders (local or s3://), run folders or results files into one run, exactly
    Merge(merge::MergeArgs),
    /// Run a scenario as N shards on Kubernetes: render manifests, apply, status, collect, delete
    K8s(k8s::K8sArgs),
}

/// Names of the subcommands, to tell `dfaas-run FILE` from `dfaas-run COMMAND`.
pub fn is_subcommand(word: &str) -> bool {
    use clap::CommandFactory;
    Cli::command().get_subcommands().any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
        || word == "help"
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Attack(args) => attack::run(args),
        Command::Check(args) => check::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Report(args) => report::run(args),
        Command::Compare(args) => compare::run(args),
        Command::DemoNode(args) => demo_node::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Import(args) => import::run(args),
        Command::Init(args) => init::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Merge(args) => merge::run(args),
        Command::K8s(args) => k8s::run(args),
    }
}

/// `--set name=value`.
pub fn parse_set(s: &str) -> Result<(String, String), String> {
    let (name, value) =
        s.split_once('=').ok_or_else(|| format!("`{s}` is not NAME=VALUE; write it like `--set rate=100/s`"))?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(format!("`{name}` is not a variable name (letters, digits and `_`)"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Arguments shared by the commands that load one scenario.
#[derive(Debug, clap::Args)]
pub struct ScenarioArgs {
    /// The scenario file (.dfs)
    pub file: PathBuf,
    /// Override a variable: `--set rate=100/s` (repeatable; wins over `let` and the environment)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
}
