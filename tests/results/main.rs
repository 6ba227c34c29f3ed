//! Tests of the results layer (`dfaas_run::runtime::results`): vegeta format, histograms, time
//! series, the writer thread end to end and the merge of result files.

mod histogram;
mod merge;
mod merge_runs;
mod series;
mod vegeta;
mod writer;

use bytes::Bytes;
use dfaas_run::runtime::results::{ErrorKind, Lateness, Record};
use hyper::header::HeaderValue;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2024-05-01T12:00:00Z.
pub const MAY_FIRST_NOON: u64 = 1_714_564_800;

pub fn at(seconds: u64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(seconds, nanos)
}

/// A successful GET of `http://127.0.0.1:8080/x` with no headers, body or node.
pub fn record(seq: u64, timestamp: SystemTime) -> Record {
    Record {
        seq,
        timestamp,
        latency: Duration::from_millis(1),
        lateness: Lateness::ZERO,
        code: 200,
        bytes_out: 0,
        bytes_in: 0,
        error: None,
        body: None,
        method: Arc::from("GET"),
        url: Arc::from("http://127.0.0.1:8080/x"),
        node: Record::NO_NODE,
        headers: Vec::new(),
    }
}

/// A record with every field set.
pub fn full_record() -> Record {
    Record {
        seq: 42,
        timestamp: at(MAY_FIRST_NOON, 123_456_700),
        latency: Duration::from_micros(1500),
        lateness: Lateness::late(Duration::from_nanos(2500)),
        code: 200,
        bytes_out: 11,
        bytes_in: 5,
        error: None,
        body: Some(Bytes::from_static(b"hello")),
        method: Arc::from("POST"),
        url: Arc::from("http://127.0.0.1:8080/function/figlet"),
        node: 0,
        headers: vec![(0, HeaderValue::from_static("10.0.0.1"))],
    }
}

pub fn failed(mut record: Record, error: ErrorKind) -> Record {
    record.code = 0;
    record.error = Some(error);
    record
}
