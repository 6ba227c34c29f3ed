//! The fixture run folders: a scenario over 3 or 5 nodes, checked and planned for real, its
//! attacks' results written by the real writer from deterministic records, merged for real.

use dfaas_run::check::{check_path, CheckOptions};
use dfaas_run::model::{Load, Scenario};
use dfaas_run::plan::plan;
use dfaas_run::runtime::results::{merge_results, spawn_writer, ErrorKind, MergeOptions, Record, WriterOptions};
use dfaas_run::runtime::run_dir::{self, Manifest, RunStatus};
use hyper::header::HeaderValue;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The load start of every fixture run: fixed, so that the drawings are too.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// Node URLs: distinct loopback hosts (no traffic is sent; these only name the targets).
pub const NODE_URLS: [&str; 5] = [
    "http://127.0.0.2:30080",
    "http://127.0.0.3:30080",
    "http://127.0.0.4:30080",
    "http://127.0.0.1:30081",
    "http://localhost:30085",
];

pub fn host(url: &str) -> String {
    url::Url::parse(url).expect("node URL").host_str().expect("host").to_string()
}

/// A scenario over `nodes` nodes: `steady` on all but the last, `burst` (delayed, ramping) on
/// the last; both record `X-Server`.
fn scenario_text(nodes: usize) -> String {
    let mut text = String::from("scenario \"plots-fixture\"\n");
    for (i, url) in NODE_URLS.iter().take(nodes).enumerate() {
        text.push_str(&format!("node n{} {{ url \"{url}\" }}\n", i + 1));
    }
    let steady: Vec<String> = (1..nodes).map(|i| format!("n{i}")).collect();
    text.push_str(&format!(
        "attack steady on {} {{\n  rate 20/s\n  duration 4s\n  record header \"X-Server\"\n  request GET \"/function/figlet\"\n}}\n",
        steady.join(", ")
    ));
    text.push_str(&format!(
        "attack burst on n{nodes} {{\n  delay 2s\n  stages {{\n    ramp 10/s -> 30/s over 2s\n    hold 30/s for 2s\n  }}\n  record header \"X-Server\"\n  request GET \"/function/shasum\"\n}}\n"
    ));
    text
}

/// Request `k` of an attack on `targets` (indices into the scenario's nodes): mostly 200s, some
/// 500s, a few never sent; `X-Server` is the target's host (sometimes with a port), another
/// node's host every fifth request (forwarded), or missing now and then.
fn record(k: u64, at: SystemTime, targets: &[usize], nodes: usize, method: &Arc<str>, url: &Arc<str>) -> Record {
    let slot = (k as usize) % targets.len();
    let node = targets[slot];
    let mut r = Record {
        seq: k,
        timestamp: at,
        latency: Duration::from_millis(2 + (k * 7) % 13 + if k % 41 == 0 { 120 } else { 0 }),
        lateness: dfaas_run::runtime::results::Lateness::late(Duration::from_micros(100 * (k % 3))),
        code: 200,
        bytes_out: 0,
        bytes_in: 12,
        error: None,
        body: None,
        method: method.clone(),
        url: url.clone(),
        node: slot as u16,
        headers: Vec::new(),
    };
    if k % 29 == 3 {
        r.error = Some(ErrorKind::NotSentInTime);
        r.code = 0;
        r.latency = Duration::ZERO;
        r.bytes_in = 0;
        return r;
    }
    if k % 17 == 5 {
        r.code = 500;
    }
    let own = host(NODE_URLS[node]);
    let server = if k % 5 == 0 {
        Some(host(NODE_URLS[(node + 1) % nodes]))
    } else if k % 23 == 7 {
        None
    } else if node % 2 == 1 {
        Some(format!("{own}:8080"))
    } else {
        Some(own)
    };
    if let Some(server) = server {
        r.headers = vec![(0, HeaderValue::from_str(&server).expect("header value"))];
    }
    r
}

/// Builds a finished run folder: `run.json`, both attacks' results through the real writer, and
/// `merged-results/merged-results.json` through the real merge. Returns the run folder.
pub fn build_run(base: &Path, nodes: usize) -> PathBuf {
    let source = base.join("fixture.dfs");
    std::fs::write(&source, scenario_text(nodes)).expect("write scenario");
    let checked = check_path(&source, &CheckOptions::with_env(&[]));
    let scenario: Scenario =
        checked.scenario.unwrap_or_else(|| panic!("fixture does not check: {:?}", checked.diagnostics));
    let plan = plan(&scenario);
    let run = base.join("run");
    std::fs::create_dir_all(&run).expect("run folder");
    let mut manifest = Manifest::new(&plan, vec!["fixture.dfs".into()], Vec::new());
    manifest.nodes = scenario.nodes.iter().zip(NODE_URLS).map(|(n, url)| (n.name.clone(), format!("{url}/"))).collect();
    manifest.load_started_at = Some(run_dir::timestamp(t0()));
    manifest.status = RunStatus::Passed;
    manifest.save(&run).expect("run.json");

    let mut results = Vec::new();
    for attack in &scenario.attacks {
        let Load::Open { profile } = &attack.load else { panic!("open model") };
        let offset = plan.step(&format!("attack:{}", attack.name)).expect("attack step").window.start.earliest;
        let start = t0() + offset;
        let targets: Vec<usize> =
            attack.nodes.iter().map(|n| scenario.nodes.iter().position(|d| &d.name == n).expect("node")).collect();
        let dir = run.join(&attack.name);
        let sink = spawn_writer(&dir, WriterOptions::for_attack(attack, start)).expect("writer");
        let (method, url): (Arc<str>, Arc<str>) =
            ("GET".into(), format!("{}/function/x", NODE_URLS[targets[0]]).into());
        for k in 0..profile.expected_requests() {
            let at = start + profile.send_time(k).expect("within the profile") + Duration::from_micros(100 * (k % 3));
            sink.send(record(k, at, &targets, nodes, &method, &url));
        }
        sink.finish().expect("results written");
        results.push(dir.join("results.json"));
    }
    let merged = run.join("merged-results");
    std::fs::create_dir_all(&merged).expect("merged folder");
    merge_results(&results, &merged.join("merged-results.json"), MergeOptions::default()).expect("merge");
    run
}
