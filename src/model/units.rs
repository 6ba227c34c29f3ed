//! Value types that carry their unit: `Rate`, `Percent`, `Size`, `StatusSet`, plus the exact
//! decimal parsing behind every unit literal. Integer arithmetic only, so request counts are exact.

use serde::{Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// A request rate, stored exactly as thousandths of a request per hour.
/// `1/s` = 3 600 000, `1/m` = 60 000, `1/h` = 1 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate {
    milli_per_hour: u64,
}

pub const MILLI_PER_HOUR_PER_SECOND: u64 = 3_600_000;
/// Nanoseconds in an hour, times 1000 (the rate's milli unit): the denominator of `rate × time`.
pub const RATE_TIME_DENOMINATOR: u128 = 3_600 * 1_000_000_000 * 1_000;

impl Rate {
    pub const ZERO: Rate = Rate { milli_per_hour: 0 };

    pub fn from_milli_per_hour(milli_per_hour: u64) -> Self {
        Rate { milli_per_hour }
    }

    pub fn per_second(n: u64) -> Self {
        Rate { milli_per_hour: n * MILLI_PER_HOUR_PER_SECOND }
    }

    pub fn milli_per_hour(self) -> u64 {
        self.milli_per_hour
    }

    pub fn as_per_second_f64(self) -> f64 {
        self.milli_per_hour as f64 / MILLI_PER_HOUR_PER_SECOND as f64
    }

    pub fn is_zero(self) -> bool {
        self.milli_per_hour == 0
    }
}

impl fmt::Display for Rate {
    /// The most natural unit that shows the rate exactly: `400/s`, `2.5/s`, `5/m`, `1.5/h`.
    /// Per second when that takes at most three decimals, else per minute when whole, else per
    /// hour (always exact: the rate is stored in thousandths per hour).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.milli_per_hour as u128;
        let per_second = MILLI_PER_HOUR_PER_SECOND as u128;
        if (m * 1_000) % per_second == 0 {
            return write!(f, "{}/s", decimal(m, per_second));
        }
        if m % 60_000 == 0 {
            return write!(f, "{}/m", m / 60_000);
        }
        write!(f, "{}/h", decimal(m, 1_000))
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A percentage stored as parts per million: `99.5%` = 995 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent {
    ppm: u64,
}

impl Percent {
    pub fn from_ppm(ppm: u64) -> Self {
        Percent { ppm }
    }

    pub fn ppm(self) -> u64 {
        self.ppm
    }

