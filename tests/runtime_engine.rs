//! The attack engine against real HTTP servers started on 127.0.0.1 by each test: exact counts,
//! templating, closed model, max-in-flight accounting and failure classification.

use bytes::Bytes;
use dfaas_run::model::units::Rate;
use dfaas_run::model::*;
use dfaas_run::runtime::attack::client::{ClientOptions, Failure, HttpClient};
use dfaas_run::runtime::attack::engine::{Completed, Engine, Flight, Outcome, Sink};
use dfaas_run::runtime::attack::request::{Endpoint, RequestFactory};
use dfaas_run::runtime::attack::schedule::Schedule;
use dfaas_run::runtime::stop::Stop;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the test server does with each request.
#[derive(Clone, Copy)]
enum Behaviour {
    Ok,
    Delay(Duration),
    Status(u16),
}

/// A server on an ephemeral loopback port that records every request body it receives and the
/// highest number of requests it held at once.
struct TestServer {
    addr: SocketAddr,
    bodies: Arc<Mutex<Vec<String>>>,
    versions: Arc<Mutex<Vec<http::Version>>>,
    max_concurrent: Arc<AtomicU64>,
}

async fn serve(behaviour: Behaviour) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let versions = Arc::new(Mutex::new(Vec::new()));
    let current = Arc::new(AtomicU64::new(0));
    let max_concurrent = Arc::new(AtomicU64::new(0));
    let (b, cur, max, ver) = (bodies.clone(), current.clone(), max_concurrent.clone(), versions.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let (b, cur, max, ver) = (b.clone(), cur.clone(), max.clone(), ver.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (b, cur, max, ver) = (b.clone(), cur.clone(), max.clone(), ver.clone());
                    async move {
                        ver.lock().expect("lock").push(req.version());
                        let now = cur.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(now, Ordering::SeqCst);
                        let body = req.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                        b.lock().expect("lock").push(String::from_utf8_lossy(&body).into_owned());
                        let status = match behaviour {
                            Behaviour::Delay(d) => {
                                tokio::time::sleep(d).await;
                                200
                            }
                            Behaviour::Status(s) => s,
                            Behaviour::Ok => 200,
                        };
                        cur.fetch_sub(1, Ordering::SeqCst);
                        let mut response = hyper::Response::new(Full::new(Bytes::from_static(b"pong")));
                        *response.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
                        response.headers_mut().insert("x-server", "127.0.0.1".parse().expect("value"));
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    TestServer { addr, bodies, versions, max_concurrent }
}

/// When a raw server closes a connection, whatever its replies say.
#[derive(Clone, Copy, PartialEq)]
enum Closing {
    Never,
    AfterReply,
    /// Answers the first request, then closes on receiving the next one, unanswered.
    OnSecondRequest,
}

/// A server that answers every request with `reply`, written in one piece or a byte at a time
/// (`trickle`). Returns its address and how many requests it received.
async fn serve_raw(reply: &'static [u8], trickle: bool, closing: Closing) -> (SocketAddr, Arc<AtomicU64>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicU64::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                // Requests without a body: one read holds one whole request head.
                let mut received = 0;
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {
                    counted.fetch_add(1, Ordering::SeqCst);
                    received += 1;
                    if closing == Closing::OnSecondRequest && received == 2 {
                        return;
                    }
                    let pieces: Vec<&[u8]> = if trickle { reply.chunks(1).collect() } else { vec![reply] };
                    for piece in pieces {
                        if stream.write_all(piece).await.is_err() {
                            return;
                        }
                        stream.flush().await.ok();
                        tokio::task::yield_now().await;
                    }
                    if closing == Closing::AfterReply {
                        return;
                    }
                }
            });
        }
    });
    (addr, requests)
}

#[derive(Default)]
struct Collect(Mutex<Vec<Completed>>);

impl Sink for Collect {
    fn accept(&self, completed: Completed) {
        self.0.lock().expect("lock").push(completed);
    }
}

