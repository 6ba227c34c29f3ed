//! The lean HTTP/1.1 client against scripted servers on 127.0.0.1: keep-alive reuse, every body
//! framing in any split, interim responses, stale keep-alive connections, recorded headers, kept
//! bodies, protocol errors, and the exact bytes of fixed and templated requests.

use dfaas_run::model::units::{Rate, StatusSet};
use dfaas_run::model::*;
use dfaas_run::runtime::attack::client::{ClientOptions, Failure, HttpClient, Response};
use dfaas_run::runtime::attack::request::{Endpoint, RequestFactory};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server answers to one request.
struct Reply {
    bytes: Vec<u8>,
    /// Close the connection after writing.
    close: bool,
    /// Write one byte at a time.
    trickle: bool,
}

fn reply(text: &str) -> Reply {
    Reply { bytes: text.as_bytes().to_vec(), close: false, trickle: false }
}

/// A server that answers request number `n` (counted over all connections) with `script(n)`,
/// and keeps every request it received, as text.
struct Server {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

async fn server(script: fn(usize) -> Reply) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (c, r) = (connections.clone(), requests.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve_connection(stream, r.clone(), script));
        }
    });
    Server { addr, connections, requests }
}

async fn serve_connection(mut stream: TcpStream, requests: Arc<Mutex<Vec<String>>>, script: fn(usize) -> Reply) {
    let mut buf = Vec::new();
    loop {
        // One request: the head, then `content-length` bytes of body.
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .map_or(0, |v| v.trim().parse().expect("a length"));
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let request: Vec<u8> = buf.drain(..head_end + length).collect();
        let n = {
            let mut all = requests.lock().expect("lock");
            all.push(String::from_utf8_lossy(&request).into_owned());
            all.len() - 1
        };
        let answer = script(n);
        if answer.trickle {
            for byte in &answer.bytes {
                if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                    return;
                }
                stream.flush().await.ok();
                tokio::task::yield_now().await;
            }
        } else if stream.write_all(&answer.bytes).await.is_err() {
            return;
        }
        if answer.close {
            return;
        }
    }
}

fn attack(target: &str, body: &str, keep_alive: bool) -> Attack {
    Attack {
        name: "t".into(),
        nodes: vec!["n".into()],
        after: vec![],
        delay: Duration::ZERO,
        load: Load::Open {
            profile: RateProfile { stages: vec![Stage::hold(Rate::per_second(1), Duration::from_secs(1))] },
        },
        max_in_flight: 100,
        timeout: Duration::from_secs(5),
        connections: None,
        keep_alive,
        http2: false,
        insecure: false,
        success: StatusSet::range(200, 399),
        record_headers: vec!["X-Server".into()],
        record_body: None,
        request: RequestSource::Spec(RequestSpec {
            method: if body.is_empty() { "GET".into() } else { "POST".into() },
            target: target.into(),
            headers: vec![Header { name: "Content-Type".into(), value: "text/plain".into() }],
            body: if body.is_empty() { Body::None } else { Body::Inline(body.into()) },
            feeder: None,
        }),
    }
}

fn options(keep_body: Option<usize>) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        keep_alive: true,
        http2: false,
        insecure: false,
        max_idle_per_host: 100,
        recorded_headers: vec![http::HeaderName::from_static("x-server")],
        keep_body,
    }
}

fn factory(a: &Attack, addr: SocketAddr) -> RequestFactory {
    let endpoint =
        Endpoint { name: "n".into(), base: url::Url::parse(&format!("http://{addr}")).expect("url"), headers: vec![] };
    RequestFactory::new(a, vec![endpoint]).expect("factory")
}

