//! Scale-out: one scenario run as N shards (split or replicated load, a synchronised start), each
//! writing a self-describing shard folder locally or to object storage, merged exactly afterwards.

pub mod barrier;
pub mod expectations;
pub mod s3_http;
pub mod shard;
pub mod shard_dir;
pub mod shard_plan;
pub mod storage;
