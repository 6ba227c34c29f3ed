//! The results writer of one attack: a dedicated OS thread that takes records in batches,
//! streams them to `results.json` (in timestamp order, through a short ordering window) and, at
//! the end, writes the histograms, time series and summary.

use super::histogram::DurationHistogram;
use super::order_window::OrderWindow;
use super::outbox::{Outbox, DRAIN_INTERVAL};
use super::record::Record;
use super::recorded_headers::HeaderValues;
use super::series::Series;
use super::summary::{AttackSummary, SummaryBuilder};
use super::timestamp::unix_nanos;
use super::vegeta::{Failure, VegetaEncoder};
use crate::model::units::StatusSet;
use crate::model::Attack;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

pub const RESULTS_FILE: &str = "results.json";
pub const LATENCY_FILE: &str = "latency.hdr";
pub const LATENESS_FILE: &str = "lateness.hdr";
pub const SERIES_FILE: &str = "timeseries.csv";
pub const SUMMARY_FILE: &str = "summary.json";

/// Encoded lines are written to `results.json` when this many bytes are buffered...
pub const WRITE_BUFFER_BYTES: usize = 256 * 1024;
/// ... or when the oldest buffered line is this old, whichever comes first. Only whole lines are
/// ever written, so an interrupted run leaves a file that reads line by line.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// A line waits in the ordering window until its request was sent this long ago, so that the
/// requests sent before it that are still in flight can take their place before it...
pub const ORDER_HOLD: Duration = Duration::from_millis(250);
/// ... looked at this often...
const ORDER_RELEASE_INTERVAL: Duration = Duration::from_millis(100);
/// ... or until the window holds this many lines or bytes (then the earliest three quarters go).
/// Small enough for the lines to be in the CPU cache still when they are written: an 8 MiB window
/// cut the closed loop's throughput by a tenth (its copies to the page cache missed the cache).
pub const ORDER_WINDOW_RECORDS: usize = 8 * 1024;
pub const ORDER_WINDOW_BYTES: usize = 1 << 20;

/// What the writer leaves behind, besides its files.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub summary: AttackSummary,
    /// `results.json` holds its lines in timestamp order (ties in completion order): no request
    /// took longer than the ordering window allowed. False when no `results.json` was written.
    pub results_in_order: bool,
}

/// What the writer needs to know about the attack.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    pub attack: String,
    /// The attack's target nodes; `Record::node` indexes this list.
    pub node_names: Vec<String>,
    /// The status codes that count as success.
    pub success: StatusSet,
    /// Response headers to record; `Record::headers` indexes this list.
    pub recorded_headers: Vec<String>,
    /// The attack's start: second 0 of the time series.
    pub start: SystemTime,
    /// Write response bodies (base64) into `results.json`.
    pub write_body: bool,
    /// Write `results.json` at all; when false only the aggregates (histograms, series, summary)
    /// are kept, for shards whose every result is not wanted.
    pub write_results: bool,
}

impl WriterOptions {
    /// The options of a scenario attack starting at `start`: its nodes, success rule, recorded
    /// headers and bodies; every result written.
    pub fn for_attack(attack: &Attack, start: SystemTime) -> WriterOptions {
        WriterOptions {
            attack: attack.name.clone(),
            node_names: attack.nodes.clone(),
            success: attack.success.clone(),
            recorded_headers: attack.record_headers.clone(),
            start,
            write_body: attack.record_body.is_some(),
            write_results: true,
        }
    }
}

/// Creates `dir` if needed and `dir/results.json` (which must not exist yet; not created when
/// `write_results` is off), and starts the writer thread. The returned sink is the only way to feed it.
pub fn spawn_writer(dir: &Path, options: WriterOptions) -> io::Result<ResultsSink> {
    fs::create_dir_all(dir)?;
    let results_path = dir.join(RESULTS_FILE);
    let file = match options.write_results {
        true => Some(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&results_path)
                .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", results_path.display())))?,
        ),
        false => None,
    };
    let collector = Collector::new(dir, file, options);
    let outbox = Arc::new(Outbox::new());
    let thread = {
        let outbox = outbox.clone();
        std::thread::Builder::new().name(format!("results:{}", collector.attack)).spawn(move || {
            // However the thread ends, later records are counted as lost instead of piling up.
            let _ended = WriterEnded(&outbox);
            collector.run(&outbox)
        })?
    };
    Ok(ResultsSink {
        outbox,
        handle: Arc::new(WriterHandle { thread: Mutex::new(Some(thread)), lost: AtomicU64::new(0) }),
    })
}

