//! AST → `Entry` tree for the formatter: one entry per printed line (its canonical text, its
//! source span) with its braced block, if any. Also records where literals are, for comment scanning.

use crate::parser::ast::*;
use crate::parser::span::{Span, Spanned};

/// What a top-level item is, for grouping runs of one-line items; nested entries are `Property`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Scenario,
    Import,
    Let,
    Node,
    Function,
    Health,
    Deploy,
    Teardown,
    Wait,
    Attack,
    Report,
    Expect,
    Notify,
    Property,
}

/// One printed construct: a head line (`attack spike on edge`, `rate 5/s`) and maybe a block.
#[derive(Debug)]
pub(super) struct Entry {
    pub kind: Kind,
    /// Where the construct starts in the source.
    pub start: usize,
    /// Where its span ends; may include trailing whitespace and comments (pest skips trivia
    /// before an optional part that then does not match), so the layout trims it.
    pub end: usize,
    pub head: String,
    pub block: Option<BlockSpec>,
}

/// The `{ ... }` of an entry, as the grammar allows it.
#[derive(Debug)]
pub(super) struct BlockSpec {
    /// The end of the head's last spanned part: the `{` is the first one after it.
    pub header_end: usize,
    pub entries: Vec<Entry>,
    /// The grammar requires the braces (`node a {}`); optional blocks are dropped when empty.
    pub required: bool,
}

/// Builds entries and collects the spans of literals, the only places a `#` is not a comment.
#[derive(Default)]
pub(super) struct Builder {
    pub literal_spans: Vec<Span>,
}

impl Builder {
    pub fn file(&mut self, file: &File) -> Vec<Entry> {
        file.items.iter().map(|item| self.item(item)).collect()
    }

    fn item(&mut self, item: &Spanned<Item>) -> Entry {
        let span = item.span;
        match &item.node {
            Item::Scenario(s) => leaf(Kind::Scenario, span, format!("scenario {}", self.str(s))),
            Item::Import(s) => leaf(Kind::Import, span, format!("import {}", self.str(s))),
            Item::Let(decl) => leaf(Kind::Let, span, format!("let {} = {}", decl.name.node, self.lit(&decl.value))),
            Item::Node(decl) => {
                let entries = decl.items.iter().map(|i| self.node_item(i)).collect();
                block(Kind::Node, span, format!("node {}", decl.name.node), decl.name.span.end, entries, true)
            }
            Item::Function(decl) => {
                let entries = decl.items.iter().map(|i| self.function_item(i)).collect();
                block(Kind::Function, span, format!("function {}", decl.name.node), decl.name.span.end, entries, true)
            }
            Item::Health(decl) => {
                let entries = decl.items.iter().map(|i| self.health_item(i)).collect();
                let head = format!("health {}", idents(&decl.nodes));
                block(Kind::Health, span, head, last_end(&decl.nodes, span.start), entries, true)
            }
            Item::Deploy(decl) => self.deploy(Kind::Deploy, "deploy", span, decl),
            Item::Teardown(decl) => self.deploy(Kind::Teardown, "teardown", span, decl),
            Item::Wait(value) => leaf(Kind::Wait, span, format!("wait {}", self.lit(value))),
            Item::Attack(decl) => {
                let entries = decl.items.iter().map(|i| self.attack_item(i)).collect();
                let (head, header_end) = if decl.nodes.is_empty() {
                    (format!("attack {}", decl.name.node), decl.name.span.end)
                } else {
                    (format!("attack {} on {}", decl.name.node, idents(&decl.nodes)), last_end(&decl.nodes, span.start))
                };
                block(Kind::Attack, span, head, header_end, entries, true)
            }
            Item::Report(decl) => {
                let entries = decl.items.iter().map(|i| self.report_item(i)).collect();
                block(Kind::Report, span, "report".into(), span.start, entries, true)
            }
            Item::Expect(decl) => {
                let head = format!(
                    "expect {}({}) {} {}",
                    decl.metric.node,
                    decl.target.node,
                    decl.op.node.as_str(),
                    self.lit(&decl.value)
                );
                leaf(Kind::Expect, span, head)
            }
            Item::Notify(decl) => {
                let entries = decl.items.iter().map(|i| self.notify_item(i)).collect();
                let head = format!("notify webhook {}", self.str(&decl.url));
                block(Kind::Notify, span, head, decl.url.span.end, entries, false)
            }
        }
    }

