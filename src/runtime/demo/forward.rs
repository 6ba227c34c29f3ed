//! Overload forwarding, as a DFaaS node does it: a call over `max-rate` goes to the next peer
//! (round-robin), marked so the peer serves it whatever its own load; the peer's answer is relayed.

use super::state::{Reply, State};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Marks a forwarded call (its value: the forwarding node's server id). A node receiving it
/// serves the call itself: forwarded load is never forwarded again.
pub const FORWARDED_BY: HeaderName = HeaderName::from_static("x-dfaas-forwarded-by");

/// How long a peer may take to answer (headers and body) before the call is answered 429.
const PEER_TIMEOUT: Duration = Duration::from_secs(10);

const NO_PEER: &str = "over max-rate, and no peer to forward to\n";

#[derive(Debug)]
struct Peer {
    /// `http://host:port` plus the URL's path without its trailing `/`: the forwarded call's
    /// path and query are appended.
    base: String,
}

#[derive(Debug)]
pub(super) struct Forwarder {
    marker: HeaderValue,
    peers: RwLock<Arc<[Peer]>>,
    next: AtomicUsize,
    client: Client<HttpConnector, Full<Bytes>>,
}

fn peers_of(urls: &[url::Url]) -> io::Result<Arc<[Peer]>> {
    urls.iter()
        .map(|url| {
            if url.scheme() != "http" || url.host().is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("demo nodes forward to plain `http://host:port` peers; `{url}` is not one"),
                ));
            }
            let mut base = format!("http://{}", &url[url::Position::BeforeHost..url::Position::AfterPort]);
            base.push_str(url.path().trim_end_matches('/'));
            Ok(Peer { base })
        })
        .collect()
}

impl Forwarder {
    pub(super) fn new(marker: &HeaderValue, peers: &[url::Url]) -> io::Result<Self> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(PEER_TIMEOUT));
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(30)).build(connector);
        Ok(Forwarder {
            marker: marker.clone(),
            peers: RwLock::new(peers_of(peers)?),
            next: AtomicUsize::new(0),
            client,
        })
    }

    pub(super) fn set_peers(&self, urls: &[url::Url]) -> io::Result<()> {
        let peers = peers_of(urls)?;
        *self.peers.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = peers;
        Ok(())
    }

    fn snapshot(&self) -> Arc<[Peer]> {
        self.peers.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Sends the call to `peer` and relays its answer; `Err` says why the peer failed.
    async fn send(&self, peer: &Peer, parts: &Parts, body: Bytes) -> Result<Reply, String> {
        let path = parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let mut target = String::with_capacity(peer.base.len() + path.len());
        target.push_str(&peer.base);
        target.push_str(path);
        let uri: Uri = target.parse().map_err(|e| format!("`{target}` is not a valid target: {e}"))?;
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        for (name, value) in &parts.headers {
            if is_end_to_end(name) {
                headers.append(name, value.clone());
            }
        }
        headers.insert(FORWARDED_BY, self.marker.clone());
        let response = tokio::time::timeout(PEER_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| format!("{} did not answer within {PEER_TIMEOUT:?}", peer.base))?
            .map_err(|e| format!("{}: {e}", peer.base))?;
        let (head, body) = response.into_parts();
        let body = tokio::time::timeout(PEER_TIMEOUT, body.collect())
            .await
            .map_err(|_| format!("{} did not finish its answer within {PEER_TIMEOUT:?}", peer.base))?
            .map_err(|e| format!("{}: the answer broke off: {e}", peer.base))?
            .to_bytes();
        let mut reply = Response::new(Full::new(body));
        *reply.status_mut() = head.status;
        let headers = reply.headers_mut();
        for (name, value) in &head.headers {
            if is_end_to_end(name) {
                headers.append(name, value.clone());
            }
        }
        Ok(reply)
    }
}

/// Headers that belong to the call rather than to one connection (RFC 9110 §7.6.1), minus
/// those the relaying connection sets itself.
fn is_end_to_end(name: &HeaderName) -> bool {
    !(name == header::CONNECTION
        || name == header::TRANSFER_ENCODING
        || name == header::TE
        || name == header::TRAILER
        || name == header::UPGRADE
        || name == header::PROXY_AUTHENTICATE
        || name == header::PROXY_AUTHORIZATION
        || name == header::HOST
        || name == header::CONTENT_LENGTH
        || name.as_str() == "keep-alive"
        || name.as_str() == "proxy-connection")
}

/// A 429 from this node: over its max-rate with nowhere to send the call.
fn too_many(state: &State, body: impl Into<Bytes>) -> Reply {
    let mut reply = state.text(StatusCode::TOO_MANY_REQUESTS, body);
    reply.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    reply
}

/// Hands a call over this node's max-rate to the next peer; 429 when there is none or it fails.
/// `body` has been read already (forwarding needs all of it).
pub(super) async fn forward(state: &State, parts: &Parts, body: Bytes) -> Reply {
    let peers = state.forwarder.snapshot();
    if peers.is_empty() {
        state.counters.rejected.inc();
        return too_many(state, NO_PEER);
    }
    let peer = &peers[state.forwarder.next.fetch_add(1, Ordering::Relaxed) % peers.len()];
    match state.forwarder.send(peer, parts, body).await {
        Ok(reply) => {
            state.counters.forwarded.inc();
            reply
        }
        Err(why) => {
            state.counters.forward_failures.inc();
            state.counters.rejected.inc();
            too_many(state, format!("over max-rate, and forwarding failed: {why}\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_keep_their_path_prefix_and_refuse_other_schemes() {
        let urls = ["http://127.0.0.1:8081", "http://localhost:9000/prefix/"].map(|u| url::Url::parse(u).unwrap());
        let peers = peers_of(&urls).unwrap();
        assert_eq!(peers[0].base, "http://127.0.0.1:8081");
        assert_eq!(peers[1].base, "http://localhost:9000/prefix");
        let tls = [url::Url::parse("https://127.0.0.1:8443").unwrap()];
        assert!(peers_of(&tls).is_err());
    }

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        assert!(!is_end_to_end(&header::CONNECTION));
        assert!(!is_end_to_end(&HeaderName::from_static("keep-alive")));
        assert!(is_end_to_end(&header::CONTENT_TYPE));
        assert!(is_end_to_end(&HeaderName::from_static("x-server")));
    }
}
