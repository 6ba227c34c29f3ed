//! Encodes a `Record` as one line of vegeta's JSON result format (the fields and units of vegeta's
//! `Result`), then dfaas-run's extra fields, which vegeta's decoder ignores. Hand-written, no allocation.

use super::error_kind::ErrorKind;
use super::record::Record;
use super::recorded_headers::canonical_header_name;
use super::timestamp::TimestampFormatter;
use crate::model::units::StatusSet;
use base64::Engine;

/// A failed record's error kind and rendered message, computed once by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub kind: &'static str,
    pub message: &'a str,
}

/// Encodes records of one attack into lines. Attack, header and node names are escaped once.
#[derive(Debug)]
pub struct VegetaEncoder {
    attack: Vec<u8>,
    header_names: Vec<Vec<u8>>,
    node_names: Vec<Vec<u8>>,
    write_body: bool,
    timestamps: TimestampFormatter,
    scratch: String,
}

impl VegetaEncoder {
    /// `recorded_headers` are written under their canonical names (`X-Server`), like vegeta does.
    pub fn new(attack: &str, recorded_headers: &[String], node_names: &[String], write_body: bool) -> Self {
        let escaped = |text: &str| {
            let mut out = Vec::with_capacity(text.len());
            push_json_text(&mut out, text.as_bytes());
            out
        };
        VegetaEncoder {
            attack: escaped(attack),
            header_names: recorded_headers.iter().map(|h| escaped(&canonical_header_name(h))).collect(),
            node_names: node_names.iter().map(|n| escaped(n)).collect(),
            write_body,
            timestamps: TimestampFormatter::new(),
            scratch: String::new(),
        }
    }

    /// Appends the line of `record` (ending in `\n`), classifying it under `success`.
    pub fn encode_record(&mut self, record: &Record, success: &StatusSet, out: &mut Vec<u8>) {
        let mut message = std::mem::take(&mut self.scratch);
        message.clear();
        let failure: Option<&ErrorKind> = record.failure(success);
        if let Some(kind) = failure {
            kind.render(&record.method, &record.url, record.code, &mut message);
        }
        self.encode(record, failure.map(|kind| Failure { kind: kind.name(), message: &message }), out);
        self.scratch = message;
    }

    /// Appends the line of `record` (ending in `\n`) with an already classified `failure`.
    ///
    /// Field order and formats follow vegeta's `NewJSONEncoder` (lib/results_json.go): `attack`,
    /// `seq`, `code`, `timestamp` (RFC 3339, nanoseconds, UTC `Z`), `latency` (ns), `bytes_out`,
    /// `bytes_in`, `error` (`""` when none), `body` (base64, `""` when none), `method`, `url`,
    /// `headers` (`{}` when none); then ours: `lateness` (ns, negative when sent early), `node`, `error_kind`.
    pub fn encode(&mut self, record: &Record, failure: Option<Failure<'_>>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"attack\":\"");
        out.extend_from_slice(&self.attack);
        out.extend_from_slice(b"\",\"seq\":");
        push_u64(out, record.seq);
        out.extend_from_slice(b",\"code\":");
        push_u64(out, u64::from(record.code));
        out.extend_from_slice(b",\"timestamp\":\"");
        self.timestamps.write(record.timestamp, out);
        out.extend_from_slice(b"\",\"latency\":");
        push_nanos(out, record.latency);
        out.extend_from_slice(b",\"bytes_out\":");
        push_u64(out, record.bytes_out);
        out.extend_from_slice(b",\"bytes_in\":");
        push_u64(out, record.bytes_in);
        out.extend_from_slice(b",\"error\":\"");
        if let Some(failure) = failure {
            push_json_text(out, failure.message.as_bytes());
        }
        out.extend_from_slice(b"\",\"body\":\"");
        if let Some(body) = record.body.as_ref().filter(|_| self.write_body) {
            push_base64(out, body);
        }
        out.extend_from_slice(b"\",\"method\":\"");
        push_json_text(out, record.method.as_bytes());
        out.extend_from_slice(b"\",\"url\":\"");
        push_json_text(out, record.url.as_bytes());
        out.extend_from_slice(b"\",\"headers\":{");
        self.push_headers(record, out);
        out.extend_from_slice(b"},\"lateness\":");
        push_i64(out, record.lateness.as_nanos());
        out.extend_from_slice(b",\"node\":\"");
        if let Some(name) = self.node_names.get(usize::from(record.node)) {
            out.extend_from_slice(name);
        }
        out.extend_from_slice(b"\",\"error_kind\":\"");
        if let Some(failure) = failure {
            out.extend_from_slice(failure.kind.as_bytes());
        }
        out.extend_from_slice(b"\"}\n");
    }

