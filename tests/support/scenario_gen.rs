//! Random `.dfs` scenarios for property tests: every construct of `grammar/dfs.pest` as tokens,
//! then text with random whitespace, line breaks, blank lines, `;` and `#C<n>:` comments between them.

use super::scenario_values::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

// ───────────────────────────── blocks and items ───────────────────

/// `{ item; item ... }` with up to `max` items, each followed by an optional `;`.
fn block(item: Toks, max: usize) -> Toks {
    vec(item, 0..=max)
        .prop_map(|items| {
            let mut out = vec![p("{")];
            for item in items {
                out.extend(item);
                out.push(Tok::Sep);
            }
            out.push(p("}"));
            out
        })
        .boxed()
}

fn prop1(keyword: &'static str, value: BoxedStrategy<String>) -> Toks {
    value.prop_map(move |v| vec![w(keyword), w(v)]).boxed()
}

fn key_value(keyword: &'static str) -> Toks {
    (str_value(), str_value()).prop_map(move |(k, v)| vec![w(keyword), w(k), p("="), w(v)]).boxed()
}

fn demo_item() -> Toks {
    prop_oneof![
        (or_interp(duration()), option::of(or_interp(duration()))).prop_map(|(low, high)| match high {
            None => vec![w("latency"), w(low)],
            Some(high) => vec![w("latency"), w(low), p(".."), w(high)],
        }),
        prop1("errors", or_interp(percent())),
        prop1("max-rate", or_interp(rate())),
        ident_list().prop_map(|l| cat(vec![words(&["forward-to"]), l])),
        prop1("server", str_value()),
    ]
    .boxed()
}

fn node_item() -> Toks {
    let gateway = prop_oneof![prop1("url", str_value()), prop1("user", str_value()), prop1("password", str_value())];
    prop_oneof![
        prop1("url", str_value()),
        key_value("header"),
        option::of(block(demo_item(), 3)).prop_map(|b| cat(vec![words(&["embedded", "demo"]), b.unwrap_or_default()])),
        block(gateway.boxed(), 3).prop_map(|b| cat(vec![words(&["gateway"]), b])),
    ]
    .boxed()
}

fn request() -> Toks {
    let item = prop_oneof![
        key_value("header"),
        prop1("body", str_value()),
        str_value().prop_map(|s| vec![w("body"), w("file"), w(s)]),
        (str_value(), option::of(select(&["cycle", "once", "random"][..]))).prop_map(|(path, mode)| {
            let mut out = vec![w("feeder"), w("csv"), w(path)];
            out.extend(mode.map(w));
            out
        }),
    ];
    ("[A-Za-z][A-Za-z-]{0,6}", str_value(), option::of(block(item.boxed(), 3)))
        .prop_map(|(method, target, b)| cat(vec![vec![w("request"), w(method), w(target)], b.unwrap_or_default()]))
        .boxed()
}

fn health_item() -> Toks {
    let json = prop_oneof![str_value(), Just("true".to_string()), Just("false".into()), Just("null".into()), number()];
    prop_oneof![
        request(),
        status_list().prop_map(|l| cat(vec![words(&["expect", "status"]), l])),
        (select(&["contains", "matches", "=="][..]), str_value()).prop_map(|(op, s)| {
            let op = if op == "==" { p("==") } else { w(op) };
            vec![w("expect"), w("body"), op, w(s)]
        }),
        (str_value(), cmp_op(), json).prop_map(|(path, op, v)| vec![w("expect"), w("json"), w(path), p(op), w(v)]),
        prop1("every", or_interp(duration())),
        prop1("within", or_interp(duration())),
        prop1("consecutive", or_interp(int())),
        prop1("tries", or_interp(int())),
        prop1("timeout", or_interp(duration())),
    ]
    .boxed()
}

fn function_item() -> Toks {
    prop_oneof![prop1("image", str_value()), prop1("service", str_value()), key_value("label"), key_value("env")]
        .boxed()
}

