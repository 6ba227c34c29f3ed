//! Helpers shared by the integration tests: random scenario generation for property tests.
//! Each test crate includes this module with `mod support;`.

pub mod scenario_gen;
pub mod scenario_values;
