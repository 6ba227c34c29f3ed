//! The open model's pacer on Linux, and the HTTP/1.1 client it drives itself for plain
//! `http://` requests. One thread wakes once per tick (at most once per [`TICK`]); at each
//! tick it reads the responses that arrived since the last one (one `epoll_wait` that never
//! blocks, then one `recvmsg` per ready connection), sends every request due within half a tick
//! from now ([`LEAD`]), and sleeps again. A tick's requests are thus centred on it: each leaves
//! at most about half a tick before or after its scheduled time, and its lateness (negative
//! when early) is in its result. Responses wake nobody: a request's latency ends at the
//! kernel's receive timestamp of its response's last bytes, not when the pacer looked. Requests
//! that are not plain HTTP/1.1 (`https://`) go to the async client on the runtime, as in the
//! closed model.
//!
//! Why: on a virtual machine every wake-up of a thread costs more CPU than sending a request
//! (docs/performance.md); this way a run at 20 000 requests/s wakes about 670 times a second,
//! not 20 000 times, and no request is more than about 0.8 ms off its time.

use super::client::{ClientOptions, Failure, Response};
use super::engine::{unsent, Completed, Engine, Outcome, PACER_MAX_SLEEP};
use super::http1_client::{io_failure, ExchangeError};
use super::http1_reader::Read;
use super::http1_response::Framing;
use super::request::{Built, Prepared, RequestParts};
use super::schedule::Schedule;
use super::tick_conn::TickConn;
use super::wire::{encode_request, Origin};
use crate::runtime::results::Lateness;
use http::Method;
use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The pacer wakes at most this often. Each tick costs a wake-up of this thread and of the
/// server, and a request leaves at most about half a tick (plus some 40 µs of wake-up and
/// reading here) away from its time, so the tick is as long as keeps that well under 1 ms
/// (docs/performance.md has the measurements: a lateness p99 of 0.78 ms at 20 000/s).
const TICK: Duration = Duration::from_micros(1500);

/// A tick sends the requests due up to this long after it: half a tick, so that a tick's
/// requests are centred on it (the mean of sent − scheduled is about zero, and its spread half
/// of what a tick that sent only the requests already due would give).
const LEAD: Duration = Duration::from_micros(750);

/// Requests past their timeout are looked for this often.
const TIMEOUT_SCAN: Duration = Duration::from_millis(10);

/// Runs the open model from `start` until every request of `schedule` has been sent and its
/// response read (or the run stopped and its grace period ended). Returns how many requests
/// were dispatched. Requests handed to the runtime may still be in flight when it returns.
pub fn run(
    engine: &Arc<Engine>,
    schedule: &Schedule,
    start: Instant,
    runtime: tokio::runtime::Handle,
) -> io::Result<u64> {
    set_timer_slack();
    // Never early for the attack's start itself.
    std::thread::sleep(start.saturating_duration_since(Instant::now()));
    let mut driver = Driver::new(engine.clone(), start, runtime)?;
    let mut ticks = schedule.ticks().map(|(seq, offset)| (seq, start + offset)).peekable();
    let mut dispatched = 0;
    let mut stopped_at: Option<Instant> = None;
    let mut next_scan = start + TIMEOUT_SCAN;
    let mut due = Vec::new();
    loop {
        let now = Instant::now();
        driver.clock = (now, wall_ns());
        driver.harvest();
        if now >= next_scan {
            driver.expire(now);
            next_scan = now + TIMEOUT_SCAN;
        }
        if stopped_at.is_none() && engine.stop.is_stopped() {
            stopped_at = Some(now);
        }
        driver.serve_waiting();
        if stopped_at.is_none() {
            // Due means due once the responses are read: reading takes longer the more requests
            // a tick carries, and a request that fell due meanwhile should not wait a whole period.
            let cut = Instant::now();
            driver.clock = (cut, driver.clock.1 + (cut - now).as_nanos() as i64);
            due.clear();
            due.extend(std::iter::from_fn(|| ticks.next_if(|&(_, at)| at <= cut + LEAD)));
            dispatched += due.len() as u64;
            for (i, &(seq, at)) in due.iter().enumerate() {
                driver.dispatch(seq, at, (due.len() - i - 1) as u64);
            }
        }
        let schedule_done = stopped_at.is_some() || ticks.peek().is_none();
        if schedule_done && driver.in_flight == 0 {
            break;
        }
        if let Some(stopped) = stopped_at {
            if now >= stopped + engine.grace {
                driver.interrupt_all();
                break;
            }
        }
        // Responses are read when the pacer wakes for the next requests anyway (their latency
        // does not depend on it); only once the schedule is done does it wake just for them.
        let mut wake = now + PACER_MAX_SLEEP;
        if let Some(&(_, due)) = ticks.peek().filter(|_| stopped_at.is_none()) {
            // Not earlier than the next request's time: when it is more than a tick away, it
            // goes out on time (and those due within `LEAD` after it with it).
            wake = wake.min(due.max(now + TICK));
        } else if driver.in_flight > 0 {
            wake = wake.min(now + TICK);
        }
        if let Some(stopped) = stopped_at {
            wake = wake.min((stopped + engine.grace).max(now));
        }
        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
    }
    Ok(dispatched)
}

