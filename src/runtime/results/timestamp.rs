//! RFC 3339 timestamps exactly as Go's `time.RFC3339Nano` writes them (vegeta's `timestamp` field),
//! a parser that accepts any offset, and the `timestamp` of a results line found without decoding
//! the rest. Hand-written because the writer formats one per result.

use memchr::memmem::Finder;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Nanoseconds since the Unix epoch (negative before it).
pub fn unix_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

/// The inverse of [`unix_nanos`].
pub fn from_unix_nanos(nanos: i128) -> SystemTime {
    let magnitude = nanos.unsigned_abs();
    // Every timestamp of this era fits in 64 bits, where division is many times cheaper.
    let duration = match u64::try_from(magnitude) {
        Ok(m) => Duration::new(m / 1_000_000_000, (m % 1_000_000_000) as u32),
        Err(_) => Duration::new((magnitude / 1_000_000_000) as u64, (magnitude % 1_000_000_000) as u32),
    };
    if nanos >= 0 {
        UNIX_EPOCH + duration
    } else {
        UNIX_EPOCH - duration
    }
}

/// Formats UTC timestamps like Go's `RFC3339Nano` (`2024-05-01T12:00:00.1234Z`: trailing zeros of
/// the fraction trimmed, no fraction at all on a whole second). Caches the date-time prefix of the
/// last second it formatted, since consecutive results share it.
#[derive(Debug, Default)]
pub struct TimestampFormatter {
    cached: Option<(i64, [u8; 19])>,
}

impl TimestampFormatter {
    pub fn new() -> Self {
        TimestampFormatter::default()
    }

    /// Appends the timestamp (no quotes) to `out`.
    pub fn write(&mut self, time: SystemTime, out: &mut Vec<u8>) {
        self.write_nanos(unix_nanos(time), out);
    }

    /// Appends the timestamp of `nanos` since the epoch (no quotes) to `out`.
    pub fn write_nanos(&mut self, nanos: i128, out: &mut Vec<u8>) {
        let second = nanos.div_euclid(NANOS_PER_SECOND) as i64;
        let fraction = nanos.rem_euclid(NANOS_PER_SECOND) as u32;
        let prefix = match self.cached {
            Some((cached, prefix)) if cached == second => prefix,
            _ => {
                let prefix = date_time_prefix(second);
                self.cached = Some((second, prefix));
                prefix
            }
        };
        out.extend_from_slice(&prefix);
        if fraction != 0 {
            let mut digits = [b'0'; 9];
            let mut rest = fraction;
            for digit in digits.iter_mut().rev() {
                *digit = b'0' + (rest % 10) as u8;
                rest /= 10;
            }
            let len = 9 - trailing_decimal_zeros(fraction);
            out.push(b'.');
            out.extend_from_slice(&digits[..len]);
        }
        out.push(b'Z');
    }
}