struct WriterEnded<'a>(&'a Outbox);

impl Drop for WriterEnded<'_> {
    fn drop(&mut self) {
        self.0.writer_ended();
    }
}

/// Hands records to the writer thread. Cheap to clone (one per task); `send` never blocks.
#[derive(Debug)]
pub struct ResultsSink {
    outbox: Arc<Outbox>,
    handle: Arc<WriterHandle>,
}

impl Clone for ResultsSink {
    fn clone(&self) -> Self {
        self.outbox.add_sender();
        ResultsSink { outbox: self.outbox.clone(), handle: self.handle.clone() }
    }
}

impl Drop for ResultsSink {
    /// Runs before the fields drop: the last clone leaves the outbox, then joins the thread.
    fn drop(&mut self) {
        self.outbox.remove_sender();
    }
}

#[derive(Debug)]
struct WriterHandle {
    thread: Mutex<Option<JoinHandle<io::Result<Finished>>>>,
    /// Records that could not be handed over because the writer thread had died.
    lost: AtomicU64,
}

impl Drop for WriterHandle {
    /// The last sink dropped without `finish` (a panic, an abandoned attack): every sender is gone,
    /// so the thread writes its files and ends; wait for it so that nothing is lost.
    fn drop(&mut self) {
        if let Some(thread) = self.thread.get_mut().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = thread.join();
        }
    }
}