/// One request on its way.
struct Job {
    seq: u64,
    due: Instant,
    built: Built,
    origin: usize,
    /// When it was sent: the clock, and the wall clock in ns since the Unix epoch.
    sent: Option<(Instant, i64)>,
    /// Already sent once more after a reused connection turned out closed.
    retried: bool,
}

/// A connection (if open) and the request it carries (if any).
#[derive(Default)]
struct Slot {
    conn: Option<TickConn>,
    job: Option<Job>,
    /// Tells this slot's connections apart in epoll events.
    generation: u32,
    /// Writability is watched too (while connecting, or while a request is half written).
    watching_out: bool,
}

struct OriginEntry {
    origin: Origin,
    /// Resolved on first use, once.
    addresses: Option<Result<Vec<SocketAddr>, Failure>>,
}

struct Driver {
    engine: Arc<Engine>,
    options: Arc<ClientOptions>,
    start: Instant,
    /// This tick's time, and the wall clock then (ns since the Unix epoch).
    clock: (Instant, i64),
    epoll: OwnedFd,
    events: Vec<libc::epoll_event>,
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// Idle connections per origin (slot numbers).
    idle: Vec<Vec<usize>>,
    origins: Vec<OriginEntry>,
    open: usize,
    /// At most this many connections at once (the attack's `connections`).
    max_open: usize,
    /// Requests waiting for a connection, in order.
    waiting: VecDeque<Job>,
    /// Requests of this driver not finished yet (on a connection or waiting for one).
    in_flight: u64,
    /// Inside `harvest` (which may send a request once more, which may look for responses).
    harvesting: bool,
    runtime: tokio::runtime::Handle,
}

impl Driver {
    fn new(engine: Arc<Engine>, start: Instant, runtime: tokio::runtime::Handle) -> io::Result<Driver> {
        // SAFETY: plain system call; the result is checked.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let max_open = engine.connections.as_ref().map_or(usize::MAX, |c| c.available_permits());
        Ok(Driver {
            options: engine.client.options().clone(),
            engine,
            start,
            clock: (start, wall_ns()),
            // SAFETY: `fd` was just opened and is owned here alone.
            epoll: unsafe { OwnedFd::from_raw_fd(fd) },
            events: vec![libc::epoll_event { events: 0, u64: 0 }; 1024],
            slots: Vec::new(),
            free: Vec::new(),
            idle: Vec::new(),
            origins: Vec::new(),
            open: 0,
            max_open,
            waiting: VecDeque::new(),
            in_flight: 0,
            harvesting: false,
            runtime,
        })
    }

