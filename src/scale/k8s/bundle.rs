//! The scenario bundle of the ConfigMap: the scenario file, its imports and every file they name
//! (bodies, feeders, targets files, templates), laid out as on disk below their common folder.

use crate::model::{Body, RequestSource, Scenario};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// What a ConfigMap can hold: 1 MiB of keys and values (the API server refuses more).
pub const CONFIGMAP_LIMIT: usize = 1 << 20;

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledFile {
    /// The ConfigMap key (`[-._a-zA-Z0-9]+`).
    pub key: String,
    /// The path below the mount point, `/`-separated.
    pub path: String,
    pub content: Vec<u8>,
}

/// Every file, and where the root scenario file is below the mount point.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub files: Vec<BundledFile>,
    pub root: String,
}

impl Bundle {
    /// The size the API server counts: every key and value.
    pub fn size(&self) -> usize {
        self.files.iter().map(|f| f.key.len() + f.content.len()).sum()
    }
}

/// `..` and `.` resolved without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The files a scenario names, besides its sources.
fn referenced(scenario: &Scenario) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    for attack in &scenario.attacks {
        match &attack.request {
            RequestSource::Targets { path } => {
                files.insert(path.clone());
            }
            RequestSource::Spec(spec) => {
                if let Body::File(path) = &spec.body {
                    files.insert(path.clone());
                }
                if let Some(feeder) = &spec.feeder {
                    files.insert(feeder.path.clone());
                }
            }
        }
    }
    files.extend(scenario.report.templates.iter().map(|t| t.path.clone()));
    files.extend(scenario.notifications.iter().filter_map(|n| n.template.clone()));
    files
}

/// Gathers `sources` (the root file first, then imports) and every file the scenario names. A file
/// named by an absolute path outside the scenario's folders cannot follow it into the pod: refused.
pub fn bundle(sources: &[PathBuf], scenario: &Scenario) -> Result<Bundle, String> {
    let Some(root) = sources.first() else { return Err("the scenario has no source file".into()) };
    let source_dirs: Vec<PathBuf> = sources.iter().filter_map(|s| s.parent().map(Path::to_path_buf)).collect();
    let mut all: Vec<PathBuf> = sources.to_vec();
    for file in referenced(scenario) {
        if !source_dirs.iter().any(|dir| file.starts_with(dir)) {
            return Err(format!(
                "{} is named by an absolute path: it would not be found in the pods; \
                 name it relative to the scenario file and keep it beside the scenario",
                file.display()
            ));
        }
        all.push(file);
    }
    let all: Vec<PathBuf> = all.iter().map(|p| normalize(p)).collect::<BTreeSet<_>>().into_iter().collect();
    let mut common = normalize(root).parent().map(Path::to_path_buf).unwrap_or_default();
    while !all.iter().all(|p| p.starts_with(&common)) {
        if !common.pop() {
            break;
        }
    }
    let relative = |p: &Path| -> String {
        p.strip_prefix(&common)
            .unwrap_or(p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut files = Vec::with_capacity(all.len());
    for (i, path) in all.iter().enumerate() {
        let content = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let base: String = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' })
                    .collect()
            })
            .unwrap_or_default();
        files.push(BundledFile { key: format!("{:02}-{base}", i + 1), path: relative(path), content });
    }
    let bundle = Bundle { files, root: relative(&normalize(root)) };
    let size = bundle.size();
    if size > CONFIGMAP_LIMIT {
        let mut largest: Vec<&BundledFile> = bundle.files.iter().collect();
        largest.sort_by_key(|f| std::cmp::Reverse(f.content.len()));
        let named: Vec<String> =
            largest.iter().take(3).map(|f| format!("{} ({} bytes)", f.path, f.content.len())).collect();
        return Err(format!(
            "the scenario and its files take {size} bytes, over the {CONFIGMAP_LIMIT} bytes (1 MiB) a ConfigMap can hold; \
             the largest: {}. Build them into the image or mount them from a volume, and name them from there",
            named.join(", ")
        ));
    }
    Ok(bundle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d.csv")), PathBuf::from("/a/c/d.csv"));
    }
}
