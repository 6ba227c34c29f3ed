//! `dfaas-run k8s render SCENARIO --shards N ...` writes the manifests of a sharded run; `apply`,
//! `status`, `collect` and `delete` drive them with `kubectl` (see `k8s_kubectl.rs`).

use super::k8s_kubectl::{self, KubectlArgs};
use super::scale_args::parse_time;
use super::{exit, scenario_files, ScenarioArgs};
use crate::plan::plan;
use crate::runtime::run_dir::timestamp;
use crate::scale::k8s::bundle::bundle;
use crate::scale::k8s::manifests::{RenderSpec, Results};
use crate::scale::k8s::names::{check_label, check_name, check_quantity, check_subdomain, default_name};
use crate::scale::k8s::{render, run_id};
use crate::scale::shard::ShardMode;
use crate::scale::storage::Location;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How long the shards get after their load for reports and the upload, in the Job's deadline.
const WRAP_UP: Duration = Duration::from_secs(600);

#[derive(Debug, clap::Args)]
pub struct K8sArgs {
    #[command(subcommand)]
    pub command: K8sCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum K8sCommand {
    /// Write the manifests of a sharded run: ConfigMap, headless Service, Indexed Job, merge Job
    Render(Box<RenderArgs>),
    /// Apply rendered manifests with kubectl, starting the shards --start-in from now
    Apply(KubectlArgs),
    /// Show the Jobs and pods of rendered manifests (kubectl get)
    Status(KubectlArgs),
    /// Save the pods' logs and merge the shards' results (from object storage) into a run folder
    Collect(k8s_kubectl::CollectArgs),
    /// Delete what the rendered manifests created (kubectl delete)
    Delete(KubectlArgs),
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// How many shards (pods) run the scenario
    #[arg(long, value_name = "N")]
    pub shards: u32,
    /// Where the shards write their folders: s3://BUCKET/PREFIX, or pvc:CLAIM (a ReadWriteMany volume)
    #[arg(long, value_name = "LOCATION")]
    pub results: String,
    /// split: the shards share the load; replicate: every shard runs all of it
    #[arg(long, value_enum, default_value_t = ShardMode::Split)]
    pub mode: ShardMode,
    /// The container image (built from the Containerfile)
    #[arg(long, default_value = concat!("dfaas-run:", env!("CARGO_PKG_VERSION")))]
    pub image: String,
    /// Write the manifests into this folder (default: print them as one YAML stream)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The Job's name (default: dfaas-<scenario name>)
    #[arg(long)]
    pub name: Option<String>,
    /// The namespace (default: kubectl's current one)
    #[arg(long)]
    pub namespace: Option<String>,
    /// CPU of each shard pod (request = limit)
    #[arg(long, default_value = "1")]
    pub cpu: String,
    /// Memory of each shard pod (request = limit)
    #[arg(long, default_value = "512Mi")]
    pub memory: String,
    /// Prefer one shard per Kubernetes node (pod anti-affinity)
    #[arg(long)]
    pub spread: bool,
    /// Also render a Job that waits for the shards and merges them next to their folders
    #[arg(long)]
    pub merge_job: bool,
    /// A Secret with the AWS_* credentials of the bucket, given to the pods as environment
    #[arg(long, value_name = "SECRET")]
    pub s3_secret: Option<String>,
    /// The S3-compatible endpoint (AWS_ENDPOINT_URL in the pods)
    #[arg(long, value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// The bucket's region (AWS_REGION in the pods)
    #[arg(long, value_name = "REGION")]
    pub s3_region: Option<String>,
    /// The start time written in the manifests (RFC 3339); `k8s apply` replaces it with now + --start-in
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
    /// How long after applying the shards start (time to pull the image and pass the barrier)
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    pub start_in: Duration,
    /// A shard that starts later than this fails instead of running out of step
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub start_grace: Duration,
    /// The TCP port of the start barrier
    #[arg(long, value_name = "PORT", default_value_t = 7946)]
    pub barrier_port: u16,
    /// How long finished Jobs are kept
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub ttl: Duration,
    /// The shards write no results.json (histograms, series and summaries are still written)
    #[arg(long)]
    pub no_results: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::model::units::parse_duration(s).map_err(|_| format!("`{s}` is not a duration (like `2m` or `24h`)"))
}

pub fn run(args: K8sArgs) -> u8 {
    match args.command {
        K8sCommand::Render(args) => render_command(*args),
        K8sCommand::Apply(args) => k8s_kubectl::apply(args),
        K8sCommand::Status(args) => k8s_kubectl::status(args),
        K8sCommand::Collect(args) => k8s_kubectl::collect(args),
        K8sCommand::Delete(args) => k8s_kubectl::delete(args),
    }
}

fn render_command(args: RenderArgs) -> u8 {
    let (scenario, checked) = match scenario_files::load(&args.scenario.file, &args.scenario.set) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let sources: Vec<PathBuf> = checked.sources.files().map(|(_, f)| f.path.clone()).collect();
    let whole = plan(&scenario);
    let spec = match spec(&args, &scenario.name, &whole) {
        Ok(spec) => spec,
        Err(message) => return usage(&message),
    };
    let bundle = match bundle(&sources, &scenario) {
        Ok(bundle) => bundle,
        Err(message) => return usage(&message),
    };
    let rendered = match render(&spec, &bundle, args.start_in) {
        Ok(rendered) => rendered,
        Err(message) => return usage(&message),
    };
    match &args.out {
        None => print!("{}", rendered.stream()),
        Some(dir) => {
            if let Err(message) = rendered.write(dir) {
                eprintln!("error: {message}");
                return exit::RUNTIME_FAILURE;
            }
            let files: Vec<&str> = rendered.files.iter().map(|(name, _)| name.as_str()).collect();
            eprintln!("wrote {} in {}", files.join(", "), dir.display());
            eprintln!("next: dfaas-run k8s apply {}", dir.display());
        }
    }
    exit::OK
}

fn usage(message: &str) -> u8 {
    eprintln!("error: {message}");
    exit::SCENARIO_ERROR
}

/// Checks the flags and gathers what the manifests say.
fn spec(args: &RenderArgs, scenario: &str, whole: &crate::plan::Plan) -> Result<RenderSpec, String> {
    if args.shards == 0 {
        return Err("--shards must be at least 1".into());
    }
    let name = args.name.clone().unwrap_or_else(|| default_name(scenario));
    check_name(&name, args.shards)?;
    if let Some(ns) = &args.namespace {
        check_label("the namespace", ns)?;
    }
    check_quantity("--cpu", &args.cpu)?;
    check_quantity("--memory", &args.memory)?;
    if let Some(secret) = &args.s3_secret {
        check_subdomain("the secret", secret)?;
    }
    let results = if let Some(claim) = args.results.strip_prefix("pvc:") {
        check_label("the claim", claim)?;
        Results::Volume(claim.to_string())
    } else {
        match Location::parse(&args.results)? {
            Location::S3(s3) => Results::S3(s3),
            Location::Local(_) => {
                return Err(format!(
                    "--results {}: the pods need shared storage: s3://BUCKET/PREFIX, or pvc:CLAIM for a ReadWriteMany volume",
                    args.results
                ))
            }
        }
    };
    if let Some(endpoint) = &args.s3_endpoint {
        url::Url::parse(endpoint).map_err(|e| format!("--s3-endpoint `{endpoint}` is not a URL: {e}"))?;
    }
    let start_at = match &args.start_at {
        Some(text) => parse_time(text)?,
        None => SystemTime::now() + args.start_in,
    };
    let start_at = timestamp(start_at);
    let setup = whole.load_start.latest.unwrap_or(whole.load_start.earliest);
    let deadline = args.start_in + setup + whole.totals.load_duration + WRAP_UP;
    Ok(RenderSpec {
        name,
        namespace: args.namespace.clone(),
        shards: args.shards,
        mode: args.mode,
        image: args.image.clone(),
        cpu: args.cpu.clone(),
        memory: args.memory.clone(),
        spread: args.spread,
        results,
        s3_secret: args.s3_secret.clone(),
        s3_endpoint: args.s3_endpoint.clone(),
        s3_region: args.s3_region.clone(),
        run_id: run_id(&start_at),
        start_at,
        start_grace: args.start_grace,
        barrier_port: args.barrier_port,
        overrides: args.scenario.set.clone(),
        write_results: !args.no_results,
        ttl: args.ttl,
        deadline: Duration::from_secs(deadline.as_secs_f64().ceil() as u64),
        merge_job: args.merge_job,
    })
}
