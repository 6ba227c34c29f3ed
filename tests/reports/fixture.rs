//! Run folders built byte for byte the same every time: a checked scenario, its plan in `run.json`
//! with fixed times, each attack's results through the real writer, verdicts, and small plots.

use dfaas_run::check::{check_path, CheckOptions};
use dfaas_run::model::Scenario;
use dfaas_run::report::expect::{self, Planned};
use dfaas_run::report::metrics::Metrics;
use dfaas_run::runtime::events::StepState;
use dfaas_run::runtime::results::{spawn_writer, ErrorKind, Record, WriterOptions};
use dfaas_run::runtime::run_dir::{AttackRecord, Manifest, RunStatus};
use hyper::header::HeaderValue;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Two nodes, two attacks (one recording `X-Server`), two expectations.
pub const SCENARIO: &str = r#"scenario "fixture"

node edge { url "http://127.0.0.1:8080" }
node cloud { url "http://127.0.0.1:8081" }

attack warmup on edge, cloud {
  duration 4s
  rate 50/s
  success 200
  record header "X-Server"
  request GET "/function/figlet"
}

attack spike on edge {
  delay 4s
  duration 2s
  rate 100/s
  request POST "/function/shasum" { body "hello" }
}

expect p99(spike) < 40ms
expect success(all) >= 95%
"#;

/// 2024-05-01T12:00:00Z.
pub const START: u64 = 1_714_564_800;

/// How the attacks of a fixture run behave.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// Added to every latency.
    pub slower: Duration,
    /// One request in `error_every` fails (500); 0: none.
    pub error_every: u64,
}

impl Behaviour {
    pub const BASELINE: Behaviour = Behaviour { slower: Duration::ZERO, error_every: 50 };
}

pub fn scenario(dir: &Path) -> (PathBuf, Scenario) {
    let path = dir.join("fixture.dfs");
    std::fs::write(&path, SCENARIO).expect("write the scenario");
    let checked = check_path(&path, &CheckOptions::with_env(&[]));
    let scenario = checked.scenario.unwrap_or_else(|| panic!("the fixture scenario checks: {:?}", checked.diagnostics));
    (path, scenario)
}

/// The deterministic record `seq` of an attack with `nodes` nodes.
fn record(attack: usize, seq: u64, start: SystemTime, every: Duration, nodes: usize, b: Behaviour) -> Record {
    let latency = Duration::from_micros(2_000 + (seq * 7_919 + attack as u64 * 131) % 18_000) + b.slower;
    let failed = b.error_every > 0 && seq % b.error_every == 7;
    let mut r = Record {
        seq,
        timestamp: start + every * seq as u32 + Duration::from_micros(seq % 300),
        latency,
        // The first 20 of every 300 sent early.
        lateness: dfaas_run::runtime::results::Lateness::from_nanos(((seq % 300) as i64 - 20) * 1000),
        code: if failed { 500 } else { 200 },
        bytes_out: if attack == 1 { 5 } else { 0 },
        bytes_in: 32,
        error: None,
        body: None,
        method: Arc::from(if attack == 1 { "POST" } else { "GET" }),
        url: Arc::from(if attack == 1 {
            "http://127.0.0.1:8080/function/shasum"
        } else {
            "http://127.0.0.1:8080/function/figlet"
        }),
        node: (seq % nodes as u64) as u16,
        headers: Vec::new(),
    };
    if attack == 0 {
        let server = ["10.0.0.1", "10.0.0.2", "10.0.0.3"][(seq % 3) as usize];
        r.headers = vec![(0, HeaderValue::from_static(server))];
    }
    if attack == 1 && seq % 97 == 13 {
        r.code = 0;
        r.error = Some(ErrorKind::Timeout);
        r.latency = Duration::from_secs(1) + b.slower;
    }
    r
}

