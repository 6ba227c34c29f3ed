//! Writing a figure as files: PNG through plotters' bitmap backend (pure Rust encoder), SVG
//! through its SVG backend, both at the same size, with the same drawing code.

use super::latency_chart::LatencyChart;
use super::percentile_chart::PercentileChart;
use super::png_backend::PngBackend;
use super::style::{ensure_font, HEIGHT, WIDTH};
use super::time_chart::TimeChart;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// A plot file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlotFormat {
    Png,
    Svg,
}

impl PlotFormat {
    pub fn extension(self) -> &'static str {
        match self {
            PlotFormat::Png => "png",
            PlotFormat::Svg => "svg",
        }
    }

    /// The formats a scenario's `report { plots ... }` asks for (`none` alone: no plot).
    /// The checker only lets `png`, `svg` and `none` through.
    pub fn from_names(names: &[String]) -> Vec<PlotFormat> {
        let mut out = Vec::new();
        for name in names {
            let format = match name.as_str() {
                "png" => PlotFormat::Png,
                "svg" => PlotFormat::Svg,
                _ => continue,
            };
            if !out.contains(&format) {
                out.push(format);
            }
        }
        out
    }
}

/// Any plot.
#[derive(Debug, Clone)]
pub enum Figure {
    Time(TimeChart),
    Latency(LatencyChart),
    Percentiles(PercentileChart),
}

impl Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            Figure::Time(c) => c.draw(root),
            Figure::Latency(c) => c.draw(root),
            Figure::Percentiles(c) => c.draw(root),
        }
    }
}

/// Writes `dir/<stem>.<ext>` for each format; returns the files written.
pub fn render(figure: &Figure, dir: &Path, stem: &str, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
    ensure_font()?;
    let mut written = Vec::with_capacity(formats.len());
    for format in formats {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let failed = |e: String| format!("cannot draw {}: {e}", path.display());
        match format {
            PlotFormat::Png => {
                let root = PngBackend::new(&path, (WIDTH, HEIGHT)).map_err(failed)?.into_drawing_area();
                figure.draw(&root).map_err(failed)?;
                root.present().map_err(|e| failed(e.to_string()))?;
            }
            PlotFormat::Svg => {
                let root = SVGBackend::new(&path, (WIDTH, HEIGHT)).into_drawing_area();
                figure.draw(&root).map_err(failed)?;
                root.present().map_err(|e| failed(e.to_string()))?;
            }
        }
        written.push(path);
    }
    Ok(written)
}
