//! The results writer's ordering window: encoded lines wait here a short while, so that
//! `results.json` comes out in timestamp order although requests complete out of order. A line
//! that arrives after later ones were written is still written, next; the file is then no longer
//! in order, and the window says so (the merge sorts such a file; one in order it links as is).

use std::mem;

/// Encoded lines held in memory, bounded by a number of lines and of bytes.
#[derive(Debug)]
pub struct OrderWindow {
    /// The lines' bytes, in arrival order, with gaps where lines were released.
    arena: Vec<u8>,
    /// Bytes of the lines held (the arena without its gaps).
    held_bytes: usize,
    entries: Vec<Entry>,
    max_records: usize,
    max_bytes: usize,
    /// The key of the last line released.
    last_key: Option<i128>,
    in_order: bool,
}

/// One line: its timestamp (ns since the Unix epoch) and where its bytes are in the arena.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: i128,
    start: usize,
    len: usize,
}

impl OrderWindow {
    pub fn new(max_records: usize, max_bytes: usize) -> Self {
        OrderWindow {
            arena: Vec::new(),
            held_bytes: 0,
            entries: Vec::new(),
            max_records: max_records.max(1),
            max_bytes: max_bytes.max(1),
            last_key: None,
            in_order: true,
        }
    }

    /// Adds the line that `encode` appends (its `\n` included), of a request sent at `key`.
    pub fn push_with(&mut self, key: i128, encode: impl FnOnce(&mut Vec<u8>)) {
        let start = self.arena.len();
        encode(&mut self.arena);
        let len = self.arena.len() - start;
        self.held_bytes += len;
        self.entries.push(Entry { key, start, len });
    }

    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_records || self.held_bytes >= self.max_bytes
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether every line released so far came in timestamp order (ties in arrival order).
    pub fn in_order(&self) -> bool {
        self.in_order
    }

    /// Appends to `out`, in timestamp order (stable), every line sent at or before `upto`, and
    /// then more of the earliest lines until at most a quarter of each limit is held when the
    /// window is full.
    pub fn release(&mut self, upto: i128, out: &mut Vec<u8>) {
        self.entries.sort_by_key(|entry| entry.key);
        let mut count = self.entries.partition_point(|entry| entry.key <= upto);
        if self.is_full() {
            let (keep_records, keep_bytes) = (self.max_records / 4, self.max_bytes / 4);
            let mut kept_bytes: usize = self.entries[count..].iter().map(|entry| entry.len).sum();
            while count < self.entries.len() && (self.entries.len() - count > keep_records || kept_bytes > keep_bytes) {
                kept_bytes -= self.entries[count].len;
                count += 1;
            }
        }
        self.write(count, out);
    }

    /// Appends every line held to `out`, in timestamp order.
    pub fn release_all(&mut self, out: &mut Vec<u8>) {
        self.entries.sort_by_key(|entry| entry.key);
        self.write(self.entries.len(), out);
    }

    /// Writes the first `count` (sorted) entries and forgets them.
    fn write(&mut self, count: usize, out: &mut Vec<u8>) {
        let Some(first) = self.entries.first().filter(|_| count > 0) else { return };
        if self.last_key.is_some_and(|last| first.key < last) {
            self.in_order = false;
        }
        self.last_key = Some(self.entries[count - 1].key);
        for entry in &self.entries[..count] {
            out.extend_from_slice(&self.arena[entry.start..entry.start + entry.len]);
            self.held_bytes -= entry.len;
        }
        self.entries.drain(..count);
        self.reclaim();
    }

    /// Makes the released bytes reusable. Lines mostly leave in arrival order, so the bytes
    /// released are mostly at the front: once they are more than half of the arena, the lines
    /// held move down (each byte held moves about once per window's worth of lines).
    fn reclaim(&mut self) {
        if self.entries.is_empty() {
            self.arena.clear();
            return;
        }
        if self.held_bytes * 2 > self.arena.len() {
            return;
        }
        // In place, in arena order so that every move goes down: no new memory to fault in.
        let mut by_start: Vec<usize> = (0..self.entries.len()).collect();
        by_start.sort_unstable_by_key(|&index| self.entries[index].start);
        let mut to = 0;
        for index in by_start {
            let entry = &mut self.entries[index];
            let from = mem::replace(&mut entry.start, to);
            self.arena.copy_within(from..from + entry.len, to);
            to += entry.len;
        }
        self.arena.truncate(to);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(window: &mut OrderWindow, key: i128, text: &str) {
        window.push_with(key, |out| {
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        });
    }

    fn lines(out: &[u8]) -> Vec<&str> {
        std::str::from_utf8(out).unwrap().lines().collect()
    }

    #[test]
    fn releases_in_timestamp_order_up_to_a_time_ties_in_arrival_order() {
        let mut window = OrderWindow::new(100, 1 << 20);
        for (key, text) in [(3, "c"), (1, "a"), (2, "b1"), (5, "e"), (2, "b2")] {
            push(&mut window, key, text);
        }
        let mut out = Vec::new();
        window.release(2, &mut out);
        assert_eq!(lines(&out), ["a", "b1", "b2"]);
        push(&mut window, 4, "d");
        window.release_all(&mut out);
        assert_eq!(lines(&out), ["a", "b1", "b2", "c", "d", "e"]);
        assert!(window.in_order() && window.is_empty());
    }

    #[test]
    fn a_line_later_than_written_ones_is_written_and_flags_the_file() {
        let mut window = OrderWindow::new(100, 1 << 20);
        push(&mut window, 10, "late-sorted");
        let mut out = Vec::new();
        window.release(10, &mut out);
        push(&mut window, 5, "straggler");
        window.release(10, &mut out);
        assert_eq!(lines(&out), ["late-sorted", "straggler"]);
        assert!(!window.in_order());
    }

    #[test]
    fn a_full_window_keeps_a_quarter_and_reuses_its_memory() {
        let mut window = OrderWindow::new(8, 1 << 20);
        let mut out = Vec::new();
        let mut key = 0;
        for round in 0..50 {
            while !window.is_full() {
                // Nearly sorted: every other pair swapped.
                let k = if key % 2 == 0 { key + 1 } else { key - 1 };
                push(&mut window, k, &format!("{k:04}"));
                key += 1;
            }
            window.release(i128::MIN, &mut out);
            assert_eq!(window.entries.len(), 2, "round {round}");
            assert!(window.arena.len() <= 2 * 8 * 5, "the arena grows: {}", window.arena.len());
        }
        window.release_all(&mut out);
        let written: Vec<i128> = lines(&out).iter().map(|l| l.parse().unwrap()).collect();
        assert_eq!(written, (0..key).collect::<Vec<_>>());
        assert!(window.in_order());
    }

    #[test]
    fn the_byte_limit_counts_too() {
        let mut window = OrderWindow::new(1000, 40);
        for key in 0..4 {
            push(&mut window, key, "0123456789");
        }
        assert!(window.is_full());
        let mut out = Vec::new();
        window.release(i128::MIN, &mut out);
        // At most 10 bytes held: the line of 11 bytes (with its newline) does not fit.
        assert_eq!(lines(&out).len(), 4);
        assert!(window.is_empty());
    }
}
