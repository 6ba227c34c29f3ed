//! The time-axis chart family: lines (per-second counts, cumulatives), dashed reference lines
//! (the planned rate) and stacked bands (status codes), on a linear or logarithmic count axis.

use super::frame::{self, builder, draw_markers, fail, style_mesh, LegendEntry, Marker, Swatch};
use super::style;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A chart of counts over time.
#[derive(Debug, Clone)]
pub struct TimeChart {
    pub title: String,
    pub subtitle: String,
    pub axis: TimeAxis,
    /// The count axis title, with its unit (`requests per second`).
    pub y_label: String,
    pub log_y: bool,
    pub layers: Vec<Layer>,
    pub markers: Vec<Marker>,
}

/// The time axis: from 0 to `end_s` seconds since `origin` (`the attack's start`).
#[derive(Debug, Clone)]
pub struct TimeAxis {
    pub origin: String,
    pub end_s: f64,
}

impl TimeAxis {
    /// Seconds per axis unit: axes longer than 5 minutes read in minutes.
    pub fn unit_s(&self) -> f64 {
        if self.end_s > 300.0 {
            60.0
        } else {
            1.0
        }
    }

    /// The axis end, in axis units.
    pub fn end(&self) -> f64 {
        self.end_s.max(1.0) / self.unit_s()
    }

    /// Points with their time in seconds, in axis units.
    pub fn scale(&self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let unit = self.unit_s();
        points.iter().map(|(t, v)| (t / unit, *v)).collect()
    }

    /// Markers at seconds, in axis units.
    pub fn scale_markers(&self, markers: &[Marker]) -> Vec<Marker> {
        let unit = self.unit_s();
        markers.iter().map(|m| Marker { at_s: m.at_s / unit, label: m.label.clone() }).collect()
    }

    pub fn label(&self) -> String {
        let unit = if self.unit_s() > 1.0 { "min" } else { "s" };
        format!("time since {} ({unit})", self.origin)
    }
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub colour: RGBColor,
    pub shape: Shape,
    pub points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub enum Shape {
    Line,
    /// A wide line, for a series that others often cover (requests under successes).
    Wide,
    /// A reference (planned) line.
    Dashed,
    /// The area between `points` (top) and `lower` (bottom), for stacking.
    Band {
        lower: Vec<(f64, f64)>,
    },
}

impl TimeChart {
    fn legend(&self) -> Vec<LegendEntry> {
        self.layers
            .iter()
            .map(|l| LegendEntry {
                name: l.name.clone(),
                colour: l.colour,
                swatch: match l.shape {
                    Shape::Line | Shape::Wide => Swatch::Line,
                    Shape::Dashed => Swatch::Dashed,
                    Shape::Band { .. } => Swatch::Block,
                },
            })
            .collect()
    }

    fn y_max(&self) -> f64 {
        self.layers.iter().flat_map(|l| &l.points).map(|p| p.1).fold(0.0, f64::max)
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let area = frame::frame(root, &self.title, &self.subtitle, &self.legend())?;
        let x_end = self.axis.end();
        let top = self.y_max();
        if self.log_y {
            let y_top = (top * 2.0).max(10.0);
            let mut chart = builder(&area).build_cartesian_2d(0f64..x_end, (1f64..y_top).log_scale()).map_err(fail)?;
            self.draw_on(&mut chart, x_end, (1.0, y_top))
        } else {
            let y_top = (top * 1.12).max(1.0);
            let mut chart = builder(&area).build_cartesian_2d(0f64..x_end, 0f64..y_top).map_err(fail)?;
            self.draw_on(&mut chart, x_end, (0.0, y_top))
        }
    }

