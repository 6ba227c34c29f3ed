//! The start barrier: every shard listens on a TCP port and waits until all N peers' names resolve
//! and accept a connection (`dns:dfaas-{i}.dfaas:7946`). Plain DNS and TCP, no Kubernetes API.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The pause between two rounds of attempts.
const RETRY_EVERY: Duration = Duration::from_millis(250);

/// Where the peers are: `dns:<host>:<port>`, `{i}` standing for a shard's index in the host, and
/// the port either fixed (`7946`) or `<base>+{i}` (one port per shard, for shards on one machine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarrierSpec {
    host: String,
    port: u16,
    port_per_shard: bool,
}

impl BarrierSpec {
    pub fn parse(text: &str) -> Result<BarrierSpec, String> {
        let help = "write it as dns:HOST:PORT with {i} for the shard index, like `dns:dfaas-{i}.dfaas:7946` \
                    (or `dns:127.0.0.1:41000+{i}` for one port per shard)";
        let rest = text.strip_prefix("dns:").ok_or_else(|| format!("`{text}` is not a barrier: {help}"))?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(|| format!("`{text}` has no port: {help}"))?;
        let (port, port_per_shard) = match port.strip_suffix("+{i}") {
            Some(base) => (base, true),
            None => (port, false),
        };
        let port: u16 = port.parse().map_err(|_| format!("`{text}`: `{port}` is not a port number: {help}"))?;
        if host.is_empty() {
            return Err(format!("`{text}` has no host name: {help}"));
        }
        if !host.contains("{i}") && !port_per_shard {
            return Err(format!(
                "`{text}` names the same peer for every shard: put {{i}} in the host or the port; {help}"
            ));
        }
        let unknown = host.replace("{i}", "");
        if unknown.contains('{') || unknown.contains('}') {
            return Err(format!("`{text}`: only {{i}} can be replaced in the host; {help}"));
        }
        Ok(BarrierSpec { host: host.to_string(), port, port_per_shard })
    }

    /// Shard `index`'s host name and port.
    pub fn peer(&self, index: u32) -> Result<(String, u16), String> {
        let port = if self.port_per_shard {
            u16::try_from(u32::from(self.port) + index)
                .map_err(|_| format!("the barrier port {}+{index} is over 65535", self.port))?
        } else {
            self.port
        };
        let host = self.host.replace("{i}", &index.to_string());
        Ok((host.trim_start_matches('[').trim_end_matches(']').to_string(), port))
    }

    /// What a shard listens on: its host when that is an IP address (shards on one machine), else
    /// every IPv4 interface (a pod's own name may not resolve yet when it starts listening).
    fn listen_address(&self, index: u32) -> Result<SocketAddr, String> {
        let (host, port) = self.peer(index)?;
        let ip = host.parse::<IpAddr>().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(SocketAddr::new(ip, port))
    }
}

impl std::fmt::Display for BarrierSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per_shard = if self.port_per_shard { "+{i}" } else { "" };
        write!(f, "dns:{}:{}{per_shard}", self.host, self.port)
    }
}

