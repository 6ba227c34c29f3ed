//! Assembles the checked `Scenario`: runs the passes over nodes, functions, deployments, the wait,
//! health gates, attacks, reports, expectations and notifications in order, names the scenario,
//! and warns of what is declared but unused.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::parser::ast::{self, Ident, Item};
use crate::parser::span::Span;

impl Checker<'_> {
    pub(super) fn build(&self, fallback_name: &str) -> Option<Scenario> {
        let name = self.scenario_name(fallback_name);
        let nodes = self.nodes();
        // References are checked against every declared name, valid or not: a node with a bad
        // `url` is reported once, not again at each place that names it.
        let node_names = self.declared(|item| match item {
            Item::Node(decl) => Some(&decl.name),
            _ => None,
        });
        self.check_forwarding(&node_names);
        let functions = self.functions();
        let function_names = self.declared(|item| match item {
            Item::Function(decl) => Some(&decl.name),
            _ => None,
        });
        let deployments = self.deployments(false, &node_names, &function_names, &functions);
        let teardowns = self.deployments(true, &node_names, &function_names, &functions);
        let wait = self.wait();
        let gates = self.gates(&node_names);
        let attacks = self.attacks(&node_names);
        self.warn_no_attacks();
        let report = self.report();
        let expectations = self.expectations(&attacks);
        let notifications = self.notifications();
        self.check_overrides();
        self.warn_unused(&nodes);
        Some(Scenario {
            name: name?,
            source_hash: self.source_hash(),
            nodes,
            functions,
            deployments,
            teardowns,
            wait,
            gates,
            attacks,
            report,
            expectations,
            notifications,
        })
    }

    /// The names of every declaration `name_of` picks, in source order, each once.
    fn declared(&self, name_of: impl Fn(&Item) -> Option<&Ident>) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for item in self.items() {
            if let Some(name) = name_of(&item.node) {
                if !names.contains(&name.node.as_str()) {
                    names.push(name.node.as_str());
                }
            }
        }
        names
    }

    /// A file that names a scenario is meant to run; without attacks, a run would send nothing.
    /// (A file without `scenario` and without attacks only shares declarations with others.)
    fn warn_no_attacks(&self) {
        if self.items().any(|i| matches!(i.node, Item::Attack(_))) {
            return;
        }
        let Some(root) = self.files.first() else { return };
        if root.ast.items.is_empty() {
            let name = &self.sources.get(root.id).name;
            self.push(
                Diagnostic::error(Code::NoAttacks, format!("`{name}` declares nothing"))
                    .with_path(name.clone())
                    .help("a scenario declares at least a node and an attack: `node edge { url \"http://127.0.0.1:8080\" }` and `attack spike on edge { ... }`"),
            );
            return;
        }
        for item in &root.ast.items {
            if let Item::Scenario(name) = &item.node {
                self.push(
                    Diagnostic::warning(Code::NoAttacks, "this scenario declares no attack")
                        .label(name.span, "runs no load")
                        .help("add `attack NAME on NODE { ... }`; a file that only shares nodes should not name a scenario"),
                );
            }
        }
    }

    fn source_hash(&self) -> String {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        for file in self.files {
            hasher.update(self.sources.get(file.id).text.as_bytes());
        }
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn scenario_name(&self, fallback: &str) -> Option<String> {
        let mut first: Option<Span> = None;
        let mut name = Some(fallback.to_string());
        for item in self.files.first()?.ast.items.iter() {
            if let Item::Scenario(s) = &item.node {
                if let Some(previous) = first {
                    self.push(
                        Diagnostic::error(Code::DuplicateProperty, "the scenario is named twice")
                            .label(previous, "first named here")
                            .label(item.span, "named again here")
                            .help("keep one `scenario \"...\"` line"),
                    );
                    continue;
                }
                first = Some(item.span);
                name = self.string(s);
                if let Some(n) = &name {
                    if n.trim().is_empty() || n.contains(['/', '\\', '\0']) || n == "." || n == ".." {
                        self.push(
                            Diagnostic::error(Code::Conflict, format!("`{n}` cannot name a scenario"))
                                .label(s.span, "used as a folder name under runs/")
                                .help("use letters, digits, `-`, `_` and spaces; no slashes"),
                        );
                        name = None;
                    }
                }
            }
        }
        name
    }

    fn warn_unused(&self, nodes: &[Node]) {
        for (name, var) in &self.lets {
            if !self.used_vars.borrow().contains(name) && self.files.first().is_some_and(|f| f.id == var.span.file) {
                self.push(
                    Diagnostic::warning(Code::Unused, format!("variable `{name}` is never used"))
                        .label(var.span, "declared here")
                        .help(format!("use it as `${{{name}}}` or remove it")),
                );
            }
        }
        if !self.items().any(|i| matches!(i.node, Item::Attack(_))) {
            return; // A file of shared nodes, not a scenario.
        }
        // Uses are read from the declarations as written, valid or not: a node named by a broken
        // attack is not "never used" (the attack's own error says what is wrong).
        let mut used: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for item in self.items() {
            match &item.node {
                Item::Attack(decl) => used.extend(decl.nodes.iter().map(|n| n.node.as_str())),
                Item::Health(decl) => used.extend(decl.nodes.iter().map(|n| n.node.as_str())),
                Item::Deploy(decl) | Item::Teardown(decl) => used.extend(decl.nodes.iter().map(|n| n.node.as_str())),
                Item::Node(decl) => {
                    for node_item in &decl.items {
                        let ast::NodeItem::Demo(demo) = &node_item.node else { continue };
                        for demo_item in demo {
                            if let ast::DemoItem::ForwardTo(names) = &demo_item.node {
                                used.extend(names.iter().map(|n| n.node.as_str()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        // Nodes of an imported file are shared with other scenarios: only the root file's warn.
        let root = self.files.first().map(|f| f.id);
        for item in self.items().filter(|i| Some(i.span.file) == root) {
            let Item::Node(decl) = &item.node else { continue };
            let name = decl.name.node.as_str();
            // Nodes of imported files are shared by several scenarios: this one need not use them all.
            let in_root = self.files.first().is_some_and(|f| f.id == decl.name.span.file);
            if !used.contains(&name) && in_root && nodes.iter().any(|n| n.name == name) {
                self.push(
                    Diagnostic::warning(Code::Unused, format!("node `{name}` is never used"))
                        .label(decl.name.span, "declared here")
                        .help("target it from an attack (`attack NAME on NODE`), gate it with `health`, or remove it"),
                );
            }
        }
    }
}
