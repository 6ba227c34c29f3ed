//! A shard's plan: the whole plan with every open-model attack's count cut to the shard's share, and
//! without the steps that belong to the whole run (results merge, expectations, notifications).
//!
//! Deployments, the wait after them and teardowns run on shard 0 only: N shards deploying the same
//! function to the same node would race each other. Every shard runs the health gates.

use super::shard::Shard;
use crate::plan::{Plan, Step, StepKind};
use std::collections::BTreeMap;

/// Whether a step of the whole plan runs on `shard`.
fn runs_on(step: &Step, shard: Shard) -> bool {
    match step.kind {
        StepKind::Merge | StepKind::Expect { .. } | StepKind::Notify { .. } => false,
        StepKind::Deploy { .. } | StepKind::Wait { .. } | StepKind::Teardown { .. } => shard.index == 0,
        _ => true,
    }
}

/// The plan shard `shard` runs. Steps that needed a removed step need what it needed instead.
pub fn shard_plan(plan: &Plan, shard: Shard) -> Plan {
    let removed: BTreeMap<&str, &Step> =
        plan.steps.iter().filter(|s| !runs_on(s, shard)).map(|s| (s.id.as_str(), s)).collect();
    let mut steps = Vec::with_capacity(plan.steps.len());
    for step in plan.steps.iter().filter(|s| runs_on(s, shard)) {
        let mut step = step.clone();
        step.needs = resolve_needs(&step.needs, &removed);
        if let (StepKind::Attack { .. }, Some(total)) = (&step.kind, step.expected_requests) {
            step.expected_requests = Some(shard.requests_of(total));
        }
        steps.push(step);
    }
    let mut totals = plan.totals.clone();
    totals.expected_requests =
        steps.iter().filter(|s| matches!(s.kind, StepKind::Attack { .. })).filter_map(|s| s.expected_requests).sum();
    Plan {
        scenario: plan.scenario.clone(),
        source_hash: plan.source_hash.clone(),
        load_start: plan.load_start,
        steps,
        totals,
    }
}

/// `needs` with every removed step replaced by its own needs (recursively), without duplicates.
fn resolve_needs(needs: &[String], removed: &BTreeMap<&str, &Step>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<&String> = needs.iter().rev().collect();
    while let Some(need) = stack.pop() {
        match removed.get(need.as_str()) {
            Some(step) => stack.extend(step.needs.iter().rev()),
            None if !out.contains(need) => out.push(need.clone()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_path, CheckOptions};
    use crate::scale::shard::ShardMode;

    fn plan_of(text: &str) -> Plan {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.dfs");
        std::fs::write(&path, text).expect("write");
        let checked = check_path(&path, &CheckOptions::with_env(&[]));
        let scenario = checked.scenario.unwrap_or_else(|| panic!("checks: {:?}", checked.diagnostics));
        crate::plan::plan(&scenario)
    }

    const SCENARIO: &str = r#"
node n { url "http://127.0.0.1:8080" gateway { user "u" password "p" } }
function f { image "img" }
deploy f on n
wait 1s
health n { request GET "/healthz" every 1s within 10s }
attack a on n { rate 10/s duration 1s request GET "/" }
attack b on n { after a; workers 3; duration 1s; request GET "/" }
expect success(all) >= 99%
notify webhook "http://127.0.0.1:9/hook"
teardown f on n
"#;

    #[test]
    fn shards_share_the_counts_and_skip_whole_run_steps() {
        let plan = plan_of(SCENARIO);
        let shards: Vec<Plan> =
            (0..3).map(|i| shard_plan(&plan, Shard { index: i, count: 3, mode: ShardMode::Split })).collect();
        let counts: Vec<Option<u64>> =
            shards.iter().map(|p| p.step("attack:a").and_then(|s| s.expected_requests)).collect();
        assert_eq!(counts, vec![Some(4), Some(3), Some(3)]);
        assert_eq!(shards.iter().map(|p| p.totals.expected_requests).sum::<u64>(), 10);
        for p in &shards {
            assert!(p.step("merge").is_none() && p.step("expect").is_none() && p.step("notify:1").is_none());
            let merged = p.step("report:merged").expect("the shard's own merged report stays");
            // The merge step is gone: the merged report needs what the merge needed, and the
            // per-attack reports (they draw the plots the HTML report embeds).
            let needs = ["attack:a", "attack:b", "report:a", "report:b"].map(String::from).to_vec();
            assert_eq!(merged.needs, needs);
        }
        assert!(shards[0].step("deploy:f@n").is_some() && shards[0].step("teardown:f@n").is_some());
        assert!(shards[1].step("deploy:f@n").is_none() && shards[1].step("wait").is_none());
        assert_eq!(shards[1].step("health:n").map(|s| s.needs.clone()), Some(vec![]));
        let teardown = shards[0].step("teardown:f@n").map(|s| s.needs.clone()).unwrap_or_default();
        assert!(teardown.contains(&"report:merged".to_string()), "{teardown:?}");
    }

    #[test]
    fn replicated_shards_keep_the_whole_count() {
        let plan = plan_of(SCENARIO);
        let replica = shard_plan(&plan, Shard { index: 2, count: 3, mode: ShardMode::Replicate });
        assert_eq!(replica.step("attack:a").and_then(|s| s.expected_requests), Some(10));
    }
}
