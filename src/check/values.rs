//! Literal → typed value: durations, rates, percentages, sizes, counts and status sets, including
//! `${VAR}` in a value position (the expansion must parse as the expected literal).

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::{self, Percent, Rate, Size, StatusSet, UnitError};
use crate::parser::ast::Literal;
use crate::parser::span::{Span, Spanned};
use crate::parser::{parse_value, Rule};
use std::time::Duration;

impl Checker<'_> {
    /// The literal text of a value of `rule`'s kind, expanding `${...}` and checking its shape.
    fn value_text(&self, lit: &Spanned<Literal>, rule: Rule, kind: &str, example: &str) -> Option<String> {
        let text = match &lit.node {
            Literal::Interp(i) => {
                let expanded = self.expand(&Spanned::new(lit.span, i.clone()))?;
                let trimmed = expanded.trim();
                match parse_value(rule, trimmed) {
                    Some(t) => t,
                    None => {
                        self.push(
                            Diagnostic::error(
                                Code::BadInterpolation,
                                format!("`${{{}}}` is `{expanded}`, not {kind}", i.name),
                            )
                            .label(lit.span, format!("expected {kind} here"))
                            .help(format!("give it a value like `{example}`")),
                        );
                        return None;
                    }
                }
            }
            Literal::Duration(t)
            | Literal::Rate(t)
            | Literal::Percent(t)
            | Literal::Size(t)
            | Literal::Int(t)
            | Literal::Number(t) => t.clone(),
            other => {
                self.push(
                    Diagnostic::error(Code::UnitMismatch, format!("expected {kind}, found {}", describe(other)))
                        .label(lit.span, format!("expected {kind}"))
                        .help(format!("write it like `{example}`")),
                );
                return None;
            }
        };
        Some(text)
    }

    fn unit_error(&self, span: Span, error: UnitError, kind: &str, text: &str, example: &str) {
        let (message, help) = match error {
            UnitError::Negative => {
                (format!("{kind} cannot be negative (`{text}`)"), format!("use a positive value like `{example}`"))
            }
            UnitError::TooLarge => {
                (format!("`{text}` is too large for {kind}"), format!("use a smaller value like `{example}`"))
            }
            UnitError::TooPrecise => {
                let step = match kind {
                    "a duration" => "1ns",
                    "a rate" => "0.001/h",
                    "a percentage" => "0.0001%",
                    "a size" => "1B",
                    _ => "1",
                };
                (
                    format!("`{text}` is more precise than {kind} can be"),
                    format!("use fewer decimal places: the smallest step is {step}"),
                )
            }
            UnitError::Malformed => (format!("`{text}` is not {kind}"), format!("write it like `{example}`")),
        };
        let code = match kind {
            "a duration" => Code::InvalidDuration,
            "a rate" => Code::InvalidRate,
            "a percentage" => Code::InvalidPercent,
            "a size" => Code::InvalidSize,
            _ => Code::InvalidNumber,
        };
        let label = match error {
            UnitError::Negative => "negative",
            UnitError::TooLarge => "too large",
            UnitError::TooPrecise => "too precise",
            UnitError::Malformed => "malformed",
        };
        self.push(Diagnostic::error(code, message).label(span, label).help(help));
    }

    /// Any duration, zero included (delays).
    pub(super) fn duration(&self, lit: &Spanned<Literal>) -> Option<Duration> {
        let text = self.value_text(lit, Rule::duration, "a duration", "10s")?;
        units::parse_duration(&text).map_err(|e| self.unit_error(lit.span, e, "a duration", &text, "10s")).ok()
    }

    /// A duration that must be greater than zero; `what` names it in the message.
    pub(super) fn positive_duration(&self, lit: &Spanned<Literal>, what: &str) -> Option<Duration> {
        let d = self.duration(lit)?;
        if d.is_zero() {
            self.push(
                Diagnostic::error(Code::InvalidDuration, format!("{what} must be longer than zero"))
                    .label(lit.span, "zero")
                    .help("use a positive duration like `10s`"),
            );
            return None;
        }
        Some(d)
    }

    pub(super) fn rate(&self, lit: &Spanned<Literal>) -> Option<Rate> {
        let text = self.value_text(lit, Rule::rate, "a rate", "100/s")?;
        units::parse_rate(&text).map_err(|e| self.unit_error(lit.span, e, "a rate", &text, "100/s")).ok()
    }

    pub(super) fn positive_rate(&self, lit: &Spanned<Literal>, what: &str) -> Option<Rate> {
        let r = self.rate(lit)?;
        if r.is_zero() {
            self.push(
                Diagnostic::error(Code::InvalidRate, format!("{what} must be greater than zero"))
                    .label(lit.span, "zero")
                    .help("use a positive rate like `10/s`; to pause, start the next attack later with `delay`"),
            );
            return None;
        }
        Some(r)
    }

    pub(super) fn percent(&self, lit: &Spanned<Literal>) -> Option<Percent> {
        let text = self.value_text(lit, Rule::percent, "a percentage", "99.5%")?;
        units::parse_percent(&text).map_err(|e| self.unit_error(lit.span, e, "a percentage", &text, "99.5%")).ok()
    }

    /// A percentage from 0% to 100%.
    pub(super) fn share(&self, lit: &Spanned<Literal>) -> Option<Percent> {
        let p = self.percent(lit)?;
        if p.ppm() > 1_000_000 {
            self.push(
                Diagnostic::error(Code::InvalidPercent, format!("{p} is more than 100%"))
                    .label(lit.span, "out of range")
                    .help("a share is between 0% and 100%"),
            );
            return None;
        }
        Some(p)
    }

    pub(super) fn size(&self, lit: &Spanned<Literal>) -> Option<Size> {
        let text = self.value_text(lit, Rule::size, "a size", "4KiB")?;
        units::parse_size(&text).map_err(|e| self.unit_error(lit.span, e, "a size", &text, "4KiB")).ok()
    }

    /// A whole number in `min..=max`; `what` names it in the message.
    pub(super) fn count(&self, lit: &Spanned<Literal>, what: &str, min: u64, max: u64) -> Option<u64> {
        let text = self.value_text(lit, Rule::int, "a whole number", &min.max(1).to_string())?;
        let value = match units::Decimal::parse(&text) {
            Some(d) if d.scale == 1 && !d.negative => u64::try_from(d.mantissa).ok(),
            _ => None,
        };
        match value {
            Some(v) if (min..=max).contains(&v) => Some(v),
            _ => {
                self.push(
                    Diagnostic::error(
                        Code::InvalidNumber,
                        format!("{what} must be a whole number from {min} to {max}, not `{text}`"),
                    )
                    .label(lit.span, "out of range")
                    .help(format!("use a value between {min} and {max}")),
                );
                None
            }
        }
    }

    /// `200`, `2xx`, `200..399` (and `${VAR}` expanding to one of them), as one status set.
    pub(super) fn status_set(&self, list: &[Spanned<Literal>]) -> Option<StatusSet> {
        let mut ranges = Vec::new();
        let mut ok = true;
        for lit in list {
            match self.status_range(lit) {
                Some(r) => ranges.push(r),
                None => ok = false,
            }
        }
        ok.then_some(StatusSet { ranges })
    }

    fn status_range(&self, lit: &Spanned<Literal>) -> Option<(u16, u16)> {
        let literal = match &lit.node {
            Literal::Interp(i) => {
                let text = self.expand(&Spanned::new(lit.span, i.clone()))?;
                parse_status_text(text.trim())
            }
            other => Some(other.clone()),
        };
        let bad = |message: String, label: &str| {
            self.push(
                Diagnostic::error(Code::InvalidStatus, message)
                    .label(lit.span, label)
                    .help("HTTP statuses go from 100 to 599: write `200`, `2xx` or `200..399`"),
            );
            None
        };
        let code = |t: &str| t.parse::<u16>().ok().filter(|c| (100..=599).contains(c));
        match literal {
            Some(Literal::Int(t)) => match code(&t) {
                Some(c) => Some((c, c)),
                None => bad(format!("`{t}` is not an HTTP status"), "not from 100 to 599"),
            },
            Some(Literal::StatusClass(t)) => match t[..1].parse::<u16>() {
                Ok(class @ 1..=5) => Some((class * 100, class * 100 + 99)),
                _ => bad(format!("`{t}` is not an HTTP status class"), "not 1xx to 5xx"),
            },
            Some(Literal::StatusRange(lo, hi)) => match (code(&lo), code(&hi)) {
                (Some(l), Some(h)) if l <= h => Some((l, h)),
                (Some(_), Some(_)) => bad(format!("the range `{lo}..{hi}` is empty"), "first status above the last"),
                _ => bad(format!("`{lo}..{hi}` is not a range of HTTP statuses"), "not from 100 to 599"),
            },
            _ => bad("expected an HTTP status".to_string(), "not a status"),
        }
    }
}

fn parse_status_text(text: &str) -> Option<Literal> {
    if let Some((lo, hi)) = text.split_once("..") {
        return Some(Literal::StatusRange(lo.to_string(), hi.to_string()));
    }
    if text.len() == 3 && text.ends_with("xx") {
        return Some(Literal::StatusClass(text.to_string()));
    }
    text.chars().all(|c| c.is_ascii_digit()).then(|| Literal::Int(text.to_string()))
}

/// "a string", "a duration (`10s`)": what a literal is, for mismatch messages.
pub fn describe(lit: &Literal) -> String {
    match lit {
        Literal::Str(_) => "a string".into(),
        Literal::Duration(t) => format!("a duration (`{t}`)"),
        Literal::Rate(t) => format!("a rate (`{t}`)"),
        Literal::Percent(t) => format!("a percentage (`{t}`)"),
        Literal::Size(t) => format!("a size (`{t}`)"),
        Literal::Int(t) | Literal::Number(t) => format!("a number (`{t}`)"),
        Literal::StatusClass(t) => format!("a status class (`{t}`)"),
        Literal::StatusRange(lo, hi) => format!("a status range (`{lo}..{hi}`)"),
        Literal::Interp(i) => format!("`${{{}}}`", i.name),
    }
}
