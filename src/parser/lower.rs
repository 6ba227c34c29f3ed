//! pest pairs → AST, one `lower_<rule>` function per grammar rule. The grammar guarantees each
//! shape; a shape it cannot produce is `unreachable!` with the rule named. No user errors here.

use super::ast::*;
use super::span::{FileId, Span, Spanned};
use super::Rule;
use pest::iterators::Pair;

/// Builds spans for pairs parsed from `text[base..]` of file `file`.
#[derive(Clone, Copy)]
struct Ctx {
    file: FileId,
    base: usize,
}

impl Ctx {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn spanned<T>(&self, pair: &Pair<Rule>, node: T) -> Spanned<T> {
        Spanned::new(self.span(pair), node)
    }
}

pub fn lower_file(pair: Pair<Rule>, file: FileId, base: usize) -> File {
    debug_assert_eq!(pair.as_rule(), Rule::file);
    let cx = Ctx { file, base };
    let items = pair
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| {
            let span = cx.span(&p);
            Spanned::new(span, lower_item(cx, p))
        })
        .collect();
    File { items }
}

/// The children of a pair without its keyword tokens.
fn parts(pair: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

fn first(pair: Pair<Rule>) -> Pair<Rule> {
    let rule = pair.as_rule();
    parts(pair).next().unwrap_or_else(|| unreachable!("grammar: {rule:?} has a child"))
}

fn lower_item(cx: Ctx, pair: Pair<Rule>) -> Item {
    match pair.as_rule() {
        Rule::scenario_decl => Item::Scenario(lower_str(cx, first(pair))),
        Rule::import_decl => Item::Import(lower_str(cx, first(pair))),
        Rule::let_decl => {
            let mut it = parts(pair);
            let name = lower_ident(cx, next(&mut it));
            let value = lower_literal(cx, next(&mut it));
            Item::Let(LetDecl { name, value })
        }
        Rule::node_decl => {
            let mut it = parts(pair);
            let name = lower_ident(cx, next(&mut it));
            let items = it.map(|p| cx.spanned(&p, lower_node_item(cx, p.clone()))).collect();
            Item::Node(NodeDecl { name, items })
        }
        Rule::function_decl => {
            let mut it = parts(pair);
            let name = lower_ident(cx, next(&mut it));
            let items = it.map(|p| cx.spanned(&p, lower_function_item(cx, p.clone()))).collect();
            Item::Function(FunctionDecl { name, items })
        }
        Rule::health_decl => {
            let mut it = parts(pair);
            let nodes = lower_ident_list(cx, next(&mut it));
            let items = it.map(|p| cx.spanned(&p, lower_health_item(cx, p.clone()))).collect();
            Item::Health(HealthDecl { nodes, items })
        }
        Rule::deploy_decl => Item::Deploy(lower_deploy(cx, pair)),
        Rule::teardown_decl => Item::Teardown(lower_deploy(cx, pair)),
        Rule::wait_decl => Item::Wait(lower_value(cx, first(pair))),
        Rule::attack_decl => Item::Attack(lower_attack(cx, pair)),
        Rule::report_decl => {
            let items = parts(pair).map(|p| cx.spanned(&p, lower_report_item(cx, p.clone()))).collect();
            Item::Report(ReportDecl { items })
        }
        Rule::expect_decl => {
            let mut it = parts(pair);
            let mut metric = parts(next(&mut it));
            let metric_name = lower_ident(cx, next(&mut metric));
            let target = lower_ident(cx, next(&mut metric));
            let op = lower_cmp_op(cx, next(&mut it));
            let value = lower_literal(cx, next(&mut it));
            Item::Expect(ExpectDecl { metric: metric_name, target, op, value })
        }
        Rule::notify_decl => {
            let mut it = parts(pair);
            let url = lower_str(cx, next(&mut it));
            let items = match it.next() {
                Some(block) => parts(block).map(|p| cx.spanned(&p, lower_notify_item(cx, p.clone()))).collect(),
                None => Vec::new(),
            };
            Item::Notify(NotifyDecl { url, items })
        }
        rule => unreachable!("grammar: unexpected top-level rule {rule:?}"),
    }
}

fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>) -> Pair<'i, Rule> {
    it.next().unwrap_or_else(|| unreachable!("grammar: a required child is missing"))
}

