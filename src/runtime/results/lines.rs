//! Reading a JSON-lines results file line by line, telling whole lines from a last line cut short
//! (a run interrupted mid-write), which readers skip with a warning instead of failing.

use serde::Serialize;
use std::fmt;
use std::io::{self, BufRead};
use std::path::PathBuf;

/// One line of a results file, without its `\n`.
#[derive(Debug)]
pub struct Line<'a> {
    /// 1-based line number in the file.
    pub number: u64,
    pub bytes: &'a [u8],
    /// False only for a last line without `\n`: possibly truncated.
    pub terminated: bool,
}

/// Yields the non-blank lines of a results file, reusing one buffer.
#[derive(Debug)]
pub struct LineReader<R> {
    input: R,
    buffer: Vec<u8>,
    number: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R) -> Self {
        LineReader { input, buffer: Vec::with_capacity(1024), number: 0 }
    }

    /// The next line that holds anything but whitespace, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        loop {
            self.buffer.clear();
            if self.input.read_until(b'\n', &mut self.buffer)? == 0 {
                return Ok(None);
            }
            self.number += 1;
            let terminated = self.buffer.last() == Some(&b'\n');
            if terminated {
                self.buffer.pop();
            }
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(Line { number: self.number, bytes: &self.buffer, terminated }));
        }
    }
}

/// A line left out of a read or merge, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedLine {
    pub path: PathBuf,
    pub line: u64,
    pub reason: String,
}

impl SkippedLine {
    /// The reason given for a last line without `\n` that is not a complete result.
    pub const TRUNCATED: &'static str = "truncated last line (the run was interrupted while writing it)";
}

impl fmt::Display for SkippedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_skips_blanks_and_flags_an_unterminated_tail() {
        let mut reader = LineReader::new(&b"a\n\n  \nb\r\nc"[..]);
        let mut seen = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            seen.push((line.number, line.bytes.to_vec(), line.terminated));
        }
        assert_eq!(seen, vec![(1, b"a".to_vec(), true), (4, b"b\r".to_vec(), true), (5, b"c".to_vec(), false)]);
    }
}
