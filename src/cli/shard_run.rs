//! `run --shard`: prepares the shard folder (local, or staged for object storage), waits at the
//! barrier, runs the shard's share of the plan from the synchronised start, then records the outcome
//! and writes the end marker last (uploading the folder, marker last, when it goes to a bucket).

use super::scale_args::ScaleRequest;
use crate::model::Scenario;
use crate::plan::Plan;
use crate::runtime::executor::{execute, RunOptions, RunOutcome};
use crate::runtime::results::timestamp::format_rfc3339;
use crate::runtime::results::{AttackSummary, SUMMARY_FILE};
use crate::runtime::run_dir::{timestamp, RunStatus};
use crate::runtime::scale_out::{ScaleOut, StartAt};
use crate::runtime::stop::Stop;
use crate::scale::barrier::{self, BarrierListener, BarrierSpec};
use crate::scale::expectations::ExpectationRecord;
use crate::scale::shard::Shard;
use crate::scale::shard_dir::{write_marker, ShardManifest, ShardOutcome, DONE_MARKER, FAILED_MARKER, SHARD_MANIFEST};
use crate::scale::shard_plan::shard_plan;
use crate::scale::storage::{Bucket, Location, S3Location};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long before the start the barrier gives up, so that the shards still start together.
const BARRIER_MARGIN: Duration = Duration::from_secs(1);

/// One shard's run, from its folder to its end marker.
pub struct ShardSession {
    shard: Shard,
    /// The shard folder on this machine (staged here when it goes to object storage).
    pub folder: PathBuf,
    /// Where the folder is uploaded, if it goes to object storage.
    pub upload: Option<S3Location>,
    manifest: ShardManifest,
    barrier: Option<BarrierSpec>,
    barrier_timeout: Duration,
    start_at: Option<Arc<StartAt>>,
    write_results: bool,
}

/// Prepares shard `request.shard` of `whole`: its plan, its folder (which must not exist yet) and
/// its manifest, written at once so that a shard killed later is still found and named.
pub fn prepare(request: &ScaleRequest, scenario: &Scenario, whole: &Plan) -> Result<(ShardSession, Plan), String> {
    let Some(shard) = request.shard else { return Err("not a shard run".into()) };
    let (folder, upload) = match &request.out {
        Location::Local(base) => (base.join(shard.dir_name()), None),
        Location::S3(s3) => {
            let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
            let staging =
                std::env::temp_dir().join(format!("dfaas-run-{}-{}-{stamp}", shard.dir_name(), std::process::id()));
            (staging, Some(s3.join(&shard.dir_name())))
        }
    };
    if folder.exists() {
        return Err(format!(
            "{} already exists: shard folders are never overwritten; use a new --out for each run",
            folder.display()
        ));
    }
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let expectations = scenario.expectations.iter().map(ExpectationRecord::from_model).collect();
    let mut manifest = ShardManifest::new(whole, shard, expectations, request.write_results);
    manifest.start_at = request.start_at.map(format_rfc3339);
    manifest.start_grace_ms = request.start_at.map(|_| request.start_grace.as_millis() as u64);
    manifest.barrier = request.barrier.as_ref().map(ToString::to_string);
    manifest.save(&folder)?;
    let session = ShardSession {
        shard,
        folder,
        upload,
        manifest,
        barrier: request.barrier.clone(),
        barrier_timeout: request.barrier_timeout,
        start_at: request.start_at.map(|at| Arc::new(StartAt::new(at, request.start_grace))),
        write_results: request.write_results,
    };
    Ok((session, shard_plan(whole, shard)))
}

