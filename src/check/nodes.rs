//! Checking `node` declarations: base URLs, headers, the embedded demo target's settings,
//! forwarding between demo nodes, and OpenFaaS gateway credentials.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::Percent;
use crate::model::*;
use crate::parser::ast::{self, Item};
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;
use std::time::Duration;

impl Checker<'_> {
    pub(super) fn nodes(&self) -> Vec<Node> {
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

    pub(super) fn node(&self, decl: &ast::NodeDecl) -> Option<Node> {
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

    pub(super) fn demo(&self, items: &[Spanned<ast::DemoItem>]) -> Option<DemoSpec> {
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
    pub(super) fn check_forwarding(&self, node_names: &[&str]) {
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

    pub(super) fn gateway(&self, items: &[Spanned<ast::GatewayItem>]) -> Option<Gateway> {
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
}
