//! CSV feeders: rows loaded once, handed to requests by sequence number (`cycle`), once each
//! (`once`: requests past the last row are recorded as failures, never dropped) or at random.
//! A shard of a split run uses its own rows only: row `r` belongs to shard `r mod N`.

use crate::parser::ast::FeederMode;
use crate::scale::shard::SeqSlice;
use minijinja::value::{Enumerator, Object, Value};
use std::path::Path;
use std::sync::Arc;

/// The column names of a feeder, shared by its rows.
#[derive(Debug)]
struct Columns(Vec<String>);

/// One row, as a template sees it (`{{ feeder.user }}`).
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<Columns>,
    values: Arc<[String]>,
}

impl Object for Row {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        let i = self.columns.0.iter().position(|c| c == key)?;
        Some(Value::from(self.values[i].as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.columns.0.iter().map(|c| Value::from(c.as_str())).collect())
    }
}

#[derive(Debug)]
pub struct Feeder {
    rows: Vec<Row>,
    mode: FeederMode,
    /// The rows (and requests) of this shard: `first, first + stride, ...`.
    slice: SeqSlice,
}

impl Feeder {
    /// Loads a CSV file whose first row names the columns.
    pub fn load(path: &Path, mode: FeederMode) -> Result<Feeder, String> {
        let shown = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(|e| format!("cannot read feeder `{shown}`: {e}"))?;
        let columns: Vec<String> = reader
            .headers()
            .map_err(|e| format!("feeder `{shown}`: {e}"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if columns.is_empty() || columns.iter().any(String::is_empty) {
            return Err(format!("feeder `{shown}`: the first row must name every column"));
        }
        let columns = Arc::new(Columns(columns));
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("feeder `{shown}`, row {}: {e}", i + 2))?;
            rows.push(Row { columns: columns.clone(), values: record.iter().map(str::to_string).collect() });
        }
        if rows.is_empty() {
            return Err(format!("feeder `{shown}` has no data rows"));
        }
        Ok(Feeder { rows, mode, slice: SeqSlice::ALL })
    }

    /// Keeps the rows of one shard of a split run: row `r` goes to the shard that sends request
    /// `r` (`once` hands row `k` to request `k` as before; `cycle` and `random` use the shard's
    /// rows only). A shard without any row of its own is an error for `cycle` and `random`.
    pub fn partition(&mut self, slice: SeqSlice) -> Result<(), String> {
        let own = slice.count_below(self.rows.len() as u64);
        if own == 0 && self.mode != FeederMode::Once {
            return Err(format!(
                "the feeder has {} row(s), so shard {} of {} has none of its own (row r goes to shard r mod {}); \
                 add rows, use fewer shards, or `--shard-mode replicate`",
                self.rows.len(),
                slice.first,
                slice.stride,
                slice.stride
            ));
        }
        self.slice = slice;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row for request `seq`, or `None` when a `once` feeder is exhausted.
    pub fn row(&self, seq: u64) -> Option<Row> {
        let n = self.rows.len() as u64;
        let own = self.slice.count_below(n);
        let i = match self.mode {
            FeederMode::Once if seq < n => seq,
            FeederMode::Once => return None,
            FeederMode::Cycle if self.slice.is_all() => seq % n,
            FeederMode::Cycle => self.slice.seq(self.slice.local(seq) % own),
            FeederMode::Random => self.slice.seq(rand::random_range(0..own)),
        };
        Some(self.rows[i as usize].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    #[test]
    fn cycle_and_once() {
        let f = write("user,token\nalice,a1\nbob,b2\n");
        let cycle = Feeder::load(f.path(), FeederMode::Cycle).expect("loads");
        assert_eq!(cycle.len(), 2);
        let row = Value::from_object(cycle.row(3).expect("cycles"));
        assert_eq!(row.get_attr("user").ok().and_then(|v| v.as_str().map(str::to_string)).as_deref(), Some("bob"));
        let once = Feeder::load(f.path(), FeederMode::Once).expect("loads");
        assert!(once.row(1).is_some());
        assert!(once.row(2).is_none());
    }

    #[test]
    fn shards_use_their_own_rows() {
        let f = write("n\n0\n1\n2\n3\n4\n");
        let value = |feeder: &Feeder, seq: u64| {
            let row = Value::from_object(feeder.row(seq).expect("a row"));
            row.get_attr("n").ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        };
        // Shard 1 of 2 sends requests 1, 3, 5, ... and owns rows 1 and 3.
        let slice = SeqSlice { first: 1, stride: 2 };
        let mut cycle = Feeder::load(f.path(), FeederMode::Cycle).expect("loads");
        cycle.partition(slice).expect("shard 1 has rows");
        let used: Vec<String> = (0..4).map(|j| value(&cycle, slice.seq(j))).collect();
        assert_eq!(used, ["1", "3", "1", "3"]);
        let mut random = Feeder::load(f.path(), FeederMode::Random).expect("loads");
        random.partition(slice).expect("shard 1 has rows");
        assert!((0..50).all(|j| ["1", "3"].contains(&value(&random, slice.seq(j)).as_str())));
        let mut once = Feeder::load(f.path(), FeederMode::Once).expect("loads");
        once.partition(slice).expect("once always partitions");
        assert_eq!(value(&once, 3), "3");
        assert!(once.row(5).is_none());
        // Seven shards and five rows: shards 5 and 6 have no row of their own.
        let mut short = Feeder::load(f.path(), FeederMode::Cycle).expect("loads");
        assert!(short.partition(SeqSlice { first: 5, stride: 7 }).unwrap_err().contains("has none of its own"));
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(Feeder::load(Path::new("/nonexistent/feeder.csv"), FeederMode::Cycle).is_err());
        let empty = write("user\n");
        assert!(Feeder::load(empty.path(), FeederMode::Cycle).unwrap_err().contains("no data rows"));
        let ragged = write("a,b\n1\n");
        assert!(Feeder::load(ragged.path(), FeederMode::Cycle).is_err());
    }
}
