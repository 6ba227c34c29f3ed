//! The OpenFaaS gateway API of a demo node: deploy, list, inspect, update and delete functions,
//! bad requests, and basic auth on `/system/*` (and only there).

use super::support::{assert_calls_add_up, client, start, url};
use dfaas_run::runtime::demo::{DemoConfig, DemoNode};
use serde_json::{json, Value};

async fn list(client: &reqwest::RequestBuilder) -> Value {
    let response = client.try_clone().unwrap().send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn call_status(node: &DemoNode, name: &str) -> u16 {
    client().get(url(node, &format!("/function/{name}"))).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn deploy_list_update_delete_without_auth() {
    let node = start(DemoConfig::default()).await;
    let client = client();
    let functions = url(&node, "/system/functions");
    let deployment = json!({
        "service": "figlet",
        "image": "ghcr.io/openfaas/figlet:latest",
        "labels": {"dfaas.maxrate": "10"},
        "envVars": {"write_timeout": "10s"},
        "limits": {"memory": "128Mi"}
    });

    let deployed = client.post(&functions).json(&deployment).send().await.unwrap();
    assert_eq!(deployed.status(), 202);
    let again = client.post(&functions).json(&deployment).send().await.unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("already exists"));

    assert_eq!(call_status(&node, "figlet").await, 200);
    assert_eq!(call_status(&node, "figlet").await, 200);
    let listed = list(&client.get(&functions)).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let figlet = &listed[0];
    assert_eq!(figlet["name"], "figlet");
    assert_eq!(figlet["image"], "ghcr.io/openfaas/figlet:latest");
    assert_eq!(figlet["labels"], json!({"dfaas.maxrate": "10"}));
    assert_eq!(figlet["envVars"], json!({"write_timeout": "10s"}));
    assert_eq!(figlet["replicas"], 1);
    assert_eq!(figlet["invocationCount"], 2);
    let one: Value = client.get(url(&node, "/system/function/figlet")).send().await.unwrap().json().await.unwrap();
    assert_eq!(&one, figlet);
    let missing = client.get(url(&node, "/system/function/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    let update = json!({"service": "figlet", "image": "figlet:2", "labels": {"dfaas.maxrate": "20"}});
    assert_eq!(client.put(&functions).json(&update).send().await.unwrap().status(), 202);
    let listed = list(&client.get(&functions)).await;
    assert_eq!(
        (listed[0]["image"].as_str(), listed[0]["labels"]["dfaas.maxrate"].as_str()),
        (Some("figlet:2"), Some("20"))
    );
    let unknown = json!({"service": "nodeinfo", "image": "nodeinfo:1"});
    assert_eq!(client.put(&functions).json(&unknown).send().await.unwrap().status(), 404);

    let delete = json!({"functionName": "figlet"});
    assert_eq!(client.delete(&functions).json(&delete).send().await.unwrap().status(), 202);
    assert_eq!(call_status(&node, "figlet").await, 404, "a deleted function is no longer served");
    assert_eq!(call_status(&node, "shasum").await, 200, "other names still are");
    assert_eq!(client.delete(&functions).json(&delete).send().await.unwrap().status(), 404);
    assert_eq!(list(&client.get(&functions)).await, json!([]));

    assert_eq!(client.post(&functions).json(&deployment).send().await.unwrap().status(), 202);
    assert_eq!(call_status(&node, "figlet").await, 200, "deploying again serves it again");

    let stats = node.stats();
    assert_eq!((stats.deploys, stats.updates, stats.deletes), (2, 1, 1));
    assert_eq!((stats.function_calls, stats.served, stats.not_found), (5, 4, 1));
    assert_calls_add_up(&stats);
}

#[tokio::test]
async fn bad_requests_are_400_with_a_message() {
    let node = start(DemoConfig::default()).await;
    let client = client();
    let functions = url(&node, "/system/functions");
    let cases = [
        ("POST", "{not json", "invalid function deployment JSON"),
        ("POST", r#"{"image":"figlet:1"}"#, "missing field `service`"),
        ("POST", r#"{"service":"figlet"}"#, "missing field `image`"),
        ("PUT", r#"{"service":"Figlet!","image":"x"}"#, "invalid service name"),
        ("POST", r#"{"service":"figlet","image":" "}"#, "`image` is empty"),
        ("DELETE", r#"{"name":"figlet"}"#, "invalid delete request JSON"),
    ];
    for (method, body, message) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client.request(method.clone(), &functions).body(body).send().await.unwrap();
        assert_eq!(response.status(), 400, "{method} {body}");
        let text = response.text().await.unwrap();
        assert!(text.contains(message), "{method} {body}: {text}");
    }
    let patch = client.patch(&functions).send().await.unwrap();
    assert_eq!(patch.status(), 405);
    assert_eq!(patch.headers()["allow"], "GET, POST, PUT, DELETE");
    let stats = node.stats();
    assert_eq!((stats.deploys, stats.updates, stats.deletes), (0, 0, 0));
}

#[tokio::test]
async fn credentials_guard_the_system_api_only() {
    let node =
        start(DemoConfig { credentials: Some(("admin".into(), "s3cret".into())), ..DemoConfig::default() }).await;
    let client = client();
    let functions = url(&node, "/system/functions");
    let deployment = json!({"service": "figlet", "image": "figlet:1"});

    let anonymous = client.post(&functions).json(&deployment).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Basic realm=\"Restricted\"");
    let wrong = client.post(&functions).basic_auth("admin", Some("guess")).json(&deployment).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(client.get(url(&node, "/system/info")).send().await.unwrap().status(), 401);
    assert_eq!(node.stats().deploys, 0);

    let right = client.post(&functions).basic_auth("admin", Some("s3cret")).json(&deployment).send().await.unwrap();
    assert_eq!(right.status(), 202);
    let listed = list(&client.get(&functions).basic_auth("admin", Some("s3cret"))).await;
    assert_eq!(listed[0]["name"], "figlet");
    // Functions and health stay open, as on an OpenFaaS gateway.
    assert_eq!(call_status(&node, "figlet").await, 200);
    assert_eq!(client.get(url(&node, "/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(node.stats().deploys, 1);
}

#[tokio::test]
async fn system_info_describes_the_mock() {
    let node = start(DemoConfig::default()).await;
    let info: Value = client().get(url(&node, "/system/info")).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["provider"]["provider"], "dfaas-run demo node");
    assert_eq!(info["provider"]["orchestration"], "embedded");
    assert_eq!(info["version"]["release"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["arch"], std::env::consts::ARCH);
}
