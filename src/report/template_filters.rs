//! The filters report templates get besides minijinja's built-ins: units (`duration`, `percent`,
//! `rate`, `bytes`, `go_duration`), column alignment (`ljust`, `rjust`) and Markdown cells (`md`).

use super::expect::show_duration;
use super::vegeta_text::go_duration;
use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind};
use std::time::Duration;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("duration", |v: Value| Ok::<_, Error>(duration(number(&v)?)));
    env.add_filter("go_duration", |v: Value| Ok::<_, Error>(go(number(&v)?)));
    env.add_filter("percent", |v: Value, digits: Option<usize>| Ok::<_, Error>(percent(number(&v)?, digits)));
    env.add_filter("rate", |v: Value| Ok::<_, Error>(rate(number(&v)?)));
    env.add_filter("bytes", |v: Value| Ok::<_, Error>(bytes(number(&v)?.unwrap_or(0))));
    env.add_filter("ljust", |v: Value, width: usize| Ok::<_, Error>(ljust(defined(v)?, width)));
    env.add_filter("rjust", |v: Value, width: usize| Ok::<_, Error>(rjust(defined(v)?, width)));
    env.add_filter("md", |v: Value| Ok::<_, Error>(md(defined(v)?)));
}

/// The detail of the error a filter gives for an undefined input.
pub const UNDEFINED_INPUT: &str = "the filter's input is undefined";

/// A filter's input: an undefined value (a misspelt field) is an error, not `-`.
fn defined(v: Value) -> Result<Value, Error> {
    if v.is_undefined() {
        return Err(Error::new(ErrorKind::UndefinedError, UNDEFINED_INPUT));
    }
    Ok(v)
}

/// A number, or `None` for `none`.
fn number<T: TryFrom<Value, Error = Error>>(v: &Value) -> Result<Option<T>, Error> {
    let v = defined(v.clone())?;
    if v.is_none() {
        return Ok(None);
    }
    T::try_from(v).map(Some)
}

/// Nanoseconds → `212.4ms`, `1.53s`, `850µs`; none → `-`.
pub fn duration(ns: Option<u64>) -> String {
    ns.map(|n| show_duration(Duration::from_nanos(n))).unwrap_or_else(|| "-".into())
}

/// Nanoseconds → Go's duration format, rounded like vegeta's report (`1.873ms`).
fn go(ns: Option<u64>) -> String {
    ns.map(|n| go_duration(super::vegeta_text::round(Duration::from_nanos(n)))).unwrap_or_else(|| "-".into())
}

/// A ratio (0..=1) → `99.87%` (`digits` decimals, 2 by default); none → `-`.
pub fn percent(ratio: Option<f64>, digits: Option<usize>) -> String {
    match ratio {
        Some(r) => format!("{:.*}%", digits.unwrap_or(2), r * 100.0),
        None => "-".into(),
    }
}

/// Per second → `398.2/s`; none → `-`.
pub fn rate(per_second: Option<f64>) -> String {
    per_second.map(|r| format!("{r:.1}/s")).unwrap_or_else(|| "-".into())
}

/// A byte count → `512 B`, `1.5 KiB`, `2.3 MiB`, `1.1 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn shown(v: &Value) -> String {
    if v.is_none() {
        "-".into()
    } else {
        v.to_string()
    }
}

/// Left-aligned in `width` characters (never cut).
fn ljust(v: Value, width: usize) -> String {
    let text = shown(&v);
    let pad = width.saturating_sub(text.chars().count());
    format!("{text}{}", " ".repeat(pad))
}

/// Right-aligned in `width` characters (never cut).
fn rjust(v: Value, width: usize) -> String {
    let text = shown(&v);
    let pad = width.saturating_sub(text.chars().count());
    format!("{}{text}", " ".repeat(pad))
}

/// Text safe in a Markdown table cell: `|` escaped, line breaks as spaces.
fn md(v: Value) -> String {
    shown(&v).replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(duration(Some(212_400_000)), "212.4ms");
        assert_eq!(duration(Some(1_530_000_000)), "1.53s");
        assert_eq!(duration(None), "-");
        assert_eq!(go(Some(1_873_456)), "1.873ms");
        assert_eq!(percent(Some(0.99874), None), "99.87%");
        assert_eq!(percent(Some(1.0), Some(1)), "100.0%");
        assert_eq!(rate(Some(398.24)), "398.2/s");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
        assert_eq!(ljust(Value::from("ab"), 4), "ab  ");
        assert_eq!(rjust(Value::from(12), 4), "  12");
        assert_eq!(rjust(Value::from("toolong"), 3), "toolong");
        assert_eq!(md(Value::from("a|b\nc")), "a\\|b c");
    }
}
