//! The attack's HTTP/1.1 client for plain `http://` targets: pooled keep-alive connections, one
//! write per request and responses read into each connection's buffer, with no allocation per
//! request. A request that meets a keep-alive connection the server had closed is sent once more.

use super::client::{ClientOptions, Failure, Response};
use super::http1_reader::{Read, ReadBuffer, ResponseReader};
use super::http1_response::{Framing, Head};
use super::wire::{encode_request, Origin};
use http::{HeaderMap, Method, Uri};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What to send: bytes prepared once, or parts encoded into the connection's write buffer.
pub enum Outgoing<'a> {
    Wire(&'a [u8]),
    Parts { method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap, body: &'a [u8] },
}

pub struct Http1Client {
    options: Arc<ClientOptions>,
    /// Idle connections per origin (few origins: a short list beats a hash map).
    idle: Mutex<Vec<(Box<str>, Vec<Conn>)>>,
}

struct Conn {
    stream: TcpStream,
    received: ReadBuffer,
    /// Requests encoded per request are written from here.
    out: Vec<u8>,
}

/// How an exchange failed.
pub(super) enum ExchangeError {
    /// The connection failed or closed; `nothing_received` when no byte of a response came.
    Io {
        error: io::Error,
        nothing_received: bool,
    },
    Closed {
        nothing_received: bool,
    },
    Protocol(String),
}

impl ExchangeError {
    pub(super) fn nothing_received(&self) -> bool {
        matches!(
            self,
            ExchangeError::Io { nothing_received: true, .. } | ExchangeError::Closed { nothing_received: true }
        )
    }

    pub(super) fn failure(self) -> Failure {
        match self {
            ExchangeError::Io { error, .. } => io_failure(&error),
            ExchangeError::Closed { .. } => Failure::Reset("connection closed before message completed".into()),
            ExchangeError::Protocol(message) => Failure::Http(message),
        }
    }
}

pub(super) fn io_failure(error: &io::Error) -> Failure {
    use io::ErrorKind as K;
    match error.kind() {
        K::ConnectionRefused => Failure::Refused(error.to_string()),
        K::TimedOut => Failure::Timeout,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            Failure::Reset(error.to_string())
        }
        _ => Failure::Other(error.to_string()),
    }
}

impl Http1Client {
    pub fn new(options: Arc<ClientOptions>) -> Self {
        Http1Client { options, idle: Mutex::new(Vec::new()) }
    }

    /// Sends one request to `origin` and reads the whole response (the caller bounds the time).
    pub async fn send(&self, origin: &Origin, outgoing: Outgoing<'_>, head_request: bool) -> Response {
        let (mut conn, reused) = match self.take_idle(&origin.authority) {
            Some(conn) => (conn, true),
            None => match connect(origin).await {
                Ok(conn) => (conn, false),
                Err(failure) => return Response { failure: Some(failure), ..Response::default() },
            },
        };
        let mut result = self.exchange(&mut conn, &outgoing, head_request).await;
        if reused && result.as_ref().err().is_some_and(ExchangeError::nothing_received) {
            // The server closed the idle connection meanwhile: the request did not reach it.
            conn = match connect(origin).await {
                Ok(conn) => conn,
                Err(failure) => return Response { failure: Some(failure), ..Response::default() },
            };
            result = self.exchange(&mut conn, &outgoing, head_request).await;
        }
        match result {
            Ok((response, reusable)) => {
                if reusable {
                    self.put_idle(&origin.authority, conn);
                }
                response
            }
            Err(e) => Response { failure: Some(e.failure()), ..Response::default() },
        }
    }

