//! The fast path of decoding a results line: one scan of a flat JSON object whose strings hold no
//! escapes, which is every line dfaas-run writes for plain URLs and messages and most of vegeta's.
//! Anything it does not take on (an escape, a float, a negative number, an unknown field with a
//! nested value, a duplicate field, bad base64, trailing bytes) gives `None`, and the caller
//! decodes the line with serde_json instead: both paths agree on every line the fast one accepts
//! (a property test holds them to it), and every error message comes from serde_json.

use super::lateness::Lateness;
use super::timestamp::{from_unix_nanos, parse_rfc3339};
use super::vegeta_result::VegetaResult;
use base64::Engine;
use std::time::Duration;

/// Decodes `line` (a trailing `\n` or `\r\n` allowed), or `None` when the line needs the full
/// JSON decoder.
pub fn decode(line: &[u8]) -> Option<VegetaResult> {
    let mut scan = Scan { bytes: line, at: 0 };
    let mut result = VegetaResult {
        attack: String::new(),
        seq: 0,
        code: 0,
        timestamp: std::time::SystemTime::UNIX_EPOCH,
        latency: Duration::ZERO,
        bytes_out: 0,
        bytes_in: 0,
        error: String::new(),
        body: Vec::new(),
        method: String::new(),
        url: String::new(),
        headers: Vec::new(),
        lateness: None,
        node: None,
        error_kind: None,
    };
    let mut seen = 0u32;
    let mut expected = 0;
    let mut has_timestamp = false;
    scan.expect(b'{')?;
    if scan.peek()? != b'}' {
        loop {
            // Fields usually come in the writer's order, without spaces: try the next one's
            // `"name":` first, else read the key and look it up.
            let field = match FIELDS.get(expected) {
                Some(name) if scan.at_key(name) => Some(expected),
                _ => {
                    let key = scan.string()?;
                    scan.expect(b':')?;
                    FIELDS.iter().position(|f| f.as_bytes() == key)
                }
            };
            if let Some(index) = field {
                if seen & (1 << index) != 0 {
                    return None; // serde_json reports the duplicate.
                }
                seen |= 1 << index;
                expected = index + 1;
            }
            match field {
                Some(ATTACK) => result.attack = scan.nullable_text()?,
                Some(SEQ) => result.seq = scan.nullable_number(u64::MAX)?,
                Some(CODE) => result.code = scan.nullable_number(u64::from(u16::MAX))? as u16,
                Some(TIMESTAMP) => {
                    let text = scan.string()?;
                    result.timestamp = from_unix_nanos(parse_rfc3339(text)?);
                    has_timestamp = true;
                }
                Some(LATENCY) => result.latency = Duration::from_nanos(scan.nullable_number(i64::MAX as u64)?),
                Some(BYTES_OUT) => result.bytes_out = scan.nullable_number(u64::MAX)?,
                Some(BYTES_IN) => result.bytes_in = scan.nullable_number(u64::MAX)?,
                Some(ERROR) => result.error = scan.nullable_text()?,
                Some(BODY) => {
                    if !scan.null() {
                        result.body = base64::engine::general_purpose::STANDARD.decode(scan.string()?).ok()?;
                    }
                }
                Some(METHOD) => result.method = scan.nullable_text()?,
                Some(URL) => result.url = scan.nullable_text()?,
                Some(HEADERS) => result.headers = scan.headers()?,
                Some(LATENESS) => {
                    if !scan.null() {
                        result.lateness = Some(Lateness::from_nanos(scan.signed_number()?));
                    }
                }
                Some(NODE) => result.node = Some(scan.nullable_text()?).filter(|s| !s.is_empty()),
                Some(ERROR_KIND) => result.error_kind = Some(scan.nullable_text()?).filter(|s| !s.is_empty()),
                _ => scan.skip_scalar()?,
            }
            match scan.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    } else {
        scan.at += 1;
    }
    scan.skip_spaces();
    (scan.at == line.len() && has_timestamp).then_some(result)
}

/// The fields of a result, in the writer's order (their index is their bit in `seen`).
const FIELDS: [&str; 15] = [
    "attack",
    "seq",
    "code",
    "timestamp",
    "latency",
    "bytes_out",
    "bytes_in",
    "error",
    "body",
    "method",
    "url",
    "headers",
    "lateness",
    "node",
    "error_kind",
];

const ATTACK: usize = 0;
const SEQ: usize = 1;
const CODE: usize = 2;
const TIMESTAMP: usize = 3;
const LATENCY: usize = 4;
const BYTES_OUT: usize = 5;
const BYTES_IN: usize = 6;
const ERROR: usize = 7;
const BODY: usize = 8;
const METHOD: usize = 9;
const URL: usize = 10;
const HEADERS: usize = 11;
const LATENESS: usize = 12;
const NODE: usize = 13;
const ERROR_KIND: usize = 14;

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn skip_spaces(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `"name":` if it comes next exactly so (no spaces), as the writer puts keys.
    fn at_key(&mut self, name: &str) -> bool {
        let rest = &self.bytes[self.at..];
        let len = name.len() + 3;
        let found = rest.len() >= len
            && rest[0] == b'"'
            && &rest[1..len - 2] == name.as_bytes()
            && rest[len - 2..len] == *b"\":";
        if found {
            self.at += len;
        }
        found
    }

    /// The next byte that is not whitespace, left in place.
    fn peek(&mut self) -> Option<u8> {
        self.skip_spaces();
        self.bytes.get(self.at).copied()
    }

    /// The next byte that is not whitespace, consumed.
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// Consumes a `null` if one comes next.
    fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.bytes[self.at..].starts_with(b"null") {
            self.at += 4;
            return true;
        }
        false
    }

    /// A string's bytes, which must hold no escape and no control character (serde_json refuses
    /// those) and be UTF-8.
    fn string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        let len = memchr::memchr(b'"', &self.bytes[start..])?;
        let text = &self.bytes[start..start + len];
        // No early exit: the compiler checks many bytes at once.
        if text.iter().fold(false, |found, &b| found | (b == b'\\') | (b < 0x20)) {
            return None;
        }
        self.at = start + len + 1;
        if !text.is_ascii() {
            std::str::from_utf8(text).ok()?;
        }
        Some(text)
    }

    fn text(&mut self) -> Option<String> {
        let bytes = self.string()?;
        // `string` checked the bytes are UTF-8.
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn nullable_text(&mut self) -> Option<String> {
        if self.null() {
            return Some(String::new());
        }
        self.text()
    }

    /// A non-negative integer of at most `max`, plain digits (a sign, fraction or exponent goes
    /// to serde_json, which knows which of them it takes).
    fn number(&mut self, max: u64) -> Option<u64> {
        self.skip_spaces();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&b) = self.bytes.get(self.at).filter(|b| b.is_ascii_digit()) {
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        if digits == 0 || leading_zero || value > max {
            return None;
        }
        if matches!(self.bytes.get(self.at), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(value)
    }

    /// An integer that may be negative (`-0` included), within `i64`.
    fn signed_number(&mut self) -> Option<i64> {
        self.skip_spaces();
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
            if !self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            return Some(-(self.number(i64::MAX as u64)? as i64));
        }
        Some(self.number(i64::MAX as u64)? as i64)
    }

    fn nullable_number(&mut self, max: u64) -> Option<u64> {
        if self.null() {
            return Some(0);
        }
        self.number(max)
    }

    /// `{}`, `null` or `{"Name":["value",...],...}` (a `null` list is no value).
    fn headers(&mut self) -> Option<Vec<(String, Vec<String>)>> {
        let mut headers = Vec::new();
        if self.null() {
            return Some(headers);
        }
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(headers);
        }
        loop {
            let name = self.text()?;
            self.expect(b':')?;
            let mut values = Vec::new();
            if !self.null() {
                self.expect(b'[')?;
                if self.peek()? == b']' {
                    self.at += 1;
                } else {
                    loop {
                        values.push(self.text()?);
                        match self.next()? {
                            b',' => continue,
                            b']' => break,
                            _ => return None,
                        }
                    }
                }
            }
            headers.push((name, values));
            match self.next()? {
                b',' => continue,
                b'}' => return Some(headers),
                _ => return None,
            }
        }
    }

    /// The value of a field the result does not keep, when it is a string, an integer, `true`,
    /// `false` or `null`.
    fn skip_scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'0'..=b'9' => self.number(u64::MAX).map(|_| ()),
            _ => {
                for word in [&b"null"[..], b"true", b"false"] {
                    if self.bytes[self.at..].starts_with(word) {
                        self.at += word.len();
                        return Some(());
                    }
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OURS: &str = r#"{"attack":"bench","seq":3,"code":200,"timestamp":"2026-11-23T20:46:58.400189493Z","latency":586675,"bytes_out":0,"bytes_in":6,"error":"","body":"aGk=","method":"GET","url":"http://127.0.0.1:18089/","headers":{"X-Server":["10.0.0.2","b"],"Via":[]},"lateness":55195,"node":"edge","error_kind":""}"#;

    fn serde(line: &str) -> Option<VegetaResult> {
        serde_json::from_str(line).ok()
    }

    #[test]
    fn indices_name_their_fields() {
        let named = [
            (ATTACK, "attack"),
            (SEQ, "seq"),
            (CODE, "code"),
            (TIMESTAMP, "timestamp"),
            (LATENCY, "latency"),
            (BYTES_OUT, "bytes_out"),
            (BYTES_IN, "bytes_in"),
            (ERROR, "error"),
            (BODY, "body"),
            (METHOD, "method"),
            (URL, "url"),
            (HEADERS, "headers"),
            (LATENESS, "lateness"),
            (NODE, "node"),
            (ERROR_KIND, "error_kind"),
        ];
        for (index, name) in named {
            assert_eq!(FIELDS[index], name);
        }
    }

    #[test]
    fn takes_our_lines_and_agrees_with_serde() {
        let fast = decode(OURS.as_bytes()).expect("our own line takes the fast path");
        assert_eq!(Some(fast.clone()), serde(OURS));
        assert_eq!(fast.body, b"hi");
        assert_eq!(fast.node.as_deref(), Some("edge"));
        assert_eq!(fast.header("x-server"), Some(&["10.0.0.2".to_string(), "b".to_string()][..]));
        assert_eq!(decode(format!("{OURS}\r\n").as_bytes()), serde(OURS));
    }

    #[test]
    fn takes_vegeta_lines_with_nulls_offsets_and_missing_fields() {
        for line in [
            r#"{"code":200,"timestamp":"2024-01-02T03:04:05.123+02:00","latency":1000,"bytes_out":0,"bytes_in":10,"error":"","body":null,"attack":"","seq":0,"method":"GET","url":"http://a/","headers":null}"#,
            r#"{ "timestamp" : "2024-01-02T03:04:05Z" , "extra" : true, "more": 12, "x": null, "y": "z" }"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","headers":{"A":null},"node":null,"lateness":null}"#,
        ] {
            let fast = decode(line.as_bytes()).unwrap_or_else(|| panic!("fast path refused {line}"));
            assert_eq!(Some(fast), serde(line), "{line}");
        }
    }

    #[test]
    fn leaves_what_it_does_not_take_on_to_serde() {
        for line in [
            r#"{"timestamp":"2024-01-02T03:04:05Z","error":"say \"no\""}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","seq":-1}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","seq":1.5}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","seq":1e3}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","seq":01}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","code":70000}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","latency":9223372036854775808}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","seq":1,"seq":2}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","body":"not base64!"}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","extra":{"nested":1}}"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z"} trailing"#,
            r#"{"timestamp":"2024-01-02T03:04:05Z","#,
            r#"{"timestamp":"yesterday"}"#,
            r#"{"timestamp":null}"#,
            r#"{"code":200}"#,
            "{\"timestamp\":\"2024-01-02T03:04:05Z\",\"url\":\"a\tb\"}",
        ] {
            assert_eq!(decode(line.as_bytes()), None, "{line}");
        }
    }

    /// A field as a line may hold it: our writer's form, vegeta's, and forms only serde takes.
    fn field() -> impl Strategy<Value = String> {
        let text = prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9:/._ -]{1,12}",
            Just("é ✓".to_string()),
            Just(r#"a\"b"#.to_string()),
            Just(r#"\u0041"#.to_string()),
        ];
        let number = prop_oneof![
            (0u64..100_000).prop_map(|n| n.to_string()),
            Just("18446744073709551615".to_string()),
            Just("18446744073709551616".to_string()),
            Just("9223372036854775807".to_string()),
            Just("-3".to_string()),
            Just("2.0".to_string()),
            Just("0".to_string()),
            Just("00".to_string()),
        ];
        let value = prop_oneof![
            text.clone().prop_map(|t| format!("\"{t}\"")),
            number,
            Just("null".to_string()),
            Just("true".to_string()),
            Just("{}".to_string()),
            Just(r#"{"X-Server":["a","b"]}"#.to_string()),
            Just(r#"{"X-Server":null,"V":[]}"#.to_string()),
            Just(r#""aGk=""#.to_string()),
            Just("[1]".to_string()),
        ];
        let key = prop_oneof![(0..FIELDS.len()).prop_map(|i| FIELDS[i].to_string()), Just("unknown".to_string()),];
        (key, value, prop_oneof![Just(""), Just(" ")]).prop_map(|(k, v, space)| format!("\"{k}\":{space}{v}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever line the fast path accepts, serde_json decodes to the same result.
        #[test]
        fn the_fast_path_never_disagrees_with_serde(
            fields in proptest::collection::vec(field(), 0..8),
            timestamp in prop_oneof![Just(Some("2026-11-23T20:46:58.400189493Z")), Just(Some("2024-01-02T03:04:05+01:00")), Just(None)],
            at in 0usize..8,
        ) {
            let mut fields = fields;
            if let Some(t) = timestamp {
                fields.insert(at.min(fields.len()), format!("\"timestamp\":\"{t}\""));
            }
            let line = format!("{{{}}}", fields.join(","));
            if let Some(fast) = decode(line.as_bytes()) {
                prop_assert_eq!(Some(fast), serde(&line), "{}", line);
            }
        }

        /// Any prefix or one-byte change of our own line: still never a disagreement.
        #[test]
        fn damaged_lines_never_disagree(cut in 0usize..OURS.len(), at in 0usize..OURS.len(), byte in any::<u8>()) {
            let mut line = OURS.as_bytes().to_vec();
            line[at] = byte;
            for candidate in [&OURS.as_bytes()[..cut], &line[..]] {
                if let Some(fast) = decode(candidate) {
                    let slow: Option<VegetaResult> = serde_json::from_slice(candidate).ok();
                    prop_assert_eq!(Some(fast), slow, "{}", String::from_utf8_lossy(candidate));
                }
            }
        }
    }
}
