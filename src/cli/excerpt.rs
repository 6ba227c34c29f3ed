//! The source excerpt under a terminal diagnostic: a miette `SourceCode` that finds lines through
//! the source map's line index (fast in big files) and shows only a window of an overlong line.

use crate::parser::span::{FileId, SourceMap};
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines longer than this (in bytes) are not shown whole, nor used as context.
pub const MAX_LINE: usize = 240;
/// Bytes shown on each side of a label in an overlong line.
const WINDOW: usize = 60;

/// One file of a source map, as miette reads it.
pub struct Excerpt<'a> {
    name: &'a str,
    text: &'a str,
    line_starts: &'a [usize],
}

impl<'a> Excerpt<'a> {
    pub fn new(sources: &'a SourceMap, file: FileId) -> Self {
        let source = sources.get(file);
        Excerpt { name: &source.name, text: &source.text, line_starts: sources.line_starts(file) }
    }

    /// The index of the line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Where `line` ends, its newline included.
    fn line_end(&self, line: usize) -> usize {
        self.line_starts.get(line + 1).copied().unwrap_or(self.text.len())
    }

    fn is_long(&self, line: usize) -> bool {
        self.line_end(line) - self.line_starts[line] > MAX_LINE
    }

    /// The part of an overlong line shown around `[start, end)`: `None` on a line of normal length.
    fn window(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let line = self.line_of(start);
        if !self.is_long(line) {
            return None;
        }
        let line_start = self.line_starts[line];
        let line_end = self.text[line_start..self.line_end(line)].trim_end_matches(['\n', '\r']).len() + line_start;
        let from = floor_boundary(self.text, start.saturating_sub(WINDOW).max(line_start));
        let to = ceil_boundary(self.text, end.max(start).min(start + WINDOW).saturating_add(WINDOW).min(line_end));
        Some((from, to.max(from)))
    }

    /// A label's span, cut to what is shown of its line.
    pub fn clamp(&self, span: SourceSpan) -> SourceSpan {
        let start = span.offset().min(self.text.len());
        let end = (start + span.len()).min(self.text.len());
        match self.window(start, end) {
            Some((_, to)) => (start, end.min(to).max(start) - start).into(),
            None => (start, end - start).into(),
        }
    }

    fn chars_between(&self, from: usize, to: usize) -> usize {
        self.text[from..to].chars().count()
    }
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_of(start);
        let last = self.line_of(if end > start { end - 1 } else { start });
        let (data_start, data_end, line, column, line_count) = match self.window(start, end) {
            Some((from, to)) => (from, to, first, self.chars_between(self.line_starts[first], from), 1),
            None => {
                // Context lines, as long as they are of a normal length.
                let mut top = first;
                while top > 0 && first - top < context_lines_before && !self.is_long(top - 1) {
                    top -= 1;
                }
                let mut bottom = last;
                while bottom + 1 < self.line_starts.len()
                    && bottom - last < context_lines_after
                    && !self.is_long(bottom + 1)
                {
                    bottom += 1;
                }
                let end_of_data = self.line_end(bottom);
                if context_lines_before == 0 {
                    // Read for the position of a label: the data starts at the label.
                    let column = self.chars_between(self.line_starts[first], start);
                    (start, end_of_data, first, column, bottom - first + 1)
                } else {
                    (self.line_starts[top], end_of_data, top, 0, bottom - top + 1)
                }
            }
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            &self.text.as_bytes()[data_start..data_end],
            (data_start, data_end - data_start).into(),
            line,
            column,
            line_count,
        )))
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn excerpt_of(text: &str) -> (SourceMap, FileId) {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("t.dfs"), "t.dfs".into(), text.into());
        (map, id)
    }

    #[test]
    fn reads_lines_with_context() {
        let (map, id) = excerpt_of("one\ntwo\nthree\nfour\n");
        let excerpt = Excerpt::new(&map, id);
        let contents = excerpt.read_span(&(8, 5).into(), 1, 1).expect("in bounds");
        assert_eq!(std::str::from_utf8(contents.data()), Ok("two\nthree\nfour\n"));
        assert_eq!((contents.line(), contents.column(), contents.line_count()), (1, 0, 3));
        let at = excerpt.read_span(&(10, 1).into(), 0, 0).expect("in bounds");
        assert_eq!((at.line(), at.column()), (2, 2));
    }

    #[test]
    fn shows_a_window_of_an_overlong_line() {
        let text = format!("short\n{}X{}\nend\n", "{".repeat(5_000), "(".repeat(5_000));
        let (map, id) = excerpt_of(&text);
        let excerpt = Excerpt::new(&map, id);
        let x = text.find('X').expect("marker");
        let contents = excerpt.read_span(&(x, 1).into(), 1, 1).expect("in bounds");
        let data = std::str::from_utf8(contents.data()).expect("utf-8");
        assert!(data.len() <= 2 * WINDOW + 1 && data.contains('X'), "{data}");
        assert_eq!((contents.line(), contents.column()), (1, x - 6 - WINDOW));
        let long_label = excerpt.clamp((x, 4_000).into());
        assert!(long_label.len() <= 2 * WINDOW);
    }

    #[test]
    fn skips_overlong_context_lines() {
        let text = format!("{}\nbad\n", "#".repeat(1_000));
        let (map, id) = excerpt_of(&text);
        let excerpt = Excerpt::new(&map, id);
        let contents = excerpt.read_span(&(1_001, 3).into(), 1, 1).expect("in bounds");
        assert_eq!(std::str::from_utf8(contents.data()), Ok("bad\n"));
    }
}
