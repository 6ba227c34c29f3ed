//! Deploy and teardown steps through the OpenFaaS gateway API (`POST`/`PUT`/`DELETE
//! /system/functions`), with basic auth, retries `every` apart and a per-try timeout.

use super::events::{Event, Events};
use super::stop::Stop;
use crate::model::{Deployment, Function, Node};
use std::collections::BTreeMap;

/// The gateway URL and credentials of a node.
pub struct GatewayAccess {
    pub url: url::Url,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl GatewayAccess {
    /// The node's gateway (its own URL unless `gateway { url ... }` says otherwise).
    pub fn of(node: &Node, node_url: &url::Url) -> GatewayAccess {
        let gateway = node.gateway.as_ref();
        GatewayAccess {
            url: gateway.and_then(|g| g.url.clone()).unwrap_or_else(|| node_url.clone()),
            user: gateway.and_then(|g| g.user.clone()),
            password: gateway.and_then(|g| g.password.as_ref().map(|p| p.0.clone())),
        }
    }

    fn endpoint(&self) -> String {
        format!("{}/system/functions", self.url.as_str().trim_end_matches('/'))
    }

    fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.user {
            Some(user) => request.basic_auth(user, self.password.as_deref()),
            None => request,
        }
    }
}

/// One deploy or teardown: which function goes (or leaves) which gateway.
pub struct Job<'a> {
    pub step: &'a str,
    pub deployment: &'a Deployment,
    pub function: &'a Function,
    pub gateway: &'a GatewayAccess,
    /// Delete instead of deploy.
    pub remove: bool,
}

/// Deploys (or deletes) one function on one node. `Err` says why, after retries.
pub async fn apply(job: Job<'_>, client: &reqwest::Client, stop: &Stop, events: &Events) -> Result<String, String> {
    let Job { step, deployment, function, gateway, remove } = job;
    let mut last = String::new();
    for attempt in 1..=deployment.retries + 1 {
        let result = tokio::select! {
            r = try_once(deployment, function, gateway, remove, client) => r,
            _ = stop.stopped() => Err("interrupted".to_string()),
        };
        let ok = result.is_ok();
        last = match result {
            Ok(s) | Err(s) => s,
        };
        events.emit(Event::DeployTry { step: step.to_string(), attempt, ok, detail: last.clone() });
        if ok {
            return Ok(last);
        }
        if stop.is_stopped() || attempt == deployment.retries + 1 {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(deployment.every) => {}
            _ = stop.stopped() => break,
        }
    }
    let verb = if remove { "delete" } else { "deploy" };
    Err(format!(
        "could not {verb} function `{}` on node `{}` at {}: {last}",
        function.name,
        deployment.node,
        gateway.endpoint()
    ))
}

async fn try_once(
    deployment: &Deployment,
    function: &Function,
    gateway: &GatewayAccess,
    remove: bool,
    client: &reqwest::Client,
) -> Result<String, String> {
    let url = gateway.endpoint();
    if remove {
        let body = serde_json::json!({ "functionName": function.service });
        let response = send(gateway.authorize(client.delete(&url).timeout(deployment.timeout).json(&body))).await?;
        return match response {
            (s, _) if (200..300).contains(&s) => Ok(format!("deleted ({s})")),
            (404, _) => Ok("already absent (404)".to_string()),
            (s, text) => Err(format!("status {s}: {text}")),
        };
    }
    let labels: BTreeMap<&str, &str> = deployment.labels.iter().map(|l| (l.name.as_str(), l.value.as_str())).collect();
    let env: BTreeMap<&str, &str> = function.env.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
    let body =
        serde_json::json!({ "service": function.service, "image": function.image, "labels": labels, "envVars": env });
    match send(gateway.authorize(client.post(&url).timeout(deployment.timeout).json(&body))).await? {
        (s, _) if (200..300).contains(&s) => Ok(format!("deployed ({s})")),
        (s, text) if s == 409 || text.contains("already exists") => {
            match send(gateway.authorize(client.put(&url).timeout(deployment.timeout).json(&body))).await? {
                (s, _) if (200..300).contains(&s) => Ok(format!("updated ({s})")),
                (s, text) => Err(format!("update: status {s}: {text}")),
            }
        }
        (401, _) => {
            Err("status 401: the gateway refused the credentials (check `gateway { user ... password ... }`)"
                .to_string())
        }
        (s, text) => Err(format!("status {s}: {text}")),
    }
}

async fn send(request: reqwest::RequestBuilder) -> Result<(u16, String), String> {
    let response = request.send().await.map_err(|e| {
        let mut message = if e.is_timeout() { "timed out".to_string() } else { e.to_string() };
        if let Some(source) = std::error::Error::source(&e) {
            message.push_str(&format!(": {source}"));
        }
        message
    })?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let text: String = text.trim().chars().take(200).collect();
    Ok((status, text))
}