    pub fn as_fraction(self) -> f64 {
        self.ppm as f64 / 1_000_000.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", decimal(self.ppm as u128, 10_000))
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A size in bytes (`4KiB`, `1MB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Size {
    pub bytes: u64,
}

/// A set of HTTP status codes as inclusive ranges (`200`, `2xx`, `200..399`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct StatusSet {
    pub ranges: Vec<(u16, u16)>,
}

impl StatusSet {
    pub fn range(low: u16, high: u16) -> Self {
        StatusSet { ranges: vec![(low, high)] }
    }

    pub fn contains(&self, status: u16) -> bool {
        self.ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&status))
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else if lo % 100 == 0 && hi == lo + 99 {
                write!(f, "{}xx", lo / 100)?;
            } else {
                write!(f, "{lo}..{hi}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for StatusSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `value / denominator` as an exact decimal string (denominator a power of ten times 2^a 5^b).
fn decimal(value: u128, denominator: u128) -> String {
    let whole = value / denominator;
    let mut rest = value % denominator;
    if rest == 0 {
        return whole.to_string();
    }
    let mut out = format!("{whole}.");
    let mut digits = 0;
    while rest != 0 && digits < 9 {
        rest *= 10;
        out.push(char::from(b'0' + (rest / denominator) as u8));
        rest %= denominator;
        digits += 1;
    }
    out
}

/// A decimal literal as an exact fraction: `-1.25` → negative, mantissa 125, scale 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    pub mantissa: u128,
    pub scale: u128,
}

impl Decimal {
    /// Parses `-?digits(_digits)*(.digits)?`. `None` on overflow or bad text.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let mut mantissa: u128 = 0;
        let mut scale: u128 = 1;
        for c in whole.chars().filter(|&c| c != '_') {
            mantissa = mantissa.checked_mul(10)?.checked_add(c.to_digit(10)? as u128)?;
        }
        for c in fraction.chars().filter(|&c| c != '_') {
            mantissa = mantissa.checked_mul(10)?.checked_add(c.to_digit(10)? as u128)?;
            scale = scale.checked_mul(10)?;
        }
        if whole.is_empty() {
            return None;
        }
        Some(Decimal { negative, mantissa, scale })
    }

    /// `self × factor` when it is a whole number that fits; `Err(true)` when not whole.
    pub fn times(self, factor: u128) -> Result<u128, UnitError> {
        let product = self.mantissa.checked_mul(factor).ok_or(UnitError::TooLarge)?;
        if product % self.scale != 0 {
            return Err(UnitError::TooPrecise);
        }
        Ok(product / self.scale)
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }
}

/// Why a unit literal could not become a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitError {
    Malformed,
    Negative,
    TooLarge,
    TooPrecise,
}

/// Splits a literal like `1m30s` or `400/s` into number and unit parts.
fn split_number(text: &str) -> (&str, &str) {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '_' || c == '.' || (c == '-' && i == 0)))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    text.split_at(end)
}

/// `250ms`, `1m30s`, `1.5h` → a `Duration`, exactly.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let mut rest = text;
    let mut total: u128 = 0;
    let mut negative = false;
    if rest.is_empty() {
        return Err(UnitError::Malformed);
    }
    while !rest.is_empty() {
        let (number, after) = split_number(rest);
        let unit_len = ["ms", "us", "µs", "ns", "s", "m", "h"]
            .iter()
            .find(|u| after.starts_with(*u))
            .map(|u| u.len())
            .ok_or(UnitError::Malformed)?;
        let (unit, next) = after.split_at(unit_len);
        let nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            _ => 3_600_000_000_000,
        };
        let value = Decimal::parse(number).ok_or(UnitError::Malformed)?;
        negative |= value.negative && !value.is_zero();
        total = total.checked_add(value.times(nanos)?).ok_or(UnitError::TooLarge)?;
        rest = next;
    }
    if negative {
        return Err(UnitError::Negative);
    }
    let nanos = u64::try_from(total).map_err(|_| UnitError::TooLarge)?;
    Ok(Duration::from_nanos(nanos))
}

/// `400/s`, `6000/m`, `2.5/s` → a `Rate`, exactly.
pub fn parse_rate(text: &str) -> Result<Rate, UnitError> {
    let (number, unit) = text.split_once('/').ok_or(UnitError::Malformed)?;
    let per: u128 = match unit {
        "s" => MILLI_PER_HOUR_PER_SECOND as u128,
        "m" => 60_000,
        "h" => 1_000,
        _ => return Err(UnitError::Malformed),
    };
    let value = Decimal::parse(number).ok_or(UnitError::Malformed)?;
    if value.negative && !value.is_zero() {
        return Err(UnitError::Negative);
    }
    let milli = value.times(per)?;
    // Cap at 10 million requests per second: beyond any single process, and far from overflow.
    if milli > 10_000_000 * MILLI_PER_HOUR_PER_SECOND as u128 {
        return Err(UnitError::TooLarge);
    }
    Ok(Rate { milli_per_hour: milli as u64 })
}

/// `99.5%` → a `Percent`, exactly (to a ten-thousandth of a percent).
pub fn parse_percent(text: &str) -> Result<Percent, UnitError> {
    let number = text.strip_suffix('%').ok_or(UnitError::Malformed)?;
    let value = Decimal::parse(number).ok_or(UnitError::Malformed)?;
    if value.negative && !value.is_zero() {
        return Err(UnitError::Negative);
    }
    let ppm = value.times(10_000)?;
    Ok(Percent { ppm: u64::try_from(ppm).map_err(|_| UnitError::TooLarge)? })
}

/// `4KiB`, `1MB`, `512B` → a `Size`.
pub fn parse_size(text: &str) -> Result<Size, UnitError> {
    let (number, unit) = split_number(text);
    let factor: u128 = match unit {
        "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(UnitError::Malformed),
    };
    let value = Decimal::parse(number).ok_or(UnitError::Malformed)?;
    let bytes = value.times(factor)?;
    Ok(Size { bytes: u64::try_from(bytes).map_err(|_| UnitError::TooLarge)? })
}

/// Formats a duration the way the language writes it: `1h30m`, `2m`, `250ms`, `1.5s`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos % 1_000_000_000 == 0 {
        let mut secs = (nanos / 1_000_000_000) as u64;
        let mut out = String::new();
        for (unit, size) in [("h", 3600u64), ("m", 60)] {
            if secs >= size {
                out.push_str(&format!("{}{unit}", secs / size));
                secs %= size;
            }
        }
        if secs > 0 {
            out.push_str(&format!("{secs}s"));
        }
        return out;
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}us", decimal(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", decimal(nanos, 1_000_000));
    }
    format!("{}s", decimal(nanos, 1_000_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_exact() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("-5s"), Err(UnitError::Negative));
        assert_eq!(parse_duration("0.5ns"), Err(UnitError::TooPrecise));
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
    }

    #[test]
    fn rates_are_exact() {
        assert_eq!(parse_rate("400/s"), Ok(Rate::per_second(400)));
        assert_eq!(parse_rate("6000/m"), Ok(Rate::per_second(100)));
        assert_eq!(parse_rate("2.5/s").map(|r| r.to_string()), Ok("2.5/s".to_string()));
        assert_eq!(parse_rate("5/m").map(|r| r.to_string()), Ok("5/m".to_string()));
        assert_eq!(parse_rate("-1/s"), Err(UnitError::Negative));
        assert_eq!(parse_rate("1_000/s"), Ok(Rate::per_second(1000)));
    }

    #[test]
    fn percents_and_sizes() {
        assert_eq!(parse_percent("99.5%").map(|p| p.ppm()), Ok(995_000));
        assert_eq!(parse_percent("99.5%").map(|p| p.to_string()), Ok("99.5%".to_string()));
        assert_eq!(parse_size("4KiB"), Ok(Size { bytes: 4096 }));
        assert_eq!(parse_size("1.5KB"), Ok(Size { bytes: 1500 }));
    }

    #[test]
    fn status_sets_display() {
        let set = StatusSet { ranges: vec![(200, 299), (304, 304), (400, 404)] };
        assert_eq!(set.to_string(), "2xx, 304, 400..404");
        assert!(set.contains(204) && set.contains(304) && !set.contains(500));
    }
}
