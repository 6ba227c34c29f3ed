//! `dfaas-run k8s`: the manifests of a sharded run on Kubernetes (a ConfigMap with the scenario,
//! a headless Service, an Indexed Job of shards, an optional merge Job) and what `apply` needs.

pub mod bundle;
pub mod manifests;
pub mod names;

use manifests::{documents, RenderSpec, Results};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The file beside the manifests that the `k8s` wrappers read (not a manifest: `kubectl apply -f
/// DIR` only reads `.yaml`, `.yml` and `.json` files).
pub const RENDER_INFO: &str = "render.info";

/// What `k8s apply|status|collect|delete` need to know about rendered manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderInfo {
    pub format: String,
    pub format_version: u32,
    pub name: String,
    pub namespace: Option<String>,
    pub shards: u32,
    /// The manifest files, in the order to apply them.
    pub files: Vec<String>,
    /// The start time and run id written in the manifests (`apply` replaces both).
    pub start_at: String,
    pub run_id: String,
    /// How long after `apply` the shards start.
    pub start_in_ms: u64,
    /// `s3://BUCKET/PREFIX/NAME` or `pvc:CLAIM`: the run's folders are under it, by run id.
    pub results: String,
    pub merge_job: bool,
}

/// The rendered files: `(file name, text)`, manifests first, then [`RENDER_INFO`].
#[derive(Debug, Clone)]
pub struct Rendered {
    pub files: Vec<(String, String)>,
    pub info: RenderInfo,
}

impl Rendered {
    /// Every manifest as one multi-document YAML stream.
    pub fn stream(&self) -> String {
        self.files.iter().filter(|(name, _)| name.ends_with(".yaml")).map(|(_, text)| format!("---\n{text}")).collect()
    }

    /// Writes every file into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for (name, text) in &self.files {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// The run id derived from a start time (`2030-01-01T12:00:00Z` → `20300101-120000`).
pub fn run_id(start_at: &str) -> String {
    let digits: String = start_at.chars().take(19).filter(char::is_ascii_digit).collect();
    match digits.len() {
        14 => format!("{}-{}", &digits[..8], &digits[8..]),
        _ => digits,
    }
}

/// Renders the manifests of `spec` with the scenario `bundle`.
pub fn render(spec: &RenderSpec, bundle: &bundle::Bundle, start_in: std::time::Duration) -> Result<Rendered, String> {
    let mut files = Vec::new();
    for (name, value) in documents(spec, bundle) {
        let text = serde_norway::to_string(&value).map_err(|e| format!("cannot write {name}: {e}"))?;
        // YAML 1.1 readers (PyYAML, older Go YAML) take an unquoted RFC 3339 value for a timestamp,
        // and an annotation must be a string: quote it.
        let text = text.replace(&format!(": {}\n", spec.start_at), &format!(": '{}'\n", spec.start_at));
        files.push((name.to_string(), text));
    }
    let info = RenderInfo {
        format: "dfaas-run/k8s-render".into(),
        format_version: 1,
        name: spec.name.clone(),
        namespace: spec.namespace.clone(),
        shards: spec.shards,
        files: files.iter().map(|(name, _)| name.clone()).collect(),
        start_at: spec.start_at.clone(),
        run_id: spec.run_id.clone(),
        start_in_ms: start_in.as_millis() as u64,
        results: match &spec.results {
            Results::S3(s3) => s3.join(&spec.name).to_string(),
            Results::Volume(claim) => format!("pvc:{claim}"),
        },
        merge_job: spec.merge_job,
    };
    let text = serde_json::to_string_pretty(&info).map_err(|e| e.to_string())? + "\n";
    files.push((RENDER_INFO.to_string(), text));
    Ok(Rendered { files, info })
}

impl RenderInfo {
    pub fn load(dir: &Path) -> Result<RenderInfo, String> {
        let path = dir.join(RENDER_INFO);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {}: {e} (render the manifests there first: dfaas-run k8s render SCENARIO --out DIR)",
                path.display()
            )
        })?;
        let info: RenderInfo =
            serde_json::from_str(&text).map_err(|e| format!("{} is not a render record: {e}", path.display()))?;
        if info.format_version > 1 {
            return Err(format!("{} was written by a newer dfaas-run", path.display()));
        }
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_come_from_the_start_time() {
        assert_eq!(run_id("2030-01-01T12:00:00Z"), "20300101-120000");
        assert_eq!(run_id("2030-01-01T12:00:00.250Z"), "20300101-120000");
    }
}
