//! The HTTP server of a demo node: accepts HTTP/1.1 and HTTP/2 (prior knowledge) connections,
//! routes each request to its concept, and shuts down gracefully when told to.

use super::health;
use super::state::{Reply, State};
use super::{function, openfaas};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Serves until `stop` turns true (or its sender is gone), then stops accepting, asks every
/// connection to close once its in-flight requests are answered, and waits for them.
pub(super) async fn serve(listener: TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) {
    let builder = auto::Builder::new(TokioExecutor::new());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small answers matter more than batching; a failure only costs latency.
                    let _ = stream.set_nodelay(true);
                    let state = state.clone();
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(route(&state, request).await) }
                    });
                    let connection = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                    let mut stop = stop.clone();
                    connections.spawn(async move {
                        tokio::pin!(connection);
                        tokio::select! {
                            _ = connection.as_mut() => {}
                            _ = stopped(&mut stop) => {
                                connection.as_mut().graceful_shutdown();
                                let _ = connection.await;
                            }
                        }
                    });
                }
                // Out of file descriptors and the like: let connections finish before retrying.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Resolves once the node is told to stop (or whoever could tell it is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: nobody can keep the node running any more.
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Sends a request to the endpoint its path names.
async fn route(state: &State, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    if path.starts_with("/function/") {
        return function::call(state, parts, body).await;
    }
    if path.starts_with("/system/") {
        return openfaas::system(state, parts, body).await;
    }
    match path {
        "/healthz" => match parts.method {
            Method::GET | Method::HEAD => {
                state.counters.health_probes.inc();
                let (status, body) = state.health.get().response();
                state.json(status, body)
            }
            _ => not_allowed(state, "GET, HEAD"),
        },
        "/_demo/stats" => match parts.method {
            Method::GET => {
                let stats = state.stats();
                match serde_json::to_string(&stats) {
                    Ok(body) => state.json(StatusCode::OK, body),
                    Err(e) => state.error(StatusCode::INTERNAL_SERVER_ERROR, &format!("stats: {e}")),
                }
            }
            _ => not_allowed(state, "GET"),
        },
        "/_demo/health" => match parts.method {
            Method::GET => state.json(StatusCode::OK, state.health.get().admin_body()),
            Method::POST => {
                let body = match http_body_util::Limited::new(body, 64 * 1024).collect().await {
                    Ok(collected) => collected.to_bytes(),
                    Err(_) => return state.error(StatusCode::BAD_REQUEST, "the request body could not be read"),
                };
                match health::parse_change(&body) {
                    Ok(mode) => {
                        state.health.set(mode);
                        state.json(StatusCode::OK, mode.admin_body())
                    }
                    Err(message) => state.error(StatusCode::BAD_REQUEST, &message),
                }
            }
            _ => not_allowed(state, "GET, POST"),
        },
        _ => state.error(
            StatusCode::NOT_FOUND,
            &format!("no such endpoint: {path} (try /function/<name>, /healthz, /system/functions)"),
        ),
    }
}

fn not_allowed(state: &State, allow: &'static str) -> Reply {
    let mut reply = state.error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    reply.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    reply
}