/// How many decimal zeros end `n` (0 for 0).
fn trailing_decimal_zeros(mut n: u32) -> usize {
    let mut zeros = 0;
    while n != 0 && n % 10 == 0 {
        n /= 10;
        zeros += 1;
    }
    zeros
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix second, in UTC. Years outside 0..=9999 are clamped to it (Go
/// would write them unpadded; no result of a load test is ever dated there).
fn date_time_prefix(second: i64) -> [u8; 19] {
    let days = second.div_euclid(SECONDS_PER_DAY);
    let in_day = second.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let year = year.clamp(0, 9999) as u32;
    let mut out = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, value: u32, width: usize| {
        let mut rest = value;
        for i in (at..at + width).rev() {
            out[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, (in_day / 3600) as u32, 2);
    put(14, (in_day / 60 % 60) as u32, 2);
    put(17, (in_day % 60) as u32, 2);
    out
}

/// A whole timestamp as a `String` (for summaries and messages).
pub fn format_rfc3339(time: SystemTime) -> String {
    let mut out = Vec::with_capacity(32);
    TimestampFormatter::new().write(time, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses an RFC 3339 timestamp with any offset (`Z`, `+02:00`, `-07:00`) and 0 to 9 fraction
/// digits (more are accepted and truncated, like Go) into nanoseconds since the Unix epoch.
pub fn parse_rfc3339(text: &[u8]) -> Option<i128> {
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits.iter().try_fold(0i64, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0')))
    };
    let year = number(0..4)?;
    let month = number(5..7)?;
    let day = number(8..10)?;
    let hour = number(11..13)?;
    let minute = number(14..16)?;
    let second = number(17..19)?;
    let separators_ok = text.get(4) == Some(&b'-')
        && text.get(7) == Some(&b'-')
        && matches!(text.get(10), Some(b'T' | b't' | b' '))
        && text.get(13) == Some(&b':')
        && text.get(16) == Some(&b':');
    if !separators_ok
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month as u32)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    let mut fraction: i64 = 0;
    if text.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        // Digits past nanoseconds are read and dropped, as Go's parser does.
        const SCALES: [i64; 9] = [100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
        while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
            fraction += i64::from(b - b'0') * SCALES.get(at - start).copied().unwrap_or(0);
            at += 1;
        }
        if at == start {
            return None;
        }
    }
    let offset_seconds = match text.get(at)? {
        b'Z' | b'z' if at + 1 == text.len() => 0,
        &sign @ (b'+' | b'-') if at + 6 == text.len() && text[at + 3] == b':' => {
            let offset_hour = number(at + 1..at + 3)?;
            let offset_minute = number(at + 4..at + 6)?;
            if offset_hour > 23 || offset_minute > 59 {
                return None;
            }
            let magnitude = offset_hour * 3600 + offset_minute * 60;
            if sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month as u32, day as u32);
    let seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(i128::from(seconds) * NANOS_PER_SECOND + i128::from(fraction))
}

/// Parses an RFC 3339 timestamp into a `SystemTime`.
pub fn parse_system_time(text: &str) -> Option<SystemTime> {
    parse_rfc3339(text.as_bytes()).map(from_unix_nanos)
}

/// `#[serde(with = "rfc3339")]` for a `SystemTime` written as an RFC 3339 string.
pub mod rfc3339 {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use std::time::SystemTime;

    pub fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_system_time(&text)
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not an RFC 3339 timestamp")))
    }
}

/// `#[serde(with = "rfc3339_option")]` for an `Option<SystemTime>` (null when `None`).
pub mod rfc3339_option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::SystemTime;

    pub fn serialize<S: Serializer>(time: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => super::rfc3339::serialize(time, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::rfc3339")] SystemTime);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(time)| time))
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The nanoseconds of the first `"timestamp": "<RFC 3339>"` pair of a line. Only this field is
/// parsed; `"timestamp"` cannot occur unescaped inside another JSON string.
pub fn timestamp_key(line: &[u8]) -> Option<i128> {
    const KEY: &[u8] = b"\"timestamp\"";
    static FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(KEY));
    let mut from = 0;
    while let Some(found) = FINDER.find(&line[from..]) {
        let after_key = from + found + KEY.len();
        from = after_key;
        let skip_spaces = |mut at: usize| {
            while line.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            at
        };
        let colon = skip_spaces(after_key);
        if line.get(colon) != Some(&b':') {
            continue;
        }
        let quote = skip_spaces(colon + 1);
        if line.get(quote) != Some(&b'"') {
            continue;
        }
        let start = quote + 1;
        let Some(len) = line[start..].iter().position(|&b| b == b'"') else { continue };
        if let Some(key) = parse_rfc3339(&line[start..start + len]) {
            return Some(key);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    fn format_nanos(nanos: i128) -> String {
        let mut out = Vec::new();
        TimestampFormatter::new().write_nanos(nanos, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formats_like_go_rfc3339_nano() {
        // 2015-09-19T12:45:50Z is 1442666750 s after the epoch.
        assert_eq!(format_nanos(1_442_666_750 * 1_000_000_000), "2015-09-19T12:45:50Z");
        assert_eq!(format_nanos(1_442_666_750 * 1_000_000_000 + 645_818_631), "2015-09-19T12:45:50.645818631Z");
        assert_eq!(format_nanos(1_442_666_750 * 1_000_000_000 + 100_000_000), "2015-09-19T12:45:50.1Z");
        assert_eq!(format_nanos(1_442_666_750 * 1_000_000_000 + 1_200), "2015-09-19T12:45:50.0000012Z");
        assert_eq!(format_nanos(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_nanos(-1), "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn parses_offsets() {
        let utc = parse_rfc3339(b"2015-09-19T12:45:50.645818631Z").unwrap();
        assert_eq!(parse_rfc3339(b"2015-09-19T14:45:50.645818631+02:00"), Some(utc));
        assert_eq!(parse_rfc3339(b"2015-09-19T05:45:50.645818631-07:00"), Some(utc));
        assert_eq!(parse_rfc3339(b"2015-09-19T12:45:50.6458186319999Z"), Some(utc));
        assert_eq!(parse_rfc3339(b"2015-09-19T12:45:50Z"), Some(utc - 645_818_631));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2015-09-19",
            "2015-09-19T12:45:50",
            "2015-09-19T12:45:50.Z",
            "2015-02-29T12:45:50Z",
            "2015-13-01T12:45:50Z",
            "2015-09-19T24:00:00Z",
            "2015-09-19T12:45:50+0200",
            "2015-09-19T12:45:50Zjunk",
            "2015-09-19T12:4x:50Z",
        ] {
            assert_eq!(parse_rfc3339(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_rfc3339(b"2016-02-29T00:00:00Z").is_some());
    }

    proptest! {
        #[test]
        fn agrees_with_the_time_crate(nanos in 0i128..4_102_444_800_000_000_000) {
            let ours = format_nanos(nanos);
            let theirs = OffsetDateTime::parse(&ours, &Rfc3339).unwrap().unix_timestamp_nanos();
            prop_assert_eq!(theirs, nanos);
            prop_assert_eq!(parse_rfc3339(ours.as_bytes()), Some(nanos));
            let system = from_unix_nanos(nanos);
            prop_assert_eq!(unix_nanos(system), nanos);
        }

        #[test]
        fn parses_what_the_time_crate_writes_with_offsets(
            nanos in 0i128..4_102_444_800_000_000_000,
            offset_minutes in -(23 * 60 + 59)..(23 * 60 + 59i32),
        ) {
            let offset = time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
            let text = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap().to_offset(offset).format(&Rfc3339).unwrap();
            prop_assert_eq!(parse_rfc3339(text.as_bytes()), Some(nanos));
        }
    }
}
