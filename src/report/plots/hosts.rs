//! Host comparison for forwarded requests: a node addressed as `http://IP:30080` is the same host
//! as an `X-Server` of `IP`, `IP:8080` or a URL on it. Hosts are compared, never whole strings.

use std::net::IpAddr;

/// The host of a node URL (`http://127.0.0.2:30080/` → `127.0.0.2`), lower case, IPv6 unbracketed.
pub fn url_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed.host_str().map(normalise)
}

/// The host named by a response header value such as `X-Server`: a bare host or IP, `host:port`,
/// `[v6]:port`, a bare IPv6 address, or a URL.
pub fn server_host(value: &str) -> String {
    let value = value.trim();
    if value.contains("://") {
        if let Some(host) = url_host(value) {
            return host;
        }
    }
    if let Some(rest) = value.strip_prefix('[') {
        if let Some((inside, _)) = rest.split_once(']') {
            return normalise(inside);
        }
    }
    match value.matches(':').count() {
        // `host:port`; more colons is a bare IPv6 address.
        1 => normalise(value.split_once(':').map_or(value, |(host, _)| host)),
        _ => normalise(value),
    }
}

/// True when the two hosts are the same: equal IP addresses (any notation), or equal names
/// ignoring case and a trailing dot.
pub fn same_host(a: &str, b: &str) -> bool {
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => canonical_ip(x) == canonical_ip(y),
        _ => a == b,
    }
}

fn normalise(host: &str) -> String {
    host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase()
}

fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_compared_not_strings() {
        let node = url_host("http://127.0.0.2:30080/").expect("host");
        assert_eq!(node, "127.0.0.2");
        assert!(same_host(&node, &server_host("127.0.0.2")));
        assert!(same_host(&node, &server_host("127.0.0.2:8080")));
        assert!(same_host(&node, &server_host("http://127.0.0.2:31112")));
        assert!(!same_host(&node, &server_host("127.0.0.3")));
        let v6 = url_host("http://[::1]:8080").expect("host");
        assert!(same_host(&v6, &server_host("::1")));
        assert!(same_host(&v6, &server_host("[0:0:0:0:0:0:0:1]:80")));
        assert!(same_host(&url_host("http://Node-A.local:80").expect("host"), &server_host("node-a.local.")));
        assert!(same_host("127.0.0.1", &server_host("::ffff:127.0.0.1")));
    }
}
