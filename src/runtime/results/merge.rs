//! Merges results files into one JSON-lines file in timestamp order with bounded memory: an
//! external merge sort whose runs come from a sliding window, so nearly sorted input is one pass.
//!
//! Lines are late by at most the requests in flight, so the runs come from replacement selection
//! by batches: the full window is sorted and its earliest lines go to the current run, while
//! lines older than the run's end wait for the next one. A stable sort per batch (it finds the
//! part already sorted) costs less than a heap operation per line. A single run, written in the
//! output format, is the output; several are merged with a heap.

use super::lines::{LineReader, SkippedLine};
use super::sort_window::SortWindow;
use super::sorted_run::{Run, RunFormat, RunReader, RunWriter, Runs, TempFiles};
use super::timestamp::{from_unix_nanos, timestamp_key};
use super::vegeta_result::VegetaResult;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How much is sorted in memory at once, and how many runs are merged at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOptions {
    /// Lines held in memory at once (default 100 000). Lines out of order by less than a quarter
    /// of this (and of `chunk_bytes`) are sorted in one pass.
    pub chunk_records: usize,
    /// Bytes of lines held in memory at once (default 8 MiB, about 30 000 results): a run's peak
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
    /// Sorted runs written aside and then merged into the output (0: the lines were sorted in
    /// one pass, as they were read, straight into the output).
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
    let mut span: Option<(i128, i128)> = None;
    let mut window = SortWindow::new(options.chunk_records, options.chunk_bytes);
    let mut runs = Runs::new(&mut temps);
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
                    window.push(key, line.bytes);
                    count += 1;
                    span = Some(span.map_or((key, key), |(first, last)| (first.min(key), last.max(key))));
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
            if window.is_full() {
                window.make_room(&mut runs)?;
            }
        }
        summary.lines += count;
        summary.inputs.push(MergedInput { path: path.clone(), lines: count });
    }
    window.flush(&mut runs)?;
    drop(window);
    let mut runs = runs.finish()?;
    summary.first_timestamp = span.map(|(first, _)| from_unix_nanos(first));
    summary.last_timestamp = span.map(|(_, last)| from_unix_nanos(last));

    let merged_path = match runs.as_slice() {
        [] => temps.create()?.0,
        [single] => single.path.clone(),
        _ => {
            summary.runs = runs.len();
            while runs.len() > options.fan_in {
                runs = merge_pass(runs, options.fan_in, &mut temps)?;
            }
            merge_group(&runs, RunFormat::Lines, &mut temps)?.path
        }
    };
    OpenOptions::new().write(true).open(&merged_path)?.sync_all()?;
    std::fs::rename(&merged_path, output)
        .map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", output.display())))?;
    temps.keep(&merged_path);
    Ok(summary)
}

/// Merges consecutive groups of `fan_in` runs into one run each, keeping their order (so that
/// ties still resolve to input order).
fn merge_pass(runs: Vec<Run>, fan_in: usize, temps: &mut TempFiles) -> io::Result<Vec<Run>> {
    let mut next = Vec::with_capacity(runs.len().div_ceil(fan_in));
    for group in runs.chunks(fan_in) {
        next.push(match group {
            [single] => single.clone(),
            _ => merge_group(group, RunFormat::Records, temps)?,
        });
    }
    Ok(next)
}

/// K-way merge of sorted runs into a new one, with a binary heap keyed by (timestamp, run
/// index); the runs merged are removed.
fn merge_group(runs: &[Run], format: RunFormat, temps: &mut TempFiles) -> io::Result<Run> {
    let (merged, mut out) = RunWriter::create(temps, format)?;
    let mut readers = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (index, run) in runs.iter().enumerate() {
        let mut reader = RunReader::open(run)?;
        if reader.advance()? {
            heap.push(Reverse((reader.key(), index)));
        }
        readers.push(reader);
    }
    while let Some(Reverse((key, index))) = heap.pop() {
        let reader = &mut readers[index];
        out.write(key, reader.line())?;
        if reader.advance()? {
            heap.push(Reverse((reader.key(), index)));
        }
    }
    out.finish()?;
    for run in runs {
        temps.remove(&run.path);
    }
    Ok(merged)
}
