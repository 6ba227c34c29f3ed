//! The checking pass over attacks: load model (rate, stages, workers), request or targets file,
//! client options, and the `after` graph between attacks (unknown names, cycles).

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::units::{self, Rate, StatusSet};
use crate::model::*;
use crate::parser::ast::{self, AttackItem, Ident, Item};
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
struct Parts {
    duration: Option<(Span, Duration)>,
    rate: Option<(Span, Rate)>,
    stages: Option<(Span, Vec<Stage>)>,
    workers: Option<(Span, u32)>,
    request: Option<(Span, RequestSource)>,
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

    /// Decides the load model from `rate`/`duration`/`stages`/`workers`.
    fn load(&self, decl: &ast::AttackDecl, p: &Parts, seen: &BTreeMap<&'static str, Span>) -> Option<Load> {
        let conflict = |a: Span, b: Span, message: &str, help: &str| {
            let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
            let (first, first_word) = self.keyword(first);
            let (second, _) = self.keyword(second);
            self.push(
                Diagnostic::error(Code::Conflict, message.to_string())
                    .label(first, format!("`{first_word}` here"))
                    .label(second, format!("conflicts with `{first_word}`"))
                    .help(help.to_string()),
            );
            None
        };
        let load = if let Some((ws, workers)) = p.workers {
            if let Some((rs, _)) = p.rate {
                return conflict(
                    ws,
                    rs,
                    "`workers` runs a closed model, which has no rate",
                    "remove `rate` for a closed model, or `workers` for an open one",
                );
            }
            if let Some((ss, _)) = p.stages {
                return conflict(
                    ws,
                    ss,
                    "`workers` runs a closed model, which has no stages",
                    "remove `stages` for a closed model, or `workers` for an open one",
                );
            }
            let Some((_, duration)) = p.duration else {
                return self.missing_duration(decl, seen);
            };
            Load::Closed { workers, duration }
        } else if let Some((ss, stages)) = &p.stages {
            if let Some((rs, _)) = p.rate {
                return conflict(
                    *ss,
                    rs,
                    "`stages` and `rate` both set the rate",
                    "keep `stages`, or a constant `rate` with `duration`",
                );
            }
            if let Some((ds, _)) = p.duration {
                return conflict(
                    *ss,
                    ds,
                    "`stages` already set the duration",
                    "remove `duration`; the stages' durations add up to the attack's",
                );
            }
            Load::Open { profile: RateProfile { stages: stages.clone() } }
        } else if let Some((_, rate)) = p.rate {
            let Some((_, duration)) = p.duration else {
                return self.missing_duration(decl, seen);
            };
            Load::Open { profile: RateProfile { stages: vec![Stage::hold(rate, duration)] } }
        } else {
            if !seen.contains_key("rate") && !seen.contains_key("stages") && !seen.contains_key("workers") {
                self.push(
                    Diagnostic::error(Code::MissingProperty, format!("attack `{}` has no load", decl.name.node))
                        .label(decl.name.span, "declared here")
                        .help("add `rate 50/s` with `duration 30s`, a `stages { ... }` block, or `workers 10` with `duration 30s`"),
                );
            }
            return None;
        };
        let duration = match &load {
            Load::Open { profile } => profile.duration(),
            Load::Closed { duration, .. } => *duration,
        };
        let length_span = match (p.duration, &p.stages) {
            (Some((span, _)), _) => span,
            (None, Some((span, _))) => self.keyword(*span).0,
            (None, None) => decl.name.span,
        };
        if duration > MAX_ATTACK_DURATION {
            self.push(
                Diagnostic::error(
                    Code::InvalidDuration,
                    format!(
                        "attack `{}` lasts {}, over the 30-day limit",
                        decl.name.node,
                        units::format_duration(duration)
                    ),
                )
                .label(length_span, "too long")
                .help("split very long soaks into several runs"),
            );
            return None;
        }
        Some(load)
    }

    /// The keyword an item starts with, and its span: where to point at a whole item.
    fn keyword(&self, item: Span) -> (Span, String) {
        let text = &self.sources.get(item.file).text[item.start..item.end];
        let word = text.split(|c: char| c.is_whitespace() || c == '{').next().unwrap_or_default();
        (Span::new(item.file, item.start, item.start + word.len()), word.to_string())
    }

    fn missing_duration(&self, decl: &ast::AttackDecl, seen: &BTreeMap<&'static str, Span>) -> Option<Load> {
        if !seen.contains_key("duration") {
            self.push(
                Diagnostic::error(Code::MissingProperty, format!("attack `{}` has no `duration`", decl.name.node))
                    .label(decl.name.span, "declared here")
                    .help("add `duration 30s`, or use `stages { ... }` whose durations add up"),
            );
        }
        None
    }

