//! The merged plots per target node (the DFaaS operator's, for any number of nodes): successes
//! and errors per second, forwarded requests (answered by another host), and cumulatives.

use super::backend::Figure;
use super::generic_set::{chart, Subject};
use super::merged_data::FORWARDING_HEADER;
use super::per_second::{cumulative, per_second_points};
use super::style::category;
use super::time_chart::{Layer, Shape, TimeChart};

/// The per-node figures with their file stems; `forwarded` only when `X-Server` was recorded.
pub fn figures(s: &Subject) -> Vec<(&'static str, Figure)> {
    let mut out = vec![("per-node", Figure::Time(per_node(s, false)))];
    if let Some(chart) = forwarded(s) {
        out.push(("forwarded", Figure::Time(chart)));
    }
    out.push(("per-node-cumulative", Figure::Time(per_node(s, true))));
    out
}

fn per_node(s: &Subject, running_total: bool) -> TimeChart {
    let shape = |counts: &[u64]| if running_total { cumulative(counts) } else { per_second_points(counts) };
    let mut layers = Vec::new();
    for (i, node) in s.per_second.nodes.iter().enumerate() {
        let (ok, failed) = (node.successes.iter().sum::<u64>(), node.errors.iter().sum::<u64>());
        layers.push(Layer {
            name: format!("{} successes ({ok})", node.name),
            colour: category(i),
            shape: Shape::Line,
            points: shape(&node.successes),
        });
        layers.push(Layer {
            name: format!("{} errors ({failed})", node.name),
            colour: category(i),
            shape: Shape::Dashed,
            points: shape(&node.errors),
        });
    }
    if running_total {
        let subtitle =
            format!("Total successes (solid, status {}) and errors (dashed) so far, per target node.", s.success_rule);
        chart(s, "cumulative successes and errors per node", subtitle, "requests so far", layers)
    } else {
        let subtitle = format!(
            "Successes (solid, status {}) and errors (dashed) per second, per target node; totals in the legend.",
            s.success_rule
        );
        chart(s, "successes and errors per node", subtitle, "requests per second", layers)
    }
}

fn forwarded(s: &Subject) -> Option<TimeChart> {
    let mut layers = Vec::new();
    for (i, node) in s.per_second.nodes.iter().enumerate() {
        let forwarded = node.forwarded.as_ref()?;
        let total: u64 = forwarded.iter().sum();
        let all: u64 = node.successes.iter().sum::<u64>() + node.errors.iter().sum::<u64>();
        layers.push(Layer {
            name: format!("{}: {total} of {all} forwarded", node.name),
            colour: category(i),
            shape: Shape::Line,
            points: per_second_points(forwarded),
        });
    }
    let subtitle = format!(
        "Requests per second answered by another node: the {FORWARDING_HEADER} header names another host than the target node's (hosts compared, ports ignored)."
    );
    Some(chart(s, "forwarded requests per node", subtitle, "forwarded requests per second", layers))
}