fn attack(rate_per_s: u64, millis: u64, body: &str) -> Attack {
    Attack {
        name: "t".into(),
        nodes: vec!["n".into()],
        after: vec![],
        delay: Duration::ZERO,
        load: Load::Open {
            profile: RateProfile {
                stages: vec![Stage::hold(Rate::per_second(rate_per_s), Duration::from_millis(millis))],
            },
        },
        max_in_flight: 10_000,
        timeout: Duration::from_secs(5),
        connections: None,
        keep_alive: true,
        http2: false,
        insecure: false,
        success: units::StatusSet::range(200, 399),
        record_headers: vec!["X-Server".into()],
        record_body: None,
        request: RequestSource::Spec(RequestSpec {
            method: "POST".into(),
            target: "/function/echo".into(),
            headers: vec![Header { name: "Content-Type".into(), value: "text/plain".into() }],
            body: if body.is_empty() { Body::None } else { Body::Inline(body.into()) },
            feeder: None,
        }),
    }
}

fn engine(a: &Attack, addr: SocketAddr, timeout: Duration, max_in_flight: u64) -> (Arc<Engine>, Arc<Collect>) {
    engine_with(a, addr, timeout, max_in_flight, None)
}

fn engine_with(
    a: &Attack,
    addr: SocketAddr,
    timeout: Duration,
    max_in_flight: u64,
    connections: Option<usize>,
) -> (Arc<Engine>, Arc<Collect>) {
    let endpoint =
        Endpoint { name: "n".into(), base: url::Url::parse(&format!("http://{addr}")).expect("url"), headers: vec![] };
    let factory = Arc::new(RequestFactory::new(a, vec![endpoint]).expect("factory"));
    let client = HttpClient::new(ClientOptions {
        timeout,
        keep_alive: true,
        http2: a.http2,
        insecure: false,
        max_idle_per_host: 1000,
        recorded_headers: vec![http::HeaderName::from_static("x-server")],
        keep_body: None,
    });
    let sink = Arc::new(Collect::default());
    let engine = Engine {
        factory,
        client,
        sink: sink.clone(),
        max_in_flight,
        connections: connections.map(|n| Arc::new(tokio::sync::Semaphore::new(n))),
        stop: Stop::new(),
        grace: Duration::from_secs(1),
        flight: Arc::new(Flight::default()),
    };
    (Arc::new(engine), sink)
}

