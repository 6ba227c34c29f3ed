//! Reading an HTTP/1.1 response from bytes, without IO: the head (status, framing, keep-alive,
//! recorded headers) and the body framing (length, chunked, until close), fed in any pieces.

use http::header::{HeaderName, HeaderValue};

/// Response heads with more header lines than this are refused.
pub const MAX_HEADERS: usize = 128;

/// How the body of a response ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body (`HEAD`, 204, 304).
    Empty,
    Length(u64),
    Chunked,
    /// Until the server closes the connection.
    UntilClose,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub code: u16,
    pub framing: Framing,
    /// The server lets the connection be used again.
    pub keep_alive: bool,
    /// The first value of each recorded header, in the attack's order.
    pub recorded: Vec<Option<HeaderValue>>,
}

/// What the bytes at hand hold.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// Not a whole head yet.
    Partial,
    /// A `1xx` interim response of this many bytes, to skip.
    Interim(usize),
    /// A final response head of this many bytes.
    Complete(usize, Head),
}

/// Parses the response head at the start of `bytes`. `Err` is a protocol error message.
pub fn parse_head(bytes: &[u8], head_request: bool, recorded: &[HeaderName]) -> Result<Parsed, String> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let consumed = match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(Parsed::Partial),
        Err(e) => return Err(format!("invalid HTTP response: {e}")),
    };
    let code = response.code.unwrap_or(0);
    if (100..200).contains(&code) && code != 101 {
        return Ok(Parsed::Interim(consumed));
    }
    let version_1_1 = response.version == Some(1);
    let mut keep_alive = version_1_1;
    let mut length: Option<u64> = None;
    let mut chunked = None;
    for header in response.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value).ok().map(str::trim);
            let parsed =
                value.filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).and_then(|v| v.parse().ok());
            match (parsed, length) {
                (None, _) => return Err("invalid HTTP response: bad content-length".into()),
                (Some(n), Some(previous)) if n != previous => {
                    return Err("invalid HTTP response: conflicting content-length".into())
                }
                (Some(n), _) => length = Some(n),
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Only the last coding decides; a body that is not chunked-last runs until close.
            let last = header.value.rsplit(|&b| b == b',').next().unwrap_or_default();
            chunked = Some(last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
                if token.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && !version_1_1 {
                    keep_alive = true;
                }
            }
        }
    }
    let framing = if head_request || code == 204 || code == 304 {
        Framing::Empty
    } else {
        match (chunked, length) {
            (Some(true), _) => Framing::Chunked,
            (Some(false), _) => Framing::UntilClose,
            (None, Some(n)) => Framing::Length(n),
            (None, None) => Framing::UntilClose,
        }
    };
    if framing == Framing::UntilClose {
        keep_alive = false;
    }
    let recorded = recorded
        .iter()
        .map(|wanted| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(wanted.as_str()))
                .and_then(|h| HeaderValue::from_bytes(h.value).ok())
        })
        .collect();
    Ok(Parsed::Complete(consumed, Head { code, framing, keep_alive, recorded }))
}

/// A chunked body decoder that can be fed any split of the bytes.
#[derive(Debug, Default)]
pub struct Chunked {
    state: State,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading the hex size; `digits` so far.
    #[default]
    Size,
    SizeDigits {
        size: u64,
        digits: u8,
    },
    /// After the size: spaces or an extension, up to the line end.
    SizeRest {
        size: u64,
    },
    SizeLf {
        size: u64,
    },
    Data {
        left: u64,
    },
    DataCr,
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart,
    TrailerLine,
    EndLf,
    Done,
}

