//! Writes `report_values.txt` (the operator's success rates, see `report::success_rates`) for an
//! attack folder or the merged folder, with the scenario's node order, success rules, time scale.

use super::executor::Context;
use crate::report::success_rates::{target_of, SuccessRates, REPORT_VALUES_FILE};
use std::path::PathBuf;

/// Counts `results` and writes `out_dir/report_values.txt`. `attack`: the attack whose folder
/// this is (its own rule is noted), or `None` for the merged folder (per-node lines added).
pub async fn write(ctx: &Context, results: PathBuf, out_dir: PathBuf, attack: Option<&str>) -> Result<(), String> {
    if !results.exists() {
        return Ok(());
    }
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
        notes.push(format!("Time scale: {scale} (--time-scale: every delay and duration × {scale}, rates unchanged)"));
    }
    let per_target = attack.is_none();
    tokio::task::spawn_blocking(move || {
        let rates = SuccessRates::from_file(&results, &order)?;
        let path = out_dir.join(REPORT_VALUES_FILE);
        std::fs::write(&path, rates.render(per_target, &notes))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    })
    .await
    .map_err(|e| format!("internal error: {e}"))?
}
