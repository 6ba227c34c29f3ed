//! The Kubernetes objects of a sharded run: the scenario ConfigMap, the headless Service the start
//! barrier resolves, the Indexed Job of shards and the optional merge Job, as ordered JSON values.

use super::bundle::Bundle;
use super::names::{MERGE_SUFFIX, SCENARIO_SUFFIX};
use crate::scale::shard::ShardMode;
use crate::scale::storage::S3Location;
use base64::Engine;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The annotations `k8s apply` refreshes, and the environment variables they reach the pods by.
pub const START_AT_ANNOTATION: &str = "dfaas-run.io/start-at";
pub const RUN_ID_ANNOTATION: &str = "dfaas-run.io/run-id";
/// Where the scenario bundle and a results volume are mounted.
pub const SCENARIO_MOUNT: &str = "/scenario";
pub const RESULTS_MOUNT: &str = "/results";
/// The uid the container runs as (the image's non-root user).
pub const RUN_AS: u64 = 65532;

/// Where the shards write their folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Results {
    S3(S3Location),
    /// A PersistentVolumeClaim (ReadWriteMany: every shard pod mounts it).
    Volume(String),
}

/// Everything the manifests say.
#[derive(Debug, Clone)]
pub struct RenderSpec {
    pub name: String,
    pub namespace: Option<String>,
    pub shards: u32,
    pub mode: ShardMode,
    pub image: String,
    pub cpu: String,
    pub memory: String,
    pub spread: bool,
    pub results: Results,
    pub s3_secret: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    /// RFC 3339, and the run folder's name derived from it.
    pub start_at: String,
    pub run_id: String,
    pub start_grace: Duration,
    pub barrier_port: u16,
    pub overrides: Vec<(String, String)>,
    pub write_results: bool,
    pub ttl: Duration,
    /// The shards' `activeDeadlineSeconds`.
    pub deadline: Duration,
    pub merge_job: bool,
}

impl RenderSpec {
    fn labels(&self, component: &str) -> Value {
        json!({
            "app.kubernetes.io/name": "dfaas-run",
            "app.kubernetes.io/instance": self.name,
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/managed-by": "dfaas-run",
        })
    }

    fn metadata(&self, name: &str, component: &str) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        if let Some(ns) = &self.namespace {
            m.insert("namespace".into(), json!(ns));
        }
        m.insert("labels".into(), self.labels(component));
        Value::Object(m)
    }

    /// The folder (or prefix) of this run's shard folders, as the pods see it.
    pub fn run_root(&self) -> String {
        match &self.results {
            Results::S3(s3) => format!("{}/$(DFAAS_RUN_ID)", s3.join(&self.name)),
            Results::Volume(_) => format!("{RESULTS_MOUNT}/{}/$(DFAAS_RUN_ID)", self.name),
        }
    }

    fn env(&self) -> Value {
        let annotation = |key: &str| json!({"fieldRef": {"fieldPath": format!("metadata.annotations['{key}']")}});
        let mut env = vec![
            json!({"name": "DFAAS_START_AT", "valueFrom": annotation(START_AT_ANNOTATION)}),
            json!({"name": "DFAAS_RUN_ID", "valueFrom": annotation(RUN_ID_ANNOTATION)}),
            json!({"name": "TMPDIR", "value": "/tmp"}),
        ];
        if let Some(endpoint) = &self.s3_endpoint {
            env.push(json!({"name": "AWS_ENDPOINT_URL", "value": endpoint}));
        }
        if let Some(region) = &self.s3_region {
            env.push(json!({"name": "AWS_REGION", "value": region}));
        }
        Value::Array(env)
    }

    fn container(&self, args: Vec<String>, with_scenario: bool, port: bool) -> Value {
        let mut c = Map::new();
        c.insert("name".into(), json!("dfaas-run"));
        c.insert("image".into(), json!(self.image));
        c.insert("imagePullPolicy".into(), json!("IfNotPresent"));
        c.insert("workingDir".into(), json!("/tmp"));
        c.insert("args".into(), json!(args));
        c.insert("env".into(), self.env());
        if let Some(secret) = &self.s3_secret {
            c.insert("envFrom".into(), json!([{"secretRef": {"name": secret}}]));
        }
        if port {
            c.insert(
                "ports".into(),
                json!([{"name": "barrier", "containerPort": self.barrier_port, "protocol": "TCP"}]),
            );
        }
        let quantities = json!({"cpu": self.cpu, "memory": self.memory});
        c.insert("resources".into(), json!({"requests": quantities, "limits": quantities}));
        c.insert(
            "securityContext".into(),
            json!({
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            }),
        );
        let mut mounts = vec![json!({"name": "tmp", "mountPath": "/tmp"})];
        if with_scenario {
            mounts.push(json!({"name": "scenario", "mountPath": SCENARIO_MOUNT, "readOnly": true}));
        }
        if matches!(self.results, Results::Volume(_)) {
            mounts.push(json!({"name": "results", "mountPath": RESULTS_MOUNT}));
        }
        c.insert("volumeMounts".into(), Value::Array(mounts));
        Value::Object(c)
    }

    fn volumes(&self, bundle: Option<&Bundle>) -> Value {
        let mut volumes = vec![json!({"name": "tmp", "emptyDir": {}})];
        if let Some(bundle) = bundle {
            let items: Vec<Value> = bundle.files.iter().map(|f| json!({"key": f.key, "path": f.path})).collect();
            volumes.push(json!({
                "name": "scenario",
                "configMap": {"name": format!("{}{SCENARIO_SUFFIX}", self.name), "items": items},
            }));
        }
        if let Results::Volume(claim) = &self.results {
            volumes.push(json!({"name": "results", "persistentVolumeClaim": {"claimName": claim}}));
        }
        Value::Array(volumes)
    }

    fn pod_metadata(&self, component: &str) -> Value {
        json!({
            "labels": self.labels(component),
            "annotations": {START_AT_ANNOTATION: self.start_at, RUN_ID_ANNOTATION: self.run_id},
        })
    }

    fn pod_security(&self) -> Value {
        json!({
            "runAsNonRoot": true,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        })
    }
}

