//! Running a plan: the executor and its steps (deploy, wait, health gates, attacks, reports,
//! merge, expectations, notifications), the embedded demo target, and results on disk.
//! Everything here is async (tokio) except the pacer and the results writer threads.

pub mod attack;
pub mod attack_step;
pub mod cpu_time;
pub mod demo;
pub mod demo_nodes;
pub mod deploy;
pub mod events;
pub mod executor;
pub mod health;
pub mod progress;
pub mod record_sink;
pub mod report_values;
pub mod results;
pub mod run_dir;
pub mod scale_out;
pub mod setup_steps;
pub mod stop;
pub mod threads;
pub mod wrapup_steps;
