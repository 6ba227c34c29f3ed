//! Checking `health` gates: the probe request, the expected status, body and JSON fields, and
//! the retry policy.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::StatusSet;
use crate::model::*;
use crate::parser::ast::{self, Item};
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;
use std::time::Duration;

impl Checker<'_> {
    pub(super) fn gates(&self, node_names: &[&str]) -> Vec<HealthGate> {
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

    pub(super) fn gate(&self, decl: &ast::HealthDecl) -> Option<HealthGate> {
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

    pub(super) fn gate_request(&self, req: &ast::RequestDecl, gate: &mut HealthGate) -> bool {
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

    pub(super) fn json_value(&self, value: &Spanned<ast::JsonValue>) -> Option<serde_json::Value> {
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
}