    fn draw_on<DB, Y>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        x_end: f64,
        (y_bottom, y_top): (f64, f64),
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        Y: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
    {
        let mut mesh = chart.configure_mesh();
        style_mesh(&mut mesh);
        mesh.x_desc(self.axis.label())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&style::count_tick)
            .y_label_formatter(&style::count_tick)
            .draw()
            .map_err(fail)?;
        for layer in &self.layers {
            // On a log axis, zeros cannot be drawn: a line starts at its first count of 1 or more.
            let visible = |p: &&(f64, f64)| !self.log_y || p.1 >= 1.0;
            match &layer.shape {
                Shape::Line | Shape::Wide => {
                    let width = if matches!(layer.shape, Shape::Wide) { 5 } else { 2 };
                    let points: Vec<(f64, f64)> = layer.points.iter().filter(visible).copied().collect();
                    let points = self.axis.scale(&points);
                    chart.draw_series(LineSeries::new(points, layer.colour.stroke_width(width))).map_err(fail)?;
                }
                Shape::Dashed => {
                    chart
                        .draw_series(DashedLineSeries::new(
                            self.axis.scale(&layer.points),
                            8,
                            5,
                            layer.colour.stroke_width(2),
                        ))
                        .map_err(fail)?;
                }
                Shape::Band { lower } => {
                    let mut outline = self.axis.scale(&layer.points);
                    outline.extend(self.axis.scale(lower).into_iter().rev());
                    chart
                        .draw_series(std::iter::once(Polygon::new(outline, layer.colour.mix(0.85).filled())))
                        .map_err(fail)?;
                }
            }
        }
        draw_markers(chart, &self.axis.scale_markers(&self.markers), (y_bottom, y_top), x_end)
    }
}

/// Per-second counts as a staircase (each second a flat step), for stacked bands.
pub fn steps(counts: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(counts.len() * 2);
    for (second, v) in counts.iter().enumerate() {
        out.push((second as f64, *v));
        out.push((second as f64 + 1.0, *v));
    }
    out
}

/// Stacks per-second counts (bottom first): one band per layer, each on top of the previous.
pub fn stack(layers: Vec<(String, RGBColor, Vec<u64>)>) -> Vec<Layer> {
    let len = layers.iter().map(|(_, _, c)| c.len()).max().unwrap_or(0);
    let mut base = vec![0.0; len];
    let mut out = Vec::with_capacity(layers.len());
    for (name, colour, counts) in layers {
        let top: Vec<f64> = (0..len).map(|i| base[i] + counts.get(i).copied().unwrap_or(0) as f64).collect();
        out.push(Layer { name, colour, shape: Shape::Band { lower: steps(&base) }, points: steps(&top) });
        base = top;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_axes_read_in_minutes() {
        let short = TimeAxis { origin: "the load start".into(), end_s: 300.0 };
        assert_eq!((short.unit_s(), short.end()), (1.0, 300.0));
        assert_eq!(short.label(), "time since the load start (s)");
        let long = TimeAxis { origin: "the load start".into(), end_s: 1800.0 };
        assert_eq!((long.unit_s(), long.end()), (60.0, 30.0));
        assert_eq!(long.label(), "time since the load start (min)");
        assert_eq!(long.scale(&[(90.0, 3.0)]), vec![(1.5, 3.0)]);
        let marker = Marker { at_s: 120.0, label: "spike starts".into() };
        assert_eq!(long.scale_markers(&[marker])[0].at_s, 2.0);
    }

    #[test]
    fn stacked_bands_sit_on_each_other() {
        let layers = stack(vec![("200".into(), style::SUCCESS, vec![3, 1]), ("500".into(), style::ERROR, vec![1, 2])]);
        assert_eq!(layers[0].points, vec![(0.0, 3.0), (1.0, 3.0), (1.0, 1.0), (2.0, 1.0)]);
        let Shape::Band { lower } = &layers[1].shape else { panic!("a band") };
        assert_eq!(lower, &layers[0].points);
        assert_eq!(layers[1].points, vec![(0.0, 4.0), (1.0, 4.0), (1.0, 3.0), (2.0, 3.0)]);
    }
}
