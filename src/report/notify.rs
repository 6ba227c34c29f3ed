//! Run notifications: a webhook POST when the run ends — Slack-compatible JSON by default, or the
//! body rendered from the user's template — retried with backoff on 5xx and transport errors.

use super::template_error::TemplateError;
use serde::Serialize;
use std::time::Duration;

/// What a notification says about the run (also the context of a user template).
#[derive(Debug, Clone, Serialize)]
pub struct RunNews {
    pub scenario: String,
    /// `passed`, `failed`, `expectations_failed` or `interrupted`.
    pub status: String,
    pub run_dir: String,
    /// The run's main report (`report.html`, else another built-in one), when one was written.
    pub report_path: Option<String>,
    pub requests: u64,
    pub success_ratio: Option<f64>,
    pub p99_ms: Option<f64>,
    pub expectations: Vec<super::expect::Verdict>,
    /// Every figure, as in `report.json` (`null` when the run folder could not be read).
    pub report: Option<super::context::ReportContext>,
}

impl RunNews {
    /// The default body: one Slack `text` message.
    pub fn slack_body(&self) -> serde_json::Value {
        let mark = if self.status == "passed" { "✅" } else { "❌" };
        let mut text = format!("{mark} dfaas-run: scenario *{}* {}", self.scenario, self.status.replace('_', " "));
        text.push_str(&format!(" — {} requests", self.requests));
        if let Some(r) = self.success_ratio {
            text.push_str(&format!(", {:.2}% success", r * 100.0));
        }
        if let Some(p) = self.p99_ms {
            text.push_str(&format!(", p99 {p:.1} ms"));
        }
        let failed: Vec<&str> =
            self.expectations.iter().filter(|v| !v.passed).map(|v| v.expectation.as_str()).collect();
        if !failed.is_empty() {
            text.push_str(&format!("\nfailed expectations: {}", failed.join("; ")));
        }
        text.push_str(&format!("\nresults: {}", self.run_dir));
        if let Some(report) = &self.report_path {
            text.push_str(&format!("\nreport: {report}"));
        }
        serde_json::json!({ "text": text })
    }
}

/// The body and its content type.
pub fn body(news: &RunNews, template: Option<&std::path::Path>) -> Result<(String, &'static str), String> {
    let Some(path) = template else {
        return Ok((news.slack_body().to_string(), "application/json"));
    };
    let shown = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|e| format!("cannot read template {shown}: {e}"))?;
    let mut env = minijinja::Environment::new();
    env.set_debug(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    super::template_filters::register(&mut env);
    let located = |e: minijinja::Error| {
        let names = [
            "scenario",
            "status",
            "run_dir",
            "report_path",
            "requests",
            "success_ratio",
            "p99_ms",
            "expectations",
            "report",
        ];
        TemplateError::new(&e, &shown, &source, &names.map(String::from)).to_string()
    };
    env.add_template_owned("notification", source.clone()).map_err(located)?;
    let rendered = env.get_template("notification").and_then(|t| t.render(news)).map_err(located)?;
    let kind = if serde_json::from_str::<serde_json::Value>(&rendered).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok((rendered, kind))
}

/// POSTs `body`, retrying up to `retries` times (0.5 s, 1 s, 2 s, ... apart) on 5xx or
/// transport errors. 4xx answers are not retried. Returns how many attempts it took.
pub async fn post(
    client: &reqwest::Client,
    url: &url::Url,
    headers: &[crate::model::Header],
    (body, kind): (String, &str),
    retries: u32,
    timeout: Duration,
) -> Result<u32, String> {
    let mut backoff = Duration::from_millis(500);
    let mut last = String::new();
    for attempt in 1..=retries + 1 {
        let mut request = client.post(url.clone()).timeout(timeout).header("Content-Type", kind).body(body.clone());
        for h in headers {
            request = request.header(&h.name, &h.value);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => return Ok(attempt),
            Ok(r) if r.status().is_client_error() => {
                return Err(format!("the webhook refused the message: status {}", r.status().as_u16()))
            }
            Ok(r) => last = format!("status {}", r.status().as_u16()),
            Err(e) => last = if e.is_timeout() { "timed out".into() } else { e.to_string() },
        }
        if attempt <= retries {
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
    }
    Err(format!("the webhook did not accept the message after {} attempt(s): {last}", retries + 1))
}