fn lower_node_item(cx: Ctx, pair: Pair<Rule>) -> NodeItem {
    match pair.as_rule() {
        Rule::url_prop => NodeItem::Url(lower_str(cx, first(pair))),
        Rule::header_prop => NodeItem::Header(lower_key_value(cx, pair)),
        Rule::demo_prop => {
            let items = match parts(pair).next() {
                Some(block) => parts(block).map(|p| cx.spanned(&p, lower_demo_item(cx, p.clone()))).collect(),
                None => Vec::new(),
            };
            NodeItem::Demo(items)
        }
        Rule::gateway_prop => NodeItem::Gateway(
            parts(pair)
                .map(|p| {
                    let item = match p.as_rule() {
                        Rule::url_prop => GatewayItem::Url(lower_str(cx, first(p.clone()))),
                        Rule::user_prop => GatewayItem::User(lower_str(cx, first(p.clone()))),
                        Rule::password_prop => GatewayItem::Password(lower_str(cx, first(p.clone()))),
                        rule => unreachable!("grammar: gateway item {rule:?}"),
                    };
                    cx.spanned(&p, item)
                })
                .collect(),
        ),
        rule => unreachable!("grammar: node item {rule:?}"),
    }
}

fn lower_demo_item(cx: Ctx, pair: Pair<Rule>) -> DemoItem {
    match pair.as_rule() {
        Rule::latency_prop => {
            let mut it = parts(pair);
            let low = lower_value(cx, next(&mut it));
            let high = it.next().map(|p| lower_value(cx, p));
            DemoItem::Latency(low, high)
        }
        Rule::errors_prop => DemoItem::Errors(lower_value(cx, first(pair))),
        Rule::max_rate_prop => DemoItem::MaxRate(lower_value(cx, first(pair))),
        Rule::forward_prop => DemoItem::ForwardTo(lower_ident_list(cx, first(pair))),
        Rule::server_prop => DemoItem::Server(lower_str(cx, first(pair))),
        rule => unreachable!("grammar: demo item {rule:?}"),
    }
}

fn lower_health_item(cx: Ctx, pair: Pair<Rule>) -> HealthItem {
    match pair.as_rule() {
        Rule::request_block => HealthItem::Request(lower_request(cx, pair)),
        Rule::health_expect => {
            let check = first(pair);
            match check.as_rule() {
                Rule::status_check => HealthItem::ExpectStatus(lower_status_list(cx, first(check))),
                Rule::body_check => {
                    let mut it = parts(check);
                    let op_pair = next(&mut it);
                    let op = match op_pair.as_str() {
                        "contains" => BodyOp::Contains,
                        "matches" => BodyOp::Matches,
                        _ => BodyOp::Equals,
                    };
                    let op = cx.spanned(&op_pair, op);
                    HealthItem::ExpectBody(op, lower_str(cx, next(&mut it)))
                }
                Rule::json_check => {
                    let mut it = parts(check);
                    let path = lower_str(cx, next(&mut it));
                    let op = lower_cmp_op(cx, next(&mut it));
                    let value_pair = next(&mut it);
                    let inner =
                        value_pair.clone().into_inner().next().unwrap_or_else(|| unreachable!("grammar: json_value"));
                    let value = match inner.as_rule() {
                        Rule::str_value => JsonValue::Str(lower_str(cx, inner).node),
                        Rule::kw_true => JsonValue::Bool(true),
                        Rule::kw_false => JsonValue::Bool(false),
                        Rule::kw_null => JsonValue::Null,
                        Rule::number => JsonValue::Number(inner.as_str().to_string()),
                        rule => unreachable!("grammar: json value {rule:?}"),
                    };
                    HealthItem::ExpectJson(path, op, cx.spanned(&value_pair, value))
                }
                rule => unreachable!("grammar: health check {rule:?}"),
            }
        }
        Rule::every_prop => HealthItem::Every(lower_value(cx, first(pair))),
        Rule::within_prop => HealthItem::Within(lower_value(cx, first(pair))),
        Rule::consecutive_prop => HealthItem::Consecutive(lower_value(cx, first(pair))),
        Rule::tries_prop => HealthItem::Tries(lower_value(cx, first(pair))),
        Rule::timeout_prop => HealthItem::Timeout(lower_value(cx, first(pair))),
        rule => unreachable!("grammar: health item {rule:?}"),
    }
}

