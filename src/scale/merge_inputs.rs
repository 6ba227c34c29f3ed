//! What `merge` is given: shard folders (local, or under an `s3://` prefix), folders holding shard
//! folders, run folders, or plain results files. Shards in a bucket are downloaded to a scratch folder.

use super::shard_dir::{read_marker, ShardManifest, ShardOutcome, DONE_MARKER, FAILED_MARKER, SHARD_MANIFEST};
use super::storage::{Bucket, Location, S3Location};
use crate::runtime::run_dir::Manifest;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// One shard folder, on this machine.
#[derive(Debug, Clone)]
pub struct ShardPart {
    /// Where it came from, as the user would name it (`s3://b/run/shard-2`, `out/shard-2`).
    pub shown: String,
    pub path: PathBuf,
    pub manifest: ShardManifest,
    pub marker: Option<(ShardOutcome, String)>,
}

/// The inputs, all of one kind.
#[derive(Debug)]
pub enum Inputs {
    Shards(Vec<ShardPart>),
    Runs(Vec<PathBuf>),
    ResultsFiles(Vec<PathBuf>),
}

/// A folder removed when dropped (downloaded shards).
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(what: &str) -> Result<Scratch, String> {
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = std::env::temp_dir().join(format!("dfaas-run-{what}-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Scratch(path))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

enum Found {
    Shard(Box<ShardPart>),
    Run(PathBuf),
    File(PathBuf),
}

/// Reads every input; `scratch` receives shards downloaded from object storage.
pub async fn gather(inputs: &[String], scratch: &Scratch) -> Result<Inputs, String> {
    let mut found = Vec::new();
    for input in inputs {
        match Location::parse(input)? {
            Location::Local(path) => found.extend(local(&path, input)?),
            Location::S3(at) => found.extend(remote(&at, scratch).await?),
        }
    }
    let (mut shards, mut runs, mut files) = (Vec::new(), Vec::new(), Vec::new());
    for f in found {
        match f {
            Found::Shard(s) => shards.push(*s),
            Found::Run(r) => runs.push(r),
            Found::File(p) => files.push(p),
        }
    }
    match (shards.is_empty(), runs.is_empty(), files.is_empty()) {
        (false, true, true) => Ok(Inputs::Shards(shards)),
        (true, false, true) => Ok(Inputs::Runs(runs)),
        (true, true, false) => Ok(Inputs::ResultsFiles(files)),
        (true, true, true) => {
            Err("nothing to merge: give shard folders, an s3:// prefix, run folders or results files".into())
        }
        _ => Err(format!(
            "the inputs mix kinds ({} shard folder(s), {} run folder(s), {} results file(s)): merge one kind at a time",
            shards.len(),
            runs.len(),
            files.len()
        )),
    }
}

fn shard_part(path: &Path, shown: String) -> Result<Found, String> {
    let manifest = ShardManifest::load(path)?;
    Ok(Found::Shard(Box::new(ShardPart { shown, path: path.to_path_buf(), manifest, marker: read_marker(path) })))
}

fn local(path: &Path, shown: &str) -> Result<Vec<Found>, String> {
    if path.is_file() {
        return Ok(vec![Found::File(path.to_path_buf())]);
    }
    if !path.is_dir() {
        return Err(format!("{shown} does not exist"));
    }
    if path.join(SHARD_MANIFEST).is_file() {
        return Ok(vec![shard_part(path, shown.to_string())?]);
    }
    if path.join("run.json").is_file() {
        Manifest::load(path)?;
        return Ok(vec![Found::Run(path.to_path_buf())]);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("cannot list {shown}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(SHARD_MANIFEST).is_file())
        .collect();
    entries.sort();
    if entries.is_empty() {
        return Err(format!(
            "{shown} is not a shard folder (no {SHARD_MANIFEST}), a run folder (no run.json), nor a folder of shard folders"
        ));
    }
    entries.iter().map(|p| shard_part(p, p.display().to_string())).collect()
}

async fn remote(at: &S3Location, scratch: &Scratch) -> Result<Vec<Found>, String> {
    let bucket = Bucket::open(&at.bucket)?;
    let mut folders = Vec::new();
    if bucket.has(at, SHARD_MANIFEST).await? {
        folders.push(at.clone());
    } else {
        for name in bucket.list_dirs(at).await? {
            let sub = at.join(&name);
            if bucket.has(&sub, SHARD_MANIFEST).await? {
                folders.push(sub);
            }
        }
    }
    if folders.is_empty() {
        return Err(format!("no shard folder under {at} (a shard folder holds {SHARD_MANIFEST})"));
    }
    let mut found = Vec::new();
    for (i, folder) in folders.iter().enumerate() {
        let local = scratch.0.join(format!("{i}"));
        bucket.download_dir(folder, &local).await?;
        found.push(shard_part(&local, folder.to_string())?);
    }
    Ok(found)
}

/// Waits until every one of `count` shards under each input (a folder or prefix of shard folders)
/// has its end marker, or `timeout` passes. Returns how many were still running.
pub async fn wait_for_markers(inputs: &[String], count: u32, timeout: Duration) -> Result<u32, String> {
    let began = Instant::now();
    loop {
        let mut pending = 0;
        for input in inputs {
            for i in 0..count {
                let name = format!("shard-{i}");
                let ended = match Location::parse(input)? {
                    Location::Local(path) => {
                        path.join(&name).join(DONE_MARKER).exists() || path.join(&name).join(FAILED_MARKER).exists()
                    }
                    Location::S3(at) => {
                        let bucket = Bucket::open(&at.bucket)?;
                        let shard = at.join(&name);
                        bucket.has(&shard, DONE_MARKER).await? || bucket.has(&shard, FAILED_MARKER).await?
                    }
                };
                pending += u32::from(!ended);
            }
        }
        if pending == 0 || began.elapsed() >= timeout {
            return Ok(pending);
        }
        eprintln!("merge: {pending} shard(s) still running; checking again in 5s");
        tokio::time::sleep(Duration::from_secs(5).min(timeout.saturating_sub(began.elapsed()))).await;
    }
}
