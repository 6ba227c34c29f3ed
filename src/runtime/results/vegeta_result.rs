//! One decoded line of a results file: vegeta's own files (any timestamp offset, null headers or
//! body, no extra fields) as well as ours. Used by `merge` and by reports.

use super::lateness::Lateness;
use super::timestamp::{from_unix_nanos, parse_rfc3339};
use base64::Engine;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, SystemTime};

/// A result as read back from a JSON-lines results file. Missing or null fields take their zero
/// value, like vegeta's decoder; only `timestamp` is required (results are ordered by it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VegetaResult {
    #[serde(default, deserialize_with = "nullable")]
    pub attack: String,
    #[serde(default, deserialize_with = "nullable")]
    pub seq: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub code: u16,
    #[serde(deserialize_with = "timestamp")]
    pub timestamp: SystemTime,
    #[serde(default, deserialize_with = "nanoseconds")]
    pub latency: Duration,
    #[serde(default, deserialize_with = "nullable")]
    pub bytes_out: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub bytes_in: u64,
    /// Empty for a success (vegeta and dfaas-run both write the status text of a non-success).
    #[serde(default, deserialize_with = "nullable")]
    pub error: String,
    /// The decoded body (empty when `""`, `null` or missing).
    #[serde(default, deserialize_with = "base64_body")]
    pub body: Vec<u8>,
    #[serde(default, deserialize_with = "nullable")]
    pub method: String,
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
    /// Header name → values, in file order.
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<(String, Vec<String>)>,
    /// dfaas-run: sent − scheduled (negative when sent early); `None` in vegeta's files.
    #[serde(default, deserialize_with = "optional_lateness")]
    pub lateness: Option<Lateness>,
    /// dfaas-run: the target node's name; `None` in vegeta's files or when no node was targeted.
    #[serde(default, deserialize_with = "non_empty")]
    pub node: Option<String>,
    /// dfaas-run: the error kind's name (`timeout`, `status`, ...); `None` for a success or in
    /// vegeta's files.
    #[serde(default, deserialize_with = "non_empty")]
    pub error_kind: Option<String>,
}

impl VegetaResult {
    /// Decodes one line (without or with its trailing newline): by the fast path when the line
    /// is plain enough (`fast_decode`), else by serde_json.
    pub fn from_line(line: &[u8]) -> serde_json::Result<VegetaResult> {
        match super::fast_decode::decode(line) {
            Some(result) => Ok(result),
            None => serde_json::from_slice(line),
        }
    }

    /// A success has no error: vegeta and dfaas-run both write one for every failed request.
    pub fn is_success(&self) -> bool {
        self.error.is_empty()
    }

    /// When the response ended (`timestamp + latency`).
    pub fn end(&self) -> SystemTime {
        self.timestamp + self.latency
    }

    /// When the request was scheduled (`timestamp − lateness`; the timestamp without lateness).
    pub fn scheduled(&self) -> SystemTime {
        self.lateness.unwrap_or_default().scheduled(self.timestamp)
    }

    /// The values of a response header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&[String]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, values)| values.as_slice())
    }
}

fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_rfc3339(text.as_bytes())
        .map(from_unix_nanos)
        .ok_or_else(|| de::Error::custom(format!("`{text}` is not an RFC 3339 timestamp")))
}

fn nanoseconds<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    Ok(optional_nanoseconds(d)?.unwrap_or_default())
}

fn optional_lateness<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Lateness>, D::Error> {
    Ok(Option::<i64>::deserialize(d)?.map(Lateness::from_nanos))
}

fn optional_nanoseconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    match Option::<i64>::deserialize(d)? {
        None => Ok(None),
        Some(ns) if ns < 0 => Err(de::Error::custom(format!("negative duration {ns}ns"))),
        Some(ns) => Ok(Some(Duration::from_nanos(ns as u64))),
    }
}

fn base64_body<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let Some(text) = Option::<std::borrow::Cow<'de, str>>::deserialize(d)? else { return Ok(Vec::new()) };
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| de::Error::custom(format!("body is not base64: {e}")))
}

fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Vec<String>)>, D::Error> {
    struct HeadersVisitor;

    impl<'de> Visitor<'de> for HeadersVisitor {
        type Value = Vec<(String, Vec<String>)>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of header name to an array of strings, or null")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut headers = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((name, values)) = map.next_entry::<String, Option<Vec<String>>>()? {
                headers.push((name, values.unwrap_or_default()));
            }
            Ok(headers)
        }
    }

    d.deserialize_option(HeadersVisitor)
}