fn lower_function_item(cx: Ctx, pair: Pair<Rule>) -> FunctionItem {
    match pair.as_rule() {
        Rule::image_prop => FunctionItem::Image(lower_str(cx, first(pair))),
        Rule::service_prop => FunctionItem::Service(lower_str(cx, first(pair))),
        Rule::label_prop => FunctionItem::Label(lower_key_value(cx, pair)),
        Rule::env_prop => FunctionItem::Env(lower_key_value(cx, pair)),
        rule => unreachable!("grammar: function item {rule:?}"),
    }
}

fn lower_deploy(cx: Ctx, pair: Pair<Rule>) -> DeployDecl {
    let mut it = parts(pair);
    let functions = lower_ident_list(cx, next(&mut it));
    let nodes = lower_ident_list(cx, next(&mut it));
    let items = match it.next() {
        Some(block) => parts(block)
            .map(|p| {
                let item = match p.as_rule() {
                    Rule::label_prop => DeployItem::Label(lower_key_value(cx, p.clone())),
                    Rule::retries_prop => DeployItem::Retries(lower_value(cx, first(p.clone()))),
                    Rule::every_prop => DeployItem::Every(lower_value(cx, first(p.clone()))),
                    Rule::timeout_prop => DeployItem::Timeout(lower_value(cx, first(p.clone()))),
                    rule => unreachable!("grammar: deploy item {rule:?}"),
                };
                cx.spanned(&p, item)
            })
            .collect(),
        None => Vec::new(),
    };
    DeployDecl { functions, nodes, items }
}

fn lower_attack(cx: Ctx, pair: Pair<Rule>) -> AttackDecl {
    let mut it = parts(pair).peekable();
    let name = lower_ident(cx, next(&mut it));
    let nodes = match it.peek().map(|p| p.as_rule()) {
        Some(Rule::ident_list) => lower_ident_list(cx, next(&mut it)),
        _ => Vec::new(),
    };
    let items = it.map(|p| cx.spanned(&p, lower_attack_item(cx, p.clone()))).collect();
    AttackDecl { name, nodes, items }
}

fn lower_attack_item(cx: Ctx, pair: Pair<Rule>) -> AttackItem {
    match pair.as_rule() {
        Rule::after_prop => AttackItem::After(lower_ident_list(cx, first(pair))),
        Rule::delay_prop => AttackItem::Delay(lower_value(cx, first(pair))),
        Rule::duration_prop => AttackItem::Duration(lower_value(cx, first(pair))),
        Rule::rate_prop => AttackItem::Rate(lower_value(cx, first(pair))),
        Rule::stages_block => {
            AttackItem::Stages(parts(pair).map(|p| cx.spanned(&p, lower_stage(cx, p.clone()))).collect())
        }
        Rule::workers_prop => AttackItem::Workers(lower_value(cx, first(pair))),
        Rule::max_in_flight_prop => AttackItem::MaxInFlight(lower_value(cx, first(pair))),
        Rule::timeout_prop => AttackItem::Timeout(lower_value(cx, first(pair))),
        Rule::connections_prop => AttackItem::Connections(lower_value(cx, first(pair))),
        Rule::keep_alive_prop => {
            let switch = first(pair);
            let on = switch.as_str() == "on";
            AttackItem::KeepAlive(cx.spanned(&switch, on))
        }
        Rule::http2_flag => AttackItem::Http2,
        Rule::insecure_flag => AttackItem::Insecure,
        Rule::success_prop => AttackItem::Success(lower_status_list(cx, first(pair))),
        Rule::record_prop => {
            let record = first(pair);
            match record.as_rule() {
                Rule::record_header => AttackItem::RecordHeader(lower_str(cx, first(record))),
                Rule::record_body => AttackItem::RecordBody(parts(record).next().map(|p| lower_value(cx, p))),
                rule => unreachable!("grammar: record {rule:?}"),
            }
        }
        Rule::request_block => AttackItem::Request(lower_request(cx, pair)),
        Rule::targets_prop => AttackItem::Targets(lower_str(cx, first(pair))),
        rule => unreachable!("grammar: attack item {rule:?}"),
    }
}