fn deploy(keyword: &'static str) -> Toks {
    let item = prop_oneof![
        key_value("label"),
        prop1("retries", or_interp(int())),
        prop1("every", or_interp(duration())),
        prop1("timeout", or_interp(duration())),
    ];
    (ident_list(), ident_list(), option::of(block(item.boxed(), 3)))
        .prop_map(move |(functions, nodes, b)| {
            cat(vec![vec![w(keyword)], functions, vec![w("on")], nodes, b.unwrap_or_default()])
        })
        .boxed()
}

fn stage() -> Toks {
    prop_oneof![
        (or_interp(rate()), or_interp(rate()), or_interp(duration())).prop_map(|(a, b, d)| vec![
            w("ramp"),
            w(a),
            p("->"),
            w(b),
            w("over"),
            w(d)
        ]),
        (or_interp(rate()), or_interp(duration())).prop_map(|(r, d)| vec![w("hold"), w(r), w("for"), w(d)]),
        (or_interp(rate()), or_interp(rate()), or_interp(rate()), or_interp(duration()))
            .prop_map(|(a, b, by, d)| { vec![w("step"), w(a), p("->"), w(b), w("by"), w(by), w("every"), w(d)] }),
    ]
    .boxed()
}

fn attack_item() -> Toks {
    prop_oneof![
        ident_list().prop_map(|l| cat(vec![words(&["after"]), l])),
        prop1("delay", or_interp(duration())),
        prop1("duration", or_interp(duration())),
        prop1("rate", or_interp(rate())),
        block(stage(), 4).prop_map(|b| cat(vec![words(&["stages"]), b])),
        prop1("workers", or_interp(int())),
        prop1("max-in-flight", or_interp(int())),
        prop1("timeout", or_interp(duration())),
        prop1("connections", or_interp(int())),
        select(&["on", "off"][..]).prop_map(|s| words(&["keep-alive", s])),
        Just(words(&["http2"])),
        Just(words(&["insecure"])),
        status_list().prop_map(|l| cat(vec![words(&["success"]), l])),
        prop1("targets", str_value()),
        str_value().prop_map(|s| vec![w("record"), w("header"), w(s)]),
        option::of(or_interp(size())).prop_map(|s| {
            let mut out = words(&["record", "body"]);
            out.extend(s.map(w));
            out
        }),
        request(),
    ]
    .boxed()
}

fn template() -> Toks {
    (str_value(), option::of(str_value()))
        .prop_map(|(path, out)| match out {
            None => vec![w("template"), w(path)],
            Some(out) => vec![w("template"), w(path), w("as"), w(out)],
        })
        .boxed()
}

fn top_item() -> Toks {
    let report_item = prop_oneof![
        ident_list().prop_map(|l| cat(vec![words(&["formats"]), l])),
        ident_list().prop_map(|l| cat(vec![words(&["plots"]), l])),
        template(),
        prop1("output", str_value()),
    ];
    let notify_item = prop_oneof![
        template(),
        select(&["always", "failure", "success"][..]).prop_map(|s| words(&["when", s])),
        key_value("header"),
        prop1("retries", or_interp(int())),
        prop1("timeout", or_interp(duration())),
    ];
    let metric = ("[a-z][a-z0-9_]{0,4}(\\.[0-9])?", ident()).prop_map(|(m, t)| vec![w(m), p("("), w(t), p(")")]);
    prop_oneof![
        prop1("scenario", str_value()),
        prop1("import", str_value()),
        (ident(), literal()).prop_map(|(n, v)| vec![w("let"), w(n), p("="), w(v)]),
        (ident(), block(node_item(), 4)).prop_map(|(n, b)| cat(vec![vec![w("node"), w(n)], b])),
        (ident(), block(function_item(), 4)).prop_map(|(n, b)| cat(vec![vec![w("function"), w(n)], b])),
        (ident_list(), block(health_item(), 5)).prop_map(|(l, b)| cat(vec![words(&["health"]), l, b])),
        deploy("deploy"),
        deploy("teardown"),
        prop1("wait", or_interp(duration())),
        (ident(), option::of(ident_list()), block(attack_item(), 6)).prop_map(|(n, on, b)| {
            let on = on.map(|l| cat(vec![words(&["on"]), l])).unwrap_or_default();
            cat(vec![vec![w("attack"), w(n)], on, b])
        }),
        block(report_item.boxed(), 4).prop_map(|b| cat(vec![words(&["report"]), b])),
        (metric, cmp_op(), literal()).prop_map(|(m, op, v)| cat(vec![words(&["expect"]), m, vec![p(op), w(v)]])),
        (str_value(), option::of(block(notify_item.boxed(), 3)))
            .prop_map(|(url, b)| cat(vec![vec![w("notify"), w("webhook"), w(url)], b.unwrap_or_default()])),
    ]
    .boxed()
}

