//! The operator's configuration, typed: nodes, functions and their deployment, the wait, the
//! attacks and the flags, built from an env file with every problem reported on its entry.

use super::env_file::EnvFile;
use super::lists::{split, Detected};
use super::values::{self, Address, EntryRef};
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::span::Spanned;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct OperatorNode {
    /// `node1`, `node2`, ... in `NODES` order.
    pub name: String,
    /// `DFAAS_NODE_1`, ...: the variable that overrides the node's URL.
    pub url_variable: String,
    pub address: Address,
}

#[derive(Debug, Clone)]
pub struct OperatorFunction {
    pub name: String,
    pub image: String,
}

/// Where an attack sends its requests.
#[derive(Debug, Clone)]
pub enum AttackTarget {
    /// A node of `NODES` (index) and the path on it.
    Node { node: usize, path: String },
    /// A host that is not in `NODES`: the absolute URL.
    Url(String),
}

#[derive(Debug, Clone)]
pub struct OperatorAttack {
    pub name: String,
    pub delay: Duration,
    pub duration: Duration,
    /// Requests per second.
    pub rate: u64,
    pub method: String,
    pub target: AttackTarget,
    pub body: String,
}

/// Everything the importer turns into a scenario.
#[derive(Debug, Clone)]
pub struct OperatorConfig {
    pub layout: Detected,
    pub nodes: Vec<OperatorNode>,
    /// The functions deployed or deleted (empty when neither happens).
    pub functions: Vec<OperatorFunction>,
    pub deploy: bool,
    /// `dfaas.maxrate` per (node, function), node-major, when `DEPLOY_MAXRATES=true`.
    pub limits: Option<Vec<u64>>,
    /// The wait after deploying (`WAIT_TIME`, only used when deploying, like the operator).
    pub wait: Option<Duration>,
    pub teardown: bool,
    pub test_mode: Option<bool>,
    pub skip_plots: Option<bool>,
    pub attacks: Vec<OperatorAttack>,
    /// Variables set in the file (with `=`), in file order, with their values for the output's
    /// table; the credentials' values are never kept (empty here).
    pub present: Vec<(String, String)>,
}

impl OperatorConfig {
    pub fn is_set(&self, name: &str) -> bool {
        self.present.iter().any(|(p, _)| p == name)
    }

    /// The value of a variable as the file sets it (never a credential's).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.present.iter().find(|(p, _)| p == name).map(|(_, v)| v.as_str())
    }
}

/// Builds the configuration; `None` when any error was found (all of them are in `diagnostics`).
pub fn build(
    file: &EnvFile,
    layout: Detected,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<OperatorConfig> {
    let mut b = Builder { file, layout: layout.clone(), path, diagnostics, errors: false };
    let nodes = b.nodes();
    let attacks = b.attacks(&nodes);
    let deploy = b.flag("DEPLOY_MODE").unwrap_or(false);
    let maxrates = b.flag("DEPLOY_MAXRATES").unwrap_or(false);
    let delete = b.flag("DELETE_FUNCTIONS").unwrap_or(false);
    let test_mode = b.flag("TEST_MODE");
    let skip_plots = b.flag("SKIP_PLOTS");
    let (functions, teardown) = b.functions(deploy, delete);
    let limits = match (deploy && maxrates, &nodes, &functions) {
        (true, Some(nodes), Some(functions)) => b.limits(nodes.len(), functions),
        _ => None,
    };
    let wait = if deploy { b.wait() } else { None };
    if let Some(value) = file.value("TEST_MODE").filter(|v| v.node == "false") {
        {
            b.push(
                Diagnostic::warning(Code::NotImported, "`TEST_MODE=false`: the attacks are imported anyway")
                    .label(value.span, "the operator would only deploy, without attacks nor teardown")
                    .help("dfaas-run runs a scenario's attacks whenever it runs the scenario; write `TEST_MODE=true` to import without this warning"),
            );
        }
    }
    if b.errors {
        return None;
    }
    let mut present: Vec<(String, String)> = Vec::new();
    for entry in &file.entries {
        let (Some(value), false) = (file.value(&entry.name.node), present.iter().any(|(p, _)| *p == entry.name.node))
        else {
            continue;
        };
        let shown = if super::variables::CREDENTIALS.contains(&entry.name.node.as_str()) { "" } else { &value.node };
        present.push((entry.name.node.clone(), shown.to_string()));
    }
    Some(OperatorConfig {
        layout,
        nodes: nodes?,
        functions: functions.unwrap_or_default(),
        deploy,
        limits: if deploy && maxrates { limits } else { None },
        wait,
        teardown,
        test_mode,
        skip_plots,
        attacks: attacks?,
        present,
    })
}

pub(super) struct Builder<'a> {
    pub(super) file: &'a EnvFile,
    pub(super) layout: Detected,
    pub(super) path: &'a str,
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
    pub(super) errors: bool,
}

