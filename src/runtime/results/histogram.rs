//! HDR histograms of durations (latency, lateness): nanoseconds up to 1 h at 3 significant digits
//! from 1 µs down, saved as HdrHistogram's standard V2 + deflate encoding. Merging is exact (`add`).

use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

/// Lowest discernible value: 1 ns. HdrHistogram keeps its relative precision only above
/// `1024 × 2^⌊log2(lowest)⌋`: a lowest of 1 µs would leave everything under 0.5 ms at a coarse
/// 512 ns resolution (5 % at 10 µs), so 1 ns it is, for 3 significant digits at 1 µs and beyond.
pub const LOWEST_NANOS: u64 = 1;
/// Highest trackable value: 1 h, in nanoseconds (larger values are recorded as 1 h and counted).
pub const HIGHEST_NANOS: u64 = 3_600_000_000_000;
/// Significant decimal digits kept for every value (relative error below 0.1 %).
pub const SIGNIFICANT_DIGITS: u8 = 3;

/// A histogram of durations, recorded in nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationHistogram {
    histogram: Histogram<u64>,
}

impl Default for DurationHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl DurationHistogram {
    pub fn new() -> Self {
        let histogram = Histogram::new_with_bounds(LOWEST_NANOS, HIGHEST_NANOS, SIGNIFICANT_DIGITS)
            .unwrap_or_else(|e| unreachable!("constant histogram bounds are valid: {e}"));
        DurationHistogram { histogram }
    }

    /// Records one duration; anything above 1 h is recorded as 1 h.
    pub fn record(&mut self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.histogram.saturating_record(nanos.min(HIGHEST_NANOS));
    }

    /// The value at quantile `q` (0.0 ..= 1.0): the highest duration equivalent (within the
    /// histogram's precision) to the smallest recorded value with at least `q` of the count at or
    /// below it. Zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        Duration::from_nanos(self.histogram.value_at_quantile(q))
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    pub fn min(&self) -> Duration {
        Duration::from_nanos(self.histogram.min())
    }

    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.histogram.max())
    }

    pub fn mean(&self) -> Duration {
        Duration::from_nanos(self.histogram.mean().round() as u64)
    }

    /// Adds every count of `other` (histograms of shards or attacks merge exactly).
    pub fn add(&mut self, other: &DurationHistogram) -> io::Result<()> {
        self.histogram.add(&other.histogram).map_err(|e| io::Error::other(format!("merging histograms: {e:?}")))
    }

    /// The underlying histogram, for iteration (percentile plots).
    pub fn inner(&self) -> &Histogram<u64> {
        &self.histogram
    }

    /// Writes the V2 + deflate encoding (readable by every HdrHistogram implementation) and syncs.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let file = File::create(path)?;
        let mut out = BufWriter::new(file);
        V2DeflateSerializer::new()
            .serialize(&self.histogram, &mut out)
            .map_err(|e| io::Error::other(format!("encoding histogram {}: {e:?}", path.display())))?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()
    }

    /// Reads a histogram written by [`DurationHistogram::save`] (or any V2 / V2 + deflate encoding).
    pub fn load(path: &Path) -> io::Result<DurationHistogram> {
        let mut input = BufReader::new(File::open(path)?);
        let histogram: Histogram<u64> = Deserializer::new().deserialize(&mut input).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{} is not an HDR histogram: {e:?}", path.display()))
        })?;
        let mut loaded = DurationHistogram::new();
        loaded.histogram.add(&histogram).map_err(|e| {
            io::Error::new(io::ErrorKind::InvalidData, format!("{}: histogram out of range: {e:?}", path.display()))
        })?;
        Ok(loaded)
    }
}
