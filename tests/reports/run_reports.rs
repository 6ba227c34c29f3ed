//! The reports a run writes itself: the formats and templates of its `report` block, in its
//! `output` folder; template mistakes caught by `check` or reported by the step; a failed run's report.

use super::*;
use std::path::{Path, PathBuf};

fn scenario(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let text = format!(
        "scenario \"{name}\"\nnode demo {{ embedded demo {{ latency 1ms..2ms }} }}\nattack a on demo {{\n  rate 50/s\n  duration 200ms\n  record header \"X-Server\"\n  request GET \"/function/x\"\n}}\nexpect requests(a) == 10\n{extra}"
    );
    let path = dir.join(format!("{name}.dfs"));
    std::fs::write(&path, text).expect("write");
    path
}

fn run_dir(dir: &Path, out: &std::process::Output) -> PathBuf {
    dir.join(stdout(out).lines().last().unwrap_or_else(|| panic!("no run folder: {}", stderr(out))).trim())
}

#[test]
fn the_report_block_chooses_formats_templates_and_the_output_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        tmp.path().join("t.md.j2"),
        "# {{ scenario }}\n{% for a in attacks %}\n- {{ a.name }}: {{ a.requests }} requests, {{ a.headers[0].name }} {{ a.headers[0].values|map(attribute=\"name\")|join(\",\") }}\n{% endfor %}\n",
    )
    .expect("template");
    let path = scenario(
        tmp.path(),
        "chosen",
        "report {\n  formats markdown, json\n  template \"t.md.j2\" as \"summary.md\"\n  output \"out/reports\"\n}\n",
    );
    let out = dfaas_run(tmp.path(), &["run", path.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = run_dir(tmp.path(), &out);
    let reports = tmp.path().join("out/reports");
    assert_eq!(
        std::fs::read_to_string(reports.join("summary.md")).expect("summary.md"),
        "# chosen\n- a: 10 requests, X-Server 127.0.0.1\n"
    );
    assert!(reports.join("report.md").is_file() && reports.join("report.json").is_file());
    for absent in ["report.html", "report.txt"] {
        assert!(!reports.join(absent).exists() && !run.join(absent).exists(), "{absent} was not asked for");
    }
    assert!(run.join("a/report.txt").is_file(), "the attack's vegeta-style report is always written");
    assert!(run.join("merged-results/report.txt").is_file());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).expect("json")).expect("JSON");
    assert_eq!(json["run"]["dir"], run.strip_prefix(tmp.path()).expect("relative").display().to_string());
    assert_eq!(json["outcome"], "passed");
}

#[test]
fn a_template_that_does_not_compile_is_a_check_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("broken.md.j2"), "# {{ scenario }}\n{% for a in attacks %}\n{{ a.name }\n")
        .expect("t");
    let path = scenario(tmp.path(), "broken", "report {\n  template \"broken.md.j2\"\n}\n");
    for command in ["check", "run"] {
        let out = dfaas_run(tmp.path(), &[command, path.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("dfs::bad_template"), "{err}");
        assert!(err.contains("the template does not compile: syntax error"), "{err}");
        assert!(err.contains("broken.md.j2:3:"), "{err}");
    }
    assert!(!tmp.path().join("runs").exists(), "nothing ran");
}

#[test]
fn a_template_failing_at_render_fails_its_step_with_a_located_error_and_the_rest_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("late.txt.j2"), "{{ scenario }}\n{{ merged.p99 }}\n").expect("t");
    let path = scenario(tmp.path(), "late", "report {\n  formats json\n  template \"late.txt.j2\"\n}\n");
    let out = dfaas_run(tmp.path(), &["run", path.to_str().expect("utf-8"), "--quiet"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "a declared report that cannot be written fails the run: {err}");
    assert!(err.contains("✘ report:merged FAILED"), "{err}");
    assert!(err.contains("error[dfs::bad_template]: undefined value"), "{err}");
    assert!(err.contains("late.txt.j2:2:4"), "{err}");
    let run = run_dir(tmp.path(), &out);
    assert!(run.join("report.json").is_file(), "the other reports are written");
    assert!(!run.join("late.txt").exists());
    assert!(err.contains("✔ expect requests(a) == 10"), "expectations are still evaluated: {err}");
}

#[test]
fn a_run_whose_gate_failed_still_reports_why() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let text = format!(
        "scenario \"down\"\nnode down {{ url \"http://{closed}\" }}\nhealth down {{\n  every 100ms\n  within 300ms\n  timeout 100ms\n}}\nattack a on down {{\n  rate 10/s\n  duration 1s\n  request GET \"/\"\n}}\n"
    );
    let path = tmp.path().join("down.dfs");
    std::fs::write(&path, text).expect("write");
    let out = dfaas_run(tmp.path(), &["run", path.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let run = run_dir(tmp.path(), &out);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).expect("report.json")).expect("JSON");
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["merged"], serde_json::Value::Null);
    assert_eq!(json["absent_attacks"][0]["name"], "a");
    assert!(json["absent_attacks"][0]["reason"].as_str().is_some_and(|r| r.contains("health:down")), "{json}");
    let html = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    assert!(html.contains("Attacks without results"));
    assert!(stderr(&out).contains("down: failed"), "{}", stderr(&out));
}

#[test]
fn a_real_run_embeds_every_plot_it_drew() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = scenario(tmp.path(), "plotted", "report {\n  plots png, svg\n}\n");
    let out = dfaas_run(tmp.path(), &["run", path.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let run = run_dir(tmp.path(), &out);
    let mut stems = Vec::new();
    for folder in ["a", "merged-results"] {
        for entry in std::fs::read_dir(run.join(folder).join("plots")).expect("plots drawn") {
            let path = entry.expect("entry").path();
            let stem = path.file_stem().expect("stem").to_string_lossy().into_owned();
            let key = format!("{folder}/{stem}");
            if !stems.contains(&key) {
                stems.push(key);
            }
        }
    }
    assert!(stems.len() >= 10, "{stems:?}");
    let html = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    let doc = scraper::Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let images: Vec<String> = doc
        .select(&scraper::Selector::parse("img").expect("selector"))
        .filter_map(|i| i.value().attr("src").map(str::to_string))
        .collect();
    assert_eq!(images.len(), stems.len(), "one inline image per plot");
    assert!(images.iter().all(|src| src.starts_with("data:image/png;base64,")), "the PNG of each plot");
}
