//! The embedded demo target: a local mock DFaaS/OpenFaaS function node for the quick-start and
//! runtime tests. `DemoConfig` says how it behaves; `DemoNode::start` serves it until shut down.

mod forward;
mod function;
mod health;
mod openfaas;
mod random;
mod rate;
mod registry;
mod server;
mod state;
mod stats;

pub use forward::FORWARDED_BY;
pub use health::HealthMode;
pub use registry::MAX_TRACKED_FUNCTIONS;
pub use state::X_SERVER;
pub use stats::{DemoStats, FunctionStats};

use crate::model::{DemoSpec, Gateway};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How a demo node behaves. `DemoConfig::default()` is a healthy node on an ephemeral
/// 127.0.0.1 port answering at once, without errors, forwarding or auth.
#[derive(Clone)]
pub struct DemoConfig {
    /// Where to listen; port 0 picks a free port (see `DemoNode::addr`).
    pub listen: SocketAddr,
    /// The `X-Server` header value; empty means the IP the node is bound to.
    pub server_id: String,
    /// Each served call waits a latency drawn uniformly from `min..=max` before answering.
    pub latency: (Duration, Duration),
    /// Share of served `/function/` calls answered 500 (0.0..=1.0).
    pub error_rate: f64,
    /// Calls per second served here; calls beyond it are forwarded to `peers` (or answered 429).
    pub max_rate: Option<f64>,
    /// Where calls over `max_rate` go, round-robin (plain `http://` base URLs).
    pub peers: Vec<url::Url>,
    /// Basic-auth user and password required on `/system/*`.
    pub credentials: Option<(String, String)>,
    /// Seed of the latency and error draws; `None` seeds from the OS.
    pub seed: Option<u64>,
}

impl std::fmt::Debug for DemoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoConfig")
            .field("listen", &self.listen)
            .field("server_id", &self.server_id)
            .field("latency", &self.latency)
            .field("error_rate", &self.error_rate)
            .field("max_rate", &self.max_rate)
            .field("peers", &self.peers.iter().map(url::Url::as_str).collect::<Vec<_>>())
            .field("credentials", &self.credentials.as_ref().map(|(user, _)| (user.as_str(), "***")))
            .field("seed", &self.seed)
            .finish()
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            server_id: String::new(),
            latency: (Duration::ZERO, Duration::ZERO),
            error_rate: 0.0,
            max_rate: None,
            peers: Vec::new(),
            credentials: None,
            seed: None,
        }
    }
}

impl DemoConfig {
    /// The behaviour a scenario's `embedded demo { ... }` block declares. `forward-to` names
    /// nodes, not URLs: `peers` stays empty here, and whoever starts the nodes resolves the names
    /// (`DemoNode::set_peers` once every peer is bound). `server_id` is `server "..."` or empty
    /// (the bound IP).
    pub fn from_spec(spec: &DemoSpec, listen: SocketAddr) -> Self {
        DemoConfig {
            listen,
            server_id: spec.server.clone().unwrap_or_default(),
            latency: (spec.latency_min, spec.latency_max),
            error_rate: spec.error_rate.as_fraction(),
            max_rate: spec.max_rate.map(|r| r.as_per_second_f64()),
            peers: Vec::new(),
            credentials: None,
            seed: None,
        }
    }

    /// Requires the node's `gateway { user ...; password ... }` credentials on `/system/*`
    /// (when both are given).
    pub fn with_gateway(mut self, gateway: Option<&Gateway>) -> Self {
        if let Some(Gateway { user: Some(user), password: Some(password), .. }) = gateway {
            self.credentials = Some((user.clone(), password.0.clone()));
        }
        self
    }

    /// A value that cannot be honoured is an error, never silently adjusted.
    fn validate(&self) -> io::Result<()> {
        let invalid = |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        if self.latency.0 > self.latency.1 {
            return invalid(format!(
                "demo latency range is reversed: {:?} is above {:?}",
                self.latency.0, self.latency.1
            ));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return invalid(format!("demo error rate {} is not a share between 0 and 1", self.error_rate));
        }
        if let Some(rate) = self.max_rate {
            if !(rate.is_finite() && rate > 0.0) {
                return invalid(format!("demo max-rate {rate}/s must be a positive number of calls per second"));
            }
        }
        Ok(())
    }
}

