//! The plots every attack and the merged results get: latency over time, throughput against the
//! planned rate, percentiles, status codes, responders, success/errors and their cumulatives.

use super::backend::Figure;
use super::frame::Marker;
use super::latency_chart::LatencyChart;
use super::latency_columns::LatencyColumns;
use super::per_second::{cumulative, per_second_points, PerSecond};
use super::percentile_chart::{Curve, PercentileChart};
use super::style::{self, category, ERROR, MUTED, PLANNED, REQUESTS, SUCCESS};
use super::time_chart::{stack, Layer, Shape, TimeAxis, TimeChart};

/// At most this many responder values get their own line; the rest are added up.
pub const MAX_RESPONDER_LINES: usize = 10;

/// What the generic plots are drawn from.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Heads every title: the attack's name, or `All attacks`.
    pub name: String,
    pub axis: TimeAxis,
    pub per_second: PerSecond,
    pub latency: LatencyColumns,
    /// Percentile curves; the main one first.
    pub curves: Vec<Curve>,
    /// One line about the histogram (count, min, mean, max).
    pub histogram_note: String,
    /// The planned rate over the time axis, when something was planned.
    pub planned: Option<Vec<(f64, f64)>>,
    /// What was planned, in words, or why nothing is drawn.
    pub planned_note: String,
    /// The success rule(s) the counts used (`200..399`).
    pub success_rule: String,
    pub markers: Vec<Marker>,
}

/// The generic figures, with their file stems.
pub fn figures(s: &Subject) -> Vec<(&'static str, Figure)> {
    let mut out = vec![
        ("latency", Figure::Latency(latency(s))),
        ("throughput", Figure::Time(throughput(s))),
        ("percentiles", Figure::Percentiles(percentiles(s))),
        ("status", Figure::Time(status(s))),
    ];
    if let Some(chart) = responders(s) {
        out.push(("responders", Figure::Time(chart)));
    }
    out.push(("success-errors", Figure::Time(success_errors(s))));
    out.push(("cumulative", Figure::Time(cumulative_chart(s, false))));
    out.push(("cumulative-log", Figure::Time(cumulative_chart(s, true))));
    out
}

fn line(name: impl Into<String>, colour: plotters::style::RGBColor, points: Vec<(f64, f64)>) -> Layer {
    Layer { name: name.into(), colour, shape: Shape::Line, points }
}

/// A chart of `s` over time (the per-node set draws its charts with it too).
pub(super) fn chart(s: &Subject, what: &str, subtitle: String, y_label: &str, layers: Vec<Layer>) -> TimeChart {
    TimeChart {
        title: format!("{} — {what}", s.name),
        subtitle,
        axis: s.axis.clone(),
        y_label: y_label.into(),
        log_y: false,
        layers,
        markers: s.markers.clone(),
    }
}

fn latency(s: &Subject) -> LatencyChart {
    LatencyChart {
        title: format!("{} — latency over time", s.name),
        axis: s.axis.clone(),
        columns: s.latency.clone(),
        mean: s.per_second.mean_latency_ms(mean_window(s.per_second.len())),
        mean_window_s: mean_window(s.per_second.len()),
        markers: s.markers.clone(),
    }
}

/// Seconds per point of the mean latency line: about 150 points at most, so that it stays a
/// readable line over the columns of long runs.
fn mean_window(seconds: usize) -> usize {
    seconds.div_ceil(150).max(1)
}

fn throughput(s: &Subject) -> TimeChart {
    let p = &s.per_second;
    let mut layers = vec![
        Layer {
            name: "requests/s".into(),
            colour: REQUESTS,
            shape: Shape::Wide,
            points: per_second_points(&p.requests),
        },
        line("successes/s", SUCCESS, per_second_points(&p.successes)),
    ];
    if let Some(planned) = &s.planned {
        layers.push(Layer {
            name: "planned rate".into(),
            colour: PLANNED,
            shape: Shape::Dashed,
            points: planned.clone(),
        });
    }
    let subtitle = format!(
        "Requests sent (or due and not sent) and successes per second, drawn at the middle of each second. {}",
        s.planned_note
    );
    chart(s, "throughput", subtitle, "requests per second", layers)
}

