//! `--time-scale F`: the same scenario with every delay, duration, wait and retry interval
//! multiplied by F (rates unchanged, so request counts scale too), exactly, on integer nanoseconds.

use super::units::{format_duration, Decimal};
use super::{Load, Scenario};
use std::fmt;
use std::time::Duration;

/// A positive factor kept as an exact fraction: `0.01` is 1/100, `2.5` is 25/10, `1e-3` is 1/1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeScale {
    numerator: u128,
    denominator: u128,
}

/// Factors beyond these bounds make no sense for a run (and would overflow nanoseconds).
const MAX_FACTOR: u128 = 1_000_000;
const MAX_EXPONENT: i32 = 18;

/// Scaled durations below this are warned about: timers and HTTP round trips are not that fine.
pub const SHORTEST_SENSIBLE: Duration = Duration::from_millis(1);

impl TimeScale {
    pub const ONE: TimeScale = TimeScale { numerator: 1, denominator: 1 };

    /// Parses `0.01`, `2`, `1.5` or `1e-2`. Zero, negative numbers and anything that is not a
    /// finite decimal number are refused with a message saying what is expected.
    pub fn parse(text: &str) -> Result<TimeScale, String> {
        let expected = "a positive number like `0.01` (100 times faster) or `2` (twice as slow)";
        let trimmed = text.trim();
        if trimmed.starts_with('-') {
            return Err(format!("time scale `{text}` is negative; expected {expected}"));
        }
        let (mantissa, exponent) = match trimmed.split_once(['e', 'E']) {
            Some((m, e)) => {
                (m, e.parse::<i32>().map_err(|_| format!("`{text}` is not a number; expected {expected}"))?)
            }
            None => (trimmed, 0),
        };
        let digits_only = !mantissa.is_empty()
            && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
            && mantissa.matches('.').count() <= 1
            && !mantissa.starts_with('.')
            && !mantissa.ends_with('.');
        let decimal = digits_only
            .then(|| Decimal::parse(mantissa))
            .flatten()
            .ok_or_else(|| format!("`{text}` is not a number; expected {expected}"))?;
        if decimal.is_zero() {
            return Err(format!("time scale `{text}` is zero: nothing would last; expected {expected}"));
        }
        if exponent.abs() > MAX_EXPONENT {
            return Err(format!("time scale `{text}` is out of range (1e-18 to 1e6)"));
        }
        let power = 10u128.pow(exponent.unsigned_abs());
        let too_precise = || format!("time scale `{text}` has too many digits");
        let (mut numerator, mut denominator) = (decimal.mantissa, decimal.scale);
        if exponent >= 0 {
            numerator = numerator.checked_mul(power).ok_or_else(too_precise)?;
        } else {
            denominator = denominator.checked_mul(power).ok_or_else(too_precise)?;
        }
        let divisor = gcd(numerator, denominator);
        let scale = TimeScale { numerator: numerator / divisor, denominator: denominator / divisor };
        if scale.numerator > MAX_FACTOR.saturating_mul(scale.denominator) {
            return Err(format!("time scale `{text}` is above {MAX_FACTOR}: a run would last for years"));
        }
        if scale.denominator > 10u128.pow(MAX_EXPONENT as u32) {
            return Err(format!("time scale `{text}` is out of range (1e-18 to 1e6)"));
        }
        Ok(scale)
    }

    pub fn is_one(self) -> bool {
        self.numerator == self.denominator
    }

    /// The factor as a float (for the run manifest and messages).
    pub fn as_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// `d × F`, rounded to the nearest nanosecond (halves up). A positive duration never becomes
    /// zero (at least 1 ns); `Err` when the result does not fit a `Duration` of `u64` nanoseconds.
    pub fn apply(self, d: Duration) -> Result<Duration, String> {
        let nanos = d.as_nanos();
        if nanos == 0 {
            return Ok(Duration::ZERO);
        }
        let scaled = nanos
            .checked_mul(self.numerator)
            .map(|p| (p + self.denominator / 2) / self.denominator)
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| format!("{} × {self} is too long", format_duration(d)))?;
        Ok(Duration::from_nanos(scaled.max(1)))
    }
}

