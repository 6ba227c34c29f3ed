//! `dfaas-run k8s apply|status|delete|collect` through the real binary, with a stand-in `kubectl`
//! (a shell script recording its arguments) first on an otherwise empty PATH, and with none at all.
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dfaas-run");

/// Renders the closed-model fixture into `dir/manifests`, its results going to `results`.
fn rendered_to(dir: &Path, results: &str) -> PathBuf {
    let out = dir.join("manifests");
    let output = Command::new(BIN)
        .current_dir(support::root())
        .args(["k8s", "render", "tests/k8s/closed/closed.dfs", "--shards", "3", "--results", results])
        .args(["--namespace", "load", "--start-at", "2030-01-01T12:00:00Z", "--out", out.to_str().expect("utf-8")])
        .output()
        .expect("renders");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    out
}

fn rendered(dir: &Path) -> PathBuf {
    rendered_to(dir, "s3://b/p")
}

/// A `kubectl` that appends its arguments (and, for apply, its input) to files in `dir`; shell
/// built-ins only, since PATH holds nothing else.
fn fake_kubectl(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = bin.join("kubectl");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$KUBECTL_LOG\"\nif [ \"$1\" = apply ]; then\n  while IFS= read -r line; do printf '%s\\n' \"$line\"; done >> \"$KUBECTL_INPUT\"\nfi\nif [ \"$1\" = get ] && [ \"$2\" = job ]; then printf '20300101-120000'; fi\n",
    )
    .expect("write");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

fn k8s(dir: &Path, path: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("PATH", path)
        .env("KUBECTL_LOG", dir.join("kubectl.log"))
        .env("KUBECTL_INPUT", dir.join("kubectl.input"))
        .arg("k8s")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn the_wrappers_call_kubectl_with_the_rendered_manifests() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifests = rendered(tmp.path());
    let path = fake_kubectl(tmp.path());
    let dir = manifests.to_str().expect("utf-8");

    let output = k8s(tmp.path(), &path, &["apply", dir]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("3 shards start at "), "{stderr}");
    let input = std::fs::read_to_string(tmp.path().join("kubectl.input")).expect("manifests piped to kubectl");
    for kind in ["kind: ConfigMap", "kind: Service", "kind: Job"] {
        assert!(input.contains(kind), "{kind} applied");
    }
    // A fresh start time and run id replace the rendered ones, everywhere they appear.
    assert!(!input.contains("2030-01-01T12:00:00.000Z") && !input.contains("20300101-120000"), "{input}");
    let start = input.lines().find_map(|l| l.trim().strip_prefix("dfaas-run.io/start-at: ")).expect("annotation");
    let run = input.lines().find_map(|l| l.trim().strip_prefix("dfaas-run.io/run-id: ")).expect("annotation");
    let digits: String = start.trim_matches('\'').chars().take(19).filter(char::is_ascii_digit).collect();
    assert_eq!(run.replace('-', ""), digits, "the run id follows the start time");

    assert_eq!(k8s(tmp.path(), &path, &["status", dir]).status.code(), Some(0));
    assert_eq!(k8s(tmp.path(), &path, &["delete", dir]).status.code(), Some(0));
    let log = std::fs::read_to_string(tmp.path().join("kubectl.log")).expect("kubectl was called");
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(calls[0], "apply --namespace load -f -");
    assert_eq!(calls[1], "get jobs,pods --namespace load -l app.kubernetes.io/instance=dfaas-soak -o wide");
    let files = ["configmap.yaml", "service.yaml", "job.yaml"].map(|f| format!("-f {}", manifests.join(f).display()));
    assert_eq!(calls[2], format!("delete --namespace load --ignore-not-found {}", files.join(" ")));
}

#[test]
fn collect_asks_the_cluster_for_the_run_and_keeps_the_logs() {
    // Shards on a volume are merged by the merge Job in the cluster; collect says where (the
    // object-storage case, which merges here, is tested with a local S3 server in scale_s3.rs).
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifests = rendered_to(tmp.path(), "pvc:load-results");
    let path = fake_kubectl(tmp.path());
    let output = k8s(tmp.path(), &path, &["collect", manifests.to_str().expect("utf-8"), "--out", "collected"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("the volume `load-results` under /results/dfaas-soak/20300101-120000"), "{stderr}");
    let log = std::fs::read_to_string(tmp.path().join("kubectl.log")).expect("kubectl was called");
    let calls: Vec<&str> = log.lines().collect();
    assert_eq!(
        calls[0],
        "get job dfaas-soak --namespace load -o jsonpath={.spec.template.metadata.annotations.dfaas-run\\.io/run-id}"
    );
    assert_eq!(
        calls[1],
        "logs --namespace load -l app.kubernetes.io/instance=dfaas-soak --prefix --tail=-1 --max-log-requests=4"
    );
    assert!(tmp.path().join("collected/pod-logs.txt").is_file());
}

#[test]
fn a_missing_kubectl_is_said_plainly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let manifests = rendered(tmp.path());
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    for command in ["apply", "status", "delete", "collect"] {
        let output = k8s(tmp.path(), &empty, &[command, manifests.to_str().expect("utf-8")]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{command}: {stderr}");
        assert!(stderr.contains("kubectl is not installed (not found on PATH)"), "{command}: {stderr}");
    }
    let output = k8s(tmp.path(), &empty, &["status", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("render the manifests there first"));
}
