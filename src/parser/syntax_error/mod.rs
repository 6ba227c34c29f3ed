//! Syntax errors → diagnostics: the token found, what the grammar expected there, and a way out —
//! "did you mean …?" for misspelt keywords, unclosed blocks and strings, numbers without a unit.

mod expected;
mod scan;
mod tokens;

use super::{parse_value, DfsParser, Rule, TOP_LEVEL_KEYWORDS};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::parser::span::{FileId, Span};
use expected::{is_value, keyword, rule_description, UnitKind};
use pest::error::{Error, ErrorVariant, InputLocation};
use pest::Parser as _;
use scan::Scan;
use tokens::{escape_end, last_token_start, next_char_end, token_end, value_end, word_end};

const ESCAPES: &str = "escapes are `\\n`, `\\t`, `\\r`, `\\\"`, `\\\\`, `\\$` and `\\u{1F600}`";

/// The byte offset of a pest error in the text it was given.
pub(super) fn error_offset(error: &Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
}

/// The diagnostic for a pest error met while parsing `text[from..]` (offsets are in `text`).
/// Also returns where the error is, which may be further than pest's location: parsing resumes
/// after it.
pub(super) fn diagnostic(error: &Error<Rule>, file: FileId, from: usize, text: &str) -> (Diagnostic, usize) {
    let at = (from + error_offset(error)).min(text.len());
    let attempts = token_attempts(text, from);
    let site = match attempts {
        // pest places the error where a rule failed last; when a literal token (`{`, `=`, `->`)
        // failed further on, that token is the one to point at.
        Some((max, tokens)) if max > word_end(text, at).max(next_char_end(text, at)) => {
            Site { text, file, at: max, scan: Scan::new(text, from, max), expected: Vec::new(), tokens }
        }
        Some((max, tokens)) if max == at => {
            Site { text, file, at, scan: Scan::new(text, from, at), expected: positives(error), tokens }
        }
        _ => Site { text, file, at, scan: Scan::new(text, from, at), expected: positives(error), tokens: Vec::new() },
    };
    let diagnostic = site
        .in_string()
        .or_else(|| site.unclosed_block())
        .or_else(|| site.unit_value())
        .or_else(|| site.unknown_word())
        .unwrap_or_else(|| site.unexpected());
    (diagnostic, site.at)
}

fn positives(error: &Error<Rule>) -> Vec<Rule> {
    match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    }
}

