//! HDR histograms: lossless save/load, exact merging (adding equals the histogram of all values),
//! and percentiles that agree with an exact computation within the histogram's precision.

use dfaas_run::runtime::results::DurationHistogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// Latencies from 1 µs to 10 s, log-uniform, deterministic.
fn latencies(seed: u64, n: usize) -> Vec<Duration> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| Duration::from_nanos(10f64.powf(rng.random_range(3.0..10.0)) as u64)).collect()
}

fn histogram_of(values: &[Duration]) -> DurationHistogram {
    let mut histogram = DurationHistogram::new();
    values.iter().for_each(|v| histogram.record(*v));
    histogram
}

#[test]
fn saved_histograms_merge_to_the_histogram_of_the_concatenation() {
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<Vec<Duration>> = (0..3).map(|seed| latencies(seed, 5_000)).collect();
    let mut merged = DurationHistogram::new();
    for (i, part) in parts.iter().enumerate() {
        let path = dir.path().join(format!("part-{i}.hdr"));
        histogram_of(part).save(&path).unwrap();
        let loaded = DurationHistogram::load(&path).unwrap();
        assert_eq!(loaded, histogram_of(part), "save/load is lossless");
        merged.add(&loaded).unwrap();
    }
    let all: Vec<Duration> = parts.concat();
    let whole = histogram_of(&all);
    assert_eq!(merged, whole);
    assert_eq!(merged.count(), 15_000);
    for q in [0.5, 0.9, 0.99, 0.999, 1.0] {
        assert_eq!(merged.quantile(q), whole.quantile(q));
    }
}

#[test]
fn percentiles_agree_with_an_exact_computation() {
    let mut values = latencies(7, 20_000);
    let histogram = histogram_of(&values);
    values.sort();
    for q in [0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0] {
        // The exact value at rank ⌈q·n⌉ (HdrHistogram's definition), at least rank 1.
        let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
        let exact = values[rank - 1].as_nanos() as f64;
        let hdr = histogram.quantile(q).as_nanos() as f64;
        // 3 significant digits: within 0.1 % of the value (values here are all ≥ 1 µs).
        let tolerance = exact / 1000.0;
        assert!((hdr - exact).abs() <= tolerance, "q={q}: hdr {hdr} vs exact {exact}");
    }
    assert_eq!(histogram.count(), 20_000);
    let exact_mean = values.iter().map(|v| v.as_nanos() as f64).sum::<f64>() / values.len() as f64;
    let mean = histogram.mean().as_nanos() as f64;
    assert!((mean - exact_mean).abs() <= exact_mean / 1000.0, "mean {mean} vs {exact_mean}");
}

#[test]
fn out_of_range_values_are_clamped_and_garbage_is_refused() {
    let mut histogram = DurationHistogram::new();
    histogram.record(Duration::ZERO);
    histogram.record(Duration::from_secs(7200));
    assert_eq!(histogram.count(), 2);
    assert!(histogram.max() >= Duration::from_secs(3600) && histogram.max() < Duration::from_secs(3605));
    assert_eq!(histogram.min(), Duration::ZERO);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.hdr");
    std::fs::write(&path, b"not a histogram").unwrap();
    let error = DurationHistogram::load(&path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert!(error.to_string().contains("is not an HDR histogram"), "{error}");
}
