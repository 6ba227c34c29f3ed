//! The bridge from the attack engine to the results writer: turns each `Completed` into a
//! `Record` (sharing strings, classifying failures) and feeds the live progress counters.

use super::attack::client::Failure;
use super::attack::engine::{Completed, Outcome, Sink};
use super::progress::Live;
use super::results::{ErrorKind, Record, ResultsSink};
use crate::model::units::StatusSet;
use crate::model::Attack;
use std::sync::Arc;
use std::time::SystemTime;

pub struct RecordSink {
    writer: ResultsSink,
    live: Arc<Live>,
    success: StatusSet,
    /// When the attack started, for turning offsets into timestamps without a clock read.
    start: SystemTime,
    has_nodes: bool,
    methods: Vec<(http::Method, Arc<str>)>,
}

impl RecordSink {
    pub fn new(writer: ResultsSink, live: Arc<Live>, attack: &Attack, start: SystemTime) -> Self {
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
            .iter()
            .filter_map(|m| http::Method::from_bytes(m.as_bytes()).ok().map(|method| (method, Arc::from(*m))))
            .collect();
        RecordSink {
            writer,
            live,
            success: attack.success.clone(),
            start,
            has_nodes: !attack.nodes.is_empty(),
            methods,
        }
    }

    fn method(&self, method: &http::Method) -> Arc<str> {
        self.methods
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| Arc::from(method.as_str()))
    }
}

fn error_kind(completed: &Completed) -> Option<ErrorKind> {
    match &completed.outcome {
        Outcome::NotSentInTime => return Some(ErrorKind::NotSentInTime),
        Outcome::NotBuilt(message) => return Some(ErrorKind::NotBuilt(message.clone())),
        Outcome::Interrupted => return Some(ErrorKind::Interrupted),
        Outcome::Sent => {}
    }
    completed.response.failure.as_ref().map(|failure| match failure {
        Failure::Timeout => ErrorKind::Timeout,
        Failure::Refused(_) => ErrorKind::ConnectRefused,
        Failure::Reset(m) if m.contains("reset") => ErrorKind::ConnectionReset,
        Failure::Reset(_) => ErrorKind::ConnectionClosed,
        Failure::Dns(_) => ErrorKind::Dns,
        Failure::Tls(m) => ErrorKind::Tls(m.clone()),
        Failure::Http(m) => ErrorKind::Http(m.clone()),
        Failure::Other(m) => ErrorKind::Other(m.clone()),
    })
}

impl Sink for RecordSink {
    fn accept(&self, completed: Completed) {
        let error = error_kind(&completed);
        let sent = completed.outcome == Outcome::Sent;
        let success = error.is_none() && self.success.contains(completed.response.code);
        self.live.record(success, sent.then_some(completed.latency));
        let headers = completed
            .response
            .headers
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.clone().map(|v| (i as u16, v)))
            .collect();
        self.writer.send(Record {
            seq: completed.seq,
            timestamp: self.start + completed.sent_at,
            latency: completed.latency,
            lateness: completed.lateness,
            code: completed.response.code,
            bytes_out: if sent { completed.bytes_out } else { 0 },
            bytes_in: completed.response.bytes_in,
            error,
            body: completed.response.body,
            method: self.method(&completed.method),
            url: completed.url,
            node: if self.has_nodes { completed.node } else { Record::NO_NODE },
            headers,
        });
    }
}
