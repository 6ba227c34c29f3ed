//! `report.txt`: an attack's figures in vegeta's text report layout, so that people and scripts
//! used to `vegeta report` read it as is; two lines at the end say which success rule was used.

use super::metrics::Metrics;
use std::fmt::Write as _;
use std::time::Duration;

/// Renders the report. `name` heads it when it is not a single attack (`merged`).
pub fn render(m: &Metrics) -> String {
    let s = &m.summary;
    let attack = m.attack_span();
    let wait = m.wait();
    let total = attack + wait;
    let per_second = |n: u64, d: Duration| if d.is_zero() { 0.0 } else { n as f64 / d.as_secs_f64() };
    let rate = per_second(s.requests, attack);
    let throughput = per_second(s.successes, total);
    let l = &s.latency;
    let ns = |n: u64| go_duration(round(Duration::from_nanos(n)));
    let mean = |total: u64| if s.requests == 0 { 0.0 } else { total as f64 / s.requests as f64 };
    let ratio = if s.requests == 0 { 0.0 } else { 100.0 * s.successes as f64 / s.requests as f64 };
    let codes: Vec<String> = s.status_codes.iter().map(|(c, n)| format!("{c}:{n}")).collect();
    let rows = [
        ("Requests", "[total, rate, throughput]", format!("{}, {rate:.2}, {throughput:.2}", s.requests)),
        (
            "Duration",
            "[total, attack, wait]",
            format!("{}, {}, {}", go_duration(round(total)), go_duration(round(attack)), go_duration(round(wait))),
        ),
        (
            "Latencies",
            "[min, mean, 50, 90, 95, 99, max]",
            format!(
                "{}, {}, {}, {}, {}, {}, {}",
                ns(l.min_ns),
                ns(l.mean_ns),
                ns(l.p50_ns),
                ns(l.p90_ns),
                ns(l.p95_ns),
                ns(l.p99_ns),
                ns(l.max_ns)
            ),
        ),
        ("Bytes In", "[total, mean]", format!("{}, {:.2}", s.bytes_in, mean(s.bytes_in))),
        ("Bytes Out", "[total, mean]", format!("{}, {:.2}", s.bytes_out, mean(s.bytes_out))),
        ("Success", "[ratio]", format!("{ratio:.2}%")),
        ("Status Codes", "[code:count]", codes.join("  ")),
    ];
    let mut out = String::new();
    for (name, fields, values) in rows {
        let _ = writeln!(out, "{name:<13} {fields:<33} {values}");
    }
    out.push_str("Error Set:\n");
    for message in s.error_messages.keys() {
        let _ = writeln!(out, "{message}");
    }
    if s.error_messages_not_listed > 0 {
        let _ = writeln!(out, "(and {} more errors with other messages)", s.error_messages_not_listed);
    }
    let _ = writeln!(out, "\nSuccess rule: status {} (requests never sent: {})", s.success_rule, s.not_sent_in_time);
    out
}

/// vegeta's rounding for display: below 1 ms exact, below 1 s to the microsecond, else to the ms.
pub fn round(d: Duration) -> Duration {
    let ns = d.as_nanos() as u64;
    let unit = if ns < 1_000_000 {
        1
    } else if ns < 1_000_000_000 {
        1_000
    } else {
        1_000_000
    };
    Duration::from_nanos((ns + unit / 2) / unit * unit)
}

/// Go's `time.Duration.String()`: `0s`, `850ns`, `1.5µs`, `1.873ms`, `59.952s`, `2m0.5s`, `1h0m0s`.
pub fn go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    let fraction = |v: u128, unit: u128, digits: usize| {
        let (whole, rest) = (v / unit, v % unit);
        if rest == 0 {
            whole.to_string()
        } else {
            let frac = format!("{rest:0digits$}");
            format!("{whole}.{}", frac.trim_end_matches('0'))
        }
    };
    match ns {
        0 => "0s".to_string(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", fraction(n, 1_000, 3)),
        n if n < 1_000_000_000 => format!("{}ms", fraction(n, 1_000_000, 6)),
        n => {
            let secs_total = n / 1_000_000_000;
            let (h, m) = (secs_total / 3600, (secs_total % 3600) / 60);
            let s = fraction(n % 60_000_000_000, 1_000_000_000, 9);
            if h > 0 {
                format!("{h}h{m}m{s}s")
            } else if m > 0 {
                format!("{m}m{s}s")
            } else {
                format!("{s}s")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(go_duration(Duration::from_nanos(1_500)), "1.5µs");
        assert_eq!(go_duration(Duration::from_micros(1_873)), "1.873ms");
        assert_eq!(go_duration(Duration::from_millis(59_952)), "59.952s");
        assert_eq!(go_duration(Duration::from_millis(120_500)), "2m0.5s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(round(Duration::from_nanos(1_873_456))), "1.873ms");
    }
}
