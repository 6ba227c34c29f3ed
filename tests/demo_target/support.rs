//! Helpers shared by the demo target tests: an HTTP client that never uses a proxy, starting
//! nodes, and distinct loopback addresses (with a fallback where 127.0.0.2-4 cannot be bound).

use dfaas_run::runtime::demo::{DemoConfig, DemoNode, DemoStats};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// A test client: no proxy from the environment, every request bounded in time.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().expect("a plain HTTP client builds")
}

pub async fn start(config: DemoConfig) -> DemoNode {
    DemoNode::start(config).await.expect("the demo node binds an ephemeral loopback port")
}

pub fn url(node: &DemoNode, path: &str) -> String {
    format!("http://{}{path}", node.addr())
}

/// The `X-Server` header of a response.
pub fn served_by(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-server")
        .and_then(|v| v.to_str().ok())
        .expect("every demo response carries X-Server")
        .to_string()
}

/// `count` listen addresses on distinct IPs 127.0.0.2, .3, ... (ephemeral ports); where those
/// cannot be bound, distinct ports on 127.0.0.1, with a note.
pub fn distinct_loopback(count: u8) -> Vec<SocketAddr> {
    let ips: Vec<IpAddr> = (0..count).map(|i| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + i))).collect();
    let bindable = ips.iter().all(|ip| std::net::TcpListener::bind((*ip, 0)).is_ok());
    if bindable {
        ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect()
    } else {
        eprintln!("note: 127.0.0.2-{} cannot be bound here; the nodes share 127.0.0.1 on distinct ports", 1 + count);
        (0..count).map(|_| SocketAddr::from(([127, 0, 0, 1], 0))).collect()
    }
}

/// The counters of `/function/` calls always add up.
pub fn assert_calls_add_up(stats: &DemoStats) {
    assert_eq!(
        stats.function_calls,
        stats.served + stats.forwarded + stats.rejected + stats.not_found + stats.aborted,
        "{stats:#?}"
    );
}
