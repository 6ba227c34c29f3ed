//! `dfaas-run k8s render` through the real binary: golden manifests for scenarios under
//! `tests/k8s/`, each validated by `kubernetes-validate --strict` for Kubernetes 1.30 and 1.37,
//! and the checks (shard count, names, quantities, storage, ConfigMap size, absolute paths).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dfaas-run");
/// The Kubernetes versions the manifests must be valid for.
const KUBERNETES: [&str; 2] = ["1.30.0", "1.37.0"];

fn render(args: &[&str]) -> Output {
    Command::new(BIN).current_dir(support::root()).args(["k8s", "render"]).args(args).output().expect("runs")
}

/// Renders `args` into a temp folder and compares every file with `tests/golden/k8s/<case>/`.
fn golden_case(case: &str, args: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let out = tempfile::tempdir().expect("temp dir");
    let mut all: Vec<&str> = args.to_vec();
    let dir = out.path().to_str().expect("utf-8").to_string();
    all.extend(["--out", &dir, "--start-at", "2030-01-01T12:00:00Z"]);
    let output = render(&all);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(out.path()).expect("rendered").map(|e| e.expect("entry").path()).collect();
    files.sort();
    let golden = support::root().join("tests/golden/k8s").join(case);
    let mut problems = Vec::new();
    for file in &files {
        let name = file.file_name().expect("name").to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).expect("read");
        if let Err(e) = support::compare_golden(&golden.join(&name), &text) {
            problems.push(e);
        }
    }
    if !support::updating_golden() {
        let expected = std::fs::read_dir(&golden).map(|d| d.count()).unwrap_or(0);
        assert_eq!(expected, files.len(), "{case}: the golden folder and the rendered files differ in number");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let manifests = files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")).collect();
    (out, manifests)
}

/// Runs `kubernetes-validate --strict` for every version on `files`.
fn validate(files: &[PathBuf]) {
    for version in KUBERNETES {
        let output = Command::new("kubernetes-validate")
            .args(["--strict", "--kubernetes-version", version])
            .args(files)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run kubernetes-validate ({e}): install it with `pip install kubernetes-validate` (.ci/run does)")
            });
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "Kubernetes {version}:\n{text}");
        assert_eq!(text.matches(" passed for resource ").count(), files.len(), "every file validated:\n{text}");
    }
}

#[test]
fn a_split_run_on_object_storage_renders_valid_manifests() {
    let (_dir, files) = golden_case(
        "spike",
        &[
            "tests/k8s/spike/spike.dfs",
            "--shards",
            "8",
            "--results",
            "s3://load-tests/runs",
            "--image",
            "localhost:5000/dfaas-run:0.1.0",
            "--namespace",
            "load",
            "--spread",
            "--merge-job",
            "--s3-secret",
            "load-tests-s3",
            "--s3-endpoint",
            "http://127.0.0.1:9000",
            "--s3-region",
            "eu-west-1",
            "--set",
            "DFAAS_NODE=http://127.0.0.1:8080",
        ],
    );
    assert_eq!(files.len(), 4, "ConfigMap, Service, Job, merge Job");
    validate(&files);
}

#[test]
fn a_replicated_run_on_a_volume_renders_valid_manifests() {
    let (_dir, files) = golden_case(
        "closed",
        &[
            "tests/k8s/closed/closed.dfs",
            "--shards",
            "3",
            "--mode",
            "replicate",
            "--results",
            "pvc:load-results",
            "--name",
            "soak",
            "--cpu",
            "500m",
            "--memory",
            "1Gi",
            "--no-results",
            "--set",
            "workers=12",
        ],
    );
    assert_eq!(files.len(), 3, "ConfigMap, Service, Job");
    validate(&files);
}

#[test]
fn without_out_the_manifests_are_one_stream() {
    let output = render(&["tests/k8s/closed/closed.dfs", "--shards", "2", "--results", "s3://b/p"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(text.matches("\n---\n").count() + usize::from(text.starts_with("---\n")), 3, "{text}");
    for kind in
        ["kind: ConfigMap", "kind: Service", "kind: Job", "completionMode: Indexed", "publishNotReadyAddresses: true"]
    {
        assert!(text.contains(kind), "{kind}");
    }
}

fn error_of(args: &[&str]) -> String {
    let output = render(args);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    let scenario = "tests/k8s/closed/closed.dfs";
    let base = |extra: &[&str]| {
        let mut args: Vec<String> = [scenario, "--results", "s3://b/p"].map(String::from).to_vec();
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    };
    let error_of = |args: Vec<String>| error_of(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(error_of(base(&["--shards", "0"])).contains("--shards must be at least 1"));
    assert!(error_of(base(&["--shards", "2", "--name", "Soak_Test"])).contains("is not a DNS-1123 label"));
    let long = "a".repeat(60);
    assert!(error_of(base(&["--shards", "2", "--name", &long])).contains("is too long"));
    assert!(error_of(base(&["--shards", "2", "--namespace", "load_tests"])).contains("the namespace `load_tests`"));
    assert!(error_of(base(&["--shards", "2", "--memory", "512mb"])).contains("not a Kubernetes quantity"));
    let local = error_of([scenario, "--shards", "2", "--results", "runs"].map(String::from).to_vec());
    assert!(local.contains("the pods need shared storage"), "{local}");
}

fn scenario_with_body(dir: &Path, body_path: &str) -> PathBuf {
    let path = dir.join("big.dfs");
    std::fs::write(
        &path,
        format!(
            "node n {{ url \"http://127.0.0.1:8080\" }}\nattack a on n {{\n  rate 1/s\n  duration 1s\n  request POST \"/\" {{ body file \"{body_path}\" }}\n}}\n"
        ),
    )
    .expect("write");
    path
}

#[test]
fn what_cannot_follow_the_scenario_into_the_pods_is_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("large.bin"), vec![7u8; 1_100_000]).expect("write");
    let too_big = scenario_with_body(tmp.path(), "large.bin");
    let message = error_of(&[too_big.to_str().expect("utf-8"), "--shards", "2", "--results", "s3://b/p"]);
    assert!(message.contains("over the 1048576 bytes (1 MiB) a ConfigMap can hold"), "{message}");
    assert!(message.contains("large.bin (1100000 bytes)"), "{message}");

    let elsewhere = tempfile::tempdir().expect("temp dir");
    let outside = elsewhere.path().join("body.txt");
    std::fs::write(&outside, "hi").expect("write");
    let absolute = scenario_with_body(tmp.path(), outside.to_str().expect("utf-8"));
    let message = error_of(&[absolute.to_str().expect("utf-8"), "--shards", "2", "--results", "s3://b/p"]);
    assert!(message.contains("is named by an absolute path"), "{message}");

    // A binary body under the limit travels as binaryData.
    std::fs::write(tmp.path().join("small.bin"), [0xffu8, 0xfe, 0, 1]).expect("write");
    let binary = scenario_with_body(tmp.path(), "small.bin");
    let output = render(&[binary.to_str().expect("utf-8"), "--shards", "2", "--results", "s3://b/p"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("binaryData:\n  02-small.bin: //4AAQ=="), "{text}");
}