// ───────────────────────────── text ───────────────────────────────

/// A generated scenario: its text and the comment markers (`#C<n>:`) it holds.
#[derive(Debug, Clone)]
pub struct Generated {
    pub text: String,
    pub comments: Vec<String>,
}

/// Trivia between two tokens, by choice index. `None` is "nothing" (only next to punctuation).
const GAPS: &[Option<&str>] = &[
    Some(" "),
    Some("\n"),
    Some("  "),
    Some("\t"),
    Some("\n\n"),
    Some("#"), // a comment up to the end of the line
    Some("\n  #"),
    Some("\r\n"),
    None,
    Some("\n \n\n"),
    Some(" "),
    Some("\n    "),
    Some("\u{FEFF}"),
];

/// Random scenarios: items, gap choices, comment texts, whether the file starts with a BOM and
/// how it ends.
pub fn scenario() -> BoxedStrategy<Generated> {
    (vec(top_item(), 0..7), vec(0..GAPS.len(), 1..48), vec("[^\n]{0,10}", 1..6), any::<bool>(), 0..3usize)
        .prop_map(|(items, gaps, bodies, bom, ending)| render(items, &gaps, &bodies, bom, ending))
        .boxed()
}

fn render(items: Vec<Vec<Tok>>, gaps: &[usize], bodies: &[String], bom: bool, ending: usize) -> Generated {
    let mut text = String::new();
    let mut comments = Vec::new();
    let mut choice = 0;
    let next_gap = |choice: &mut usize| {
        *choice += 1;
        GAPS[gaps[*choice % gaps.len()]]
    };
    if bom {
        text.push('\u{FEFF}');
    }
    let mut previous: Option<bool> = None; // whether the last token was punctuation
    for tok in items.into_iter().flatten() {
        let (piece, punct) = match tok {
            Tok::Word(s) => (s, false),
            Tok::Punct(s) => (s.to_string(), true),
            Tok::Sep => {
                if next_gap(&mut choice).is_some_and(|g| g.contains('\n')) {
                    continue;
                }
                (";".to_string(), true)
            }
        };
        if let Some(previous_punct) = previous {
            let gap = match next_gap(&mut choice) {
                None if previous_punct || punct => "",
                None => " ",
                Some(gap) => gap,
            };
            if let Some(prefix) = gap.strip_suffix('#') {
                let marker = format!("#C{}:{}", comments.len(), bodies[comments.len() % bodies.len()]);
                text.push_str(prefix);
                text.push(' ');
                text.push_str(&marker);
                text.push('\n');
                comments.push(marker);
            } else {
                text.push_str(gap);
            }
        }
        text.push_str(&piece);
        previous = Some(punct);
    }
    match ending {
        0 => text.push('\n'),
        1 => {
            let marker = format!("#C{}:end", comments.len());
            text.push_str(&format!("\n\n{marker}"));
            comments.push(marker);
        }
        _ => {}
    }
    Generated { text, comments }
}