/// Where the furthest literal token failed when parsing `text[from..]` again with pest's error
/// detail on, and which structural tokens (`{`, `,`, `->`, keywords) were expected there.
fn token_attempts(text: &str, from: usize) -> Option<(usize, Vec<String>)> {
    // The detail only adds `parse_attempts` to errors (locations and rules are the same), so
    // turning it on for good, before this parse, is harmless to every other parse.
    pest::set_error_detail(true);
    let error = DfsParser::parse(Rule::file, &text[from..]).err()?;
    let attempts = error.parse_attempts()?;
    let mut tokens: Vec<String> = Vec::new();
    for token in attempts.expected_tokens().into_iter().map(|t| t.to_string()) {
        if is_structural(&token) && !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    (!tokens.is_empty()).then_some((from + attempts.max_position, tokens))
}

/// Punctuation of the grammar and keywords, not character ranges, trivia or unit suffixes.
fn is_structural(token: &str) -> bool {
    matches!(token, "{" | "}" | "," | "=" | "->" | "(" | ")" | "..")
        || (token.len() > 2 && token.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
}

/// What the lexer state is where the error happened.
struct Site<'t> {
    text: &'t str,
    file: FileId,
    at: usize,
    scan: Scan,
    /// The rules pest expected here.
    expected: Vec<Rule>,
    /// The literal tokens expected here (`{`, `,`), when pest could tell.
    tokens: Vec<String>,
}

impl Site<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    /// An unknown escape, a malformed `${...}` or a string left open at the end of its line.
    fn in_string(&self) -> Option<Diagnostic> {
        let open = self.scan.open_string?;
        let interp = self.scan.open_interp.or_else(|| self.rest().starts_with("${").then_some(self.at));
        if let Some(interp) = interp {
            let line_end = self.text[interp..].find('\n').map_or(self.text.len(), |i| interp + i);
            let end = self.text[interp..line_end].find('}').map_or(line_end, |i| interp + i + 1);
            return Some(
                Diagnostic::error(Code::Syntax, "malformed `${...}`")
                    .label(self.span(interp, end), "not a variable reference")
                    .help("write `${NAME}` or `${NAME:-default}`, where NAME is letters, digits and `_`; write `\\$` for a plain `$`"),
            );
        }
        if self.rest().starts_with('\\') {
            let end = escape_end(self.text, self.at);
            return Some(
                Diagnostic::error(Code::Syntax, format!("unknown escape `{}`", &self.text[self.at..end]))
                    .label(self.span(self.at, end), "not an escape")
                    .help(ESCAPES),
            );
        }
        let raw = self.text[open..].starts_with("\"\"\"");
        let end = if raw { open + 3 } else { self.text[open..].find('\n').map_or(self.text.len(), |i| open + i) };
        let help = if raw {
            "close it with `\"\"\"`"
        } else {
            "close it with `\"` on the same line; for text over several lines, use `\"\"\"...\"\"\"`"
        };
        Some(
            Diagnostic::error(Code::Syntax, "unterminated string")
                .label(self.span(open, end.max(open + 1)), "this string is not closed")
                .help(help),
        )
    }

    /// A block still open at the end of the file, or when the next declaration begins.
    fn unclosed_block(&self) -> Option<Diagnostic> {
        let open = *self.scan.open_braces.last()?;
        let brace = self.span(open, open + 1);
        if self.rest().trim().is_empty() {
            return Some(
                Diagnostic::error(Code::Syntax, "unexpected end of file: a block is not closed")
                    .label(brace, "this `{` is never closed")
                    .help("add `}` at the end of the block"),
            );
        }
        let line_start = self.text[..self.at].rfind('\n').map_or(0, |i| i + 1);
        let word_end = word_end(self.text, self.at);
        let word = &self.text[self.at..word_end];
        if line_start != self.at || !TOP_LEVEL_KEYWORDS.contains(&word) {
            return None;
        }
        Some(
            Diagnostic::error(Code::Syntax, format!("missing `}}` before `{word}`"))
                .label(brace, "this `{` is not closed")
                .label(self.span(self.at, word_end), "the next declaration starts here")
                .help("add `}` where the block ends"),
        )
    }

    /// A number where a duration, rate, percentage, size or whole number is expected.
    fn unit_value(&self) -> Option<Diagnostic> {
        let kind = self.expected_unit()?;
        if !self.rest().starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
            return None;
        }
        let end = value_end(self.text, self.at);
        let token = &self.text[self.at..end];
        let span = self.span(self.at, end);
        if kind == UnitKind::Status {
            return Some(
                Diagnostic::error(Code::InvalidStatus, format!("`{token}` is not an HTTP status"))
                    .label(span, "not a status")
                    .help("write a status like `200`, a class like `2xx` or a range like `200..399`"),
            );
        }
        let found = UnitKind::ALL.iter().find(|k| parse_value(k.rule(), token).is_some());
        let diagnostic = match found {
            // The token is fine; what follows it is not.
            Some(found) if *found == kind => return None,
            Some(UnitKind::Number) | Some(UnitKind::Int) if kind != UnitKind::Int => {
                let with_unit = format!("{token}{}", kind.unit_example());
                let example =
                    if parse_value(kind.rule(), &with_unit).is_some() { with_unit } else { kind.example().into() };
                Diagnostic::error(kind.code(), format!("`{token}` has no unit: expected {}", kind.name()))
                    .label(span, format!("{} needs a unit", kind.name()))
                    .help(format!("write it like `{example}` ({})", kind.units()))
            }
            Some(UnitKind::Number) => {
                Diagnostic::error(Code::InvalidNumber, format!("`{token}` is not a whole number"))
                    .label(span, "not a whole number")
                    .help("write a whole number like `10`, without a sign or decimals")
            }
            Some(other) => Diagnostic::error(
                Code::UnitMismatch,
                format!("expected {}, found {} (`{token}`)", kind.name(), other.name()),
            )
            .label(span, format!("{}, not {}", other.name(), kind.name()))
            .help(format!("write {} like `{}`", kind.name(), kind.example())),
            None => Diagnostic::error(kind.code(), format!("`{token}` is not {}", kind.name()))
                .label(span, format!("not {}", kind.name()))
                .help(format!("write {} like `{}` ({})", kind.name(), kind.example(), kind.units())),
        };
        Some(diagnostic)
    }

    /// The one kind of unit value the grammar expected here, if that is all it expected.
    fn expected_unit(&self) -> Option<UnitKind> {
        // A status list also accepts a plain number: it is a status all the same.
        if self.expected.iter().any(|r| UnitKind::of(*r) == Some(UnitKind::Status)) {
            return Some(UnitKind::Status);
        }
        let mut kinds = self.expected.iter().filter_map(|r| UnitKind::of(*r));
        let first = kinds.next()?;
        kinds.all(|k| k == first).then_some(first)
    }

    /// A word where keywords were expected (a misspelt or capitalised keyword), or where a quoted
    /// string was expected.
    fn unknown_word(&self) -> Option<Diagnostic> {
        if !self.rest().starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let end = word_end(self.text, self.at);
        let word = &self.text[self.at..end];
        let span = self.span(self.at, end);
        let keywords = self.expected_keywords();
        let lower = word.to_ascii_lowercase();
        let hint = if keywords.contains(&lower) && lower != word {
            Some(format!("keywords are written in lowercase: `{lower}`"))
        } else {
            did_you_mean(word, keywords.iter().map(String::as_str))
        };
        if self.at_top_level() {
            return Some(
                Diagnostic::error(Code::Syntax, format!("unknown declaration `{word}`"))
                    .label(span, "not a declaration")
                    .help(hint.unwrap_or_else(|| format!("expected {}", self.expected_text()))),
            );
        }
        if let Some(hint) = hint {
            return Some(
                Diagnostic::error(Code::Syntax, format!("unknown keyword `{word}`"))
                    .label(span, "not a keyword here")
                    .help(hint),
            );
        }
        if self.expected.iter().any(|r| matches!(r, Rule::str_value | Rule::string | Rule::literal)) {
            return Some(
                Diagnostic::error(Code::Syntax, format!("unexpected `{word}`: strings are quoted"))
                    .label(span, "not quoted")
                    .help(format!("strings are quoted: write \"{word}\"")),
            );
        }
        None
    }

    /// Keywords the grammar expected (the declarations, at the top level).
    fn expected_keywords(&self) -> Vec<String> {
        if self.at_top_level() {
            return TOP_LEVEL_KEYWORDS.iter().map(|k| k.to_string()).collect();
        }
        let words = self.tokens.iter().filter(|t| t.starts_with(|c: char| c.is_ascii_lowercase())).cloned();
        self.expected.iter().filter_map(|r| keyword(*r)).chain(words).collect()
    }

    fn at_top_level(&self) -> bool {
        self.scan.open_braces.is_empty() && self.expected.iter().any(|r| matches!(r, Rule::file | Rule::EOI))
    }

    fn expected_text(&self) -> String {
        if self.at_top_level() {
            return "a declaration (`scenario`, `import`, `let`, `node`, `health`, `attack`, `expect`, ...)".into();
        }
        let mut names: Vec<String> = Vec::new();
        let strings = self.expected.iter().any(|r| matches!(r, Rule::string | Rule::str_value | Rule::literal));
        let values = if strings { self.expected.iter().filter(|r| is_value(**r)).count() } else { 0 };
        if values >= 3 {
            names.push("a value (a quoted string, a number, or a unit like `10s`, `100/s` or `99.5%`)".into());
        }
        for rule in self.expected.iter().filter(|r| values < 3 || !is_value(**r)) {
            let name = rule_description(*rule);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for token in &self.tokens {
            let name = format!("`{token}`");
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let block_item = |r: &Rule| keyword(*r).is_some() || matches!(r, Rule::stage);
        let closes = self.tokens.iter().any(|t| t == "}");
        if !closes
            && !self.scan.open_braces.is_empty()
            && !self.expected.is_empty()
            && self.expected.iter().all(block_item)
        {
            names.push("`}`".into());
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

    /// Anything else: what was found and what the grammar expected.
    fn unexpected(&self) -> Diagnostic {
        let end = token_end(self.text, self.at);
        let token = &self.text[self.at..end];
        let found = if token.chars().any(char::is_control) {
            format!("`{}`", token.escape_debug())
        } else {
            format!("`{token}`")
        };
        let wants_string = self.expected.iter().any(|r| matches!(r, Rule::str_value | Rule::string | Rule::literal));
        let help = if self.rest().starts_with('}') && self.scan.open_braces.is_empty() {
            "this `}` closes no block; remove it".to_string()
        } else if self.rest().starts_with(['\'', '`', '“', '”']) && wants_string {
            "strings are written in straight double quotes: \"...\"".to_string()
        } else {
            format!("expected {}", self.expected_text())
        };
        if self.rest().trim().is_empty() {
            let last = last_token_start(self.text);
            return Diagnostic::error(Code::Syntax, "unexpected end of file")
                .label(self.span(last, next_char_end(self.text, last)), "the file ends after this")
                .help(help);
        }
        Diagnostic::error(Code::Syntax, format!("unexpected {found}")).label(self.span(self.at, end), "here").help(help)
    }
}
