//! `report_values.txt`, the DFaaS operator's success-rate file: the success rate overall and per
//! target node in the operator's wording, then the counts behind them, forwarded requests included.
//!
//! The file, line by line (the first lines are exactly the operator's):
//!
//! ```text
//! Success rate: 99.87%
//! Success rate 127.0.0.2: 99.90%
//! Success rate 127.0.0.3: 99.80%
//!
//! # dfaas-run: ... (comment lines: the success rule, what "forwarded" means, the time scale)
//! Counts: requests=30000 successes=29961 errors=39 forwarded=1200
//! Counts 127.0.0.2: requests=10000 successes=9990 errors=10 forwarded=400
//! ```
//!
//! A request's target node is its URL's host, with the port when it is not the scheme's default
//! (`127.0.0.2`, `127.0.0.1:8080`). A success is a result without `error` (each attack's
//! `success` rule decided it). Forwarded: a success whose `X-Server` names another node than its
//! target: the host alone when `X-Server` is a bare host (a DFaaS node sends its IP), host and port
//! when it has a port.

use crate::runtime::results::VegetaResult;
use std::collections::BTreeMap;

pub const REPORT_VALUES_FILE: &str = "report_values.txt";
/// The response header naming the node that served a request.
pub const SERVER_HEADER: &str = "X-Server";

/// Counts of one target node, or of all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub requests: u64,
    pub successes: u64,
    /// Successes served by another node than their target.
    pub forwarded: u64,
    /// Successes without an `X-Server` header: whether they were forwarded is unknown.
    pub unattributed: u64,
}

impl Counts {
    pub fn errors(&self) -> u64 {
        self.requests - self.successes
    }

    fn add(&mut self, success: bool, forwarded: Option<bool>) {
        self.requests += 1;
        if success {
            self.successes += 1;
            match forwarded {
                Some(true) => self.forwarded += 1,
                Some(false) => {}
                None => self.unattributed += 1,
            }
        }
    }

    /// `99.87%` (two decimals, like the operator's `{:.2f}`), or `n/a` without requests.
    fn rate(&self) -> String {
        match self.requests {
            0 => "n/a (no requests)".to_string(),
            n => format!("{:.2}%", self.successes as f64 / n as f64 * 100.0),
        }
    }

    fn line(&self) -> String {
        format!(
            "requests={} successes={} errors={} forwarded={}",
            self.requests,
            self.successes,
            self.errors(),
            self.forwarded
        )
    }
}

/// Success rates overall and per target node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuccessRates {
    pub overall: Counts,
    /// Target node (`host` or `host:port`) → counts, in the order given to `count`, then sorted.
    pub targets: Vec<(String, Counts)>,
}

/// A target node as `(shown, host, port)`: `shown` is the host, with the port when it is not
/// the scheme's default.
pub type Target = (String, String, u16);

/// A URL's target node and the port it is reached on: (`host[:port]` as shown, host, port).
pub fn target_of(url: &str) -> Option<Target> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?.to_string();
    let port = url.port_or_known_default()?;
    let shown = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    Some((shown, host, port))
}

/// Whether an `X-Server` value names the node at `host:port`: its host alone when it has no
/// port, else host and port (case-insensitive; IPv6 in brackets or not).
pub fn served_by(x_server: &str, host: &str, port: u16) -> bool {
    let value = x_server.trim();
    let bare = |h: &str| h.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let with_port = value.rsplit_once(':').filter(|(h, p)| {
        !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && (!h.contains(':') || h.ends_with(']'))
    });
    match with_port {
        Some((h, p)) => bare(h) == bare(host) && p.parse::<u16>().ok() == Some(port),
        None => bare(value) == bare(host),
    }
}

/// Counts results one at a time (fed by any pass over a results file, see `report::plots`), then
/// gives the rates with `finish`.
#[derive(Debug, Clone, Default)]
pub struct SuccessCounter {
    overall: Counts,
    targets: BTreeMap<String, Counts>,
    /// Results of one attack share a handful of URLs: each distinct one in a row is parsed once.
    last: Option<(String, Option<Target>)>,
}

impl SuccessCounter {
    pub fn observe(&mut self, r: &VegetaResult) {
        let success = r.is_success();
        if self.last.as_ref().is_none_or(|(url, _)| *url != r.url) {
            self.last = Some((r.url.clone(), target_of(&r.url)));
        }
        let target = self.last.as_ref().and_then(|(_, target)| target.as_ref());
        let forwarded = match (target, r.header(SERVER_HEADER).and_then(|v| v.first())) {
            (Some((_, host, port)), Some(server)) => Some(!served_by(server, host, *port)),
            _ => None,
        };
        self.overall.add(success, forwarded);
        let shown = target.map_or("(no host)", |(shown, _, _)| shown.as_str());
        match self.targets.get_mut(shown) {
            Some(counts) => counts.add(success, forwarded),
            None => self.targets.entry(shown.to_string()).or_default().add(success, forwarded),
        }
    }

