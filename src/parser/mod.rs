//! Text → AST. The pest grammar in `grammar/dfs.pest` drives parsing; `lower` builds the AST with
//! spans; syntax errors become diagnostics, and parsing resumes at the next top-level declaration.

pub mod ast;
pub mod format;
mod lower;
pub mod span;
mod syntax_error;

use crate::diagnostic::{Code, Diagnostic};
use pest::Parser as _;
use span::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/dfs.pest"]
pub struct DfsParser;

/// Keywords that may open a top-level declaration; used to resume after a syntax error.
pub const TOP_LEVEL_KEYWORDS: &[&str] = &[
    "scenario", "import", "let", "node", "function", "health", "deploy", "teardown", "wait", "attack", "report",
    "expect", "notify",
];

/// Parses one file. On syntax errors, returns every error found (one per broken declaration).
pub fn parse_file(text: &str, file: FileId) -> Result<ast::File, Vec<Diagnostic>> {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    while offset <= text.len() {
        match DfsParser::parse(Rule::file, &text[offset..]) {
            Ok(mut pairs) => {
                let file_pair = pairs.next().expect("grammar: `file` always yields one pair");
                items.extend(lower::lower_file(file_pair, file, offset).items);
                break;
            }
            Err(error) => {
                if errors.len() == MAX_SYNTAX_ERRORS {
                    let at = offset + syntax_error::error_offset(&error);
                    errors.push(
                        Diagnostic::error(
                            Code::Syntax,
                            format!("too many syntax errors: stopped after {MAX_SYNTAX_ERRORS}"),
                        )
                        .label(
                            Span::new(file, at, text[at..].chars().next().map_or(at, |c| at + c.len_utf8())),
                            "not checked from here",
                        )
                        .help("fix the errors above, then check again"),
                    );
                    break;
                }
                let (diagnostic, at) = syntax_error::diagnostic(&error, file, offset, text);
                errors.push(diagnostic);
                match next_declaration(text, at, offset) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(ast::File { items })
    } else {
        Err(errors)
    }
}

/// Past the longest file (4 MiB of broken lines), reporting stops: the rest is noise.
const MAX_SYNTAX_ERRORS: usize = 100;

/// Where parsing resumes after an error at `from`: the next line that starts (unindented) with a
/// top-level keyword — the line of the error itself when the error is that keyword (a block left
/// open before it), as long as it is past `parsed_from` (so that parsing always moves on).
fn next_declaration(text: &str, from: usize, parsed_from: usize) -> Option<usize> {
    let starts_declaration = |line: &str| {
        TOP_LEVEL_KEYWORDS.iter().any(|kw| {
            line.starts_with(kw) && !line[kw.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
        })
    };
    let error_line = text[..from].rfind('\n').map_or(0, |i| i + 1);
    if error_line == from && from > parsed_from && starts_declaration(&text[from..]) {
        return Some(from);
    }
    let mut line_start = text[from..].find('\n').map(|i| from + i + 1)?;
    while line_start < text.len() {
        let line = &text[line_start..];
        if starts_declaration(line) {
            return Some(line_start);
        }
        line_start = match line.find('\n') {
            Some(i) => line_start + i + 1,
            None => return None,
        };
    }
    None
}

/// Parses `text` as a single value of the given rule (used for `${VAR}` in value positions).
pub fn parse_value(rule: Rule, text: &str) -> Option<String> {
    let pairs = DfsParser::parse(rule, text).ok()?;
    let pair = pairs.peek()?;
    (pair.as_str().len() == text.len()).then(|| pair.as_str().to_string())
}
