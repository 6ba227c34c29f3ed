//! The canonical formatter behind `dfaas-run fmt`: parses a file and prints its AST in the one
//! layout below, keeping every comment and every literal exactly as written.
//!
//! The layout, decided once so that the output depends only on the content (plus the comments and
//! the blank lines the user chose to keep):
//!
//! - Two spaces per indentation level, one item per line, no `;`, no trailing spaces, `\n` line
//!   breaks and one final newline (an empty file stays empty). Tokens are separated by one space;
//!   there are single spaces around `=`, `->` and comparison operators, `, ` between list
//!   elements, and none inside `p99(attack)`, `200..399` or `latency 10ms..50ms`.
//! - Strings (raw strings and their line breaks included), unit literals, numbers, names and HTTP
//!   methods are printed exactly as written. Nothing is reordered.
//! - A block stays on one line (`node edge { url "http://127.0.0.1:8080" }`) when it holds
//!   exactly one item that has no block itself, no comment is inside the braces, and the line fits
//!   in 100 columns; otherwise it opens with `{` at the end of its line, one item per line, and
//!   closes with `}` on its own line. `stages { a; b }` thus becomes one stage per line.
//! - An empty block the grammar requires prints as `{}` (`node edge {}`); an empty optional block
//!   (`deploy`, `teardown`, `request`, `embedded demo`, `notify`) is dropped, unless it holds
//!   comments.
//! - Top level: a blank line between two items, except inside a run of one-line items of the same
//!   kind (`import`s, `let`s, `expect`s, `deploy`s or `teardown`s without a block, `wait`s, ...).
//!   A block written on one line counts as a block. The blank line goes before the comments that
//!   lead the second item.
//! - A blank line the user left between two items or comments (at the top level or in a block) is
//!   kept as exactly one blank line; blank lines at the start or end of a block or file are not.
//! - Comments: a comment on its own line stays, at the indentation of its block, before the item
//!   that follows it (or at the end of its block or file). A comment after an item on the same line
//!   stays at the end of that item's line (after its `}` for a block), and one right after a `{`
//!   stays after that `{`. A comment inside an item's own line (`rate # why\n 5/s`) moves to its own
//!   line just before the item. Trailing whitespace of comments is dropped; their text is kept.
//!
//! Formatting is idempotent: `format_source(format_source(x)) == format_source(x)`, and the output
//! parses to the same AST as the input (`tests/format_props.rs` checks both on random scenarios).

mod entries;
mod layout;
mod trivia;

use super::parse_file;
use super::span::FileId;
use crate::diagnostic::Diagnostic;

pub use layout::MAX_ONE_LINE_WIDTH;

/// Formats one scenario file. On syntax errors, returns the parser's diagnostics (for file
/// `FileId(0)`) and nothing is formatted.
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let file = parse_file(text, FileId(0))?;
    let mut builder = entries::Builder::default();
    let entries = builder.file(&file);
    let trivia = trivia::Trivia::scan(text, builder.literal_spans);
    Ok(layout::render(&entries, &trivia))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(text).unwrap_or_else(|e| panic!("{text:?} must parse: {e:?}"))
    }

    #[test]
    fn empty_and_blank_files_stay_empty() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \t\n"), "");
        assert_eq!(fmt("\u{FEFF}# only a comment"), "# only a comment\n");
    }

    #[test]
    fn a_byte_order_mark_is_whitespace_anywhere() {
        assert_eq!(fmt("deploy f on n\u{FEFF} # c\nwait 5s"), "deploy f on n # c\n\nwait 5s\n");
    }

    #[test]
    fn crlf_becomes_lf_and_comments_lose_the_carriage_return() {
        let text = "let a = 1 # one\r\n\r\n\r\nlet b = 2\r\n";
        assert_eq!(fmt(text), "let a = 1 # one\n\nlet b = 2\n");
    }

    #[test]
    fn a_block_stays_on_one_line_up_to_the_width_limit() {
        let fill = |n: usize| format!("node n {{ url \"{}\" }}\n", "x".repeat(n));
        let exact = fill(MAX_ONE_LINE_WIDTH - "node n { url \"\" }".len());
        assert_eq!(fmt(&exact), exact);
        let long = fill(MAX_ONE_LINE_WIDTH - "node n { url \"\" }".len() + 1);
        assert_eq!(fmt(&long).lines().count(), 3, "{}", fmt(&long));
        let nested = "attack a {\n  request GET \"/\" { body \"b\" }\n}\n";
        assert_eq!(fmt(nested), nested);
    }

    #[test]
    fn syntax_errors_come_back_as_diagnostics() {
        let errors = format_source("node a {\n  rate 5/s\n}\n").err().unwrap_or_default();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, crate::diagnostic::Code::Syntax);
        assert_eq!(errors[0].primary_span().map(|s| s.start), Some(11));
    }
}