impl fmt::Display for TimeScale {
    /// The exact decimal when there is one (`0.01`, `2.5`), else the fraction (`1/3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.numerator / self.denominator;
        let mut rest = self.numerator % self.denominator;
        if rest == 0 {
            return write!(f, "{whole}");
        }
        let mut digits = String::new();
        for _ in 0..=MAX_EXPONENT {
            rest *= 10;
            digits.push(char::from(b'0' + (rest / self.denominator) as u8));
            rest %= self.denominator;
            if rest == 0 {
                return write!(f, "{whole}.{digits}");
            }
        }
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// A scenario scaled in time, with a warning for every duration scaled below 1 ms.
#[derive(Debug, Clone)]
pub struct TimeScaled {
    pub scenario: Scenario,
    pub warnings: Vec<String>,
}

/// Scales durations one by one, remembering those that became too short to be meaningful.
struct Scaler {
    scale: TimeScale,
    warnings: Vec<String>,
}

impl Scaler {
    fn scale(&mut self, what: impl Fn() -> String, d: &mut Duration) -> Result<(), String> {
        let scaled = self.scale.apply(*d).map_err(|e| format!("{}: {e}", what()))?;
        if !d.is_zero() && scaled < SHORTEST_SENSIBLE {
            self.warnings.push(format!(
                "{}: {} × {} = {}, shorter than {}",
                what(),
                format_duration(*d),
                self.scale,
                format_duration(scaled),
                format_duration(SHORTEST_SENSIBLE)
            ));
        }
        *d = scaled;
        Ok(())
    }
}

impl Scenario {
    /// The same scenario with every attack delay and duration (each stage's), the fixed wait,
    /// each health gate's interval (`every`) and deadline (`within`) and each deploy and
    /// teardown retry interval multiplied by `scale`. Rates, counts of tries and retries, and
    /// timeouts (how long one request may take) are unchanged: a shorter run sends fewer
    /// requests at the same rates.
    pub fn time_scaled(&self, scale: TimeScale) -> Result<TimeScaled, String> {
        let mut scenario = self.clone();
        let mut s = Scaler { scale, warnings: Vec::new() };
        if let Some(wait) = scenario.wait.as_mut() {
            s.scale(|| "wait".into(), wait)?;
        }
        for d in &mut scenario.deployments {
            s.scale(|| format!("deploy {} on {}: every", d.function, d.node), &mut d.every)?;
        }
        for d in &mut scenario.teardowns {
            s.scale(|| format!("teardown {} on {}: every", d.function, d.node), &mut d.every)?;
        }
        for g in &mut scenario.gates {
            s.scale(|| format!("health gate of {}: every", g.node), &mut g.every)?;
            s.scale(|| format!("health gate of {}: within", g.node), &mut g.within)?;
        }
        for a in &mut scenario.attacks {
            let name = a.name.clone();
            s.scale(|| format!("attack {name}: delay"), &mut a.delay)?;
            match &mut a.load {
                Load::Open { profile } => {
                    let several = profile.stages.len() > 1;
                    for (i, stage) in profile.stages.iter_mut().enumerate() {
                        let what = || match several {
                            true => format!("attack {name}: stage {}", i + 1),
                            false => format!("attack {name}: duration"),
                        };
                        s.scale(what, &mut stage.duration)?;
                    }
                }
                Load::Closed { duration, .. } => s.scale(|| format!("attack {name}: duration"), duration)?,
            }
        }
        Ok(TimeScaled { scenario, warnings: s.warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(text: &str) -> TimeScale {
        TimeScale::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn factors_are_exact_fractions() {
        assert_eq!(scale("0.01").to_string(), "0.01");
        assert_eq!(scale("1e-2"), scale("0.01"));
        assert_eq!(scale("2.50").to_string(), "2.5");
        assert_eq!(scale("3E2").to_string(), "300");
        assert!(scale("1").is_one() && scale("1.000").is_one());
        assert_eq!(scale("0.005").as_f64(), 0.005);
    }

    #[test]
    fn bad_factors_say_what_is_expected() {
        for bad in ["0", "0.0", "-1", "-0.5", "inf", "NaN", "", "abc", "1,5", ".5", "1e", "1e99", "1_000", "2000000"] {
            let error = TimeScale::parse(bad).err().unwrap_or_else(|| panic!("`{bad}` must be refused"));
            assert!(error.contains(&format!("`{bad}`")), "{bad}: {error}");
        }
    }

    #[test]
    fn durations_scale_exactly_on_nanoseconds() {
        let f = scale("0.01");
        assert_eq!(f.apply(Duration::from_secs(900)), Ok(Duration::from_secs(9)));
        assert_eq!(f.apply(Duration::from_secs(300)), Ok(Duration::from_secs(3)));
        // 0.1 is not exact in binary; as a fraction it is: 7 ns × 1/10 rounds to 1 ns, never 0.
        assert_eq!(scale("0.1").apply(Duration::from_nanos(7)), Ok(Duration::from_nanos(1)));
        assert_eq!(scale("0.1").apply(Duration::from_nanos(3)), Ok(Duration::from_nanos(1)));
        assert_eq!(scale("0.5").apply(Duration::from_nanos(3)), Ok(Duration::from_nanos(2)), "halves round up");
        assert_eq!(scale("1e-9").apply(Duration::from_secs(10)), Ok(Duration::from_nanos(10)));
        assert_eq!(f.apply(Duration::ZERO), Ok(Duration::ZERO));
        let third = TimeScale { numerator: 1, denominator: 3 };
        assert_eq!(third.apply(Duration::from_secs(1)), Ok(Duration::from_nanos(333_333_333)));
        assert_eq!(third.to_string(), "1/3");
        assert!(scale("1000000").apply(Duration::from_secs(u64::MAX / 1000)).is_err());
    }
}
