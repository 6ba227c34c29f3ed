//! `/function/<name>`: bodies and X-Server, error share with a fixed seed, latency never below
//! its minimum, HTTP/2, and graceful shutdown with a call in flight.

use super::support::{assert_calls_add_up, client, served_by, start, url};
use dfaas_run::runtime::demo::{DemoConfig, DemoNode};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

#[tokio::test]
async fn any_name_and_method_is_served_with_x_server() {
    let node = start(DemoConfig { server_id: "edge-1".into(), ..DemoConfig::default() }).await;
    let client = client();
    let response = client.post(url(&node, "/function/figlet")).body("hello").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(served_by(&response), "edge-1");
    assert_eq!(response.text().await.unwrap(), "figlet: 5 bytes received\n");
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = client.request(method, url(&node, "/function/shasum/sub/path?x=1")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "shasum: 0 bytes received\n");
    }
    let stats = node.stats();
    assert_eq!((stats.function_calls, stats.served, stats.errors, stats.body_bytes), (4, 4, 0, 5));
    assert_eq!(stats.functions["figlet"].calls, 1);
    assert_eq!(stats.functions["shasum"].served, 3);
    assert_calls_add_up(&stats);
}

#[tokio::test]
async fn paths_without_a_function_are_404_and_not_counted() {
    let node = start(DemoConfig::default()).await;
    let client = client();
    for path in ["/function/", "/nothing", "/functions/figlet"] {
        let response = client.get(url(&node, path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(served_by(&response), "127.0.0.1");
    }
    assert_eq!(node.stats().function_calls, 0);
}

/// Sends `count` calls, `batch` at a time, and returns how many were answered 500.
async fn count_errors(node: &DemoNode, count: usize, batch: usize) -> u64 {
    let client = client();
    let target = url(node, "/function/figlet");
    let mut errors = 0;
    for _ in 0..count / batch {
        let mut calls = JoinSet::new();
        for _ in 0..batch {
            let (client, target) = (client.clone(), target.clone());
            calls.spawn(async move { client.get(target).send().await.map(|r| r.status().as_u16()) });
        }
        while let Some(status) = calls.join_next().await {
            match status.unwrap().unwrap() {
                200 => {}
                500 => errors += 1,
                other => panic!("unexpected status {other}"),
            }
        }
    }
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_share_follows_the_rate_and_the_seed() {
    let config = DemoConfig { error_rate: 0.1, seed: Some(20_240_601), ..DemoConfig::default() };
    let node = start(config.clone()).await;
    let errors = count_errors(&node, 1000, 50).await;
    // Binomial(1000, 0.1): mean 100, standard deviation ≈ 9.5; allow five of them.
    assert!((53..=147).contains(&errors), "{errors} errors out of 1000 at 10%");
    let stats = node.stats();
    assert_eq!((stats.served, stats.errors), (1000, errors));
    assert_eq!(stats.functions["figlet"].errors, errors);
    // The same seed gives the same count, whatever order the concurrent calls arrived in.
    let twin = start(config).await;
    assert_eq!(count_errors(&twin, 1000, 25).await, errors);
}

#[tokio::test]
async fn error_rates_of_zero_and_one_are_exact() {
    let never = start(DemoConfig { error_rate: 0.0, ..DemoConfig::default() }).await;
    let always = start(DemoConfig { error_rate: 1.0, ..DemoConfig::default() }).await;
    assert_eq!(count_errors(&never, 100, 20).await, 0);
    assert_eq!(count_errors(&always, 100, 20).await, 100);
    let response = client().get(url(&always, "/function/figlet")).send().await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(served_by(&response), "127.0.0.1");
}

#[tokio::test]
async fn calls_are_never_faster_than_the_minimum_latency() {
    let minimum = Duration::from_millis(20);
    let node = start(DemoConfig { latency: (minimum, Duration::from_millis(30)), ..DemoConfig::default() }).await;
    let client = client();
    for _ in 0..5 {
        let sent = Instant::now();
        let response = client.get(url(&node, "/function/figlet")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.bytes().await.unwrap();
        let took = sent.elapsed();
        assert!(took >= minimum, "answered in {took:?}, below the {minimum:?} minimum");
    }
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served() {
    let node = start(DemoConfig { server_id: "h2".into(), ..DemoConfig::default() }).await;
    let client = reqwest::Client::builder().no_proxy().http2_prior_knowledge().build().unwrap();
    let response = client.post(url(&node, "/function/figlet")).body("abc").send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(served_by(&response), "h2");
    assert_eq!(response.text().await.unwrap(), "figlet: 3 bytes received\n");
}

#[tokio::test]
async fn shutdown_lets_the_call_in_flight_finish_then_refuses_new_ones() {
    let latency = Duration::from_millis(200);
    let node = start(DemoConfig { latency: (latency, latency), ..DemoConfig::default() }).await;
    let client = client();
    let target = url(&node, "/function/slow");
    let in_flight = tokio::spawn({
        let (client, target) = (client.clone(), target.clone());
        async move { client.get(target).send().await.map(|r| r.status().as_u16()) }
    });
    // Wait (without sleeping) until the node has the call, bounded in tries.
    let mut tries = 0;
    while node.stats().function_calls == 0 {
        tries += 1;
        assert!(tries < 10_000_000, "the call never reached the node");
        tokio::task::yield_now().await;
    }
    let stats = node.shutdown_with_stats().await;
    assert_eq!(in_flight.await.unwrap().unwrap(), 200, "the call in flight was answered");
    assert_eq!(stats.served, 1);
    let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
    assert!(fresh.get(&target).send().await.is_err(), "a stopped node accepts no new connection");
}

#[tokio::test]
async fn an_invalid_configuration_is_refused_at_start() {
    let reversed =
        DemoConfig { latency: (Duration::from_millis(5), Duration::from_millis(1)), ..DemoConfig::default() };
    let share = DemoConfig { error_rate: 1.5, ..DemoConfig::default() };
    let rate = DemoConfig { max_rate: Some(0.0), ..DemoConfig::default() };
    let header = DemoConfig { server_id: "bad\nid".into(), ..DemoConfig::default() };
    let peer = DemoConfig { peers: vec![url::Url::parse("https://127.0.0.1:1").unwrap()], ..DemoConfig::default() };
    for config in [reversed, share, rate, header, peer] {
        let shown = format!("{config:?}");
        let error = DemoNode::start(config).await.expect_err(&shown);
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{shown}: {error}");
    }
}
