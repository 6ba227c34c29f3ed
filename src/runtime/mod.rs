//! The runtime: what executes a plan. For now, the embedded demo target that scenarios and
//! runtime tests attack (`demo`); the executor, health gates and attacks live beside it.

pub mod demo;