    fn deploy(&mut self, kind: Kind, keyword: &str, span: Span, decl: &DeployDecl) -> Entry {
        let entries = decl.items.iter().map(|i| self.deploy_item(i)).collect();
        let head = format!("{keyword} {} on {}", idents(&decl.functions), idents(&decl.nodes));
        block(kind, span, head, last_end(&decl.nodes, span.start), entries, false)
    }

    fn node_item(&mut self, item: &Spanned<NodeItem>) -> Entry {
        let span = item.span;
        match &item.node {
            NodeItem::Url(s) => prop(span, format!("url {}", self.str(s))),
            NodeItem::Header(kv) => prop(span, format!("header {}", self.key_value(kv))),
            NodeItem::Demo(items) => {
                let entries = items.iter().map(|i| self.demo_item(i)).collect();
                block(Kind::Property, span, "embedded demo".into(), span.start, entries, false)
            }
            NodeItem::Gateway(items) => {
                let entries = items.iter().map(|i| self.gateway_item(i)).collect();
                block(Kind::Property, span, "gateway".into(), span.start, entries, true)
            }
        }
    }

    fn demo_item(&mut self, item: &Spanned<DemoItem>) -> Entry {
        let head = match &item.node {
            DemoItem::Latency(low, None) => format!("latency {}", self.lit(low)),
            DemoItem::Latency(low, Some(high)) => format!("latency {}..{}", self.lit(low), self.lit(high)),
            DemoItem::Errors(v) => format!("errors {}", self.lit(v)),
            DemoItem::MaxRate(v) => format!("max-rate {}", self.lit(v)),
            DemoItem::ForwardTo(nodes) => format!("forward-to {}", idents(nodes)),
            DemoItem::Server(s) => format!("server {}", self.str(s)),
        };
        prop(item.span, head)
    }

    fn gateway_item(&mut self, item: &Spanned<GatewayItem>) -> Entry {
        let head = match &item.node {
            GatewayItem::Url(s) => format!("url {}", self.str(s)),
            GatewayItem::User(s) => format!("user {}", self.str(s)),
            GatewayItem::Password(s) => format!("password {}", self.str(s)),
        };
        prop(item.span, head)
    }

    fn health_item(&mut self, item: &Spanned<HealthItem>) -> Entry {
        let span = item.span;
        let head = match &item.node {
            HealthItem::Request(request) => return self.request(span, request),
            HealthItem::ExpectStatus(list) => format!("expect status {}", self.lits(list)),
            HealthItem::ExpectBody(op, s) => {
                let op = match op.node {
                    BodyOp::Contains => "contains",
                    BodyOp::Matches => "matches",
                    BodyOp::Equals => "==",
                };
                format!("expect body {op} {}", self.str(s))
            }
            HealthItem::ExpectJson(path, op, value) => {
                format!("expect json {} {} {}", self.str(path), op.node.as_str(), self.json(value))
            }
            HealthItem::Every(v) => format!("every {}", self.lit(v)),
            HealthItem::Within(v) => format!("within {}", self.lit(v)),
            HealthItem::Consecutive(v) => format!("consecutive {}", self.lit(v)),
            HealthItem::Tries(v) => format!("tries {}", self.lit(v)),
            HealthItem::Timeout(v) => format!("timeout {}", self.lit(v)),
        };
        prop(span, head)
    }

    fn function_item(&mut self, item: &Spanned<FunctionItem>) -> Entry {
        let head = match &item.node {
            FunctionItem::Image(s) => format!("image {}", self.str(s)),
            FunctionItem::Service(s) => format!("service {}", self.str(s)),
            FunctionItem::Label(kv) => format!("label {}", self.key_value(kv)),
            FunctionItem::Env(kv) => format!("env {}", self.key_value(kv)),
        };
        prop(item.span, head)
    }

