//! Plots drawn from run folders built here with the real results writer and merge: every file
//! decodes and shows data, the SVG texts match golden files, per-node and forwarded counts agree
//! with an independent count over `merged-results.json`, and the quick start draws every plot.

mod fixture;
#[path = "../support/mod.rs"]
mod support;

use dfaas_run::report::plots::{
    draw_attack_plots, draw_merged_plots, merged_data, merged_stream, PlotFormat, HEIGHT, WIDTH,
};
use dfaas_run::runtime::results::read_results;
use fixture::{build_run, host};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BOTH: [PlotFormat; 2] = [PlotFormat::Png, PlotFormat::Svg];
fn names(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|f| f.file_name().expect("file name").to_string_lossy().into_owned()).collect()
}

fn expected(stems: &[&str]) -> Vec<String> {
    stems.iter().flat_map(|s| [format!("{s}.png"), format!("{s}.svg")]).collect()
}

const ATTACK_PLOTS: [&str; 8] =
    ["latency", "throughput", "percentiles", "status", "responders", "success-errors", "cumulative", "cumulative-log"];
const NODE_PLOTS: [&str; 3] = ["per-node", "forwarded", "per-node-cumulative"];

/// Decodes a PNG: (width, height, RGB pixels).
fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file = std::fs::File::open(path).expect("PNG file");
    let mut reader = png::Decoder::new(file).read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    let pixels = buffer[..info.buffer_size()].chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    (info.width, info.height, pixels)
}

/// Pixels of colour `rgb` (within 3 per channel) in the plotting band, below the title and
/// above the legend.
fn count_colour(pixels: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    let (top, bottom) = (80 * WIDTH as usize, (HEIGHT as usize - 100) * WIDTH as usize);
    pixels[top..bottom].iter().filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 3)).count()
}

fn check_png(path: &Path) {
    let (width, height, pixels) = decode_png(path);
    assert_eq!((width, height), (WIDTH, HEIGHT), "{}", path.display());
    let luma: Vec<f64> =
        pixels.iter().map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64).collect();
    let mean = luma.iter().sum::<f64>() / luma.len() as f64;
    let variance = luma.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / luma.len() as f64;
    assert!(variance > 150.0, "{} looks blank (luma variance {variance:.1})", path.display());
}

/// The texts of an SVG file, in document order.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("SVG file");
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(WIDTH.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(HEIGHT.to_string().as_str()));
    doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or("").trim().to_string()).collect()
}

fn check_all(files: &[PathBuf]) {
    for file in files {
        match file.extension().and_then(|e| e.to_str()) {
            Some("png") => check_png(file),
            Some("svg") => assert!(!svg_texts(file).is_empty(), "{} has no text", file.display()),
            other => panic!("unexpected plot file {} ({other:?})", file.display()),
        }
    }
}

#[test]
fn every_plot_is_written_decodes_and_shows_its_data() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);

    let steady = draw_attack_plots(&run, "steady", &BOTH).expect("steady plots");
    assert_eq!(names(&steady), expected(&ATTACK_PLOTS));
    assert!(steady.iter().all(|f| f.starts_with(run.join("steady").join("plots"))));
    check_all(&steady);
    let burst = draw_attack_plots(&run, "burst", &[PlotFormat::Png]).expect("burst plots");
    assert_eq!(names(&burst), ATTACK_PLOTS.iter().map(|s| format!("{s}.png")).collect::<Vec<_>>());
    check_all(&burst);

    let merged = draw_merged_plots(&run, &BOTH).expect("merged plots");
    let mut stems = ATTACK_PLOTS.to_vec();
    stems.extend(NODE_PLOTS);
    assert_eq!(names(&merged), expected(&stems));
    assert!(merged.iter().all(|f| f.starts_with(run.join("merged-results").join("plots"))));
    check_all(&merged);

    // The data is drawn, not only the frame: successes and errors in their colours.
    let (_, _, latency) = decode_png(&run.join("steady/plots/latency.png"));
    assert!(count_colour(&latency, [0, 158, 115]) > 500, "successes are drawn");
    assert!(count_colour(&latency, [213, 94, 0]) > 20, "errors are drawn");
    let (_, _, status) = decode_png(&run.join("merged-results/plots/status.png"));
    // Bands are drawn at 85 % opacity over white.
    assert!(count_colour(&status, [38, 173, 136]) > 10_000, "the 200 band is drawn");
}