impl ShardSession {
    /// Runs the shard: barrier, plan, outcome, marker, upload. `Err` when the shard could not run
    /// its share or its folder could not be stored; the folder then ends with `FAILED` if it can.
    pub async fn run(
        &mut self,
        scenario: Arc<Scenario>,
        plan: Arc<Plan>,
        mut options: RunOptions,
    ) -> Result<RunOutcome, String> {
        let bucket = match &self.upload {
            Some(to) => Some(self.open_bucket(to).await?),
            None => None,
        };
        let stop = options.stop.clone();
        let listener = match self.pass_barrier(&stop).await {
            Ok(listener) => listener,
            Err(message) => {
                self.end(ShardOutcome::Failed, None, Some(message.clone()));
                self.store(bucket.as_ref()).await?;
                return Err(message);
            }
        };
        options.scale = ScaleOut {
            shard: Some(self.shard),
            run_dir: Some(self.folder.clone()),
            start_at: self.start_at.clone(),
            write_results: self.write_results,
        };
        let result = execute(scenario, plan, options).await;
        drop(listener);
        match &result {
            Ok(outcome) => {
                let done = matches!(outcome.status, RunStatus::Passed | RunStatus::ExpectationsFailed);
                let outcome_kind = if done { ShardOutcome::Done } else { ShardOutcome::Failed };
                self.end(outcome_kind, Some(outcome.status), outcome.manifest.message.clone());
            }
            Err(message) => self.end(ShardOutcome::Failed, Some(RunStatus::Failed), Some(message.clone())),
        }
        self.store(bucket.as_ref()).await?;
        result
    }

    async fn open_bucket(&self, to: &S3Location) -> Result<Bucket, String> {
        let bucket = Bucket::open(&to.bucket)?;
        if bucket.has(to, SHARD_MANIFEST).await? {
            return Err(format!(
                "{to} already holds a shard: shard folders are never overwritten; use a new prefix for each run"
            ));
        }
        // The manifest goes up at once: a shard killed later is then found (and named) by merge.
        bucket.upload_dir(&self.folder, to, &[]).await?;
        Ok(bucket)
    }

    async fn pass_barrier(&mut self, stop: &Stop) -> Result<Option<BarrierListener>, String> {
        let Some(spec) = self.barrier.clone() else { return Ok(None) };
        let listener = barrier::listen(&spec, self.shard.index).await?;
        let deadline = match &self.start_at {
            Some(start) => start.at.checked_sub(BARRIER_MARGIN).unwrap_or(start.at),
            None => SystemTime::now() + self.barrier_timeout,
        };
        eprintln!(
            "barrier: shard {} listening on {}, waiting for all {} shards",
            self.shard.index, listener.addr, self.shard.count
        );
        let passed = tokio::select! {
            passed = barrier::wait(&spec, self.shard.count, deadline) => passed?,
            _ = stop.stopped() => return Err("interrupted at the start barrier".into()),
        };
        eprintln!("barrier: all {} shards answered after {:.1}s", passed.peers, passed.waited.as_secs_f64());
        self.manifest.barrier_waited_ms = Some(passed.waited.as_millis() as u64);
        Ok(Some(listener))
    }

    /// Records how the shard ended in `shard.json`, then writes the end marker.
    fn end(&mut self, outcome: ShardOutcome, status: Option<RunStatus>, message: Option<String>) {
        let m = &mut self.manifest;
        m.outcome = outcome;
        m.status = status;
        m.message = message;
        m.ended_at = Some(timestamp(SystemTime::now()));
        // In milliseconds, to the microsecond.
        m.start_lateness_ms = self
            .start_at
            .as_ref()
            .and_then(|s| s.worst_lateness())
            .map(|d| (d.as_secs_f64() * 1_000_000.0).round() / 1000.0);
        for attack in &mut m.attacks {
            let summary = std::fs::read_to_string(self.folder.join(&attack.dir).join(SUMMARY_FILE))
                .ok()
                .and_then(|text| serde_json::from_str::<AttackSummary>(&text).ok());
            attack.start = summary.map(|s| format_rfc3339(s.start));
        }
        let saved = m.save(&self.folder);
        let marked = saved.and_then(|()| write_marker(&self.folder, outcome, m.message.as_deref()));
        if let Err(e) = marked {
            eprintln!("warning: {e}");
        }
    }

    /// Uploads the folder when it goes to object storage, the marker last.
    async fn store(&self, bucket: Option<&Bucket>) -> Result<(), String> {
        let (Some(bucket), Some(to)) = (bucket, &self.upload) else { return Ok(()) };
        match bucket.upload_dir(&self.folder, to, &[DONE_MARKER, FAILED_MARKER]).await {
            Ok(files) => {
                eprintln!("uploaded {files} files to {to}");
                Ok(())
            }
            Err(e) => Err(format!("{e}; the shard folder is kept in {}", self.folder.display())),
        }
    }

    /// Where the shard folder ended up, as the user names it.
    pub fn location(&self) -> String {
        match &self.upload {
            Some(to) => to.to_string(),
            None => self.folder.display().to_string(),
        }
    }
}
