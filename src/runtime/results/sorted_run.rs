//! Sorted runs of the merge: temporary files next to the output (the first run in the output's
//! format, as it may become the output), removed when the merge ends (also on error), and their I/O.

use super::timestamp::timestamp_key;
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

/// How a run holds its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunFormat {
    /// Results lines, each followed by `\n`: the first run, which is the output if it is the
    /// only one, and the output of the last merge.
    Lines,
    /// Records of timestamp (i128, little endian), line length (u64) and line bytes: the other
    /// runs, merged without parsing their timestamps again.
    Records,
}

/// A sorted run on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub path: PathBuf,
    pub format: RunFormat,
}

/// The runs written so far, in order, and the one being written, with its last timestamp.
#[derive(Debug)]
pub struct Runs<'t> {
    temps: &'t mut TempFiles,
    ended: Vec<Run>,
    current: Option<(Run, RunWriter, i128)>,
}

impl<'t> Runs<'t> {
    pub fn new(temps: &'t mut TempFiles) -> Self {
        Runs { temps, ended: Vec::new(), current: None }
    }

    /// The timestamp of the current run's last line: what its next line may not precede.
    pub fn last_key(&self) -> Option<i128> {
        self.current.as_ref().map(|&(_, _, last)| last)
    }

    /// Appends a line to the current run, starting one if there is none.
    pub fn write(&mut self, key: i128, line: &[u8]) -> io::Result<()> {
        let (_, writer, last) = match &mut self.current {
            Some(current) => current,
            None => {
                let format = if self.ended.is_empty() { RunFormat::Lines } else { RunFormat::Records };
                let (run, writer) = RunWriter::create(self.temps, format)?;
                self.current.insert((run, writer, key))
            }
        };
        debug_assert!(key >= *last, "a run is sorted");
        *last = key;
        writer.write(key, line)
    }

    /// Ends the current run, if any: the next line starts a new one.
    pub fn end_current(&mut self) -> io::Result<()> {
        if let Some((run, writer, _)) = self.current.take() {
            writer.finish()?;
            self.ended.push(run);
        }
        Ok(())
    }

    /// Every run, in the order written.
    pub fn finish(mut self) -> io::Result<Vec<Run>> {
        self.end_current()?;
        Ok(self.ended)
    }
}

/// Writes a run, buffered.
#[derive(Debug)]
pub struct RunWriter {
    out: BufWriter<File>,
    format: RunFormat,
}

impl RunWriter {
    /// Creates a new run among the temporary files.
    pub fn create(temps: &mut TempFiles, format: RunFormat) -> io::Result<(Run, RunWriter)> {
        let (path, file) = temps.create()?;
        Ok((Run { path, format }, RunWriter { out: BufWriter::with_capacity(256 * 1024, file), format }))
    }

    pub fn write(&mut self, key: i128, line: &[u8]) -> io::Result<()> {
        match self.format {
            RunFormat::Lines => {
                self.out.write_all(line)?;
                self.out.write_all(b"\n")
            }
            RunFormat::Records => {
                self.out.write_all(&key.to_le_bytes())?;
                self.out.write_all(&(line.len() as u64).to_le_bytes())?;
                self.out.write_all(line)
            }
        }
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads a run back one line at a time.
pub struct RunReader {
    input: BufReader<File>,
    format: RunFormat,
    key: i128,
    line: Vec<u8>,
}

impl RunReader {
    pub fn open(run: &Run) -> io::Result<RunReader> {
        let input = BufReader::with_capacity(32 * 1024, File::open(&run.path)?);
        Ok(RunReader { input, format: run.format, key: 0, line: Vec::new() })
    }

    /// Reads the next line; false at the end of the run.
    pub fn advance(&mut self) -> io::Result<bool> {
        let invalid = |message| io::Error::new(io::ErrorKind::InvalidData, message);
        match self.format {
            RunFormat::Lines => {
                self.line.clear();
                if self.input.read_until(b'\n', &mut self.line)? == 0 {
                    return Ok(false);
                }
                if self.line.pop() != Some(b'\n') {
                    return Err(invalid("a sorted run ends mid-line"));
                }
                self.key =
                    timestamp_key(&self.line).ok_or_else(|| invalid("a line of a sorted run has no timestamp"))?;
            }
            RunFormat::Records => {
                if self.input.fill_buf()?.is_empty() {
                    return Ok(false);
                }
                let mut key = [0u8; 16];
                self.input.read_exact(&mut key)?;
                let mut len = [0u8; 8];
                self.input.read_exact(&mut len)?;
                let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| invalid("run record too long"))?;
                self.line.resize(len, 0);
                self.input.read_exact(&mut self.line)?;
                self.key = i128::from_le_bytes(key);
            }
        }
        Ok(true)
    }

    pub fn key(&self) -> i128 {
        self.key
    }

    /// The current line, without its `\n`.
    pub fn line(&self) -> &[u8] {
        &self.line
    }
}
