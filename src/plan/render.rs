//! Plan → text for people, JSON and YAML for tools and review diffs, Graphviz DOT for pictures.
//! All four are deterministic.

use super::step::{Plan, StepKind};
use crate::model::units::format_duration;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Yaml,
    Dot,
}

pub fn render(plan: &Plan, format: PlanFormat) -> String {
    match format {
        PlanFormat::Text => text(plan),
        PlanFormat::Json => {
            let mut s = serde_json::to_string_pretty(plan).expect("a plan always serializes");
            s.push('\n');
            s
        }
        PlanFormat::Yaml => serde_norway::to_string(plan).expect("a plan always serializes"),
        PlanFormat::Dot => dot(plan),
    }
}

fn text(plan: &Plan) -> String {
    let mut out = String::new();
    let hash = plan.source_hash.get(..12).unwrap_or(&plan.source_hash);
    let _ = writeln!(out, "plan for scenario \"{}\" (sources {hash})", plan.scenario);
    let ls = &plan.load_start;
    let load_start = match ls.latest {
        Some(l) if l == ls.earliest => format!("run+{}", format_duration(l)),
        Some(l) => format!("between run+{} and run+{}", format_duration(ls.earliest), format_duration(l)),
        None => format!("after run+{}", format_duration(ls.earliest)),
    };
    let _ = writeln!(out, "load starts {load_start}, once every setup step has passed\n");
    let rows: Vec<[String; 5]> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let needs = if s.needs.is_empty() { "-".to_string() } else { s.needs.join(", ") };
            let mut what = s.id.clone();
            if s.always {
                what.push_str(" (always)");
            }
            let detail = match (&s.kind, s.expected_requests) {
                (StepKind::Attack { load, .. }, Some(n)) => format!("{n} requests; {load}"),
                (StepKind::Attack { load, .. }, None) => load.clone(),
                (StepKind::Wait { duration }, _) => format!("wait {}", format_duration(*duration)),
                (StepKind::Expect { count }, _) => format!("{count} expectation{}", if *count == 1 { "" } else { "s" }),
                (StepKind::Notify { target }, _) => format!("webhook {target}"),
                _ => String::new(),
            };
            [format!("{}", i + 1), what, needs, s.window.to_string(), detail]
        })
        .collect();
    let headers = ["#", "step", "needs", "window", "detail"];
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([headers[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: [&str; 5]| {
        let mut l = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 4 {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ", w = widths[c]);
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(headers));
    for r in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    let t = &plan.totals;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let open = t.attacks - t.closed_attacks;
    let _ = write!(out, "\n{} attack{}", t.attacks, plural(t.attacks));
    if open > 0 {
        let _ = write!(out, ", {} requests planned", t.expected_requests);
    }
    if t.closed_attacks > 0 {
        let whose = if t.closed_attacks == 1 { "its" } else { "their" };
        let _ = write!(out, " ({} closed-model: {whose} request count depends on the server)", t.closed_attacks);
    }
    let _ = writeln!(out, ", load lasts {}", format_duration(t.load_duration));
    out
}

fn dot(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph plan {{");
    let _ = writeln!(out, "  label={};", quote(&format!("plan for scenario \"{}\"", plan.scenario)));
    let _ = writeln!(out, "  labelloc=t;\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];");
    for s in &plan.steps {
        let mut label = format!("{}\n{}", s.id, s.window);
        if let Some(n) = s.expected_requests {
            let _ = write!(label, "\n{n} requests");
        }
        let shape = match s.kind {
            StepKind::Attack { .. } => ", style=\"rounded,bold\"",
            StepKind::Health { .. } => ", shape=diamond",
            _ => "",
        };
        let _ = writeln!(out, "  {} [label={}{shape}];", quote(&s.id), quote(&label));
    }
    for s in &plan.steps {
        for need in &s.needs {
            let style = if s.always { " [style=dashed]" } else { "" };
            let _ = writeln!(out, "  {} -> {}{style};", quote(need), quote(&s.id));
        }
    }
    let _ = writeln!(out, "}}");
    out
}

/// A DOT double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