/// The shards' command line.
fn shard_args(spec: &RenderSpec, bundle: &Bundle) -> Vec<String> {
    let mut args = vec![
        "run".to_string(),
        format!("{SCENARIO_MOUNT}/{}", bundle.root),
        "--shards".into(),
        spec.shards.to_string(),
        "--shard-mode".into(),
        spec.mode.to_string(),
        "--start-at".into(),
        "$(DFAAS_START_AT)".into(),
        "--start-grace".into(),
        format!("{}ms", spec.start_grace.as_millis()),
        "--barrier".into(),
        format!("dns:{}-{{i}}.{}:{}", spec.name, spec.name, spec.barrier_port),
        "--out".into(),
        spec.run_root(),
        "--quiet".into(),
    ];
    if !spec.write_results {
        args.push("--no-results".into());
    }
    for (name, value) in &spec.overrides {
        args.push("--set".into());
        args.push(format!("{name}={value}"));
    }
    args
}

/// The objects, each with the file it is written to.
pub fn documents(spec: &RenderSpec, bundle: &Bundle) -> Vec<(&'static str, Value)> {
    let mut data = Map::new();
    let mut binary = Map::new();
    for f in &bundle.files {
        match std::str::from_utf8(&f.content) {
            Ok(text) => data.insert(f.key.clone(), json!(text)),
            Err(_) => binary.insert(f.key.clone(), json!(base64::engine::general_purpose::STANDARD.encode(&f.content))),
        };
    }
    let mut configmap = Map::new();
    configmap.insert("apiVersion".into(), json!("v1"));
    configmap.insert("kind".into(), json!("ConfigMap"));
    configmap.insert("metadata".into(), spec.metadata(&format!("{}{SCENARIO_SUFFIX}", spec.name), "scenario"));
    configmap.insert("data".into(), Value::Object(data));
    if !binary.is_empty() {
        configmap.insert("binaryData".into(), Value::Object(binary));
    }

    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": spec.metadata(&spec.name, "shard"),
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": true,
            "selector": {"app.kubernetes.io/instance": spec.name, "app.kubernetes.io/component": "shard"},
            "ports": [{"name": "barrier", "port": spec.barrier_port, "targetPort": spec.barrier_port, "protocol": "TCP"}],
        },
    });

    let mut pod = Map::new();
    pod.insert("restartPolicy".into(), json!("Never"));
    pod.insert("subdomain".into(), json!(spec.name));
    pod.insert("securityContext".into(), spec.pod_security());
    if spec.spread {
        pod.insert(
            "affinity".into(),
            json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                "weight": 100,
                "podAffinityTerm": {
                    "topologyKey": "kubernetes.io/hostname",
                    "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": spec.name, "app.kubernetes.io/component": "shard"}},
                },
            }]}}),
        );
    }
    pod.insert("containers".into(), json!([spec.container(shard_args(spec, bundle), true, true)]));
    pod.insert("volumes".into(), spec.volumes(Some(bundle)));
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": spec.metadata(&spec.name, "shard"),
        "spec": {
            "completionMode": "Indexed",
            "completions": spec.shards,
            "parallelism": spec.shards,
            "backoffLimit": 0,
            "ttlSecondsAfterFinished": spec.ttl.as_secs(),
            "activeDeadlineSeconds": spec.deadline.as_secs(),
            "template": {"metadata": spec.pod_metadata("shard"), "spec": Value::Object(pod)},
        },
    });
    let mut docs = vec![("configmap.yaml", Value::Object(configmap)), ("service.yaml", service), ("job.yaml", job)];

    if spec.merge_job {
        let root = spec.run_root();
        let args = vec![
            "merge".to_string(),
            root.clone(),
            "--expect-shards".into(),
            spec.shards.to_string(),
            "--wait".into(),
            format!("{}s", spec.deadline.as_secs()),
            "--out".into(),
            format!("{root}/merged"),
        ];
        let merge = json!({
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": spec.metadata(&format!("{}{MERGE_SUFFIX}", spec.name), "merge"),
            "spec": {
                "completions": 1,
                "parallelism": 1,
                "backoffLimit": 0,
                "ttlSecondsAfterFinished": spec.ttl.as_secs(),
                "activeDeadlineSeconds": (spec.deadline + Duration::from_secs(600)).as_secs(),
                "template": {
                    "metadata": spec.pod_metadata("merge"),
                    "spec": {
                        "restartPolicy": "Never",
                        "securityContext": spec.pod_security(),
                        "containers": [spec.container(args, false, false)],
                        "volumes": spec.volumes(None),
                    },
                },
            },
        });
        docs.push(("merge-job.yaml", merge));
    }
    docs
}