    fn stages(&self, span: Span, decls: &[Spanned<ast::StageDecl>]) -> Option<Vec<Stage>> {
        if decls.is_empty() {
            self.push(
                Diagnostic::error(Code::EmptyStages, "`stages` has no stage")
                    .label(self.keyword(span).0, "empty block")
                    .help("add stages like `ramp 10/s -> 100/s over 30s` and `hold 100/s for 1m`"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for decl in decls {
            match &decl.node {
                ast::StageDecl::Hold { rate, duration } => {
                    match (self.positive_rate(rate, "a `hold` rate"), self.positive_duration(duration, "a `hold`")) {
                        (Some(r), Some(d)) => out.push(Stage::hold(r, d)),
                        _ => ok = false,
                    }
                }
                ast::StageDecl::Ramp { from, to, over } => {
                    match (self.rate(from), self.rate(to), self.positive_duration(over, "a `ramp`")) {
                        (Some(a), Some(b), Some(d)) if !(a.is_zero() && b.is_zero()) => {
                            out.push(Stage { from: a, to: b, duration: d })
                        }
                        (Some(_), Some(_), Some(_)) => {
                            self.push(
                                Diagnostic::error(Code::InvalidRate, "a ramp from 0/s to 0/s sends nothing")
                                    .label(decl.span, "both ends are zero")
                                    .help("ramp to a positive rate, or start the next attack later with `delay`"),
                            );
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                ast::StageDecl::Step { from, to, by, every } => {
                    let (Some(a), Some(b), Some(s), Some(d)) = (
                        self.positive_rate(from, "a `step` start"),
                        self.positive_rate(to, "a `step` end"),
                        self.positive_rate(by, "a `step` increment"),
                        self.positive_duration(every, "a `step`"),
                    ) else {
                        ok = false;
                        continue;
                    };
                    let (lo, hi, step) = (a.milli_per_hour(), b.milli_per_hour(), s.milli_per_hour());
                    if (hi.abs_diff(lo)) % step != 0 {
                        self.push(
                            Diagnostic::error(Code::InvalidRate, format!("steps of {s} from {a} do not reach {b}"))
                                .label(by.span, "does not divide the distance")
                                .help("pick an increment that divides the difference between the two rates"),
                        );
                        ok = false;
                        continue;
                    }
                    let n = hi.abs_diff(lo) / step;
                    if n > 10_000 {
                        self.push(
                            Diagnostic::error(Code::InvalidRate, format!("{n} steps are too many"))
                                .label(by.span, "too small")
                                .help("use a larger increment"),
                        );
                        ok = false;
                        continue;
                    }
                    for i in 0..=n {
                        let rate = if hi >= lo { lo + i * step } else { lo - i * step };
                        out.push(Stage::hold(Rate::from_milli_per_hour(rate), d));
                    }
                }
            }
        }
        ok.then_some(out)
    }

    fn request(&self, req: &ast::RequestDecl, decl: &ast::AttackDecl) -> Option<RequestSource> {
        let method = self.method(&req.method);
        let target = self.string(&req.target);
        let mut ok = method.is_some() && target.is_some();
        if let Some(t) = &target {
            let absolute = t.starts_with("http://") || t.starts_with("https://");
            if absolute {
                let url_ok = url::Url::parse(t).map(|u| u.host().is_some()).unwrap_or(false);
                if !url_ok {
                    self.push(
                        Diagnostic::error(Code::BadUrl, format!("`{t}` is not a valid URL"))
                            .label(req.target.span, "not a valid URL")
                            .help(
                                "write an absolute URL like \"http://127.0.0.1:8080/path\", or a path like \"/path\"",
                            ),
                    );
                    ok = false;
                } else if let Some(node) = decl.nodes.first() {
                    self.push(
                        Diagnostic::error(Code::Conflict, "the request has an absolute URL and the attack names nodes")
                            .label(req.target.span, "absolute URL")
                            .label(node.span, "node")
                            .help("write a path like \"/function/figlet\" to use the nodes, or drop `on ...` to use the URL"),
                    );
                    ok = false;
                }
            } else if !t.starts_with('/') {
                self.push(
                    Diagnostic::error(Code::BadUrl, format!("`{t}` is neither a path nor a URL"))
                        .label(req.target.span, "not a path")
                        .help("write a path starting with `/` (appended to the node's URL) or an absolute \"http://...\" URL"),
                );
                ok = false;
            } else if decl.nodes.is_empty() {
                self.push(
                    Diagnostic::error(
                        Code::MissingTarget,
                        format!("attack `{}` sends to a path but names no node", decl.name.node),
                    )
                    .label(decl.name.span, "add `on NODE` here")
                    .help(format!("write `attack {} on NODE {{`, or use an absolute URL", decl.name.node)),
                );
                ok = false;
            }
        }
        let mut seen = BTreeMap::new();
        let mut spec = RequestSpec {
            method: method.unwrap_or_default(),
            target: target.unwrap_or_default(),
            headers: Vec::new(),
            body: Body::None,
            feeder: None,
        };
        for item in &req.items {
            let good = match &item.node {
                ast::RequestItem::Header(kv) => self.header(kv).map(|h| spec.headers.push(h)).is_some(),
                ast::RequestItem::Body(s) => {
                    self.once(&mut seen, "body", item.span)
                        && self.string(s).map(|b| spec.body = Body::Inline(b)).is_some()
                }
                ast::RequestItem::BodyFile(path) => {
                    self.once(&mut seen, "body", item.span)
                        && self.existing_file(path, "body file").map(|p| spec.body = Body::File(p)).is_some()
                }
                ast::RequestItem::Feeder(path, mode) => {
                    self.once(&mut seen, "feeder", item.span)
                        && self
                            .existing_file(path, "feeder file")
                            .map(|p| {
                                spec.feeder = Some(Feeder {
                                    path: p,
                                    mode: mode.as_ref().map(|m| m.node).unwrap_or(ast::FeederMode::Cycle),
                                })
                            })
                            .is_some()
                }
            };
            ok &= good;
        }
        ok &= self.templates(req, spec.feeder.is_some());
        ok.then_some(RequestSource::Spec(spec))
    }

    /// Per-request templates (target, header values, inline body) must compile and name only
    /// known placeholders, so that a run never starts with a request it cannot build.
    fn templates(&self, req: &ast::RequestDecl, has_feeder: bool) -> bool {
        let mut texts: Vec<(&Spanned<ast::Str>, &str)> = vec![(&req.target, "request target")];
        for item in &req.items {
            match &item.node {
                ast::RequestItem::Header(kv) => texts.push((&kv.value, "header value")),
                ast::RequestItem::Body(s) => texts.push((s, "body")),
                _ => {}
            }
        }
        let mut ok = true;
        for (text, what) in texts {
            let Some(source) = self.string(text) else { continue };
            if !source.contains("{{") && !source.contains("{%") && !source.contains("{#") {
                continue;
            }
            let env = minijinja::Environment::new();
            let template = match env.template_from_str(&source) {
                Ok(t) => t,
                Err(e) => {
                    self.push(
                        Diagnostic::error(
                            Code::BadTemplate,
                            format!("the {what} template does not compile: {}", e.detail().unwrap_or("syntax error")),
                        )
                        .label(text.span, format!("template error on its line {}", e.line().unwrap_or(1)))
                        .help("placeholders are written `{{ seq }}`; to send `{{` literally, write `{{ \"{{\" }}`"),
                    );
                    ok = false;
                    continue;
                }
            };
            let mut names: Vec<String> = template.undeclared_variables(false).into_iter().collect();
            names.sort();
            for name in names {
                if !TEMPLATE_PLACEHOLDERS.contains(&name.as_str()) {
                    self.push(
                        Diagnostic::error(Code::BadTemplate, format!("unknown placeholder `{name}` in the {what}"))
                            .label(text.span, format!("uses `{{{{ {name} }}}}`"))
                            .help(crate::diagnostic::suggest(&name, TEMPLATE_PLACEHOLDERS.iter().copied())),
                    );
                    ok = false;
                } else if name == "feeder" && !has_feeder {
                    self.push(
                        Diagnostic::error(
                            Code::BadTemplate,
                            format!("the {what} uses `feeder` but the request has no feeder"),
                        )
                        .label(text.span, "uses `{{ feeder.… }}`")
                        .help("add `feeder csv \"rows.csv\"` to the request block"),
                    );
                    ok = false;
                }
            }
        }
        ok
    }

    /// A path relative to the declaring file that must name an existing file.
    pub(super) fn existing_file(&self, path: &Spanned<ast::Str>, what: &str) -> Option<PathBuf> {
        let text = self.string(path)?;
        let full = self.base_dir(path.span).join(&text);
        if full.is_file() {
            return Some(full);
        }
        let looked_for = super::load::relative_name(&self.sources.get(path.span.file).name, &text);
        self.push(
            Diagnostic::error(Code::Io, format!("{what} `{text}` does not exist"))
                .label(path.span, format!("looked for {looked_for}"))
                .help("paths are relative to the scenario file that names them"),
        );
        None
    }

    /// `after` must form a DAG: reports each cycle once, labelled on its `after` references.
    fn check_after_cycles(&self, decls: &[&ast::AttackDecl]) {
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
