//! The source text around the AST, for the formatter: where the comments are (every `#` outside a
//! literal starts one), where blocks open, and whether the user left a blank line between two items.

use crate::parser::span::Span;

/// A `# ...` comment: from the `#` to the end of its line (the newline excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Comment {
    pub start: usize,
    pub end: usize,
}

/// The source text and its comments, in order.
pub(super) struct Trivia<'a> {
    text: &'a str,
    comments: Vec<Comment>,
}

impl<'a> Trivia<'a> {
    /// Finds every comment of `text`. `literal_spans` must cover every string and literal of the
    /// file: outside them the grammar only has keywords, names, punctuation, whitespace and
    /// comments, so a `#` there always starts a comment.
    pub fn scan(text: &'a str, mut literal_spans: Vec<Span>) -> Self {
        literal_spans.sort_by_key(|s| s.start);
        let bytes = text.as_bytes();
        let mut literals = literal_spans.iter().peekable();
        let mut comments = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            while literals.peek().is_some_and(|s| s.end <= at) {
                literals.next();
            }
            if let Some(literal) = literals.peek().filter(|s| s.start <= at) {
                at = literal.end;
                continue;
            }
            if bytes[at] == b'#' {
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                comments.push(Comment { start: at, end });
                at = end;
            } else {
                at += 1;
            }
        }
        Trivia { text, comments }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The comment's text without trailing whitespace (a `\r` of a CRLF line included).
    pub fn comment_text(&self, comment: Comment) -> &'a str {
        self.text[comment.start..comment.end].trim_end()
    }

    /// Every comment that starts in `[start, end)`.
    pub fn comments_in(&self, start: usize, end: usize) -> &[Comment] {
        let from = self.comments.partition_point(|c| c.start < start);
        let to = self.comments.partition_point(|c| c.start < end);
        &self.comments[from..to.max(from)]
    }

    /// How many comments the file has (the formatter prints each exactly once).
    pub fn comment_count(&self) -> usize {
        self.comments.len()
    }

    /// `end` moved back over trailing whitespace and comments, but not before `start`: a pest span
    /// can end with the trivia skipped before an optional part that did not match.
    pub fn tight_end(&self, start: usize, mut end: usize) -> usize {
        loop {
            while let Some(c) = self.text[start..end].chars().next_back().filter(|&c| is_space(c)) {
                end -= c.len_utf8();
            }
            let inside = self.comments.partition_point(|c| c.start < end);
            match inside.checked_sub(1).map(|i| self.comments[i]) {
                Some(c) if c.start >= start && c.end >= end && end > c.start => end = c.start,
                _ => return end,
            }
        }
    }

    /// The offset of the first `{` in `[from, to)`, skipping comments (only trivia, keywords and
    /// that brace can sit between a block's head and its body).
    pub fn find_open(&self, from: usize, to: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut at = from;
        while at < to {
            match bytes[at] {
                b'{' => return Some(at),
                b'#' => at = self.text[at..].find('\n').map_or(to, |i| at + i),
                _ => at += 1,
            }
        }
        None
    }

    /// Whether `[from, to)` holds no line break (so a comment there shares a line with `from`).
    pub fn same_line(&self, from: usize, to: usize) -> bool {
        from <= to && !self.text[from..to].contains('\n')
    }

    /// Whether `[from, to)` holds a blank line: a line with nothing but whitespace between two
    /// line breaks.
    pub fn has_blank_line(&self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        let mut lines = self.text[from..to].split('\n');
        lines.next();
        let inner: Vec<&str> = lines.collect();
        let count = inner.len();
        inner.iter().take(count.saturating_sub(1)).any(|line| line.chars().all(is_space))
    }
}

/// The grammar's `WHITESPACE`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_inside_a_literal_is_not_a_comment() {
        let text = "let a = \"#no\" # yes\n";
        let trivia = Trivia::scan(text, vec![Span::new(Default::default(), 8, 13)]);
        assert_eq!(trivia.comments, vec![Comment { start: 14, end: 19 }]);
    }

    #[test]
    fn tight_end_skips_trailing_comments_and_blank_lines() {
        let text = "deploy f on n # c\n\n# d\nwait 5s";
        let trivia = Trivia::scan(text, Vec::new());
        assert_eq!(trivia.tight_end(0, 23), 13);
    }

    #[test]
    fn blank_lines_need_two_line_breaks_around_whitespace() {
        let trivia = Trivia::scan("a\n  \nb\n;\nc", Vec::new());
        assert!(trivia.has_blank_line(1, 5));
        assert!(!trivia.has_blank_line(6, 10));
    }
}
