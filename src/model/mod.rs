//! The checked scenario: what a `.dfs` file means once names, units and variables are resolved.
//! Built by `check` from the AST; consumed by the planner. No source text or spans past this point.

mod profile;
mod scenario;
mod time_scale;
pub mod units;

pub use profile::{RateProfile, Stage};
pub use scenario::*;
pub use time_scale::{TimeScale, TimeScaled, SHORTEST_SENSIBLE};

use serde::Serializer;
use std::time::Duration;

/// Serializes a `Duration` as the language writes it (`1m30s`).
pub fn serialize_duration<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&units::format_duration(*d))
}

/// Serializes an optional `Duration` as the language writes it, or null.
pub fn serialize_opt_duration<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&units::format_duration(*d)),
        None => s.serialize_none(),
    }
}
