//! Helpers every checking pass shares: duplicate and repeated declarations, known names with a
//! did-you-mean, URLs, headers and HTTP methods.

use super::Checker;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::*;
use crate::parser::ast::{self, Ident, KeyValue};
use crate::parser::span::{Span, Spanned};
use std::collections::BTreeMap;

/// Known HTTP methods (others are refused with a suggestion).
pub const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"];

impl Checker<'_> {
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
    pub(super) fn pair(&self, kv: &KeyValue, what: &str) -> Option<Header> {
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
}
