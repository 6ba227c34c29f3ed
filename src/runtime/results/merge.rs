//! Merges results files into one JSON-lines file in timestamp order with bounded memory: an
//! external merge sort (sorted runs spilled next to the output, then a k-way heap merge).

use super::lines::{LineReader, SkippedLine};
use super::sorted_run::{RunReader, RunWriter, TempFiles};
use super::timestamp::{from_unix_nanos, parse_rfc3339};
use super::vegeta_result::VegetaResult;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How much is sorted in memory at once, and how many runs are merged at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOptions {
    /// Lines per in-memory chunk (default 100 000).
    pub chunk_records: usize,
    /// Bytes of lines per in-memory chunk (default 8 MiB, about 30 000 results): a run's peak
    /// memory stays flat in its duration, and long lines (bodies) cannot blow it either.
    pub chunk_bytes: usize,
    /// Runs merged at once (default 256, 32 KiB of read buffer each); more runs are merged in
    /// several passes.
    pub fan_in: usize,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions { chunk_records: 100_000, chunk_bytes: 8 << 20, fan_in: 256 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeSummary {
    pub inputs: Vec<MergedInput>,
    /// Lines written to the output.
    pub lines: u64,
    /// Sorted runs spilled to disk (0: everything was sorted in memory).
    pub runs: usize,
    /// Truncated last lines left out (a warning for each).
    pub skipped_lines: Vec<SkippedLine>,
    #[serde(with = "super::timestamp::rfc3339_option")]
    pub first_timestamp: Option<SystemTime>,
    #[serde(with = "super::timestamp::rfc3339_option")]
    pub last_timestamp: Option<SystemTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergedInput {
    pub path: PathBuf,
    pub lines: u64,
}

/// Writes every result line of every input to `output`, in timestamp order (ties keep input
/// order, then line order). Lines are copied verbatim; only their `timestamp` is parsed. A last
/// line without newline that is not a complete result is skipped and reported; any other line
/// without a timestamp is an error. The output appears atomically (written aside, then renamed).
pub fn merge_results(inputs: &[PathBuf], output: &Path, options: MergeOptions) -> io::Result<MergeSummary> {
    let options = MergeOptions {
        chunk_records: options.chunk_records.max(1),
        chunk_bytes: options.chunk_bytes.max(1),
        fan_in: options.fan_in.max(2),
    };
    let mut temps = TempFiles::beside(output)?;
    let mut summary = MergeSummary {
        inputs: Vec::with_capacity(inputs.len()),
        lines: 0,
        runs: 0,
        skipped_lines: Vec::new(),
        first_timestamp: None,
        last_timestamp: None,
    };
    let mut chunk = Chunk::default();
    let mut runs: Vec<PathBuf> = Vec::new();
    for path in inputs {
        let context = |e: io::Error| io::Error::new(e.kind(), format!("reading {}: {e}", path.display()));
        let file = File::open(path).map_err(context)?;
        let mut lines = LineReader::new(BufReader::with_capacity(256 * 1024, file));
        let mut count = 0;
        while let Some(line) = lines.next_line().map_err(context)? {
            let key = timestamp_key(line.bytes);
            let complete = line.terminated || VegetaResult::from_line(line.bytes).is_ok();
            match key {
                Some(key) if complete => {
                    chunk.push(key, line.bytes);
                    count += 1;
                }
                _ if !line.terminated => summary.skipped_lines.push(SkippedLine {
                    path: path.clone(),
                    line: line.number,
                    reason: SkippedLine::TRUNCATED.to_string(),
                }),
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}:{}: no RFC 3339 `timestamp` in this line", path.display(), line.number),
                    ))
                }
            }
            if chunk.len() >= options.chunk_records || chunk.bytes() >= options.chunk_bytes {
                runs.push(chunk.spill(&mut temps)?);
            }
        }
        summary.inputs.push(MergedInput { path: path.clone(), lines: count });
    }

    let (merged_path, merged_file) = temps.create()?;
    let mut out = BufWriter::with_capacity(256 * 1024, merged_file);
    let mut sink = OutputLines { out: &mut out, summary: &mut summary };
    if runs.is_empty() {
        chunk.sort();
        for (key, line) in chunk.sorted() {
            sink.write(key, line)?;
        }
    } else {
        if chunk.len() > 0 {
            runs.push(chunk.spill(&mut temps)?);
        }
        drop(chunk);
        sink.summary.runs = runs.len();
        while runs.len() > options.fan_in {
            runs = merge_pass(runs, options.fan_in, &mut temps)?;
        }
        merge_runs(&runs, |key, line| sink.write(key, line))?;
        for run in runs {
            temps.remove(&run);
        }
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&merged_path, output)
        .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", output.display())))?;
    temps.keep(&merged_path);
    Ok(summary)
}