impl ResultsSink {
    /// Queues one record for the writer. Never blocks: the queue is unbounded (a writer that
    /// falls behind costs memory, not request timing), and the writer takes it in batches.
    pub fn send(&self, record: Record) {
        if self.outbox.push(record).is_err() {
            self.handle.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Ends the attack's results: waits until every other clone of this sink has been dropped and
    /// every queued record is written, then flushes and fsyncs `results.json`, writes
    /// `latency.hdr`, `lateness.hdr`, `timeseries.csv` and `summary.json`, and returns the summary
    /// and whether `results.json` came out in timestamp order.
    ///
    /// Blocking: call it from `spawn_blocking` in async code, after dropping the other clones.
    pub fn finish(self) -> io::Result<Finished> {
        let handle = self.handle.clone();
        drop(self);
        let thread = handle.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        let thread = thread.ok_or_else(|| io::Error::other("the results writer was already finished"))?;
        let summary = thread.join().map_err(|_| io::Error::other("the results writer thread panicked"))?;
        match handle.lost.load(Ordering::Relaxed) {
            0 => summary,
            lost => Err(io::Error::other(format!("{lost} results were lost: the results writer stopped early"))),
        }
    }
}

/// The writer thread's state: encoder, write buffer and every aggregate.
struct Collector {
    dir: PathBuf,
    attack: String,
    success: StatusSet,
    node_names: Vec<String>,
    /// `results.json`, unless results lines are not written.
    file: Option<File>,
    /// Encoded lines waiting for their turn in timestamp order...
    order: OrderWindow,
    /// ... and those whose turn came, waiting to be written.
    pending: Vec<u8>,
    write_error: Option<io::Error>,
    encoder: VegetaEncoder,
    message: String,
    slots: Vec<usize>,
    headers: HeaderValues,
    summary: SummaryBuilder,
    series: Series,
    latency: DurationHistogram,
    lateness: DurationHistogram,
}

impl Collector {
    fn new(dir: &Path, file: Option<File>, options: WriterOptions) -> Self {
        let headers = HeaderValues::new(&options.recorded_headers);
        let header_count = options.recorded_headers.len();
        Collector {
            dir: dir.to_path_buf(),
            encoder: VegetaEncoder::new(
                &options.attack,
                &options.recorded_headers,
                &options.node_names,
                options.write_body,
            ),
            summary: SummaryBuilder::new(
                &options.attack,
                &options.success,
                options.start,
                &options.node_names,
                header_count,
            ),
            series: Series::new(options.start, options.node_names.len(), header_count),
            attack: options.attack,
            success: options.success,
            node_names: options.node_names,
            file,
            order: OrderWindow::new(ORDER_WINDOW_RECORDS, ORDER_WINDOW_BYTES),
            pending: Vec::with_capacity(WRITE_BUFFER_BYTES + 64 * 1024),
            write_error: None,
            message: String::new(),
            slots: Vec::new(),
            headers,
            latency: DurationHistogram::new(),
            lateness: DurationHistogram::new(),
        }
    }

    /// Takes batches until every sender is gone, writing buffered lines at least every
    /// [`FLUSH_INTERVAL`].
    fn run(mut self, outbox: &Outbox) -> io::Result<Finished> {
        let mut batch = Vec::new();
        let mut oldest_pending: Option<Instant> = None;
        let mut last_release = Instant::now();
        loop {
            let open = outbox.take(&mut batch, DRAIN_INTERVAL);
            for record in batch.drain(..) {
                self.absorb(record);
                if self.order.is_full() {
                    self.order.release(i128::MIN, &mut self.pending);
                }
                if self.pending.len() >= WRITE_BUFFER_BYTES {
                    self.write_pending();
                    oldest_pending = None;
                }
            }
            let now = Instant::now();
            if now.duration_since(last_release) >= ORDER_RELEASE_INTERVAL && !self.order.is_empty() {
                let upto = unix_nanos(SystemTime::now()) - ORDER_HOLD.as_nanos() as i128;
                self.order.release(upto, &mut self.pending);
                last_release = now;
            }
            match oldest_pending {
                _ if self.pending.is_empty() => oldest_pending = None,
                Some(since) if now.duration_since(since) >= FLUSH_INTERVAL => {
                    self.write_pending();
                    oldest_pending = None;
                }
                Some(_) => {}
                None => oldest_pending = Some(now),
            }
            if !open {
                break;
            }
        }
        self.finish()
    }

    /// Encodes one record and counts it everywhere.
    fn absorb(&mut self, record: Record) {
        self.message.clear();
        let failure = record.failure(&self.success);
        if let Some(kind) = failure {
            kind.render(&record.method, &record.url, record.code, &mut self.message);
        }
        self.headers.classify(&record.headers, &mut self.slots);
        if self.file.is_some() {
            let encoded = failure.map(|kind| Failure { kind: kind.name(), message: &self.message });
            let encoder = &mut self.encoder;
            self.order.push_with(unix_nanos(record.timestamp), |out| encoder.encode(&record, encoded, out));
        }
        self.summary.observe(&record, failure.map(|kind| (kind, self.message.as_str())), &self.slots);
        self.series.observe(&record, failure.is_none(), &self.slots);
        if !record.not_sent() {
            self.latency.record(record.latency);
            self.lateness.record(record.lateness.late_by());
        }
    }

    /// Writes the buffered whole lines. After a write error the lines are dropped (the error is
    /// reported by `finish`), but every record is still counted.
    fn write_pending(&mut self) {
        if let (None, Some(file)) = (&self.write_error, &mut self.file) {
            if let Err(e) = file.write_all(&self.pending) {
                self.write_error = Some(e);
            }
        }
        self.pending.clear();
    }

    fn finish(mut self) -> io::Result<Finished> {
        self.order.release_all(&mut self.pending);
        self.write_pending();
        let results = self.dir.join(RESULTS_FILE);
        let in_file = |path: &Path| {
            let path = path.display().to_string();
            move |e: io::Error| io::Error::new(e.kind(), format!("writing {path}: {e}"))
        };
        if let Some(e) = self.write_error.take() {
            return Err(in_file(&results)(e));
        }
        if let Some(file) = &self.file {
            file.sync_all().map_err(in_file(&results))?;
        }

        let latency_path = self.dir.join(LATENCY_FILE);
        self.latency.save(&latency_path).map_err(in_file(&latency_path))?;
        let lateness_path = self.dir.join(LATENESS_FILE);
        self.lateness.save(&lateness_path).map_err(in_file(&lateness_path))?;
        let series_path = self.dir.join(SERIES_FILE);
        self.series.write_csv(&series_path, &self.node_names, &self.headers).map_err(in_file(&series_path))?;

        let summary = self.summary.finish(&self.latency, &self.lateness, &self.headers, self.series.before_start());
        let summary_path = self.dir.join(SUMMARY_FILE);
        let mut json = serde_json::to_vec_pretty(&summary).map_err(io::Error::other)?;
        json.push(b'\n');
        write_synced(&summary_path, &json).map_err(in_file(&summary_path))?;
        Ok(Finished { summary, results_in_order: self.file.is_some() && self.order.in_order() })
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
