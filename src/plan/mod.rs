//! Checked `Scenario` → `Plan`: a deterministic DAG of typed steps with time windows and exact
//! request counts, and its renderings (text, JSON, YAML, DOT). Nothing runs here.

mod dag;
pub mod diff;
mod render;
mod schedule;
mod step;

pub use dag::plan;
pub use render::{render, PlanFormat};
pub use schedule::gate_deadline;
pub use step::*;
