//! One request's result as the attack engine hands it to the results layer: cheap to build and
//! to move (shared strings, no per-record formatting); encoding happens on the writer thread.

use super::error_kind::ErrorKind;
use super::lateness::Lateness;
use crate::model::units::StatusSet;
use bytes::Bytes;
use hyper::header::HeaderValue;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The result of one request of an attack.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 0-based request number within the attack.
    pub seq: u64,
    /// When the request was actually sent (when it was given up, if it never was).
    pub timestamp: SystemTime,
    /// From send to the end of the response body (or the error). Zero when never sent.
    pub latency: Duration,
    /// Sent − scheduled: negative when sent early (zero for the closed model).
    pub lateness: Lateness,
    /// The response status; 0 when there was no response.
    pub code: u16,
    pub bytes_out: u64,
    pub bytes_in: u64,
    /// Why the request failed, if it did at the transport level (or was never sent). A response
    /// whose status is not a success needs no error: the writer classifies it as [`ErrorKind::Status`].
    pub error: Option<ErrorKind>,
    /// The response body, only when the attack records bodies.
    pub body: Option<Bytes>,
    /// The request method, interned once per attack.
    pub method: Arc<str>,
    /// The request URL: shared per attack when fixed, one allocation per request when templated.
    pub url: Arc<str>,
    /// Index of the target node in the attack's node list, or [`Record::NO_NODE`].
    pub node: u16,
    /// Values of the attack's recorded response headers: (index in the recorded header list,
    /// value). A header with several values appears several times, in response order.
    pub headers: Vec<(u16, HeaderValue)>,
}

impl Record {
    /// The `node` of a request that targets no declared node (absolute URLs, targets files).
    pub const NO_NODE: u16 = u16::MAX;

    /// Why this record counts as a failure under `success`, or `None` for a success: its own
    /// error if it has one, else [`ErrorKind::Status`] when its status is not in `success`.
    pub fn failure<'a>(&'a self, success: &StatusSet) -> Option<&'a ErrorKind> {
        static STATUS: ErrorKind = ErrorKind::Status;
        match &self.error {
            Some(error) => Some(error),
            None if success.contains(self.code) => None,
            None => Some(&STATUS),
        }
    }

    /// True when the request was never sent (the max in-flight cap was reached, or it could not
    /// be built): it has no latency or lateness to count.
    pub fn not_sent(&self) -> bool {
        self.error.as_ref().is_some_and(ErrorKind::never_sent)
    }

    /// When the request was scheduled: `timestamp − lateness`.
    pub fn scheduled(&self) -> SystemTime {
        self.lateness.scheduled(self.timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(code: u16, error: Option<ErrorKind>) -> Record {
        Record {
            seq: 0,
            timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(10),
            latency: Duration::ZERO,
            lateness: Lateness::late(Duration::from_secs(1)),
            code,
            bytes_out: 0,
            bytes_in: 0,
            error,
            body: None,
            method: Arc::from("GET"),
            url: Arc::from("http://127.0.0.1/"),
            node: Record::NO_NODE,
            headers: Vec::new(),
        }
    }

    #[test]
    fn failure_follows_the_success_set() {
        let vegeta = StatusSet::range(200, 399);
        let only_200 = StatusSet::range(200, 200);
        assert_eq!(record(200, None).failure(&vegeta), None);
        assert_eq!(record(302, None).failure(&vegeta), None);
        assert_eq!(record(302, None).failure(&only_200), Some(&ErrorKind::Status));
        assert_eq!(record(0, Some(ErrorKind::Timeout)).failure(&vegeta), Some(&ErrorKind::Timeout));
        assert!(record(0, Some(ErrorKind::NotSentInTime)).not_sent());
        assert!(record(0, Some(ErrorKind::NotBuilt("no row".into()))).not_sent());
        assert!(!record(0, Some(ErrorKind::Interrupted)).not_sent());
        assert_eq!(record(200, None).scheduled(), SystemTime::UNIX_EPOCH + Duration::from_secs(9));
        let early = Record { lateness: Lateness::early(Duration::from_millis(1)), ..record(200, None) };
        assert_eq!(early.scheduled(), SystemTime::UNIX_EPOCH + Duration::from_millis(10_001));
    }
}
