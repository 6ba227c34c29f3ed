//! The frame every plot shares: white canvas, a title and a subtitle on top, a legend band below
//! the chart (never over the data), axes styled alike, and vertical phase markers.

use super::style::{self, INK, MARGIN_LEFT, MARGIN_RIGHT, MARKER, TITLE_BAND, WIDTH, Y_LABEL_AREA};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing error as text.
pub fn fail<E: std::fmt::Display>(e: E) -> String {
    format!("drawing failed: {e}")
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    Line,
    Dashed,
    Block,
}

#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub name: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

const LEGEND_ROW: i32 = 22;
/// At most this many legend rows (the chart keeps at least 3/4 of the height).
const MAX_LEGEND_ROWS: usize = 5;
const SWATCH_WIDTH: i32 = 28;

/// Clears the canvas, draws the title band and the legend band, and returns the area left for
/// the chart between them.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    legend: &[LegendEntry],
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(fail)?;
    let left = (MARGIN_LEFT + 8) as i32;
    root.draw_text(title, &style::title_style(), (left, 14)).map_err(fail)?;
    root.draw_text(subtitle, &style::subtitle_style(), (left, 46)).map_err(fail)?;
    let (_, rest) = root.split_vertically(TITLE_BAND);

    let mut rows = legend_rows(root, legend)?;
    // A legend never takes more than a few rows from the chart: the last entry that fits makes
    // room for a count of those left out.
    let mut left_out = None;
    if rows.len() > MAX_LEGEND_ROWS {
        rows.truncate(MAX_LEGEND_ROWS);
        let last = rows.last_mut().and_then(Vec::pop);
        let shown: usize = rows.iter().map(Vec::len).sum();
        left_out = last.map(|(x, _)| (x, legend.len() - shown));
    }
    let legend_height = if rows.is_empty() { 8 } else { rows.len() as i32 * LEGEND_ROW + 12 };
    let (_, height) = rest.dim_in_pixel();
    let (chart, legend_area) = rest.split_vertically(height as i32 - legend_height);
    let text = style::legend_style().pos(Pos::new(HPos::Left, VPos::Center));
    let row_y = |row: usize| row as i32 * LEGEND_ROW + LEGEND_ROW / 2 + 2;
    for (row, entries) in rows.iter().enumerate() {
        for (x, entry) in entries {
            draw_swatch(&legend_area, entry, *x, row_y(row))?;
            legend_area.draw_text(&entry.name, &text, (x + SWATCH_WIDTH + 6, row_y(row))).map_err(fail)?;
        }
    }
    if let Some((x, count)) = left_out {
        let note = format!("and {count} more series");
        legend_area.draw_text(&note, &text, (x, row_y(MAX_LEGEND_ROWS - 1))).map_err(fail)?;
    }
    Ok(chart)
}

/// Lays the legend out in rows, left-aligned with the plotting area: (x of each entry, entry).
fn legend_rows<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &'a [LegendEntry],
) -> Result<Vec<Vec<(i32, &'a LegendEntry)>>, String> {
    let start = (MARGIN_LEFT + Y_LABEL_AREA) as i32;
    let end = (WIDTH - MARGIN_RIGHT) as i32;
    let mut rows: Vec<Vec<(i32, &LegendEntry)>> = Vec::new();
    let mut x = start;
    for entry in legend {
        let (text_width, _) = area.estimate_text_size(&entry.name, &style::legend_style()).map_err(fail)?;
        let width = SWATCH_WIDTH + 6 + text_width as i32 + 26;
        if rows.is_empty() || (x + width > end && x > start) {
            rows.push(Vec::new());
            x = start;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, entry));
        }
        x += width;
    }
    Ok(rows)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entry: &LegendEntry,
    x: i32,
    y: i32,
) -> Result<(), String> {
    let c = entry.colour;
    match entry.swatch {
        Swatch::Line => area.draw(&PathElement::new(vec![(x, y), (x + SWATCH_WIDTH, y)], c.stroke_width(3))),
        Swatch::Dashed => {
            for dx in [0, 11, 22] {
                area.draw(&PathElement::new(vec![(x + dx, y), (x + dx + 6, y)], c.stroke_width(3))).map_err(fail)?;
            }
            Ok(())
        }
        Swatch::Block => area.draw(&Rectangle::new([(x + 4, y - 7), (x + SWATCH_WIDTH - 4, y + 7)], c.filled())),
    }
    .map_err(fail)
}

