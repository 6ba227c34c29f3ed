//! Bad input at the command line, through the real binary (missing, empty, binary, huge, deeply
//! nested files, folder trees): a clear diagnostic and exit code 2, never a panic or overflow.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const EXIT_SCENARIO_ERROR: i32 = 2;

/// A small valid scenario.
const GOOD: &str = r#"scenario "good"
node edge { url "http://127.0.0.1:8080" }
attack spike on edge {
  rate 10/s
  duration 10s
  request GET "/function/figlet"
}
"#;

fn dfaas(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the dfaas-run binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit code 2, and nothing that looks like a crash.
fn assert_refused(output: &Output, what: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(EXIT_SCENARIO_ERROR), "{what}: exit status {:?}\n{err}", output.status);
    for crash in ["panicked", "stack overflow", "RUST_BACKTRACE"] {
        assert!(!err.contains(crash), "{what}: the binary crashed:\n{err}");
    }
}

/// `check` in human form: refused, with `code` and `message` on stderr and nothing on stdout.
fn check_human(dir: &Path, path: &str, code: &str, message: &str) -> String {
    let output = dfaas(dir, &["check", path]);
    assert_refused(&output, path);
    let err = stderr(&output);
    assert!(err.contains(code), "{path}: expected {code} in:\n{err}");
    assert!(err.contains(message), "{path}: expected `{message}` in:\n{err}");
    assert!(output.stdout.is_empty(), "{path}: human output goes to stderr only");
    err
}

/// `check --format json`: refused, one JSON document on stdout, nothing on stderr.
fn check_json(dir: &Path, paths: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let output = dfaas(dir, &args);
    assert_refused(&output, &paths.join(" "));
    assert!(output.stderr.is_empty(), "json output has nothing on stderr:\n{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

#[test]
fn missing_file() {
    let dir = temp_dir();
    check_human(dir.path(), "missing.dfs", "dfs::io", "cannot read `missing.dfs`");
    let report = check_json(dir.path(), &["missing.dfs"]);
    assert_eq!(codes(&report), ["dfs::io"]);
    assert_eq!(report["diagnostics"][0]["file"], "missing.dfs");
    assert_eq!(report["files"][0]["ok"], false);
    // `dfaas-run FILE` (run) refuses it the same way.
    let output = dfaas(dir.path(), &["missing.dfs"]);
    assert_refused(&output, "run missing.dfs");
    assert!(stderr(&output).contains("dfs::io"));
}

#[test]
fn folder_without_scenarios() {
    let dir = temp_dir();
    std::fs::create_dir_all(dir.path().join("empty/sub")).expect("folders");
    std::fs::write(dir.path().join("empty/sub/notes.txt"), "not a scenario").expect("write");
    check_human(dir.path(), "empty", "dfs::no_scenarios", "no .dfs file under `empty`");
    let report = check_json(dir.path(), &["empty"]);
    assert_eq!(codes(&report), ["dfs::no_scenarios"]);
    assert_eq!(report["files"], Value::Array(Vec::new()));
}

#[test]
fn not_utf8() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("latin1.dfs"), b"scenario \"caf\xe9\"\n").expect("write");
    check_human(dir.path(), "latin1.dfs", "dfs::encoding", "is not valid UTF-8 (byte 13, line 1)");
    assert_eq!(codes(&check_json(dir.path(), &["latin1.dfs"])), ["dfs::encoding"]);
}

