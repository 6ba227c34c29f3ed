//! Starting the scenario's `embedded demo` nodes before a run (and stopping them after): each gets
//! its `url`'s address or a free loopback port, and the URLs of the peers it forwards to.

use super::demo::{DemoConfig, DemoNode};
use crate::model::Scenario;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};

/// The URLs of every node of the scenario, and the demo nodes serving some of them.
pub struct DemoNodes {
    pub urls: BTreeMap<String, url::Url>,
    running: Vec<DemoNode>,
}

impl DemoNodes {
    pub async fn shutdown(self) {
        for node in self.running {
            node.shutdown().await;
        }
    }
}

/// The address a demo node listens on: its URL's host and port, or a free loopback port.
fn listen_address(url: Option<&url::Url>) -> Result<SocketAddr, String> {
    let Some(url) = url else {
        let probe = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("cannot find a free port: {e}"))?;
        return probe.local_addr().map_err(|e| format!("cannot find a free port: {e}"));
    };
    let host = url.host_str().unwrap_or("127.0.0.1");
    let port = url.port_or_known_default().unwrap_or(80);
    let addr = (host.trim_start_matches('[').trim_end_matches(']'), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
        .find(|a| a.ip().is_loopback())
        .ok_or_else(|| format!("an embedded demo node serves on loopback addresses only; `{url}` is not one"))?;
    Ok(addr)
}

pub async fn start(scenario: &Scenario) -> Result<DemoNodes, String> {
    let mut urls = BTreeMap::new();
    let mut listen = BTreeMap::new();
    for node in &scenario.nodes {
        match (&node.demo, &node.url) {
            (None, Some(url)) => {
                urls.insert(node.name.clone(), url.clone());
            }
            (None, None) => return Err(format!("node `{}` has no URL", node.name)),
            (Some(_), url) => {
                let addr = listen_address(url.as_ref())?;
                let url = url
                    .clone()
                    .unwrap_or_else(|| url::Url::parse(&format!("http://{addr}")).expect("an address is a valid URL"));
                listen.insert(node.name.clone(), addr);
                urls.insert(node.name.clone(), url);
            }
        }
    }
    let mut running = Vec::new();
    for node in &scenario.nodes {
        let (Some(spec), Some(addr)) = (&node.demo, listen.get(&node.name)) else { continue };
        let mut config = DemoConfig::from_spec(spec, *addr).with_gateway(node.gateway.as_ref());
        config.peers = spec.forward_to.iter().filter_map(|peer| urls.get(peer).cloned()).collect();
        match DemoNode::start(config).await {
            Ok(demo) => running.push(demo),
            Err(e) => {
                for started in running {
                    started.shutdown().await;
                }
                return Err(format!("cannot start the embedded demo node `{}` on {addr}: {e}", node.name));
            }
        }
    }
    Ok(DemoNodes { urls, running })
}
