//! Running a plan: the executor, health gates, deployments, attacks, and the run folder.
//! Everything here is async (tokio) except the pacer and the results writer threads.

pub mod demo;
pub mod results;