/// Builds `base/rel` as a finished run of [`SCENARIO`], with plots for every attack and the
/// merged results. Returns the run folder.
pub fn build_run(base: &Path, rel: &str, b: Behaviour) -> PathBuf {
    let (_, scenario) = scenario(base);
    let plan = dfaas_run::plan::plan(&scenario);
    let dir = base.join(rel);
    std::fs::create_dir_all(&dir).expect("run folder");
    let mut manifest = Manifest::new(&plan, vec!["fixture.dfs".into()], Vec::new());
    manifest.started_at = "2024-05-01T11:59:58.000Z".into();
    manifest.load_started_at = Some("2024-05-01T12:00:00.000Z".into());
    manifest.ended_at = Some("2024-05-01T12:00:07.000Z".into());
    manifest.nodes =
        vec![("edge".into(), "http://127.0.0.1:8080/".into()), ("cloud".into(), "http://127.0.0.1:8081/".into())];
    let mut attacks = BTreeMap::new();
    for (i, attack) in scenario.attacks.iter().enumerate() {
        let start = UNIX_EPOCH + Duration::from_secs(START) + attack.delay;
        let folder = dir.join(&attack.name);
        let sink = spawn_writer(&folder, WriterOptions::for_attack(attack, start)).expect("writer starts");
        let count = attack.expected_requests().expect("open model");
        let every = attack.duration() / count as u32;
        for seq in 0..count {
            sink.send(record(i, seq, start, every, attack.nodes.len(), b));
        }
        sink.finish().expect("writer finishes");
        manifest.attacks.push(AttackRecord {
            name: attack.name.clone(),
            dir: attack.name.clone(),
            expected_requests: Some(count),
            scheduled: count,
            sent: count,
            not_sent: 0,
            interrupted: 0,
            started_at_offset_s: Some(attack.delay.as_secs_f64()),
        });
        let planned = Planned { requests: Some(count), duration: attack.duration() };
        attacks.insert(attack.name.clone(), (Metrics::load(&folder).expect("metrics"), planned));
        write_plots(&folder.join("plots"), &["latency", "throughput", "percentiles"], i as u8);
    }
    write_plots(&dir.join("merged-results").join("plots"), &["latency", "per-node"], 7);
    let parts: Vec<&Metrics> = attacks.values().map(|(m, _)| m).collect();
    let planned = attacks.values().map(|(_, p)| p.requests).sum::<Option<u64>>();
    let all = (
        Metrics::combine("all", &parts).expect("combine"),
        Planned { requests: planned, duration: plan.totals.load_duration },
    );
    let verdicts = expect::evaluate(&scenario.expectations, &attacks, &all);
    let failed = verdicts.iter().any(|v| !v.passed);
    std::fs::write(dir.join("expectations.json"), serde_json::to_string_pretty(&verdicts).expect("json"))
        .expect("write");
    for step in &mut manifest.steps {
        step.state = if step.id == "expect" && failed { StepState::Failed } else { StepState::Succeeded };
        step.started_at = Some("2024-05-01T12:00:00.000Z".into());
        step.ended_at = Some("2024-05-01T12:00:07.000Z".into());
        step.elapsed_ms = Some(if step.id.starts_with("attack:") { 4000 } else { 3 });
    }
    manifest.status = if failed { RunStatus::ExpectationsFailed } else { RunStatus::Passed };
    manifest.save(&dir).expect("run.json");
    dir
}

/// Small but not blank images: a PNG (a gradient with a band of colour `seed`) and an SVG.
pub fn write_plots(dir: &Path, names: &[&str], seed: u8) {
    std::fs::create_dir_all(dir).expect("plots folder");
    for name in names {
        std::fs::write(dir.join(format!("{name}.png")), png(160, 90, seed)).expect("png");
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"90\" viewBox=\"0 0 160 90\"><title>{name}</title><rect width=\"160\" height=\"90\" fill=\"#fff\"/><polyline points=\"0,80 40,60 80,65 120,20 160,30\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"3\"/></svg>\n"
        );
        std::fs::write(dir.join(format!("{name}.svg")), svg).expect("svg");
    }
}

/// An RGB PNG: a gradient with a band whose place and colour depend on `seed`.
pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut pixels = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let band = (y / 10) % 3 == u32::from(seed % 3);
            let (r, g, b) = if band {
                (200, 40 + seed.wrapping_mul(30), 60)
            } else {
                ((x * 255 / width) as u8, (y * 255 / height) as u8, 180)
            };
            pixels.extend([r, g, b]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().and_then(|mut w| w.write_image_data(&pixels)).expect("encode the PNG");
    out
}
