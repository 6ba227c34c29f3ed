//! Why a request failed, as a closed set of kinds, each rendered to a stable error string in the
//! spirit of vegeta's (`Get "http://127.0.0.1:8080/x": dial tcp 127.0.0.1:8080: connect: connection refused`).

use std::fmt::Write;

/// The classification of a failed request. The attack engine picks the kind; the results layer
/// renders the message (see `docs/results-format.md` for every message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request timeout elapsed before the response body was read completely.
    Timeout,
    /// The target refused the TCP connection.
    ConnectRefused,
    /// The connection was reset by the peer.
    ConnectionReset,
    /// The connection was closed before or in the middle of the response.
    ConnectionClosed,
    /// The host name of the target could not be resolved.
    Dns,
    /// The TLS handshake failed; the detail says why (e.g. the certificate is not trusted).
    Tls(String),
    /// An HTTP protocol error (malformed response, HTTP/2 stream error, ...).
    Http(String),
    /// The max in-flight cap was reached and the request was never sent. Counted, never dropped.
    NotSentInTime,
    /// The request could not be built (template error, exhausted feeder) and was never sent.
    NotBuilt(String),
    /// The run was stopped (Ctrl-C) while the request was in flight.
    Interrupted,
    /// A response whose status is not in the attack's success set. The writer also uses this for
    /// records without an error whose status is not a success, so setting it is optional.
    Status,
    /// Anything else, with its message.
    Other(String),
}

impl ErrorKind {
    /// Every kind's name, as written in the `error_kind` field and in `summary.json`.
    pub const NAMES: [&'static str; 12] = [
        "timeout",
        "connect_refused",
        "connection_reset",
        "connection_closed",
        "dns",
        "tls",
        "http",
        "not_sent_in_time",
        "not_built",
        "interrupted",
        "status",
        "other",
    ];

    /// The kind's stable name (one of [`ErrorKind::NAMES`]).
    pub fn name(&self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// The position of the kind's name in [`ErrorKind::NAMES`].
    pub fn index(&self) -> usize {
        match self {
            ErrorKind::Timeout => 0,
            ErrorKind::ConnectRefused => 1,
            ErrorKind::ConnectionReset => 2,
            ErrorKind::ConnectionClosed => 3,
            ErrorKind::Dns => 4,
            ErrorKind::Tls(_) => 5,
            ErrorKind::Http(_) => 6,
            ErrorKind::NotSentInTime => 7,
            ErrorKind::NotBuilt(_) => 8,
            ErrorKind::Interrupted => 9,
            ErrorKind::Status => 10,
            ErrorKind::Other(_) => 11,
        }
    }

    /// Appends the error message of a request `method url` that ended with status `code` (0 when
    /// there was no response). Transport errors read like Go's `*url.Error` (`Get "url": cause`);
    /// a status error is the status line text (`500 Internal Server Error`), as vegeta writes it.
    pub fn render(&self, method: &str, url: &str, code: u16, out: &mut String) {
        if let ErrorKind::Status = self {
            write_status_text(code, out);
            return;
        }
        write_operation(method, out);
        out.push_str(" \"");
        out.push_str(url);
        out.push_str("\": ");
        match self {
            ErrorKind::Timeout => out.push_str("context deadline exceeded (Client.Timeout exceeded)"),
            ErrorKind::ConnectRefused => {
                let _ = write!(out, "dial tcp {}: connect: connection refused", HostPort(url));
            }
            ErrorKind::ConnectionReset => {
                let _ = write!(out, "read tcp {}: read: connection reset by peer", HostPort(url));
            }
            ErrorKind::ConnectionClosed => out.push_str("unexpected EOF"),
            ErrorKind::Dns => {
                let _ = write!(out, "dial tcp: lookup {}: no such host", host(url));
            }
            ErrorKind::Tls(detail) => {
                out.push_str("tls: ");
                out.push_str(detail);
            }
            ErrorKind::Http(detail) | ErrorKind::Other(detail) => out.push_str(detail),
            ErrorKind::NotSentInTime => out.push_str("not sent in time: max in-flight limit reached"),
            ErrorKind::NotBuilt(detail) => {
                out.push_str("request not built: ");
                out.push_str(detail);
            }
            ErrorKind::Interrupted => out.push_str("interrupted: the run was stopped before the response arrived"),
            ErrorKind::Status => unreachable!("handled above"),
        }
    }

    /// True for the kinds of requests that were never sent (no latency, no lateness).
    pub fn never_sent(&self) -> bool {
        matches!(self, ErrorKind::NotSentInTime | ErrorKind::NotBuilt(_))
    }

    /// The rendered message as a new `String`.
    pub fn message(&self, method: &str, url: &str, code: u16) -> String {
        let mut out = String::new();
        self.render(method, url, code, &mut out);
        out
    }
}

/// Go's `url.Error` operation: the method with only its first letter upper case (`Get`, `Post`).
fn write_operation(method: &str, out: &mut String) {
    let mut chars = method.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
        out.extend(chars.flat_map(char::to_lowercase));
    }
}

