//! Health gate timing: a gate's `tries` and `consecutive` successes must fit its `within`
//! deadline. Fills in the deadline `tries` need; refuses gates that could never pass.

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

    /// A gate whose `consecutive` successes cannot all happen, within its tries or before its
    /// deadline, would fail every run: that is an error, not a plan with impossible bounds.
    pub(super) fn can_pass(&self, gate: &HealthGate, seen: &BTreeMap<&'static str, Span>) -> bool {
        let needed = gate.consecutive;
        let Some(&consecutive_span) = seen.get("consecutive") else { return true };
        if let (Some(tries), Some(&tries_span)) = (gate.tries, seen.get("tries")) {
            if needed > tries {
                self.push(
                    Diagnostic::error(
                        Code::Conflict,
                        format!("the gate wants {needed} successes in a row but makes only {tries} tries"),
                    )
                    .label(consecutive_span, "never reached")
                    .label(tries_span, "gives up here")
                    .help(format!("make `tries` at least {needed}, or lower `consecutive`")),
                );
                return false;
            }
        }
        let span = gate.every.saturating_mul(needed - 1);
        if span < gate.within {
            return true;
        }
        let mut d = Diagnostic::error(
            Code::Conflict,
            format!(
                "{needed} successes in a row, one every {}, take {}: the gate gives up after {}",
                format_duration(gate.every),
                format_duration(span),
                format_duration(gate.within)
            ),
        )
        .label(consecutive_span, "cannot all happen in time");
        if let Some(&within_span) = seen.get("within") {
            d = d.label(within_span, "the gate gives up here");
        }
        self.push(d.help(format!("raise `within` above {}, or lower `consecutive` or `every`", format_duration(span))));
        false
    }
}
