//! Shard folders through object storage: a local S3-compatible server (`moto_server`, started here
//! on 127.0.0.1) receives two shards, `merge` reads them back from the prefix (and writes to one);
//! the same run through a plain folder merges to the same counts.
#![cfg(unix)]

use dfaas_run::scale::storage::{Bucket, S3Location};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dfaas-run");

/// A moto S3 server on an ephemeral 127.0.0.1 port, stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start() -> Moto {
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => panic!(
                "cannot start moto_server ({e}): this test needs a local S3-compatible server; \
                 install it with `pip install 'moto[server]'` (.ci/run does)"
            ),
        };
        // Its readiness signal: werkzeug's "Running on http://127.0.0.1:PORT" line.
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("Running on http://127.0.0.1:").nth(1).and_then(|p| p.trim().parse::<u16>().ok()));
        let Some(port) = port else {
            let _ = child.kill();
            panic!("moto_server did not say where it listens");
        };
        // Keep reading its request log, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.map_while(Result::ok).count());
        Moto { child, port }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A raw HTTP request to the server; returns the status code and body.
    fn http(&self, method: &str, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )
        .expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        let code = response.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (code, body)
    }
}

fn env<'a>(command: &'a mut Command, moto: &Moto) -> &'a mut Command {
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT")
}

