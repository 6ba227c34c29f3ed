//! Tokens and literal strategies for the random scenarios of `scenario_gen`: names, strings, raw
//! strings, interpolations and every unit literal, as `grammar/dfs.pest` accepts them.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

/// A token of a generated scenario. `Sep` is the optional `;` after a block item.
#[derive(Debug, Clone)]
pub enum Tok {
    Word(String),
    Punct(&'static str),
    Sep,
}

pub type Toks = BoxedStrategy<Vec<Tok>>;

pub fn w(s: impl Into<String>) -> Tok {
    Tok::Word(s.into())
}

pub fn p(s: &'static str) -> Tok {
    Tok::Punct(s)
}

pub fn words(list: &[&str]) -> Vec<Tok> {
    list.iter().map(|s| w(*s)).collect()
}

pub fn cat(parts: Vec<Vec<Tok>>) -> Vec<Tok> {
    parts.into_iter().flatten().collect()
}

const KEYWORD_NAMES: &[&str] =
    &["on", "off", "node", "rate", "health", "attack", "body", "as", "for", "every", "status"];

pub fn ident() -> BoxedStrategy<String> {
    prop_oneof![4 => "[A-Za-z_][A-Za-z0-9_-]{0,6}", 1 => select(KEYWORD_NAMES).prop_map(String::from)].boxed()
}

pub fn ident_list() -> Toks {
    vec(ident(), 1..4)
        .prop_map(|names| {
            let mut out = Vec::new();
            for (i, name) in names.into_iter().enumerate() {
                if i > 0 {
                    out.push(p(","));
                }
                out.push(w(name));
            }
            out
        })
        .boxed()
}

/// `${NAME}` or `${NAME:-default}`; `multiline` defaults may hold line breaks (raw strings only).
pub fn interp(multiline: bool) -> BoxedStrategy<String> {
    let default = if multiline { "[^}]{0,8}" } else { "[^}\n]{0,8}" };
    ("[A-Za-z_][A-Za-z0-9_]{0,5}", option::of(default))
        .prop_map(|(name, default)| match default {
            None => format!("${{{name}}}"),
            Some(d) => format!("${{{name}:-{d}}}"),
        })
        .boxed()
}

pub fn string() -> BoxedStrategy<String> {
    let part = prop_oneof![
        4 => "[a-z0-9 #{};:/'.é→\t-]{1,6}",
        1 => select(&["\\n", "\\t", "\\r", "\\\"", "\\\\", "\\$", "\\u{1F600}", "\\u{e9}"][..]).prop_map(String::from),
        1 => interp(false),
    ];
    vec(part, 0..4).prop_map(|parts| format!("\"{}\"", parts.concat())).boxed()
}

#[derive(Debug, Clone)]
enum RawPart {
    Text(String),
    Interp(String),
}

/// `"""..."""`: any text (line breaks and quotes included) except `"""`, with interpolations.
pub fn raw_string() -> BoxedStrategy<String> {
    let part = prop_oneof![
        3 => "[a-z \n\"#{};\r\t]{1,10}".prop_map(RawPart::Text),
        1 => interp(true).prop_map(RawPart::Interp),
    ];
    vec(part, 0..4)
        .prop_map(|parts| {
            let mut body = String::new();
            let mut run = String::new();
            for part in parts {
                match part {
                    RawPart::Text(text) => run.push_str(&text),
                    RawPart::Interp(interp) => {
                        body.push_str(&without_triple_quotes(&run));
                        run.clear();
                        body.push_str(&interp);
                    }
                }
            }
            let mut run = without_triple_quotes(&run);
            // A raw string cannot end with a quote: it would merge with the closing `"""`.
            if run.ends_with('"') {
                run.push('z');
            }
            format!("\"\"\"{body}{run}\"\"\"")
        })
        .boxed()
}

fn without_triple_quotes(text: &str) -> String {
    let mut text = text.to_string();
    while text.contains("\"\"\"") {
        text = text.replace("\"\"\"", "\"x\"");
    }
    text
}

pub fn str_value() -> BoxedStrategy<String> {
    prop_oneof![4 => string(), 1 => raw_string()].boxed()
}

pub fn duration() -> BoxedStrategy<String> {
    let segment = ("-?[0-9][0-9_]{0,2}(\\.[0-9]{1,2})?", select(&["ms", "us", "µs", "ns", "s", "m", "h"][..]))
        .prop_map(|(n, u)| format!("{n}{u}"));
    vec(segment, 1..3).prop_map(|s| s.concat()).boxed()
}

pub fn rate() -> BoxedStrategy<String> {
    "-?[0-9]{1,4}(\\.[0-9]{1,2})?/[smh]".boxed()
}

pub fn percent() -> BoxedStrategy<String> {
    "-?[0-9]{1,3}(\\.[0-9]{1,2})?%".boxed()
}

pub fn size() -> BoxedStrategy<String> {
    ("[0-9][0-9_]{0,3}", select(&["KiB", "MiB", "GiB", "KB", "MB", "GB", "B"][..]))
        .prop_map(|(n, u)| format!("{n}{u}"))
        .boxed()
}

pub fn int() -> BoxedStrategy<String> {
    "[0-9][0-9_]{0,4}".boxed()
}

pub fn number() -> BoxedStrategy<String> {
    "-?[0-9][0-9_]{0,3}(\\.[0-9]{1,3})?".boxed()
}

pub fn status_pat() -> BoxedStrategy<String> {
    prop_oneof!["[0-9]{3}\\.\\.[0-9]{3}", "[1-9]xx", int(), interp(false)].boxed()
}

pub fn or_interp(value: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![4 => value, 1 => interp(false)].boxed()
}

/// Any `literal` (let values, expect thresholds).
pub fn literal() -> BoxedStrategy<String> {
    prop_oneof![interp(false), raw_string(), string(), duration(), rate(), percent(), size(), "[1-9]xx", number()]
        .boxed()
}

pub fn status_list() -> Toks {
    vec(status_pat(), 1..4)
        .prop_map(|pats| {
            let mut out = Vec::new();
            for (i, pat) in pats.into_iter().enumerate() {
                if i > 0 {
                    out.push(p(","));
                }
                out.push(w(pat));
            }
            out
        })
        .boxed()
}

pub fn cmp_op() -> BoxedStrategy<&'static str> {
    select(&["<", "<=", ">", ">=", "==", "!="][..]).boxed()
}
