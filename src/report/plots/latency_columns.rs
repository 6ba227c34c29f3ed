//! Latency over time, downsampled while streaming results: the time axis is cut into one column
//! per pixel, and each column keeps the min and max latency of its successes and of its errors.

use super::Tap;
use crate::runtime::results::{read_results, VegetaResult};
use std::path::Path;
use std::time::SystemTime;

/// The fastest and slowest latency seen in a column, and how many requests fell in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub count: u64,
    pub min_ns: u64,
    pub max_ns: u64,
}

impl Span {
    fn add(&mut self, ns: u64) {
        if self.count == 0 {
            self.min_ns = ns;
            self.max_ns = ns;
        } else {
            self.min_ns = self.min_ns.min(ns);
            self.max_ns = self.max_ns.max(ns);
        }
        self.count += 1;
    }
}

/// Min/max latency per column of a time axis `[0, span_s)`: memory is fixed by the number of
/// columns, whatever the number of requests; no request is dropped (each widens its column).
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyColumns {
    pub span_s: f64,
    pub successes: Vec<Span>,
    pub errors: Vec<Span>,
    /// Requests that were never sent (no latency): counted, not drawn.
    pub not_sent: u64,
    /// Requests sent after the end of the axis (drawn in the last column).
    pub past_end: u64,
}

impl LatencyColumns {
    pub fn new(columns: usize, span_s: f64) -> Self {
        let columns = columns.max(1);
        LatencyColumns {
            span_s: span_s.max(1e-9),
            successes: vec![Span::default(); columns],
            errors: vec![Span::default(); columns],
            not_sent: 0,
            past_end: 0,
        }
    }

    pub fn columns(&self) -> usize {
        self.successes.len()
    }

    /// Width of one column, in seconds.
    pub fn column_s(&self) -> f64 {
        self.span_s / self.columns() as f64
    }

    /// Counts one sent request at `offset_s` seconds from the origin (negative offsets go to the
    /// first column).
    pub fn observe(&mut self, offset_s: f64, latency_ns: u64, success: bool) {
        let columns = self.columns();
        let mut column = (offset_s.max(0.0) / self.span_s * columns as f64).floor() as usize;
        if column >= columns {
            self.past_end += 1;
            column = columns - 1;
        }
        let spans = if success { &mut self.successes } else { &mut self.errors };
        spans[column].add(latency_ns);
    }

    /// Counts one result read back from a results file, relative to `origin`.
    pub fn observe_result(&mut self, result: &VegetaResult, origin: SystemTime) {
        if never_sent(result) {
            self.not_sent += 1;
            return;
        }
        let latency = u64::try_from(result.latency.as_nanos()).unwrap_or(u64::MAX);
        self.observe(offset_s(result.timestamp, origin), latency, result.is_success());
    }

    /// The highest latency of any column, in nanoseconds.
    pub fn max_ns(&self) -> u64 {
        self.successes.iter().chain(&self.errors).filter(|s| s.count > 0).map(|s| s.max_ns).max().unwrap_or(0)
    }

    pub fn count(&self, success: bool) -> u64 {
        let spans = if success { &self.successes } else { &self.errors };
        spans.iter().map(|s| s.count).sum()
    }

    /// Streams a results file into columns; `tap` sees every result too.
    pub fn from_results(
        path: &Path,
        origin: SystemTime,
        columns: usize,
        span_s: f64,
        tap: Tap<'_>,
    ) -> Result<Self, String> {
        let mut out = LatencyColumns::new(columns, span_s);
        let reader = read_results(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for result in reader {
            let result = result.map_err(|e| e.to_string())?;
            out.observe_result(&result, origin);
            tap(&result);
        }
        Ok(out)
    }
}

/// Seconds from `origin` to `t` (negative when `t` is earlier).
pub fn offset_s(t: SystemTime, origin: SystemTime) -> f64 {
    match t.duration_since(origin) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// A request that never left (max in-flight reached, or not built): no latency to draw.
pub fn never_sent(result: &VegetaResult) -> bool {
    matches!(result.error_kind.as_deref(), Some("not_sent_in_time" | "not_built"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_keep_the_extremes_of_every_request() {
        let mut c = LatencyColumns::new(4, 2.0);
        c.observe(0.1, 5, true);
        c.observe(0.2, 9, true);
        c.observe(0.2, 7, false);
        c.observe(1.9, 3, true);
        c.observe(2.5, 4, true);
        assert_eq!(c.successes[0], Span { count: 2, min_ns: 5, max_ns: 9 });
        assert_eq!(c.errors[0], Span { count: 1, min_ns: 7, max_ns: 7 });
        assert_eq!(c.successes[3], Span { count: 2, min_ns: 3, max_ns: 4 });
        assert_eq!(c.past_end, 1);
        assert_eq!(c.count(true) + c.count(false), 5);
        assert_eq!(c.max_ns(), 9);
    }
}