#[test]
fn ten_megabyte_file() {
    let dir = temp_dir();
    let mut text = GOOD.to_string();
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("# padding padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(dir.path().join("huge.dfs"), text).expect("write");
    check_human(dir.path(), "huge.dfs", "dfs::too_large", "over the 4 MiB limit");
    assert_eq!(codes(&check_json(dir.path(), &["huge.dfs"])), ["dfs::too_large"]);
}

#[test]
fn deeply_nested_input() {
    let dir = temp_dir();
    let cases = [
        ("braces.dfs", "{".repeat(100_000), "unexpected `{`"),
        ("parens.dfs", format!("{GOOD}expect p99{}spike) < 1s\n", "(".repeat(100_000)), "unexpected `(`"),
        ("block.dfs", format!("node edge {}\n", "{\n".repeat(100_000)), "unexpected `{`"),
        ("lines.dfs", "node n {\n".repeat(100_000), "missing `}` before `node`"),
    ];
    for (name, text, message) in &cases {
        std::fs::write(dir.path().join(name), text).expect("write");
        let err = check_human(dir.path(), name, "dfs::syntax", message);
        // An overlong line is shown as a window around the error, not whole.
        assert!(err.len() < 40_000, "{name}: {} bytes of diagnostics", err.len());
        assert_eq!(codes(&check_json(dir.path(), &[name]))[0], "dfs::syntax");
    }
    // 100 000 broken declarations: reporting stops after 100 of them.
    let report = check_json(dir.path(), &["lines.dfs"]);
    assert_eq!(report["errors"], 101);
    let last = report["diagnostics"].as_array().and_then(|d| d.last()).expect("diagnostics");
    assert!(last["message"].as_str().unwrap_or("").contains("too many syntax errors"), "{last}");
}

#[test]
fn long_chains_of_variables_and_afters() {
    let dir = temp_dir();
    let mut lets = String::from("let v0 = \"x\"\n");
    for i in 1..5_000 {
        lets.push_str(&format!("let v{i} = \"${{v{}}}\"\n", i - 1));
    }
    lets.push_str(&format!("{GOOD}\nnode deep {{ url \"http://127.0.0.1:8080/${{v4999}}\" }}\n"));
    std::fs::write(dir.path().join("lets.dfs"), lets).expect("write");
    let report = check_json(dir.path(), &["lets.dfs"]);
    assert!(codes(&report).contains(&"dfs::bad_interpolation".to_string()));

    let mut afters = String::from("node edge { url \"http://127.0.0.1:8080\" }\n");
    for i in 0..2_000 {
        let after = (i + 1) % 2_000;
        afters
            .push_str(&format!("attack a{i} on edge {{ after a{after}; rate 1/s; duration 1s; request GET \"/\" }}\n"));
    }
    std::fs::write(dir.path().join("afters.dfs"), afters).expect("write");
    let report = check_json(dir.path(), &["afters.dfs"]);
    assert_eq!(codes(&report), ["dfs::after_cycle"]);
    let message = report["diagnostics"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("2000 attacks in all") && message.len() < 400, "{message}");
}

#[test]
fn empty_and_comment_only_files() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("empty.dfs"), "").expect("write");
    std::fs::write(dir.path().join("comments.dfs"), "# only\n# comments\n\n").expect("write");
    for name in ["empty.dfs", "comments.dfs"] {
        check_human(dir.path(), name, "dfs::no_attacks", &format!("`{name}` declares nothing"));
        assert_eq!(codes(&check_json(dir.path(), &[name])), ["dfs::no_attacks"]);
    }
}

#[test]
fn binary_file() {
    let dir = temp_dir();
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(dir.path().join("image.dfs"), bytes).expect("write");
    check_human(dir.path(), "image.dfs", "dfs::encoding", "is a binary file, not a scenario");
    assert_eq!(codes(&check_json(dir.path(), &["image.dfs"])), ["dfs::encoding"]);
}