    /// `"X-Server":["a","b"],"Via":["c"]`: recorded headers in declaration order, values in
    /// response order; headers without a value are left out.
    fn push_headers(&self, record: &Record, out: &mut Vec<u8>) {
        let mut first_header = true;
        for (index, name) in self.header_names.iter().enumerate() {
            let mut values = record.headers.iter().filter(|(i, _)| usize::from(*i) == index).peekable();
            if values.peek().is_none() {
                continue;
            }
            if !first_header {
                out.push(b',');
            }
            first_header = false;
            out.push(b'"');
            out.extend_from_slice(name);
            out.extend_from_slice(b"\":[");
            for (i, (_, value)) in values.enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                push_json_text(out, String::from_utf8_lossy(value.as_bytes()).as_bytes());
                out.push(b'"');
            }
            out.push(b']');
        }
    }
}

/// Appends a decimal integer.
fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn push_i64(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends a duration as integer nanoseconds (Go's `time.Duration`, capped at `i64::MAX`).
fn push_nanos(out: &mut Vec<u8>, duration: std::time::Duration) {
    push_u64(out, duration.as_nanos().min(i64::MAX as u128) as u64);
}

fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    let Some(len) = base64::encoded_len(bytes.len(), true) else { return };
    out.resize(start + len, 0);
    let written = base64::engine::general_purpose::STANDARD.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// How a byte is written inside a JSON string: 0 as is, else the escape's second byte
/// (`b'u'` for `\u00XX`).
const ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    // vegeta's appendJSONString also escapes these two (as \u003c and \u0027).
    table[b'<' as usize] = b'u';
    table[b'\'' as usize] = b'u';
    table
};

/// Appends `text` escaped for a JSON string, byte for byte as vegeta's `appendJSONString` does
/// (`"` `\` `\n` `\r` `\t` as two-character escapes; `\b` `\f` NUL `<` `'` as `\u00XX`), and also
/// escaping the other control characters, which vegeta leaves raw (invalid JSON).
pub fn push_json_text(out: &mut Vec<u8>, text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        let escape = ESCAPES[usize::from(b)];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&text[start..i]);
        if escape == b'u' {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        push_json_text(&mut out, text.as_bytes());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_vegeta_and_stays_valid_json() {
        assert_eq!(escaped("plain/text?a=1&b=2"), "plain/text?a=1&b=2");
        assert_eq!(escaped("a\"b\\c\nd\re\tf"), "a\\\"b\\\\c\\nd\\re\\tf");
        assert_eq!(escaped("<it's>"), "\\u003cit\\u0027s>");
        assert_eq!(escaped("\u{8}\u{c}\u{0}\u{1f}"), "\\u0008\\u000c\\u0000\\u001f");
        assert_eq!(escaped("héllo ✓"), "héllo ✓");
        let all: String = (0u8..128).map(char::from).collect();
        let json = format!("\"{}\"", escaped(&all));
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), all);
    }

    #[test]
    fn integers_and_durations() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 1_234_567_890, u64::MAX] {
            out.clear();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
        out.clear();
        push_nanos(&mut out, std::time::Duration::MAX);
        assert_eq!(out, i64::MAX.to_string().as_bytes());
    }
}
