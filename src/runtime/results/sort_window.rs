//! The in-memory window of the merge: lines held in one byte arena, sorted when the window is full,
//! and emitted in timestamp order into sorted runs, so that nearly sorted input is one single run.

use super::sorted_run::Runs;
use std::io;
use std::ops::Range;

/// Lines held in memory, bounded by a number of lines and of bytes.
#[derive(Debug)]
pub struct SortWindow {
    arena: Vec<u8>,
    entries: Vec<Entry>,
    max_records: usize,
    max_bytes: usize,
    /// Scratch for compaction: entry indices in arena order.
    by_start: Vec<usize>,
}

/// One line: its timestamp and where its bytes are in the arena.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: i128,
    start: usize,
    len: usize,
}

impl SortWindow {
    pub fn new(max_records: usize, max_bytes: usize) -> Self {
        SortWindow { arena: Vec::new(), entries: Vec::new(), max_records, max_bytes, by_start: Vec::new() }
    }

    pub fn push(&mut self, key: i128, line: &[u8]) {
        self.entries.push(Entry { key, start: self.arena.len(), len: line.len() });
        self.arena.extend_from_slice(line);
    }

    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_records || self.arena.len() >= self.max_bytes
    }

    /// Emits the earliest lines until at most a quarter of each limit is held: the next emission
    /// is three quarters of a window of input away, and only a quarter of the bytes move.
    pub fn make_room(&mut self, runs: &mut Runs) -> io::Result<()> {
        self.emit_down_to(runs, self.max_records / 4, self.max_bytes / 4)
    }

    /// Emits every line held.
    pub fn flush(&mut self, runs: &mut Runs) -> io::Result<()> {
        self.emit_down_to(runs, 0, 0)
    }

    /// Sorts the window by timestamp, stably, and writes its earliest lines to the current run
    /// until at most `keep_records` lines of `keep_bytes` are held.
    ///
    /// Lines earlier than the current run's last line are frozen: they wait for the next run
    /// while the current one goes on with the other lines. Once the frozen lines alone are more
    /// than may be kept, the current run takes every other line and ends; the next run starts
    /// with the earliest lines of all.
    ///
    /// Ties keep reading order across runs: the window holds lines of equal timestamp in reading
    /// order (the sort is stable and lines come in after those held), and the lines of a
    /// timestamp are either all frozen or none, so every write takes the first of them. Lines of
    /// equal timestamp therefore reach the runs in reading order, into the same run or a later
    /// one, and the k-way merge breaks ties by run order.
    fn emit_down_to(&mut self, runs: &mut Runs, keep_records: usize, keep_bytes: usize) -> io::Result<()> {
        self.entries.sort_by_key(|entry| entry.key);
        loop {
            let frozen = match runs.last_key() {
                Some(last) => self.entries.partition_point(|entry| entry.key < last),
                None => 0,
            };
            let frozen_bytes: usize = self.entries[..frozen].iter().map(|entry| entry.len).sum();
            if frozen <= keep_records && frozen_bytes <= keep_bytes {
                // Keep the latest lines that fit beside the frozen ones.
                let (mut end, mut kept, mut kept_bytes) = (self.entries.len(), frozen, frozen_bytes);
                while end > frozen && kept < keep_records && kept_bytes + self.entries[end - 1].len <= keep_bytes {
                    end -= 1;
                    kept += 1;
                    kept_bytes += self.entries[end].len;
                }
                self.write(runs, frozen..end)?;
                self.entries.drain(frozen..end);
                break;
            }
            self.write(runs, frozen..self.entries.len())?;
            self.entries.truncate(frozen);
            runs.end_current()?;
        }
        self.compact();
        Ok(())
    }

    fn write(&self, runs: &mut Runs, range: Range<usize>) -> io::Result<()> {
        for entry in &self.entries[range] {
            runs.write(entry.key, &self.arena[entry.start..entry.start + entry.len])?;
        }
        Ok(())
    }

    /// Moves the bytes of the lines held to the front of the arena, in arena order so that every
    /// move goes down: each byte held (at most a quarter of the window) moves once.
    fn compact(&mut self) {
        let SortWindow { arena, entries, by_start, .. } = self;
        by_start.clear();
        by_start.extend(0..entries.len());
        by_start.sort_unstable_by_key(|&index| entries[index].start);
        let mut to = 0;
        for &index in by_start.iter() {
            let entry = &mut entries[index];
            if entry.start != to {
                arena.copy_within(entry.start..entry.start + entry.len, to);
                entry.start = to;
            }
            to += entry.len;
        }
        arena.truncate(to);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::results::sorted_run::{RunReader, TempFiles};
    use crate::runtime::results::timestamp::{format_rfc3339, from_unix_nanos};
    use std::collections::HashMap;

    #[test]
    fn holds_at_most_a_quarter_of_each_limit_after_making_room_and_keeps_every_line_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut temps = TempFiles::beside(&dir.path().join("out.json")).unwrap();
        let mut runs = Runs::new(&mut temps);
        let mut window = SortWindow::new(50, 3_000);
        // Shuffled timestamps (each a distinct second), lines of 40 to 110 bytes.
        let lines: Vec<(i128, Vec<u8>)> = (0..5_000i128)
            .map(|i| {
                let key = (i * 7_919) % 5_003 * 1_000_000_000;
                let timestamp = format_rfc3339(from_unix_nanos(key));
                let padding = "x".repeat((i as usize * 13) % 70);
                (key, format!(r#"{{"timestamp":"{timestamp}","padding":"{padding}"}}"#).into_bytes())
            })
            .collect();
        let by_key: HashMap<i128, &[u8]> = lines.iter().map(|(key, line)| (*key, line.as_slice())).collect();
        let mut emissions = 0;
        for (key, line) in &lines {
            window.push(*key, line);
            if window.is_full() {
                window.make_room(&mut runs).unwrap();
                emissions += 1;
                assert!(window.entries.len() <= 12 && window.arena.len() <= 750);
                assert_eq!(window.arena.len(), window.entries.iter().map(|e| e.len).sum::<usize>());
                for entry in &window.entries {
                    assert_eq!(&window.arena[entry.start..entry.start + entry.len], by_key[&entry.key]);
                }
            }
        }
        window.flush(&mut runs).unwrap();
        assert!(window.entries.is_empty() && window.arena.is_empty());
        assert!(emissions > 50, "{emissions}");
        let mut written = 0;
        for run in runs.finish().unwrap() {
            let mut reader = RunReader::open(&run).unwrap();
            let mut last = i128::MIN;
            while reader.advance().unwrap() {
                assert!(reader.key() >= last, "a run is sorted");
                last = reader.key();
                written += 1;
            }
        }
        assert_eq!(written, lines.len());
    }
}
