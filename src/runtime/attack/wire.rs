//! HTTP/1.1 requests as bytes on the wire: request line, `Host`, the attack's headers and
//! `Content-Length`, then the body. Fixed requests are encoded once; templated ones per request.

use http::header::{HeaderMap, CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::{Method, Uri};

/// Where a plain `http://` request goes: its connection pool key and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `host:port` as written in the URL (the pool key and the `Host` header).
    pub authority: Box<str>,
    /// The host without IPv6 brackets, for connecting.
    pub host: Box<str>,
    pub port: u16,
}

impl Origin {
    /// The origin of an `http://` URI; `None` for any other scheme (those go through hyper).
    pub fn of(uri: &Uri) -> Option<Origin> {
        if uri.scheme_str() != Some("http") {
            return None;
        }
        let authority = uri.authority()?;
        let host = authority.host();
        let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        Some(Origin {
            authority: authority.as_str().into(),
            host: host.into(),
            port: authority.port_u16().unwrap_or(80),
        })
    }
}

/// Appends the whole request to `out`. Like hyper: `Host` from the URL unless the attack sets
/// one, `Content-Length` when there is a body or the method normally has one; the attack's own
/// `Content-Length` and `Transfer-Encoding` are left out (the body's length is known).
/// `close` asks the server to close the connection after answering.
pub fn encode_request(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8], close: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(uri.path_and_query().map_or("/", |p| p.as_str()).as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if !headers.contains_key(HOST) {
        if let Some(authority) = uri.authority() {
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(authority.as_str().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    for (name, value) in headers {
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING || (close && name == CONNECTION) {
            continue;
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    if !body.is_empty() || matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn encoded(method: Method, uri: &str, headers: &[(&'static str, &str)], body: &str, close: bool) -> String {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(*n, HeaderValue::from_str(v).unwrap());
        }
        let mut out = Vec::new();
        encode_request(&method, &uri.parse().unwrap(), &map, body.as_bytes(), close, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn requests_are_encoded_like_hyper_does() {
        assert_eq!(
            encoded(Method::GET, "http://127.0.0.1:8080/f?x=1", &[], "", false),
            "GET /f?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n"
        );
        assert_eq!(
            encoded(Method::POST, "http://127.0.0.1/", &[("content-type", "text/plain")], "hi", true),
            "POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi"
        );
        assert_eq!(
            encoded(Method::PUT, "http://[::1]:81/a", &[("host", "example.test"), ("content-length", "99")], "", false),
            "PUT /a HTTP/1.1\r\nhost: example.test\r\ncontent-length: 0\r\n\r\n"
        );
    }

    #[test]
    fn origins_of_plain_http_only() {
        let origin = Origin::of(&"http://[::1]:8080/x".parse().unwrap()).unwrap();
        assert_eq!((&*origin.authority, &*origin.host, origin.port), ("[::1]:8080", "::1", 8080));
        assert_eq!(Origin::of(&"http://localhost/".parse().unwrap()).unwrap().port, 80);
        assert_eq!(Origin::of(&"https://127.0.0.1/".parse().unwrap()), None);
    }
}
