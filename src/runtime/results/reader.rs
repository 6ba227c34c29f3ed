//! Streams the results of a JSON-lines file (ours or vegeta's) one `VegetaResult` at a time, for
//! reports; a truncated last line ends the stream with a warning, not an error.

use super::lines::{LineReader, SkippedLine};
use super::vegeta_result::VegetaResult;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Iterates the results of one file. A line that is not a result is an `InvalidData` error
/// naming the file and line; iteration may continue after it.
#[derive(Debug)]
pub struct ResultsReader<R> {
    path: PathBuf,
    lines: LineReader<R>,
    truncated: Option<SkippedLine>,
}

/// Opens a results file for reading.
pub fn read_results(path: &Path) -> io::Result<ResultsReader<BufReader<File>>> {
    let file = File::open(path).map_err(|e| io::Error::new(e.kind(), format!("opening {}: {e}", path.display())))?;
    Ok(ResultsReader::new(path, BufReader::with_capacity(256 * 1024, file)))
}

impl<R: BufRead> ResultsReader<R> {
    /// Reads from `input`; `path` names it in messages.
    pub fn new(path: &Path, input: R) -> Self {
        ResultsReader { path: path.to_path_buf(), lines: LineReader::new(input), truncated: None }
    }

    /// The truncated last line that was skipped, once the iteration has reached it.
    pub fn truncated_tail(&self) -> Option<&SkippedLine> {
        self.truncated.as_ref()
    }
}

impl<R: BufRead> Iterator for ResultsReader<R> {
    type Item = io::Result<VegetaResult>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        match VegetaResult::from_line(line.bytes) {
            Ok(result) => Some(Ok(result)),
            Err(_) if !line.terminated => {
                let reason = SkippedLine::TRUNCATED.to_string();
                self.truncated = Some(SkippedLine { path: self.path.clone(), line: line.number, reason });
                None
            }
            Err(e) => Some(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}:{}: not a result: {e}", self.path.display(), line.number),
            ))),
        }
    }
}