/// A shard's barrier listener: accepts and closes connections until dropped.
#[derive(Debug)]
pub struct BarrierListener {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for BarrierListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts listening for the peers' checks. Keep the listener for the whole run: a peer that is
/// slower to look must still find this shard after it has gone past the barrier.
pub async fn listen(spec: &BarrierSpec, index: u32) -> Result<BarrierListener, String> {
    let addr = spec.listen_address(index)?;
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("the barrier cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("the barrier listener on {addr}: {e}"))?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    Ok(BarrierListener { addr, task })
}

/// How the barrier went.
#[derive(Debug, Clone, PartialEq)]
pub struct BarrierPassed {
    pub peers: u32,
    pub waited: Duration,
}

/// Waits until the `count` shards all resolve and accept a connection, or `deadline` passes; the
/// error names every peer that did not answer and why.
pub async fn wait(spec: &BarrierSpec, count: u32, deadline: SystemTime) -> Result<BarrierPassed, String> {
    let began = Instant::now();
    let peers: Vec<(String, u16)> = (0..count).map(|i| spec.peer(i)).collect::<Result<_, _>>()?;
    let mut pending: Vec<u32> = (0..count).collect();
    let mut last_error: Vec<String> = vec![String::new(); count as usize];
    loop {
        let mut round = JoinSet::new();
        for &i in &pending {
            let (host, port) = peers[i as usize].clone();
            round.spawn(async move {
                let attempt = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port))).await;
                let outcome = match attempt {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())),
                };
                (i, outcome)
            });
        }
        while let Some(done) = round.join_next().await {
            let Ok((i, outcome)) = done else { continue };
            match outcome {
                Ok(()) => pending.retain(|&p| p != i),
                Err(e) => last_error[i as usize] = e,
            }
        }
        if pending.is_empty() {
            return Ok(BarrierPassed { peers: count, waited: began.elapsed() });
        }
        let left = deadline.duration_since(SystemTime::now()).unwrap_or_default();
        if left.is_zero() {
            let missing: Vec<String> = pending
                .iter()
                .map(|&i| {
                    let (host, port) = &peers[i as usize];
                    format!("shard {i} at {host}:{port} ({})", last_error[i as usize])
                })
                .collect();
            return Err(format!(
                "the start barrier did not pass: {} of {count} shard(s) never answered: {}",
                missing.len(),
                missing.join("; ")
            ));
        }
        tokio::time::sleep(RETRY_EVERY.min(left)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_every_peer() {
        let spec = BarrierSpec::parse("dns:dfaas-{i}.dfaas:7946").expect("parses");
        assert_eq!(spec.to_string(), "dns:dfaas-{i}.dfaas:7946");
        assert_eq!(spec.peer(3), Ok(("dfaas-3.dfaas".to_string(), 7946)));
        assert_eq!(spec.listen_address(3), Ok(SocketAddr::from(([0, 0, 0, 0], 7946))));
        let local = BarrierSpec::parse("dns:127.0.0.1:41000+{i}").expect("parses");
        assert_eq!(local.peer(2), Ok(("127.0.0.1".to_string(), 41002)));
        assert_eq!(local.listen_address(2), Ok(SocketAddr::from(([127, 0, 0, 1], 41002))));
        let v6 = BarrierSpec::parse("dns:[::1]:41000+{i}").expect("parses");
        assert_eq!(v6.peer(1), Ok(("::1".to_string(), 41001)));
        assert!(BarrierSpec::parse("dns:127.0.0.1:65535+{i}").expect("parses").peer(1).is_err());
    }

    #[test]
    fn bad_patterns_say_how_to_write_them() {
        for (text, problem) in [
            ("dfaas-{i}:7946", "is not a barrier"),
            ("dns:dfaas-{i}", "has no port"),
            ("dns:dfaas-{i}:http", "is not a port number"),
            ("dns:dfaas:7946", "same peer for every shard"),
            ("dns:dfaas-{n}-{i}:7946", "only {i}"),
            ("dns::7946+{i}", "no host name"),
        ] {
            let err = BarrierSpec::parse(text).expect_err(text);
            assert!(err.contains(problem), "{text}: {err}");
        }
    }

    #[tokio::test]
    async fn peers_pass_when_all_listen_and_missing_ones_are_named() {
        // Find two free consecutive-ish ports by binding 0 and using a per-shard pattern on them.
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = probe.local_addr().expect("addr").port();
        drop(probe);
        let Ok(spec) = BarrierSpec::parse(&format!("dns:127.0.0.1:{base}+{{i}}")) else { panic!("parses") };
        let first = listen(&spec, 0).await;
        let Ok(_first) = first else { return }; // the port was taken meanwhile: nothing to test here
        let deadline = SystemTime::now() + Duration::from_millis(600);
        let err = wait(&spec, 2, deadline).await.expect_err("shard 1 is not listening");
        assert!(err.contains("1 of 2 shard(s) never answered: shard 1 at 127.0.0.1:"), "{err}");
        let Ok(_second) = listen(&spec, 1).await else { return };
        let passed = wait(&spec, 2, SystemTime::now() + Duration::from_secs(10)).await.expect("both listen");
        assert_eq!(passed.peers, 2);
    }
}
