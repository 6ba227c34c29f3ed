//! Two runs side by side: per attack (matched by name) and over all attacks, each metric of A and
//! B with its delta and, where a threshold applies, a verdict. A performance gate for CI.

use super::context::{AttackFigures, ReportContext};
use super::template_filters::{duration, percent, rate};
use serde::Serialize;

/// The limits B is held to. Ratios in 0..=1 (`0.1` for 10 %).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Thresholds {
    /// Largest relative increase of p99 latency from A to B.
    pub max_p99_regression: Option<f64>,
    /// Largest relative increase of mean latency.
    pub max_mean_regression: Option<f64>,
    /// Smallest success ratio of B.
    pub min_success: Option<f64>,
    pub max_error_increase: Option<ErrorIncrease>,
}

/// How many more errors B may have than A.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ErrorIncrease {
    /// More failed requests.
    Count(u64),
    /// A higher error ratio, in ratio points (`0.005`: half a percentage point).
    Points(f64),
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    pub thresholds: Thresholds,
    /// Attacks of both runs (in A's order), then `all`.
    pub sections: Vec<Section>,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    /// `section metric` of every failed verdict.
    pub regressions: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub dir: String,
    pub scenario: String,
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `requests`, `success`, `errors`, `rate`, `throughput`, `mean`, `p50`, ... `max`.
    pub metric: String,
    /// Raw values: counts, ratios (0..=1), per-second rates, or nanoseconds.
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub a_shown: String,
    pub b_shown: String,
    /// `B − A`, shown in the metric's unit (and relative, for rates and durations).
    pub delta_shown: String,
    /// `pass` or `fail` when a threshold applies, `n/a` when it cannot be judged, else `null`.
    pub verdict: Option<String>,
    /// The threshold, as a reader states it (`at most +10.00%`).
    pub limit: Option<String>,
}

impl Comparison {
    pub fn regressed(&self) -> bool {
        !self.regressions.is_empty()
    }
}

/// Compares B against A.
pub fn compare(a: &ReportContext, b: &ReportContext, thresholds: Thresholds) -> Comparison {
    let side = |c: &ReportContext| Side {
        dir: c.run.dir.clone(),
        scenario: c.scenario.clone(),
        started_at: c.run.started_at.clone(),
    };
    let mut sections = Vec::new();
    for fa in &a.attacks {
        if let Some(fb) = b.attacks.iter().find(|f| f.name == fa.name) {
            sections.push(section(&fa.name, fa, fb, &thresholds));
        }
    }
    if let (Some(ma), Some(mb)) = (&a.merged, &b.merged) {
        sections.push(section("all", ma, mb, &thresholds));
    }
    let names = |c: &ReportContext| c.attacks.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    let (in_a, in_b) = (names(a), names(b));
    let regressions = sections
        .iter()
        .flat_map(|s| {
            s.rows.iter().filter(|r| r.verdict.as_deref() == Some("fail")).map(|r| format!("{} {}", s.name, r.metric))
        })
        .collect();
    let mut warnings: Vec<String> = a.warnings.iter().map(|w| format!("A: {w}")).collect();
    warnings.extend(b.warnings.iter().map(|w| format!("B: {w}")));
    let (only_in_a, only_in_b): (Vec<String>, Vec<String>) = (
        in_a.iter().filter(|n| !in_b.contains(n)).cloned().collect(),
        in_b.iter().filter(|n| !in_a.contains(n)).cloned().collect(),
    );
    if !only_in_a.is_empty() || !only_in_b.is_empty() {
        warnings.push("`all` covers different attacks in A and B: compare it with care".to_string());
    }
    if a.scenario != b.scenario {
        warnings.push(format!("the runs are of different scenarios (`{}` and `{}`)", a.scenario, b.scenario));
    }
    Comparison { a: side(a), b: side(b), thresholds, sections, only_in_a, only_in_b, regressions, warnings }
}

fn signed_percent(r: f64) -> String {
    format!("{}{:.2}%", if r >= 0.0 { "+" } else { "-" }, r.abs() * 100.0)
}