async fn send_all(client: &HttpClient, factory: &RequestFactory, count: u64) -> Vec<Response> {
    let mut responses = Vec::new();
    for seq in 0..count {
        responses.push(client.send(factory.build(seq).expect("built").request).await);
    }
    responses
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_and_records_headers() {
    let server = server(|_| reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Server: 10.0.0.7\r\n\r\nhello")).await;
    let client = HttpClient::new(options(Some(3)));
    let responses = send_all(&client, &factory(&attack("/f", "", true), server.addr), 20).await;
    assert!(responses.iter().all(|r| r.failure.is_none() && r.code == 200 && r.bytes_in == 5));
    assert!(responses.iter().all(|r| r.headers == vec![Some(http::HeaderValue::from_static("10.0.0.7"))]));
    assert!(responses.iter().all(|r| r.body.as_deref() == Some(&b"hel"[..])));
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn every_framing_in_any_pieces() {
    // Request n gets response n % 6; the connection survives all but the close-delimited one.
    let server = server(|n| match n % 6 {
        0 => Reply { trickle: true, ..reply("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd") },
        1 => Reply {
            trickle: true,
            ..reply("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n")
        },
        2 => reply("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok"),
        3 => reply("HTTP/1.1 204 No Content\r\n\r\n"),
        4 => reply("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        _ => Reply { close: true, ..reply("HTTP/1.1 200 OK\r\n\r\nuntil the end") },
    })
    .await;
    let client = HttpClient::new(options(None));
    let responses = send_all(&client, &factory(&attack("/f", "", true), server.addr), 12).await;
    let seen: Vec<(u16, u64)> = responses.iter().map(|r| (r.code, r.bytes_in)).collect();
    let once = [(200, 4), (201, 5), (202, 2), (204, 0), (503, 0), (200, 13)];
    assert_eq!(seen, [once, once].concat());
    assert!(responses.iter().all(|r| r.failure.is_none()), "{:?}", responses.iter().find(|r| r.failure.is_some()));
    // `Connection: close` and the close-delimited body each end a connection: 4 in all.
    assert_eq!(server.connections.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn an_idle_connection_closed_by_the_server_is_replaced_transparently() {
    // The server answers with keep-alive, then closes the connection anyway: whether the close
    // arrives before or after the next request is written, that request is sent once more.
    let server = server(|_| Reply { close: true, ..reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") }).await;
    let client = HttpClient::new(options(None));
    let factory = factory(&attack("/f", "", true), server.addr);
    for seq in 0..5 {
        let response = client.send(factory.build(seq).expect("built").request).await;
        assert_eq!((response.code, response.failure), (200, None), "request {seq}");
    }
    assert_eq!(server.requests.lock().expect("lock").len(), 5, "each request reached the server once");
    assert_eq!(server.connections.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn protocol_errors_and_cut_responses_are_failures() {
    let garbage = server(|_| Reply { close: true, ..reply("SMTP ready\r\n\r\n") }).await;
    let client = HttpClient::new(options(None));
    let response = client.send(factory(&attack("/f", "", true), garbage.addr).build(0).expect("built").request).await;
    assert!(matches!(response.failure, Some(Failure::Http(_))), "{:?}", response.failure);

    let cut = server(|_| Reply { close: true, ..reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") }).await;
    let response = client.send(factory(&attack("/f", "", true), cut.addr).build(0).expect("built").request).await;
    assert!(matches!(&response.failure, Some(Failure::Reset(m)) if m.contains("closed")), "{:?}", response.failure);
}

#[tokio::test]
async fn fixed_and_templated_requests_go_out_exactly() {
    let server = server(|_| reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).await;
    let client = HttpClient::new(options(None));
    let host = server.addr.to_string();
    send_all(&client, &factory(&attack("/fixed", "payload", true), server.addr), 1).await;
    send_all(&client, &factory(&attack("/t?n={{ seq }}", "hello {{ seq }}", true), server.addr), 2).await;
    send_all(&client, &factory(&attack("/closing", "", false), server.addr), 1).await;
    let requests = server.requests.lock().expect("lock").clone();
    assert_eq!(
        requests,
        [
            format!(
                "POST /fixed HTTP/1.1\r\nhost: {host}\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\npayload"
            ),
            format!(
                "POST /t?n=0 HTTP/1.1\r\nhost: {host}\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\nhello 0"
            ),
            format!(
                "POST /t?n=1 HTTP/1.1\r\nhost: {host}\r\ncontent-type: text/plain\r\ncontent-length: 7\r\n\r\nhello 1"
            ),
            format!("GET /closing HTTP/1.1\r\nhost: {host}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n"),
        ]
    );
}
