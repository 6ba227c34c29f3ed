//! Health gate timing: a gate's `tries` and `consecutive` successes must fit its `within`
//! deadline. Fills in the deadline `tries` need; warns when `within` cuts them short.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::format_duration;
use crate::model::HealthGate;
use crate::parser::span::Span;
use std::collections::BTreeMap;

impl Checker<'_> {
    /// `tries` without `within` gives the gate the time all its tries need; a `within` too short
    /// for them is a warning naming how many fit, never a silent cap.
    pub(super) fn fit_tries(&self, gate: &mut HealthGate, tries: u32, seen: &BTreeMap<&'static str, Span>) {
        let last_try = gate.every.saturating_mul(tries - 1);
        let Some(&within_span) = seen.get("within") else {
            gate.within = last_try.saturating_add(gate.timeout);
            return;
        };
        if last_try < gate.within {
            return;
        }
        let fit = gate.within.as_nanos().div_ceil(gate.every.as_nanos());
        let within = format_duration(gate.within);
        let mut d = Diagnostic::warning(
            Code::Conflict,
            format!(
                "only {fit} of the {tries} tries fit in `within {within}`, one every {}",
                format_duration(gate.every)
            ),
        )
        .label(within_span, "the gate gives up here");
        if let Some(&tries_span) = seen.get("tries") {
            d = d.label(tries_span, "never reached");
        }
        self.push(d.help(format!(
            "raise `within` to {} or more, or remove it: a gate with `tries` and no `within` waits as long as its tries need",
            format_duration(last_try.saturating_add(gate.timeout))
        )));
    }
}
