//! What every request of one demo node shares (behaviour, counters, registry, health, peers),
//! and the response builders that stamp `X-Server` on everything the node answers itself.

use super::forward::Forwarder;
use super::health::Health;
use super::openfaas::Credentials;
use super::random::Draws;
use super::rate::RateMeter;
use super::registry::Registry;
use super::stats::{Counters, DemoStats};
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::time::Duration;

/// The body of every response the node sends.
pub(super) type Body = Full<Bytes>;
pub(super) type Reply = Response<Body>;

/// The header naming the node that served a response (DFaaS nodes set it; reports split by it).
pub const X_SERVER: HeaderName = HeaderName::from_static("x-server");
pub(super) const TEXT: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
pub(super) const JSON: HeaderValue = HeaderValue::from_static("application/json");

#[derive(Debug)]
pub(super) struct State {
    pub server_id: String,
    /// `server_id`, ready to put on every response.
    pub x_server: HeaderValue,
    pub latency: (Duration, Duration),
    pub error_rate: f64,
    pub draws: Draws,
    pub meter: Option<RateMeter>,
    pub forwarder: Forwarder,
    pub credentials: Option<Credentials>,
    pub registry: Registry,
    pub counters: Counters,
    pub health: Health,
}

impl State {
    /// A response from this node, with `X-Server` and the given content type.
    pub(super) fn reply(&self, status: StatusCode, content_type: HeaderValue, body: impl Into<Bytes>) -> Reply {
        let mut response = Response::new(Full::new(body.into()));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(X_SERVER, self.x_server.clone());
        headers.insert(CONTENT_TYPE, content_type);
        response
    }

    pub(super) fn text(&self, status: StatusCode, body: impl Into<Bytes>) -> Reply {
        self.reply(status, TEXT, body)
    }

    pub(super) fn json(&self, status: StatusCode, body: impl Into<Bytes>) -> Reply {
        self.reply(status, JSON, body)
    }

    /// A plain-text error, one line, as the OpenFaaS gateway answers them.
    pub(super) fn error(&self, status: StatusCode, message: &str) -> Reply {
        let mut body = String::with_capacity(message.len() + 1);
        body.push_str(message);
        body.push('\n');
        self.text(status, body)
    }

    pub(super) fn stats(&self) -> DemoStats {
        let mut stats = self.counters.snapshot();
        (stats.functions, stats.other_functions) = self.registry.stats();
        stats.recent_local_calls = self.meter.as_ref().map(|meter| meter.current(std::time::Instant::now()));
        stats
    }
}