impl Builder<'_> {
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.errors |= d.is_error();
        self.diagnostics.push(d);
    }

    pub(super) fn sep(&self) -> char {
        self.layout.separator.char()
    }

    /// The entries of a list variable, or an error naming it when it is missing.
    pub(super) fn list(&mut self, name: &str, help: &str) -> Option<(Spanned<String>, Vec<Spanned<String>>)> {
        match self.file.value(name) {
            Some(value) => Some((value.clone(), split(value, self.layout.separator))),
            None => {
                let d = Diagnostic::error(Code::MissingProperty, format!("`{name}` is not set"))
                    .help(format!("add `{name}=...`: {help}, separated by `{}`", self.sep()))
                    .with_path(self.path);
                self.push(d);
                None
            }
        }
    }

    fn flag(&mut self, name: &str) -> Option<bool> {
        let value = self.file.value(name)?;
        let (flag, warning) = values::boolean(name, value);
        if let Some(w) = warning {
            self.push(w);
        }
        Some(flag)
    }

    fn nodes(&mut self) -> Option<Vec<OperatorNode>> {
        let (value, entries) = self.list("NODES", "one address per node (`host` or `host:port`)")?;
        if entries.is_empty() {
            self.push(
                Diagnostic::error(Code::MissingProperty, "`NODES` is empty")
                    .label(value.span, "no node")
                    .help("list the nodes' addresses, like `NODES=127.0.0.2:127.0.0.3`"),
            );
            return None;
        }
        let mut nodes: Vec<(OperatorNode, Spanned<String>)> = Vec::new();
        let mut ok = true;
        for (i, entry) in entries.iter().enumerate() {
            let at = EntryRef { variable: "NODES", index: i, entry, owner: None };
            match values::node_address(at, self.sep()) {
                Ok(address) => {
                    if let Some((first, first_entry)) = nodes.iter().find(|(n, _)| n.address.same_as(&address)) {
                        let d = at
                            .error(
                                Code::Duplicate,
                                "is listed twice",
                                "each node once: its health gate, deploys and attacks are per node",
                            )
                            .label(first_entry.span, format!("already {}", first.name));
                        self.push(d);
                        ok = false;
                        continue;
                    }
                    let node = OperatorNode {
                        name: format!("node{}", i + 1),
                        url_variable: format!("DFAAS_NODE_{}", i + 1),
                        address,
                    };
                    nodes.push((node, entry.clone()));
                }
                Err(d) => {
                    self.push(d);
                    ok = false;
                }
            }
        }
        ok.then(|| nodes.into_iter().map(|(n, _)| n).collect())
    }

    /// The functions (when deploying or deleting) and whether the teardown can be imported.
    fn functions(&mut self, deploy: bool, delete: bool) -> (Option<Vec<OperatorFunction>>, bool) {
        if !deploy && !delete {
            return (Some(Vec::new()), false);
        }
        let why = if deploy { "DEPLOY_MODE=true" } else { "DELETE_FUNCTIONS=true" };
        let (names_value, name_entries) = match self.file.value("FUNCS_NAMES") {
            Some(v) => (v.clone(), split(v, self.layout.separator)),
            None => {
                let d = Diagnostic::error(Code::MissingProperty, format!("`{why}` but `FUNCS_NAMES` is not set"))
                    .help(format!("add `FUNCS_NAMES=...`: the functions' names, separated by `{}`", self.sep()))
                    .with_path(self.path);
                self.push(d);
                return (None, false);
            }
        };
        if !deploy && self.file.value("FUNCS_IMAGES").is_none() {
            let d = Diagnostic::warning(
                Code::NotImported,
                "`DELETE_FUNCTIONS=true` without `FUNCS_IMAGES`: no teardown imported",
            )
            .label(names_value.span, "these functions are not deleted at the end")
            .help("a scenario declares each function with its image; add FUNCS_IMAGES to import the teardown");
            self.push(d);
            return (Some(Vec::new()), false);
        }
        let (images_value, image_entries) = match self.list("FUNCS_IMAGES", "one image per function") {
            Some(found) => found,
            None => return (None, false),
        };
        let mut ok = true;
        let mut functions: Vec<OperatorFunction> = Vec::new();
        for (i, entry) in name_entries.iter().enumerate() {
            let at = EntryRef { variable: "FUNCS_NAMES", index: i, entry, owner: None };
            match values::name(at, "a function", &[]) {
                Ok(name) if functions.iter().any(|f| f.name == name) => {
                    self.push(at.error(Code::Duplicate, "names a function twice", "list each function once"));
                    ok = false;
                }
                Ok(name) => functions.push(OperatorFunction { name, image: String::new() }),
                Err(d) => {
                    self.push(d);
                    ok = false;
                }
            }
        }
        if image_entries.len() != name_entries.len() {
            let mut help =
                format!("one image per function, in the order of FUNCS_NAMES, separated by `{}`", self.sep());
            if self.sep() == ':' && image_entries.iter().any(|e| !e.node.contains('/')) {
                help.push_str("; an image tag (`name:tag`) cannot be written in a `:`-separated list");
            }
            let d = Diagnostic::error(
                Code::ListLength,
                format!(
                    "`FUNCS_IMAGES` has {} but `FUNCS_NAMES` names {}",
                    plural(image_entries.len(), "entry", "entries"),
                    plural(name_entries.len(), "function", "functions")
                ),
            )
            .label(images_value.span, plural(image_entries.len(), "image", "images"))
            .label(names_value.span, plural(name_entries.len(), "function", "functions"))
            .help(help);
            self.push(d);
            return (None, false);
        }
        for (i, (function, entry)) in functions.iter_mut().zip(&image_entries).enumerate() {
            if entry.node.trim().is_empty() || entry.node.contains(char::is_whitespace) {
                let at = EntryRef { variable: "FUNCS_IMAGES", index: i, entry, owner: None };
                self.push(at.error(
                    Code::MissingProperty,
                    "is not an image name",
                    "name a container image, like `ghcr.io/openfaas/figlet`",
                ));
                ok = false;
            }
            function.image = entry.node.clone();
        }
        (ok.then_some(functions), delete)
    }

    fn limits(&mut self, nodes: usize, functions: &[OperatorFunction]) -> Option<Vec<u64>> {
        let (value, entries) = self.list("FUNCS_LIMITS", "one `dfaas.maxrate` per node and function, node-major")?;
        let wanted = nodes * functions.len();
        if entries.len() != wanted {
            let d = Diagnostic::error(
                Code::ListLength,
                format!(
                    "`FUNCS_LIMITS` has {} but {} × {} need {wanted}",
                    plural(entries.len(), "entry", "entries"),
                    plural(nodes, "node", "nodes"),
                    plural(functions.len(), "function", "functions")
                ),
            )
            .label(value.span, plural(entries.len(), "limit", "limits"))
            .help("node-major: the limits of every function on the first node, then on the second, ...");
            self.push(d);
            return None;
        }
        let mut limits = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let owner = format!("`{}` on node{}", functions[i % functions.len()].name, i / functions.len() + 1);
            match values::limit(EntryRef { variable: "FUNCS_LIMITS", index: i, entry, owner: Some(&owner) }) {
                Ok(limit) => limits.push(limit),
                Err(d) => self.push(d),
            }
        }
        (limits.len() == wanted).then_some(limits)
    }

    fn wait(&mut self) -> Option<Duration> {
        let Some(value) = self.file.value("WAIT_TIME").cloned() else {
            let d = Diagnostic::warning(
                Code::NotImported,
                "`DEPLOY_MODE=true` without `WAIT_TIME`: no wait after deploying",
            )
            .help("the operator would run `sleep` without a value (which fails at once); add `WAIT_TIME=SECONDS`")
            .with_path(self.path);
            self.push(d);
            return None;
        };
        let entry = value.clone();
        match values::seconds(EntryRef { variable: "WAIT_TIME", index: 0, entry: &entry, owner: None }) {
            Ok(wait) => Some(wait),
            Err(mut d) => {
                d.message = d.message.replace("`WAIT_TIME` entry 1", "`WAIT_TIME`");
                self.push(d);
                None
            }
        }
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
