//! The runtime: what happens when a plan is executed (attacks, health gates, results on disk).
//! Each concern lives in its own submodule; data flows from the executor to the results layer.

pub mod results;
