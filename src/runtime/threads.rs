//! The tokio runtime a run uses, sized for the machine (or the CPU set it is pinned to), next to
//! the threads that are not tokio's: one results writer per attack.

use std::io;

/// A multi-threaded runtime with one worker per CPU this process may run on.
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}
