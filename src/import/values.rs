//! One list entry → one typed value, the way the operator's tools read it (`sleep` seconds,
//! vegeta minutes and rates, `http://` + address): a mistake is a diagnostic on the entry.

use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::units::Decimal;
use crate::parser::span::{Span, Spanned};
use std::time::Duration;

/// Which entry of which list a value comes from, for messages: "`ATTACKS_RATE` entry 3".
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub variable: &'a str,
    /// 0-based.
    pub index: usize,
    pub entry: &'a Spanned<String>,
    /// What the entry belongs to, as the label says it: "attack `figlet-mid-100`".
    pub owner: Option<&'a str>,
}

impl EntryRef<'_> {
    /// "`ATTACKS_RATE` entry 3 (`fast`)", or "`ATTACKS_RATE` entry 3 (empty)".
    pub fn describe(&self) -> String {
        let shown = if self.entry.node.is_empty() { "empty".to_string() } else { format!("`{}`", self.entry.node) };
        format!("`{}` entry {} ({shown})", self.variable, self.index + 1)
    }

    pub fn span(&self) -> Span {
        self.entry.span
    }

    fn label(&self) -> String {
        self.owner.map(str::to_string).unwrap_or_else(|| format!("entry {}", self.index + 1))
    }

    /// An error on this entry.
    pub fn error(&self, code: Code, problem: &str, help: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, format!("{} {problem}", self.describe())).label(self.span(), self.label()).help(help)
    }

    /// A warning on this entry.
    pub fn warning(&self, code: Code, problem: &str, help: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, format!("{} {problem}", self.describe())).label(self.span(), self.label()).help(help)
    }
}

/// `12`, `0.5`: a plain non-negative decimal, scaled to a whole number of `unit` nanoseconds.
fn decimal_nanos(text: &str, unit_nanos: u128) -> Option<Duration> {
    let well_formed = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    let nanos = Decimal::parse(text).filter(|_| well_formed)?.times(unit_nanos).ok()?;
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

/// A delay or wait in seconds, as `sleep` takes it (`0`, `300`, `1.5`).
pub fn seconds(at: EntryRef) -> Result<Duration, Diagnostic> {
    decimal_nanos(&at.entry.node, 1_000_000_000).ok_or_else(|| {
        at.error(
            Code::InvalidNumber,
            "is not a number of seconds",
            "write seconds as a plain number, like `300` or `1.5`",
        )
    })
}

/// An attack duration in minutes, as the operator hands it to vegeta (`-duration=15m`).
pub fn minutes(at: EntryRef) -> Result<Duration, Diagnostic> {
    match decimal_nanos(&at.entry.node, 60_000_000_000) {
        Some(d) if !d.is_zero() => Ok(d),
        Some(_) => Err(at.error(
            Code::InvalidNumber,
            "is zero minutes",
            "vegeta attacks forever with a zero duration; give the attack's length in minutes, like `15`",
        )),
        None => Err(at.error(
            Code::InvalidNumber,
            "is not a number of minutes",
            "write minutes as a plain number, like `15` or `0.5`",
        )),
    }
}

/// An attack rate in requests per second, a whole number as vegeta's `-rate` takes it.
pub fn rate(at: EntryRef) -> Result<u64, Diagnostic> {
    match whole(&at.entry.node) {
        Some(0) => Err(at.error(
            Code::InvalidNumber,
            "is a zero rate",
            "vegeta's `-rate=0` means as fast as possible, which an open-model attack does not do; give requests per second, like `100`",
        )),
        Some(n) if n <= 10_000_000 => Ok(n),
        _ => Err(at.error(
            Code::InvalidNumber,
            "is not a whole number of requests per second",
            "write the rate as a whole number, like `100` (requests per second, at most 10000000)",
        )),
    }
}

/// A `dfaas.maxrate` label value: a whole number of requests per second.
pub fn limit(at: EntryRef) -> Result<u64, Diagnostic> {
    whole(&at.entry.node).ok_or_else(|| {
        at.error(Code::InvalidNumber, "is not a whole number", "`dfaas.maxrate` limits are whole numbers, like `100`")
    })
}

fn whole(text: &str) -> Option<u64> {
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// A name the scenario can use for an attack or a function (an identifier, also a folder name).
pub fn name(at: EntryRef, what: &str, reserved: &[&str]) -> Result<String, Diagnostic> {
    let text = at.entry.node.as_str();
    let valid = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(at.error(
            Code::InvalidName,
            &format!("cannot name {what}"),
            "names are letters, digits, `_` and `-`, starting with a letter or `_`",
        ));
    }
    if reserved.contains(&text) {
        return Err(at.error(
            Code::ReservedName,
            &format!("cannot name {what}: the name is reserved"),
            format!("{} are reserved; rename it in the .env", reserved.join(", ")),
        ));
    }
    Ok(text.to_string())
}

/// An HTTP method, in capitals, as the scenario language takes it.
pub fn method(at: EntryRef) -> Result<String, Diagnostic> {
    let text = at.entry.node.as_str();
    if crate::check::METHODS.contains(&text) {
        return Ok(text.to_string());
    }
    let upper = text.to_ascii_uppercase();
    let help = if crate::check::METHODS.contains(&upper.as_str()) {
        format!("write it in capitals: `{upper}`")
    } else {
        suggest(&upper, crate::check::METHODS.iter().copied())
    };
    Err(at.error(Code::UnknownMethod, "is not an HTTP method", help))
}

/// `true` exactly, like the operator's `[[ $X == "true" ]]`; anything else is false, with a
/// warning unless it is `false`.
pub fn boolean(name: &str, value: &Spanned<String>) -> (bool, Option<Diagnostic>) {
    match value.node.as_str() {
        "true" => (true, None),
        "false" => (false, None),
        other => (
            false,
            Some(
                Diagnostic::warning(Code::InvalidBoolean, format!("`{name}={other}` counts as false"))
                    .label(value.span, "neither `true` nor `false`")
                    .help(format!("the operator tests `{name} == \"true\"` exactly: write `true` or `false`")),
            ),
        ),
    }
}

/// A node as the operator reaches it: `host` or `host:port` (port 80 when none), no scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// As written (IPv6 in brackets).
    pub host: String,
    pub port: u16,
}