    fn deploy_item(&mut self, item: &Spanned<DeployItem>) -> Entry {
        let head = match &item.node {
            DeployItem::Label(kv) => format!("label {}", self.key_value(kv)),
            DeployItem::Retries(v) => format!("retries {}", self.lit(v)),
            DeployItem::Every(v) => format!("every {}", self.lit(v)),
            DeployItem::Timeout(v) => format!("timeout {}", self.lit(v)),
        };
        prop(item.span, head)
    }

    fn attack_item(&mut self, item: &Spanned<AttackItem>) -> Entry {
        let span = item.span;
        let head = match &item.node {
            AttackItem::After(steps) => format!("after {}", idents(steps)),
            AttackItem::Delay(v) => format!("delay {}", self.lit(v)),
            AttackItem::Duration(v) => format!("duration {}", self.lit(v)),
            AttackItem::Rate(v) => format!("rate {}", self.lit(v)),
            AttackItem::Stages(stages) => {
                let entries = stages.iter().map(|s| self.stage(s)).collect();
                return block(Kind::Property, span, "stages".into(), span.start, entries, true);
            }
            AttackItem::Workers(v) => format!("workers {}", self.lit(v)),
            AttackItem::MaxInFlight(v) => format!("max-in-flight {}", self.lit(v)),
            AttackItem::Timeout(v) => format!("timeout {}", self.lit(v)),
            AttackItem::Connections(v) => format!("connections {}", self.lit(v)),
            AttackItem::KeepAlive(on) => format!("keep-alive {}", if on.node { "on" } else { "off" }),
            AttackItem::Http2 => "http2".into(),
            AttackItem::Insecure => "insecure".into(),
            AttackItem::Success(list) => format!("success {}", self.lits(list)),
            AttackItem::RecordHeader(s) => format!("record header {}", self.str(s)),
            AttackItem::RecordBody(None) => "record body".into(),
            AttackItem::RecordBody(Some(size)) => format!("record body {}", self.lit(size)),
            AttackItem::Request(request) => return self.request(span, request),
            AttackItem::Targets(s) => format!("targets {}", self.str(s)),
        };
        prop(span, head)
    }

    fn stage(&mut self, stage: &Spanned<StageDecl>) -> Entry {
        let head = match &stage.node {
            StageDecl::Ramp { from, to, over } => {
                format!("ramp {} -> {} over {}", self.lit(from), self.lit(to), self.lit(over))
            }
            StageDecl::Hold { rate, duration } => format!("hold {} for {}", self.lit(rate), self.lit(duration)),
            StageDecl::Step { from, to, by, every } => {
                format!("step {} -> {} by {} every {}", self.lit(from), self.lit(to), self.lit(by), self.lit(every))
            }
        };
        prop(stage.span, head)
    }

    fn request(&mut self, span: Span, request: &RequestDecl) -> Entry {
        let head = format!("request {} {}", request.method.node, self.str(&request.target));
        let entries = request.items.iter().map(|i| self.request_item(i)).collect();
        block(Kind::Property, span, head, request.target.span.end, entries, false)
    }

    fn request_item(&mut self, item: &Spanned<RequestItem>) -> Entry {
        let head = match &item.node {
            RequestItem::Header(kv) => format!("header {}", self.key_value(kv)),
            RequestItem::Body(s) => format!("body {}", self.str(s)),
            RequestItem::BodyFile(s) => format!("body file {}", self.str(s)),
            RequestItem::Feeder(path, mode) => {
                let path = self.str(path);
                match mode.as_ref().map(|m| m.node) {
                    None => format!("feeder csv {path}"),
                    Some(FeederMode::Cycle) => format!("feeder csv {path} cycle"),
                    Some(FeederMode::Once) => format!("feeder csv {path} once"),
                    Some(FeederMode::Random) => format!("feeder csv {path} random"),
                }
            }
        };
        prop(item.span, head)
    }

