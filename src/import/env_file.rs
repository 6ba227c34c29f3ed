//! Docker's env-file format as the DFaaS operator reads it (`docker run --env-file`): `NAME=VALUE`
//! lines and `#` comment lines, no quoting; read with spans, trailing ` # ...` remarks taken apart.

use crate::diagnostic::{Code, Diagnostic};
use crate::parser::span::{FileId, Span, Spanned};

/// One `NAME=VALUE` (or bare `NAME`) line. A trailing remark is not kept (only warned about).
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: Spanned<String>,
    /// The value as the operator should have seen it: the text after `=`, without a trailing
    /// remark. `None` for a bare `NAME` line (Docker then takes the value from its environment).
    pub value: Option<Spanned<String>>,
}

/// The entries of an env file in file order, the last one of each name winning (like Docker).
#[derive(Debug, Clone, Default)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
}

impl EnvFile {
    /// The entry that sets `name` (the last one, when set twice).
    pub fn get(&self, name: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.name.node == name)
    }

    /// The value of `name`, when set with `=`.
    pub fn value(&self, name: &str) -> Option<&Spanned<String>> {
        self.get(name).and_then(|e| e.value.as_ref())
    }
}

/// Reads an env file the way Docker does: a byte order mark at the start is dropped, each line's
/// leading whitespace is dropped, blank lines and lines starting with `#` are comments, and a
/// value is everything after the first `=`, untrimmed and unquoted. A ` # ...` remark after a
/// value is split off (with a warning: Docker keeps it in the value).
pub fn read_env_file(text: &str, file: FileId) -> (EnvFile, Vec<Diagnostic>) {
    let mut entries: Vec<EnvEntry> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let mut line = raw.strip_suffix('\n').unwrap_or(raw);
        line = line.strip_suffix('\r').unwrap_or(line);
        let mut start = line_start;
        if line_start == 0 {
            if let Some(rest) = line.strip_prefix('\u{FEFF}') {
                start += line.len() - rest.len();
                line = rest;
            }
        }
        let trimmed = line.trim_start();
        start += line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let span = |from: usize, to: usize| Span::new(file, start + from, start + to);
        let (name_text, value_text) = match trimmed.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (trimmed, None),
        };
        let name_span = span(0, name_text.len());
        if name_text.is_empty() || name_text.contains(char::is_whitespace) {
            let problem = if name_text.is_empty() { "has no variable name" } else { "has a space in its name" };
            diagnostics.push(
                Diagnostic::error(Code::Syntax, format!("this line {problem}"))
                    .label(span(0, trimmed.len()), "not `NAME=VALUE`")
                    .help("every line is `NAME=VALUE` or a `#` comment; Docker's --env-file refuses this line too"),
            );
            continue;
        }
        let name = Spanned::new(name_span, name_text.to_string());
        let value_start = name_text.len() + 1;
        let (value, remark) = match value_text {
            None => (None, None),
            Some(v) => match remark_start(v) {
                Some(at) => {
                    let kept = v[..at].trim_end();
                    let remark_text = v[at..].trim_start();
                    let remark_from = value_start + v.len() - remark_text.len();
                    (
                        Some(Spanned::new(span(value_start, value_start + kept.len()), kept.to_string())),
                        Some(Spanned::new(span(remark_from, value_start + v.len()), remark_text.to_string())),
                    )
                }
                None => (Some(Spanned::new(span(value_start, value_start + v.len()), v.to_string())), None),
            },
        };
        if let (Some(remark), Some(value)) = (&remark, &value) {
            diagnostics.push(remark_warning(&name.node, value, remark));
        }
        if let Some(value) = value.as_ref().filter(|v| is_quoted(&v.node)) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::Syntax,
                    format!("`{}` is quoted: the quotes are part of its value", name.node),
                )
                .label(value.span, "quotes kept, as Docker keeps them")
                .help("Docker's --env-file does not remove quotes (a shell or docker compose would): remove them"),
            );
        }
        if let Some(first) = entries.iter().find(|e| e.name.node == name.node) {
            diagnostics.push(
                Diagnostic::warning(Code::Duplicate, format!("`{}` is set twice; the last value is used", name.node))
                    .label(name.span, "set again here")
                    .label(first.name.span, "first set here")
                    .help("Docker keeps the last value too; delete the line you do not mean"),
            );
        }
        entries.push(EnvEntry { name, value });
    }
    (EnvFile { entries }, diagnostics)
}

