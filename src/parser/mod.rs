//! Text → AST. The pest grammar in `grammar/dfs.pest` drives parsing; `lower` builds the AST with
//! spans; syntax errors become diagnostics, and parsing resumes at the next top-level declaration.

pub mod ast;
pub mod format;
mod lower;
pub mod span;

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
                let at = offset + error_offset(&error);
                errors.push(syntax_diagnostic(&error, file, offset, text));
                match next_declaration(text, at) {
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

fn error_offset(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// The byte offset of the next line after `from` that starts (unindented) with a top-level keyword.
fn next_declaration(text: &str, from: usize) -> Option<usize> {
    let mut line_start = text[from..].find('\n').map(|i| from + i + 1)?;
    while line_start < text.len() {
        let line = &text[line_start..];
        if TOP_LEVEL_KEYWORDS.iter().any(|kw| {
            line.starts_with(kw) && !line[kw.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-')
        }) {
            return Some(line_start);
        }
        line_start = match line.find('\n') {
            Some(i) => line_start + i + 1,
            None => return None,
        };
    }
    None
}

fn syntax_diagnostic(error: &pest::error::Error<Rule>, file: FileId, offset: usize, text: &str) -> Diagnostic {
    let start = offset + error_offset(error);
    let end = token_end(text, start);
    let found = if start >= text.len() { "end of file".to_string() } else { format!("`{}`", &text[start..end]) };
    let (message, help) = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let expected = describe_expected(positives);
            (format!("unexpected {found}"), format!("expected {expected}"))
        }
        pest::error::ErrorVariant::CustomError { message } => (message.clone(), String::new()),
    };
    let mut diagnostic = Diagnostic::error(Code::Syntax, message).label(Span::new(file, start, end), "here");
    if !help.is_empty() {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// End of the word or symbol at `start`, for the label under an unexpected token.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => start,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            let len = rest
                .char_indices()
                .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            start + len
        }
        Some((_, c)) => start + c.len_utf8(),
    }
}

/// "a duration (like `10s`)" for the rules pest says it expected.
fn describe_expected(rules: &[Rule]) -> String {
    let mut names: Vec<String> = Vec::new();
    for rule in rules {
        let name = rule_description(*rule);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => "something else".to_string(),
        1 => names.remove(0),
        _ => {
            let last = names.pop().unwrap_or_default();
            format!("{} or {}", names.join(", "), last)
        }
    }
}

fn rule_description(rule: Rule) -> String {
    let debug = format!("{rule:?}");
    if let Some(keyword) = debug.strip_prefix("kw_") {
        return format!("`{}`", keyword.replace('_', "-"));
    }
    match rule {
        Rule::EOI => "end of file".into(),
        Rule::ident | Rule::ident_list => "a name".into(),
        Rule::str_value | Rule::string | Rule::raw_string => "a string (like \"/path\")".into(),
        Rule::duration_value | Rule::duration => "a duration (like `10s` or `250ms`)".into(),
        Rule::rate_value | Rule::rate => "a rate (like `100/s`)".into(),
        Rule::percent_value | Rule::percent => "a percentage (like `99.5%`)".into(),
        Rule::size_value | Rule::size => "a size (like `4KiB`)".into(),
        Rule::int_value | Rule::int => "a whole number".into(),
        Rule::number => "a number".into(),
        Rule::status_list | Rule::status_range | Rule::status_class => {
            "a status (like `200`, `2xx` or `200..399`)".into()
        }
        Rule::method => "an HTTP method (like `GET`)".into(),
        Rule::cmp_op => "a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`)".into(),
        Rule::metric | Rule::metric_name => "a metric (like `p99(attack)`)".into(),
        Rule::literal => "a value".into(),
        Rule::interp => "`${VARIABLE}`".into(),
        Rule::stage | Rule::ramp_stage | Rule::hold_stage | Rule::step_stage => {
            "a stage (`ramp`, `hold` or `step`)".into()
        }
        Rule::item => "a declaration (`node`, `attack`, `health`, ...)".into(),
        _ => debug.replace('_', " "),
    }
}

/// Parses `text` as a single value of the given rule (used for `${VAR}` in value positions).
pub fn parse_value(rule: Rule, text: &str) -> Option<String> {
    let pairs = DfsParser::parse(rule, text).ok()?;
    let pair = pairs.peek()?;
    (pair.as_str().len() == text.len()).then(|| pair.as_str().to_string())
}
