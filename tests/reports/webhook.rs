//! A webhook receiver for tests: an in-process hyper server on 127.0.0.1 that records every
//! request it gets and answers with a scripted sequence of statuses.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

/// One request the hook received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Statuses to answer, in order; the last one repeats.
    statuses: VecDeque<u16>,
}

pub struct Hook {
    pub url: String,
    state: Arc<Mutex<State>>,
    // Keeps the server's threads alive for as long as the hook.
    _runtime: tokio::runtime::Runtime,
}

impl Hook {
    /// Starts a receiver answering `statuses` in order (the last one repeats).
    pub fn start(statuses: &[u16]) -> Hook {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let state = Arc::new(Mutex::new(State { received: Vec::new(), statuses: statuses.iter().copied().collect() }));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("address");
        let shared = state.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(req, state.clone()));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Hook { url: format!("http://{addr}/hook"), state, _runtime: runtime }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("state").received.clone()
    }
}

async fn handle(req: Request<Incoming>, state: Arc<Mutex<State>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let headers = req
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let status = {
        let mut s = state.lock().expect("state");
        s.received.push(Received { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() });
        if s.statuses.len() > 1 {
            s.statuses.pop_front().unwrap_or(200)
        } else {
            s.statuses.front().copied().unwrap_or(200)
        }
    };
    let response = Response::builder().status(status).body(Full::new(Bytes::from_static(b"ok")));
    Ok(response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
