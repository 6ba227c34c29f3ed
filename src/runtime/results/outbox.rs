//! The hand-off from request tasks to an attack's writer thread: records are pushed into a shared
//! batch and the writer takes the whole batch every few milliseconds, never one wake-up per record.

use super::record::Record;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The writer takes what is queued at least this often...
pub const DRAIN_INTERVAL: Duration = Duration::from_millis(10);
/// ... and is woken early when this many records are waiting.
pub const WAKE_AT: usize = 4096;

/// Records waiting for the writer, and who can still send.
#[derive(Debug, Default)]
pub struct Outbox {
    state: Mutex<State>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct State {
    records: Vec<Record>,
    /// Live senders; the writer ends once this is zero and every record is taken.
    senders: usize,
    /// False once the writer thread has ended (records sent after that are lost).
    writer_alive: bool,
}

/// Why a record could not be queued.
#[derive(Debug, PartialEq, Eq)]
pub struct WriterGone;

impl Outbox {
    /// An outbox with one sender and a live writer.
    pub fn new() -> Self {
        Outbox {
            state: Mutex::new(State { records: Vec::new(), senders: 1, writer_alive: true }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues one record. Never blocks on the writer (the queue is unbounded).
    pub fn push(&self, record: Record) -> Result<(), WriterGone> {
        let mut state = self.lock();
        if !state.writer_alive {
            return Err(WriterGone);
        }
        state.records.push(record);
        if state.records.len() == WAKE_AT {
            self.ready.notify_one();
        }
        Ok(())
    }

    pub fn add_sender(&self) {
        self.lock().senders += 1;
    }

    pub fn remove_sender(&self) {
        let mut state = self.lock();
        state.senders = state.senders.saturating_sub(1);
        if state.senders == 0 {
            self.ready.notify_one();
        }
    }

    /// Writer side: waits up to `wait` (less when many records are queued or the last sender
    /// left), then swaps the queued records into `batch` (which must be empty). Returns false
    /// once every sender has left and nothing is queued any more: the writer may end.
    pub fn take(&self, batch: &mut Vec<Record>, wait: Duration) -> bool {
        debug_assert!(batch.is_empty(), "the previous batch was not consumed");
        let mut state = self.lock();
        if state.records.len() < WAKE_AT && state.senders > 0 {
            state = self.ready.wait_timeout(state, wait).unwrap_or_else(PoisonError::into_inner).0;
        }
        std::mem::swap(&mut state.records, batch);
        state.senders > 0 || !batch.is_empty()
    }

    /// Writer side: the writer thread has ended (normally or not); later records are lost.
    pub fn writer_ended(&self) {
        let mut state = self.lock();
        state.writer_alive = false;
        state.records = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::results::Lateness;
    use std::sync::Arc;
    use std::time::SystemTime;

    fn record(seq: u64) -> Record {
        Record {
            seq,
            timestamp: SystemTime::UNIX_EPOCH,
            latency: Duration::ZERO,
            lateness: Lateness::ZERO,
            code: 200,
            bytes_out: 0,
            bytes_in: 0,
            error: None,
            body: None,
            method: Arc::from("GET"),
            url: Arc::from("http://127.0.0.1/"),
            node: Record::NO_NODE,
            headers: Vec::new(),
        }
    }

    #[test]
    fn batches_until_the_last_sender_leaves() {
        let outbox = Outbox::new();
        outbox.add_sender();
        for seq in 0..3 {
            outbox.push(record(seq)).unwrap();
        }
        let mut batch = Vec::new();
        assert!(outbox.take(&mut batch, Duration::ZERO));
        assert_eq!(batch.iter().map(|r| r.seq).collect::<Vec<_>>(), [0, 1, 2]);
        batch.clear();
        outbox.remove_sender();
        outbox.push(record(3)).unwrap();
        outbox.remove_sender();
        // No sender left, one record queued: taken without waiting, then the end.
        assert!(outbox.take(&mut batch, Duration::from_secs(3600)));
        assert_eq!(batch.len(), 1);
        batch.clear();
        assert!(!outbox.take(&mut batch, Duration::from_secs(3600)));
    }

    #[test]
    fn a_full_batch_is_taken_without_waiting_and_a_dead_writer_refuses() {
        let outbox = Outbox::new();
        for seq in 0..WAKE_AT as u64 {
            outbox.push(record(seq)).unwrap();
        }
        let mut batch = Vec::new();
        assert!(outbox.take(&mut batch, Duration::from_secs(3600)));
        assert_eq!(batch.len(), WAKE_AT);
        outbox.writer_ended();
        assert_eq!(outbox.push(record(0)), Err(WriterGone));
    }
}
