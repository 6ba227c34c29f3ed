//! The OpenFaaS gateway API under `/system`: deploy, update, list, inspect and delete functions,
//! and `/system/info`, behind basic auth when the node has credentials.

use super::registry::{Deployment, Refusal};
use super::state::{Reply, State};
use base64::Engine;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue, ALLOW, AUTHORIZATION, WWW_AUTHENTICATE};
use hyper::http::request::Parts;
use hyper::{Method, StatusCode};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The largest `/system` request body read.
const MAX_API_BODY: usize = 1024 * 1024;

/// The basic-auth user and password `/system/*` requires.
pub(super) struct Credentials {
    /// `user:password`, as the decoded header must read.
    expected: Vec<u8>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(***)")
    }
}

impl Credentials {
    pub(super) fn new(user: &str, password: &str) -> Self {
        Credentials { expected: format!("{user}:{password}").into_bytes() }
    }

    /// Whether `Authorization: Basic ...` carries these credentials.
    fn accept(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
        let Some((scheme, encoded)) = value.trim().split_once(' ') else { return false };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else { return false };
        // Compare every byte whatever the first difference, as a password check should.
        decoded.len() == self.expected.len()
            && decoded.iter().zip(&self.expected).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// The body of `POST`/`PUT /system/functions` (the OpenFaaS `FunctionDeployment`; fields this
/// mock does not model, such as `limits` or `secrets`, are accepted and ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FunctionDeployment {
    service: String,
    image: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    env_vars: Option<BTreeMap<String, String>>,
}

/// The body of `DELETE /system/functions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteFunctionRequest {
    function_name: String,
}

/// Function names as OpenFaaS accepts them (a DNS-1123 label).
fn valid_service_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-';
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    !bytes.is_empty() && bytes.len() <= 63 && bytes.iter().all(inner) && edge(bytes.first()) && edge(bytes.last())
}

/// Answers one `/system/...` request.
pub(super) async fn system(state: &State, parts: Parts, body: Incoming) -> Reply {
    if let Some(credentials) = &state.credentials {
        if !credentials.accept(&parts.headers) {
            let mut reply = state.error(StatusCode::UNAUTHORIZED, "unauthorized: this gateway requires basic auth");
            reply.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Restricted\""));
            return reply;
        }
    }
    let path = parts.uri.path();
    if path == "/system/functions" {
        return match parts.method {
            Method::GET => list(state),
            Method::POST | Method::PUT => match read(state, body).await {
                Ok(bytes) => deploy(state, &bytes, parts.method == Method::PUT),
                Err(reply) => reply,
            },
            Method::DELETE => match read(state, body).await {
                Ok(bytes) => delete(state, &bytes),
                Err(reply) => reply,
            },
            _ => not_allowed(state, "GET, POST, PUT, DELETE"),
        };
    }
    if path == "/system/info" {
        return if parts.method == Method::GET { info(state) } else { not_allowed(state, "GET") };
    }
    if let Some(name) = path.strip_prefix("/system/function/") {
        if parts.method != Method::GET {
            return not_allowed(state, "GET");
        }
        return match state.registry.status(name) {
            Some(status) => state.json(StatusCode::OK, json(&status)),
            None => state.error(StatusCode::NOT_FOUND, &format!("function `{name}` not found")),
        };
    }
    state.error(StatusCode::NOT_FOUND, &format!("no such endpoint: {path}"))
}

async fn read(state: &State, body: Incoming) -> Result<bytes::Bytes, Reply> {
    match Limited::new(body, MAX_API_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => {
            Err(state.error(StatusCode::PAYLOAD_TOO_LARGE, "the request body could not be read whole (at most 1 MiB)"))
        }
    }
}