/// A vertical marker on the time axis (an attack starting or ending).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at_s: f64,
    pub label: String,
}

/// Merges markers at the same time into one (`warmup ends · climb starts`), sorted by time.
pub fn merge_markers(mut markers: Vec<Marker>) -> Vec<Marker> {
    markers.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut out: Vec<Marker> = Vec::new();
    for m in markers {
        match out.last_mut() {
            Some(last) if (last.at_s - m.at_s).abs() < 1e-6 => {
                last.label.push_str(" · ");
                last.label.push_str(&m.label);
            }
            _ => out.push(m),
        }
    }
    out
}

/// Draws markers as dashed vertical lines from `bottom` to `top` (in data units), labelled near
/// the top, staggered over three rows so that close markers stay readable.
pub fn draw_markers<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    markers: &[Marker],
    (bottom, top): (f64, f64),
    x_end: f64,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (i, m) in markers.iter().enumerate() {
        chart
            .draw_series(DashedLineSeries::new(vec![(m.at_s, bottom), (m.at_s, top)], 6, 4, MARKER.stroke_width(1)))
            .map_err(fail)?;
        let right_half = m.at_s > x_end * 0.6;
        let anchor = if right_half { HPos::Right } else { HPos::Left };
        let dx = if right_half { -5 } else { 5 };
        let text = style::marker_style().pos(Pos::new(anchor, VPos::Top));
        let element = EmptyElement::at((m.at_s, top)) + Text::new(m.label.clone(), (dx, 4 + 15 * (i as i32 % 3)), text);
        chart.draw_series(std::iter::once(element)).map_err(fail)?;
    }
    Ok(())
}

/// Applies the house mesh style: light grid, muted axes, tick and axis title fonts.
pub fn style_mesh<DB, X, Y>(mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>)
where
    DB: DrawingBackend,
    X: Ranged,
    Y: Ranged,
{
    mesh.bold_line_style(style::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(INK.mix(0.6))
        .label_style(style::tick_style())
        .axis_desc_style(style::axis_title_style())
        .x_labels(12)
        .y_labels(8);
}

/// The chart builder every plot uses, with the house margins and label areas.
pub fn builder<'a, 'b, DB: DrawingBackend>(area: &'a DrawingArea<DB, Shift>) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_top(10)
        .margin_bottom(4)
        .x_label_area_size(style::X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plotting_area_is_as_wide_as_the_latency_columns() {
        style::ensure_font().expect("font");
        let mut buffer = vec![0u8; (WIDTH * style::HEIGHT * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, style::HEIGHT)).into_drawing_area();
        let legend = [LegendEntry { name: "successes".into(), colour: style::SUCCESS, swatch: Swatch::Block }];
        let area = frame(&root, "title", "subtitle", &legend).expect("frame");
        let chart = builder(&area).build_cartesian_2d(0f64..1.0, 0f64..1.0).expect("chart");
        assert_eq!(chart.plotting_area().dim_in_pixel().0, style::plot_width());
    }

    #[test]
    fn a_long_legend_keeps_five_rows_and_counts_the_rest() {
        style::ensure_font().expect("font");
        let mut buffer = vec![0u8; (WIDTH * style::HEIGHT * 3) as usize];
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, style::HEIGHT)).into_drawing_area();
        let legend: Vec<LegendEntry> = (0..100)
            .map(|i| LegendEntry {
                name: format!("node-{i} successes"),
                colour: style::category(i),
                swatch: Swatch::Line,
            })
            .collect();
        let chart = frame(&root, "title", "subtitle", &legend).expect("frame");
        let (_, height) = chart.dim_in_pixel();
        assert!(height as i32 >= style::HEIGHT as i32 - TITLE_BAND as i32 - MAX_LEGEND_ROWS as i32 * LEGEND_ROW - 12);
    }

    #[test]
    fn markers_at_the_same_time_share_a_label() {
        let m = |at_s, label: &str| Marker { at_s, label: label.into() };
        let merged = merge_markers(vec![m(5.0, "climb starts"), m(0.0, "warmup starts"), m(5.0, "warmup ends")]);
        assert_eq!(merged, vec![m(0.0, "warmup starts"), m(5.0, "climb starts · warmup ends")]);
    }
}
