//! The two load models. Open: a pacer fires request `k` at its scheduled instant whether or not
//! earlier ones returned, under a max-in-flight cap. Closed: `workers` loops, one request each.

use super::client::{Failure, HttpClient, Response};
use super::pacer_timer::PacerTimer;
use super::request::{Built, RequestFactory, Sent};
use super::schedule::Schedule;
use crate::runtime::results::Lateness;
use crate::runtime::stop::Stop;
use crate::scale::shard::SeqSlice;
use http::Method;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

/// One request's fate, handed to the attack's sink as soon as it is known.
#[derive(Debug)]
pub struct Completed {
    pub seq: u64,
    /// When the request was sent (or due, if it never was), from the attack's start.
    pub sent_at: Duration,
    /// Sent minus scheduled (zero for the closed model; negative when sent early).
    pub lateness: Lateness,
    pub latency: Duration,
    pub node: u16,
    pub url: Arc<str>,
    pub method: Method,
    pub bytes_out: u64,
    pub response: Response,
    pub outcome: Outcome,
}

impl Completed {
    /// The fate of a request that was built and sent.
    pub(super) fn sent(
        seq: u64,
        (node, url, method, bytes_out): Sent,
        sent_at: Duration,
        lateness: Lateness,
        latency: Duration,
        response: Response,
        outcome: Outcome,
    ) -> Completed {
        Completed { seq, sent_at, lateness, latency, node, url, method, bytes_out, response, outcome }
    }
}

/// Whether the request went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// `max-in-flight` was reached at its scheduled time: it was never sent.
    NotSentInTime,
    /// The request could not be built (template error, exhausted feeder): never sent.
    NotBuilt(String),
    /// Still in flight when the run was interrupted and the grace period ended.
    Interrupted,
}

/// Where an attack's results go (the results writer in a run, a vector in tests).
pub trait Sink: Send + Sync + 'static {
    fn accept(&self, completed: Completed);
}

/// What an attack did, counted by the engine itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    pub scheduled: u64,
    pub sent: u64,
    pub not_sent: u64,
    pub interrupted: u64,
}

/// Everything an attack needs to run.
pub struct Engine {
    pub factory: Arc<RequestFactory>,
    pub client: HttpClient,
    pub sink: Arc<dyn Sink>,
    pub max_in_flight: u64,
    /// At most this many requests at once on the wire (the `connections` limit).
    pub connections: Option<Arc<Semaphore>>,
    pub stop: Stop,
    /// How long in-flight requests may finish after a stop.
    pub grace: Duration,
    pub flight: Arc<Flight>,
}

/// Counters shared by the pacer, the request tasks and the progress display.
#[derive(Default)]
pub struct Flight {
    pub in_flight: AtomicU64,
    pub sent: AtomicU64,
    pub not_sent: AtomicU64,
    pub interrupted: AtomicU64,
    drained: Notify,
}

impl Flight {
    pub(super) fn done(&self) {
        if self.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.drained.notify_one();
        }
    }

    async fn drain(&self) {
        while self.in_flight.load(Ordering::Acquire) > 0 {
            self.drained.notified().await;
        }
    }
}

/// The pacer wakes at most this often: requests due within one period go out as one batch, so
/// high rates cost one wake-up of the runtime per period, not per request. It bounds what
/// batching adds to lateness (docs/performance.md has the measurements behind it).
pub const PACER_PERIOD: Duration = Duration::from_micros(500);

/// The longest the pacer sleeps at once, so that a stop is noticed soon even at low rates.
pub(super) const PACER_MAX_SLEEP: Duration = Duration::from_millis(50);

impl Engine {
    /// Runs an open-model attack from `start`. Returns when every sent request has completed.
    pub async fn run_open(self: Arc<Self>, schedule: Schedule, start: Instant) -> EngineStats {
        let flight = self.flight.clone();
        let scheduled = self.pace_open(schedule, start).await;
        flight.drain().await;
        EngineStats {
            scheduled,
            sent: flight.sent.load(Ordering::Acquire),
            not_sent: flight.not_sent.load(Ordering::Acquire),
            interrupted: flight.interrupted.load(Ordering::Acquire),
        }
    }

