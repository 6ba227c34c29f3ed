//! Where shard folders and merged runs are kept: a local folder, or an S3-compatible bucket
//! (`s3://bucket/prefix`; endpoint, region and credentials from the usual `AWS_*` environment).

use super::s3_http::RustlsConnector;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Files up to this size are sent in one request; larger ones in parts of this size.
const PART_BYTES: usize = 8 << 20;
/// Parts of one file in flight at once.
const PARTS_IN_FLIGHT: usize = 4;

/// A local folder or an object-storage prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    S3(S3Location),
}

/// `s3://bucket/prefix` (the prefix without leading or trailing `/`, possibly empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub prefix: String,
}

impl Location {
    /// `s3://bucket/prefix`, or a local path. Other URL schemes are refused.
    pub fn parse(text: &str) -> Result<Location, String> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!("`{text}` names no bucket: write s3://BUCKET/PREFIX"));
            }
            return Ok(Location::S3(S3Location { bucket: bucket.into(), prefix: prefix.trim_matches('/').into() }));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(format!(
                "`{text}`: `{scheme}://` is not supported; use a local folder or s3://BUCKET/PREFIX \
                 (any S3-compatible store, with AWS_ENDPOINT_URL)"
            ));
        }
        Ok(Location::Local(PathBuf::from(text)))
    }
}

impl S3Location {
    /// The location of `name` under this one.
    pub fn join(&self, name: &str) -> S3Location {
        let prefix = if self.prefix.is_empty() { name.to_string() } else { format!("{}/{name}", self.prefix) };
        S3Location { bucket: self.bucket.clone(), prefix }
    }

    fn key(&self, relative: &str) -> Key {
        Key::from(if self.prefix.is_empty() { relative.to_string() } else { format!("{}/{relative}", self.prefix) })
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(path) => write!(f, "{}", path.display()),
            Location::S3(s3) => s3.fmt(f),
        }
    }
}

/// One bucket of an S3-compatible store.
#[derive(Debug)]
pub struct Bucket {
    store: AmazonS3,
    name: String,
}

impl Bucket {
    /// Opens `bucket` with the configuration of the environment: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL` (plain
    /// `http://` endpoints are allowed for local stores), and the other `AWS_*` settings.
    pub fn open(bucket: &str) -> Result<Bucket, String> {
        // A few quick retries: a wrong endpoint or a missing bucket is said within seconds.
        let retry = RetryConfig { max_retries: 5, retry_timeout: Duration::from_secs(60), ..RetryConfig::default() };
        let mut builder =
            AmazonS3Builder::from_env().with_bucket_name(bucket).with_http_connector(RustlsConnector).with_retry(retry);
        let endpoint = std::env::var("AWS_ENDPOINT_URL").or_else(|_| std::env::var("AWS_ENDPOINT"));
        if endpoint.is_ok_and(|e| e.starts_with("http://")) {
            builder = builder.with_allow_http(true);
        }
        let store = builder.build().map_err(|e| format!("cannot use bucket `{bucket}`: {e}"))?;
        Ok(Bucket { store, name: bucket.to_string() })
    }

    fn describe(&self, key: &Key) -> String {
        format!("s3://{}/{key}", self.name)
    }

    /// Uploads every file under `dir` to `to`, keeping relative paths; the files named in `last`
    /// go after all others, in that order (the end marker of a shard folder). Returns the count.
    pub async fn upload_dir(&self, dir: &Path, to: &S3Location, last: &[&str]) -> Result<usize, String> {
        let mut files = Vec::new();
        list_files(dir, dir, &mut files)?;
        files.sort_by_key(|relative| (last.iter().position(|l| l == relative), relative.clone()));
        for relative in &files {
            self.upload_file(&dir.join(relative), &to.key(relative)).await?;
        }
        Ok(files.len())
    }

