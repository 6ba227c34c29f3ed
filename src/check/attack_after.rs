//! Checking the `after` graph between attacks: every cycle is reported once, with the attacks on
//! it in order.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::ast::{self, AttackItem, Ident};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// `after` must form a DAG: reports each cycle once, labelled on its `after` references.
    pub(super) fn check_after_cycles(&self, decls: &[&ast::AttackDecl]) {
        let index: BTreeMap<&str, usize> = decls.iter().enumerate().map(|(i, d)| (d.name.node.as_str(), i)).collect();
        let edges: Vec<Vec<(usize, &Ident)>> = decls
            .iter()
            .map(|d| {
                d.items
                    .iter()
                    .filter_map(|i| match &i.node {
                        AttackItem::After(names) => Some(names),
                        _ => None,
                    })
                    .flatten()
                    .filter_map(|n| {
                        index.get(n.node.as_str()).filter(|&&j| decls[j].name.node != d.name.node).map(|&j| (j, n))
                    })
                    .collect()
            })
            .collect();
        // Depth-first, with an explicit stack so that a long chain of `after`s cannot overflow the
        // thread's stack. Each edge back to an attack on the path closes one cycle: all are reported.
        const UNVISITED: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![UNVISITED; decls.len()];
        for start in 0..decls.len() {
            if state[start] != UNVISITED {
                continue;
            }
            state[start] = ON_PATH;
            let mut path: Vec<PathStep> = vec![PathStep { attack: start, via: None, next_edge: 0 }];
            while let Some(top) = path.last_mut() {
                let attack = top.attack;
                let Some(&(next, ident)) = edges[attack].get(top.next_edge) else {
                    state[attack] = DONE;
                    path.pop();
                    continue;
                };
                top.next_edge += 1;
                match state[next] {
                    UNVISITED => {
                        state[next] = ON_PATH;
                        path.push(PathStep { attack: next, via: Some(ident), next_edge: 0 });
                    }
                    ON_PATH => self.report_cycle(&path, next, ident, decls),
                    _ => {}
                }
            }
        }
    }

    /// One cycle: the attacks on `path` from `back_to` on, closed by `closing` (`after back_to`).
    fn report_cycle(&self, path: &[PathStep], back_to: usize, closing: &Ident, decls: &[&ast::AttackDecl]) {
        /// A long cycle is shown by its first steps and its closing `after`.
        const SHOWN: usize = 8;
        let from = path.iter().position(|s| s.attack == back_to).unwrap_or(0);
        let cycle = &path[from..];
        let name = |i: usize| decls[i].name.node.as_str();
        let mut waits: Vec<String> = cycle
            .iter()
            .enumerate()
            .take(SHOWN)
            .map(|(k, step)| {
                let next = cycle.get(k + 1).map_or(back_to, |s| s.attack);
                format!("`{}` after `{}`", name(step.attack), name(next))
            })
            .collect();
        if cycle.len() > SHOWN {
            let last = cycle[cycle.len() - 1].attack;
            waits.push(format!("… ({} attacks in all), `{}` after `{}`", cycle.len(), name(last), name(back_to)));
        }
        let mut d = Diagnostic::error(
            Code::AfterCycle,
            format!("attacks wait for each other in a cycle: {}", waits.join(", ")),
        );
        for ident in cycle.iter().skip(1).take(SHOWN - 1).filter_map(|s| s.via).chain(std::iter::once(closing)) {
            d = d.label(ident.span, format!("`after {}`", ident.node));
        }
        self.push(d.help("remove one `after` so that some attack can start first"));
    }
}

/// An attack on the depth-first path: how it was reached and which of its edges to follow next.
struct PathStep<'d> {
    attack: usize,
    via: Option<&'d Ident>,
    next_edge: usize,
}
