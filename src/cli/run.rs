//! `dfaas-run run FILE` (and `dfaas-run FILE`): check, plan, then execute. Until the runtime
//! lands, it checks and plans, then says plainly that execution is not available.

use super::{exit, scenario_files, ScenarioArgs};
use crate::plan::{plan, render, PlanFormat};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

pub fn run(args: RunArgs) -> u8 {
    let (scenario, _) = match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let plan = plan(&scenario);
    eprint!("{}", render(&plan, PlanFormat::Text));
    eprintln!("\nerror: executing scenarios is not available in this version of dfaas-run; the scenario is valid and the plan above is what a run will do");
    exit::RUNTIME_FAILURE
}