fn shards(dir: &Path, scenario: &Path, out: &str, extra: &[&str], moto: &Moto) -> Vec<Output> {
    let children: Vec<Child> = (0..2)
        .map(|i| {
            env(&mut Command::new(BIN), moto)
                .current_dir(dir)
                .args(["run", scenario.to_str().expect("utf-8"), "--quiet", "--shard", &format!("{i}/2"), "--out", out])
                .args(extra)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    children.into_iter().map(|c| c.wait_with_output().expect("ends")).collect()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("JSON")
}

#[test]
fn shard_folders_round_trip_through_object_storage_and_a_folder() {
    let moto = Moto::start();
    assert_eq!(moto.http("PUT", "/runs").0, 200, "bucket created");
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("s.dfs");
    std::fs::write(
        &scenario,
        "scenario \"stored\"\nnode demo { embedded demo }\nattack a on demo {\n  rate 61/s\n  duration 1s\n  request GET \"/function/x\"\n}\nexpect requests(a) == 61\n",
    )
    .expect("write");

    for (i, output) in shards(tmp.path(), &scenario, "s3://runs/exp1", &[], &moto).iter().enumerate() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "shard {i}:\n{stderr}");
        assert!(stderr.contains(&format!("files to s3://runs/exp1/shard-{i}")), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), format!("s3://runs/exp1/shard-{i}"));
    }
    let (code, listing) = moto.http("GET", "/runs?prefix=exp1/shard-1/");
    assert_eq!(code, 200);
    for key in
        ["exp1/shard-1/shard.json", "exp1/shard-1/DONE", "exp1/shard-1/a/latency.hdr", "exp1/shard-1/a/results.json"]
    {
        assert!(listing.contains(&format!("<Key>{key}</Key>")), "{key} uploaded: {listing}");
    }

    // Back from the bucket into a local folder, then into the bucket itself.
    let merge = |args: &[&str]| {
        env(&mut Command::new(BIN), &moto).current_dir(tmp.path()).arg("merge").args(args).output().expect("merge")
    };
    let output = merge(&["s3://runs/exp1", "--out", "from-s3"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("✔ expect requests(a) == 61"), "{stderr}");
    let from_s3 = json(&tmp.path().join("from-s3/a/summary.json"));
    assert_eq!(from_s3["requests"], 61);
    let lines = std::fs::read_to_string(tmp.path().join("from-s3/a/results.json")).expect("results").lines().count();
    assert_eq!(lines, 61);
    let output = merge(&["s3://runs/exp1", "--out", "s3://runs/exp1/merged"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let (code, listing) = moto.http("GET", "/runs?prefix=exp1/merged/");
    assert_eq!(code, 200);
    for key in ["merge.json", "run.json", "a/summary.json", "a/results.json", "merged-results/merged-results.json"] {
        assert!(listing.contains(&format!("<Key>exp1/merged/{key}</Key>")), "{key} uploaded: {listing}");
    }
    // The merged folder beside the shards is not taken for a shard.
    assert_eq!(merge(&["s3://runs/exp1", "--out", "again"]).status.code(), Some(0));

    // A shard folder in the bucket is never overwritten.
    let again = env(&mut Command::new(BIN), &moto)
        .current_dir(tmp.path())
        .args(["run", scenario.to_str().expect("utf-8"), "--quiet", "--shard", "0/2", "--out", "s3://runs/exp1"])
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("s3://runs/exp1/shard-0 already holds a shard"));

    // The same run through a plain folder, without results lines: the same counts.
    for output in shards(tmp.path(), &scenario, "folder", &["--no-results"], &moto) {
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(!tmp.path().join("folder/shard-0/a/results.json").exists());
    let output = merge(&["folder", "--out", "from-folder"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("results lines were not merged"), "{stderr}");
    let from_folder = json(&tmp.path().join("from-folder/a/summary.json"));
    assert_eq!(from_folder["requests"], from_s3["requests"]);
    assert_eq!(from_folder["latency"]["count"], 61);
    assert!(!tmp.path().join("from-folder/a/results.json").exists());

    // `k8s collect` finds the run's prefix from the Job (a stand-in kubectl here) and merges it.
    let manifests = tmp.path().join("manifests");
    let output = Command::new(BIN)
        .current_dir(tmp.path())
        .args(["k8s", "render", scenario.to_str().expect("utf-8"), "--shards", "2", "--results", "s3://runs/k8s"])
        .args(["--name", "stored", "--start-at", "2030-01-01T12:00:00Z", "--out", manifests.to_str().expect("utf-8")])
        .output()
        .expect("renders");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    for output in shards(tmp.path(), &scenario, "s3://runs/k8s/stored/20300101-120000", &[], &moto) {
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::fs::write(bin.join("kubectl"), "#!/bin/sh\nif [ \"$1\" = get ]; then printf '20300101-120000'; fi\n")
        .expect("write");
    let mut permissions = std::fs::metadata(bin.join("kubectl")).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(bin.join("kubectl"), permissions).expect("chmod");
    let output = env(&mut Command::new(BIN), &moto)
        .current_dir(tmp.path())
        .env("PATH", &bin)
        .args(["k8s", "collect", manifests.to_str().expect("utf-8"), "--out", "collected"])
        .output()
        .expect("collects");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(json(&tmp.path().join("collected/a/summary.json"))["requests"], 61);
    assert!(tmp.path().join("collected/pod-logs.txt").is_file());

    // Large files go up in parts and come back in ranges, byte for byte.
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("AWS_ENDPOINT_URL", moto.endpoint());
    let big: Vec<u8> = (0..(9u32 << 20) + 12_345).map(|i| (i % 251) as u8).collect();
    let up = tmp.path().join("up");
    std::fs::create_dir_all(up.join("nested")).expect("mkdir");
    std::fs::write(up.join("nested/big.bin"), &big).expect("write");
    std::fs::write(up.join("END"), "last").expect("write");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let at = S3Location { bucket: "runs".into(), prefix: "big".into() };
    let down = tmp.path().join("down");
    runtime.block_on(async {
        let bucket = Bucket::open("runs").expect("opens");
        assert_eq!(bucket.upload_dir(&up, &at, &["END"]).await, Ok(2));
        assert_eq!(bucket.list_dirs(&at).await, Ok(vec!["nested".to_string()]));
        assert_eq!(bucket.download_dir(&at, &down).await, Ok(2));
    });
    assert!(std::fs::read(down.join("nested/big.bin")).expect("read") == big, "the large file is unchanged");
}
