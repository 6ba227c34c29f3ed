//! The latency percentile distribution, HDR style: latency against the percentile on a log scale
//! of 1/(1 − p), from 0 % to 99.999 %, with p50/p90/p99/p99.9 marked, from the HDR histograms.

use super::frame::{self, builder, fail, style_mesh, LegendEntry, Swatch};
use super::style::{self, INK};
use crate::runtime::results::DurationHistogram;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The axis ends at 99.999 %: five nines.
pub const NINES: f64 = 5.0;
const MS: f64 = 1e6;

/// One distribution.
#[derive(Debug, Clone)]
pub struct Curve {
    pub name: String,
    pub colour: RGBColor,
    /// The main curve is drawn thicker and gets the percentile marks.
    pub main: bool,
    /// (nines, latency in ms): nines = −log10(1 − p).
    pub points: Vec<(f64, f64)>,
    /// The marked percentiles: (label, nines, latency in ms).
    pub marks: Vec<(String, f64, f64)>,
}

impl Curve {
    /// Samples a histogram at 251 percentiles evenly spaced on the log axis.
    pub fn from_histogram(name: String, colour: RGBColor, main: bool, h: &DurationHistogram) -> Curve {
        let at = |nines: f64| h.quantile(1.0 - 10f64.powf(-nines)).as_nanos() as f64 / MS;
        let points = (0..=250).map(|i| i as f64 * NINES / 250.0).map(|x| (x, at(x))).collect();
        let marks = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999)]
            .iter()
            .map(|(label, q)| {
                let ns = u64::try_from(h.quantile(*q).as_nanos()).unwrap_or(u64::MAX);
                (format!("{label} {}", style::latency_text(ns)), -(1.0 - q).log10(), ns as f64 / MS)
            })
            .collect();
        Curve { name, colour, main, points, marks }
    }
}

#[derive(Debug, Clone)]
pub struct PercentileChart {
    pub title: String,
    pub subtitle: String,
    pub curves: Vec<Curve>,
}

/// `0%`, `90%`, `99%`, `99.9%`, ... at whole nines; nothing in between.
fn percentile_tick(nines: &f64) -> String {
    if (nines - nines.round()).abs() > 1e-6 || *nines < 0.0 {
        return String::new();
    }
    match nines.round() as usize {
        0 => "0%".into(),
        1 => "90%".into(),
        2 => "99%".into(),
        n => format!("99.{}%", "9".repeat(n - 2)),
    }
}

impl PercentileChart {
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let legend: Vec<LegendEntry> = self
            .curves
            .iter()
            .map(|c| LegendEntry { name: c.name.clone(), colour: c.colour, swatch: Swatch::Line })
            .collect();
        let area = frame::frame(root, &self.title, &self.subtitle, &legend)?;
        let top = self.curves.iter().flat_map(|c| &c.points).map(|p| p.1).fold(0.0, f64::max);
        let y_top = (top * 1.12).max(0.01);
        let mut chart = builder(&area).build_cartesian_2d(0f64..NINES, 0f64..y_top).map_err(fail)?;
        let mut mesh = chart.configure_mesh();
        style_mesh(&mut mesh);
        mesh.x_labels(6)
            .x_desc("percentile (log scale of 1 / (1 − p))")
            .y_desc("latency (ms)")
            .x_label_formatter(&percentile_tick)
            .y_label_formatter(&style::ms_tick)
            .draw()
            .map_err(fail)?;
        for c in self.curves.iter().filter(|c| !c.main).chain(self.curves.iter().filter(|c| c.main)) {
            let width = if c.main { 3 } else { 2 };
            chart.draw_series(LineSeries::new(c.points.clone(), c.colour.stroke_width(width))).map_err(fail)?;
        }
        // The curve only rises: above-left and below-right of a mark are free (below-right near
        // 0 %, where there is no room on the left).
        for c in self.curves.iter().filter(|c| c.main) {
            for (label, x, y) in &c.marks {
                let (anchor, offset) = if *x < 1.0 {
                    (Pos::new(HPos::Left, VPos::Top), (8, 6))
                } else {
                    (Pos::new(HPos::Right, VPos::Bottom), (-6, -6))
                };
                let text = style::marker_style().color(&INK).pos(anchor);
                let dot = EmptyElement::at((*x, *y))
                    + Circle::new((0, 0), 4, c.colour.filled())
                    + Text::new(label.clone(), offset, text);
                chart.draw_series(std::iter::once(dot)).map_err(fail)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn percentile_ticks_name_the_nines() {
        let ticks: Vec<String> = (0..=5).map(|n| percentile_tick(&(n as f64))).collect();
        assert_eq!(ticks, ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
        assert_eq!(percentile_tick(&0.5), "");
    }

    #[test]
    fn curves_rise_from_min_to_max() {
        let mut h = DurationHistogram::new();
        for ms in 1..=1000u64 {
            h.record(Duration::from_millis(ms));
        }
        let c = Curve::from_histogram("all".into(), INK, true, &h);
        assert!((c.points[0].1 - 1.0).abs() < 0.01, "{:?}", c.points[0]);
        assert!((c.points[250].1 - 1000.0).abs() < 1.0, "{:?}", c.points[250]);
        assert!(c.points.windows(2).all(|w| w[0].1 <= w[1].1));
        assert_eq!(c.marks[2].0, "p99 990.4 ms"); // 990 ms within the histogram's 0.1 %
        assert!((c.marks[2].1 - 2.0).abs() < 1e-9);
    }
}