/// Writes merged lines to the output and tracks counts and the time span.
struct OutputLines<'a, W: Write> {
    out: &'a mut W,
    summary: &'a mut MergeSummary,
}

impl<W: Write> OutputLines<'_, W> {
    fn write(&mut self, key: i128, line: &[u8]) -> io::Result<()> {
        self.out.write_all(line)?;
        self.out.write_all(b"\n")?;
        self.summary.lines += 1;
        let time = from_unix_nanos(key);
        self.summary.first_timestamp.get_or_insert(time);
        self.summary.last_timestamp = Some(time);
        Ok(())
    }
}

/// Merges consecutive groups of `fan_in` runs into one run each, keeping their order (so that
/// ties still resolve to input order).
fn merge_pass(runs: Vec<PathBuf>, fan_in: usize, temps: &mut TempFiles) -> io::Result<Vec<PathBuf>> {
    let mut next = Vec::with_capacity(runs.len().div_ceil(fan_in));
    for group in runs.chunks(fan_in) {
        if let [single] = group {
            next.push(single.clone());
            continue;
        }
        let (path, file) = temps.create()?;
        let mut writer = RunWriter::new(file);
        merge_runs(group, |key, line| writer.write(key, line))?;
        writer.finish()?;
        for run in group {
            temps.remove(run);
        }
        next.push(path);
    }
    Ok(next)
}

/// K-way merge of sorted runs with a binary heap keyed by (timestamp, run index).
fn merge_runs(runs: &[PathBuf], mut emit: impl FnMut(i128, &[u8]) -> io::Result<()>) -> io::Result<()> {
    let mut readers = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (index, path) in runs.iter().enumerate() {
        let mut reader = RunReader::open(path)?;
        if reader.advance()? {
            heap.push(Reverse((reader.key(), index)));
        }
        readers.push(reader);
    }
    while let Some(Reverse((key, index))) = heap.pop() {
        let reader = &mut readers[index];
        emit(key, reader.line())?;
        if reader.advance()? {
            heap.push(Reverse((reader.key(), index)));
        }
    }
    Ok(())
}

/// Lines held in memory: one byte arena and (timestamp, start, length) entries.
#[derive(Debug, Default)]
struct Chunk {
    arena: Vec<u8>,
    entries: Vec<(i128, usize, usize)>,
}

impl Chunk {
    fn push(&mut self, key: i128, line: &[u8]) {
        self.entries.push((key, self.arena.len(), line.len()));
        self.arena.extend_from_slice(line);
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn bytes(&self) -> usize {
        self.arena.len()
    }

    /// Stable sort by timestamp: equal timestamps keep their reading order.
    fn sort(&mut self) {
        self.entries.sort_by_key(|&(key, _, _)| key);
    }

    fn sorted(&self) -> impl Iterator<Item = (i128, &[u8])> {
        self.entries.iter().map(|&(key, start, len)| (key, &self.arena[start..start + len]))
    }

    /// Sorts the chunk into a new run file and empties it.
    fn spill(&mut self, temps: &mut TempFiles) -> io::Result<PathBuf> {
        self.sort();
        let (path, file) = temps.create()?;
        let mut writer = RunWriter::new(file);
        for (key, line) in self.sorted() {
            writer.write(key, line)?;
        }
        writer.finish()?;
        self.arena.clear();
        self.entries.clear();
        Ok(path)
    }
}

/// The nanoseconds of the first `"timestamp": "<RFC 3339>"` pair of a line. Only this field is
/// parsed; `"timestamp"` cannot occur unescaped inside another JSON string.
pub fn timestamp_key(line: &[u8]) -> Option<i128> {
    const KEY: &[u8] = b"\"timestamp\"";
    let mut from = 0;
    while let Some(found) = line[from..].windows(KEY.len()).position(|w| w == KEY) {
        let after_key = from + found + KEY.len();
        from = after_key;
        let skip_spaces = |mut at: usize| {
            while line.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            at
        };
        let colon = skip_spaces(after_key);
        if line.get(colon) != Some(&b':') {
            continue;
        }
        let quote = skip_spaces(colon + 1);
        if line.get(quote) != Some(&b'"') {
            continue;
        }
        let start = quote + 1;
        let Some(len) = line[start..].iter().position(|&b| b == b'"') else { continue };
        if let Some(key) = parse_rfc3339(&line[start..start + len]) {
            return Some(key);
        }
    }
    None
}