    async fn upload_file(&self, path: &Path, key: &Key) -> Result<(), String> {
        let fail = |e: &dyn fmt::Display| format!("cannot upload {} to {}: {e}", path.display(), self.describe(key));
        let size = std::fs::metadata(path).map_err(|e| fail(&e))?.len();
        if size <= PART_BYTES as u64 {
            let bytes = std::fs::read(path).map_err(|e| fail(&e))?;
            self.store.put(key, PutPayload::from(bytes)).await.map_err(|e| fail(&e))?;
            return Ok(());
        }
        let upload = self.store.put_multipart(key).await.map_err(|e| fail(&e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut file = std::fs::File::open(path).map_err(|e| fail(&e))?;
        let mut buffer = vec![0u8; PART_BYTES];
        loop {
            let read = file.read(&mut buffer).map_err(|e| fail(&e))?;
            if read == 0 {
                break;
            }
            writer.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(|e| fail(&e))?;
            writer.write(&buffer[..read]);
        }
        writer.finish().await.map_err(|e| fail(&e))?;
        Ok(())
    }

    /// The names of the "folders" directly under `at`.
    pub async fn list_dirs(&self, at: &S3Location) -> Result<Vec<String>, String> {
        let prefix = (!at.prefix.is_empty()).then(|| Key::from(at.prefix.as_str()));
        let listed =
            self.store.list_with_delimiter(prefix.as_ref()).await.map_err(|e| format!("cannot list {at}: {e}"))?;
        let mut names: Vec<String> =
            listed.common_prefixes.iter().filter_map(|p| p.filename().map(str::to_string)).collect();
        names.sort();
        Ok(names)
    }

    /// Whether `at/name` exists.
    pub async fn has(&self, at: &S3Location, name: &str) -> Result<bool, String> {
        let key = at.key(name);
        match self.store.head(&key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(format!("cannot read {}: {e}", self.describe(&key))),
        }
    }

    /// Downloads every object under `at` into `dir`, keeping relative paths. Returns the count.
    pub async fn download_dir(&self, at: &S3Location, dir: &Path) -> Result<usize, String> {
        let mut pending = vec![(!at.prefix.is_empty()).then(|| Key::from(at.prefix.as_str()))];
        let mut count = 0;
        while let Some(prefix) = pending.pop() {
            let listed = self.store.list_with_delimiter(prefix.as_ref()).await.map_err(|e| {
                format!("cannot list s3://{}/{}: {e}", self.name, prefix.as_ref().map(Key::as_ref).unwrap_or(""))
            })?;
            pending.extend(listed.common_prefixes.into_iter().map(Some));
            for object in listed.objects {
                let key = object.location;
                let relative =
                    key.as_ref().strip_prefix(at.prefix.as_str()).unwrap_or(key.as_ref()).trim_start_matches('/');
                if relative.split('/').any(|part| part == ".." || part.is_empty()) {
                    return Err(format!("{} has an unsafe name", self.describe(&key)));
                }
                let path = dir.join(relative);
                self.download_file(&key, object.size, &path).await?;
                count += 1;
            }
        }
        Ok(count)
    }

    async fn download_file(&self, key: &Key, size: u64, path: &Path) -> Result<(), String> {
        let fail = |e: &dyn fmt::Display| format!("cannot download {} to {}: {e}", self.describe(key), path.display());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
        }
        let mut file = std::fs::File::create(path).map_err(|e| fail(&e))?;
        let mut at = 0;
        while at < size {
            let end = (at + PART_BYTES as u64).min(size);
            let bytes = self.store.get_range(key, at..end).await.map_err(|e| fail(&e))?;
            std::io::Write::write_all(&mut file, &bytes).map_err(|e| fail(&e))?;
            at = end;
        }
        file.sync_all().map_err(|e| fail(&e))
    }
}

/// Every file under `dir`, as `/`-separated paths relative to `root`; hidden files are skipped.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            list_files(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(
            Location::parse("s3://runs/2024/spike/"),
            Ok(Location::S3(S3Location { bucket: "runs".into(), prefix: "2024/spike".into() }))
        );
        assert_eq!(
            Location::parse("s3://runs"),
            Ok(Location::S3(S3Location { bucket: "runs".into(), prefix: "".into() }))
        );
        assert_eq!(Location::parse("out/shards"), Ok(Location::Local(PathBuf::from("out/shards"))));
        assert!(Location::parse("s3:///x").unwrap_err().contains("names no bucket"));
        assert!(Location::parse("gs://b/x").unwrap_err().contains("`gs://` is not supported"));
        let s3 = S3Location { bucket: "b".into(), prefix: "".into() };
        assert_eq!(s3.join("shard-1").to_string(), "s3://b/shard-1");
        assert_eq!(s3.join("shard-1").join("DONE").key("x").as_ref(), "shard-1/DONE/x");
    }
}