/// `"..."` or `'...'`: quotes a shell would remove, Docker's env-file keeps.
fn is_quoted(value: &str) -> bool {
    value.len() >= 2 && ['"', '\''].iter().any(|&q| value.starts_with(q) && value.ends_with(q))
}

/// Where a trailing remark starts: the first `#` preceded by whitespace (or opening the value).
fn remark_start(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    let hash = bytes.iter().enumerate().find(|&(i, &b)| b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))?;
    let mut at = hash.0;
    while at > 0 && bytes[at - 1].is_ascii_whitespace() {
        at -= 1;
    }
    Some(at)
}

fn remark_warning(name: &str, value: &Spanned<String>, remark: &Spanned<String>) -> Diagnostic {
    let docker_value = format!("{} {}", value.node, remark.node);
    Diagnostic::warning(
        Code::TrailingRemark,
        format!("the remark `{}` after `{name}` is part of its value", remark.node),
    )
    .label(remark.span, "not a comment in an env file: dropped here")
    .help(format!(
        "Docker's --env-file has no trailing comments: the operator saw `{name}={docker_value}`; \
             move the remark to a line of its own"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (EnvFile, Vec<Diagnostic>) {
        read_env_file(text, FileId(0))
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn lines_are_read_like_docker() {
        let text = "\u{FEFF}# comment\n\n  NODES=a:b\r\nBODY= spaced \"quoted\" \nBARE\nEMPTY=\nEQ=a=b\n";
        let (file, diagnostics) = read(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let names: Vec<&str> = file.entries.iter().map(|e| e.name.node.as_str()).collect();
        assert_eq!(names, ["NODES", "BODY", "BARE", "EMPTY", "EQ"]);
        let nodes = file.value("NODES").expect("NODES");
        assert_eq!((nodes.node.as_str(), at(text, nodes.span)), ("a:b", "a:b"));
        assert_eq!(file.value("BODY").map(|v| v.node.as_str()), Some(" spaced \"quoted\" "));
        assert!(file.get("BARE").is_some_and(|e| e.value.is_none()));
        assert_eq!(file.value("EMPTY").map(|v| v.node.as_str()), Some(""));
        assert_eq!(file.value("EQ").map(|v| v.node.as_str()), Some("a=b"));
    }

    #[test]
    fn trailing_remarks_are_split_off_with_a_warning() {
        let text = "ATTACKS_DELAY=0:300 # in seconds\nTAG=v#1\nW=   # only a remark\n";
        let (file, diagnostics) = read(text);
        let delay = file.get("ATTACKS_DELAY").expect("entry");
        assert_eq!(delay.value.as_ref().map(|v| at(text, v.span)), Some("0:300"));
        assert_eq!(diagnostics[0].primary_span().map(|s| at(text, s)), Some("# in seconds"));
        assert_eq!(file.value("TAG").map(|v| v.node.as_str()), Some("v#1"), "a `#` inside a word stays");
        assert_eq!(file.value("W").map(|v| v.node.as_str()), Some(""));
        assert_eq!(diagnostics.len(), 2);
        assert!(diagnostics.iter().all(|d| d.code == Code::TrailingRemark && !d.is_error()));
        assert!(diagnostics[0].help.as_deref().is_some_and(|h| h.contains("ATTACKS_DELAY=0:300 # in seconds")));
    }

    #[test]
    fn quoted_values_keep_their_quotes_with_a_warning() {
        let (file, diagnostics) = read("NODES=\"127.0.0.2\"\nBODY='hi'\nEMPTY=\"\nSAY=a \"b\"\n");
        assert_eq!(file.value("NODES").map(|v| v.node.as_str()), Some("\"127.0.0.2\""));
        let warned: Vec<(&str, bool)> = diagnostics.iter().map(|d| (d.message.as_str(), d.is_error())).collect();
        assert_eq!(
            warned,
            [
                ("`NODES` is quoted: the quotes are part of its value", false),
                ("`BODY` is quoted: the quotes are part of its value", false)
            ]
        );
    }

    #[test]
    fn bad_names_and_repeats_are_diagnostics() {
        let text = "=1\nMY VAR=2\nA=1\nA=2\n";
        let (file, diagnostics) = read(text);
        let codes: Vec<(Code, bool)> = diagnostics.iter().map(|d| (d.code, d.is_error())).collect();
        assert_eq!(codes, [(Code::Syntax, true), (Code::Syntax, true), (Code::Duplicate, false)]);
        assert_eq!(file.value("A").map(|v| v.node.as_str()), Some("2"), "the last one wins");
    }
}
