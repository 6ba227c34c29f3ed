//! Notifications: the webhook gets the message exactly once per run, retried on 5xx and not on
//! 4xx, a user template as the body, nothing when `when` says so; a failed notification is
//! reported but never changes the run's exit code.

use super::webhook::Hook;
use super::*;
use dfaas_run::report::notify;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn post(hook: &Hook, retries: u32) -> Result<u32, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = url::Url::parse(&hook.url).expect("url");
    let client = reqwest::Client::new();
    let body = (r#"{"text":"hello"}"#.to_string(), "application/json");
    runtime.block_on(notify::post(&client, &url, &[], body, retries, Duration::from_secs(5)))
}

#[test]
fn a_5xx_is_retried_until_accepted_and_a_4xx_is_not_retried() {
    let hook = Hook::start(&[500, 200]);
    assert_eq!(post(&hook, 3), Ok(2));
    let got = hook.received();
    assert_eq!(got.len(), 2, "one failed delivery, one accepted, nothing after");
    assert!(got.iter().all(|r| r.body == r#"{"text":"hello"}"# && r.method == "POST" && r.path == "/hook"));

    let hook = Hook::start(&[404]);
    let err = post(&hook, 3).expect_err("refused");
    assert_eq!(err, "the webhook refused the message: status 404");
    assert_eq!(hook.received().len(), 1, "a 4xx is not retried");

    let hook = Hook::start(&[503]);
    let err = post(&hook, 1).expect_err("never accepted");
    assert_eq!(err, "the webhook did not accept the message after 2 attempt(s): status 503");
    assert_eq!(hook.received().len(), 2);
}

/// Runs a 10-request attack on the embedded demo node with a `notify` block (and `extra` lines).
fn run_scenario(dir: &Path, name: &str, notify: &str, extra: &str) -> (Option<i32>, PathBuf, String) {
    let text = format!(
        "scenario \"{name}\"\nnode demo {{ embedded demo {{ latency 1ms..2ms }} }}\nattack a on demo {{\n  rate 50/s\n  duration 200ms\n  request GET \"/function/x\"\n}}\n{extra}{notify}\n"
    );
    let path = dir.join(format!("{name}.dfs"));
    std::fs::write(&path, text).expect("write");
    let out = dfaas_run(dir, &["run", path.to_str().expect("utf-8"), "--quiet"]);
    let run = dir.join(stdout(&out).lines().last().unwrap_or_else(|| panic!("no run folder: {}", stderr(&out))).trim());
    (out.status.code(), run, stderr(&out))
}

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).expect("run.json")).expect("json")
}

fn step<'a>(m: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    m["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == id)).expect("step")
}

#[test]
fn a_run_sends_one_slack_message_with_its_figures_and_report() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let hook = Hook::start(&[200]);
    let block = format!("notify webhook \"{}\" {{\n  header \"X-Source\" = \"dfaas-run\"\n}}", hook.url);
    let (code, run, err) = run_scenario(tmp.path(), "hooked", &block, "expect requests(a) == 10\n");
    assert_eq!(code, Some(0), "{err}");
    let got = hook.received();
    assert_eq!(got.len(), 1, "exactly one message per run: {got:?}");
    assert_eq!(got[0].header("x-source"), Some("dfaas-run"));
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_str(&got[0].body).expect("JSON body");
    let text = body["text"].as_str().expect("a Slack text");
    assert!(text.starts_with("✅ dfaas-run: scenario *hooked* passed — 10 requests, 100.00% success, p99 "), "{text}");
    assert!(
        text.contains(&format!("\nresults: {}", run.strip_prefix(tmp.path()).expect("relative").display())),
        "{text}"
    );
    assert!(text.contains("/report.html"), "{text}");
    assert_eq!(step(&manifest(&run), "notify:1")["message"], "sent (attempt 1)");
}

#[test]
fn a_user_template_is_the_body_and_a_500_is_retried() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let hook = Hook::start(&[500, 200]);
    std::fs::write(
        tmp.path().join("hook.txt.j2"),
        "{{ scenario }} {{ status }}: {{ report.merged.requests }} requests, {{ report.merged.success_ratio|percent }} ok, {{ expectations|length }} expectation(s)\n",
    )
    .expect("template");
    let block = format!("notify webhook \"{}\" {{\n  template \"hook.txt.j2\"\n  retries 2\n}}", hook.url);
    let (code, run, err) = run_scenario(tmp.path(), "templated", &block, "expect requests(a) == 10\n");
    assert_eq!(code, Some(0), "{err}");
    let got = hook.received();
    assert_eq!(got.len(), 2, "refused once, then accepted: {got:?}");
    assert_eq!(got[1].body, "templated passed: 10 requests, 100.00% ok, 1 expectation(s)");
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(got[1].header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(step(&manifest(&run), "notify:1")["message"], "sent (attempt 2)");
}

#[test]
fn when_failure_sends_nothing_for_a_passing_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let hook = Hook::start(&[200]);
    let block = format!("notify webhook \"{}\" {{\n  when failure\n}}", hook.url);
    let (code, run, err) = run_scenario(tmp.path(), "quiet", &block, "");
    assert_eq!(code, Some(0), "{err}");
    assert!(hook.received().is_empty());
    let m = manifest(&run);
    assert_eq!(step(&m, "notify:1")["state"], "succeeded");
    assert_eq!(step(&m, "notify:1")["message"], "not sent: the run passed and the notification is for `failure`");
}

#[test]
fn a_failed_notification_is_reported_but_never_changes_the_exit_code() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let hook = Hook::start(&[500]);
    let block = format!("notify webhook \"{}\" {{\n  retries 0\n}}", hook.url);
    let (code, run, err) = run_scenario(tmp.path(), "unheard", &block, "expect requests(a) == 10\n");
    assert_eq!(code, Some(0), "a passing run stays passing: {err}");
    assert!(err.contains("✘ notify:1 FAILED"), "the failure is on stderr: {err}");
    assert!(err.contains("the webhook did not accept the message after 1 attempt(s): status 500"), "{err}");
    let m = manifest(&run);
    assert_eq!(m["status"], "passed");
    assert_eq!(step(&m, "notify:1")["state"], "failed");
    assert_eq!(hook.received().len(), 1);

    // Failed expectations stay exit 1 (not 3) when the notification fails too.
    let (code, run, err) = run_scenario(tmp.path(), "unheard-fail", &block, "expect requests(a) == 11\n");
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(manifest(&run)["status"], "expectations_failed");
}