fn lower_stage(cx: Ctx, pair: Pair<Rule>) -> StageDecl {
    let rule = pair.as_rule();
    let mut it = parts(pair).map(|p| lower_value(cx, p));
    let mut take = || it.next().unwrap_or_else(|| unreachable!("grammar: stage operand"));
    match rule {
        Rule::ramp_stage => StageDecl::Ramp { from: take(), to: take(), over: take() },
        Rule::hold_stage => StageDecl::Hold { rate: take(), duration: take() },
        Rule::step_stage => StageDecl::Step { from: take(), to: take(), by: take(), every: take() },
        rule => unreachable!("grammar: stage {rule:?}"),
    }
}

fn lower_request(cx: Ctx, pair: Pair<Rule>) -> RequestDecl {
    debug_assert_eq!(pair.as_rule(), Rule::request_block);
    let mut it = parts(pair);
    let method = lower_ident(cx, next(&mut it));
    let target = lower_str(cx, next(&mut it));
    let items = match it.next() {
        Some(block) => parts(block)
            .map(|p| {
                let item = match p.as_rule() {
                    Rule::header_prop => RequestItem::Header(lower_key_value(cx, p.clone())),
                    Rule::body_prop => {
                        let body = first(p.clone());
                        match body.as_rule() {
                            Rule::body_file => RequestItem::BodyFile(lower_str(cx, first(body))),
                            _ => RequestItem::Body(lower_str(cx, body)),
                        }
                    }
                    Rule::feeder_prop => {
                        let mut f = parts(p.clone());
                        let path = lower_str(cx, next(&mut f));
                        let mode = f.next().map(|m| {
                            let mode = match m.as_str() {
                                "once" => FeederMode::Once,
                                "random" => FeederMode::Random,
                                _ => FeederMode::Cycle,
                            };
                            cx.spanned(&m, mode)
                        });
                        RequestItem::Feeder(path, mode)
                    }
                    rule => unreachable!("grammar: request item {rule:?}"),
                };
                cx.spanned(&p, item)
            })
            .collect(),
        None => Vec::new(),
    };
    RequestDecl { method, target, items }
}

fn lower_report_item(cx: Ctx, pair: Pair<Rule>) -> ReportItem {
    match pair.as_rule() {
        Rule::formats_prop => ReportItem::Formats(lower_ident_list(cx, first(pair))),
        Rule::plots_prop => ReportItem::Plots(lower_ident_list(cx, first(pair))),
        Rule::template_prop => {
            let (path, output) = lower_template(cx, pair);
            ReportItem::Template(path, output)
        }
        Rule::output_prop => ReportItem::Output(lower_str(cx, first(pair))),
        rule => unreachable!("grammar: report item {rule:?}"),
    }
}

fn lower_template(cx: Ctx, pair: Pair<Rule>) -> (Spanned<Str>, Option<Spanned<Str>>) {
    let mut it = parts(pair);
    let path = lower_str(cx, next(&mut it));
    (path, it.next().map(|p| lower_str(cx, p)))
}

fn lower_notify_item(cx: Ctx, pair: Pair<Rule>) -> NotifyItem {
    match pair.as_rule() {
        Rule::template_prop => {
            let (path, output) = lower_template(cx, pair);
            NotifyItem::Template(path, output)
        }
        Rule::when_prop => {
            let inner = pair.into_inner().nth(1).unwrap_or_else(|| unreachable!("grammar: when value"));
            let when = match inner.as_str() {
                "failure" => When::Failure,
                "success" => When::Success,
                _ => When::Always,
            };
            NotifyItem::When(cx.spanned(&inner, when))
        }
        Rule::header_prop => NotifyItem::Header(lower_key_value(cx, pair)),
        Rule::retries_prop => NotifyItem::Retries(lower_value(cx, first(pair))),
        Rule::timeout_prop => NotifyItem::Timeout(lower_value(cx, first(pair))),
        rule => unreachable!("grammar: notify item {rule:?}"),
    }
}

fn lower_key_value(cx: Ctx, pair: Pair<Rule>) -> KeyValue {
    let mut it = parts(pair);
    let key = lower_str(cx, next(&mut it));
    let value = lower_str(cx, next(&mut it));
    KeyValue { key, value }
}

fn lower_ident(cx: Ctx, pair: Pair<Rule>) -> Ident {
    cx.spanned(&pair, pair.as_str().to_string())
}

