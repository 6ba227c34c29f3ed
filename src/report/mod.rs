//! What people and CI look at after a run: metrics read back from the run folder, vegeta-style
//! text reports, expectations and notifications. Reads results on disk, never executor state.

pub mod expect;
pub mod metrics;
pub mod notify;
pub mod plots;
pub mod success_rates;
pub mod vegeta_text;