    /// An idle connection to `authority` that the server has not closed, as far as the runtime
    /// has seen (a close it has not seen yet is caught by sending the request once more).
    fn take_idle(&self, authority: &str) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let conns = &mut idle.iter_mut().find(|(a, _)| **a == *authority)?.1;
        while let Some(conn) = conns.pop() {
            // No system call unless the connection became readable while idle: then it is either
            // closed or sent something unasked for, and is dropped either way.
            if matches!(conn.stream.try_read(&mut [0u8; 1]), Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
                return Some(conn);
            }
        }
        None
    }

    fn put_idle(&self, authority: &str, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let at = match idle.iter().position(|(a, _)| **a == *authority) {
            Some(at) => at,
            None => {
                idle.push((authority.into(), Vec::new()));
                idle.len() - 1
            }
        };
        let conns = &mut idle[at].1;
        if conns.len() < self.options.max_idle_per_host {
            conns.push(conn);
        }
    }

    /// Writes the request and reads its response. `Ok((response, reusable))`.
    async fn exchange(
        &self,
        conn: &mut Conn,
        outgoing: &Outgoing<'_>,
        head_request: bool,
    ) -> Result<(Response, bool), ExchangeError> {
        let nothing_yet = |error| ExchangeError::Io { error, nothing_received: true };
        match outgoing {
            Outgoing::Wire(bytes) => conn.stream.write_all(bytes).await.map_err(nothing_yet)?,
            Outgoing::Parts { method, uri, headers, body } => {
                conn.out.clear();
                encode_request(method, uri, headers, body, !self.options.keep_alive, &mut conn.out);
                conn.stream.write_all(&conn.out).await.map_err(nothing_yet)?;
            }
        }
        let read = conn.read_response(head_request, &self.options).await?;
        let reusable = self.options.keep_alive
            && read.head.keep_alive
            && read.head.framing != Framing::UntilClose
            && conn.received.unread().is_empty();
        let Read { head: Head { code, recorded, .. }, bytes_in, body } = read;
        Ok((Response { code, bytes_in, body, headers: recorded, failure: None }, reusable))
    }
}

async fn connect(origin: &Origin) -> Result<Conn, Failure> {
    let stream = match origin.host.parse::<std::net::IpAddr>() {
        Ok(ip) => TcpStream::connect((ip, origin.port)).await.map_err(|e| io_failure(&e))?,
        Err(_) => {
            let addresses = tokio::net::lookup_host((&*origin.host, origin.port))
                .await
                .map_err(|e| Failure::Dns(format!("failed to lookup address {}: {e}", origin.host)))?;
            let mut last = Failure::Dns(format!("no address for {}", origin.host));
            let mut connected = None;
            for address in addresses {
                match TcpStream::connect(address).await {
                    Ok(stream) => {
                        connected = Some(stream);
                        break;
                    }
                    Err(e) => last = io_failure(&e),
                }
            }
            connected.ok_or(last)?
        }
    };
    stream.set_nodelay(true).map_err(|e| io_failure(&e))?;
    Ok(Conn { stream, received: ReadBuffer::default(), out: Vec::new() })
}

impl Conn {
    /// Reads more bytes after the unread ones. `Ok(0)` at the end of the stream.
    async fn fill(&mut self) -> io::Result<usize> {
        let n = self.stream.read(self.received.room()?).await?;
        self.received.filled(n);
        Ok(n)
    }

    /// Reads one whole response (skipping interim ones).
    async fn read_response(&mut self, head_request: bool, options: &ClientOptions) -> Result<Read, ExchangeError> {
        let mut reader = ResponseReader::new(head_request, options.keep_body);
        let mut received = false;
        loop {
            if !self.received.unread().is_empty() {
                received = true;
                let (used, done) =
                    reader.feed(self.received.unread(), &options.recorded_headers).map_err(ExchangeError::Protocol)?;
                self.received.consume(used);
                if done {
                    break;
                }
            }
            match self.fill().await {
                Ok(0) if reader.ends_at_close() => break,
                Ok(0) => return Err(ExchangeError::Closed { nothing_received: !received }),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::InvalidData => return Err(ExchangeError::Protocol(e.to_string())),
                Err(error) => return Err(ExchangeError::Io { error, nothing_received: !received }),
            }
        }
        Ok(reader.finish().expect("a response read to its end"))
    }
}
