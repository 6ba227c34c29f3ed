//! Health gates: probe a node until it answers as expected (status, body text or regex, JSON
//! fields) `consecutive` times in a row, every `every`, within `within` (and `tries`), or fail.

use super::events::{Event, Events};
use super::stop::Stop;
use crate::model::{Header, HealthGate, JsonCheck};
use crate::parser::ast::{BodyOp, CmpOp};
use std::time::{Duration, Instant};

/// How a gate ended.
#[derive(Debug, Clone, PartialEq)]
pub struct GateOutcome {
    pub node: String,
    pub passed: bool,
    pub tries: u32,
    pub waited: Duration,
    /// The last answer: `200`, `503`, or the error.
    pub last: String,
}

impl GateOutcome {
    /// The one-line reason a failed gate gives its dependents.
    pub fn failure_message(&self) -> String {
        format!(
            "health gate for node `{}` failed after {} tr{} in {:.1}s; last answer: {}",
            self.node,
            self.tries,
            if self.tries == 1 { "y" } else { "ies" },
            self.waited.as_secs_f64(),
            self.last
        )
    }
}

/// Probes until the gate passes, fails, or the run stops.
pub async fn run_gate(
    gate: &HealthGate,
    base: &url::Url,
    node_headers: &[Header],
    client: &reqwest::Client,
    stop: &Stop,
    events: &Events,
) -> GateOutcome {
    let started = Instant::now();
    let deadline = started + gate.within;
    let url = format!("{}{}", base.as_str().trim_end_matches('/'), gate.path);
    let method = reqwest::Method::from_bytes(gate.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let (mut tries, mut streak) = (0u32, 0u32);
    loop {
        tries += 1;
        let mut request = client.request(method.clone(), &url).timeout(gate.timeout);
        for h in node_headers.iter().chain(&gate.headers) {
            request = request.header(&h.name, &h.value);
        }
        let verdict = tokio::select! {
            r = probe(request, gate) => r,
            _ = stop.stopped() => Err("interrupted".to_string()),
        };
        let ok = verdict.is_ok();
        let last = match verdict {
            Ok(s) | Err(s) => s,
        };
        streak = if ok { streak + 1 } else { 0 };
        events.emit(Event::GateTry { node: gate.node.clone(), attempt: tries, ok, detail: last.clone() });
        if streak >= gate.consecutive {
            return GateOutcome { node: gate.node.clone(), passed: true, tries, waited: started.elapsed(), last };
        }
        let next = Instant::now() + gate.every;
        let out_of_tries = gate.tries.is_some_and(|t| tries >= t);
        if stop.is_stopped() || out_of_tries || next > deadline {
            return GateOutcome { node: gate.node.clone(), passed: false, tries, waited: started.elapsed(), last };
        }
        tokio::select! {
            _ = tokio::time::sleep_until(next.into()) => {}
            _ = stop.stopped() => {}
        }
    }
}

/// One probe: `Ok(description)` when the answer matches, `Err(description)` otherwise.
async fn probe(request: reqwest::RequestBuilder, gate: &HealthGate) -> Result<String, String> {
    let response = request.send().await.map_err(describe_error)?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(describe_error)?;
    if !gate.expect_status.contains(status) {
        return Err(format!("status {status}, expected {}", gate.expect_status));
    }
    if let Some(check) = &gate.expect_body {
        let matched = match check.op {
            BodyOp::Contains => body.contains(&check.value),
            BodyOp::Equals => body.trim_end() == check.value,
            BodyOp::Matches => regex::Regex::new(&check.value).map(|r| r.is_match(&body)).unwrap_or(false),
        };
        if !matched {
            let op = match check.op {
                BodyOp::Contains => "contain",
                BodyOp::Equals => "equal",
                BodyOp::Matches => "match",
            };
            return Err(format!("status {status}, body does not {op} {:?}: {}", check.value, excerpt(&body)));
        }
    }
    if !gate.expect_json.is_empty() {
        let json: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| format!("status {status}, body is not JSON ({e}): {}", excerpt(&body)))?;
        for check in &gate.expect_json {
            json_check(&json, check).map_err(|e| format!("status {status}, {e}"))?;
        }
    }
    Ok(format!("status {status}"))
}

fn describe_error(error: reqwest::Error) -> String {
    let mut message = if error.is_timeout() { "timed out".to_string() } else { error.to_string() };
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

fn excerpt(body: &str) -> String {
    let one_line: String = body.chars().map(|c| if c.is_control() { ' ' } else { c }).take(120).collect();
    if body.chars().count() > 120 {
        format!("{one_line}…")
    } else {
        one_line
    }
}

/// Follows a dotted path (`components.proxy`, `items.0.name`) and compares.
pub fn json_check(json: &serde_json::Value, check: &JsonCheck) -> Result<(), String> {
    let mut current = json;
    for key in check.path.split('.').filter(|k| !k.is_empty()) {
        let next = match current {
            serde_json::Value::Object(map) => map.get(key),
            serde_json::Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        current = next.ok_or_else(|| format!("JSON has no field `{}`", check.path))?;
    }
    let holds = match (check.op, current, &check.value) {
        (CmpOp::Eq, a, b) => json_eq(a, b),
        (CmpOp::Ne, a, b) => !json_eq(a, b),
        (op, serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            compare(op, a.partial_cmp(&b))
        }
        (op, serde_json::Value::String(a), serde_json::Value::String(b)) => compare(op, Some(a.cmp(b))),
        _ => false,
    };
    if holds {
        Ok(())
    } else {
        Err(format!("JSON `{}` is {current}, expected {} {}", check.path, check.op.as_str(), check.value))
    }
}

fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a, b) {
        (serde_json::Value::Number(x), serde_json::Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(op: CmpOp, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (op, ordering),
        (CmpOp::Lt, Some(Less))
            | (CmpOp::Le, Some(Less | Equal))
            | (CmpOp::Gt, Some(Greater))
            | (CmpOp::Ge, Some(Greater | Equal))
            | (CmpOp::Eq, Some(Equal))
            | (CmpOp::Ne, Some(Less | Greater))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(path: &str, op: CmpOp, value: serde_json::Value) -> JsonCheck {
        JsonCheck { path: path.into(), op, value }
    }

    #[test]
    fn json_paths_and_comparisons() {
        let doc = json!({"status": "ok", "components": {"proxy": "up"}, "items": [{"n": 3}]});
        assert!(json_check(&doc, &check("status", CmpOp::Eq, json!("ok"))).is_ok());
        assert!(json_check(&doc, &check("components.proxy", CmpOp::Ne, json!("down"))).is_ok());
        assert!(json_check(&doc, &check("items.0.n", CmpOp::Ge, json!(3))).is_ok());
        assert!(json_check(&doc, &check("items.0.n", CmpOp::Lt, json!(3.0))).is_err());
        let missing = json_check(&doc, &check("components.gateway", CmpOp::Eq, json!("up")));
        assert!(missing.unwrap_err().contains("no field"));
    }
}
