//! The DFaaS operator's experiment end to end: its sample `.env` imported with `dfaas-run import`,
//! run with `--time-scale` against three demo nodes on 127.0.0.2-4 that forward their overload to
//! each other (X-Server set, the OpenFaaS API with credentials), then checked against the nodes'
//! own counters and against counts computed here from `merged-results.json`.

use dfaas_run::runtime::demo::{DemoConfig, DemoNode, DemoStats};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// 15 minutes of load become 4.5 s; the 10 s health and retry intervals 50 ms.
const TIME_SCALE: &str = "0.005";
const SCALE: f64 = 0.005;
const USER: &str = "admin";
const PASSWORD: &str = "s3cret";
/// Calls per second a node serves itself before forwarding to its peers.
const MAX_RATE: f64 = 200.0;

/// The sample's attacks: name, delay (s), rate (/s), duration (min), target node (0-based).
const ATTACKS: [(&str, f64, u64, f64, usize); 4] = [
    ("figlet-light-350", 0.0, 350, 15.0, 0),
    ("figlet-mid-100", 300.0, 100, 10.0, 1),
    ("figlet-heavy-100", 300.0, 100, 10.0, 2),
    ("figlet-mid-500", 600.0, 500, 5.0, 1),
];

/// Three listen addresses: 127.0.0.2-4 on free ports, or three ports of 127.0.0.1 where those
/// addresses cannot be bound (each node then names itself `127.0.0.1:PORT` in X-Server).
fn listen_addresses() -> (Vec<SocketAddr>, bool) {
    let free = |ip: &str| std::net::TcpListener::bind((ip, 0)).ok().and_then(|l| l.local_addr().ok());
    let distinct: Option<Vec<SocketAddr>> = ["127.0.0.2", "127.0.0.3", "127.0.0.4"].iter().map(|ip| free(ip)).collect();
    match distinct {
        Some(addresses) => (addresses, true),
        None => {
            eprintln!("note: 127.0.0.2-4 cannot be bound here; the three demo nodes use three ports of 127.0.0.1");
            ((0..3).map(|_| free("127.0.0.1").expect("127.0.0.1 can be bound")).collect(), false)
        }
    }
}

fn start_nodes(runtime: &tokio::runtime::Runtime) -> Vec<DemoNode> {
    let (addresses, distinct) = listen_addresses();
    let nodes: Vec<DemoNode> = addresses
        .iter()
        .map(|&listen| {
            let config = DemoConfig {
                listen,
                server_id: if distinct { String::new() } else { listen.to_string() },
                max_rate: Some(MAX_RATE),
                credentials: Some((USER.into(), PASSWORD.into())),
                seed: Some(7),
                ..DemoConfig::default()
            };
            runtime.block_on(DemoNode::start(config)).expect("a demo node starts")
        })
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        let peers: Vec<url::Url> = nodes.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, n)| n.url()).collect();
        node.set_peers(&peers).expect("peers are plain http URLs");
    }
    nodes
}

fn dfaas_run(dir: &Path, args: &[&str], nodes: &[DemoNode]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dfaas-run"));
    command.current_dir(dir).env("OPENFAAS_GATEWAY_USER", USER).env("OPENFAAS_GATEWAY_PWD", PASSWORD);
    for (i, node) in nodes.iter().enumerate() {
        command.env(format!("DFAAS_NODE_{}", i + 1), node.url().as_str());
    }
    command.args(args).output().expect("dfaas-run runs")
}

fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display()))).collect()
}

fn time(text: &str) -> SystemTime {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"));
    SystemTime::from(t)
}

/// Counts per target node, computed here from the results alone.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    requests: u64,
    successes: u64,
    forwarded: u64,
}