impl Address {
    /// `http://host:port`, the port always written.
    pub fn url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// Same host (case-insensitive) and port.
    pub fn same_as(&self, other: &Address) -> bool {
        self.host.eq_ignore_ascii_case(&other.host) && self.port == other.port
    }
}

/// Parses `host[:port]`. `what` is the problem's subject ("is not a node address").
fn address(text: &str) -> Result<Address, &'static str> {
    if text.contains("://") {
        return Err("has a scheme; the operator adds `http://` itself");
    }
    let url = url::Url::parse(&format!("http://{text}")).map_err(|_| "is not a host or host:port")?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("has no host")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("holds credentials; give them with OPENFAAS_GATEWAY_USER and OPENFAAS_GATEWAY_PWD");
    }
    let written_host =
        text.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(text, |(h, _)| h);
    if written_host.chars().all(|c| c.is_ascii_digit()) {
        return Err("is a bare number, not a host");
    }
    let ipv6 = written_host.starts_with('[') && written_host.ends_with(']');
    if !ipv6 && !written_host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err("is not a host or host:port");
    }
    Ok(Address { host: host.to_string(), port: url.port_or_known_default().unwrap_or(80) })
}

/// A node of `NODES`.
pub fn node_address(at: EntryRef, separator: char) -> Result<Address, Diagnostic> {
    let text = at.entry.node.as_str();
    let bad = |problem: &str| {
        let mut help = "write the node as the operator takes it: `host` (port 80) or `host:port`".to_string();
        if separator == ':' {
            help.push_str("; in a `:`-separated file a port cannot be written (the operator splits on it too): use the `;` layout");
        }
        at.error(Code::BadUrl, problem, help)
    };
    if text.contains(['/', '?', '#']) && !text.contains("://") {
        return Err(bad("is not a node address (it has a path)"));
    }
    address(text).map_err(bad)
}