    /// Request `seq`, due at `due`, with `behind` more requests due after it at this tick: not
    /// sent when max-in-flight is reached, counting the requests due and not sent yet as in
    /// flight (so that a pacer that falls behind drops its oldest requests and stays on time,
    /// rather than sending everything later and later); otherwise built and sent (or queued for
    /// a connection).
    fn dispatch(&mut self, seq: u64, due: Instant, behind: u64) {
        let (engine, now) = (self.engine.clone(), self.clock.0);
        if engine.flight.in_flight.load(Ordering::Acquire) + behind >= engine.max_in_flight {
            engine.flight.not_sent.fetch_add(1, Ordering::AcqRel);
            let target = engine.factory.target_of(seq);
            engine.sink.accept(unsent(
                seq,
                target,
                due - self.start,
                Lateness::between(due, now),
                Outcome::NotSentInTime,
            ));
            return;
        }
        engine.flight.in_flight.fetch_add(1, Ordering::AcqRel);
        let built = match engine.factory.build(seq) {
            Ok(built) => built,
            Err(message) => {
                engine.flight.not_sent.fetch_add(1, Ordering::AcqRel);
                let target = engine.factory.target_of(seq);
                engine.sink.accept(unsent(
                    seq,
                    target,
                    now - self.start,
                    Lateness::between(due, now),
                    Outcome::NotBuilt(message),
                ));
                engine.flight.done();
                return;
            }
        };
        let Some(origin) = self.plain_origin(&built.request) else {
            // Not plain HTTP/1.1: the async client sends it.
            let start = self.start;
            self.runtime.spawn(async move {
                engine.fire_built(seq, start, due, built).await;
                engine.flight.done();
            });
            return;
        };
        self.in_flight += 1;
        self.send(Job { seq, due, built, origin, sent: None, retried: false });
    }

    /// The origin of a plain `http://` request (an index of `origins`), if it is one.
    fn plain_origin(&mut self, request: &Prepared) -> Option<usize> {
        match request {
            Prepared::Fixed(fixed) => fixed.http1.as_ref().map(|(origin, _)| self.origin_index(origin)),
            Prepared::Parts(parts) => Origin::of(&parts.uri).map(|origin| self.origin_index(&origin)),
        }
    }

    fn origin_index(&mut self, origin: &Origin) -> usize {
        if let Some(at) = self.origins.iter().position(|o| o.origin.authority == origin.authority) {
            return at;
        }
        self.origins.push(OriginEntry { origin: origin.clone(), addresses: None });
        self.idle.push(Vec::new());
        self.origins.len() - 1
    }

    /// Sends `job` on an idle connection, or a new one, or queues it when none may be opened.
    /// A request sent once more always takes a new connection.
    fn send(&mut self, mut job: Job) {
        let idle = if job.retried {
            if self.open >= self.max_open {
                // Make room under the connection cap.
                if let Some(idle) = self.take_idle(job.origin) {
                    self.close(idle);
                }
            }
            None
        } else {
            self.take_idle(job.origin).or_else(|| {
                // Responses to this tick's first requests may have arrived already: reusing
                // their connections beats opening new ones (a burst after a late tick would
                // otherwise open one connection per request).
                self.harvest();
                self.take_idle(job.origin)
            })
        };
        let at = match idle {
            Some(at) => at,
            None if self.open < self.max_open => match self.open_conn(job.origin) {
                Ok(at) => at,
                Err(failure) => {
                    self.mark_sent(&mut job);
                    self.finish(job, Err(failure));
                    return;
                }
            },
            None => {
                self.waiting.push_back(job);
                return;
            }
        };
        self.mark_sent(&mut job);
        let conn = self.slots[at].conn.as_mut().expect("a taken connection is open");
        conn.out.clear();
        match &job.built.request {
            Prepared::Fixed(fixed) => conn.out.extend_from_slice(&fixed.http1.as_ref().expect("plain HTTP").1),
            Prepared::Parts(parts) => {
                let RequestParts { method, uri, headers, body } = &**parts;
                encode_request(method, uri, headers, body, !self.options.keep_alive, &mut conn.out);
            }
        }
        conn.begin(job.built.method == Method::HEAD, self.options.keep_body);
        self.slots[at].job = Some(job);
        if !self.slots[at].conn.as_ref().is_some_and(|c| c.connecting) {
            self.write(at);
        }
    }

