//! The checking pass over attacks: each attack's items (target node, client options, recorded
//! headers, success rule) and its parts, whose load model (`attack_load.rs`), request
//! (`attack_request.rs`) and `after` graph (`attack_after.rs`) are checked beside it.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::{self, Rate, StatusSet};
use crate::model::*;
use crate::parser::ast::{self, AttackItem, Item};
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Names that mean something else where attacks are referenced.
pub const RESERVED_NAMES: &[&str] = &["all", "health"];
/// The longest attack accepted.
pub const MAX_ATTACK_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 10_000;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What an attack item says, before the load model is decided.
#[derive(Default)]
pub(super) struct Parts {
    pub(super) duration: Option<(Span, Duration)>,
    pub(super) rate: Option<(Span, Rate)>,
    pub(super) stages: Option<(Span, Vec<Stage>)>,
    pub(super) workers: Option<(Span, u32)>,
    pub(super) request: Option<(Span, RequestSource)>,
}

impl Checker<'_> {
    pub(super) fn attacks(&self, node_names: &[&str]) -> Vec<Attack> {
        let decls: Vec<&ast::AttackDecl> = self
            .items()
            .filter_map(|i| match &i.node {
                Item::Attack(a) => Some(a),
                _ => None,
            })
            .collect();
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        let mut unique = Vec::new();
        for decl in &decls {
            if RESERVED_NAMES.contains(&decl.name.node.as_str()) {
                self.push(
                    Diagnostic::error(Code::ReservedName, format!("`{}` cannot name an attack", decl.name.node))
                        .label(decl.name.span, "reserved")
                        .help("`all` means every attack in `expect`, `health` means the gates in `after`; pick another name"),
                );
                continue;
            }
            if let Some(first) = seen.get(decl.name.node.as_str()) {
                self.duplicate("attack", &decl.name.node, *first, decl.name.span);
                continue;
            }
            seen.insert(&decl.name.node, decl.name.span);
            unique.push(*decl);
        }
        // What `after` may name: the attacks and the health gates.
        let steps: Vec<&str> = unique.iter().map(|d| d.name.node.as_str()).chain(["health"]).collect();
        let attacks: Vec<Attack> = unique.iter().filter_map(|d| self.attack(d, node_names, &steps)).collect();
        self.check_after_cycles(&unique);
        attacks
    }

    fn attack(&self, decl: &ast::AttackDecl, node_names: &[&str], steps: &[&str]) -> Option<Attack> {
        // Every node is checked (no short-circuit): each unknown one is reported.
        let known_nodes = decl.nodes.iter().filter(|n| self.known(n, node_names, "node", Code::UnknownNode)).count();
        let mut ok = known_nodes == decl.nodes.len();
        let mut seen = BTreeMap::new();
        let mut parts = Parts::default();
        let mut attack = Attack {
            name: decl.name.node.clone(),
            nodes: decl.nodes.iter().map(|n| n.node.clone()).collect(),
            after: Vec::new(),
            delay: Duration::ZERO,
            load: Load::Open { profile: RateProfile::default() },
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            timeout: DEFAULT_TIMEOUT,
            connections: None,
            keep_alive: true,
            http2: false,
            insecure: false,
            success: StatusSet::range(200, 399),
            record_headers: Vec::new(),
            record_body: None,
            request: RequestSource::Targets { path: PathBuf::new() },
        };
        for item in &decl.items {
            let span = item.span;
            let good = match &item.node {
                AttackItem::After(names) => {
                    let mut good = true;
                    for n in names {
                        if n.node == "health" {
                            continue; // Attacks always start after the gates; `after health` says so.
                        }
                        if n.node == decl.name.node {
                            self.push(
                                Diagnostic::error(
                                    Code::AfterCycle,
                                    format!("attack `{}` cannot start after itself", n.node),
                                )
                                .label(n.span, "refers to its own attack")
                                .help("name another attack, or use `delay` to start later"),
                            );
                            good = false;
                        } else if self.known(n, steps, "attack", Code::UnknownStep) {
                            if !attack.after.contains(&n.node) {
                                attack.after.push(n.node.clone());
                            }
                        } else {
                            good = false;
                        }
                    }
                    good
                }
                AttackItem::Delay(d) => {
                    self.once(&mut seen, "delay", span) && self.duration(d).map(|d| attack.delay = d).is_some()
                }
                AttackItem::Duration(d) => {
                    self.once(&mut seen, "duration", span)
                        && self.positive_duration(d, "`duration`").map(|d| parts.duration = Some((span, d))).is_some()
                }
                AttackItem::Rate(r) => {
                    self.once(&mut seen, "rate", span)
                        && self.positive_rate(r, "`rate`").map(|r| parts.rate = Some((span, r))).is_some()
                }
                AttackItem::Stages(stages) => {
                    self.once(&mut seen, "stages", span)
                        && self.stages(span, stages).map(|s| parts.stages = Some((span, s))).is_some()
                }
                AttackItem::Workers(n) => {
                    self.once(&mut seen, "workers", span)
                        && self
                            .count(n, "`workers`", 1, 100_000)
                            .map(|n| parts.workers = Some((span, n as u32)))
                            .is_some()
                }
                AttackItem::MaxInFlight(n) => {
                    self.once(&mut seen, "max-in-flight", span)
                        && self
                            .count(n, "`max-in-flight`", 1, 1_000_000)
                            .map(|n| attack.max_in_flight = n as u32)
                            .is_some()
                }
                AttackItem::Timeout(d) => {
                    self.once(&mut seen, "timeout", span)
                        && self.positive_duration(d, "`timeout`").map(|d| attack.timeout = d).is_some()
                }
                AttackItem::Connections(n) => {
                    self.once(&mut seen, "connections", span)
                        && self
                            .count(n, "`connections`", 1, 1_000_000)
                            .map(|n| attack.connections = Some(n as u32))
                            .is_some()
                }
                AttackItem::KeepAlive(on) => {
                    self.once(&mut seen, "keep-alive", span) && {
                        attack.keep_alive = on.node;
                        true
                    }
                }
                AttackItem::Http2 => {
                    self.once(&mut seen, "http2", span) && {
                        attack.http2 = true;
                        true
                    }
                }
                AttackItem::Insecure => {
                    self.once(&mut seen, "insecure", span) && {
                        attack.insecure = true;
                        true
                    }
                }
                AttackItem::Success(list) => {
                    self.once(&mut seen, "success", span) && self.status_set(list).map(|s| attack.success = s).is_some()
                }
                AttackItem::RecordHeader(h) => self.record_header(h, &mut attack.record_headers),
                AttackItem::RecordBody(size) => {
                    self.once(&mut seen, "record body", span)
                        && match size {
                            Some(s) => self.size(s).map(|s| attack.record_body = Some(s)).is_some(),
                            None => {
                                attack.record_body = Some(units::Size { bytes: 64 * 1024 });
                                true
                            }
                        }
                }
                AttackItem::Request(req) => {
                    self.request_or_targets(&mut seen, &mut parts, span, || self.request(req, decl))
                }
                AttackItem::Targets(path) => self.request_or_targets(&mut seen, &mut parts, span, || {
                    self.existing_file(path, "targets file").map(|path| RequestSource::Targets { path })
                }),
            };
            ok &= good;
        }
        match self.load(decl, &parts, &seen) {
            Some(load) => attack.load = load,
            None => ok = false,
        }
        match parts.request {
            Some((_, request)) => attack.request = request,
            None => {
                if !seen.contains_key("request") {
                    self.push(
                        Diagnostic::error(Code::MissingProperty, format!("attack `{}` has no request", decl.name.node))
                            .label(decl.name.span, "declared here")
                            .help("add `request GET \"/path\"`, or `targets \"file\"` for a vegeta targets file"),
                    );
                }
                ok = false;
            }
        }
        if let (true, false, Some(off), Some(http2)) =
            (attack.http2, attack.keep_alive, seen.get("keep-alive"), seen.get("http2"))
        {
            self.push(
                Diagnostic::error(Code::Conflict, "`http2` needs `keep-alive on`")
                    .label(*off, "keep-alive is off")
                    .label(*http2, "HTTP/2 asked here")
                    .help("HTTP/2 multiplexes requests on kept-alive connections; remove one of the two"),
            );
            ok = false;
        }
        ok.then_some(attack)
    }

    fn record_header(&self, h: &Spanned<ast::Str>, headers: &mut Vec<String>) -> bool {
        let Some(name) = self.string(h) else { return false };
        let kv = ast::KeyValue {
            key: h.clone(),
            value: Spanned::new(h.span, ast::Str { raw: "\"\"".into(), parts: vec![] }),
        };
        if self.header(&kv).is_none() {
            return false;
        }
        if headers.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            self.push(
                Diagnostic::error(Code::DuplicateProperty, format!("header `{name}` is recorded twice"))
                    .label(h.span, "again here")
                    .help("record each header once"),
            );
            return false;
        }
        headers.push(name);
        true
    }

    fn request_or_targets(
        &self,
        seen: &mut BTreeMap<&'static str, Span>,
        parts: &mut Parts,
        span: Span,
        build: impl FnOnce() -> Option<RequestSource>,
    ) -> bool {
        if let Some(first) = seen.get("request") {
            self.push(
                Diagnostic::error(Code::Conflict, "an attack sends one kind of request")
                    .label(self.keyword(*first).0, "first request here")
                    .label(self.keyword(span).0, "another one here")
                    .help("keep one `request` or one `targets` file; use several attacks for several requests"),
            );
            return false;
        }
        seen.insert("request", span);
        match build() {
            Some(r) => {
                parts.request = Some((span, r));
                true
            }
            None => false,
        }
    }
}
