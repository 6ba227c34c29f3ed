//! The plot files of an attack or of the merged results (`<folder>/plots/*.png|svg`), found on
//! disk in a fixed order with their titles, for reports to embed or link.

use serde::{Deserialize, Serialize};
use std::path::Path;

pub use super::plots::PLOTS_DIR;

/// Known plots, in the order reports show them, with their titles.
const KNOWN: &[(&str, &str)] = &[
    ("latency", "Latency over time"),
    ("throughput", "Requests and successes per second"),
    ("percentiles", "Latency percentiles"),
    ("status", "Status codes over time"),
    ("success-errors", "Successes and errors per second"),
    ("responders", "Responses per second by responder"),
    ("cumulative", "Cumulative successes and errors"),
    ("cumulative-log", "Cumulative successes and errors (log scale)"),
    ("per-node", "Successes and errors per target node"),
    ("forwarded", "Requests forwarded to another node"),
    ("per-node-cumulative", "Cumulative successes and errors per target node"),
];

/// One plot, in PNG or SVG or both; paths relative to the run folder, with `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plot {
    /// The file stem (`latency`).
    pub name: String,
    pub title: String,
    pub png: Option<String>,
    pub svg: Option<String>,
}

impl Plot {
    /// Every file of the plot (PNG first).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.png.iter().chain(self.svg.iter()).map(String::as_str)
    }
}

/// The plots under `run_dir/folder/plots/`: known ones first in their order, then any other
/// plot file by name. An absent folder has no plots.
pub fn discover(run_dir: &Path, folder: &str) -> Vec<Plot> {
    let dir = run_dir.join(folder).join(PLOTS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut stems: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let path = e.path();
            let ext = path.extension()?.to_str()?;
            matches!(ext, "png" | "svg").then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    stems.sort();
    stems.dedup();
    let rank = |stem: &str| KNOWN.iter().position(|(k, _)| *k == stem).unwrap_or(KNOWN.len());
    stems.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    stems
        .into_iter()
        .map(|stem| {
            let file = |ext: &str| {
                dir.join(format!("{stem}.{ext}")).is_file().then(|| format!("{folder}/{PLOTS_DIR}/{stem}.{ext}"))
            };
            let title = KNOWN
                .iter()
                .find(|(k, _)| *k == stem)
                .map(|(_, t)| t.to_string())
                .unwrap_or_else(|| stem.replace(['-', '_'], " "));
            Plot { png: file("png"), svg: file("svg"), title, name: stem }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_plots_come_first_in_their_order_then_others_by_name() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let plots = tmp.path().join("a").join(PLOTS_DIR);
        std::fs::create_dir_all(&plots).expect("mkdir");
        for f in ["zeta.svg", "status.png", "latency.png", "latency.svg", "notes.txt", "alpha.png"] {
            std::fs::write(plots.join(f), "x").expect("write");
        }
        let found = discover(tmp.path(), "a");
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["latency", "status", "alpha", "zeta"]);
        assert_eq!(found[0].png.as_deref(), Some("a/plots/latency.png"));
        assert_eq!(found[0].svg.as_deref(), Some("a/plots/latency.svg"));
        assert_eq!(found[1].svg, None);
        assert_eq!(found[0].title, "Latency over time");
        assert!(discover(tmp.path(), "missing").is_empty());
    }
}