/// A running demo node. Dropping it stops the server without waiting; `shutdown` waits for
/// in-flight requests.
pub struct DemoNode {
    addr: SocketAddr,
    url: url::Url,
    state: Arc<state::State>,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl DemoNode {
    /// Binds `config.listen` and serves; the node answers requests as soon as this returns.
    pub async fn start(config: DemoConfig) -> io::Result<DemoNode> {
        config.validate()?;
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let url = url::Url::parse(&format!("http://{addr}"))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{addr} gives no URL: {e}")))?;
        let server_id = if config.server_id.is_empty() { addr.ip().to_string() } else { config.server_id.clone() };
        let x_server = hyper::header::HeaderValue::from_str(&server_id).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("demo server id {server_id:?} cannot be an HTTP header value (use visible ASCII)"),
            )
        })?;
        let forwarder = forward::Forwarder::new(&x_server, &config.peers)?;
        let seed = config.seed.unwrap_or_else(rand::random);
        let state = Arc::new(state::State {
            server_id,
            x_server,
            latency: config.latency,
            error_rate: config.error_rate,
            draws: random::Draws::new(seed),
            meter: config.max_rate.map(|limit| rate::RateMeter::new(limit, Instant::now())),
            forwarder,
            credentials: config.credentials.as_ref().map(|(user, password)| openfaas::Credentials::new(user, password)),
            registry: registry::Registry::default(),
            counters: stats::Counters::default(),
            health: health::Health::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, state.clone(), stopped));
        Ok(DemoNode { addr, url, state, stop: Some(stop), task: Some(task) })
    }

    /// The bound address (the real port when `listen` asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`.
    pub fn url(&self) -> url::Url {
        self.url.clone()
    }

    /// The `X-Server` value this node answers with.
    pub fn server_id(&self) -> &str {
        &self.state.server_id
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> DemoStats {
        self.state.stats()
    }

    /// Replaces the forwarding peers (used when peers are bound after this node, or forward to
    /// each other). Refuses URLs that are not plain `http://`.
    pub fn set_peers(&self, peers: &[url::Url]) -> io::Result<()> {
        self.state.forwarder.set_peers(peers)
    }

    /// What `/healthz` reports from now on.
    pub fn set_health(&self, mode: HealthMode) {
        self.state.health.set(mode);
    }

    pub fn health(&self) -> HealthMode {
        self.state.health.get()
    }

    /// Stops accepting connections, lets in-flight requests finish, then returns.
    pub async fn shutdown(self) {
        self.shutdown_with_stats().await;
    }

    /// `shutdown`, then the final counters (in-flight requests included).
    pub async fn shutdown_with_stats(mut self) -> DemoStats {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            // The server task only ends by finishing its connections; a panic there has already
            // been reported by tokio and leaves nothing to clean up.
            let _ = task.await;
        }
        self.state.stats()
    }
}

impl Drop for DemoNode {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}

impl std::fmt::Debug for DemoNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoNode").field("url", &self.url.as_str()).field("server_id", &self.state.server_id).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::{Percent, Rate};
    use crate::model::Secret;

    #[test]
    fn a_scenario_demo_block_maps_to_a_config() {
        let spec = DemoSpec {
            latency_min: Duration::from_millis(5),
            latency_max: Duration::from_millis(20),
            error_rate: Percent::from_ppm(10_000),
            max_rate: Some(Rate::per_second(100)),
            forward_to: vec!["b".into(), "c".into()],
            server: Some("edge-a".into()),
        };
        let listen = SocketAddr::from(([127, 0, 0, 2], 0));
        let config = DemoConfig::from_spec(&spec, listen);
        assert_eq!(config.listen, listen);
        assert_eq!(config.server_id, "edge-a");
        assert_eq!(config.latency, (Duration::from_millis(5), Duration::from_millis(20)));
        assert_eq!(config.error_rate, 0.01);
        assert_eq!(config.max_rate, Some(100.0));
        assert!(config.peers.is_empty(), "forward-to names are resolved by whoever starts the peers");
        assert_eq!((config.credentials.clone(), config.seed), (None, None));

        let unnamed = DemoConfig::from_spec(&DemoSpec { server: None, max_rate: None, ..spec }, listen);
        assert_eq!((unnamed.server_id.as_str(), unnamed.max_rate), ("", None));
    }

    #[test]
    fn gateway_credentials_are_required_only_when_complete() {
        let gateway = |user: Option<&str>, password: Option<&str>| Gateway {
            url: None,
            user: user.map(str::to_string),
            password: password.map(|p| Secret(p.to_string())),
        };
        let both = DemoConfig::default().with_gateway(Some(&gateway(Some("admin"), Some("s3cret"))));
        assert_eq!(both.credentials, Some(("admin".to_string(), "s3cret".to_string())));
        assert!(!format!("{both:?}").contains("s3cret"), "Debug never shows the password");
        let user_only = DemoConfig::default().with_gateway(Some(&gateway(Some("admin"), None)));
        assert_eq!(user_only.credentials, None);
        assert_eq!(DemoConfig::default().with_gateway(None).credentials, None);
    }
}
