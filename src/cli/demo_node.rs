//! `dfaas-run demo-node`: serves the embedded demo target (a mock DFaaS/OpenFaaS node) until
//! Ctrl-C, SIGTERM or `--for`; prints its URL as the one line on stdout, for scripts and tests.

use super::exit;
use crate::model::units::{parse_duration, parse_percent, parse_rate, Percent, Rate, UnitError};
use crate::runtime::demo::{DemoConfig, DemoNode, DemoStats};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;
use url::Url;

#[derive(Debug, clap::Args)]
#[command(after_help = "The node serves /healthz, /function/<name> (any name) and the OpenFaaS API under /system.\n\
It is a mock for local runs and tests: it listens on loopback addresses only unless --allow-remote is given.\n\
See docs/demo-target.md.")]
pub struct DemoNodeArgs {
    /// Address to listen on; port 0 picks a free port (the printed URL tells which)
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Value of the X-Server response header (default: the IP listened on)
    #[arg(long, value_name = "ID")]
    pub server_id: Option<String>,
    /// Latency of each served call: `10ms`, or uniform over a range, `5ms..20ms`
    #[arg(long, value_name = "MIN[..MAX]", value_parser = parse_latency, default_value = "1ms..5ms")]
    pub latency: (Duration, Duration),
    /// Share of served calls answered 500, e.g. `1%`
    #[arg(long, value_name = "PERCENT", value_parser = parse_error_share, default_value = "0%")]
    pub errors: Percent,
    /// Calls per second served here, e.g. `100/s`; the excess goes to --forward-to peers (or gets 429)
    #[arg(long, value_name = "RATE", value_parser = parse_max_rate)]
    pub max_rate: Option<Rate>,
    /// Peers taking the excess load, round-robin: `http://127.0.0.1:8081,http://127.0.0.1:8082`
    #[arg(long, value_name = "URL,...", value_delimiter = ',', value_parser = parse_peer)]
    pub forward_to: Vec<Url>,
    /// Basic-auth user required on /system/* (default: the DEMO_USER environment variable)
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Its password (default: DEMO_PASSWORD; prefer it, command lines are visible to other users)
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Seed of the latency and error draws, for reproducible runs
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Stop by itself after this long, e.g. `30s` (default: until Ctrl-C or SIGTERM)
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_run_for)]
    pub run_for: Option<Duration>,
    /// Listen on, and forward to, addresses beyond loopback. It is a mock: never expose it
    #[arg(long)]
    pub allow_remote: bool,
}

pub(super) fn unit_problem(text: &str, what: &str, example: &str, e: UnitError) -> String {
    let why = match e {
        UnitError::Malformed => "is not",
        UnitError::Negative => "is negative, so not",
        UnitError::TooLarge => "is too large for",
        UnitError::TooPrecise => "is too precise for",
    };
    format!("`{text}` {why} {what}; write it like `{example}`")
}

/// `10ms` or `5ms..20ms`, in the language's duration syntax.
fn parse_latency(text: &str) -> Result<(Duration, Duration), String> {
    let duration = |part: &str| parse_duration(part).map_err(|e| unit_problem(part, "a duration", "5ms..20ms", e));
    let (min, max) = match text.split_once("..") {
        Some((low, high)) => (duration(low)?, duration(high)?),
        None => {
            let fixed = duration(text)?;
            (fixed, fixed)
        }
    };
    if min > max {
        return Err(format!("the latency range `{text}` is reversed; write the shorter latency first"));
    }
    Ok((min, max))
}

fn parse_error_share(text: &str) -> Result<Percent, String> {
    let share = parse_percent(text).map_err(|e| unit_problem(text, "a percentage", "1%", e))?;
    if share.ppm() > 1_000_000 {
        return Err(format!("`{text}` is more than 100%"));
    }
    Ok(share)
}

fn parse_max_rate(text: &str) -> Result<Rate, String> {
    let rate = parse_rate(text).map_err(|e| unit_problem(text, "a rate", "100/s", e))?;
    if rate.is_zero() {
        return Err("a max-rate of zero would serve nothing; give a positive rate like `100/s`".to_string());
    }
    Ok(rate)
}

fn parse_run_for(text: &str) -> Result<Duration, String> {
    parse_duration(text).map_err(|e| unit_problem(text, "a duration", "30s", e))
}

