//! One HTTP/1.1 response read from bytes fed in any pieces, without IO: interim responses
//! skipped, the head parsed, then the body consumed by its framing, counting its bytes and
//! keeping its first bytes when asked. Both HTTP/1.1 clients (the async one for the closed model
//! and the tick-driven one for the open model) read their responses through it.

use super::http1_response::{parse_head, Chunked, Framing, Head, Parsed};
use bytes::Bytes;
use http::header::HeaderName;
use std::io;

/// A connection's read buffer starts at this size...
const READ_BUFFER: usize = 8 * 1024;
/// ... and grows for long response heads up to this size.
const MAX_HEAD: usize = 256 * 1024;

/// A connection's received bytes: the unread ones are `buf[start..end]`.
pub struct ReadBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for ReadBuffer {
    fn default() -> Self {
        ReadBuffer { buf: vec![0; READ_BUFFER], start: 0, end: 0 }
    }
}

impl ReadBuffer {
    /// The bytes received and not used yet.
    pub fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Room for more bytes after the unread ones: the buffer is compacted, or grown up to
    /// `MAX_HEAD` when the unread bytes fill it. Call [`ReadBuffer::filled`] after writing.
    pub fn room(&mut self) -> io::Result<&mut [u8]> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, self.end - self.start);
            } else if self.buf.len() < MAX_HEAD {
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            } else {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "response head too large"));
            }
        }
        Ok(&mut self.buf[self.end..])
    }

    /// `n` bytes were written into [`ReadBuffer::room`].
    pub fn filled(&mut self, n: usize) {
        self.end += n;
    }
}

/// A response being read.
pub struct ResponseReader {
    stage: Stage,
    head_request: bool,
    /// Keep at most this many bytes of the body.
    keep: Option<usize>,
    bytes_in: u64,
    kept: Option<Vec<u8>>,
}

enum Stage {
    Head,
    Body(Head, Body),
    Done(Head),
}

enum Body {
    Length(u64),
    Chunked(Chunked),
    UntilClose,
}

/// A whole response.
#[derive(Debug)]
pub struct Read {
    pub head: Head,
    /// The body's length in bytes.
    pub bytes_in: u64,
    /// The body's first bytes, when asked for.
    pub body: Option<Bytes>,
}

impl ResponseReader {
    pub fn new(head_request: bool, keep: Option<usize>) -> Self {
        ResponseReader { stage: Stage::Head, head_request, keep, bytes_in: 0, kept: keep.map(|_| Vec::new()) }
    }

    /// Feeds the bytes at hand. Returns how many were used and whether the response is complete
    /// (bytes after it are not used). `Err` is a protocol error message.
    pub fn feed(&mut self, bytes: &[u8], recorded: &[HeaderName]) -> Result<(usize, bool), String> {
        let mut used = 0;
        loop {
            match &mut self.stage {
                Stage::Head => match parse_head(&bytes[used..], self.head_request, recorded)? {
                    Parsed::Complete(n, head) => {
                        used += n;
                        self.stage = match head.framing {
                            Framing::Empty | Framing::Length(0) => Stage::Done(head),
                            Framing::Length(left) => Stage::Body(head, Body::Length(left)),
                            Framing::Chunked => Stage::Body(head, Body::Chunked(Chunked::default())),
                            Framing::UntilClose => Stage::Body(head, Body::UntilClose),
                        };
                    }
                    Parsed::Interim(n) => used += n,
                    Parsed::Partial => return Ok((used, false)),
                },
                Stage::Body(_, body) => {
                    let input = &bytes[used..];
                    let (bytes_in, kept, keep) = (&mut self.bytes_in, &mut self.kept, self.keep);
                    let mut take = |data: &[u8]| {
                        *bytes_in += data.len() as u64;
                        if let (Some(kept), Some(limit)) = (kept.as_mut(), keep) {
                            let room = limit.saturating_sub(kept.len());
                            kept.extend_from_slice(&data[..room.min(data.len())]);
                        }
                    };
                    let (n, done) = match body {
                        Body::Length(left) => {
                            let n = input.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                            take(&input[..n]);
                            *left -= n as u64;
                            (n, *left == 0)
                        }
                        Body::Chunked(decoder) => decoder.feed(input, take)?,
                        Body::UntilClose => {
                            take(input);
                            (input.len(), false)
                        }
                    };
                    used += n;
                    if !done {
                        return Ok((used, false));
                    }
                    self.stage = match std::mem::replace(&mut self.stage, Stage::Head) {
                        Stage::Body(head, _) => Stage::Done(head),
                        _ => unreachable!("in the body stage"),
                    };
                }
                Stage::Done(_) => return Ok((used, true)),
            }
        }
    }

    /// Whether the end of the stream completes the response (its body runs until the close).
    pub fn ends_at_close(&self) -> bool {
        matches!(self.stage, Stage::Body(_, Body::UntilClose))
    }

    /// The response read, once complete (or once the stream ended, for a body that runs until
    /// the close).
    pub fn finish(self) -> Option<Read> {
        match self.stage {
            Stage::Done(head) | Stage::Body(head, Body::UntilClose) => {
                Some(Read { head, bytes_in: self.bytes_in, body: self.kept.map(Bytes::from) })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `wire` fed in pieces of `step` bytes; returns the response and the bytes left over.
    fn read(wire: &[u8], step: usize, keep: Option<usize>) -> (Read, usize) {
        let mut reader = ResponseReader::new(false, keep);
        let mut pending = Vec::new();
        let mut at = 0;
        while at < wire.len() {
            pending.extend_from_slice(&wire[at..(at + step).min(wire.len())]);
            at = (at + step).min(wire.len());
            let (used, done) = reader.feed(&pending, &[]).unwrap();
            pending.drain(..used);
            if done {
                return (reader.finish().unwrap(), pending.len() + wire.len() - at);
            }
        }
        assert!(reader.ends_at_close(), "incomplete response");
        (reader.finish().unwrap(), pending.len())
    }

    #[test]
    fn responses_in_any_pieces_with_interim_heads_and_leftovers() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1";
        for step in 1..=wire.len() {
            let (r, left) = read(wire, step, Some(3));
            assert_eq!((r.head.code, r.bytes_in, r.body.as_deref(), left), (200, 5, Some(&b"hel"[..]), 8), "{step}");
        }
        let chunked = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        for step in 1..=chunked.len() {
            let (r, left) = read(chunked, step, None);
            assert_eq!((r.head.code, r.bytes_in, r.body, left), (201, 3, None, 0), "{step}");
        }
        let (r, _) = read(b"HTTP/1.1 204 No Content\r\n\r\n", 7, Some(10));
        assert_eq!((r.head.code, r.bytes_in, r.body.as_deref()), (204, 0, Some(&b""[..])));
    }

    #[test]
    fn a_body_until_the_close_ends_with_the_stream() {
        let (r, left) = read(b"HTTP/1.0 200 OK\r\n\r\nall of it", 4, Some(100));
        assert_eq!((r.bytes_in, r.body.as_deref(), left), (9, Some(&b"all of it"[..]), 0));
        let mut reader = ResponseReader::new(false, None);
        assert_eq!(reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab", &[]), Ok((40, false)));
        assert!(!reader.ends_at_close());
        assert!(reader.finish().is_none(), "a short body is not a response");
    }

    #[test]
    fn protocol_errors_are_reported() {
        let mut reader = ResponseReader::new(false, None);
        assert!(reader.feed(b"NOT HTTP\r\n\r\n", &[]).is_err());
        let mut reader = ResponseReader::new(false, None);
        assert!(reader.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &[]).is_err());
    }
}
