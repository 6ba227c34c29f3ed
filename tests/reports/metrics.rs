//! Metrics against independent computations over the raw results: percentiles within HDR
//! precision, and combining attacks equal to counting their concatenated results.

use super::fixture::{build_run, Behaviour};
use dfaas_run::report::metrics::Metrics;
use dfaas_run::report::recount::recount;
use dfaas_run::runtime::results::{read_results, DurationHistogram, VegetaResult};
use std::path::Path;

fn results(path: &Path) -> Vec<VegetaResult> {
    read_results(path).expect("open").map(|r| r.expect("a result")).collect()
}

/// The exact value at quantile `q` of sorted values: the smallest with at least `q` of the count
/// at or below it.
fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn percentiles_agree_with_the_raw_results_within_hdr_precision() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "run", Behaviour::BASELINE);
    for attack in ["warmup", "spike"] {
        let m = Metrics::load(&run.join(attack)).expect("metrics");
        let mut latencies: Vec<u64> =
            results(&run.join(attack).join("results.json")).iter().map(|r| r.latency.as_nanos() as u64).collect();
        latencies.sort_unstable();
        let s = &m.summary.latency;
        assert_eq!(s.count, latencies.len() as u64);
        assert_eq!(s.min_ns, latencies[0], "min is exact");
        assert_eq!(s.max_ns, *latencies.last().expect("some"), "max is exact");
        assert_eq!(
            s.mean_ns,
            (latencies.iter().map(|&l| u128::from(l)).sum::<u128>() / latencies.len() as u128) as u64
        );
        for (q, hdr) in [(0.5, s.p50_ns), (0.9, s.p90_ns), (0.95, s.p95_ns), (0.99, s.p99_ns), (0.999, s.p999_ns)] {
            let exact = exact_quantile(&latencies, q);
            let tolerance = exact / 1000 + 1; // 3 significant digits: 0.1 %
            assert!(hdr.abs_diff(exact) <= tolerance, "{attack} p{q}: HDR {hdr} vs exact {exact}");
        }
    }
}

#[test]
fn combining_attacks_equals_counting_their_concatenated_results() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = build_run(tmp.path(), "run", Behaviour { slower: std::time::Duration::from_micros(700), error_every: 9 });
    let warmup = Metrics::load(&run.join("warmup")).expect("warmup");
    let spike = Metrics::load(&run.join("spike")).expect("spike");
    let combined = Metrics::combine("all", &[&warmup, &spike]).expect("combine");

    // The histogram of the concatenated results.
    let mut concatenated = String::new();
    let mut histogram = DurationHistogram::new();
    for attack in ["warmup", "spike"] {
        let path = run.join(attack).join("results.json");
        concatenated.push_str(&std::fs::read_to_string(&path).expect("results"));
        for r in results(&path) {
            histogram.record(r.latency);
        }
    }
    assert_eq!(combined.latency, histogram, "merged histograms are exact");

    // Every count of the combination, against a recount of the concatenated file.
    let file = tmp.path().join("both.json");
    std::fs::write(&file, concatenated).expect("write");
    let recounted = recount(&file, "all").expect("recount");
    assert!(recounted.skipped.is_empty());
    let (a, b) = (&combined.summary, &recounted.metrics.summary);
    assert_eq!((a.requests, a.successes, a.errors, a.not_sent), (b.requests, b.successes, b.errors, b.not_sent));
    assert_eq!(a.status_codes, b.status_codes);
    assert_eq!(a.errors_by_kind, b.errors_by_kind);
    assert_eq!(a.error_messages, b.error_messages);
    assert_eq!((a.bytes_in, a.bytes_out), (b.bytes_in, b.bytes_out));
    assert_eq!((a.first_timestamp, a.last_timestamp, a.last_end), (b.first_timestamp, b.last_timestamp, b.last_end));
    assert_eq!(a.nodes, b.nodes, "per node, by name");
    assert_eq!(a.headers, b.headers, "per header value; attacks without the header count as absent");
    let (la, lb) = (&a.latency, &b.latency);
    assert_eq!((la.count, la.min_ns, la.max_ns), (lb.count, lb.min_ns, lb.max_ns));
    assert_eq!(
        (la.p50_ns, la.p90_ns, la.p95_ns, la.p99_ns, la.p999_ns),
        (lb.p50_ns, lb.p90_ns, lb.p95_ns, lb.p99_ns, lb.p999_ns)
    );
    assert!(la.mean_ns.abs_diff(lb.mean_ns) <= 2, "means from per-attack means: {} vs {}", la.mean_ns, lb.mean_ns);
    assert_eq!(a.success_rule, "200 (warmup); 200..399 (spike)", "a report always states its rule");
    assert_eq!(a.headers[0].absent.requests, spike.summary.requests);
}
