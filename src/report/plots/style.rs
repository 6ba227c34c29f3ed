//! The look shared by every plot: image size, the embedded font (DejaVu Sans, no system font),
//! text sizes, the palette (colour-blind safe), and tick label formats for counts, times and ms.

use plotters::style::IntoFont;
use plotters::style::{register_font, FontStyle, RGBColor, TextStyle};
use std::sync::OnceLock;

/// Every plot is this many pixels wide and high (PNG) or this many user units (SVG).
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 640;

/// Outer margin of the chart, left and right of the plotting area.
pub const MARGIN_LEFT: u32 = 16;
pub const MARGIN_RIGHT: u32 = 48;
/// Room for the y tick labels and the y axis title.
pub const Y_LABEL_AREA: u32 = 88;
/// Room for the x tick labels and the x axis title.
pub const X_LABEL_AREA: u32 = 52;
/// Height of the title band (title and subtitle).
pub const TITLE_BAND: u32 = 70;

/// Width of the plotting area in pixels: the number of columns the latency plot bins into.
pub const fn plot_width() -> u32 {
    WIDTH - MARGIN_LEFT - MARGIN_RIGHT - Y_LABEL_AREA
}

/// The family the embedded font is registered under. SVG files name it as is, so viewers use
/// DejaVu Sans when they have it (the metrics the layout was made with), else their sans-serif.
pub const FONT: &str = "DejaVu Sans, sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The embedded font file (DejaVu Sans).
pub fn font_bytes() -> &'static [u8] {
    FONT_BYTES
}

/// Registers the embedded font once per process; every text style below uses it.
pub fn ensure_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err("the embedded font (assets/fonts/DejaVuSans.ttf) could not be loaded".into())
    }
}

pub const INK: RGBColor = RGBColor(34, 34, 34);
pub const MUTED: RGBColor = RGBColor(102, 102, 102);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const MARKER: RGBColor = RGBColor(120, 120, 120);

/// Requests (everything sent or scheduled).
pub const REQUESTS: RGBColor = RGBColor(0, 114, 178);
/// Successful requests.
pub const SUCCESS: RGBColor = RGBColor(0, 158, 115);
/// Failed requests.
pub const ERROR: RGBColor = RGBColor(213, 94, 0);
/// The plan's reference lines (planned rate).
pub const PLANNED: RGBColor = RGBColor(40, 40, 40);

/// Categorical colours (nodes, responders, attacks), cycled: Tableau 10.
const CATEGORICAL: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// The `i`-th categorical colour.
pub fn category(i: usize) -> RGBColor {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// A status code's colour: greens for 2xx, blues for 3xx, oranges for 4xx, reds for 5xx, grey
/// for no response; `shade` tells codes of the same class apart.
pub fn status_colour(code: u16, shade: usize) -> RGBColor {
    let shades: &[RGBColor] = match code {
        200..=299 => &[RGBColor(0, 158, 115), RGBColor(102, 194, 164), RGBColor(0, 109, 44)],
        300..=399 => &[RGBColor(86, 180, 233), RGBColor(0, 114, 178), RGBColor(158, 202, 225)],
        400..=499 => &[RGBColor(230, 159, 0), RGBColor(253, 208, 162), RGBColor(166, 97, 26)],
        500..=599 => &[RGBColor(213, 94, 0), RGBColor(165, 15, 21), RGBColor(251, 106, 74)],
        _ => &[RGBColor(150, 150, 150), RGBColor(90, 90, 90), RGBColor(200, 200, 200)],
    };
    shades[shade % shades.len()]
}

pub fn title_style() -> TextStyle<'static> {
    (FONT, 24).into_font().color(&INK)
}

pub fn subtitle_style() -> TextStyle<'static> {
    (FONT, 14).into_font().color(&MUTED)
}

pub fn axis_title_style() -> TextStyle<'static> {
    (FONT, 15).into_font().color(&INK)
}

pub fn tick_style() -> TextStyle<'static> {
    (FONT, 13).into_font().color(&INK)
}

pub fn legend_style() -> TextStyle<'static> {
    (FONT, 14).into_font().color(&INK)
}

pub fn marker_style() -> TextStyle<'static> {
    (FONT, 12).into_font().color(&MUTED)
}

/// A count or rate tick: `0`, `2.5`, `950`, `12k`, `1.5M`.
pub fn count_tick(v: &f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        trim(format!("{:.1}", v / 1e6)) + "M"
    } else if a >= 1e4 {
        trim(format!("{:.1}", v / 1e3)) + "k"
    } else if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        trim(format!("{v:.2}"))
    }
}

/// A latency tick in milliseconds with the precision its size needs: `0`, `0.25`, `12`, `1500`.
pub fn ms_tick(v: &f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a < 1.0 {
        trim(format!("{v:.3}"))
    } else if a < 10.0 {
        trim(format!("{v:.2}"))
    } else {
        count_tick(&v.round())
    }
}

/// A latency for legends and subtitles: `850 µs`, `12.4 ms`, `1.53 s`.
pub fn latency_text(ns: u64) -> String {
    let v = ns as f64;
    if v >= 1e9 {
        format!("{:.2} s", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1} ms", v / 1e6)
    } else {
        format!("{:.0} µs", v / 1e3)
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_well() {
        assert_eq!(count_tick(&0.0), "0");
        assert_eq!(count_tick(&950.0), "950");
        assert_eq!(count_tick(&2.5), "2.5");
        assert_eq!(count_tick(&12_000.0), "12k");
        assert_eq!(count_tick(&1_500_000.0), "1.5M");
        assert_eq!(ms_tick(&0.25), "0.25");
        assert_eq!(ms_tick(&2.5), "2.5");
        assert_eq!(ms_tick(&120.0), "120");
        assert_eq!(latency_text(850_000), "850 µs");
        assert_eq!(latency_text(12_400_000), "12.4 ms");
        assert_eq!(latency_text(1_530_000_000), "1.53 s");
    }
}
