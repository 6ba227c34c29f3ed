//! Latency over time: one vertical bar per pixel column from the fastest to the slowest request
//! sent in it (successes and errors in their own colours), and the mean per second as a line.

use super::frame::{self, builder, draw_markers, fail, style_mesh, LegendEntry, Marker, Swatch};
use super::latency_columns::{LatencyColumns, Span};
use super::style::{self, ERROR, INK, SUCCESS};
use super::time_chart::TimeAxis;
use plotters::coord::Shift;
use plotters::prelude::*;

#[derive(Debug, Clone)]
pub struct LatencyChart {
    pub title: String,
    pub axis: TimeAxis,
    pub columns: LatencyColumns,
    /// Mean latency (ms) of the requests sent, per `mean_window_s` seconds, at the window's
    /// middle (seconds).
    pub mean: Vec<(f64, f64)>,
    pub mean_window_s: usize,
    pub markers: Vec<Marker>,
}

const MS: f64 = 1e6;
/// Radius of a request's dot, in pixels (errors one more: they are rarer and must show).
const DOT_RADIUS: u32 = 2;

impl LatencyChart {
    fn subtitle(&self) -> String {
        let mut s = format!(
            "Downsampled per pixel column ({:.3} s each): a dot per request, or a bar from the fastest to the slowest request sent in the column; none is left out.",
            self.columns.column_s()
        );
        if self.columns.not_sent > 0 {
            s.push_str(&format!(" {} never sent (no latency).", self.columns.not_sent));
        }
        s
    }

    fn legend(&self) -> Vec<LegendEntry> {
        vec![
            LegendEntry {
                name: format!("successes ({})", self.columns.count(true)),
                colour: SUCCESS,
                swatch: Swatch::Block,
            },
            LegendEntry {
                name: format!("errors ({})", self.columns.count(false)),
                colour: ERROR,
                swatch: Swatch::Block,
            },
            LegendEntry {
                name: match self.mean_window_s {
                    1 => "mean per second (all sent)".to_string(),
                    n => format!("mean per {n} s (all sent)"),
                },
                colour: INK,
                swatch: Swatch::Line,
            },
        ]
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame::frame(root, &self.title, &self.subtitle(), &self.legend())?;
        let x_end = self.axis.end();
        let y_top = (self.columns.max_ns() as f64 / MS * 1.08).max(1.0);
        let mut chart = builder(&area).build_cartesian_2d(0f64..x_end, 0f64..y_top).map_err(fail)?;
        let mut mesh = chart.configure_mesh();
        style_mesh(&mut mesh);
        mesh.x_desc(self.axis.label())
            .y_desc("latency (ms)")
            .x_label_formatter(&style::count_tick)
            .y_label_formatter(&style::ms_tick)
            .draw()
            .map_err(fail)?;

        let width = self.columns.column_s() / self.axis.unit_s();
        for (spans, colour) in [(&self.columns.successes, SUCCESS), (&self.columns.errors, ERROR)] {
            let bars = spans
                .iter()
                .enumerate()
                .filter(|(_, span)| span.count > 0)
                .flat_map(|(i, span)| column::<DB>((i as f64 + 0.5) * width, span, colour));
            chart.draw_series(bars).map_err(fail)?;
        }

        let mean = self.axis.scale(&self.mean);
        chart.draw_series(LineSeries::new(mean, INK.stroke_width(2))).map_err(fail)?;
        draw_markers(&mut chart, &self.axis.scale_markers(&self.markers), (0.0, y_top), x_end)
    }
}

/// One column: a dot per request when it holds one or two, else a bar from the fastest to the
/// slowest (what lies between is dense) with dots at both ends.
fn column<DB: DrawingBackend>(x: f64, span: &Span, colour: RGBColor) -> Vec<DynElement<'static, DB, (f64, f64)>> {
    let (low, high) = (span.min_ns as f64 / MS, span.max_ns as f64 / MS);
    let radius = if colour == ERROR { DOT_RADIUS + 1 } else { DOT_RADIUS };
    let dot = |y: f64| Circle::new((x, y), radius, colour.filled()).into_dyn();
    if span.count == 1 || span.max_ns == span.min_ns {
        return vec![dot(low)];
    }
    let mut elements = Vec::with_capacity(3);
    if span.count > 2 {
        elements.push(PathElement::new(vec![(x, low), (x, high)], colour.stroke_width(2)).into_dyn());
    }
    elements.push(dot(low));
    elements.push(dot(high));
    elements
}
