//! `/healthz` in its three modes (ok, degraded with 200 like a real DFaaS node, down with 503),
//! switched through `POST /_demo/health` and through `DemoNode::set_health`.

use super::support::{client, served_by, start, url};
use dfaas_run::runtime::demo::{DemoConfig, HealthMode};
use serde_json::Value;

async fn probe(client: &reqwest::Client, address: &str) -> (u16, Value) {
    let response = client.get(address).send().await.expect("healthz answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("healthz answers JSON"))
}

#[tokio::test]
async fn healthy_by_default_with_every_component_up() {
    let node = start(DemoConfig { server_id: "edge-1".into(), ..DemoConfig::default() }).await;
    let client = client();
    let response = client.get(url(&node, "/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(served_by(&response), "edge-1");
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["components"]["proxy"], "up");
    assert_eq!(body["components"]["gateway"], "up");
    let (status, _) = probe(&client, &url(&node, "/healthz")).await;
    assert_eq!(status, 200);
    assert_eq!(node.stats().health_probes, 2);
    assert_eq!(node.stats().function_calls, 0);
}

#[tokio::test]
async fn degraded_still_answers_200_and_down_answers_503() {
    let node = start(DemoConfig::default()).await;
    let client = client();
    let healthz = url(&node, "/healthz");
    let admin = url(&node, "/_demo/health");

    let changed = client.post(&admin).body(r#"{"healthy":false}"#).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.text().await.unwrap(), r#"{"mode":"degraded"}"#);
    let (status, body) = probe(&client, &healthz).await;
    assert_eq!(status, 200, "a degraded DFaaS node still answers 200: only the body tells");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["components"]["proxy"], "down");
    assert_eq!(node.health(), HealthMode::Degraded);

    let changed = client.post(&admin).body(r#"{"mode":"down"}"#).send().await.unwrap();
    assert_eq!(changed.status(), 200);
    let (status, body) = probe(&client, &healthz).await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "down");
    let shown = client.get(&admin).send().await.unwrap().text().await.unwrap();
    assert_eq!(shown, r#"{"mode":"down"}"#);

    client.post(&admin).body(r#"{"healthy":true}"#).send().await.unwrap();
    let (status, body) = probe(&client, &healthz).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    assert_eq!(node.stats().health_probes, 3);
}

#[tokio::test]
async fn the_api_switches_health_and_bad_changes_are_refused() {
    let node = start(DemoConfig::default()).await;
    let client = client();
    node.set_health(HealthMode::Down);
    assert_eq!(probe(&client, &url(&node, "/healthz")).await.0, 503);
    node.set_health(HealthMode::Ok);
    assert_eq!(probe(&client, &url(&node, "/healthz")).await.0, 200);

    let refused = client.post(url(&node, "/_demo/health")).body(r#"{"mode":"sideways"}"#).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("invalid health change"));
    assert_eq!(node.health(), HealthMode::Ok);
    let wrong_method = client.delete(url(&node, "/healthz")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["allow"], "GET, HEAD");
}

#[tokio::test]
async fn the_default_server_id_is_the_listen_ip() {
    let node = start(DemoConfig::default()).await;
    assert_eq!(node.server_id(), "127.0.0.1");
    let response = client().get(url(&node, "/healthz")).send().await.unwrap();
    assert_eq!(served_by(&response), "127.0.0.1");
    assert_eq!(node.url().as_str(), format!("http://{}/", node.addr()));
}
