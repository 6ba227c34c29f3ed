//! The attack's HTTP client: plain `http://` HTTP/1.1 through the lean client (`http1_client`),
//! TLS (rustls, verification on unless `insecure`) and HTTP/2 through hyper's pooled client; a
//! per-request timeout, and failure classification.

use super::http1_client::{Http1Client, Outgoing};
use super::request::{Prepared, RequestParts};
use super::wire::Origin;
use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

/// How an attack's client behaves.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub keep_alive: bool,
    pub http2: bool,
    pub insecure: bool,
    /// Idle connections kept per host.
    pub max_idle_per_host: usize,
    /// Response headers whose values are recorded, in order.
    pub recorded_headers: Vec<HeaderName>,
    /// Keep at most this many bytes of each response body (`None`: keep nothing).
    pub keep_body: Option<usize>,
}

/// Why a request produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    Refused(String),
    Reset(String),
    Dns(String),
    Tls(String),
    Http(String),
    Other(String),
}

/// What came back for one request.
#[derive(Debug, Default)]
pub struct Response {
    pub code: u16,
    pub bytes_in: u64,
    pub body: Option<Bytes>,
    pub headers: Vec<Option<HeaderValue>>,
    pub failure: Option<Failure>,
}

#[derive(Clone)]
pub struct HttpClient {
    inner: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    http1: Arc<Http1Client>,
    options: Arc<ClientOptions>,
}

impl HttpClient {
    pub fn new(options: ClientOptions) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.enforce_http(false);
        http.set_connect_timeout(Some(options.timeout));
        let tls = tls_config(options.insecure);
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http();
        let connector = if options.http2 {
            builder.enable_http2().wrap_connector(http)
        } else {
            builder.enable_http1().wrap_connector(http)
        };
        let idle = if options.keep_alive { options.max_idle_per_host } else { 0 };
        let inner = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(idle)
            .pool_idle_timeout(Duration::from_secs(90))
            .http2_only(options.http2)
            .build(connector);
        let options = Arc::new(options);
        HttpClient { inner, http1: Arc::new(Http1Client::new(options.clone())), options }
    }

    pub fn options(&self) -> &Arc<ClientOptions> {
        &self.options
    }

    /// Sends one request and reads the whole response, within the timeout.
    pub async fn send(&self, request: Prepared) -> Response {
        match tokio::time::timeout(self.options.timeout, self.route(request)).await {
            Ok(response) => response,
            Err(_) => Response { failure: Some(Failure::Timeout), ..Response::default() },
        }
    }

    /// Plain `http://` over HTTP/1.1 takes the lean client; TLS and HTTP/2 take hyper's.
    async fn route(&self, request: Prepared) -> Response {
        if !self.options.http2 {
            match &request {
                Prepared::Fixed(fixed) => {
                    if let Some((origin, wire)) = &fixed.http1 {
                        let head = fixed.parts.method == Method::HEAD;
                        return self.http1.send(origin, Outgoing::Wire(wire), head).await;
                    }
                }
                Prepared::Parts(parts) => {
                    if let Some(origin) = Origin::of(&parts.uri) {
                        let RequestParts { method, uri, headers, body } = &**parts;
                        let outgoing = Outgoing::Parts { method, uri, headers, body };
                        return self.http1.send(&origin, outgoing, *method == Method::HEAD).await;
                    }
                }
            }
        }
        let request = match request {
            Prepared::Fixed(fixed) => fixed.parts.clone().into_hyper(),
            Prepared::Parts(parts) => (*parts).into_hyper(),
        };
        self.exchange(request).await
    }

    async fn exchange(&self, request: Request<Full<Bytes>>) -> Response {
        let response = match self.inner.request(request).await {
            Ok(r) => r,
            Err(e) => return Response { failure: Some(classify(&e)), ..Response::default() },
        };
        let code = response.status().as_u16();
        let headers = self.options.recorded_headers.iter().map(|name| response.headers().get(name).cloned()).collect();
        let mut body = response.into_body();
        let mut bytes_in = 0u64;
        let mut kept = self.options.keep_body.map(|_| BytesMut::new());
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Some(data) = frame.data_ref() {
                        bytes_in += data.len() as u64;
                        if let (Some(buf), Some(limit)) = (kept.as_mut(), self.options.keep_body) {
                            let room = limit.saturating_sub(buf.len());
                            buf.extend_from_slice(&data[..room.min(data.len())]);
                        }
                    }
                }
                Err(e) => {
                    return Response {
                        code,
                        bytes_in,
                        body: kept.map(BytesMut::freeze),
                        headers,
                        failure: Some(classify_body(&e)),
                    };
                }
            }
        }
        Response { code, bytes_in, body: kept.map(BytesMut::freeze), headers, failure: None }
    }
}

/// rustls with the webpki roots; `insecure` accepts any certificate.
fn tls_config(insecure: bool) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    let config = if insecure {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAny(provider))).with_no_client_auth()
    } else {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    // ALPN (h2 or http/1.1) is set by the connector builder from `enable_http1`/`enable_http2`.
    config
}

/// The `insecure` verifier: checks signatures are well-formed, trusts any certificate.
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The innermost message of an error chain, joined: "connect: connection refused".
fn chain(error: &(dyn std::error::Error + 'static)) -> (String, Option<std::io::ErrorKind>, bool) {
    let mut parts = Vec::new();
    let mut io_kind = None;
    let mut tls = false;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
            // An io::Error's `source()` skips the error it wraps: look at that one directly.
            tls |= io.get_ref().is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
        }
        tls |= e.downcast_ref::<rustls::Error>().is_some();
        current = e.source();
    }
    (parts.join(": "), io_kind, tls)
}

fn classify(error: &hyper_util::client::legacy::Error) -> Failure {
    let (message, io_kind, tls) = chain(error);
    use std::io::ErrorKind as K;
    // The TLS connector may re-wrap rustls errors as plain I/O errors: fall back on their text.
    let lower = message.to_ascii_lowercase();
    let tls_text = ["certificate", "tls", "handshake", "alert"].iter().any(|w| lower.contains(w));
    if tls || (error.is_connect() && tls_text) {
        return Failure::Tls(message);
    }
    match io_kind {
        Some(K::ConnectionRefused) => Failure::Refused(message),
        Some(K::TimedOut) => Failure::Timeout,
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof) => Failure::Reset(message),
        _ if message.contains("dns error") || message.contains("failed to lookup address") => Failure::Dns(message),
        _ if error.is_connect() => Failure::Other(message),
        _ if message.contains("connection closed") || message.contains("incomplete") => Failure::Reset(message),
        _ => Failure::Http(message),
    }
}

fn classify_body(error: &hyper::Error) -> Failure {
    let (message, io_kind, _) = chain(error);
    if error.is_incomplete_message()
        || matches!(io_kind, Some(std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::UnexpectedEof))
    {
        return Failure::Reset(message);
    }
    if error.is_timeout() {
        return Failure::Timeout;
    }
    Failure::Http(message)
}
