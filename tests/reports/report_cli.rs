//! `dfaas-run report RUN`: every format from saved results, the terminal text and Markdown as
//! golden files, user templates, template errors pointing into the template.

use super::fixture::{build_run, Behaviour};
use super::*;

#[test]
fn report_writes_every_format_and_prints_the_summary() {
    let tmp = tempfile::tempdir().expect("temp dir");
    build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    let out = dfaas_run(tmp.path(), &["report", "runs/fixture/a", "--format", "text,markdown,html,json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    golden("summary.txt", &stdout(&out));
    let run = tmp.path().join("runs/fixture/a");
    let text = std::fs::read_to_string(run.join("report.txt")).expect("report.txt");
    assert_eq!(text, stdout(&out), "report.txt is the printed summary");
    golden("report.md", &std::fs::read_to_string(run.join("report.md")).expect("report.md"));
    for f in ["report.html", "report.json", "warmup/report.txt", "spike/report.txt", "merged-results/report.txt"] {
        assert!(run.join(f).is_file(), "{f} written; stderr:\n{}", stderr(&out));
        assert!(stderr(&out).contains(&format!("wrote runs/fixture/a/{f}")), "{}", stderr(&out));
    }
}

#[test]
fn user_templates_get_the_same_context_and_escaping_follows_the_output_name() {
    let tmp = tempfile::tempdir().expect("temp dir");
    build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    std::fs::write(
        tmp.path().join("digest.md.j2"),
        "{{ scenario }} {{ outcome }}\n{% for a in attacks %}{{ a.name }}: {{ a.success_ratio|percent }} p99 {{ a.latency.p99_ns|duration }} <{{ a.success_rule }}>\n{% endfor %}{{ expectations.verdicts|length }} verdicts\n",
    )
    .expect("template");
    std::fs::write(tmp.path().join("card.html.j2"), "<p>{{ attacks[1].error_messages[1].message }}</p>\n")
        .expect("template");
    let out = dfaas_run(
        tmp.path(),
        &[
            "report",
            "runs/fixture/a",
            "--format",
            "json",
            "--template",
            "digest.md.j2",
            "--template",
            "card.html.j2",
            "--out",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let digest = std::fs::read_to_string(tmp.path().join("out/digest.md")).expect("digest.md");
    assert_eq!(
        digest,
        "fixture passed\nwarmup: 98.00% p99 19.9ms <200>\nspike: 97.00% p99 20.0ms <200..399>\n2 verdicts\n"
    );
    let card = std::fs::read_to_string(tmp.path().join("out/card.html")).expect("card.html");
    assert_eq!(card, "<p>Post &quot;http:&#x2f;&#x2f;127.0.0.1:8080&#x2f;function&#x2f;shasum&quot;: context deadline exceeded (Client.Timeout exceeded)</p>\n");
    assert!(tmp.path().join("out/report.json").is_file());
    assert!(!tmp.path().join("out/report.html").exists(), "only the formats asked for");
}

#[test]
fn a_template_error_points_into_the_template_and_the_other_reports_are_still_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    std::fs::write(tmp.path().join("bad.txt.j2"), "Run of {{ scenario }}\nAll: {{ merged.sucess_ratio | percent }}\n")
        .expect("template");
    std::fs::write(tmp.path().join("syntax.txt.j2"), "{% for a in attacks %}\n{{ a.name }\n{% endfor %}\n")
        .expect("template");
    let out = dfaas_run(
        tmp.path(),
        &["report", "runs/fixture/a", "--format", "json", "--template", "bad.txt.j2", "--template", "syntax.txt.j2"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let expected = "error[dfs::bad_template]: undefined value: `merged.sucess_ratio` is not in the report context\n  --> bad.txt.j2:2:9\n   |\n 2 | All: {{ merged.sucess_ratio | percent }}\n   |         ^^^^^^^^^^^^^^^^^^^\n  = help: did you mean `success_ratio`? the names a template can use";
    assert!(err.contains(expected), "{err}");
    assert!(err.contains("error[dfs::bad_template]: syntax error"), "{err}");
    assert!(err.contains("  --> syntax.txt.j2:2:"), "{err}");
    assert!(tmp.path().join("runs/fixture/a/report.json").is_file(), "the other reports are written");
    assert!(!tmp.path().join("runs/fixture/a/bad.txt").exists());
}

/// Runs `report` on a damaged copy of the fixture run; returns (exit code, stderr, report.json).
fn report_on_damaged(damage: impl FnOnce(&Path)) -> (Option<i32>, String, Option<serde_json::Value>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "runs/fixture/a", Behaviour::BASELINE);
    std::fs::remove_file(run.join("report.json")).ok();
    damage(&run);
    let out = dfaas_run(tmp.path(), &["report", "runs/fixture/a", "--format", "json"]);
    let json = std::fs::read_to_string(run.join("report.json")).ok().map(|t| serde_json::from_str(&t).expect("JSON"));
    (out.status.code(), stderr(&out), json)
}

use std::path::Path;

#[test]
fn a_truncated_last_line_is_skipped_and_named_and_the_figures_are_recounted_exactly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let writer_figures = {
        let run = build_run(tmp.path(), "x", Behaviour::BASELINE);
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("spike/summary.json")).expect("summary"))
                .expect("json");
        s
    };
    // A run killed before the writer finished: no summary, a last line cut in the middle.
    let (code, err, json) = report_on_damaged(|run| {
        std::fs::remove_file(run.join("spike/summary.json")).expect("remove");
        let mut f = std::fs::OpenOptions::new().append(true).open(run.join("spike/results.json")).expect("open");
        std::io::Write::write_all(&mut f, br#"{"attack":"spike","seq":200,"code":200,"timest"#).expect("append");
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: attack `spike`: "), "{err}");
    assert!(err.contains("spike/summary.json is missing"), "{err}");
    assert!(err.contains("spike/results.json:201: truncated last line"), "{err}");
    let json = json.expect("report.json");
    let spike = &json["attacks"][1];
    assert_eq!(spike["name"], "spike");
    assert_eq!(spike["recounted"], true);
    assert_eq!(spike["success_rule"], dfaas_run::report::recount::RECORDED_RULE);
    assert_eq!(spike["bytes_in"]["total"], writer_figures["bytes_in"]);
    assert_eq!(spike["bytes_out"]["total"], writer_figures["bytes_out"]);
    for field in ["requests", "successes", "errors", "latency", "lateness", "status_codes", "nodes"] {
        let expected = if field == "status_codes" {
            serde_json::json!([{"code": 0, "count": 2}, {"code": 200, "count": 194}, {"code": 500, "count": 4}])
        } else if field == "nodes" {
            serde_json::json!([{"name": "edge", "requests": 200, "successes": 194, "errors": 6, "success_ratio": 0.97, "share": 1.0}])
        } else {
            writer_figures[field].clone()
        };
        assert_eq!(spike[field], expected, "{field}");
    }
    assert!(json["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.contains("truncated last line"))));
}

#[test]
fn a_missing_attack_folder_is_named_and_left_out_of_every_figure() {
    let (code, err, json) = report_on_damaged(|run| std::fs::remove_dir_all(run.join("warmup")).expect("remove"));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains(
            "warning: attack `warmup`: its folder runs/fixture/a/warmup is missing; it is left out of every figure"
        ),
        "{err}"
    );
    assert!(err.contains("warning: the figures of `all` cover only spike"), "{err}");
    let json = json.expect("report.json");
    assert_eq!(json["absent_attacks"][0]["name"], "warmup");
    assert_eq!(json["attacks"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["merged"]["requests"], 200, "only spike's requests");
}

#[test]
fn a_damaged_line_in_the_middle_is_an_error_not_a_wrong_figure() {
    let (code, err, json) = report_on_damaged(|run| {
        std::fs::remove_file(run.join("spike/summary.json")).expect("remove");
        let path = run.join("spike/results.json");
        let text = std::fs::read_to_string(&path).expect("results");
        let mut lines: Vec<&str> = text.lines().collect();
        lines[10] = "{not json";
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    });
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("spike/results.json:11: not a result"), "{err}");
    assert!(err.contains("it is left out of every figure"), "{err}");
    let json = json.expect("report.json");
    assert_eq!(json["absent_attacks"][0]["name"], "spike");
    assert_eq!(json["merged"]["requests"], 200, "only warmup's requests");
}

#[test]
fn an_unknown_format_version_or_a_folder_that_is_no_run_is_an_error() {
    let (code, err, json) = report_on_damaged(|run| {
        let path = run.join("run.json");
        let text = std::fs::read_to_string(&path).expect("run.json");
        std::fs::write(&path, text.replace("\"format_version\": 1,", "\"format_version\": 99,")).expect("write");
    });
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("runs/fixture/a/run.json has format version 99; this dfaas-run reads up to 1"), "{err}");
    assert!(json.is_none(), "nothing written");

    let tmp = tempfile::tempdir().expect("temp dir");
    let out = dfaas_run(tmp.path(), &["report", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: nowhere is not a folder"), "{}", stderr(&out));
    let out = dfaas_run(tmp.path(), &["report", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("error: cannot read ./run.json"), "{}", stderr(&out));
}

#[test]
fn the_summary_shown_in_the_docs_is_the_golden_one() {
    let docs = std::fs::read_to_string(support::root().join("docs/reports.md")).expect("docs/reports.md");
    let golden = std::fs::read_to_string(support::root().join("tests/reports/golden/summary.txt")).expect("golden");
    assert!(
        docs.contains(&format!("```\n{golden}```")),
        "docs/reports.md shows an outdated summary; paste tests/reports/golden/summary.txt"
    );
}
