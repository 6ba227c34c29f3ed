//! The operator's lists: one entry per node, function or attack, separated by `:` (2024 layout)
//! or `;` (later layout). Which one a file uses is decided once, from the lists that must split.

use super::env_file::EnvFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::parser::span::{Span, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// `a:b:c`, the 2024 layout (`dfaasoperator.env`).
    Colon,
    /// `a;b;c`, the later layout (`operator.env`).
    Semicolon,
}

impl Separator {
    pub fn char(self) -> char {
        match self {
            Separator::Colon => ':',
            Separator::Semicolon => ';',
        }
    }

    pub fn layout(self) -> &'static str {
        match self {
            Separator::Colon => "the operator's 2024 layout",
            Separator::Semicolon => "the operator's later layout",
        }
    }
}

/// The separator of a file and the variable it was decided from.
#[derive(Debug, Clone)]
pub struct Detected {
    pub separator: Separator,
    /// The first list (in file order) that holds the separator; `None` when no list has two
    /// entries and the 2024 layout's `:` was assumed.
    pub evidence: Option<Spanned<String>>,
}

/// Lists whose entries can hold neither `:` nor `;` (names, numbers, methods): the separator
/// found in them is the file's.
const DECIDING: &[&str] = &[
    "ATTACKS_NAME",
    "ATTACKS_DELAY",
    "ATTACKS_METHOD",
    "ATTACKS_RATE",
    "ATTACKS_DURATION",
    "FUNCS_NAMES",
    "FUNCS_LIMITS",
];

/// Lists whose entries may hold a `:` (`host:port`, `image:tag`, free text): looked at only when
/// the deciding lists have one entry each.
const OTHERS: &[&str] = &["NODES", "ATTACKS_TARGET", "FUNCS_IMAGES", "ATTACKS_BODY"];

/// Decides the separator of `file`. Lists that use both `:` and `;` are an error.
pub fn detect(file: &EnvFile) -> Result<Detected, Diagnostic> {
    let in_order = |names: &[&str]| -> Vec<Spanned<String>> {
        let mut found: Vec<Spanned<String>> = file
            .entries
            .iter()
            .filter(|e| names.contains(&e.name.node.as_str()))
            .filter(|e| file.get(&e.name.node).is_some_and(|last| last.name.span == e.name.span))
            .filter_map(|e| e.value.as_ref().map(|v| Spanned::new(v.span, e.name.node.clone())))
            .collect();
        found.sort_by_key(|v| v.span.start);
        found
    };
    let holding = |names: &[&str], c: char| {
        in_order(names).into_iter().find(|name| file.value(&name.node).is_some_and(|v| v.node.contains(c)))
    };
    match (holding(DECIDING, ':'), holding(DECIDING, ';')) {
        (Some(colon), Some(semicolon)) => Err(Diagnostic::error(
            Code::Conflict,
            format!("`{}` is separated by `:` but `{}` by `;`", colon.node, semicolon.node),
        )
        .label(colon.span, "`:` here")
        .label(semicolon.span, "`;` here")
        .help("a file uses one separator for all its lists: `:` (2024 layout) or `;` (later layout)")),
        (Some(colon), None) => Ok(Detected { separator: Separator::Colon, evidence: Some(colon) }),
        (None, Some(semicolon)) => Ok(Detected { separator: Separator::Semicolon, evidence: Some(semicolon) }),
        (None, None) => Ok(match holding(OTHERS, ';') {
            Some(semicolon) => Detected { separator: Separator::Semicolon, evidence: Some(semicolon) },
            None => Detected { separator: Separator::Colon, evidence: None },
        }),
    }
}

/// Splits a value like the operator's `IFS=: read -r -a list`: an empty value is no entry, a
/// separator at the very end adds no empty entry, spaces are kept. Each entry keeps its span.
pub fn split(value: &Spanned<String>, separator: Separator) -> Vec<Spanned<String>> {
    let text = value.node.as_str();
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix(separator.char()).unwrap_or(text);
    let mut entries = Vec::new();
    let mut from = 0;
    for part in body.split(separator.char()) {
        let start = value.span.start + from;
        entries.push(Spanned::new(Span::new(value.span.file, start, start + part.len()), part.to_string()));
        from += part.len() + 1;
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::env_file::read_env_file;
    use crate::parser::span::FileId;

    fn detected(text: &str) -> Result<Separator, Code> {
        let (file, _) = read_env_file(text, FileId(0));
        detect(&file).map(|d| d.separator).map_err(|d| d.code)
    }

    #[test]
    fn the_separator_comes_from_lists_that_cannot_hold_it() {
        assert_eq!(detected("NODES=a:b:c\nATTACKS_NAME=x:y\n"), Ok(Separator::Colon));
        assert_eq!(detected("NODES=a:80;b:80\nATTACKS_NAME=x;y\n"), Ok(Separator::Semicolon));
        // One attack: the nodes decide, and `host:port` entries do not fool them.
        assert_eq!(detected("NODES=a:8080;b:8080\nATTACKS_NAME=x\n"), Ok(Separator::Semicolon));
        assert_eq!(detected("NODES=a\nATTACKS_NAME=x\n"), Ok(Separator::Colon));
        assert_eq!(detected("ATTACKS_NAME=x;y\nATTACKS_RATE=1:2\n"), Err(Code::Conflict));
    }

    #[test]
    fn splitting_follows_bash_read() {
        let text = "a::b c:";
        let value = Spanned::new(Span::new(FileId(0), 10, 10 + text.len()), text.to_string());
        let entries = split(&value, Separator::Colon);
        let parts: Vec<(&str, usize, usize)> =
            entries.iter().map(|e| (e.node.as_str(), e.span.start, e.span.end)).collect();
        assert_eq!(parts, [("a", 10, 11), ("", 12, 12), ("b c", 13, 16)]);
        let empty = Spanned::new(Span::default(), String::new());
        assert!(split(&empty, Separator::Semicolon).is_empty());
    }
}