    /// The rates; `order` lists target nodes to show first (the scenario's nodes).
    pub fn finish(mut self, order: &[String]) -> SuccessRates {
        let mut ordered: Vec<(String, Counts)> = Vec::new();
        for name in order {
            if let Some(counts) = self.targets.remove(name) {
                ordered.push((name.clone(), counts));
            }
        }
        ordered.extend(self.targets);
        SuccessRates { overall: self.overall, targets: ordered }
    }
}

impl SuccessRates {
    /// Counts `results`; `order` lists target nodes to show first (the scenario's nodes).
    pub fn count(
        results: impl IntoIterator<Item = std::io::Result<VegetaResult>>,
        order: &[String],
    ) -> std::io::Result<SuccessRates> {
        let mut counter = SuccessCounter::default();
        for result in results {
            counter.observe(&result?);
        }
        Ok(counter.finish(order))
    }

    /// The file's text. `per_target`: the per-node lines (the operator writes them in the merged
    /// folder only). `notes`: comment lines to add (the success rule, the time scale).
    pub fn render(&self, per_target: bool, notes: &[String]) -> String {
        let mut out = format!("Success rate: {}\n", self.overall.rate());
        if per_target {
            for (target, counts) in &self.targets {
                out.push_str(&format!("Success rate {target}: {}\n", counts.rate()));
            }
        }
        out.push_str("\n# dfaas-run: the counts behind these rates. A success follows its attack's `success` rule\n");
        out.push_str("# (`error` is empty in the results); a forwarded request is a success whose X-Server is not\n");
        out.push_str("# its target node (the host of its URL).\n");
        for note in notes {
            out.push_str(&format!("# {note}\n"));
        }
        if self.overall.unattributed > 0 {
            out.push_str(&format!(
                "# {} successes have no X-Server header (record it with `record header \"X-Server\"`): not counted as forwarded.\n",
                self.overall.unattributed
            ));
        }
        out.push_str(&format!("Counts: {}\n", self.overall.line()));
        if per_target {
            for (target, counts) in &self.targets {
                out.push_str(&format!("Counts {target}: {}\n", counts.line()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(url: &str, code: u16, server: Option<&str>) -> std::io::Result<VegetaResult> {
        let headers = server.map(|s| format!(r#"{{"X-Server":["{s}"]}}"#)).unwrap_or_else(|| "{}".into());
        let error = if code == 200 { String::new() } else { format!("{code} Too Many Requests") };
        let line = format!(
            r#"{{"code":{code},"timestamp":"2024-05-01T12:00:00Z","url":"{url}","error":"{error}","headers":{headers}}}"#
        );
        Ok(VegetaResult::from_line(line.as_bytes()).expect("a result line"))
    }

    #[test]
    fn rates_and_counts_per_target_node() {
        let results = vec![
            result("http://127.0.0.2/function/f", 200, Some("127.0.0.2")),
            result("http://127.0.0.2/function/f", 200, Some("127.0.0.3")),
            result("http://127.0.0.2/function/f", 429, Some("127.0.0.2")),
            result("http://127.0.0.3:8080/function/f", 200, Some("127.0.0.3")),
            result("http://127.0.0.3:8080/function/f", 200, None),
        ];
        let order = vec!["127.0.0.3:8080".to_string(), "127.0.0.2".to_string()];
        let rates = SuccessRates::count(results, &order).expect("counted");
        assert_eq!(rates.overall, Counts { requests: 5, successes: 4, forwarded: 1, unattributed: 1 });
        let names: Vec<&str> = rates.targets.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(names, ["127.0.0.3:8080", "127.0.0.2"]);
        let text = rates.render(true, &["Success rule: 200".to_string()]);
        let expected_start =
            "Success rate: 80.00%\nSuccess rate 127.0.0.3:8080: 100.00%\nSuccess rate 127.0.0.2: 66.67%\n\n";
        assert!(text.starts_with(expected_start), "{text}");
        assert!(text.contains("# Success rule: 200\n"), "{text}");
        assert!(text.contains("\nCounts: requests=5 successes=4 errors=1 forwarded=1\n"), "{text}");
        assert!(text.contains("\nCounts 127.0.0.2: requests=3 successes=2 errors=1 forwarded=1\n"), "{text}");
        assert!(text.contains("1 successes have no X-Server"), "{text}");
        let attack_only = rates.render(false, &[]);
        assert!(!attack_only.contains("Success rate 127") && !attack_only.contains("Counts 127"), "{attack_only}");
    }

    #[test]
    fn x_server_names_a_host_or_a_host_and_port() {
        assert!(served_by("127.0.0.2", "127.0.0.2", 30080), "a DFaaS node sends its bare IP");
        assert!(!served_by("127.0.0.3", "127.0.0.2", 80));
        assert!(served_by("127.0.0.1:8081", "127.0.0.1", 8081));
        assert!(!served_by("127.0.0.1:8082", "127.0.0.1", 8081));
        assert!(served_by("[::1]:80", "[::1]", 80) && served_by("::1", "[::1]", 80));
        assert!(served_by("LocalHost", "localhost", 80));
    }

    #[test]
    fn no_requests_has_no_rate() {
        let rates = SuccessRates::count(Vec::new(), &[]).expect("counted");
        assert!(rates.render(true, &[]).starts_with("Success rate: n/a (no requests)\n"));
    }
}
