//! `dfaas-run attack URL --rate 20000/s --duration 10s`: one attack from the command line, no
//! scenario file. It becomes a one-attack `Scenario` run by the same executor as `dfaas-run run`.

use super::console::Console;
use super::demo_node::unit_problem;
use super::{exit, run as run_command};
use crate::check::{DEFAULT_MAX_IN_FLIGHT, METHODS, RESERVED_NAMES};
use crate::model::units::{parse_duration, parse_rate, Rate, StatusSet};
use crate::model::{Attack, Body, Header, Load, RateProfile, ReportSpec, RequestSource, RequestSpec, Scenario, Stage};
use crate::plan::plan;
use crate::runtime::executor::{execute, RunOptions};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("load").required(true).args(["rate", "workers"])))]
#[command(after_help = "Open model with --rate (requests sent on schedule), closed model with --workers.\n\
Results go to DIR/NAME/<timestamp>/NAME/ exactly as for a scenario run (see docs/results-format.md).\n\
Templates work in the URL, header values and the body: `{{ seq }}`, `{{ uuid }}`, `{{ random_int(1, 100) }}`.")]
pub struct AttackArgs {
    /// The URL to send every request to (http:// or https://)
    #[arg(value_name = "URL", value_parser = parse_url)]
    pub url: String,
    /// Open model: requests per second, sent on schedule whether or not earlier ones returned (`20000/s`, `500/m`)
    #[arg(long, value_name = "RATE", value_parser = parse_positive_rate)]
    pub rate: Option<Rate>,
    /// Closed model: this many workers, each sending its next request when its previous one returned
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub workers: Option<u32>,
    /// How long the attack lasts (`10s`, `1m30s`)
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub duration: Duration,
    /// The request method
    #[arg(long, value_name = "METHOD", default_value = "GET", value_parser = parse_method)]
    pub method: String,
    /// A request header, `'Name: value'` (repeatable)
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header)]
    pub headers: Vec<Header>,
    /// The request body (a template, like a scenario's `body`)
    #[arg(long, value_name = "TEXT", conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Send this file's bytes as the body
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,
    /// Open model: requests still unanswered at once; a request due beyond it is not sent and is
    /// recorded as `not_sent_in_time`
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_IN_FLIGHT,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: u32,
    /// Per-request timeout
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_positive_duration)]
    pub timeout: Duration,
    /// At most this many connections (requests on the wire at once)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub connections: Option<u32>,
    /// Speak HTTP/2 only (h2 over TLS, h2c over http://)
    #[arg(long)]
    pub http2: bool,
    /// Accept any TLS certificate
    #[arg(long)]
    pub insecure: bool,
    /// Name of the attack (and of its run folder)
    #[arg(long, value_name = "NAME", default_value = "attack", value_parser = parse_name)]
    pub name: String,
    /// Where run folders go: DIR/NAME/<UTC timestamp>/
    #[arg(long, value_name = "DIR", default_value = "runs")]
    pub out: PathBuf,
    /// No live progress (the final summary is still printed)
    #[arg(long, short)]
    pub quiet: bool,
    /// How long in-flight requests may finish after Ctrl-C
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration_arg)]
    pub grace: Duration,
}

pub fn run(args: AttackArgs) -> u8 {
    let scenario = scenario(&args);
    if let Some(path) = args.body_file.as_ref().filter(|p| !p.is_file()) {
        eprintln!("error: --body-file {}: no such file", path.display());
        return exit::SCENARIO_ERROR;
    }
    run_attack(scenario, &args)
}

/// Plans and executes the scenario like `dfaas-run run` does, then prints the same summary.
fn run_attack(scenario: Scenario, args: &AttackArgs) -> u8 {
    let plan = Arc::new(plan(&scenario));
    let console = match Console::start(args.quiet) {
        Ok(console) => console,
        Err(code) => return code,
    };
    let options = RunOptions {
        base_dir: args.out.clone(),
        sources: Vec::new(),
        overrides: Vec::new(),
        grace: args.grace,
        progress_every: console.progress_every,
        stop: console.stop.clone(),
        events: console.events.clone(),
        time_scale: 1.0,
        scale: crate::runtime::scale_out::ScaleOut::default(),
    };
    let outcome = console.run(execute(Arc::new(scenario), plan, options));
    match outcome {
        Ok(outcome) => run_command::summarize(&outcome, None, None),
        Err(message) => {
            eprintln!("error: {message}");
            exit::RUNTIME_FAILURE
        }
    }
}