#[test]
fn svg_texts_match_the_golden_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);
    let mut failures = Vec::new();
    for (name, files) in [
        ("steady", draw_attack_plots(&run, "steady", &[PlotFormat::Svg]).expect("steady plots")),
        ("merged", draw_merged_plots(&run, &[PlotFormat::Svg]).expect("merged plots")),
    ] {
        let mut listing = String::new();
        for file in &files {
            listing.push_str(&format!("## {}\n", names(std::slice::from_ref(file))[0]));
            for text in svg_texts(file) {
                listing.push_str(&text);
                listing.push('\n');
            }
        }
        let golden = support::root().join("tests/golden/plots").join(format!("{name}.txt"));
        if let Err(e) = support::compare_golden(&golden, &listing) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Per node, (successes, errors, forwarded) counted straight from `merged-results.json`.
fn independent_counts(run: &Path) -> BTreeMap<String, (u64, u64, u64)> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).expect("run.json")).expect("manifest JSON");
    let hosts: BTreeMap<String, String> = manifest["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|pair| (pair[0].as_str().expect("name").to_string(), host(pair[1].as_str().expect("url"))))
        .collect();
    let mut counts: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    let text = std::fs::read_to_string(run.join("merged-results/merged-results.json")).expect("merged results");
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).expect("a result line");
        let node = r["node"].as_str().expect("node").to_string();
        let entry = counts.entry(node.clone()).or_default();
        if r["error"] == "" {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        if let Some(server) = r["headers"]["X-Server"][0].as_str() {
            let server_host = match server.rsplit_once(':') {
                Some((h, port)) if port.parse::<u16>().is_ok() => h,
                _ => server,
            };
            if server_host != hosts[&node] {
                entry.2 += 1;
            }
        }
    }
    counts
}

#[test]
fn per_node_and_forwarded_counts_match_an_independent_count() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);
    let data = merged_data(&run).expect("merged data");
    assert!(data.forwarding);
    let drawn: BTreeMap<String, (u64, u64, u64)> = data
        .per_second
        .nodes
        .iter()
        .map(|n| {
            let forwarded = n.forwarded.as_ref().expect("forwarded counted").iter().sum();
            (n.name.clone(), (n.successes.iter().sum(), n.errors.iter().sum(), forwarded))
        })
        .collect();
    let independent = independent_counts(&run);
    assert_eq!(drawn, independent);
    // The fixture does forward, on every node, and fails some requests.
    assert!(independent.values().all(|(ok, failed, forwarded)| *ok > 0 && *failed > 0 && *forwarded > 0));
    let requests: u64 = data.per_second.requests.iter().sum();
    assert_eq!(requests, independent.values().map(|(s, e, _)| s + e).sum::<u64>());
}

#[test]
fn the_merged_data_do_not_depend_on_the_order_of_the_results() {
    // The only attack's report gathers the merged data from that attack's results, in the order
    // they completed; the merged results hold the same results in timestamp order.
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);
    let from_file = merged_data(&run).expect("merged data");
    let mut stream = merged_stream(&run).expect("merged stream");
    let mut fed = 0;
    // Every attack's results, the later attack first, each file backwards.
    for attack in ["burst", "steady"] {
        let results: Vec<_> = read_results(&run.join(attack).join("results.json"))
            .expect("results")
            .map(|r| r.expect("result"))
            .collect();
        for result in results.iter().rev() {
            stream.observe(result);
            fed += 1;
        }
    }
    assert!(fed > 100, "{fed} results");
    assert!(!stream.depends_on_order());
    assert_eq!(stream.finish(None), from_file);
}

#[test]
fn five_nodes_draw_five_series() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 5);
    let files = draw_merged_plots(&run, &[PlotFormat::Svg]).expect("merged plots");
    let texts = |stem: &str| svg_texts(&run.join("merged-results/plots").join(format!("{stem}.svg")));
    let forwarded: Vec<String> = texts("forwarded").into_iter().filter(|t| t.ends_with(" forwarded")).collect();
    assert_eq!(forwarded.len(), 5, "{forwarded:?}");
    for i in 1..=5 {
        assert!(forwarded.iter().any(|t| t.starts_with(&format!("n{i}: "))), "n{i} in {forwarded:?}");
    }
    let per_node = texts("per-node");
    for i in 1..=5 {
        for what in ["successes", "errors"] {
            assert!(per_node.iter().any(|t| t.starts_with(&format!("n{i} {what} ("))), "n{i} {what} in {per_node:?}");
        }
    }
    assert_eq!(files.len(), 11);
}

#[test]
fn no_format_draws_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);
    assert_eq!(draw_attack_plots(&run, "steady", &[]).expect("nothing to draw"), Vec::<PathBuf>::new());
    assert_eq!(draw_merged_plots(&run, &[]).expect("nothing to draw"), Vec::<PathBuf>::new());
    assert!(!run.join("steady/plots").exists());
    assert_eq!(PlotFormat::from_names(&["none".into()]), Vec::<PlotFormat>::new());
    assert_eq!(PlotFormat::from_names(&["svg".into(), "png".into()]), vec![PlotFormat::Svg, PlotFormat::Png]);
}

