//! The setup steps of a run: deploy/teardown of functions, the fixed wait, and health gates,
//! each a thin adapter from a plan step to `deploy`, a sleep, or `health`.

use super::deploy::{self, GatewayAccess};
use super::executor::Context;
use super::health;
use std::time::Duration;

fn node_url(ctx: &Context, node: &str) -> Result<url::Url, String> {
    ctx.nodes.get(node).cloned().ok_or_else(|| format!("node `{node}` has no URL"))
}

pub async fn deploy(
    ctx: &Context,
    step: &str,
    function: &str,
    node: &str,
    remove: bool,
) -> Result<Option<String>, String> {
    let scenario = &ctx.scenario;
    let list = if remove { &scenario.teardowns } else { &scenario.deployments };
    let deployment = list
        .iter()
        .find(|d| d.function == function && d.node == node)
        .ok_or_else(|| format!("no deployment of `{function}` on `{node}`"))?;
    let function = scenario
        .functions
        .iter()
        .find(|f| f.name == function)
        .ok_or_else(|| format!("unknown function `{function}`"))?;
    let node_decl = scenario.node(node).ok_or_else(|| format!("unknown node `{node}`"))?;
    let gateway = GatewayAccess::of(node_decl, &node_url(ctx, node)?);
    // Teardown must run even after an interruption: give it its own stop signal.
    let stop = if remove { super::stop::Stop::new() } else { ctx.stop.clone() };
    let job = deploy::Job { step, deployment, function, gateway: &gateway, remove };
    deploy::apply(job, &ctx.http, &stop, &ctx.events).await.map(Some)
}

pub async fn wait(ctx: &Context, duration: Duration) -> Result<Option<String>, String> {
    tokio::select! {
        _ = tokio::time::sleep(duration) => Ok(None),
        _ = ctx.stop.stopped() => Ok(Some("cut short: the run was interrupted".into())),
    }
}

pub async fn health(ctx: &Context, node: &str) -> Result<Option<String>, String> {
    let gate =
        ctx.scenario.gates.iter().find(|g| g.node == node).ok_or_else(|| format!("no health gate for `{node}`"))?;
    let headers = ctx.scenario.node(node).map(|n| n.headers.clone()).unwrap_or_default();
    let outcome = health::run_gate(gate, &node_url(ctx, node)?, &headers, &ctx.http, &ctx.stop, &ctx.events).await;
    if outcome.passed {
        Ok(Some(format!(
            "passed after {} tr{} ({})",
            outcome.tries,
            if outcome.tries == 1 { "y" } else { "ies" },
            outcome.last
        )))
    } else {
        Err(outcome.failure_message())
    }
}
