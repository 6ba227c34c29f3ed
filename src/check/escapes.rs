//! `\u{...}` escapes that name no character: the grammar accepts any 1 to 6 hex digits, so code
//! points past U+10FFFF and UTF-16 surrogates are caught here, with a label on the escape itself.

use crate::diagnostic::{Code, Diagnostic};
use crate::parser::ast::*;
use crate::parser::span::{Span, Spanned};

/// Reports every invalid `\u{...}` escape in the strings of `file`.
pub fn check(file: &File, diagnostics: &mut Vec<Diagnostic>) {
    let mut strings = Vec::new();
    for item in &file.items {
        item_strings(&item.node, &mut strings);
    }
    for (span, s) in strings {
        invalid_escapes(span, &s.raw, diagnostics);
    }
}

/// Scans a string's source text (`raw`, which starts at `span.start`) for escapes. Raw strings
/// (`"""..."""`) have no escapes; `${...}` holds a variable, not text.
fn invalid_escapes(span: Span, raw: &str, diagnostics: &mut Vec<Diagnostic>) {
    if raw.starts_with("\"\"\"") {
        return;
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"${") {
            i = raw[i..].find('}').map_or(bytes.len(), |end| i + end + 1);
        } else if bytes[i] == b'\\' {
            let escape_end = unicode_escape_end(&raw[i..]).map_or(i + 2, |len| i + len);
            if let Some(len) = unicode_escape_end(&raw[i..]) {
                let hex = &raw[i + 3..i + len - 1];
                if u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).is_none() {
                    diagnostics.push(
                        Diagnostic::error(Code::Syntax, format!("`\\u{{{hex}}}` is not a Unicode character"))
                            .label(Span::new(span.file, span.start + i, span.start + i + len), "no such character")
                            .help("write a code point from 0 to 10FFFF outside D800–DFFF (the UTF-16 surrogates), like `\\u{1F600}`"),
                    );
                }
            }
            i = escape_end;
        } else {
            i += 1;
        }
    }
}

/// The length of a `\u{hex}` escape at the start of `text`, if it is one.
fn unicode_escape_end(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\\u{")?;
    let close = rest.find('}')?;
    rest[..close].chars().all(|c| c.is_ascii_hexdigit()).then_some(3 + close + 1)
}

fn str_of<'a>(s: &'a Spanned<Str>, out: &mut Vec<(Span, &'a Str)>) {
    out.push((s.span, &s.node));
}

fn literal<'a>(lit: &'a Spanned<Literal>, out: &mut Vec<(Span, &'a Str)>) {
    if let Literal::Str(s) = &lit.node {
        out.push((lit.span, s));
    }
}

fn pair<'a>(kv: &'a KeyValue, out: &mut Vec<(Span, &'a Str)>) {
    str_of(&kv.key, out);
    str_of(&kv.value, out);
}

fn request<'a>(req: &'a RequestDecl, out: &mut Vec<(Span, &'a Str)>) {
    str_of(&req.target, out);
    for item in &req.items {
        match &item.node {
            RequestItem::Header(kv) => pair(kv, out),
            RequestItem::Body(s) | RequestItem::BodyFile(s) | RequestItem::Feeder(s, _) => str_of(s, out),
        }
    }
}

/// Every string literal of a declaration, with its span.
fn item_strings<'a>(item: &'a Item, out: &mut Vec<(Span, &'a Str)>) {
    match item {
        Item::Scenario(s) | Item::Import(s) => str_of(s, out),
        Item::Let(decl) => literal(&decl.value, out),
        Item::Node(decl) => {
            for item in &decl.items {
                match &item.node {
                    NodeItem::Url(s) => str_of(s, out),
                    NodeItem::Header(kv) => pair(kv, out),
                    NodeItem::Demo(items) => {
                        for demo in items {
                            if let DemoItem::Server(s) = &demo.node {
                                str_of(s, out);
                            }
                        }
                    }
                    NodeItem::Gateway(items) => {
                        for gateway in items {
                            match &gateway.node {
                                GatewayItem::Url(s) | GatewayItem::User(s) | GatewayItem::Password(s) => str_of(s, out),
                            }
                        }
                    }
                }
            }
        }
        Item::Function(decl) => {
            for item in &decl.items {
                match &item.node {
                    FunctionItem::Image(s) | FunctionItem::Service(s) => str_of(s, out),
                    FunctionItem::Label(kv) | FunctionItem::Env(kv) => pair(kv, out),
                }
            }
        }
        Item::Health(decl) => {
            for item in &decl.items {
                match &item.node {
                    HealthItem::Request(req) => request(req, out),
                    HealthItem::ExpectBody(_, s) => str_of(s, out),
                    HealthItem::ExpectJson(path, _, value) => {
                        str_of(path, out);
                        if let JsonValue::Str(s) = &value.node {
                            out.push((value.span, s));
                        }
                    }
                    _ => {}
                }
            }
        }
        Item::Deploy(decl) | Item::Teardown(decl) => {
            for item in &decl.items {
                if let DeployItem::Label(kv) = &item.node {
                    pair(kv, out);
                }
            }
        }
        Item::Attack(decl) => {
            for item in &decl.items {
                match &item.node {
                    AttackItem::Request(req) => request(req, out),
                    AttackItem::RecordHeader(s) | AttackItem::Targets(s) => str_of(s, out),
                    _ => {}
                }
            }
        }
        Item::Report(decl) => {
            for item in &decl.items {
                match &item.node {
                    ReportItem::Template(path, output) => {
                        str_of(path, out);
                        if let Some(o) = output {
                            str_of(o, out);
                        }
                    }
                    ReportItem::Output(s) => str_of(s, out),
                    ReportItem::Formats(_) | ReportItem::Plots(_) => {}
                }
            }
        }
        Item::Expect(decl) => literal(&decl.value, out),
        Item::Notify(decl) => {
            str_of(&decl.url, out);
            for item in &decl.items {
                match &item.node {
                    NotifyItem::Template(path, output) => {
                        str_of(path, out);
                        if let Some(o) = output {
                            str_of(o, out);
                        }
                    }
                    NotifyItem::Header(kv) => pair(kv, out),
                    _ => {}
                }
            }
        }
        Item::Wait(_) => {}
    }
}
