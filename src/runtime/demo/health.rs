//! `/healthz` and the switch that breaks it. Like a real DFaaS node, `degraded` still answers
//! 200 (only the JSON body tells); `down` answers 503. `POST /_demo/health` changes the mode.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU8, Ordering};

/// What `/healthz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthMode {
    /// 200, `{"status":"ok", ...}` with every component up.
    #[default]
    Ok,
    /// 200 all the same, `{"status":"degraded", ...}` with the proxy down: the DFaaS quirk a
    /// status-only gate cannot see.
    Degraded,
    /// 503, `{"status":"down", ...}`.
    Down,
}

impl HealthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthMode::Ok => "ok",
            HealthMode::Degraded => "degraded",
            HealthMode::Down => "down",
        }
    }

    /// The status code and body `/healthz` answers with.
    pub(super) fn response(self) -> (hyper::StatusCode, &'static str) {
        use hyper::StatusCode;
        match self {
            HealthMode::Ok => (StatusCode::OK, r#"{"status":"ok","components":{"proxy":"up","gateway":"up"}}"#),
            HealthMode::Degraded => {
                (StatusCode::OK, r#"{"status":"degraded","components":{"proxy":"down","gateway":"up"}}"#)
            }
            HealthMode::Down => {
                (StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"down","components":{"proxy":"down","gateway":"down"}}"#)
            }
        }
    }

    /// The body of `GET`/`POST /_demo/health`.
    pub(super) fn admin_body(self) -> &'static str {
        match self {
            HealthMode::Ok => r#"{"mode":"ok"}"#,
            HealthMode::Degraded => r#"{"mode":"degraded"}"#,
            HealthMode::Down => r#"{"mode":"down"}"#,
        }
    }
}

/// The node's current mode, changed at any time by the admin endpoint or `DemoNode::set_health`.
#[derive(Debug, Default)]
pub(super) struct Health(AtomicU8);

impl Health {
    pub(super) fn get(&self) -> HealthMode {
        match self.0.load(Ordering::Relaxed) {
            0 => HealthMode::Ok,
            1 => HealthMode::Degraded,
            _ => HealthMode::Down,
        }
    }

    pub(super) fn set(&self, mode: HealthMode) {
        let value = match mode {
            HealthMode::Ok => 0,
            HealthMode::Degraded => 1,
            HealthMode::Down => 2,
        };
        self.0.store(value, Ordering::Relaxed);
    }
}

/// The body of `POST /_demo/health`: `{"mode":"ok"|"degraded"|"down"}`, or the shorthand
/// `{"healthy":true|false}` (false = degraded).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthChange {
    mode: Option<HealthMode>,
    healthy: Option<bool>,
}

/// Reads a health change; the error says what is wrong with the body.
pub(super) fn parse_change(body: &[u8]) -> Result<HealthMode, String> {
    let change: HealthChange = serde_json::from_slice(body).map_err(|e| {
        format!("invalid health change: {e}; send {{\"mode\":\"ok\"|\"degraded\"|\"down\"}} or {{\"healthy\":false}}")
    })?;
    match (change.mode, change.healthy) {
        (Some(mode), None) => Ok(mode),
        (None, Some(true)) => Ok(HealthMode::Ok),
        (None, Some(false)) => Ok(HealthMode::Degraded),
        (Some(_), Some(_)) => Err("give either `mode` or `healthy`, not both".to_string()),
        (None, None) => {
            Err("the health change is empty; send {\"mode\":\"ok\"|\"degraded\"|\"down\"} or {\"healthy\":false}"
                .to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_parse() {
        assert_eq!(parse_change(br#"{"mode":"down"}"#), Ok(HealthMode::Down));
        assert_eq!(parse_change(br#"{"healthy":false}"#), Ok(HealthMode::Degraded));
        assert_eq!(parse_change(br#"{"healthy":true}"#), Ok(HealthMode::Ok));
        assert!(parse_change(br#"{"mode":"sideways"}"#).is_err());
        assert!(parse_change(br#"{"mode":"ok","healthy":true}"#).is_err());
        assert!(parse_change(b"{}").is_err());
        assert!(parse_change(b"not json").is_err());
    }

    #[test]
    fn modes_round_trip_through_the_atomic() {
        let health = Health::default();
        for mode in [HealthMode::Degraded, HealthMode::Down, HealthMode::Ok] {
            health.set(mode);
            assert_eq!(health.get(), mode);
            let body: serde_json::Value = serde_json::from_str(mode.response().1).unwrap();
            assert_eq!(body["status"], mode.as_str());
        }
    }
}