fn lower_ident_list(cx: Ctx, pair: Pair<Rule>) -> Vec<Ident> {
    debug_assert_eq!(pair.as_rule(), Rule::ident_list);
    parts(pair).map(|p| lower_ident(cx, p)).collect()
}

fn lower_status_list(cx: Ctx, pair: Pair<Rule>) -> Vec<Spanned<Literal>> {
    debug_assert_eq!(pair.as_rule(), Rule::status_list);
    parts(pair).map(|p| lower_literal(cx, p)).collect()
}

fn lower_cmp_op(cx: Ctx, pair: Pair<Rule>) -> Spanned<CmpOp> {
    debug_assert_eq!(pair.as_rule(), Rule::cmp_op);
    let op = match pair.as_str() {
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "==" => CmpOp::Eq,
        _ => CmpOp::Ne,
    };
    cx.spanned(&pair, op)
}

/// A typed value position (`duration_value`, `rate_value`, ...): a literal or `${VAR}`.
fn lower_value(cx: Ctx, pair: Pair<Rule>) -> Spanned<Literal> {
    lower_literal(cx, first(pair))
}

fn lower_literal(cx: Ctx, pair: Pair<Rule>) -> Spanned<Literal> {
    let text = pair.as_str().to_string();
    let literal = match pair.as_rule() {
        Rule::string | Rule::raw_string => return lower_str_pair(cx, pair).map_str(),
        Rule::duration => Literal::Duration(text),
        Rule::rate => Literal::Rate(text),
        Rule::percent => Literal::Percent(text),
        Rule::size => Literal::Size(text),
        Rule::int => Literal::Int(text),
        Rule::number => Literal::Number(text),
        Rule::status_class => Literal::StatusClass(text),
        Rule::status_range => {
            let mut it = pair.clone().into_inner();
            let low = next(&mut it).as_str().to_string();
            let high = next(&mut it).as_str().to_string();
            Literal::StatusRange(low, high)
        }
        Rule::interp => Literal::Interp(lower_interp(pair.clone())),
        rule => unreachable!("grammar: literal {rule:?}"),
    };
    cx.spanned(&pair, literal)
}

trait MapStr {
    fn map_str(self) -> Spanned<Literal>;
}

impl MapStr for Spanned<Str> {
    fn map_str(self) -> Spanned<Literal> {
        Spanned::new(self.span, Literal::Str(self.node))
    }
}

/// A `str_value` (string or raw string).
fn lower_str(cx: Ctx, pair: Pair<Rule>) -> Spanned<Str> {
    match pair.as_rule() {
        Rule::str_value => lower_str_pair(cx, first(pair)),
        _ => lower_str_pair(cx, pair),
    }
}

fn lower_str_pair(cx: Ctx, pair: Pair<Rule>) -> Spanned<Str> {
    let raw = pair.as_str().to_string();
    let mut parts_out: Vec<StrPart> = Vec::new();
    let span = cx.span(&pair);
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::str_text | Rule::raw_text => push_text(&mut parts_out, part.as_str()),
            Rule::escape => push_text(&mut parts_out, &unescape(part.as_str())),
            Rule::interp => {
                let interp = cx.spanned(&part, lower_interp(part.clone()));
                parts_out.push(StrPart::Interp(interp));
            }
            rule => unreachable!("grammar: string part {rule:?}"),
        }
    }
    Spanned::new(span, Str { raw, parts: parts_out })
}

fn push_text(parts: &mut Vec<StrPart>, text: &str) {
    if let Some(StrPart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(StrPart::Text(text.to_string()));
    }
}

fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\\"" => "\"".into(),
        "\\\\" => "\\".into(),
        "\\$" => "$".into(),
        unicode => {
            let hex = unicode.trim_start_matches("\\u{").trim_end_matches('}');
            u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_else(|| char::REPLACEMENT_CHARACTER.to_string())
        }
    }
}

fn lower_interp(pair: Pair<Rule>) -> Interp {
    debug_assert_eq!(pair.as_rule(), Rule::interp);
    let mut name = String::new();
    let mut default = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::var_name => name = part.as_str().to_string(),
            Rule::interp_default => default = Some(part.as_str().to_string()),
            rule => unreachable!("grammar: interp part {rule:?}"),
        }
    }
    Interp { name, default }
}
