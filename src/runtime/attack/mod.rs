//! One attack: its schedule, its requests (templates, feeders, targets files), its HTTP client
//! and the engine that fires them under the open or closed model.

pub mod client;
pub mod engine;
pub mod feeder;
pub mod http1_client;
pub mod http1_reader;
pub mod http1_response;
pub mod pacer_timer;
pub mod request;
pub mod schedule;
pub mod targets_file;
pub mod template;
#[cfg(target_os = "linux")]
mod tick_conn;
#[cfg(target_os = "linux")]
mod tick_engine;
pub mod wire;