/// `500 Internal Server Error`, or just `599` for a status without a standard reason phrase.
fn write_status_text(code: u16, out: &mut String) {
    let _ = write!(out, "{code}");
    if let Some(reason) = hyper::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()) {
        out.push(' ');
        out.push_str(reason);
    }
}

/// The authority of a URL without user info: `http://u:p@127.0.0.1:8080/x` → `127.0.0.1:8080`.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, host)| host)
}

/// The host of a URL, without port or IPv6 brackets.
fn host(url: &str) -> &str {
    let authority = authority(url);
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or(bracketed);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// `host:port` of a URL, with the scheme's default port when the URL has none.
struct HostPort<'a>(&'a str);

impl std::fmt::Display for HostPort<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let authority = authority(self.0);
        let after_host = authority.rsplit_once(']').map_or(authority, |(_, after)| after);
        if after_host.contains(':') {
            return f.write_str(authority);
        }
        let port = if self.0.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://")) { 443 } else { 80 };
        write!(f, "{authority}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_read_like_go() {
        let url = "http://127.0.0.1:8080/function/figlet";
        assert_eq!(
            ErrorKind::ConnectRefused.message("GET", url, 0),
            r#"Get "http://127.0.0.1:8080/function/figlet": dial tcp 127.0.0.1:8080: connect: connection refused"#
        );
        assert_eq!(
            ErrorKind::Timeout.message("POST", url, 0),
            r#"Post "http://127.0.0.1:8080/function/figlet": context deadline exceeded (Client.Timeout exceeded)"#
        );
        assert_eq!(
            ErrorKind::ConnectionReset.message("DELETE", "https://user:pw@localhost/x?y=1", 0),
            r#"Delete "https://user:pw@localhost/x?y=1": read tcp localhost:443: read: connection reset by peer"#
        );
        assert_eq!(
            ErrorKind::ConnectRefused.message("GET", "http://[::1]/", 0),
            r#"Get "http://[::1]/": dial tcp [::1]:80: connect: connection refused"#
        );
        assert_eq!(
            ErrorKind::Dns.message("GET", "http://nowhere.invalid:8080/", 0),
            r#"Get "http://nowhere.invalid:8080/": dial tcp: lookup nowhere.invalid: no such host"#
        );
        assert_eq!(
            ErrorKind::Tls("invalid peer certificate: UnknownIssuer".into()).message(
                "GET",
                "https://localhost:8443/",
                0
            ),
            r#"Get "https://localhost:8443/": tls: invalid peer certificate: UnknownIssuer"#
        );
        assert_eq!(
            ErrorKind::NotSentInTime.message("GET", "http://localhost/", 0),
            r#"Get "http://localhost/": not sent in time: max in-flight limit reached"#
        );
        assert_eq!(
            ErrorKind::NotBuilt("feeder users.csv is exhausted".into()).message("PUT", "http://localhost/", 0),
            r#"Put "http://localhost/": request not built: feeder users.csv is exhausted"#
        );
        assert_eq!(
            ErrorKind::Interrupted.message("GET", "http://localhost/", 0),
            r#"Get "http://localhost/": interrupted: the run was stopped before the response arrived"#
        );
    }

    #[test]
    fn status_errors_are_the_status_line() {
        assert_eq!(ErrorKind::Status.message("GET", "http://localhost/", 500), "500 Internal Server Error");
        assert_eq!(ErrorKind::Status.message("GET", "http://localhost/", 429), "429 Too Many Requests");
        assert_eq!(ErrorKind::Status.message("GET", "http://localhost/", 599), "599");
    }

    #[test]
    fn names_are_indexed() {
        let kinds = [
            ErrorKind::Timeout,
            ErrorKind::ConnectRefused,
            ErrorKind::ConnectionReset,
            ErrorKind::ConnectionClosed,
            ErrorKind::Dns,
            ErrorKind::Tls(String::new()),
            ErrorKind::Http(String::new()),
            ErrorKind::NotSentInTime,
            ErrorKind::NotBuilt(String::new()),
            ErrorKind::Interrupted,
            ErrorKind::Status,
            ErrorKind::Other(String::new()),
        ];
        for (i, kind) in kinds.iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(kind.name(), ErrorKind::NAMES[i]);
        }
    }
}
