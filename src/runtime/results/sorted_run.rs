//! Sorted runs of an external merge sort: temporary files of (timestamp, line) records next to the
//! output, removed when the merge ends (also on error), and their buffered reader and writer.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Temporary files named `.<output name>.merge-<pid>-<n>.tmp` in the output's folder, removed on
/// drop unless kept.
#[derive(Debug)]
pub struct TempFiles {
    dir: PathBuf,
    prefix: String,
    next: usize,
    live: Vec<PathBuf>,
}

impl TempFiles {
    pub fn beside(output: &Path) -> io::Result<TempFiles> {
        let name = output.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file path", output.display()))
        })?;
        let dir = match output.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let prefix = format!(".{}.merge-{}", name.to_string_lossy(), std::process::id());
        Ok(TempFiles { dir, prefix, next: 0, live: Vec::new() })
    }

    /// Creates a new temporary file.
    pub fn create(&mut self) -> io::Result<(PathBuf, File)> {
        let path = self.dir.join(format!("{}-{}.tmp", self.prefix, self.next));
        self.next += 1;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", path.display())))?;
        self.live.push(path.clone());
        Ok((path, file))
    }

    /// Removes a temporary file now (a run that has been merged).
    pub fn remove(&mut self, path: &Path) {
        let _ = std::fs::remove_file(path);
        self.live.retain(|p| p != path);
    }

    /// Stops tracking a file that is now the output.
    pub fn keep(&mut self, path: &Path) {
        self.live.retain(|p| p != path);
    }
}

impl Drop for TempFiles {
    fn drop(&mut self) {
        for path in &self.live {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Writes run records: timestamp (i128, little endian), line length (u64), line bytes.
pub struct RunWriter {
    out: BufWriter<File>,
}

impl RunWriter {
    pub fn new(file: File) -> Self {
        RunWriter { out: BufWriter::with_capacity(256 * 1024, file) }
    }

    pub fn write(&mut self, key: i128, line: &[u8]) -> io::Result<()> {
        self.out.write_all(&key.to_le_bytes())?;
        self.out.write_all(&(line.len() as u64).to_le_bytes())?;
        self.out.write_all(line)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads run records back one at a time.
pub struct RunReader {
    input: BufReader<File>,
    key: i128,
    line: Vec<u8>,
}

impl RunReader {
    pub fn open(path: &Path) -> io::Result<RunReader> {
        let input = BufReader::with_capacity(32 * 1024, File::open(path)?);
        Ok(RunReader { input, key: 0, line: Vec::new() })
    }

    /// Reads the next record; false at the end of the run.
    pub fn advance(&mut self) -> io::Result<bool> {
        if self.input.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let mut key = [0u8; 16];
        self.input.read_exact(&mut key)?;
        let mut len = [0u8; 8];
        self.input.read_exact(&mut len)?;
        let len = usize::try_from(u64::from_le_bytes(len))
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "run record too long"))?;
        self.line.resize(len, 0);
        self.input.read_exact(&mut self.line)?;
        self.key = i128::from_le_bytes(key);
        Ok(true)
    }

    pub fn key(&self) -> i128 {
        self.key
    }

    pub fn line(&self) -> &[u8] {
        &self.line
    }
}
