//! Writes `report_values.txt` (the operator's success rates, see `report::success_rates`) for an
//! attack folder or the merged folder, with the scenario's node order, success rules, time scale.

use super::executor::Context;
use crate::report::success_rates::{target_of, SuccessCounter, REPORT_VALUES_FILE};
use std::path::{Path, PathBuf};

/// What one folder's `report_values.txt` shows besides the counts: the node order, the notes,
/// whether per-node lines are written. The counts come from a `SuccessCounter` fed by the pass
/// that reads the results for the plots (see `wrapup_steps`).
#[derive(Debug, Clone)]
pub struct ReportValues {
    order: Vec<String>,
    notes: Vec<String>,
    per_target: bool,
    path: PathBuf,
}

impl ReportValues {
    /// For `out_dir`: `attack` is the attack whose folder this is (its own rule is noted), or
    /// `None` for the merged folder (per-node lines added).
    pub fn for_folder(ctx: &Context, out_dir: &Path, attack: Option<&str>) -> ReportValues {
        let order: Vec<String> = ctx
            .scenario
            .nodes
            .iter()
            .filter_map(|n| ctx.nodes.get(&n.name))
            .filter_map(|url| target_of(url.as_str()).map(|(shown, _, _)| shown))
            .collect();
        let mut rules: Vec<(String, String)> = ctx
            .scenario
            .attacks
            .iter()
            .filter(|a| attack.is_none_or(|name| a.name == name))
            .map(|a| (a.name.clone(), a.success.to_string()))
            .collect();
        let mut notes = Vec::new();
        rules.sort_by(|a, b| a.1.cmp(&b.1));
        let first_rule = rules.first().map(|(_, r)| r.clone());
        if rules.iter().all(|(_, r)| Some(r) == first_rule.as_ref()) {
            if let Some(rule) = first_rule {
                notes.push(format!("Success rule: {rule}"));
            }
        } else {
            let each: Vec<String> = rules.iter().map(|(a, r)| format!("{a} {r}")).collect();
            notes.push(format!("Success rules: {}", each.join(", ")));
        }
        let scale = ctx.manifest.lock().map(|m| m.time_scale).unwrap_or(1.0);
        if scale != 1.0 {
            notes.push(format!(
                "Time scale: {scale} (--time-scale: every delay and duration × {scale}, rates unchanged)"
            ));
        }
        ReportValues { order, notes, per_target: attack.is_none(), path: out_dir.join(REPORT_VALUES_FILE) }
    }

    /// Writes the file from the counts of every result of the folder.
    pub fn write(&self, counted: SuccessCounter) -> Result<(), String> {
        let rates = counted.finish(&self.order);
        std::fs::write(&self.path, rates.render(self.per_target, &self.notes))
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}
