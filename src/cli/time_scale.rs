//! `--time-scale F` for `run` and `plan`: parses the factor and scales the checked scenario,
//! printing a warning for every duration it makes shorter than a millisecond.

use super::exit;
use crate::model::units::format_duration;
use crate::model::{Scenario, TimeScale};

/// The clap value parser of `--time-scale`.
pub fn parse(text: &str) -> Result<TimeScale, String> {
    TimeScale::parse(text)
}

/// `scenario` with every delay and duration multiplied by `scale` (when given and not 1).
/// Warnings go to stderr; an impossible result is an error (exit 2).
pub fn apply(scenario: Scenario, scale: Option<TimeScale>) -> Result<Scenario, u8> {
    let Some(scale) = scale.filter(|s| !s.is_one()) else { return Ok(scenario) };
    let before = crate::plan::plan(&scenario).totals.load_duration;
    match scenario.time_scaled(scale) {
        Ok(scaled) => {
            for warning in &scaled.warnings {
                eprintln!("warning: --time-scale {scale}: {warning}");
            }
            let after = crate::plan::plan(&scaled.scenario).totals.load_duration;
            eprintln!(
                "note: --time-scale {scale}: every delay, duration, wait and retry interval is multiplied by {scale}, rates are not; the load lasts {} instead of {}",
                format_duration(after),
                format_duration(before)
            );
            Ok(scaled.scenario)
        }
        Err(message) => {
            eprintln!("error: --time-scale {scale}: {message}");
            Err(exit::SCENARIO_ERROR)
        }
    }
}
