//! One attack step of a run: waits for its offset from the load start, prepares requests and the
//! client, streams every result to the attack's folder, emits progress, and records its counts.

use super::attack::client::{ClientOptions, HttpClient};
use super::attack::engine::{Engine, Flight};
use super::attack::request::{Endpoint, RequestFactory};
use super::attack::schedule::Schedule;
use super::events::Event;
use super::executor::Context;
use super::progress::{Live, Sampler};
use super::record_sink::RecordSink;
use super::results::{spawn_writer, WriterOptions};
use super::run_dir::AttackRecord;
use crate::model::{Attack, Load};
use crate::plan::Step;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// Time set aside before an attack's start to create its results writer and engine.
const SETUP_TIME: Duration = Duration::from_millis(2);

pub async fn run(ctx: &Arc<Context>, step: &Step, name: &str) -> Result<Option<String>, String> {
    let attack = ctx.scenario.attack(name).ok_or_else(|| format!("unknown attack `{name}`"))?.clone();
    // Prepare everything before the start time, so the first request is not late.
    let mut factory = RequestFactory::new(&attack, endpoints(ctx, &attack)?)?;
    let slice = ctx.scale.slice();
    if !slice.is_all() {
        factory.partition_feeder(slice)?;
    }
    let factory = Arc::new(factory);
    // The plan's count: this shard's share when the run is one shard of several.
    let expected_requests = step.expected_requests;
    let client = HttpClient::new(client_options(&attack));
    let dir = ctx.dir.join(&attack.name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let load_start = ctx.load_start();
    let planned = (load_start + step.window.start.earliest).max(Instant::now());
    // tokio's timer rounds up to the millisecond: wake a little early, set everything up, then
    // start at `start` precisely, so that the first requests are not late because of the setup.
    tokio::select! {
        _ = tokio::time::sleep_until(planned.checked_sub(SETUP_TIME).unwrap_or(planned).into()) => {}
        _ = ctx.stop.stopped() => return Ok(Some("not started: the run was interrupted".into())),
    }
    let start = planned.max(Instant::now() + SETUP_TIME);
    let started_at = SystemTime::now() + start.saturating_duration_since(Instant::now());
    // Attacks timed from the synchronised start must keep to it; one that follows another attack
    // starts when that one has drained, which no shard controls.
    let chained = step.needs.iter().any(|need| need.starts_with("attack:"));
    if let (Some(sync), false) = (&ctx.scale.start_at, chained) {
        sync.observe(&attack.name, start.saturating_duration_since(load_start + step.window.start.earliest))?;
    }
    let offset = start.duration_since(load_start).as_secs_f64();

    let writer = spawn_writer(
        &dir,
        WriterOptions { write_results: ctx.scale.write_results, ..WriterOptions::for_attack(&attack, started_at) },
    )
    .map_err(|e| format!("cannot write results in {}: {e}", dir.display()))?;
    let live = Arc::new(Live::default());
    let flight = Arc::new(Flight::default());
    let sink = Arc::new(RecordSink::new(writer.clone(), live.clone(), &attack, started_at));
    let engine = Arc::new(Engine {
        factory,
        client,
        sink,
        max_in_flight: attack.max_in_flight as u64,
        connections: attack.connections.map(|n| Arc::new(tokio::sync::Semaphore::new(n as usize))),
        stop: ctx.stop.clone(),
        grace: ctx.grace,
        flight: flight.clone(),
    });

    let progress = {
        let (ctx, live, flight) = (ctx.clone(), live.clone(), flight.clone());
        let mut sampler = Sampler::new(attack.name.clone(), attack.duration(), expected_requests, start);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(ctx.progress_every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let sent = flight.sent.load(Ordering::Relaxed) + flight.not_sent.load(Ordering::Relaxed);
                ctx.events.emit(Event::AttackProgress(sampler.sample(
                    &live,
                    sent,
                    flight.in_flight.load(Ordering::Relaxed),
                )));
            }
        })
    };
    // The open model's pacer sleeps precisely until each request is due; the closed model's
    // workers start at once, so wait here (on a thread: tokio's timer rounds up to 1 ms).
    if let Some(wait) =
        start.checked_duration_since(Instant::now()).filter(|_| matches!(attack.load, Load::Closed { .. }))
    {
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(wait)).await;
    }
    let stats = match &attack.load {
        Load::Open { profile } => engine.run_open(Schedule::new(profile).sliced(slice), start).await,
        Load::Closed { workers, duration } => {
            let workers = ctx.scale.shard.map_or(*workers, |shard| shard.workers_of(*workers));
            engine.run_closed_slice(workers, *duration, start, slice).await
        }
    };
    progress.abort();
    let finished = tokio::task::spawn_blocking(move || writer.finish())
        .await
        .map_err(|e| format!("results writer failed: {e}"))?
        .map_err(|e| format!("cannot finish the results of `{}` in {}: {e}", attack.name, dir.display()))?;
    if finished.results_in_order {
        ctx.results_in_order.lock().unwrap_or_else(PoisonError::into_inner).insert(attack.name.clone());
    }
    ctx.update(|m| {
        m.attacks.push(AttackRecord {
            name: attack.name.clone(),
            dir: attack.name.clone(),
            expected_requests,
            scheduled: stats.scheduled,
            sent: stats.sent,
            not_sent: stats.not_sent,
            interrupted: stats.interrupted,
            started_at_offset_s: Some(offset),
        })
    });
    let mut note = format!("{} sent", stats.sent);
    if let Some(planned) = expected_requests {
        note.push_str(&format!(" of {planned} planned"));
    }
    if stats.not_sent > 0 {
        note.push_str(&format!(", {} not sent in time (max-in-flight {})", stats.not_sent, attack.max_in_flight));
    }
    if stats.interrupted > 0 {
        note.push_str(&format!(", {} cut off by the interruption", stats.interrupted));
    }
    Ok(Some(note))
}

fn endpoints(ctx: &Context, attack: &Attack) -> Result<Vec<Endpoint>, String> {
    attack
        .nodes
        .iter()
        .map(|name| {
            let base = ctx.nodes.get(name).cloned().ok_or_else(|| format!("node `{name}` has no URL"))?;
            let headers = ctx.scenario.node(name).map(|n| n.headers.clone()).unwrap_or_default();
            Ok(Endpoint { name: name.as_str().into(), base, headers })
        })
        .collect()
}

fn client_options(attack: &Attack) -> ClientOptions {
    ClientOptions {
        timeout: attack.timeout,
        keep_alive: attack.keep_alive,
        http2: attack.http2,
        insecure: attack.insecure,
        max_idle_per_host: attack.connections.map(|c| c as usize).unwrap_or(10_000),
        recorded_headers: attack
            .record_headers
            .iter()
            .filter_map(|h| http::HeaderName::from_bytes(h.as_bytes()).ok())
            .collect(),
        keep_body: attack.record_body.map(|s| s.bytes as usize),
    }
}
