//! `dfaas-run plan FILE [--format text|json|yaml|dot]`: the DAG of steps with windows and counts.

use super::{exit, scenario_files, time_scale, ScenarioArgs};
use crate::model::TimeScale;
use crate::plan::{plan, render, PlanFormat};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output format: `text` for people, `json`/`yaml` for tools and review diffs, `dot` for Graphviz
    #[arg(long, value_enum, default_value = "text")]
    pub format: PlanFormat,
    /// Plan the scenario with every delay, duration, wait and retry interval multiplied by F
    #[arg(long, value_name = "F", value_parser = time_scale::parse)]
    pub time_scale: Option<TimeScale>,
}

pub fn run(args: PlanArgs) -> u8 {
    match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok((scenario, _)) => match time_scale::apply(scenario, args.time_scale) {
            Ok(scenario) => {
                print!("{}", render(&plan(&scenario), args.format));
                exit::OK
            }
            Err(code) => code,
        },
        Err(code) => code,
    }
}
