//! `dfaas-run k8s apply|status|collect|delete DIR`: rendered manifests driven with the user's own
//! `kubectl` (its context, namespace and credentials); a clear message when it is not installed.

use super::exit;
use super::merge::{self, MergeArgs};
use crate::runtime::run_dir::timestamp;
use crate::scale::k8s::{run_id, RenderInfo};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

#[derive(Debug, clap::Args)]
pub struct KubectlArgs {
    /// The folder the manifests were rendered into (`k8s render --out DIR`)
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    /// The folder the manifests were rendered into (`k8s render --out DIR`)
    pub dir: PathBuf,
    /// Where the merged run goes [default: runs/<name>-<run id>]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Merge the finished shards even if some are missing or failed
    #[arg(long)]
    pub allow_partial: bool,
}

/// Runs kubectl with `args` (and `input` on stdin). `Err` is the exit code to stop with.
fn kubectl(args: &[String], input: Option<&str>, capture: bool) -> Result<String, u8> {
    let mut command = Command::new("kubectl");
    command.args(args).stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    if capture {
        command.stdout(Stdio::piped());
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "error: kubectl is not installed (not found on PATH). Install kubectl and select your cluster's \
                 context, or apply the rendered *.yaml files with your own tooling"
            );
            return Err(exit::RUNTIME_FAILURE);
        }
        Err(e) => {
            eprintln!("error: cannot run kubectl: {e}");
            return Err(exit::RUNTIME_FAILURE);
        }
    };
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        if let Err(e) = stdin.write_all(text.as_bytes()) {
            eprintln!("error: cannot pass the manifests to kubectl: {e}");
        }
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: kubectl did not finish: {e}");
            return Err(exit::RUNTIME_FAILURE);
        }
    };
    if !output.status.success() {
        eprintln!("error: kubectl {} failed ({})", args.first().map(String::as_str).unwrap_or(""), output.status);
        return Err(exit::RUNTIME_FAILURE);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn load(dir: &Path) -> Result<RenderInfo, u8> {
    RenderInfo::load(dir).map_err(|message| {
        eprintln!("error: {message}");
        exit::SCENARIO_ERROR
    })
}

fn namespace(info: &RenderInfo) -> Vec<String> {
    info.namespace.iter().flat_map(|ns| ["--namespace".to_string(), ns.clone()]).collect()
}

fn code(result: Result<String, u8>) -> u8 {
    match result {
        Ok(_) => exit::OK,
        Err(code) => code,
    }
}

/// Applies the manifests with a fresh start time (now + the rendered lead) and run id.
pub fn apply(args: KubectlArgs) -> u8 {
    let info = match load(&args.dir) {
        Ok(info) => info,
        Err(code) => return code,
    };
    let start_at = timestamp(SystemTime::now() + Duration::from_millis(info.start_in_ms));
    let run = run_id(&start_at);
    let mut stream = String::new();
    for file in info.files.iter().filter(|f| f.ends_with(".yaml")) {
        let path = args.dir.join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                stream.push_str("---\n");
                stream.push_str(&text.replace(&info.start_at, &start_at).replace(&info.run_id, &run));
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return exit::SCENARIO_ERROR;
            }
        }
    }
    let mut command = vec!["apply".to_string()];
    command.extend(namespace(&info));
    command.extend(["-f".to_string(), "-".to_string()]);
    if let Err(code) = kubectl(&command, Some(&stream), false) {
        return code;
    }
    eprintln!("{} shards start at {start_at}; run {run}; results under {}/{run}", info.shards, info.results);
    exit::OK
}

pub fn status(args: KubectlArgs) -> u8 {
    let info = match load(&args.dir) {
        Ok(info) => info,
        Err(code) => return code,
    };
    let mut command = vec!["get".to_string(), "jobs,pods".to_string()];
    command.extend(namespace(&info));
    command.extend(["-l".to_string(), format!("app.kubernetes.io/instance={}", info.name), "-o".into(), "wide".into()]);
    code(kubectl(&command, None, false))
}

pub fn delete(args: KubectlArgs) -> u8 {
    let info = match load(&args.dir) {
        Ok(info) => info,
        Err(code) => return code,
    };
    let mut command = vec!["delete".to_string()];
    command.extend(namespace(&info));
    command.push("--ignore-not-found".into());
    for file in info.files.iter().filter(|f| f.ends_with(".yaml")) {
        command.extend(["-f".to_string(), args.dir.join(file).display().to_string()]);
    }
    code(kubectl(&command, None, false))
}

/// Saves the pods' logs and merges the run's shard folders (object storage only: a volume is
/// merged by the merge Job, in the cluster).
pub fn collect(args: CollectArgs) -> u8 {
    let info = match load(&args.dir) {
        Ok(info) => info,
        Err(code) => return code,
    };
    let mut get = vec!["get".to_string(), "job".to_string(), info.name.clone()];
    get.extend(namespace(&info));
    get.extend(["-o".to_string(), r"jsonpath={.spec.template.metadata.annotations.dfaas-run\.io/run-id}".to_string()]);
    let run = match kubectl(&get, None, true) {
        Ok(run) if !run.trim().is_empty() => run.trim().to_string(),
        Ok(_) => {
            eprintln!(
                "error: the Job `{}` has no run id annotation: was it applied with dfaas-run k8s apply?",
                info.name
            );
            return exit::RUNTIME_FAILURE;
        }
        Err(code) => return code,
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-{run}", info.name)));
    let code = if let Some(claim) = info.results.strip_prefix("pvc:") {
        eprintln!(
            "the shards wrote to the volume `{claim}` under /results/{}/{run}; the merge Job merged them into \
             /results/{}/{run}/merged (its log: kubectl logs job/{}-merge)",
            info.name, info.name, info.name
        );
        exit::OK
    } else {
        merge::run(MergeArgs {
            inputs: vec![format!("{}/{run}", info.results)],
            out: Some(out.display().to_string()),
            allow_partial: args.allow_partial,
            expect_shards: Some(info.shards),
            wait: None,
        })
    };
    let mut logs = vec!["logs".to_string()];
    logs.extend(namespace(&info));
    logs.extend([
        "-l".to_string(),
        format!("app.kubernetes.io/instance={}", info.name),
        "--prefix".into(),
        "--tail=-1".into(),
        format!("--max-log-requests={}", info.shards + 1),
    ]);
    if let Ok(text) = kubectl(&logs, None, true) {
        let path = out.join("pod-logs.txt");
        let written = std::fs::create_dir_all(&out).and_then(|()| std::fs::write(&path, text));
        match written {
            Ok(()) => eprintln!("pod logs in {}", path.display()),
            Err(e) => eprintln!("warning: cannot write {}: {e}", path.display()),
        }
    }
    code
}
