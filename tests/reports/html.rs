//! `report.html`: valid HTML5 (html5ever reports no parse error), every attack and every plot
//! inline, nothing a browser would fetch, values escaped; and a clean render in headless Chromium.

use super::fixture::{build_run, Behaviour};
use super::*;
use base64::Engine;
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};

fn html_report(base: &Path) -> (PathBuf, String) {
    let run = build_run(base, "runs/fixture/a", Behaviour::BASELINE);
    let out = dfaas_run(base, &["report", "runs/fixture/a", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    (run, text)
}

fn select(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

/// Attributes whose value a browser may fetch or navigate to.
const URL_ATTRIBUTES: &[&str] = &[
    "src",
    "href",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
    "manifest",
    "xlink:href",
    "longdesc",
    "codebase",
    "archive",
    "usemap",
    "profile",
];

/// What "external" means here: any element that loads something (`script`, `link`, `iframe`,
/// ...), any URL attribute that is not a `data:` URI or an in-page `#fragment`, any attribute
/// value holding `://`, and any CSS `url(...)` or `@import`. Run target URLs may appear as text.
fn external_references(doc: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for tag in
        ["script", "link", "iframe", "frame", "object", "embed", "base", "audio", "video", "source", "track", "applet"]
    {
        for e in doc.select(&select(tag)) {
            found.push(format!("<{tag}> element: {}", e.html().chars().take(120).collect::<String>()));
        }
    }
    for e in doc.select(&select("*")) {
        for (name, value) in e.value().attrs() {
            let v = value.trim();
            let url_attr = URL_ATTRIBUTES.contains(&name.to_ascii_lowercase().as_str());
            if url_attr && !(v.starts_with("data:") || v.starts_with('#')) {
                found.push(format!("{}[{name}={v}]", e.value().name()));
            } else if !v.starts_with("data:") && v.contains("://") {
                found.push(format!("{}[{name}] holds a URL: {v}", e.value().name()));
            }
            if name.eq_ignore_ascii_case("http-equiv") && v.eq_ignore_ascii_case("refresh") {
                found.push("a meta refresh".into());
            }
        }
    }
    for style in doc.select(&select("style")) {
        let css = style.text().collect::<String>().to_ascii_lowercase();
        if css.contains("url(") || css.contains("@import") {
            found.push("CSS with url() or @import".into());
        }
    }
    found
}

#[test]
fn the_html_report_parses_cleanly_holds_every_attack_and_plot_and_fetches_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (run, text) = html_report(tmp.path());
    let doc = Html::parse_document(&text);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    assert!(text.starts_with("<!DOCTYPE html>"), "{}", &text[..40]);

    let headings: Vec<String> = doc.select(&select("h2")).map(|h| h.text().collect()).collect();
    for attack in ["warmup", "spike"] {
        assert!(headings.iter().any(|h| h == &format!("Attack {attack}")), "no section for {attack}: {headings:?}");
    }
    assert!(headings.iter().any(|h| h == "All attacks"), "{headings:?}");

    // Every plot file of the run is inline, byte for byte, and nothing else is.
    let mut expected: Vec<Vec<u8>> = Vec::new();
    for folder in ["warmup", "spike", "merged-results"] {
        let dir = run.join(folder).join("plots");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("plots")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        names.sort();
        expected.extend(names.iter().map(|p| std::fs::read(p).expect("plot")));
    }
    let images: Vec<Vec<u8>> = doc
        .select(&select("img"))
        .map(|img| {
            let src = img.value().attr("src").expect("src");
            let data =
                src.strip_prefix("data:image/png;base64,").unwrap_or_else(|| panic!("not an inline PNG: {src:.40}"));
            base64::engine::general_purpose::STANDARD.decode(data).expect("base64")
        })
        .collect();
    assert_eq!(images.len(), 8, "3 plots per attack and 2 merged ones");
    for png in &expected {
        assert!(images.contains(png), "a plot is missing from the page");
    }
    assert!(doc.select(&select("figcaption")).any(|c| c.text().collect::<String>() == "Latency over time"));

    assert_eq!(external_references(&doc), Vec::<String>::new());
    // The run's own target URLs are shown, as text.
    let shown: String = doc.root_element().text().collect();
    assert!(shown.contains("Post \"http://127.0.0.1:8080/function/shasum\": context deadline exceeded"));
}

#[test]
fn the_external_reference_check_finds_what_a_browser_would_fetch() {
    for (html, what) in [
        ("<img src=\"http://127.0.0.1:9/a.png\">", "img src"),
        ("<link rel=\"stylesheet\" href=\"s.css\">", "link"),
        ("<script src=\"x.js\"></script>", "script"),
        ("<a href=\"http://127.0.0.1:8080/\">target</a>", "a href"),
        ("<style>body { background: url(x.png) }</style>", "css url"),
        ("<div style=\"background: red\" data-x=\"http://127.0.0.1/\"></div>", "attribute with a URL"),
    ] {
        let doc = Html::parse_document(&format!(
            "<!DOCTYPE html><html><head><title>t</title></head><body>{html}</body></html>"
        ));
        assert!(!external_references(&doc).is_empty(), "{what} was not found");
    }
    let clean = Html::parse_document(
        "<!DOCTYPE html><html><head><title>t</title></head><body><a href=\"#x\">in page</a><img src=\"data:image/png;base64,AA==\" alt=\"\"><p>Get \"http://127.0.0.1:8080/\": refused</p></body></html>",
    );
    assert_eq!(external_references(&clean), Vec::<String>::new());
}

#[test]
fn values_are_html_escaped() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    // An error message as a misbehaving server could cause it.
    let summary_path = run.join("spike/summary.json");
    let mut summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary_path).expect("summary")).expect("json");
    summary["error_messages"]["<script>alert(1)</script><img src=x>"] = serde_json::json!(1);
    std::fs::write(&summary_path, summary.to_string()).expect("write");
    let out = dfaas_run(tmp.path(), &["report", "runs/fixture/a", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(run.join("report.html")).expect("html");
    assert!(text.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;&lt;img src=x&gt;"), "not escaped");
    let doc = Html::parse_document(&text);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    assert_eq!(external_references(&doc), Vec::<String>::new());
}

fn need_chromium() {
    if which("chromium").or_else(|| which("chromium-browser")).is_none() {
        panic!("chromium is not on PATH: install it (Debian: `apt-get install chromium`; .ci/run does) to render the HTML report");
    }
}

fn screenshot(html: &Path, shot: &Path) -> std::process::Output {
    let script = support::root().join("tests/html_screenshot.sh");
    std::process::Command::new("bash")
        .arg(&script)
        .arg(html)
        .arg(shot)
        .arg("1000x1400")
        .output()
        .expect("the script runs")
}

#[test]
fn the_screenshot_script_fails_on_console_messages_and_network_fetches() {
    need_chromium();
    let tmp = tempfile::tempdir().expect("temp dir");
    for (name, body, why) in [
        ("console.html", "<script>console.error(\"boom\")</script>", "console messages"),
        ("fetch.html", "<img src=\"http://127.0.0.1:9/x.png\" alt=\"\">", "fetch something over the network"),
    ] {
        let page = tmp.path().join(name);
        std::fs::write(
            &page,
            format!("<!DOCTYPE html><html><head><title>t</title></head><body><p>hello</p>{body}</body></html>"),
        )
        .expect("page");
        let out = screenshot(&page, &tmp.path().join("shot.png"));
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
    }
}

#[test]
fn html_renders_in_headless_chromium() {
    need_chromium();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (run, _) = html_report(tmp.path());
    let shot = tmp.path().join("shot.png");
    let out = screenshot(&run.join("report.html"), &shot);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let (width, height, pixels) = decode_png(&std::fs::read(&shot).expect("screenshot"));
    assert_eq!((width, height), (1000, 1400));
    // Not blank: the luminance varies (a blank page is one colour).
    let lum: Vec<f64> =
        pixels.iter().map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])).collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let variance = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    assert!(variance > 100.0, "the screenshot looks blank (luminance variance {variance:.1})");
    let dark = lum.iter().filter(|l| **l < 100.0).count();
    assert!(dark > 2_000, "too little text on the page ({dark} dark pixels)");
    if let Ok(keep) = std::env::var("KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("copy the screenshot");
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(program)).find(|p| p.is_file())
}

/// Decodes a PNG into RGB pixels.
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()].chunks(channels).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width as usize, info.height as usize, pixels)
}