#[test]
fn broken_inputs_fail_with_the_file_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), 3);
    let series = run.join("steady/timeseries.csv");
    let text = std::fs::read_to_string(&series).expect("series");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[2] = "twenty"; // the `requests` column of second 0
    lines[1] = cells.join(",");
    std::fs::write(&series, lines.join("\n") + "\n").expect("rewrite");
    let error = draw_attack_plots(&run, "steady", &[PlotFormat::Png]).expect_err("bad count");
    assert!(error.contains("timeseries.csv") && error.contains("twenty"), "{error}");

    std::fs::remove_file(run.join("merged-results/merged-results.json")).expect("remove");
    let error = draw_merged_plots(&run, &[PlotFormat::Png]).expect_err("no merged results");
    assert!(error.contains("merged-results.json"), "{error}");
}

#[test]
fn the_quick_start_draws_every_plot() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = support::root().join("scenarios/quickstart.dfs");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(["run", scenario.to_str().expect("utf-8"), "--quiet", "--out"])
        .arg(tmp.path())
        .output()
        .expect("dfaas-run runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let run = PathBuf::from(stdout.lines().last().expect("the run folder is printed").trim());
    // The quick start records no header: no responders, no forwarded; PNG is the default.
    let generic: Vec<&str> = ATTACK_PLOTS.iter().copied().filter(|s| *s != "responders").collect();
    for folder in ["warmup", "climb", "merged-results"] {
        let mut stems = generic.clone();
        if folder == "merged-results" {
            stems.extend(["per-node", "per-node-cumulative"]);
        }
        let dir = run.join(folder).join("plots");
        let mut found: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        found.sort();
        let mut wanted: Vec<String> = stems.iter().map(|s| format!("{s}.png")).collect();
        wanted.sort();
        assert_eq!(found, wanted, "in {}", dir.display());
        for name in &found {
            check_png(&dir.join(name));
        }
    }
}

/// Runs a one-second scenario on an embedded demo node with the given `report` block.
fn run_with_report(dir: &Path, report: &str) -> PathBuf {
    let scenario = dir.join("formats.dfs");
    let text = format!(
        "scenario \"formats\"\nnode demo {{ embedded demo {{ latency 1ms..2ms }} }}\nattack quick on demo {{\n  rate 20/s\n  duration 1s\n  request GET \"/function/echo\"\n}}\n{report}\n"
    );
    std::fs::write(&scenario, text).expect("write scenario");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(["run", scenario.to_str().expect("utf-8"), "--quiet", "--out"])
        .arg(dir.join("runs"))
        .output()
        .expect("dfaas-run runs");
    assert_eq!(output.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&output.stderr));
    PathBuf::from(String::from_utf8_lossy(&output.stdout).lines().last().expect("the run folder").trim())
}

#[test]
fn the_scenario_chooses_the_plot_formats() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = run_with_report(tmp.path(), "report {\n  plots svg\n}");
    for folder in ["quick", "merged-results"] {
        let dir = run.join(folder).join("plots");
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        assert!(files.len() >= 7, "{files:?}");
        assert!(files.iter().all(|f| f.extension().is_some_and(|e| e == "svg")), "{files:?}");
        check_all(&files);
    }
    // With one attack, the merged plots come from data gathered by the attack's report: drawn
    // again from `merged-results.json`, they are the same files, byte for byte.
    let merged_plots = run.join("merged-results/plots");
    let svg_bytes = || -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(&merged_plots)
            .expect("merged plots")
            .map(|e| e.expect("entry").path())
            .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), std::fs::read(&p).expect("read")))
            .collect()
    };
    let gathered = svg_bytes();
    draw_merged_plots(&run, &[PlotFormat::Svg]).expect("merged plots from the file");
    assert_eq!(svg_bytes(), gathered);
    let run = run_with_report(tmp.path(), "report {\n  plots none\n}");
    assert!(run.join("quick/results.json").exists());
    assert!(!run.join("quick/plots").exists());
    assert!(!run.join("merged-results/plots").exists());
    // The success rates come from the pass that reads the results for the plots: without plots
    // they are still counted.
    for dir in ["quick", "merged-results"] {
        let values = std::fs::read_to_string(run.join(dir).join("report_values.txt")).expect("report_values.txt");
        assert!(values.starts_with("Success rate: "), "{values}");
        assert!(values.contains("\nCounts: requests="), "{values}");
    }
}
