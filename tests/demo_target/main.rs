//! Runtime tests of the embedded demo target over real HTTP on loopback addresses: the library
//! API (`DemoNode`) and the `dfaas-run demo-node` command.

mod cli;
mod forwarding;
mod functions;
mod health;
mod openfaas;
mod support;
