//! Where tokens end in the source text, for labels under the token at fault: words, values,
//! strings, escapes, single characters, the last token of a file.

/// End of the word at `start` (letters, digits, `_`, `-`).
pub(super) fn word_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    start + rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len())
}

/// End of a value token at `start`: up to white space, a delimiter, `..` or `->`.
pub(super) fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        let tail = &rest[i..];
        if c.is_whitespace() || ";{}(),#\"".contains(c) || (i > 0 && (tail.starts_with("..") || tail.starts_with("->")))
        {
            end = i;
            break;
        }
    }
    start + end.max(next_char_end(rest, 0))
}

/// End of the word or symbol at `start`, for the label under an unexpected token.
pub(super) fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    match rest.chars().next() {
        None => start,
        Some('"') => {
            let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
            start + line[1..].find('"').map_or(1, |i| i + 2)
        }
        Some(c) if c.is_alphanumeric() || c == '_' => {
            start
                + rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.')).unwrap_or(rest.len())
        }
        Some(c) => start + c.len_utf8(),
    }
}

/// End of the character at `start` (or `start` at the end of the text).
pub(super) fn next_char_end(text: &str, start: usize) -> usize {
    text[start..].chars().next().map_or(start, |c| start + c.len_utf8())
}

/// End of a (bad) escape at `start`: `\q`, or `\u{...}` up to its `}` on the same line.
pub(super) fn escape_end(text: &str, start: usize) -> usize {
    let after = next_char_end(text, start);
    let end = next_char_end(text, after);
    if text[after..].starts_with("u{") {
        let line = &text[after..text[after..].find('\n').map_or(text.len(), |i| after + i)];
        if let Some(close) = line.find('}') {
            return after + close + 1;
        }
    }
    end
}

/// Where the last token of the text starts, to point at the end of a file.
pub(super) fn last_token_start(text: &str) -> usize {
    let trimmed = text.trim_end();
    trimmed.char_indices().last().map_or(0, |(i, _)| i)
}