/// (target as `host` or `host:port`, counts) from merged-results.json: the target is the URL's
/// host (and port when not 80); a success has an empty `error`; forwarded is a success whose
/// X-Server is another node (compared with `host:port` when X-Server has a port, else `host`).
fn independent_counts(merged: &[Value]) -> (Counts, BTreeMap<String, Counts>) {
    let mut all = Counts::default();
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    for r in merged {
        let url = url::Url::parse(r["url"].as_str().expect("url")).expect("a URL");
        let host = url.host_str().expect("a host").to_string();
        let port = url.port_or_known_default().expect("a port");
        let target = if port == 80 { host.clone() } else { format!("{host}:{port}") };
        let success = r["error"] == "";
        let server = r["headers"]["X-Server"][0].as_str().expect("X-Server is recorded");
        let own = if server.contains(':') { format!("{host}:{port}") } else { host };
        let forwarded = success && server != own;
        for c in [&mut all, per.entry(target).or_default()] {
            c.requests += 1;
            c.successes += u64::from(success);
            c.forwarded += u64::from(forwarded);
        }
    }
    (all, per)
}

/// `Counts[ target]: requests=.. successes=.. errors=.. forwarded=..` lines of report_values.txt,
/// and its `Success rate[ target]: X%` lines (key "" for the overall ones).
fn report_values(text: &str) -> (BTreeMap<String, Counts>, BTreeMap<String, String>) {
    let mut counts = BTreeMap::new();
    let mut rates = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Success rate") {
            let (target, rate) = rest.rsplit_once(": ").expect("`Success rate X: Y%`");
            rates.insert(target.trim().to_string(), rate.to_string());
        } else if let Some(rest) = line.strip_prefix("Counts") {
            let (target, fields) = rest.split_once(": ").expect("`Counts X: a=1 ...`");
            let field = |name: &str| -> u64 {
                fields
                    .split(' ')
                    .find_map(|f| f.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("no {name} in `{line}`"))
            };
            assert_eq!(field("errors"), field("requests") - field("successes"), "{line}");
            let c =
                Counts { requests: field("requests"), successes: field("successes"), forwarded: field("forwarded") };
            counts.insert(target.trim().to_string(), c);
        }
    }
    (counts, rates)
}

fn rate(c: &Counts) -> String {
    format!("{:.2}%", c.successes as f64 / c.requests as f64 * 100.0)
}

fn step_state<'a>(manifest: &'a Value, id: &str) -> &'a str {
    manifest["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == id))
        .and_then(|s| s["state"].as_str())
        .unwrap_or("missing")
}

