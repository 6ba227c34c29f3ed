//! `/function/<name>`: serves any name not deleted through the API, after the configured
//! latency, with the configured share of 500s; over `max-rate`, hands the call to `forward`.

use super::forward::{self, FORWARDED_BY};
use super::state::{Reply, State};
use bytes::{BufMut, Bytes, BytesMut};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::StatusCode;
use std::time::Instant;

/// The largest request body a node buffers to forward it (served calls are counted, not kept).
pub const MAX_FORWARDED_BODY: usize = 16 * 1024 * 1024;

const SIMULATED_ERROR: &str = "simulated error (the demo node's error rate)\n";
const NO_NAME: &str = "no function name: call /function/<name>\n";
const UNREADABLE: &str = "the request body could not be read\n";

/// The function a `/function/...` path calls: the segment after `/function/`, without any
/// sub-path (`/function/figlet/x` calls `figlet`). Empty when the path names none.
pub(super) fn function_name(path: &str) -> &str {
    let rest = path.strip_prefix("/function/").unwrap_or("");
    rest.split('/').next().unwrap_or("")
}

/// Reads a body to its end, counting its bytes without keeping them.
async fn drain(mut body: Incoming) -> Result<u64, hyper::Error> {
    let mut bytes = 0;
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            bytes += data.len() as u64;
        }
    }
    Ok(bytes)
}

/// Answers one `/function/<name>` call.
pub(super) async fn call(state: &State, parts: Parts, body: Incoming) -> Reply {
    let name = function_name(parts.uri.path());
    if name.is_empty() {
        // Read the body so the connection stays usable; its size does not matter here.
        let _ = drain(body).await;
        return state.text(StatusCode::NOT_FOUND, NO_NAME);
    }
    let entry = state.registry.lookup(name);
    state.counters.function_calls.inc();
    entry.counters.calls.inc();
    if entry.is_deleted() {
        let _ = drain(body).await;
        state.counters.not_found.inc();
        return state.error(StatusCode::NOT_FOUND, &format!("function `{name}` not found: it was deleted"));
    }
    let now = Instant::now();
    if parts.headers.contains_key(FORWARDED_BY) {
        state.counters.received_forwarded.inc();
        if let Some(meter) = &state.meter {
            meter.record(now);
        }
    } else if let Some(meter) = &state.meter {
        if !meter.try_admit(now) {
            let body = match Limited::new(body, MAX_FORWARDED_BODY).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => {
                    state.counters.aborted.inc();
                    return state.error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "the request body could not be read whole (at most 16 MiB is forwarded)",
                    );
                }
            };
            state.counters.body_bytes.add(body.len() as u64);
            return forward::forward(state, &parts, body).await;
        }
    }
    let received = match drain(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            state.counters.aborted.inc();
            return state.text(StatusCode::BAD_REQUEST, UNREADABLE);
        }
    };
    state.counters.body_bytes.add(received);
    let draw = state.draws.next();
    let latency = draw.latency(state.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    state.counters.served.inc();
    entry.counters.served.inc();
    if draw.is_error(state.error_rate) {
        state.counters.errors.inc();
        entry.counters.errors.inc();
        return state.text(StatusCode::INTERNAL_SERVER_ERROR, SIMULATED_ERROR);
    }
    state.text(StatusCode::OK, served_body(name, received))
}

/// `<name>: <n> bytes received\n`: small, deterministic, one allocation.
fn served_body(name: &str, received: u64) -> Bytes {
    let mut buf = BytesMut::with_capacity(name.len() + 40);
    buf.put_slice(name.as_bytes());
    buf.put_slice(b": ");
    buf.put_slice(itoa::Buffer::new().format(received).as_bytes());
    buf.put_slice(b" bytes received\n");
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_first_segment() {
        assert_eq!(function_name("/function/figlet"), "figlet");
        assert_eq!(function_name("/function/figlet/sub/path"), "figlet");
        assert_eq!(function_name("/function/"), "");
        assert_eq!(function_name("/function//x"), "");
    }

    #[test]
    fn served_bodies_name_the_function_and_the_size() {
        assert_eq!(served_body("figlet", 0), "figlet: 0 bytes received\n");
        assert_eq!(served_body("shasum", 1234567890), "shasum: 1234567890 bytes received\n");
        assert_eq!(served_body("f", u64::MAX), format!("f: {} bytes received\n", u64::MAX));
    }
}