impl Chunked {
    /// Feeds `input`; `data` gets the body's bytes. Returns how many bytes were used and whether
    /// the body is complete (bytes after it belong to the next response).
    pub fn feed(&mut self, input: &[u8], mut data: impl FnMut(&[u8])) -> Result<(usize, bool), String> {
        let bad = |what: &str| Err(format!("invalid chunked body: {what}"));
        let mut at = 0;
        while at < input.len() && self.state != State::Done {
            let byte = input[at];
            self.state = match self.state {
                State::Size | State::SizeDigits { .. } => {
                    let (size, digits) = match self.state {
                        State::SizeDigits { size, digits } => (size, digits),
                        _ => (0, 0),
                    };
                    match (byte as char).to_digit(16) {
                        Some(d) if digits < 16 => {
                            State::SizeDigits { size: size << 4 | u64::from(d), digits: digits + 1 }
                        }
                        Some(_) => return bad("chunk size too large"),
                        None if digits == 0 => return bad("missing chunk size"),
                        None => match byte {
                            b'\r' => State::SizeLf { size },
                            b'\n' => Self::after_size(size),
                            b' ' | b'\t' | b';' => State::SizeRest { size },
                            _ => return bad("unexpected byte in chunk size"),
                        },
                    }
                }
                State::SizeRest { size } => match byte {
                    b'\r' => State::SizeLf { size },
                    b'\n' => Self::after_size(size),
                    _ => State::SizeRest { size },
                },
                State::SizeLf { size } if byte == b'\n' => Self::after_size(size),
                State::SizeLf { .. } => return bad("expected a line feed after the chunk size"),
                State::Data { left } => {
                    let take = (input.len() - at).min(usize::try_from(left).unwrap_or(usize::MAX));
                    data(&input[at..at + take]);
                    at += take;
                    let left = left - take as u64;
                    self.state = if left == 0 { State::DataCr } else { State::Data { left } };
                    continue;
                }
                State::DataCr if byte == b'\r' => State::DataLf,
                State::DataCr | State::DataLf if byte == b'\n' => State::Size,
                State::DataCr | State::DataLf => return bad("expected a line end after chunk data"),
                State::TrailerStart => match byte {
                    b'\r' => State::EndLf,
                    b'\n' => State::Done,
                    _ => State::TrailerLine,
                },
                State::TrailerLine if byte == b'\n' => State::TrailerStart,
                State::TrailerLine => State::TrailerLine,
                State::EndLf if byte == b'\n' => State::Done,
                State::EndLf => return bad("expected a line feed at the end"),
                State::Done => unreachable!("the loop stops at Done"),
            };
            at += 1;
        }
        Ok((at, self.state == State::Done))
    }

    fn after_size(size: u64) -> State {
        if size == 0 {
            State::TrailerStart
        } else {
            State::Data { left: size }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str, head_request: bool) -> Result<Parsed, String> {
        parse_head(text.as_bytes(), head_request, &[HeaderName::from_static("x-server")])
    }

    fn complete(text: &str) -> Head {
        match head(text, false) {
            Ok(Parsed::Complete(n, h)) => {
                assert_eq!(n, text.len());
                h
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn heads_give_status_framing_keep_alive_and_recorded_headers() {
        let h = complete("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Server: 10.0.0.1\r\nx-server: b\r\n\r\n");
        assert_eq!((h.code, h.framing, h.keep_alive), (200, Framing::Length(5), true));
        assert_eq!(h.recorded, vec![Some(HeaderValue::from_static("10.0.0.1"))]);
        let h = complete("HTTP/1.1 503 Busy\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n");
        assert_eq!((h.code, h.framing, h.keep_alive, h.recorded.clone()), (503, Framing::Chunked, false, vec![None]));
        let h = complete("HTTP/1.0 200 OK\r\n\r\n");
        assert_eq!((h.framing, h.keep_alive), (Framing::UntilClose, false));
        let h = complete("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
        assert_eq!((h.framing, h.keep_alive), (Framing::Length(0), true));
        assert_eq!(complete("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n").framing, Framing::Empty);
        match head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", true) {
            Ok(Parsed::Complete(_, h)) => assert_eq!(h.framing, Framing::Empty),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn partial_interim_and_bad_heads() {
        assert_eq!(head("HTTP/1.1 200 OK\r\nContent-Len", false), Ok(Parsed::Partial));
        assert_eq!(head("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", false), Ok(Parsed::Interim(25)));
        assert!(head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false).is_err());
        assert!(head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false).is_err());
        assert!(head("SMTP ready\r\n\r\n", false).is_err());
    }

    /// Decodes `body` fed in pieces of `step` bytes; returns the data and the bytes left over.
    fn dechunk(body: &[u8], step: usize) -> Result<(Vec<u8>, usize), String> {
        let mut decoder = Chunked::default();
        let mut out = Vec::new();
        let mut at = 0;
        while at < body.len() {
            let piece = &body[at..(at + step).min(body.len())];
            let (used, done) = decoder.feed(piece, |d| out.extend_from_slice(d))?;
            at += used;
            if done {
                return Ok((out, body.len() - at));
            }
            assert_eq!(used, piece.len(), "a piece is used whole until the end");
        }
        Err("incomplete".into())
    }

    #[test]
    fn chunked_bodies_in_any_pieces() {
        let body = b"5\r\nhello\r\n1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        for step in 1..=body.len() {
            let (data, left) = dechunk(body, step).unwrap();
            assert_eq!(data, b"helloabcdefghijklmnopqrstuvwxyz");
            assert_eq!(left, 4, "step {step}");
        }
        assert_eq!(dechunk(b"0\r\n\r\n", 3).unwrap(), (vec![], 0));
        assert!(dechunk(b"zz\r\n", 4).is_err());
        assert!(dechunk(b"3\r\nabcX\r\n0\r\n\r\n", 64).is_err());
        assert!(dechunk(b"11111111111111111\r\n", 64).is_err());
    }
}
