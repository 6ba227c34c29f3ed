//! `dfaas-run plan FILE [--format text|json|yaml|dot]`: the DAG of steps with windows and counts.

use super::{exit, scenario_files, ScenarioArgs};
use crate::plan::{plan, render, PlanFormat};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output format: `text` for people, `json`/`yaml` for tools and review diffs, `dot` for Graphviz
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
}

pub fn run(args: PlanArgs) -> u8 {
    match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok((scenario, _)) => {
            print!("{}", render(&plan(&scenario), args.format));
            exit::OK
        }
        Err(code) => code,
    }
}
