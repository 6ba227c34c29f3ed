//! What a demo node counted: lock-free counters on the request path, and `DemoStats`, the
//! snapshot handed to tests, `/_demo/stats` and the `demo-node` command's closing summary.

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a demo node's counters. For `/function/` calls it always holds that
/// `function_calls = served + forwarded + rejected + not_found + aborted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoStats {
    /// Calls to `/function/<name>` that reached this node (its arrivals, forwarded ones included).
    pub function_calls: u64,
    /// Calls answered here (200, or 500 when the error rate struck).
    pub served: u64,
    /// Calls answered here with a simulated 500.
    pub errors: u64,
    /// Calls over `max-rate` answered by a peer.
    pub forwarded: u64,
    /// Calls over `max-rate` answered 429 (no peer, or the peer failed).
    pub rejected: u64,
    /// Of the rejected calls, those whose peer failed (refused, timed out, broke the response).
    pub forward_failures: u64,
    /// Calls for a function deleted through the API, answered 404.
    pub not_found: u64,
    /// Calls whose request body could not be read (the client went away), answered 400.
    pub aborted: u64,
    /// Calls a peer forwarded here (marked, so never forwarded again); part of `function_calls`.
    pub received_forwarded: u64,
    /// Request body bytes read from `/function/` calls.
    pub body_bytes: u64,
    /// `GET /healthz` probes.
    pub health_probes: u64,
    /// Accepted `POST /system/functions`.
    pub deploys: u64,
    /// Accepted `PUT /system/functions`.
    pub updates: u64,
    /// Accepted `DELETE /system/functions`.
    pub deletes: u64,
    /// With `max-rate`: calls served here over the last second, as the forwarding decision sees it.
    pub recent_local_calls: Option<u64>,
    /// Per function name (the first `MAX_TRACKED_FUNCTIONS` names seen).
    pub functions: BTreeMap<String, FunctionStats>,
    /// Calls to names beyond the tracked ones, summed.
    pub other_functions: FunctionStats,
}

/// Counts for one function on one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FunctionStats {
    /// Calls that reached this node for the function.
    pub calls: u64,
    /// Calls served here (the OpenFaaS `invocationCount`).
    pub served: u64,
    /// Calls served here with a simulated 500.
    pub errors: u64,
}

/// A relaxed counter: totals are read after the fact, never used to order memory.
#[derive(Debug, Default)]
pub(super) struct Counter(AtomicU64);

impl Counter {
    pub(super) fn inc(&self) {
        self.add(1);
    }

    pub(super) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The node-wide counters.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub function_calls: Counter,
    pub served: Counter,
    pub errors: Counter,
    pub forwarded: Counter,
    pub rejected: Counter,
    pub forward_failures: Counter,
    pub not_found: Counter,
    pub aborted: Counter,
    pub received_forwarded: Counter,
    pub body_bytes: Counter,
    pub health_probes: Counter,
    pub deploys: Counter,
    pub updates: Counter,
    pub deletes: Counter,
}

/// The counters of one function.
#[derive(Debug, Default)]
pub(super) struct FunctionCounters {
    pub calls: Counter,
    pub served: Counter,
    pub errors: Counter,
}

impl FunctionCounters {
    pub(super) fn snapshot(&self) -> FunctionStats {
        FunctionStats { calls: self.calls.get(), served: self.served.get(), errors: self.errors.get() }
    }
}

impl Counters {
    /// The node-wide part of a snapshot; the caller fills in the functions.
    pub(super) fn snapshot(&self) -> DemoStats {
        DemoStats {
            function_calls: self.function_calls.get(),
            served: self.served.get(),
            errors: self.errors.get(),
            forwarded: self.forwarded.get(),
            rejected: self.rejected.get(),
            forward_failures: self.forward_failures.get(),
            not_found: self.not_found.get(),
            aborted: self.aborted.get(),
            received_forwarded: self.received_forwarded.get(),
            body_bytes: self.body_bytes.get(),
            health_probes: self.health_probes.get(),
            deploys: self.deploys.get(),
            updates: self.updates.get(),
            deletes: self.deletes.get(),
            recent_local_calls: None,
            functions: BTreeMap::new(),
            other_functions: FunctionStats::default(),
        }
    }
}
