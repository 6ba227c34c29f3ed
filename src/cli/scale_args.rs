//! The scale-out flags of `run`: which shard this is (`--shard i/N`, or `--shards N` in an Indexed
//! Job), split or replicate, the synchronised start and its barrier, results lines on or off.

use crate::scale::barrier::BarrierSpec;
use crate::scale::shard::{Shard, ShardMode};
use crate::scale::storage::Location;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The environment variable Kubernetes sets in the pods of an Indexed Job.
pub const JOB_INDEX_VAR: &str = "JOB_COMPLETION_INDEX";

#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Scale-out (see docs/kubernetes.md)")]
pub struct ScaleArgs {
    /// Run shard INDEX of COUNT (0-based, like `2/8`); results go to OUT/shard-INDEX
    #[arg(long, value_name = "INDEX/COUNT", conflicts_with = "shards")]
    pub shard: Option<String>,
    /// Run one of COUNT shards, the index taken from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)
    #[arg(long, value_name = "COUNT")]
    pub shards: Option<u32>,
    /// split: the shards share every attack's load; replicate: every shard runs the whole load
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ShardMode::Split)]
    pub shard_mode: ShardMode,
    /// Start the load at this time (RFC 3339, like 2030-01-01T12:00:00Z), on every shard at once
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
    /// A shard whose load begins later than this after --start-at fails instead of running
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse_duration)]
    pub start_grace: Duration,
    /// Before starting, wait until every shard answers on TCP: dns:HOST:PORT with {i} for the index
    #[arg(long, value_name = "dns:HOST:PORT")]
    pub barrier: Option<String>,
    /// How long the barrier waits without --start-at (with it: until 1 s before the start)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub barrier_timeout: Duration,
    /// Do not write results.json files (histograms, series and summaries are still written)
    #[arg(long)]
    pub no_results: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::model::units::parse_duration(s).map_err(|_| format!("`{s}` is not a duration (like `2s` or `500ms`)"))
}

/// Parses an RFC 3339 time (`2030-01-01T12:00:00Z`, `2030-01-01T14:00:00+02:00`).
pub fn parse_time(text: &str) -> Result<SystemTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(SystemTime::from)
        .map_err(|e| format!("`{text}` is not an RFC 3339 time like 2030-01-01T12:00:00Z: {e}"))
}

/// The scale-out flags, checked.
#[derive(Debug, Clone)]
pub struct ScaleRequest {
    pub shard: Option<Shard>,
    pub start_at: Option<SystemTime>,
    pub start_grace: Duration,
    pub barrier: Option<BarrierSpec>,
    pub barrier_timeout: Duration,
    pub write_results: bool,
    /// Where the shard folder goes (its parent: the folder is `shard-INDEX` under it).
    pub out: Location,
}

impl ScaleArgs {
    /// Checks the flags; `job_index` is `$JOB_COMPLETION_INDEX` if set.
    pub fn request(&self, out: &Path, job_index: Option<&str>) -> Result<ScaleRequest, String> {
        let shard = match (&self.shard, self.shards) {
            (Some(text), _) => Some(Shard::parse(text, self.shard_mode)?),
            (None, Some(count)) => {
                let index = job_index.ok_or_else(|| {
                    format!("--shards {count} takes the shard's index from ${JOB_INDEX_VAR}, which is not set: pass --shard INDEX/{count} instead")
                })?;
                let index: u32 =
                    index.trim().parse().map_err(|_| format!("${JOB_INDEX_VAR} is `{index}`, not a shard index"))?;
                Some(Shard::new(index, count, self.shard_mode)?)
            }
            (None, None) => None,
        };
        let barrier = self.barrier.as_deref().map(BarrierSpec::parse).transpose()?;
        if barrier.is_some() && shard.is_none() {
            return Err("--barrier waits for the other shards: it needs --shard INDEX/COUNT or --shards COUNT".into());
        }
        let out_text = out.to_string_lossy();
        let out = Location::parse(&out_text)?;
        if matches!(out, Location::S3(_)) && shard.is_none() {
            return Err(format!(
                "--out {out_text}: object storage takes shard folders; add --shard INDEX/COUNT (or --shards COUNT), \
                 or write the run to a local folder"
            ));
        }
        Ok(ScaleRequest {
            shard,
            start_at: self.start_at.as_deref().map(parse_time).transpose()?,
            start_grace: self.start_grace,
            barrier,
            barrier_timeout: self.barrier_timeout,
            write_results: !self.no_results,
            out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, clap::Parser)]
    struct Args {
        #[command(flatten)]
        scale: ScaleArgs,
    }

    fn request(args: &[&str], job_index: Option<&str>) -> Result<ScaleRequest, String> {
        let parsed =
            Args::try_parse_from(std::iter::once("x").chain(args.iter().copied())).map_err(|e| e.to_string())?;
        parsed.scale.request(Path::new("runs"), job_index)
    }

    #[test]
    fn the_index_comes_from_the_flag_or_the_job() {
        let shard = request(&["--shard", "1/4"], None).map(|r| r.shard);
        assert_eq!(shard, Ok(Some(Shard { index: 1, count: 4, mode: ShardMode::Split })));
        let shard = request(&["--shards", "4", "--shard-mode", "replicate"], Some("3")).map(|r| r.shard);
        assert_eq!(shard, Ok(Some(Shard { index: 3, count: 4, mode: ShardMode::Replicate })));
        assert!(request(&["--shards", "4"], None).unwrap_err().contains("JOB_COMPLETION_INDEX"));
        assert!(request(&["--shards", "4"], Some("4")).unwrap_err().contains("out of range"));
        assert!(request(&["--barrier", "dns:h-{i}:1"], None).unwrap_err().contains("needs --shard"));
    }

    #[test]
    fn times_and_locations_are_checked() {
        let at = request(&["--start-at", "2030-01-01T00:00:00Z"], None).map(|r| r.start_at);
        assert_eq!(at, Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000))));
        assert!(request(&["--start-at", "tomorrow"], None).unwrap_err().contains("RFC 3339"));
        let parsed = Args::try_parse_from(["x"]).map_err(|e| e.to_string()).expect("parses");
        let err = parsed.scale.request(Path::new("s3://bucket/runs"), None).unwrap_err();
        assert!(err.contains("object storage takes shard folders"), "{err}");
    }
}
