//! The documented exit codes (`docs/cli.md`). Scripts and CI depend on them: never renumber.

/// Everything went as declared.
pub const OK: u8 = 0;
/// The run finished but an `expect` failed (or `fmt --check` found unformatted files, or
/// `compare` found a regression).
pub const EXPECTATIONS_FAILED: u8 = 1;
/// Bad usage or a scenario error: nothing ran.
pub const SCENARIO_ERROR: u8 = 2;
/// The run failed: a health gate, deployment or attack could not complete.
pub const RUNTIME_FAILURE: u8 = 3;
/// Interrupted by Ctrl-C or SIGTERM; what was written is kept.
pub const INTERRUPTED: u8 = 130;
