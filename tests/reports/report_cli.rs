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