fn section(name: &str, a: &AttackFigures, b: &AttackFigures, t: &Thresholds) -> Section {
    let mut rows = Vec::new();
    let count = |metric: &str, x: u64, y: u64| Row {
        metric: metric.into(),
        a: Some(x as f64),
        b: Some(y as f64),
        a_shown: x.to_string(),
        b_shown: y.to_string(),
        delta_shown: format!("{:+}", y as i128 - x as i128),
        verdict: None,
        limit: None,
    };
    rows.push(count("requests", a.requests, b.requests));

    let mut success = Row {
        metric: "success".into(),
        a: a.success_ratio,
        b: b.success_ratio,
        a_shown: percent(a.success_ratio, None),
        b_shown: percent(b.success_ratio, None),
        delta_shown: match (a.success_ratio, b.success_ratio) {
            (Some(x), Some(y)) => format!("{:+.2} pt", (y - x) * 100.0),
            _ => "-".into(),
        },
        verdict: None,
        limit: None,
    };
    if let Some(min) = t.min_success {
        success.limit = Some(format!("at least {}", percent(Some(min), None)));
        success.verdict = Some(verdict(b.success_ratio.map(|r| r >= min)));
    }
    rows.push(success);

    let mut errors = count("errors", a.errors, b.errors);
    if let Some(limit) = t.max_error_increase {
        let ratio = |f: &AttackFigures| (f.requests > 0).then(|| f.errors as f64 / f.requests as f64);
        let (held, shown) = match limit {
            ErrorIncrease::Count(n) => (Some(b.errors <= a.errors.saturating_add(n)), format!("at most +{n}")),
            ErrorIncrease::Points(p) => (
                ratio(a).zip(ratio(b)).map(|(x, y)| y - x <= p + 1e-12),
                format!("error ratio at most +{:.2} pt", p * 100.0),
            ),
        };
        if let (ErrorIncrease::Points(_), Some(x), Some(y)) = (limit, ratio(a), ratio(b)) {
            errors.delta_shown = format!("{} ({:+.2} pt)", errors.delta_shown, (y - x) * 100.0);
        }
        errors.verdict = Some(verdict(held));
        errors.limit = Some(shown);
    }
    rows.push(errors);

    let per_second = |metric: &str, x: f64, y: f64| Row {
        metric: metric.into(),
        a: Some(x),
        b: Some(y),
        a_shown: rate(Some(x)),
        b_shown: rate(Some(y)),
        delta_shown: relative(x, y)
            .map_or_else(|| format!("{:+.1}/s", y - x), |r| format!("{:+.1}/s ({})", y - x, signed_percent(r))),
        verdict: None,
        limit: None,
    };
    rows.push(per_second("rate", a.rate_per_s, b.rate_per_s));
    rows.push(per_second("throughput", a.throughput_per_s, b.throughput_per_s));

    let latency = |f: &AttackFigures, pick: Pick| (f.latency.count > 0).then(|| pick(f));
    let quantiles: [(&str, Pick, Option<f64>); 7] = [
        ("mean", |f| f.latency.mean_ns, t.max_mean_regression),
        ("p50", |f| f.latency.p50_ns, None),
        ("p90", |f| f.latency.p90_ns, None),
        ("p95", |f| f.latency.p95_ns, None),
        ("p99", |f| f.latency.p99_ns, t.max_p99_regression),
        ("p99.9", |f| f.latency.p999_ns, None),
        ("max", |f| f.latency.max_ns, None),
    ];
    for (metric, pick, limit) in quantiles {
        let (x, y) = (latency(a, pick), latency(b, pick));
        let mut row = Row {
            metric: metric.into(),
            a: x.map(|n| n as f64),
            b: y.map(|n| n as f64),
            a_shown: duration(x),
            b_shown: duration(y),
            delta_shown: match (x, y) {
                (Some(x), Some(y)) => {
                    let sign = if y >= x { "+" } else { "-" };
                    let d = duration(Some(y.abs_diff(x)));
                    relative(x as f64, y as f64)
                        .map_or_else(|| format!("{sign}{d}"), |r| format!("{sign}{d} ({})", signed_percent(r)))
                }
                _ => "-".into(),
            },
            verdict: None,
            limit: None,
        };
        if let Some(max) = limit {
            row.limit = Some(format!("at most {}", signed_percent(max)));
            let held = match (x, y) {
                (Some(x), Some(y)) if x > 0 => Some((y as f64 - x as f64) / x as f64 <= max + 1e-12),
                _ => None,
            };
            row.verdict = Some(verdict(held));
        }
        rows.push(row);
    }
    Section { name: name.to_string(), rows }
}

/// Picks a latency figure.
type Pick = fn(&AttackFigures) -> u64;

fn relative(x: f64, y: f64) -> Option<f64> {
    (x > 0.0).then(|| (y - x) / x)
}

fn verdict(held: Option<bool>) -> String {
    match held {
        Some(true) => "pass",
        Some(false) => "fail",
        None => "n/a",
    }
    .to_string()
}

/// The comparison for people: one aligned table per section, then the result.
pub fn render_text(c: &Comparison) -> String {
    let mut out = format!("A: {} (scenario {}, started {})\n", c.a.dir, c.a.scenario, c.a.started_at);
    out.push_str(&format!("B: {} (scenario {}, started {})\n", c.b.dir, c.b.scenario, c.b.started_at));
    for w in &c.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    let widths = |pick: fn(&Row) -> &str, header: &str| {
        c.sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| pick(r).chars().count()))
            .chain([header.len()])
            .max()
            .unwrap_or(0)
    };
    let (wa, wb, wd) = (widths(|r| &r.a_shown, "A"), widths(|r| &r.b_shown, "B"), widths(|r| &r.delta_shown, "B - A"));
    let wm = c
        .sections
        .iter()
        .flat_map(|s| s.rows.iter().map(|r| r.metric.len() + 2).chain([s.name.chars().count()]))
        .max()
        .unwrap_or(0)
        .max(10);
    for s in &c.sections {
        out.push_str(&format!("\n{:<wm$}  {:>wa$}  {:>wb$}  {:>wd$}  verdict\n", s.name, "A", "B", "B - A"));
        for r in &s.rows {
            let verdict = match (&r.verdict, &r.limit) {
                (Some(v), Some(l)) => format!("{} ({l})", if v == "fail" { "FAIL" } else { v.as_str() }),
                _ => "-".to_string(),
            };
            out.push_str(&format!(
                "  {:<w$}  {:>wa$}  {:>wb$}  {:>wd$}  {verdict}\n",
                r.metric,
                r.a_shown,
                r.b_shown,
                r.delta_shown,
                w = wm - 2
            ));
        }
    }
    out.push('\n');
    if !c.only_in_a.is_empty() {
        out.push_str(&format!("only in A (not compared): {}\n", c.only_in_a.join(", ")));
    }
    if !c.only_in_b.is_empty() {
        out.push_str(&format!("only in B (not compared): {}\n", c.only_in_b.join(", ")));
    }
    if c.regressions.is_empty() {
        out.push_str("result: no regression\n");
    } else {
        out.push_str(&format!("result: {} regression(s): {}\n", c.regressions.len(), c.regressions.join(", ")));
    }
    out
}