    fn report_item(&mut self, item: &Spanned<ReportItem>) -> Entry {
        let head = match &item.node {
            ReportItem::Formats(names) => format!("formats {}", idents(names)),
            ReportItem::Plots(names) => format!("plots {}", idents(names)),
            ReportItem::Template(path, output) => self.template(path, output.as_ref()),
            ReportItem::Output(s) => format!("output {}", self.str(s)),
        };
        prop(item.span, head)
    }

    fn notify_item(&mut self, item: &Spanned<NotifyItem>) -> Entry {
        let head = match &item.node {
            NotifyItem::Template(path, output) => self.template(path, output.as_ref()),
            NotifyItem::When(when) => match when.node {
                When::Always => "when always".into(),
                When::Failure => "when failure".into(),
                When::Success => "when success".into(),
            },
            NotifyItem::Header(kv) => format!("header {}", self.key_value(kv)),
            NotifyItem::Retries(v) => format!("retries {}", self.lit(v)),
            NotifyItem::Timeout(v) => format!("timeout {}", self.lit(v)),
        };
        prop(item.span, head)
    }

    fn template(&mut self, path: &Spanned<Str>, output: Option<&Spanned<Str>>) -> String {
        match output {
            None => format!("template {}", self.str(path)),
            Some(output) => format!("template {} as {}", self.str(path), self.str(output)),
        }
    }

    fn key_value(&mut self, kv: &KeyValue) -> String {
        format!("{} = {}", self.str(&kv.key), self.str(&kv.value))
    }

    /// A string exactly as written (quotes, escapes and interpolations included).
    fn str(&mut self, s: &Spanned<Str>) -> String {
        self.literal_spans.push(s.span);
        s.raw.clone()
    }

    /// A literal exactly as written.
    fn lit(&mut self, literal: &Spanned<Literal>) -> String {
        self.literal_spans.push(literal.span);
        match &literal.node {
            Literal::Str(s) => s.raw.clone(),
            Literal::Duration(text)
            | Literal::Rate(text)
            | Literal::Percent(text)
            | Literal::Size(text)
            | Literal::Int(text)
            | Literal::Number(text)
            | Literal::StatusClass(text) => text.clone(),
            Literal::StatusRange(low, high) => format!("{low}..{high}"),
            Literal::Interp(interp) => match &interp.default {
                None => format!("${{{}}}", interp.name),
                Some(default) => format!("${{{}:-{default}}}", interp.name),
            },
        }
    }

    fn lits(&mut self, list: &[Spanned<Literal>]) -> String {
        list.iter().map(|l| self.lit(l)).collect::<Vec<_>>().join(", ")
    }

    fn json(&mut self, value: &Spanned<JsonValue>) -> String {
        self.literal_spans.push(value.span);
        match &value.node {
            JsonValue::Str(s) => s.raw.clone(),
            JsonValue::Bool(true) => "true".into(),
            JsonValue::Bool(false) => "false".into(),
            JsonValue::Null => "null".into(),
            JsonValue::Number(n) => n.clone(),
        }
    }
}

fn idents(list: &[Ident]) -> String {
    list.iter().map(|i| i.node.as_str()).collect::<Vec<_>>().join(", ")
}

/// The end of the last name of a list (the grammar never yields an empty list).
fn last_end(list: &[Ident], fallback: usize) -> usize {
    list.last().map(|i| i.span.end).unwrap_or(fallback)
}

fn leaf(kind: Kind, span: Span, head: String) -> Entry {
    Entry { kind, start: span.start, end: span.end, head, block: None }
}

fn prop(span: Span, head: String) -> Entry {
    leaf(Kind::Property, span, head)
}

fn block(kind: Kind, span: Span, head: String, header_end: usize, entries: Vec<Entry>, required: bool) -> Entry {
    Entry { kind, start: span.start, end: span.end, head, block: Some(BlockSpec { header_end, entries, required }) }
}
