//! Checking an attack's load model: a rate and a duration, stages (holds, ramps, steps), or
//! closed-model workers, with what is missing or contradictory named.

use super::attack::{Parts, MAX_ATTACK_DURATION};
use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::{self, Rate};
use crate::model::*;
use crate::parser::ast;
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// Decides the load model from `rate`/`duration`/`stages`/`workers`.
    pub(super) fn load(&self, decl: &ast::AttackDecl, p: &Parts, seen: &BTreeMap<&'static str, Span>) -> Option<Load> {
        let conflict = |a: Span, b: Span, message: &str, help: &str| {
            let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
            let (first, first_word) = self.keyword(first);
            let (second, _) = self.keyword(second);
            self.push(
                Diagnostic::error(Code::Conflict, message.to_string())
                    .label(first, format!("`{first_word}` here"))
                    .label(second, format!("conflicts with `{first_word}`"))
                    .help(help.to_string()),
            );
            None
        };
        let load = if let Some((ws, workers)) = p.workers {
            if let Some((rs, _)) = p.rate {
                return conflict(
                    ws,
                    rs,
                    "`workers` runs a closed model, which has no rate",
                    "remove `rate` for a closed model, or `workers` for an open one",
                );
            }
            if let Some((ss, _)) = p.stages {
                return conflict(
                    ws,
                    ss,
                    "`workers` runs a closed model, which has no stages",
                    "remove `stages` for a closed model, or `workers` for an open one",
                );
            }
            let Some((_, duration)) = p.duration else {
                return self.missing_duration(decl, seen);
            };
            Load::Closed { workers, duration }
        } else if let Some((ss, stages)) = &p.stages {
            if let Some((rs, _)) = p.rate {
                return conflict(
                    *ss,
                    rs,
                    "`stages` and `rate` both set the rate",
                    "keep `stages`, or a constant `rate` with `duration`",
                );
            }
            if let Some((ds, _)) = p.duration {
                return conflict(
                    *ss,
                    ds,
                    "`stages` already set the duration",
                    "remove `duration`; the stages' durations add up to the attack's",
                );
            }
            Load::Open { profile: RateProfile { stages: stages.clone() } }
        } else if let Some((_, rate)) = p.rate {
            let Some((_, duration)) = p.duration else {
                return self.missing_duration(decl, seen);
            };
            Load::Open { profile: RateProfile { stages: vec![Stage::hold(rate, duration)] } }
        } else {
            if !seen.contains_key("rate") && !seen.contains_key("stages") && !seen.contains_key("workers") {
                self.push(
                    Diagnostic::error(Code::MissingProperty, format!("attack `{}` has no load", decl.name.node))
                        .label(decl.name.span, "declared here")
                        .help("add `rate 50/s` with `duration 30s`, a `stages { ... }` block, or `workers 10` with `duration 30s`"),
                );
            }
            return None;
        };
        let duration = match &load {
            Load::Open { profile } => profile.duration(),
            Load::Closed { duration, .. } => *duration,
        };
        let length_span = match (p.duration, &p.stages) {
            (Some((span, _)), _) => span,
            (None, Some((span, _))) => self.keyword(*span).0,
            (None, None) => decl.name.span,
        };
        if duration > MAX_ATTACK_DURATION {
            self.push(
                Diagnostic::error(
                    Code::InvalidDuration,
                    format!(
                        "attack `{}` lasts {}, over the 30-day limit",
                        decl.name.node,
                        units::format_duration(duration)
                    ),
                )
                .label(length_span, "too long")
                .help("split very long soaks into several runs"),
            );
            return None;
        }
        Some(load)
    }

    /// The keyword an item starts with, and its span: where to point at a whole item.
    pub(super) fn keyword(&self, item: Span) -> (Span, String) {
        let text = &self.sources.get(item.file).text[item.start..item.end];
        let word = text.split(|c: char| c.is_whitespace() || c == '{').next().unwrap_or_default();
        (Span::new(item.file, item.start, item.start + word.len()), word.to_string())
    }

    pub(super) fn missing_duration(&self, decl: &ast::AttackDecl, seen: &BTreeMap<&'static str, Span>) -> Option<Load> {
        if !seen.contains_key("duration") {
            self.push(
                Diagnostic::error(Code::MissingProperty, format!("attack `{}` has no `duration`", decl.name.node))
                    .label(decl.name.span, "declared here")
                    .help("add `duration 30s`, or use `stages { ... }` whose durations add up"),
            );
        }
        None
    }

    pub(super) fn stages(&self, span: Span, decls: &[Spanned<ast::StageDecl>]) -> Option<Vec<Stage>> {
        if decls.is_empty() {
            self.push(
                Diagnostic::error(Code::EmptyStages, "`stages` has no stage")
                    .label(self.keyword(span).0, "empty block")
                    .help("add stages like `ramp 10/s -> 100/s over 30s` and `hold 100/s for 1m`"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for decl in decls {
            match &decl.node {
                ast::StageDecl::Hold { rate, duration } => {
                    match (self.positive_rate(rate, "a `hold` rate"), self.positive_duration(duration, "a `hold`")) {
                        (Some(r), Some(d)) => out.push(Stage::hold(r, d)),
                        _ => ok = false,
                    }
                }
                ast::StageDecl::Ramp { from, to, over } => {
                    match (self.rate(from), self.rate(to), self.positive_duration(over, "a `ramp`")) {
                        (Some(a), Some(b), Some(d)) if !(a.is_zero() && b.is_zero()) => {
                            out.push(Stage { from: a, to: b, duration: d })
                        }
                        (Some(_), Some(_), Some(_)) => {
                            self.push(
                                Diagnostic::error(Code::InvalidRate, "a ramp from 0/s to 0/s sends nothing")
                                    .label(decl.span, "both ends are zero")
                                    .help("ramp to a positive rate, or start the next attack later with `delay`"),
                            );
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                ast::StageDecl::Step { from, to, by, every } => {
                    let (Some(a), Some(b), Some(s), Some(d)) = (
                        self.positive_rate(from, "a `step` start"),
                        self.positive_rate(to, "a `step` end"),
                        self.positive_rate(by, "a `step` increment"),
                        self.positive_duration(every, "a `step`"),
                    ) else {
                        ok = false;
                        continue;
                    };
                    let (lo, hi, step) = (a.milli_per_hour(), b.milli_per_hour(), s.milli_per_hour());
                    if (hi.abs_diff(lo)) % step != 0 {
                        self.push(
                            Diagnostic::error(Code::InvalidRate, format!("steps of {s} from {a} do not reach {b}"))
                                .label(by.span, "does not divide the distance")
                                .help("pick an increment that divides the difference between the two rates"),
                        );
                        ok = false;
                        continue;
                    }
                    let n = hi.abs_diff(lo) / step;
                    if n > 10_000 {
                        self.push(
                            Diagnostic::error(Code::InvalidRate, format!("{n} steps are too many"))
                                .label(by.span, "too small")
                                .help("use a larger increment"),
                        );
                        ok = false;
                        continue;
                    }
                    for i in 0..=n {
                        let rate = if hi >= lo { lo + i * step } else { lo - i * step };
                        out.push(Stage::hold(Rate::from_milli_per_hour(rate), d));
                    }
                }
            }
        }
        ok.then_some(out)
    }
}
