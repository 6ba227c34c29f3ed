//! Checking `function` declarations, the deployments they imply on each node, and the `wait`
//! before the gates.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::*;
use crate::parser::ast::{self, Ident, Item};
use crate::parser::span::Span;
use std::collections::BTreeMap;
use std::time::Duration;

impl Checker<'_> {
    pub(super) fn functions(&self) -> Vec<Function> {
        let mut seen_names: BTreeMap<&str, Span> = BTreeMap::new();
        let mut functions = Vec::new();
        for item in self.items() {
            let Item::Function(decl) = &item.node else { continue };
            if let Some(first) = seen_names.get(decl.name.node.as_str()) {
                self.duplicate("function", &decl.name.node, *first, decl.name.span);
                continue;
            }
            seen_names.insert(&decl.name.node, decl.name.span);
            let mut seen = BTreeMap::new();
            let mut function = Function {
                name: decl.name.node.clone(),
                service: decl.name.node.clone(),
                image: String::new(),
                labels: Vec::new(),
                env: Vec::new(),
            };
            let mut ok = true;
            for fi in &decl.items {
                match &fi.node {
                    ast::FunctionItem::Image(s) => {
                        if self.once(&mut seen, "image", fi.span) {
                            match self.string(s) {
                                Some(image) if !image.trim().is_empty() => function.image = image,
                                Some(_) => {
                                    self.push(
                                        Diagnostic::error(Code::MissingProperty, "empty image name")
                                            .label(s.span, "empty")
                                            .help("name a container image like \"ghcr.io/openfaas/figlet:latest\""),
                                    );
                                    ok = false;
                                }
                                None => ok = false,
                            }
                        }
                    }
                    ast::FunctionItem::Service(s) => {
                        if self.once(&mut seen, "service", fi.span) {
                            match self.string(s) {
                                Some(service) => function.service = service,
                                None => ok = false,
                            }
                        }
                    }
                    ast::FunctionItem::Label(kv) => match self.pair(kv, "label") {
                        Some(l) => function.labels.push(l),
                        None => ok = false,
                    },
                    ast::FunctionItem::Env(kv) => match self.pair(kv, "environment variable") {
                        Some(e) => function.env.push(e),
                        None => ok = false,
                    },
                }
            }
            if !seen.contains_key("image") {
                self.push(
                    Diagnostic::error(Code::MissingProperty, format!("function `{}` has no `image`", decl.name.node))
                        .label(decl.name.span, "declared here")
                        .help("add `image \"ghcr.io/openfaas/figlet:latest\"`"),
                );
                ok = false;
            }
            if ok {
                functions.push(function);
            }
        }
        functions
    }

    pub(super) fn deployments(
        &self,
        teardown: bool,
        node_names: &[&str],
        function_names: &[&str],
        functions: &[Function],
    ) -> Vec<Deployment> {
        let what = if teardown { "teardown" } else { "deployment" };
        let mut seen_pairs: BTreeMap<(String, String), Span> = BTreeMap::new();
        let mut out = Vec::new();
        for item in self.items() {
            let decl = match (&item.node, teardown) {
                (Item::Deploy(d), false) | (Item::Teardown(d), true) => d,
                _ => continue,
            };
            let mut seen = BTreeMap::new();
            let mut labels = Vec::new();
            let mut retries = if teardown { 3 } else { 10 };
            let mut every = Duration::from_secs(if teardown { 2 } else { 10 });
            let mut timeout = Duration::from_secs(30);
            for di in &decl.items {
                match &di.node {
                    ast::DeployItem::Label(kv) => labels.extend(self.pair(kv, "label")),
                    ast::DeployItem::Retries(n) => {
                        if self.once(&mut seen, "retries", di.span) {
                            retries = self.count(n, "`retries`", 0, 1000).unwrap_or(retries as u64) as u32;
                        }
                    }
                    ast::DeployItem::Every(d) => {
                        if self.once(&mut seen, "every", di.span) {
                            every = self.positive_duration(d, "`every`").unwrap_or(every);
                        }
                    }
                    ast::DeployItem::Timeout(d) => {
                        if self.once(&mut seen, "timeout", di.span) {
                            timeout = self.positive_duration(d, "`timeout`").unwrap_or(timeout);
                        }
                    }
                }
            }
            // Each name is checked once, then every known function goes to every known node.
            let known_functions: Vec<&Ident> = decl
                .functions
                .iter()
                .filter(|f| self.known(f, function_names, "function", Code::UnknownFunction))
                .collect();
            let known_nodes: Vec<&Ident> =
                decl.nodes.iter().filter(|n| self.known(n, node_names, "node", Code::UnknownNode)).collect();
            for f in known_functions {
                let function = functions.iter().find(|x| x.name == f.node);
                for n in &known_nodes {
                    let key = (f.node.clone(), n.node.clone());
                    if let Some(first) = seen_pairs.get(&key) {
                        let d = Diagnostic::error(
                            Code::Duplicate,
                            format!("function `{}` has two {what}s on node `{}`", f.node, n.node),
                        )
                        .label(n.span, "again here")
                        .label(*first, "first here");
                        self.push(d.help(format!("keep one {what} per function and node")));
                        continue;
                    }
                    seen_pairs.insert(key, n.span);
                    let mut merged = function.map(|f| f.labels.clone()).unwrap_or_default();
                    for label in &labels {
                        merged.retain(|l: &Header| l.name != label.name);
                        merged.push(label.clone());
                    }
                    out.push(Deployment {
                        function: f.node.clone(),
                        node: n.node.clone(),
                        labels: merged,
                        retries,
                        every,
                        timeout,
                    });
                }
            }
        }
        out
    }

    pub(super) fn wait(&self) -> Option<Duration> {
        let mut first: Option<Span> = None;
        let mut wait = None;
        for item in self.items() {
            let Item::Wait(d) = &item.node else { continue };
            if let Some(previous) = first {
                self.push(
                    Diagnostic::error(Code::DuplicateProperty, "`wait` is declared twice")
                        .label(previous, "first here")
                        .label(item.span, "again here")
                        .help("the wait runs once, between deployments and health gates; keep one"),
                );
                continue;
            }
            first = Some(item.span);
            wait = self.positive_duration(d, "`wait`");
        }
        wait
    }
}