fn open_profile(a: &Attack) -> Schedule {
    match &a.load {
        Load::Open { profile } => Schedule::new(profile),
        Load::Closed { .. } => unreachable!("open attacks only"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_model_sends_exactly_the_planned_requests() {
    let server = serve(Behaviour::Ok).await;
    let a = attack(200, 1000, "hello {{ seq }}");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 10_000);
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    assert_eq!(stats.scheduled, 200);
    assert_eq!(stats.sent, 200);
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len(), 200);
    let seqs: BTreeSet<u64> = done.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (0..200).collect());
    assert!(done.iter().all(|c| c.outcome == Outcome::Sent && c.response.code == 200 && c.response.failure.is_none()));
    assert!(done.iter().all(|c| c.response.headers[0].as_ref().is_some_and(|v| v == "127.0.0.1")));
    assert!(done.iter().all(|c| c.bytes_out == format!("hello {}", c.seq).len() as u64));
    let bodies: BTreeSet<String> = server.bodies.lock().expect("lock").iter().cloned().collect();
    assert_eq!(bodies, (0..200).map(|k| format!("hello {k}")).collect());
    // Send times follow the schedule: requests 5 ms apart, more than a tick, each leave at their
    // time, never before, and their lateness is exactly sent − scheduled.
    for c in done.iter() {
        let due = Duration::from_micros(c.seq * 5_000);
        assert!(c.sent_at >= due, "request {} sent at {:?}", c.seq, c.sent_at);
        assert_eq!(c.lateness.as_nanos(), c.sent_at.as_nanos() as i64 - due.as_nanos() as i64);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_closer_than_a_tick_leave_at_most_three_quarters_of_a_millisecond_early() {
    // 4 000/s: several requests per tick, the later ones sent ahead of their time.
    let server = serve(Behaviour::Ok).await;
    let a = attack(4_000, 100, "");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 10_000);
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    let done = sink.0.lock().expect("lock");
    assert_eq!((stats.sent, done.len()), (400, 400));
    assert!(done.iter().all(|c| c.response.code == 200));
    let early: Vec<Duration> = done.iter().filter_map(|c| c.lateness.early_by()).collect();
    assert!(!early.is_empty(), "a tick sends the requests due within its next 0.75 ms");
    assert!(early.iter().all(|&e| e <= Duration::from_micros(750)), "{:?}", early.iter().max());
    assert!(done.iter().all(|c| c.sent_at.as_nanos() as i64 - c.lateness.as_nanos() == c.seq as i64 * 250_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_accounts_for_every_request() {
    let server = serve(Behaviour::Delay(Duration::from_millis(300))).await;
    let a = attack(100, 500, "");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 3);
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    assert_eq!(stats.scheduled, 50);
    assert!(stats.not_sent > 0, "with 3 slots and 300 ms responses some requests cannot be sent");
    assert_eq!(stats.sent + stats.not_sent, 50);
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len(), 50, "every scheduled request is recorded");
    let unsent = done.iter().filter(|c| c.outcome == Outcome::NotSentInTime).count() as u64;
    assert_eq!(unsent, stats.not_sent);
    assert!(server.max_concurrent.load(Ordering::SeqCst) <= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_model_keeps_workers_busy() {
    let server = serve(Behaviour::Delay(Duration::from_millis(20))).await;
    let mut a = attack(1, 1, "");
    a.load = Load::Closed { workers: 4, duration: Duration::from_millis(300) };
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 10_000);
    let stats = engine.run_closed(4, Duration::from_millis(300), Instant::now()).await;
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len() as u64, stats.sent);
    assert!(stats.sent >= 4);
    let seqs: BTreeSet<u64> = done.iter().map(|c| c.seq).collect();
    assert_eq!(seqs.len(), done.len(), "sequence numbers are unique");
    assert!(server.max_concurrent.load(Ordering::SeqCst) <= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_classified() {
    // Connection refused: bind a port, then close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let a = attack(20, 100, "");
    let (engine_refused, sink) = engine(&a, closed, Duration::from_secs(2), 10_000);
    engine_refused.run_open(open_profile(&a), Instant::now()).await;
    {
        let done = sink.0.lock().expect("lock");
        assert_eq!(done.len(), 2);
        assert!(
            done.iter().all(|c| matches!(&c.response.failure, Some(Failure::Refused(_)))),
            "{:?}",
            done[0].response.failure
        );
    }

    // Timeout on a slow server.
    let slow = serve(Behaviour::Delay(Duration::from_secs(3))).await;
    let (engine_slow, sink) = engine(&a, slow.addr, Duration::from_millis(200), 10_000);
    engine_slow.run_open(open_profile(&a), Instant::now()).await;
    assert!(sink.0.lock().expect("lock").iter().all(|c| c.response.failure == Some(Failure::Timeout)));

    // A server that cuts the response short.
    let (truncated, _) =
        serve_raw(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b", false, Closing::AfterReply).await;
    let (engine_cut, sink) = engine(&a, truncated, Duration::from_secs(2), 10_000);
    engine_cut.run_open(open_profile(&a), Instant::now()).await;
    assert!(sink.0.lock().expect("lock").iter().all(|c| matches!(&c.response.failure, Some(Failure::Reset(_)))));

    // 5xx is a response, not a transport failure: the status is kept for the success rule.
    let failing = serve(Behaviour::Status(503)).await;
    let (engine_5xx, sink) = engine(&a, failing.addr, Duration::from_secs(2), 10_000);
    engine_5xx.run_open(open_profile(&a), Instant::now()).await;
    assert!(sink.0.lock().expect("lock").iter().all(|c| c.response.code == 503 && c.response.failure.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_the_schedule_and_records_in_flight_requests() {
    let server = serve(Behaviour::Delay(Duration::from_secs(5))).await;
    let a = attack(50, 10_000, "");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(30), 10_000);
    let stop = engine.stop.clone();
    let run = tokio::spawn(engine.clone().run_open(open_profile(&a), Instant::now()));
    // Stop once the server holds a few requests.
    while server.max_concurrent.load(Ordering::SeqCst) < 3 {
        tokio::task::yield_now().await;
    }
    stop.stop();
    let stats = run.await.expect("engine finishes");
    assert!(stats.scheduled < 500);
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len() as u64, stats.sent + stats.not_sent, "every sent request is recorded");
    assert!(stats.interrupted > 0);
    assert!(done.iter().filter(|c| c.outcome == Outcome::Interrupted).count() as u64 == stats.interrupted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_spoken_when_asked() {
    let server = serve(Behaviour::Ok).await;
    let mut a = attack(100, 200, "h2 {{ seq }}");
    a.http2 = true;
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 10_000);
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    assert_eq!(stats.sent, 20);
    assert!(sink.0.lock().expect("lock").iter().all(|c| c.response.code == 200), "every request answered");
    let versions = server.versions.lock().expect("lock");
    assert_eq!(versions.len(), 20);
    assert!(versions.iter().all(|v| *v == http::Version::HTTP_2), "{versions:?}");
}

/// An HTTPS server with a self-signed certificate for `localhost`.
async fn serve_tls() -> SocketAddr {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let der = cert.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else { return };
                let service = service_fn(|_req: hyper::Request<hyper::body::Incoming>| async {
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"secure"))))
                });
                let io = hyper_util::rt::TokioIo::new(tls);
                let _ = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_verified_unless_insecure() {
    let addr = serve_tls().await;
    let base = url::Url::parse(&format!("https://localhost:{}", addr.port())).expect("url");
    for insecure in [false, true] {
        let mut a = attack(20, 100, "");
        a.insecure = insecure;
        let endpoint = Endpoint { name: "n".into(), base: base.clone(), headers: vec![] };
        let (mut engine, sink) = engine(&a, addr, Duration::from_secs(5), 10_000);
        let factory = Arc::new(RequestFactory::new(&a, vec![endpoint]).expect("factory"));
        let client = HttpClient::new(ClientOptions {
            timeout: Duration::from_secs(5),
            keep_alive: true,
            http2: false,
            insecure,
            max_idle_per_host: 10,
            recorded_headers: vec![],
            keep_body: None,
        });
        let e = Arc::get_mut(&mut engine).expect("not shared yet");
        e.factory = factory;
        e.client = client;
        engine.run_open(open_profile(&a), Instant::now()).await;
        let done = sink.0.lock().expect("lock");
        assert_eq!(done.len(), 2);
        if insecure {
            assert!(
                done.iter().all(|c| c.response.code == 200 && c.response.failure.is_none()),
                "{:?}",
                done[0].response
            );
        } else {
            assert!(
                done.iter().all(|c| matches!(&c.response.failure, Some(Failure::Tls(m)) if m.contains("certificate"))),
                "a self-signed certificate is refused by default: {:?}",
                done[0].response
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_reads_every_framing_in_any_pieces() {
    let replies: [(&'static [u8], u64); 4] = [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Server: a\r\n\r\nhello", 5),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 5),
        (b"HTTP/1.1 204 No Content\r\n\r\n", 0),
        (b"HTTP/1.0 200 OK\r\n\r\nuntil the close", 15),
    ];
    for (reply, bytes_in) in replies {
        for trickle in [false, true] {
            let until_close = reply.starts_with(b"HTTP/1.0");
            let closing = if until_close { Closing::AfterReply } else { Closing::Never };
            let (addr, requests) = serve_raw(reply, trickle, closing).await;
            let a = attack(100, 100, "");
            let (engine, sink) = engine(&a, addr, Duration::from_secs(5), 10_000);
            let stats = engine.run_open(open_profile(&a), Instant::now()).await;
            let done = sink.0.lock().expect("lock");
            let what = format!("{} trickle {trickle}", String::from_utf8_lossy(&reply[..20]));
            assert_eq!((stats.sent, done.len(), requests.load(Ordering::SeqCst)), (10, 10, 10), "{what}");
            for c in done.iter() {
                assert_eq!(c.response.failure, None, "{what}");
                assert!([200, 201, 204].contains(&c.response.code), "{what}");
                assert_eq!(c.response.bytes_in, bytes_in, "{what}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_reuses_only_connections_left_open_and_clean() {
    let reply: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let with_bytes_after: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    // Keep-alive promised, then the connection closed at once: seen at the next tick, before the
    // next request, so that request goes on a new connection and reaches the server once.
    // Closed only when the next request arrives: that request meets a connection closed with no
    // byte of a response and goes out once more on a new connection, so the server gets it twice
    // (the second request always does: it is the first to reuse a connection).
    // Bytes after the response, arriving with it: the engine's epoll reports a connection once
    // per arrival, so they must be seen when the response is read, and the connection dropped.
    for (reply, closing, received) in [
        (reply, Closing::AfterReply, 10..=10),
        (reply, Closing::OnSecondRequest, 11..=19),
        (with_bytes_after, Closing::Never, 10..=10),
    ] {
        let (addr, requests) = serve_raw(reply, false, closing).await;
        let a = attack(50, 200, "");
        let (engine, sink) = engine(&a, addr, Duration::from_secs(5), 10_000);
        let stats = engine.run_open(open_profile(&a), Instant::now()).await;
        let done = std::mem::take(&mut *sink.0.lock().expect("lock"));
        assert_eq!((stats.sent, done.len()), (10, 10));
        assert!(done.iter().all(|c| c.response.code == 200 && c.response.failure.is_none()), "{:?}", done[0].response);
        assert!(received.contains(&requests.load(Ordering::SeqCst)), "{}", requests.load(Ordering::SeqCst));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_reports_protocol_errors() {
    let (addr, _) = serve_raw(b"SMTP ready\r\n\r\n", false, Closing::AfterReply).await;
    let a = attack(50, 100, "");
    let (engine, sink) = engine(&a, addr, Duration::from_secs(5), 10_000);
    engine.run_open(open_profile(&a), Instant::now()).await;
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len(), 5);
    assert!(done.iter().all(|c| matches!(&c.response.failure, Some(Failure::Http(_)))), "{:?}", done[0].response);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_ends_when_the_response_arrives_not_when_it_is_read() {
    // The server holds each response 60 ms: no latency can be shorter, and the kernel's receive
    // timestamps keep it from including the wait until the pacer's next look.
    let server = serve(Behaviour::Delay(Duration::from_millis(60))).await;
    let a = attack(20, 200, "");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 10_000);
    engine.run_open(open_profile(&a), Instant::now()).await;
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len(), 4);
    assert!(done.iter().all(|c| c.latency >= Duration::from_millis(60)), "{:?}", done.iter().map(|c| c.latency));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_cap_queues_requests_until_a_connection_is_free() {
    let server = serve(Behaviour::Delay(Duration::from_millis(30))).await;
    let a = attack(200, 200, "");
    let (engine, sink) = engine_with(&a, server.addr, Duration::from_secs(5), 10_000, Some(2));
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    let done = sink.0.lock().expect("lock");
    assert_eq!((stats.sent, done.len()), (40, 40));
    assert!(done.iter().all(|c| c.response.code == 200), "every request answered");
    assert!(server.max_concurrent.load(Ordering::SeqCst) <= 2, "never more than 2 connections busy");
    // Queued requests went out late, and say so.
    assert!(done.iter().any(|c| c.lateness.late_by() >= Duration::from_millis(30)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_due_and_not_sent_yet_count_against_max_in_flight() {
    // 20 000/s with at most 2 in flight: every tick (750 µs at least) finds about 15 requests
    // due. Those are owed, so they count as in flight: the oldest are recorded as not sent in
    // time rather than sent ever later, and the server never holds more than 2.
    let server = serve(Behaviour::Ok).await;
    let a = attack(20_000, 50, "");
    let (engine, sink) = engine(&a, server.addr, Duration::from_secs(5), 2);
    let stats = engine.run_open(open_profile(&a), Instant::now()).await;
    assert_eq!((stats.scheduled, stats.sent + stats.not_sent), (1000, 1000));
    assert!(stats.not_sent > 0 && stats.sent > 0, "{stats:?}");
    let done = sink.0.lock().expect("lock");
    assert_eq!(done.len(), 1000, "every scheduled request is recorded");
    assert_eq!(done.iter().filter(|c| c.outcome == Outcome::NotSentInTime).count() as u64, stats.not_sent);
    assert!(server.max_concurrent.load(Ordering::SeqCst) <= 2);
}