#[test]
fn the_imported_operator_experiment_runs_scaled_against_three_forwarding_nodes() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let nodes = start_nodes(&runtime);
    let tmp = tempfile::tempdir().expect("temp dir");
    let env = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/import/dfaasoperator.env");
    let imported = dfaas_run(tmp.path(), &["import", env.to_str().expect("utf-8"), "-o", "operator.dfs"], &nodes);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));

    let out = dfaas_run(tmp.path(), &["run", "operator.dfs", "--time-scale", TIME_SCALE, "--quiet"], &nodes);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.contains(&format!("run passed with every duration × {TIME_SCALE} (--time-scale)")), "{stderr}");
    let run = tmp.path().join(String::from_utf8_lossy(&out.stdout).trim());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).expect("run.json")).expect("JSON");
    assert_eq!(manifest["status"], "passed");
    assert_eq!(manifest["time_scale"], SCALE);

    // Deployed (three functions per node, with credentials), gated, torn down.
    let stats: Vec<DemoStats> = nodes.iter().map(DemoNode::stats).collect();
    for (i, s) in stats.iter().enumerate() {
        let node = format!("node{}", i + 1);
        assert_eq!((s.deploys, s.deletes), (3, 3), "{node}: {s:?}");
        assert!(s.health_probes >= 1, "{node}");
        assert_eq!(step_state(&manifest, &format!("health:{node}")), "succeeded");
        for function in ["figlet", "shasum", "nodeinfo"] {
            assert_eq!(step_state(&manifest, &format!("deploy:{function}@{node}")), "succeeded");
            assert_eq!(step_state(&manifest, &format!("teardown:{function}@{node}")), "succeeded");
        }
    }

    // The operator's folder layout, and every planned request at its time.
    let load_start = time(manifest["load_started_at"].as_str().expect("the load started"));
    let mut per_node_requests = [0u64; 3];
    for (name, delay, per_second, minutes, node) in ATTACKS {
        let dir = run.join(name);
        for file in ["results.json", "report.txt", "report_values.txt"] {
            assert!(dir.join(file).is_file(), "{name}/{file}");
        }
        let results = lines(&dir.join("results.json"));
        let expected = (per_second as f64 * minutes * 60.0 * SCALE).round() as u64;
        assert_eq!(results.len() as u64, expected, "{name}: {per_second}/s for {minutes}m × {SCALE}");
        per_node_requests[node] += expected;
        // Relative delays: each attack's first request goes out at its scaled delay after the
        // load start (never before; the upper bound only allows for a slow machine).
        let first = results.iter().map(|r| time(r["timestamp"].as_str().expect("timestamp"))).min().expect("results");
        let after = first.duration_since(load_start).unwrap_or_default();
        let delay = Duration::from_secs_f64(delay * SCALE);
        assert!(
            after + Duration::from_millis(1) >= delay,
            "{name} started {after:?} after the load start, before its delay {delay:?}"
        );
        assert!(
            after < delay + Duration::from_secs(1),
            "{name} started {after:?} after the load start, delay {delay:?}"
        );
        let attack_values = std::fs::read_to_string(dir.join("report_values.txt")).expect("report_values.txt");
        assert!(attack_values.starts_with("Success rate: "), "{attack_values}");
        // The operator's per-attack plots: responders (X-Server), success/errors per second,
        // cumulative success/errors, linear and log.
        for plot in ["responders", "success-errors", "cumulative", "cumulative-log"] {
            assert_not_blank(&dir.join("plots").join(format!("{plot}.png")));
        }
    }
    // The operator's merged plots, for any number of nodes.
    for plot in ["per-node", "forwarded", "per-node-cumulative"] {
        assert_not_blank(&run.join("merged-results/plots").join(format!("{plot}.png")));
    }
    let merged_dir = run.join("merged-results");
    for file in ["merged-results.json", "report.txt", "report_values.txt"] {
        assert!(merged_dir.join(file).is_file(), "merged-results/{file}");
    }

    // report_values.txt against counts computed here from merged-results.json.
    let merged = lines(&merged_dir.join("merged-results.json"));
    assert_eq!(merged.len() as u64, per_node_requests.iter().sum::<u64>());
    let (all, per) = independent_counts(&merged);
    let text = std::fs::read_to_string(merged_dir.join("report_values.txt")).expect("report_values.txt");
    let (counts, rates) = report_values(&text);
    assert_eq!(counts.get(""), Some(&all), "{text}");
    assert_eq!(rates.get(""), Some(&rate(&all)), "{text}");
    assert_eq!(counts.len(), 4, "overall and three target nodes:\n{text}");
    for (target, c) in &per {
        assert_eq!(counts.get(target), Some(c), "{target}:\n{text}");
        assert_eq!(rates.get(target), Some(&rate(c)), "{target}:\n{text}");
    }
    // The nodes agree: each received its own attacks' requests (plus what its peers forwarded to
    // it), and every forwarded call they answered is a forwarded success in the report.
    for (i, node) in nodes.iter().enumerate() {
        let addr = node.addr();
        let target = if addr.port() == 80 { addr.ip().to_string() } else { addr.to_string() };
        assert_eq!(per.get(&target).map(|c| c.requests), Some(per_node_requests[i]), "{target}");
        assert_eq!(
            stats[i].function_calls - stats[i].received_forwarded,
            per_node_requests[i],
            "{target}: {:?}",
            stats[i]
        );
    }
    let forwarded_by_nodes: u64 = stats.iter().map(|s| s.forwarded).sum();
    assert!(all.forwarded > 0, "the nodes forwarded part of their load over {MAX_RATE}/s:\n{text}");
    assert_eq!(all.forwarded, forwarded_by_nodes, "{text}\n{stats:?}");
    assert_eq!(all.successes, all.requests, "every request answered 200 (served or forwarded):\n{text}");

    for node in nodes {
        runtime.block_on(node.shutdown());
    }
}

/// A PNG that decodes and is not one flat colour.
fn assert_not_blank(path: &Path) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file)).read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("decodes");
    let pixels = &pixels[..info.buffer_size()];
    let mean = pixels.iter().map(|&p| p as f64).sum::<f64>() / pixels.len() as f64;
    let variance = pixels.iter().map(|&p| (p as f64 - mean).powi(2)).sum::<f64>() / pixels.len() as f64;
    assert!(variance > 100.0, "{} looks blank (variance {variance:.1})", path.display());
}