fn parse_peer(text: &str) -> Result<Url, String> {
    let url =
        Url::parse(text).map_err(|e| format!("`{text}` is not a URL ({e}); write it like `http://127.0.0.1:8081`"))?;
    if url.scheme() != "http" || url.host().is_none() {
        return Err(format!("`{text}` is not a plain http:// URL; demo nodes forward over HTTP only"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A value from the command line, else from the environment (unset or empty: none).
fn flag_or_env(flag: &Option<String>, var: &str) -> Option<String> {
    flag.clone().or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

/// The node's configuration, or why the arguments cannot be honoured.
fn config(args: &DemoNodeArgs) -> Result<DemoConfig, String> {
    const REMOTE_HELP: &str =
        "the demo node is a mock, not a server to expose; pass --allow-remote if you really mean it";
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(format!("refusing to listen on {}, which is not a loopback address: {REMOTE_HELP}", args.listen));
    }
    if let Some(peer) = args.forward_to.iter().find(|peer| !is_loopback(peer)) {
        if !args.allow_remote {
            return Err(format!("refusing to forward to {peer}, which is not a loopback address: {REMOTE_HELP}"));
        }
    }
    let credentials = match (flag_or_env(&args.user, "DEMO_USER"), flag_or_env(&args.password, "DEMO_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        (Some(_), None) => return Err("--user needs a password: --password or DEMO_PASSWORD".to_string()),
        (None, Some(_)) => return Err("a password needs a user: --user or DEMO_USER".to_string()),
    };
    Ok(DemoConfig {
        listen: args.listen,
        server_id: args.server_id.clone().unwrap_or_default(),
        latency: args.latency,
        error_rate: args.errors.as_fraction(),
        max_rate: args.max_rate.map(Rate::as_per_second_f64),
        peers: args.forward_to.clone(),
        credentials,
        seed: args.seed,
    })
}

pub fn run(args: DemoNodeArgs) -> u8 {
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::SCENARIO_ERROR;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::RUNTIME_FAILURE;
        }
    };
    runtime.block_on(serve(config, &args))
}

async fn serve(config: DemoConfig, args: &DemoNodeArgs) -> u8 {
    let signals = StopSignals::install();
    let listen = config.listen;
    let node = match DemoNode::start(config).await {
        Ok(node) => node,
        Err(e) => {
            eprintln!("error: cannot serve the demo node on {listen}: {e}");
            return exit::RUNTIME_FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "http://{}", node.addr()).and_then(|()| stdout.flush()).is_err() {
        // Whoever started us can no longer learn where we listen: serving would be pointless.
        eprintln!("error: cannot print the demo node's URL on stdout");
        node.shutdown().await;
        return exit::RUNTIME_FAILURE;
    }
    drop(stdout);
    eprintln!("{}", describe(&node, args));
    let reason = signals.wait(args.run_for).await;
    let stats = node.shutdown_with_stats().await;
    eprintln!("demo node stopped ({reason}): {}", summary(&stats));
    exit::OK
}

fn describe(node: &DemoNode, args: &DemoNodeArgs) -> String {
    let (min, max) = args.latency;
    let latency = if min == max {
        crate::model::units::format_duration(min)
    } else {
        format!("{}..{}", crate::model::units::format_duration(min), crate::model::units::format_duration(max))
    };
    let mut text = format!(
        "demo node `{}` serving http://{}: latency {latency}, errors {}",
        node.server_id(),
        node.addr(),
        args.errors
    );
    if let Some(rate) = args.max_rate {
        text.push_str(&format!(", max-rate {rate}"));
        match args.forward_to.len() {
            0 => text.push_str(" (excess answered 429)"),
            n => text.push_str(&format!(" (excess forwarded to {n} peer{})", if n == 1 { "" } else { "s" })),
        }
    }
    match args.run_for {
        Some(d) => text.push_str(&format!("; stops after {}", crate::model::units::format_duration(d))),
        None => text.push_str("; stop with Ctrl-C"),
    }
    text
}

fn summary(stats: &DemoStats) -> String {
    format!(
        "{} function calls: {} served ({} errors), {} forwarded, {} rejected, {} not found; {} health probes",
        stats.function_calls,
        stats.served,
        stats.errors,
        stats.forwarded,
        stats.rejected,
        stats.not_found,
        stats.health_probes
    )
}

/// Ctrl-C and SIGTERM, listened to from before the URL is printed, so that whoever reads it
/// can stop the node at once.
struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    /// Installs the handlers (inside the runtime). One that cannot be installed never fires;
    /// the others, and `--for`, still stop the node.
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            StopSignals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    /// Waits for Ctrl-C, SIGTERM or the end of `--for`, and says which came.
    async fn wait(mut self, run_for: Option<Duration>) -> &'static str {
        let elapsed = async {
            match run_for {
                Some(duration) => tokio::time::sleep(duration).await,
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        let (interrupted, terminated) = (received(self.interrupt.as_mut()), received(self.terminate.as_mut()));
        #[cfg(not(unix))]
        let (interrupted, terminated) = (
            async {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            },
            std::future::pending::<()>(),
        );
        tokio::select! {
            _ = elapsed => "--for elapsed",
            _ = interrupted => "interrupted",
            _ = terminated => "terminated",
        }
    }
}

#[cfg(unix)]
async fn received(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_takes_one_value_or_a_range() {
        assert_eq!(parse_latency("10ms"), Ok((Duration::from_millis(10), Duration::from_millis(10))));
        assert_eq!(parse_latency("5ms..20ms"), Ok((Duration::from_millis(5), Duration::from_millis(20))));
        assert!(parse_latency("20ms..5ms").unwrap_err().contains("reversed"));
        assert!(parse_latency("5..20ms").unwrap_err().contains("`5` is not a duration"));
        assert!(parse_latency("-5ms").unwrap_err().contains("negative"));
    }

    #[test]
    fn shares_rates_and_peers_are_checked() {
        assert_eq!(parse_error_share("1%").map(|p| p.ppm()), Ok(10_000));
        assert!(parse_error_share("101%").is_err());
        assert!(parse_error_share("0.5").is_err());
        assert_eq!(parse_max_rate("100/s"), Ok(Rate::per_second(100)));
        assert!(parse_max_rate("0/s").is_err());
        assert!(parse_max_rate("100").is_err());
        assert!(parse_peer("http://127.0.0.1:8081").is_ok());
        assert!(parse_peer("https://127.0.0.1:8081").is_err());
        assert!(parse_peer("127.0.0.1:8081").is_err());
    }

    #[test]
    fn loopback_means_loopback() {
        for url in ["http://127.0.0.1:1", "http://127.0.0.3:1", "http://[::1]:1", "http://localhost:1"] {
            assert!(is_loopback(&Url::parse(url).unwrap()), "{url}");
        }
        for url in ["http://0.0.0.0:1", "http://[::]:1", "http://dfaas-node:1"] {
            assert!(!is_loopback(&Url::parse(url).unwrap()), "{url}");
        }
    }
}
