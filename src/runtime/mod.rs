//! Running a plan: the executor, health gates, deployments, attacks, and the run folder.
//! Everything here is async (tokio) except the pacer and the results writer threads.

pub mod attack;
pub mod deploy;
pub mod events;
pub mod health;
pub mod progress;
pub mod run_dir;
pub mod stop;