fn not_allowed(state: &State, allow: &'static str) -> Reply {
    let mut reply = state.error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    reply.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    reply
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Our own plain structs of strings, numbers and maps with string keys: always serializable.
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn list(state: &State) -> Reply {
    state.json(StatusCode::OK, json(&state.registry.list()))
}

/// `POST` (deploy) or `PUT` (update) `/system/functions`.
fn deploy(state: &State, body: &[u8], update: bool) -> Reply {
    let request: FunctionDeployment = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return state.error(
                StatusCode::BAD_REQUEST,
                &format!("invalid function deployment JSON: {e}; send {{\"service\":\"...\",\"image\":\"...\"}}"),
            )
        }
    };
    if !valid_service_name(&request.service) {
        return state.error(
            StatusCode::BAD_REQUEST,
            &format!(
                "invalid service name `{}`: use lowercase letters, digits and `-` (at most 63, starting and ending with a letter or digit)",
                request.service
            ),
        );
    }
    if request.image.trim().is_empty() {
        return state.error(StatusCode::BAD_REQUEST, "`image` is empty");
    }
    let deployment = Deployment {
        image: request.image,
        labels: request.labels.unwrap_or_default(),
        env_vars: request.env_vars.unwrap_or_default(),
        annotations: request.annotations.unwrap_or_default(),
    };
    let name = request.service;
    let outcome =
        if update { state.registry.update(&name, deployment) } else { state.registry.deploy(&name, deployment) };
    match outcome {
        Ok(()) => {
            if update { &state.counters.updates } else { &state.counters.deploys }.inc();
            state.text(StatusCode::ACCEPTED, "")
        }
        Err(Refusal::AlreadyDeployed) => {
            state.error(StatusCode::BAD_REQUEST, &format!("function `{name}` already exists; update it with PUT"))
        }
        Err(Refusal::NotDeployed) => state.error(StatusCode::NOT_FOUND, &format!("function `{name}` not found")),
    }
}

fn delete(state: &State, body: &[u8]) -> Reply {
    let request: DeleteFunctionRequest = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return state.error(
                StatusCode::BAD_REQUEST,
                &format!("invalid delete request JSON: {e}; send {{\"functionName\":\"...\"}}"),
            )
        }
    };
    match state.registry.delete(&request.function_name) {
        Ok(()) => {
            state.counters.deletes.inc();
            state.text(StatusCode::ACCEPTED, "")
        }
        Err(_) => state.error(StatusCode::NOT_FOUND, &format!("function `{}` not found", request.function_name)),
    }
}

fn info(state: &State) -> Reply {
    let release = env!("CARGO_PKG_VERSION");
    let body = serde_json::json!({
        "provider": {
            "provider": "dfaas-run demo node",
            "orchestration": "embedded",
            "version": { "release": release, "sha": "" },
        },
        "version": { "release": release, "sha": "", "commit_message": "" },
        "arch": std::env::consts::ARCH,
    });
    state.json(StatusCode::OK, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn basic_auth_accepts_only_the_exact_pair() {
        let credentials = Credentials::new("admin", "s3cret");
        let encode = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert!(credentials.accept(&headers(&format!("Basic {}", encode("admin:s3cret")))));
        assert!(credentials.accept(&headers(&format!("basic {}", encode("admin:s3cret")))));
        assert!(!credentials.accept(&headers(&format!("Basic {}", encode("admin:s3cre")))));
        assert!(!credentials.accept(&headers(&format!("Basic {}", encode("admin:s3cretX")))));
        assert!(!credentials.accept(&headers(&format!("Bearer {}", encode("admin:s3cret")))));
        assert!(!credentials.accept(&headers("Basic !!!")));
        assert!(!credentials.accept(&HeaderMap::new()));
        assert_eq!(format!("{credentials:?}"), "Credentials(***)");
    }

    #[test]
    fn service_names_follow_openfaas() {
        for ok in ["figlet", "nodeinfo-2", "a", "0x"] {
            assert!(valid_service_name(ok), "{ok}");
        }
        for bad in ["", "Figlet", "-a", "a-", "a/b", "a.b", &"a".repeat(64)] {
            assert!(!valid_service_name(bad), "{bad}");
        }
    }
}