fn percentiles(s: &Subject) -> PercentileChart {
    PercentileChart {
        title: format!("{} — latency percentiles", s.name),
        subtitle: s.histogram_note.clone(),
        curves: s.curves.clone(),
    }
}

/// `200 OK`, `503 Service Unavailable`, `0 (no response)`.
fn status_name(code: u16) -> String {
    if code == 0 {
        return "0 (no response)".into();
    }
    match http::StatusCode::from_u16(code).ok().and_then(|c| c.canonical_reason()) {
        Some(reason) => format!("{code} {reason}"),
        None => code.to_string(),
    }
}

fn status(s: &Subject) -> TimeChart {
    let mut shades: Vec<(u16, usize)> = Vec::new();
    let bands = s
        .per_second
        .codes
        .iter()
        .map(|(code, counts)| {
            let class = code / 100;
            let shade = shades.iter().filter(|(c, _)| *c == class).count();
            shades.push((class, shade));
            (
                format!("{} ({})", status_name(*code), counts.iter().sum::<u64>()),
                style::status_colour(*code, shade),
                counts.clone(),
            )
        })
        .collect();
    let subtitle = "Responses per second by status code, stacked (totals in the legend; 0: no response).".to_string();
    chart(s, "status codes", subtitle, "responses per second", stack(bands))
}

fn responders(s: &Subject) -> Option<TimeChart> {
    let r = s.per_second.responders.as_ref()?;
    let mut values: Vec<(&String, &Vec<u64>, u64)> =
        r.values.iter().map(|(v, counts)| (v, counts, counts.iter().sum())).collect();
    values.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let len = s.per_second.len();
    let mut layers: Vec<Layer> = values
        .iter()
        .take(MAX_RESPONDER_LINES)
        .enumerate()
        .map(|(i, (value, counts, total))| line(format!("{value} ({total})"), category(i), per_second_points(counts)))
        .collect();
    let mut rest = r.other.clone();
    rest.resize(len, 0);
    let folded = values.len().saturating_sub(MAX_RESPONDER_LINES);
    for (_, counts, _) in values.iter().skip(MAX_RESPONDER_LINES) {
        for (sum, n) in rest.iter_mut().zip(counts.iter()) {
            *sum += n;
        }
    }
    let rest_total: u64 = rest.iter().sum();
    if rest_total > 0 {
        let name = if folded > 0 {
            format!("{folded} more values and others ({rest_total})")
        } else {
            format!("other values ({rest_total})")
        };
        layers.push(line(name, MUTED, per_second_points(&rest)));
    }
    let absent: u64 = r.absent.iter().sum();
    if absent > 0 {
        layers.push(Layer {
            name: format!("no {} header ({absent})", r.header),
            colour: ERROR,
            shape: Shape::Dashed,
            points: per_second_points(&r.absent),
        });
    }
    let subtitle = format!(
        "Responses per second by the value of the {} response header (the node that answered); totals in the legend.",
        r.header
    );
    Some(chart(s, &format!("responses by {}", r.header), subtitle, "responses per second", layers))
}

fn success_errors(s: &Subject) -> TimeChart {
    let p = &s.per_second;
    let layers = vec![
        line(format!("successes ({})", p.successes.iter().sum::<u64>()), SUCCESS, per_second_points(&p.successes)),
        line(format!("errors ({})", p.errors.iter().sum::<u64>()), ERROR, per_second_points(&p.errors)),
    ];
    let subtitle =
        format!("Successes (status {}) and errors per second, drawn at the middle of each second.", s.success_rule);
    chart(s, "successes and errors", subtitle, "requests per second", layers)
}

fn cumulative_chart(s: &Subject, log: bool) -> TimeChart {
    let p = &s.per_second;
    let layers = vec![
        line(format!("successes ({})", p.successes.iter().sum::<u64>()), SUCCESS, cumulative(&p.successes)),
        line(format!("errors ({})", p.errors.iter().sum::<u64>()), ERROR, cumulative(&p.errors)),
    ];
    let scale = if log { ", log scale (a line starts at its first request)" } else { "" };
    let subtitle = format!("Total successes (status {}) and errors so far{scale}.", s.success_rule);
    let what = if log { "cumulative successes and errors (log)" } else { "cumulative successes and errors" };
    let mut c = chart(s, what, subtitle, "requests so far", layers);
    c.log_y = log;
    c
}