    fn mark_sent(&self, job: &mut Job) {
        if job.sent.is_none() {
            let now = Instant::now();
            let wall = self.clock.1 + (now - self.clock.0).as_nanos() as i64;
            job.sent = Some((now, wall));
            self.engine.flight.sent.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Writes the request of slot `at`; watches for writability when the socket is full.
    fn write(&mut self, at: usize) {
        let conn = self.slots[at].conn.as_mut().expect("writing on an open connection");
        match conn.write() {
            Ok(true) => self.watch(at, false),
            Ok(false) => self.watch(at, true),
            Err(e) => self.failed(at, e),
        }
    }

    fn take_idle(&mut self, origin: usize) -> Option<usize> {
        self.idle[origin].pop()
    }

    /// Opens a connection to `origin` in a free slot.
    fn open_conn(&mut self, origin: usize) -> Result<usize, Failure> {
        let entry = &mut self.origins[origin];
        let addresses =
            entry.addresses.get_or_insert_with(|| match (&*entry.origin.host, entry.origin.port).to_socket_addrs() {
                Ok(found) => {
                    let found: Vec<SocketAddr> = found.collect();
                    if found.is_empty() {
                        Err(Failure::Dns(format!("no address for {}", entry.origin.host)))
                    } else {
                        Ok(found)
                    }
                }
                Err(e) => Err(Failure::Dns(format!("failed to lookup address {}: {e}", entry.origin.host))),
            });
        let addresses = addresses.as_ref().map_err(Clone::clone)?;
        let mut last = None;
        let mut conn = None;
        for address in addresses {
            match TickConn::connect(*address, origin) {
                Ok(c) => {
                    conn = Some(c);
                    break;
                }
                Err(e) => last = Some(io_failure(&e)),
            }
        }
        let conn = conn.ok_or_else(|| last.unwrap_or(Failure::Other("no address to connect to".into())))?;
        let at = self.free.pop().unwrap_or_else(|| {
            self.slots.push(Slot::default());
            self.slots.len() - 1
        });
        let slot = &mut self.slots[at];
        slot.generation = slot.generation.wrapping_add(1);
        let (fd, token, connecting) = (conn.fd(), token(at, slot.generation), conn.connecting);
        slot.conn = Some(conn);
        slot.watching_out = connecting;
        self.open += 1;
        if let Err(e) = epoll_ctl(&self.epoll, libc::EPOLL_CTL_ADD, fd, token, connecting) {
            self.close(at);
            return Err(io_failure(&e));
        }
        Ok(at)
    }

    /// Watches slot `at` for reading, and for writing too when `out`.
    fn watch(&mut self, at: usize, out: bool) {
        let slot = &mut self.slots[at];
        if slot.watching_out == out {
            return;
        }
        slot.watching_out = out;
        let fd = slot.conn.as_ref().expect("watching an open connection").fd();
        if let Err(e) = epoll_ctl(&self.epoll, libc::EPOLL_CTL_MOD, fd, token(at, slot.generation), out) {
            self.failed(at, ExchangeError::Io { error: e, nothing_received: false });
        }
    }

    /// Reads every response that has arrived, and finishes connecting and writing. Not
    /// re-entered: a request sent once more from inside it waits for the next look.
    fn harvest(&mut self) {
        if self.harvesting {
            return;
        }
        self.harvesting = true;
        self.harvest_ready();
        self.harvesting = false;
    }

    fn harvest_ready(&mut self) {
        loop {
            let capacity = self.events.len() as libc::c_int;
            // SAFETY: `events` is valid for `capacity` entries; timeout 0 never blocks.
            let n = unsafe { libc::epoll_wait(self.epoll.as_raw_fd(), self.events.as_mut_ptr(), capacity, 0) };
            if n < 0 {
                // Only EINTR is possible with these arguments: look again at the next tick.
                return;
            }
            for i in 0..n as usize {
                let libc::epoll_event { events, u64: token } = self.events[i];
                self.ready(token, events);
            }
            if (n as usize) < self.events.len() {
                return;
            }
        }
    }

    fn ready(&mut self, token: u64, events: u32) {
        let (at, generation) = ((token & 0xffff_ffff) as usize, (token >> 32) as u32);
        let Some(slot) = self.slots.get_mut(at) else { return };
        if slot.generation != generation {
            return;
        }
        let Some(conn) = slot.conn.as_mut() else { return };
        let trouble = events & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0;
        if conn.connecting && (events & libc::EPOLLOUT as u32 != 0 || trouble) {
            if let Err(error) = conn.connected() {
                self.failed(at, ExchangeError::Io { error, nothing_received: true });
                return;
            }
            if slot.job.is_some() {
                self.write(at);
            } else {
                self.watch(at, false);
            }
            return;
        }
        if slot.job.is_none() {
            // Readable while idle: closed by the server, or sent something not asked for.
            self.close(at);
            return;
        }
        if events & libc::EPOLLOUT as u32 != 0 && !conn.written() {
            self.write(at);
            if self.slots[at].conn.as_ref().is_none_or(|c| !c.written()) {
                return;
            }
        }
        if events & (libc::EPOLLIN as u32) != 0 || trouble {
            let Some(conn) = self.slots[at].conn.as_mut() else { return };
            match conn.read(&self.options.recorded_headers) {
                Ok(None) => {}
                Ok(Some(read)) => self.answered(at, read),
                Err(e) => self.failed(at, e),
            }
        }
    }

    /// Slot `at`'s response is whole: record it, then keep the connection or close it.
    fn answered(&mut self, at: usize, read: Read) {
        let slot = &mut self.slots[at];
        let conn = slot.conn.as_ref().expect("answered on an open connection");
        let arrival = conn.last_arrival_ns;
        let reusable =
            self.options.keep_alive && read.head.keep_alive && read.head.framing != Framing::UntilClose && conn.clean();
        let origin = conn.origin;
        let job = slot.job.take().expect("an answered request");
        let Read { head, bytes_in, body } = read;
        let response = Response { code: head.code, bytes_in, body, headers: head.recorded, failure: None };
        self.finish_at(job, Ok(response), arrival);
        if reusable && self.idle[origin].len() < self.options.max_idle_per_host {
            self.idle[origin].push(at);
        } else {
            self.close(at);
        }
    }

    /// Slot `at`'s exchange failed: close it, and send the request once more on a new
    /// connection if a reused one turned out closed before any byte of a response.
    fn failed(&mut self, at: usize, error: ExchangeError) {
        let slot = &mut self.slots[at];
        let reused = slot.conn.as_ref().is_some_and(|c| c.exchanges > 0);
        let job = slot.job.take();
        self.close(at);
        let Some(mut job) = job else { return };
        if reused && !job.retried && error.nothing_received() {
            job.retried = true;
            self.send(job);
        } else {
            self.finish(job, Err(error.failure()));
        }
    }

    /// Closes slot `at`'s connection (the kernel drops it from the epoll set).
    fn close(&mut self, at: usize) {
        if let Some(conn) = self.slots[at].conn.take() {
            self.open -= 1;
            let origin = conn.origin;
            if let Some(i) = self.idle[origin].iter().position(|&s| s == at) {
                self.idle[origin].swap_remove(i);
            }
            drop(conn);
            self.free.push(at);
        }
    }

    fn finish(&mut self, job: Job, response: Result<Response, Failure>) {
        self.finish_at(job, response, None);
    }

    /// Records `job`'s result; its latency ends at `arrival` (the kernel's stamp) when known.
    fn finish_at(&mut self, job: Job, response: Result<Response, Failure>, arrival: Option<i64>) {
        let (sent, sent_wall) = job.sent.unwrap_or(self.clock);
        let latency = match arrival {
            Some(arrival) if arrival >= sent_wall => Duration::from_nanos((arrival - sent_wall) as u64),
            _ => Instant::now().saturating_duration_since(sent),
        };
        let response = response.unwrap_or_else(|failure| Response { failure: Some(failure), ..Response::default() });
        self.record(job, sent, latency, response, Outcome::Sent);
    }

    fn record(&mut self, job: Job, sent: Instant, latency: Duration, response: Response, outcome: Outcome) {
        let Job { seq, due, built, .. } = job;
        let lateness = Lateness::between(due, sent);
        let completed = Completed::sent(seq, built.split().1, sent - self.start, lateness, latency, response, outcome);
        self.engine.sink.accept(completed);
        self.in_flight -= 1;
        self.engine.flight.done();
    }

    /// Sends waiting requests on connections that became free.
    fn serve_waiting(&mut self) {
        while let Some(job) = self.waiting.front() {
            if self.idle[job.origin].is_empty() && self.open >= self.max_open {
                return;
            }
            let job = self.waiting.pop_front().expect("a waiting request");
            self.send(job);
        }
    }

    /// Fails the requests that have waited longer than the timeout for their response.
    fn expire(&mut self, now: Instant) {
        let timeout = self.options.timeout;
        for at in 0..self.slots.len() {
            let late = self.slots[at].job.as_ref().and_then(|j| j.sent).is_some_and(|(sent, _)| now - sent >= timeout);
            if late {
                let job = self.slots[at].job.take().expect("a late request");
                self.close(at);
                self.finish(job, Err(Failure::Timeout));
            }
        }
    }

    /// The grace period after a stop is over: whatever has not finished is cut off.
    fn interrupt_all(&mut self) {
        for at in 0..self.slots.len() {
            if let Some(job) = self.slots[at].job.take() {
                self.close(at);
                let sent = job.sent.map_or(self.clock.0, |(sent, _)| sent);
                let failure = Failure::Other("interrupted before the response arrived".into());
                let response = Response { failure: Some(failure), ..Response::default() };
                self.engine.flight.interrupted.fetch_add(1, Ordering::AcqRel);
                self.record(job, sent, Instant::now().saturating_duration_since(sent), response, Outcome::Interrupted);
            }
        }
        let now = Instant::now();
        while let Some(Job { seq, due, built, .. }) = self.waiting.pop_front() {
            // Never sent: it waited for a connection until the end.
            self.engine.flight.not_sent.fetch_add(1, Ordering::AcqRel);
            let target = (built.node, built.url, built.method);
            self.engine.sink.accept(unsent(
                seq,
                target,
                due - self.start,
                Lateness::between(due, now),
                Outcome::NotSentInTime,
            ));
            self.in_flight -= 1;
            self.engine.flight.done();
        }
    }
}

fn token(at: usize, generation: u32) -> u64 {
    u64::from(generation) << 32 | at as u64
}

fn epoll_ctl(epoll: &OwnedFd, op: libc::c_int, fd: RawFd, token: u64, out: bool) -> io::Result<()> {
    // Edge-triggered: a connection is reported once per arrival, not again at every tick until
    // it is read empty (`TickConn::read` reads it empty).
    let mut interest = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET) as u32;
    if out {
        interest |= libc::EPOLLOUT as u32;
    }
    let mut event = libc::epoll_event { events: interest, u64: token };
    // SAFETY: `event` is a valid epoll_event for the duration of the call.
    if unsafe { libc::epoll_ctl(epoll.as_raw_fd(), op, fd, &mut event) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The wall clock in ns since the Unix epoch (the clock of the kernel's receive timestamps).
fn wall_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64)
}

/// Sleeps of this thread end when asked, not up to 50 µs later (Linux's default slack).
fn set_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and affects only this thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong);
    }
}
