//! The checking pass over top-level declarations: scenario name, nodes, functions, deployments,
//! waits and health gates, plus the shared helpers for duplicates, names, URLs and headers.

use super::Checker;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::units::{Percent, StatusSet};
use crate::model::*;
use crate::parser::ast::{self, Ident, Item, KeyValue};
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;
use std::time::Duration;

/// Known HTTP methods (others are refused with a suggestion).
pub const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"];

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

    /// Reports a name declared twice, pointing at both declarations.
    pub(super) fn duplicate(&self, kind: &str, name: &str, first: Span, second: Span) {
        let mut d = Diagnostic::error(Code::Duplicate, format!("{kind} `{name}` is declared twice"));
        if first.file == second.file {
            d = d.label(first, "first declared here").label(second, "declared again here");
            d = d.help(format!("rename one of them or remove the second {kind}"));
        } else {
            // Across files: point at the second declaration; the first is a label in its own file
            // (shown as a location in the help line by the terminal rendering).
            d = d.label(second, "declared again here").label(first, "first declared here");
            d = d.help(format!("rename one of them, or remove one ({kind} names are shared by imported files)"));
        }
        self.push(d);
    }

    /// Returns `true` the first time a property is seen in a block; reports the repeats.
    pub(super) fn once(&self, seen: &mut BTreeMap<&'static str, Span>, what: &'static str, span: Span) -> bool {
        if let Some(first) = seen.get(what) {
            self.push(
                Diagnostic::error(Code::DuplicateProperty, format!("`{what}` is set twice"))
                    .label(*first, "first set here")
                    .label(span, "set again here")
                    .help(format!("keep one `{what}`")),
            );
            return false;
        }
        seen.insert(what, span);
        true
    }

    /// Checks that a referenced name is known.
    pub(super) fn known(&self, ident: &Ident, known: &[&str], kind: &str, code: Code) -> bool {
        if known.contains(&ident.node.as_str()) {
            return true;
        }
        self.push(
            Diagnostic::error(code, format!("unknown {kind} `{}`", ident.node))
                .label(ident.span, format!("no {kind} has this name"))
                .help(suggest(&ident.node, known.iter().copied())),
        );
        false
    }

    /// An absolute http(s) URL.
    pub(super) fn url(&self, s: &Spanned<ast::Str>) -> Option<url::Url> {
        let text = self.string(s)?;
        match url::Url::parse(text.trim()) {
            Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Some(u),
            Ok(u) => {
                self.push(
                    Diagnostic::error(
                        Code::BadUrl,
                        format!("`{text}` is not an http(s) URL (scheme `{}`)", u.scheme()),
                    )
                    .label(s.span, format!("scheme `{}`", u.scheme()))
                    .help("write it like \"http://127.0.0.1:8080\""),
                );
                None
            }
            Err(e) => {
                self.push(
                    Diagnostic::error(Code::BadUrl, format!("`{text}` is not a valid URL: {e}"))
                        .label(s.span, "not a URL")
                        .help("write it like \"http://127.0.0.1:8080\" (scheme, host and optional port)"),
                );
                None
            }
        }
    }

    /// A header (or label) name and value; names are HTTP tokens, values have no line breaks.
    pub(super) fn header(&self, kv: &KeyValue) -> Option<Header> {
        let name = self.string(&kv.key)?;
        let value = self.string(&kv.value)?;
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() {
            self.push(
                Diagnostic::error(Code::BadHeader, "empty header name")
                    .label(kv.key.span, "empty")
                    .help("give the header a name, like \"Content-Type\""),
            );
            return None;
        }
        if !name.chars().all(token) {
            self.push(
                Diagnostic::error(Code::BadHeader, format!("`{name}` is not a valid header name"))
                    .label(kv.key.span, "not a header name")
                    .help("header names are letters, digits and `-` (like \"Content-Type\"); no spaces or `:`"),
            );
            return None;
        }
        if value.contains(['\r', '\n', '\0']) {
            self.push(
                Diagnostic::error(Code::BadHeader, format!("the value of header `{name}` contains a line break"))
                    .label(kv.value.span, "line break")
                    .help("header values are one line; remove `\\n` and `\\r`"),
            );
            return None;
        }
        Some(Header { name, value })
    }

    /// A label or environment pair: any non-empty key.
    fn pair(&self, kv: &KeyValue, what: &str) -> Option<Header> {
        let name = self.string(&kv.key)?;
        let value = self.string(&kv.value)?;
        if name.trim().is_empty() {
            self.push(
                Diagnostic::error(Code::BadHeader, format!("empty {what} name"))
                    .label(kv.key.span, "empty")
                    .help(format!("give the {what} a name")),
            );
            return None;
        }
        Some(Header { name, value })
    }

    pub(super) fn method(&self, ident: &Ident) -> Option<String> {
        if METHODS.contains(&ident.node.as_str()) {
            return Some(ident.node.clone());
        }
        let upper = ident.node.to_ascii_uppercase();
        let help = if METHODS.contains(&upper.as_str()) {
            format!("methods are written in capitals: `{upper}`")
        } else {
            suggest(&upper, METHODS.iter().copied())
        };
        self.push(
            Diagnostic::error(Code::UnknownMethod, format!("unknown HTTP method `{}`", ident.node))
                .label(ident.span, "not an HTTP method")
                .help(help),
        );
        None
    }

    fn nodes(&self) -> Vec<Node> {
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut nodes = Vec::new();
        for item in self.items() {
            let Item::Node(decl) = &item.node else { continue };
            if let Some(first) = seen.get(decl.name.node.as_str()) {
                self.duplicate("node", &decl.name.node, *first, decl.name.span);
                continue;
            }
            seen.insert(&decl.name.node, decl.name.span);
            if let Some(node) = self.node(decl) {
                nodes.push(node);
            }
        }
        nodes
    }

    fn node(&self, decl: &ast::NodeDecl) -> Option<Node> {
        let mut seen = BTreeMap::new();
        let mut node = Node { name: decl.name.node.clone(), url: None, headers: Vec::new(), demo: None, gateway: None };
        let mut ok = true;
        for item in &decl.items {
            match &item.node {
                ast::NodeItem::Url(u) => {
                    if self.once(&mut seen, "url", item.span) {
                        node.url = self.url(u);
                        ok &= node.url.is_some();
                    }
                }
                ast::NodeItem::Header(kv) => match self.header(kv) {
                    Some(h) => node.headers.push(h),
                    None => ok = false,
                },
                ast::NodeItem::Demo(items) => {
                    if self.once(&mut seen, "embedded demo", item.span) {
                        node.demo = self.demo(items);
                        ok &= node.demo.is_some();
                    }
                }
                ast::NodeItem::Gateway(items) => {
                    if self.once(&mut seen, "gateway", item.span) {
                        node.gateway = self.gateway(items);
                        ok &= node.gateway.is_some();
                    }
                }
            }
        }
        if !seen.contains_key("url") && !seen.contains_key("embedded demo") {
            self.push(
                Diagnostic::error(Code::MissingProperty, format!("node `{}` has no `url`", decl.name.node))
                    .label(decl.name.span, "declared here")
                    .help("add `url \"http://127.0.0.1:8080\"`, or `embedded demo` to serve a local demo node"),
            );
            ok = false;
        }
        ok.then_some(node)
    }

    fn demo(&self, items: &[Spanned<ast::DemoItem>]) -> Option<DemoSpec> {
        let mut seen = BTreeMap::new();
        let mut spec = DemoSpec {
            latency_min: Duration::from_millis(1),
            latency_max: Duration::from_millis(5),
            error_rate: Percent::from_ppm(0),
            max_rate: None,
            forward_to: Vec::new(),
            server: None,
        };
        let mut ok = true;
        for item in items {
            match &item.node {
                ast::DemoItem::Latency(low, high) => {
                    if !self.once(&mut seen, "latency", item.span) {
                        continue;
                    }
                    let lo = self.duration(low);
                    let hi = match high {
                        Some(h) => self.duration(h),
                        None => lo,
                    };
                    match (lo, hi) {
                        (Some(lo), Some(hi)) if lo <= hi => (spec.latency_min, spec.latency_max) = (lo, hi),
                        (Some(_), Some(_)) => {
                            self.push(
                                Diagnostic::error(Code::InvalidDuration, "the latency range is reversed")
                                    .label(item.span, "minimum above maximum")
                                    .help("write the shorter latency first: `latency 5ms..20ms`"),
                            );
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                ast::DemoItem::Errors(p) => {
                    if self.once(&mut seen, "errors", item.span) {
                        match self.share(p) {
                            Some(p) => spec.error_rate = p,
                            None => ok = false,
                        }
                    }
                }
                ast::DemoItem::MaxRate(r) => {
                    if self.once(&mut seen, "max-rate", item.span) {
                        spec.max_rate = self.positive_rate(r, "`max-rate`");
                        ok &= spec.max_rate.is_some();
                    }
                }
                ast::DemoItem::ForwardTo(names) => {
                    if self.once(&mut seen, "forward-to", item.span) {
                        spec.forward_to = names.iter().map(|n| n.node.clone()).collect();
                    }
                }
                ast::DemoItem::Server(s) => {
                    if self.once(&mut seen, "server", item.span) {
                        spec.server = self.string(s);
                        ok &= spec.server.is_some();
                    }
                }
            }
        }
        ok.then_some(spec)
    }

    /// `forward-to` names must be declared nodes other than the node itself.
    fn check_forwarding(&self, node_names: &[&str]) {
        for item in self.items() {
            let Item::Node(decl) = &item.node else { continue };
            for node_item in &decl.items {
                let ast::NodeItem::Demo(demo) = &node_item.node else { continue };
                for demo_item in demo {
                    let ast::DemoItem::ForwardTo(names) = &demo_item.node else { continue };
                    for name in names {
                        if name.node == decl.name.node {
                            self.push(
                                Diagnostic::error(Code::Conflict, format!("node `{}` forwards to itself", name.node))
                                    .label(name.span, "the node itself")
                                    .help("list the peer nodes that take over its excess load"),
                            );
                        } else {
                            self.known(name, node_names, "node", Code::UnknownNode);
                        }
                    }
                }
            }
        }
    }

    fn gateway(&self, items: &[Spanned<ast::GatewayItem>]) -> Option<Gateway> {
        let mut seen = BTreeMap::new();
        let mut gateway = Gateway { url: None, user: None, password: None };
        let mut ok = true;
        for item in items {
            match &item.node {
                ast::GatewayItem::Url(u) => {
                    if self.once(&mut seen, "url", item.span) {
                        gateway.url = self.url(u);
                        ok &= gateway.url.is_some();
                    }
                }
                ast::GatewayItem::User(u) => {
                    if self.once(&mut seen, "user", item.span) {
                        gateway.user = self.string(u);
                        ok &= gateway.user.is_some();
                    }
                }
                ast::GatewayItem::Password(p) => {
                    if self.once(&mut seen, "password", item.span) {
                        gateway.password = self.string(p).map(Secret);
                        ok &= gateway.password.is_some();
                    }
                }
            }
        }
        ok.then_some(gateway)
    }

    fn functions(&self) -> Vec<Function> {
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

    fn deployments(
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

    fn wait(&self) -> Option<Duration> {
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

    fn gates(&self, node_names: &[&str]) -> Vec<HealthGate> {
        let mut seen_nodes: BTreeMap<String, Span> = BTreeMap::new();
        let mut gates = Vec::new();
        for item in self.items() {
            let Item::Health(decl) = &item.node else { continue };
            let Some(template) = self.gate(decl) else { continue };
            for n in &decl.nodes {
                if !self.known(n, node_names, "node", Code::UnknownNode) {
                    continue;
                }
                if let Some(first) = seen_nodes.get(&n.node) {
                    self.duplicate("health gate for node", &n.node, *first, n.span);
                    continue;
                }
                seen_nodes.insert(n.node.clone(), n.span);
                gates.push(HealthGate { node: n.node.clone(), ..template.clone() });
            }
        }
        gates
    }

    fn gate(&self, decl: &ast::HealthDecl) -> Option<HealthGate> {
        let mut seen = BTreeMap::new();
        let mut gate = HealthGate {
            node: String::new(),
            method: "GET".into(),
            path: "/healthz".into(),
            headers: Vec::new(),
            expect_status: StatusSet::range(200, 200),
            expect_body: None,
            expect_json: Vec::new(),
            every: Duration::from_secs(1),
            within: Duration::from_secs(60),
            consecutive: 1,
            tries: None,
            timeout: Duration::from_secs(5),
        };
        let mut ok = true;
        for item in &decl.items {
            let good = match &item.node {
                ast::HealthItem::Request(req) => {
                    if !self.once(&mut seen, "request", item.span) {
                        continue;
                    }
                    self.gate_request(req, &mut gate)
                }
                ast::HealthItem::ExpectStatus(list) => {
                    self.once(&mut seen, "expect status", item.span)
                        && self.status_set(list).map(|s| gate.expect_status = s).is_some()
                }
                ast::HealthItem::ExpectBody(op, value) => {
                    if !self.once(&mut seen, "expect body", item.span) {
                        continue;
                    }
                    let Some(text) = self.string(value) else { continue };
                    if op.node == ast::BodyOp::Matches {
                        if let Err(e) = regex::Regex::new(&text) {
                            self.push(
                                Diagnostic::error(Code::BadRegex, "invalid regular expression")
                                    .label(value.span, e.to_string().lines().last().unwrap_or("invalid").to_string())
                                    .help("see https://docs.rs/regex for the syntax; use `contains` for plain text"),
                            );
                            ok = false;
                            continue;
                        }
                    }
                    gate.expect_body = Some(BodyCheck { op: op.node, value: text });
                    true
                }
                ast::HealthItem::ExpectJson(path, op, value) => match (self.string(path), self.json_value(value)) {
                    (Some(p), Some(v)) => {
                        gate.expect_json.push(JsonCheck { path: p, op: op.node, value: v });
                        true
                    }
                    _ => false,
                },
                ast::HealthItem::Every(d) => {
                    self.once(&mut seen, "every", item.span)
                        && self.positive_duration(d, "`every`").map(|d| gate.every = d).is_some()
                }
                ast::HealthItem::Within(d) => {
                    self.once(&mut seen, "within", item.span)
                        && self.positive_duration(d, "`within`").map(|d| gate.within = d).is_some()
                }
                ast::HealthItem::Consecutive(n) => {
                    self.once(&mut seen, "consecutive", item.span)
                        && self.count(n, "`consecutive`", 1, 1000).map(|n| gate.consecutive = n as u32).is_some()
                }
                ast::HealthItem::Tries(n) => {
                    self.once(&mut seen, "tries", item.span)
                        && self.count(n, "`tries`", 1, 100_000).map(|n| gate.tries = Some(n as u32)).is_some()
                }
                ast::HealthItem::Timeout(d) => {
                    self.once(&mut seen, "timeout", item.span)
                        && self.positive_duration(d, "`timeout`").map(|d| gate.timeout = d).is_some()
                }
            };
            ok &= good;
        }
        if let Some(tries) = gate.tries {
            self.fit_tries(&mut gate, tries, &seen);
        }
        ok = ok && self.can_pass(&gate, &seen);
        ok.then_some(gate)
    }

    fn gate_request(&self, req: &ast::RequestDecl, gate: &mut HealthGate) -> bool {
        let mut ok = true;
        match self.method(&req.method) {
            Some(m) => gate.method = m,
            None => ok = false,
        }
        match self.string(&req.target) {
            Some(path) if path.starts_with('/') => gate.path = path,
            Some(path) => {
                self.push(
                    Diagnostic::error(Code::BadUrl, format!("a health probe takes a path on the node, not `{path}`"))
                        .label(req.target.span, "expected a path starting with `/`")
                        .help("write the path only, like \"/healthz\"; the node's `url` gives the host"),
                );
                ok = false;
            }
            None => ok = false,
        }
        for item in &req.items {
            match &item.node {
                ast::RequestItem::Header(kv) => match self.header(kv) {
                    Some(h) => gate.headers.push(h),
                    None => ok = false,
                },
                _ => {
                    self.push(
                        Diagnostic::error(Code::Conflict, "health probes send headers only")
                            .label(item.span, "not allowed in a health gate")
                            .help("remove the body or feeder; a probe is a plain request"),
                    );
                    ok = false;
                }
            }
        }
        ok
    }

    fn json_value(&self, value: &Spanned<ast::JsonValue>) -> Option<serde_json::Value> {
        match &value.node {
            ast::JsonValue::Str(s) => self.string(&Spanned::new(value.span, s.clone())).map(serde_json::Value::String),
            ast::JsonValue::Bool(b) => Some(serde_json::Value::Bool(*b)),
            ast::JsonValue::Null => Some(serde_json::Value::Null),
            ast::JsonValue::Number(n) => match serde_json::from_str::<serde_json::Number>(&n.replace('_', "")) {
                Ok(num) => Some(serde_json::Value::Number(num)),
                Err(_) => {
                    self.push(
                        Diagnostic::error(Code::InvalidNumber, format!("`{n}` is not a JSON number"))
                            .label(value.span, "not a number")
                            .help("write a number like `3` or `0.5`"),
                    );
                    None
                }
            },
        }
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
