//! Results of attacks on disk: every request's `Record` streamed by a writer thread to vegeta-format
//! JSON lines, plus HDR histograms, a per-second series and a summary; and the merge of result files.

mod error_kind;
mod fast_decode;
mod histogram;
mod lateness;
mod lines;
mod merge;
mod order_window;
mod outbox;
mod reader;
mod record;
mod recorded_headers;
mod series;
mod sort_window;
mod sorted_run;
mod summary;
pub mod timestamp;
mod vegeta;
mod vegeta_result;
mod writer;

pub use error_kind::ErrorKind;
pub use histogram::DurationHistogram;
pub use lateness::{EarlyStats, Lateness};
pub use lines::{Line, LineReader, SkippedLine};
pub use merge::{merge_results, MergeOptions, MergeSummary, MergedInput};
pub use reader::{read_results, ResultsReader};
pub use record::Record;
pub use recorded_headers::{canonical_header_name, HeaderValues, MAX_VALUES_PER_HEADER};
pub use series::{SecondCounts, Series, BASE_COLUMNS as SERIES_BASE_COLUMNS};
pub use summary::{
    AttackSummary, Counts, DurationStats, HeaderCounts, NodeCounts, Observed, SummaryBuilder, SummaryIdentity, Totals,
    ValueCounts, MAX_ERROR_MESSAGES,
};
pub use timestamp::timestamp_key;
pub use vegeta::{push_json_text, Failure, VegetaEncoder};
pub use vegeta_result::VegetaResult;
pub use writer::{
    spawn_writer, Finished, ResultsSink, WriterOptions, FLUSH_INTERVAL, LATENCY_FILE, LATENESS_FILE, RESULTS_FILE,
    SERIES_FILE, SUMMARY_FILE, WRITE_BUFFER_BYTES,
};