/// The one-attack scenario the arguments describe, with the defaults of a scenario's attack.
pub fn scenario(args: &AttackArgs) -> Scenario {
    let load = match (args.rate, args.workers) {
        (_, Some(workers)) => Load::Closed { workers, duration: args.duration },
        (Some(rate), None) => Load::Open { profile: RateProfile { stages: vec![Stage::hold(rate, args.duration)] } },
        (None, None) => unreachable!("clap requires --rate or --workers"),
    };
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => Body::Inline(text.clone()),
        (None, Some(path)) => Body::File(path.clone()),
        (None, None) => Body::None,
    };
    let attack = Attack {
        name: args.name.clone(),
        nodes: Vec::new(),
        after: Vec::new(),
        delay: Duration::ZERO,
        load,
        max_in_flight: args.max_in_flight,
        timeout: args.timeout,
        connections: args.connections,
        keep_alive: true,
        http2: args.http2,
        insecure: args.insecure,
        success: StatusSet::range(200, 399),
        record_headers: Vec::new(),
        record_body: None,
        request: RequestSource::Spec(RequestSpec {
            method: args.method.clone(),
            target: args.url.clone(),
            headers: args.headers.clone(),
            body,
            feeder: None,
        }),
    };
    // No source file: the hash identifies the attack as built (same arguments, same hash).
    let description = serde_json::to_vec(&attack).unwrap_or_default();
    let source_hash = format!("{:x}", Sha256::digest(&description));
    Scenario {
        name: args.name.clone(),
        source_hash,
        nodes: Vec::new(),
        functions: Vec::new(),
        deployments: Vec::new(),
        teardowns: Vec::new(),
        wait: None,
        gates: Vec::new(),
        attacks: vec![attack],
        report: ReportSpec::default(),
        expectations: Vec::new(),
        notifications: Vec::new(),
    }
}

fn parse_url(s: &str) -> Result<String, String> {
    // Templates (`{{ seq }}`) may appear in the path; the scheme and host must be plain.
    let url = url::Url::parse(s)
        .map_err(|e| format!("`{s}` is not a URL ({e}); write it like http://127.0.0.1:8080/path"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{s}` is not an http:// or https:// URL with a host"));
    }
    Ok(s.to_string())
}

fn parse_positive_rate(s: &str) -> Result<Rate, String> {
    match parse_rate(s) {
        Ok(rate) if !rate.is_zero() => Ok(rate),
        Ok(_) => Err("the rate must be above zero".into()),
        Err(e) => Err(unit_problem(s, "a rate", "20000/s", e)),
    }
}

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("the duration must be above zero".into()),
        Err(e) => Err(unit_problem(s, "a duration", "10s", e)),
    }
}

fn parse_duration_arg(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| unit_problem(s, "a duration", "5s", e))
}

fn parse_method(s: &str) -> Result<String, String> {
    let upper = s.to_ascii_uppercase();
    if METHODS.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(format!("`{s}` is not an HTTP method (one of {})", METHODS.join(", ")))
    }
}

fn parse_header(s: &str) -> Result<Header, String> {
    let (name, value) =
        s.split_once(':').ok_or_else(|| format!("`{s}` is not a header; write it like 'Content-Type: text/plain'"))?;
    let name = name.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(format!("`{name}` is not a header name (letters, digits and `-`, like Content-Type)"));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(format!("the value of header `{name}` contains a line break"));
    }
    Ok(Header { name: name.to_string(), value: value.trim().to_string() })
}

fn parse_name(s: &str) -> Result<String, String> {
    let mut chars = s.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(format!("`{s}` is not a name (a letter or `_`, then letters, digits, `_` and `-`)"));
    }
    if RESERVED_NAMES.contains(&s) {
        return Err(format!("`{s}` is reserved; pick another name"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_methods_and_names_are_checked() {
        assert_eq!(
            parse_header("Content-Type:  text/plain ").unwrap(),
            Header { name: "Content-Type".into(), value: "text/plain".into() }
        );
        assert_eq!(parse_header("X-A: b: c").unwrap().value, "b: c");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert_eq!(parse_method("post").unwrap(), "POST");
        assert!(parse_method("FETCH").is_err());
        assert!(parse_name("all").is_err());
        assert!(parse_name("9lives").is_err());
        assert_eq!(parse_name("spike-1").unwrap(), "spike-1");
        assert!(parse_url("ftp://127.0.0.1/").is_err());
        assert!(parse_url("127.0.0.1:8080").is_err());
        assert_eq!(parse_url("http://127.0.0.1:8080/f/{{ seq }}").unwrap(), "http://127.0.0.1:8080/f/{{ seq }}");
        assert!(parse_positive_rate("0/s").is_err());
        assert!(parse_positive_duration("0s").is_err());
    }
}