    /// On Linux, plain `http://` HTTP/1.1 requests are paced and sent by the tick-driven engine on
    /// a thread of its own; HTTP/2 (and any platform or setup where it is not available) takes
    /// the pacer task below.
    async fn pace_open(self: &Arc<Self>, schedule: Schedule, start: Instant) -> u64 {
        #[cfg(target_os = "linux")]
        if !self.client.options().http2 {
            let (engine, runtime) = (self.clone(), tokio::runtime::Handle::current());
            let ticked = tokio::task::spawn_blocking(move || {
                let result = super::tick_engine::run(&engine, &schedule, start, runtime);
                (result, schedule)
            })
            .await;
            match ticked {
                Ok((Ok(dispatched), _)) => return dispatched,
                // The engine could not be set up (no request was sent): fall back on the task.
                Ok((Err(_), schedule)) => return self.pace(&schedule, start).await,
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        self.pace(&schedule, start).await
    }

    /// The pacer, a task on the runtime: sleeps until requests are due (at most one wake-up per
    /// [`PACER_PERIOD`], on a microsecond timer) and spawns each due request as its own task, in
    /// order. Returns how many requests were dispatched before the schedule ended or a stop.
    async fn pace(self: &Arc<Self>, schedule: &Schedule, start: Instant) -> u64 {
        let mut timer = PacerTimer::new();
        let mut dispatched = 0;
        let mut ticks = schedule.ticks().map(|(seq, offset)| (seq, start + offset)).peekable();
        while let Some(&(_, next_due)) = ticks.peek() {
            if self.stop.is_stopped() {
                break;
            }
            let now = Instant::now();
            if now < next_due {
                timer.sleep_until(now + (next_due - now).clamp(PACER_PERIOD, PACER_MAX_SLEEP)).await;
                continue;
            }
            while let Some((seq, due)) = ticks.next_if(|&(_, due)| due <= now) {
                dispatched += 1;
                if self.flight.in_flight.load(Ordering::Acquire) >= self.max_in_flight {
                    self.flight.not_sent.fetch_add(1, Ordering::AcqRel);
                    let target = self.factory.target_of(seq);
                    self.sink.accept(unsent(
                        seq,
                        target,
                        due - start,
                        Lateness::between(due, now),
                        Outcome::NotSentInTime,
                    ));
                    continue;
                }
                self.flight.in_flight.fetch_add(1, Ordering::AcqRel);
                let engine = self.clone();
                tokio::spawn(async move {
                    engine.fire(seq, start, Some(due), &engine.flight).await;
                    engine.flight.done();
                });
            }
        }
        dispatched
    }

    /// Builds, sends and records request `seq`.
    async fn fire(&self, seq: u64, start: Instant, due: Option<Instant>, flight: &Flight) {
        let _permit = self.connection_permit().await;
        let built = match self.factory.build(seq) {
            Ok(b) => b,
            Err(message) => {
                let now = Instant::now();
                let lateness = due.map(|d| Lateness::between(d, now)).unwrap_or_default();
                flight.not_sent.fetch_add(1, Ordering::AcqRel);
                let target = self.factory.target_of(seq);
                self.sink.accept(unsent(seq, target, now - start, lateness, Outcome::NotBuilt(message)));
                return;
            }
        };
        self.exchange(seq, start, due, built, flight).await;
    }

    /// Sends and records request `seq`, built already (by the tick-driven pacer).
    pub(super) async fn fire_built(&self, seq: u64, start: Instant, due: Instant, built: Built) {
        let _permit = self.connection_permit().await;
        self.exchange(seq, start, Some(due), built, &self.flight).await;
    }

    async fn connection_permit(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        match &self.connections {
            Some(s) => s.clone().acquire_owned().await.ok(),
            None => None,
        }
    }

    async fn exchange(&self, seq: u64, start: Instant, due: Option<Instant>, built: Built, flight: &Flight) {
        let (request, target) = built.split();
        let sent = Instant::now();
        flight.sent.fetch_add(1, Ordering::AcqRel);
        let lateness = due.map(|d| Lateness::between(d, sent)).unwrap_or_default();
        let (response, outcome) = tokio::select! {
            biased;
            r = self.client.send(request) => (r, Outcome::Sent),
            _ = self.grace_over() => {
                flight.interrupted.fetch_add(1, Ordering::AcqRel);
                (Response { failure: Some(Failure::Other("interrupted before the response arrived".into())), ..Response::default() }, Outcome::Interrupted)
            }
        };
        self.sink.accept(Completed::sent(seq, target, sent - start, lateness, sent.elapsed(), response, outcome));
    }

    /// Resolves `grace` after a stop.
    async fn grace_over(&self) {
        self.stop.stopped().await;
        tokio::time::sleep(self.grace).await;
    }

    /// Runs a closed-model attack: `workers` loops until `duration` has passed since `start`.
    pub async fn run_closed(self: Arc<Self>, workers: u32, duration: Duration, start: Instant) -> EngineStats {
        self.run_closed_slice(workers, duration, start, SeqSlice::ALL).await
    }

    /// The closed model for one shard: its `n`-th request is request `slice.seq(n)`, so that the
    /// shards' request numbers never collide.
    pub async fn run_closed_slice(
        self: Arc<Self>,
        workers: u32,
        duration: Duration,
        start: Instant,
        slice: SeqSlice,
    ) -> EngineStats {
        let flight = self.flight.clone();
        let next = Arc::new(AtomicU64::new(0));
        let deadline = start + duration;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            let (engine, flight, next) = (self.clone(), flight.clone(), next.clone());
            tasks.spawn(async move {
                while Instant::now() < deadline && !engine.stop.is_stopped() {
                    let seq = slice.seq(next.fetch_add(1, Ordering::AcqRel));
                    flight.in_flight.fetch_add(1, Ordering::AcqRel);
                    engine.fire(seq, start, None, &flight).await;
                    flight.done();
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        EngineStats {
            scheduled: next.load(Ordering::Acquire),
            sent: flight.sent.load(Ordering::Acquire),
            not_sent: flight.not_sent.load(Ordering::Acquire),
            interrupted: flight.interrupted.load(Ordering::Acquire),
        }
    }
}

pub(super) fn unsent(
    seq: u64,
    (node, url, method): (u16, Arc<str>, Method),
    at: Duration,
    lateness: Lateness,
    outcome: Outcome,
) -> Completed {
    Completed {
        seq,
        sent_at: at,
        lateness,
        latency: Duration::ZERO,
        node,
        url,
        method,
        bytes_out: 0,
        response: Response::default(),
        outcome,
    }
}