/// An attack target, `host[:port]/path`, split into the address and the path (with its `/`).
pub fn target(at: EntryRef) -> Result<(Address, String), Diagnostic> {
    let text = at.entry.node.as_str();
    let (authority, path) = match text.find(['/', '?']) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    let bad = |problem: &str| {
        at.error(
            Code::BadUrl,
            problem,
            "write the target as the operator takes it: `host[:port]/path`, like `127.0.0.1/function/figlet`",
        )
    };
    if text.contains("://") {
        return Err(bad("has a scheme; the operator adds `http://` itself"));
    }
    if path.contains(char::is_whitespace) {
        return Err(bad("has a space in its path"));
    }
    let address = address(authority).map_err(bad)?;
    Ok((address, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> Spanned<String> {
        Spanned::new(Span::default(), text.to_string())
    }

    fn at(e: &Spanned<String>) -> EntryRef<'_> {
        EntryRef { variable: "X", index: 2, entry: e, owner: None }
    }

    #[test]
    fn numbers_are_read_like_sleep_and_vegeta() {
        assert_eq!(seconds(at(&entry("300"))).ok(), Some(Duration::from_secs(300)));
        assert_eq!(seconds(at(&entry("1.5"))).ok(), Some(Duration::from_millis(1500)));
        assert_eq!(seconds(at(&entry("0"))).ok(), Some(Duration::ZERO));
        for bad in ["", "-1", "1e3", "5s", " 5", ".5", "1_0"] {
            assert!(seconds(at(&entry(bad))).is_err(), "{bad:?}");
        }
        assert_eq!(minutes(at(&entry("0.5"))).ok(), Some(Duration::from_secs(30)));
        assert!(minutes(at(&entry("0"))).is_err_and(|d| d.message.contains("zero")));
        assert_eq!(rate(at(&entry("350"))).ok(), Some(350));
        assert!(rate(at(&entry("0"))).is_err());
        assert!(rate(at(&entry("2.5")))
            .is_err_and(|d| d.message == "`X` entry 3 (`2.5`) is not a whole number of requests per second"));
        assert!(limit(at(&entry(""))).is_err_and(|d| d.message.contains("(empty)")));
    }

    #[test]
    fn addresses_and_targets() {
        let node = |t: &str| node_address(at(&entry(t)), ';').map(|a| a.url());
        assert_eq!(node("127.0.0.2").ok().as_deref(), Some("http://127.0.0.2:80"));
        assert_eq!(node("localhost:30080").ok().as_deref(), Some("http://localhost:30080"));
        assert_eq!(node("[::1]:8080").ok().as_deref(), Some("http://[::1]:8080"));
        for bad in ["", "http://127.0.0.1", "127.0.0.1/x", "30080", "a b", "u:p@127.0.0.1", "127.0.0.4\"", "h%41"] {
            assert!(node(bad).is_err(), "{bad:?}");
        }
        let (address, path) = target(at(&entry("127.0.0.3/function/figlet"))).expect("target");
        assert_eq!((address.url().as_str(), path.as_str()), ("http://127.0.0.3:80", "/function/figlet"));
        let (address, path) = target(at(&entry("localhost:8080"))).expect("target");
        assert_eq!((address.port, path.as_str()), (8080, "/"));
        assert!(target(at(&entry("http://127.0.0.1/f"))).is_err());
    }

    #[test]
    fn names_methods_and_booleans() {
        assert!(name(at(&entry("figlet-light-350")), "an attack", &["all"]).is_ok());
        assert!(name(at(&entry("350-light")), "an attack", &[]).is_err_and(|d| d.code == Code::InvalidName));
        assert!(name(at(&entry("all")), "an attack", &["all"]).is_err_and(|d| d.code == Code::ReservedName));
        assert!(method(at(&entry("get"))).is_err_and(|d| d.help.as_deref() == Some("write it in capitals: `GET`")));
        assert!(boolean("TEST_MODE", &entry("true")).0);
        let (value, warning) = boolean("TEST_MODE", &entry("True"));
        assert!(!value && warning.is_some_and(|d| d.code == Code::InvalidBoolean && !d.is_error()));
    }
}