#[test]
fn folder_tree_of_good_and_bad_files() {
    let dir = temp_dir();
    let tree = dir.path().join("tree");
    let files = [
        ("good.dfs", GOOD.to_string()),
        ("sub/also_good.dfs", GOOD.replace("good", "also-good")),
        ("bad_node.dfs", GOOD.replace("on edge", "on egde")),
        ("sub/deeper/bad_rate.dfs", GOOD.replace("10/s", "0/s")),
        ("sub/deeper/bad_syntax.dfs", GOOD.replace("duration 10s", "duraton 10s")),
        ("notes.txt", "not a scenario".to_string()),
        ("runs/old/bad.dfs", "never checked: run folders are skipped".to_string()),
        (".hidden/bad.dfs", "never checked: hidden folders are skipped".to_string()),
    ];
    for (name, text) in &files {
        let path = tree.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("write");
    }
    let output = dfaas(dir.path(), &["check", "tree"]);
    assert_refused(&output, "check tree");
    let err = stderr(&output);
    for good in ["tree/good.dfs", "tree/sub/also_good.dfs"] {
        assert!(err.contains(&format!("ok: {good}\n")), "{good} is not listed as ok:\n{err}");
    }
    for (bad, code, counts) in [
        // `edge` is really never used there: the attack names `egde`.
        ("tree/bad_node.dfs", "dfs::unknown_node", "1 error, 1 warning"),
        ("tree/sub/deeper/bad_rate.dfs", "dfs::invalid_rate", "1 error, 0 warnings"),
        ("tree/sub/deeper/bad_syntax.dfs", "dfs::syntax", "1 error, 0 warnings"),
    ] {
        assert!(err.contains(&format!("failed: {bad} ({counts})")), "{bad} is not listed as failed:\n{err}");
        assert!(err.contains(&format!("[{bad}:")), "{bad} has no excerpt:\n{err}");
        assert!(err.contains(code), "{bad}: {code} missing:\n{err}");
    }
    assert!(err.contains("error: 5 files checked, 3 errors, 1 warning"), "{err}");
    assert!(!err.contains("never checked"), "a skipped folder was checked:\n{err}");

    let report = check_json(dir.path(), &["tree"]);
    let listed: Vec<(String, bool)> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| (f["file"].as_str().unwrap_or("").to_string(), f["ok"].as_bool().unwrap_or(true)))
        .collect();
    let expected = [
        ("tree/bad_node.dfs", false),
        ("tree/good.dfs", true),
        ("tree/sub/also_good.dfs", true),
        ("tree/sub/deeper/bad_rate.dfs", false),
        ("tree/sub/deeper/bad_syntax.dfs", false),
    ];
    let expected: Vec<(String, bool)> = expected.iter().map(|(f, ok)| (f.to_string(), *ok)).collect();
    assert_eq!(listed, expected);
    assert_eq!(codes(&report), ["dfs::unused", "dfs::unknown_node", "dfs::invalid_rate", "dfs::syntax"]);
    assert_eq!((report["errors"].as_u64(), report["warnings"].as_u64()), (Some(3), Some(1)));
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        assert!(d["file"].as_str().is_some_and(|f| f.starts_with("tree/") && !f.contains("good")), "{d}");
    }
}

#[test]
fn several_paths_with_a_missing_one() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("good.dfs"), GOOD).expect("write");
    let report = check_json(dir.path(), &["good.dfs", "gone.dfs"]);
    assert_eq!(codes(&report), ["dfs::io"]);
    assert_eq!(report["files"][0], serde_json::json!({ "file": "good.dfs", "ok": true }));
    assert_eq!(report["files"][1], serde_json::json!({ "file": "gone.dfs", "ok": false }));
}

#[test]
fn set_of_a_variable_only_some_files_use() {
    let dir = temp_dir();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).expect("a folder");
    std::fs::write(scenarios.join("fixed.dfs"), GOOD).expect("write");
    std::fs::write(scenarios.join("variable.dfs"), GOOD.replace("rate 10/s", "rate ${RATE:-10/s}")).expect("write");
    // One file uses RATE: setting it for the folder is fine.
    let output = dfaas(dir.path(), &["check", "--set", "RATE=20/s", "scenarios"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // No file uses RAET: reported once, for the command line, with the closest variable.
    let report = check_json(dir.path(), &["--set", "RAET=20/s", "scenarios"]);
    assert_eq!(codes(&report), ["dfs::unknown_override"]);
    let d = &report["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["help"].as_str().map(|h| h.starts_with("did you mean `RATE`?"))),
        (Some("scenarios"), Some(true))
    );
    assert_eq!(report["files"].as_array().map(|f| f.iter().all(|f| f["ok"] == true)), Some(true));
    // For one file, the file itself is the place.
    let report = check_json(dir.path(), &["--set", "RAET=20/s", "scenarios/fixed.dfs"]);
    assert_eq!(codes(&report), ["dfs::unknown_override"]);
    assert_eq!(report["diagnostics"][0]["file"], "scenarios/fixed.dfs");
}
