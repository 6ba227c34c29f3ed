//! Scale-out: one scenario run as N shards (split or replicated load, a synchronised start), each
//! writing a self-describing shard folder locally or to object storage, merged exactly afterwards.

pub mod barrier;
pub mod expectations;
pub mod k8s;
pub mod merge;
pub mod merge_check;
pub mod merge_inputs;
pub mod merge_series;
pub mod merge_summary;
pub mod results_metrics;
pub mod s3_http;
pub mod shard;
pub mod shard_dir;
pub mod shard_plan;
pub mod storage;
