//! What pest expected where a syntax error happened, in words: rule descriptions, keywords, and
//! the kinds of unit values (duration, rate, ...) for "has no unit" and "found a rate" messages.

use crate::diagnostic::Code;
use crate::parser::Rule;

/// The unit values the grammar knows, for "has no unit" and "found a rate" messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnitKind {
    Duration,
    Rate,
    Percent,
    Size,
    Int,
    Number,
    Status,
}

impl UnitKind {
    /// In the order a token is tried against them.
    pub const ALL: &'static [UnitKind] =
        &[UnitKind::Duration, UnitKind::Rate, UnitKind::Percent, UnitKind::Size, UnitKind::Int, UnitKind::Number];

    pub fn of(rule: Rule) -> Option<UnitKind> {
        Some(match rule {
            Rule::duration_value | Rule::duration => UnitKind::Duration,
            Rule::rate_value | Rule::rate => UnitKind::Rate,
            Rule::percent_value | Rule::percent => UnitKind::Percent,
            Rule::size_value | Rule::size => UnitKind::Size,
            Rule::int_value | Rule::int => UnitKind::Int,
            Rule::status_list | Rule::status_range | Rule::status_class => UnitKind::Status,
            _ => return None,
        })
    }

    pub fn rule(self) -> Rule {
        match self {
            UnitKind::Duration => Rule::duration,
            UnitKind::Rate => Rule::rate,
            UnitKind::Percent => Rule::percent,
            UnitKind::Size => Rule::size,
            UnitKind::Int => Rule::int,
            UnitKind::Number => Rule::number,
            UnitKind::Status => Rule::status_class,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Duration => "a duration",
            UnitKind::Rate => "a rate",
            UnitKind::Percent => "a percentage",
            UnitKind::Size => "a size",
            UnitKind::Int => "a whole number",
            UnitKind::Number => "a number",
            UnitKind::Status => "an HTTP status",
        }
    }

    pub fn code(self) -> Code {
        match self {
            UnitKind::Duration => Code::InvalidDuration,
            UnitKind::Rate => Code::InvalidRate,
            UnitKind::Percent => Code::InvalidPercent,
            UnitKind::Size => Code::InvalidSize,
            UnitKind::Int | UnitKind::Number => Code::InvalidNumber,
            UnitKind::Status => Code::InvalidStatus,
        }
    }

    pub fn example(self) -> &'static str {
        match self {
            UnitKind::Duration => "10s",
            UnitKind::Rate => "100/s",
            UnitKind::Percent => "99.5%",
            UnitKind::Size => "4KiB",
            UnitKind::Int => "10",
            UnitKind::Number => "0.5",
            UnitKind::Status => "200",
        }
    }

    pub fn unit_example(self) -> &'static str {
        match self {
            UnitKind::Duration => "s",
            UnitKind::Rate => "/s",
            UnitKind::Percent => "%",
            UnitKind::Size => "KiB",
            UnitKind::Int | UnitKind::Number | UnitKind::Status => "",
        }
    }

    pub fn units(self) -> &'static str {
        match self {
            UnitKind::Duration => "units: ns, us, ms, s, m, h",
            UnitKind::Rate => "per second `/s`, minute `/m` or hour `/h`",
            UnitKind::Percent => "a number followed by `%`",
            UnitKind::Size => "a whole number and B, KB, MB, GB, KiB, MiB or GiB",
            UnitKind::Int | UnitKind::Number => "digits only",
            UnitKind::Status => "`200`, `2xx` or `200..399`",
        }
    }
}

/// The rules of `literal`: what a `let` or an `expect` accepts as its value.
pub(super) fn is_value(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::literal
            | Rule::interp
            | Rule::string
            | Rule::raw_string
            | Rule::duration
            | Rule::rate
            | Rule::percent
            | Rule::size
            | Rule::status_class
            | Rule::number
            | Rule::int
    )
}

/// `rate` for `kw_rate`, `max-in-flight` for `kw_max_in_flight`.
pub(super) fn keyword(rule: Rule) -> Option<String> {
    format!("{rule:?}").strip_prefix("kw_").map(|k| k.replace('_', "-"))
}

/// "a duration (like `10s` or `250ms`)" for a rule pest says it expected.
pub(super) fn rule_description(rule: Rule) -> String {
    if let Some(keyword) = keyword(rule) {
        return format!("`{keyword}`");
    }
    match rule {
        Rule::EOI => "end of file".into(),
        Rule::file | Rule::item => "a declaration (`node`, `attack`, `health`, ...)".into(),
        Rule::ident | Rule::ident_list => "a name".into(),
        Rule::str_value | Rule::string | Rule::raw_string => "a string (like \"/path\")".into(),
        Rule::duration_value | Rule::duration => "a duration (like `10s` or `250ms`)".into(),
        Rule::rate_value | Rule::rate => "a rate (like `100/s`)".into(),
        Rule::percent_value | Rule::percent => "a percentage (like `99.5%`)".into(),
        Rule::size_value | Rule::size => "a size (like `4KiB`)".into(),
        Rule::int_value | Rule::int => "a whole number".into(),
        Rule::number => "a number".into(),
        Rule::status_list | Rule::status_range | Rule::status_class => {
            "a status (like `200`, `2xx` or `200..399`)".into()
        }
        Rule::method => "an HTTP method (like `GET`)".into(),
        Rule::cmp_op => "a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`)".into(),
        Rule::metric | Rule::metric_name => "a metric with its attack in parentheses (like `p99(spike)`)".into(),
        Rule::literal | Rule::json_value => "a value".into(),
        Rule::interp => "`${VARIABLE}`".into(),
        Rule::str_text | Rule::raw_text | Rule::escape => "text".into(),
        Rule::stage | Rule::ramp_stage | Rule::hold_stage | Rule::step_stage => {
            "a stage (`ramp`, `hold` or `step`)".into()
        }
        other => format!("{other:?}").replace('_', " "),
    }
}
