//! dfaas-run: a load-testing pipeline engine. Text → AST → checked `Scenario` → `Plan` → run.
//! The library returns values; the CLI (`src/cli`) prints them and maps errors to exit codes.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod import;
pub mod model;
pub mod parser;
pub mod plan;
pub mod report;
pub mod runtime;
