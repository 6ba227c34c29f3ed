//! Criterion micro-benchmarks of the per-request hot paths: the pacer's schedule walk, request
//! building (fixed and templated), vegeta line encoding and decoding (the fast path against
//! serde_json), histogram recording and the k-way merge.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use dfaas_run::model::units::{Rate, StatusSet};
use dfaas_run::model::{Attack, Body, Header, Load, RateProfile, RequestSource, RequestSpec, Stage};
use dfaas_run::runtime::attack::request::{Endpoint, RequestFactory};
use dfaas_run::runtime::attack::schedule::Schedule;
use dfaas_run::runtime::results::{
    merge_results, DurationHistogram, MergeOptions, Record, VegetaEncoder, VegetaResult,
};
use std::hint::black_box;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

fn schedule_walk(c: &mut Criterion) {
    let profile = RateProfile {
        stages: vec![
            Stage { from: Rate::per_second(1_000), to: Rate::per_second(50_000), duration: Duration::from_secs(1) },
            Stage::hold(Rate::per_second(50_000), Duration::from_secs(1)),
        ],
    };
    let schedule = Schedule::new(&profile);
    let mut group = c.benchmark_group("pacer");
    group.throughput(Throughput::Elements(schedule.total()));
    group.bench_function("schedule walk (ramp then hold, per tick)", |b| {
        b.iter(|| schedule.ticks().fold(Duration::ZERO, |acc, (_, at)| acc.max(black_box(at))))
    });
    group.finish();
}

fn attack(target: &str, headers: Vec<Header>, body: Body) -> Attack {
    Attack {
        name: "bench".into(),
        nodes: vec!["edge".into()],
        after: Vec::new(),
        delay: Duration::ZERO,
        load: Load::Open {
            profile: RateProfile { stages: vec![Stage::hold(Rate::per_second(1), Duration::from_secs(1))] },
        },
        max_in_flight: 10_000,
        timeout: Duration::from_secs(30),
        connections: None,
        keep_alive: true,
        http2: false,
        insecure: false,
        success: StatusSet::range(200, 399),
        record_headers: Vec::new(),
        record_body: None,
        request: RequestSource::Spec(RequestSpec {
            method: "POST".into(),
            target: target.into(),
            headers,
            body,
            feeder: None,
        }),
    }
}

fn request_build(c: &mut Criterion) {
    let endpoint = || Endpoint {
        name: "edge".into(),
        base: url::Url::parse("http://127.0.0.1:8080").expect("a valid URL"),
        headers: Vec::new(),
    };
    let header = |v: &str| vec![Header { name: "Content-Type".into(), value: v.into() }];
    let fixed = attack("/function/figlet", header("text/plain"), Body::Inline("hello".into()));
    let templated =
        attack("/function/figlet?n={{ seq }}", header("text/plain"), Body::Inline("hello {{ seq }}".into()));
    let fixed = RequestFactory::new(&fixed, vec![endpoint()]).expect("a fixed request");
    let templated = RequestFactory::new(&templated, vec![endpoint()]).expect("a templated request");
    let mut group = c.benchmark_group("request build");
    group.throughput(Throughput::Elements(1));
    let mut seq = 0u64;
    group.bench_function("fixed", |b| {
        b.iter(|| {
            seq += 1;
            black_box(fixed.build(seq).map(|built| built.bytes_out))
        })
    });
    group.bench_function("templated (path and body)", |b| {
        b.iter(|| {
            seq += 1;
            black_box(templated.build(seq).map(|built| built.bytes_out))
        })
    });
    group.finish();
}

fn record(seq: u64) -> Record {
    Record {
        seq,
        timestamp: SystemTime::UNIX_EPOCH + Duration::from_nanos(1_767_225_600_123_456_789 + seq * 50_000),
        latency: Duration::from_nanos(312_345 + seq % 1000),
        lateness: dfaas_run::runtime::results::Lateness::late(Duration::from_nanos(12_345)),
        code: if seq % 100 == 0 { 503 } else { 200 },
        bytes_out: 5,
        bytes_in: 6,
        error: None,
        body: None,
        method: Arc::from("POST"),
        url: Arc::from("http://127.0.0.1:8080/function/figlet"),
        node: 0,
        headers: Vec::new(),
    }
}

fn result_encode(c: &mut Criterion) {
    let mut encoder = VegetaEncoder::new("bench", &[], &["edge".to_string()], false);
    let success = StatusSet::range(200, 399);
    let records: Vec<Record> = (0..100).map(record).collect();
    let mut out = Vec::with_capacity(64 * 1024);
    let mut group = c.benchmark_group("result encode");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("vegeta line (100 records, 1 error)", |b| {
        b.iter(|| {
            out.clear();
            for r in &records {
                encoder.encode_record(r, &success, &mut out);
            }
            black_box(out.len())
        })
    });
    group.finish();
}

fn result_decode(c: &mut Criterion) {
    let mut encoder = VegetaEncoder::new("bench", &[], &["edge".to_string()], false);
    let success = StatusSet::range(200, 399);
    let mut text = Vec::new();
    for seq in 0..100 {
        encoder.encode_record(&record(seq), &success, &mut text);
    }
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mut group = c.benchmark_group("result decode");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("fast path (100 lines, 1 error)", |b| {
        b.iter(|| lines.iter().map(|l| VegetaResult::from_line(l).expect("a result").seq).sum::<u64>())
    });
    group.bench_function("serde_json (the same lines)", |b| {
        b.iter(|| lines.iter().map(|l| serde_json::from_slice::<VegetaResult>(l).expect("a result").seq).sum::<u64>())
    });
    group.finish();
}

fn histogram_record(c: &mut Criterion) {
    let mut histogram = DurationHistogram::new();
    let latencies: Vec<Duration> = (0..1000u64).map(|i| Duration::from_nanos(50_000 + i * 7_919)).collect();
    let mut group = c.benchmark_group("histogram");
    group.throughput(Throughput::Elements(latencies.len() as u64));
    group.bench_function("record (1000 latencies)", |b| {
        b.iter(|| {
            for l in &latencies {
                histogram.record(black_box(*l));
            }
        })
    });
    group.finish();
}

fn k_way_merge(c: &mut Criterion) {
    const FILES: u64 = 4;
    const PER_FILE: u64 = 5_000;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut encoder = VegetaEncoder::new("bench", &[], &[], false);
    let success = StatusSet::range(200, 399);
    let inputs: Vec<std::path::PathBuf> = (0..FILES)
        .map(|f| {
            let path = dir.path().join(format!("{f}.json"));
            let mut out = Vec::new();
            for seq in 0..PER_FILE {
                encoder.encode_record(&record(seq * FILES + f), &success, &mut out);
            }
            std::fs::File::create(&path).and_then(|mut file| file.write_all(&out)).expect("an input file");
            path
        })
        .collect();
    // Four files interleaved in time, through a window smaller than one file, are four sorted
    // runs, so the heap merge is what is measured.
    let options = MergeOptions { chunk_records: 2_000, ..MergeOptions::default() };
    let mut group = c.benchmark_group("merge");
    group.sample_size(10);
    group.throughput(Throughput::Elements(FILES * PER_FILE));
    group.bench_function("k-way (4 files, 4 sorted runs)", |b| {
        b.iter_batched(
            || dir.path().join("merged.json"),
            |output| black_box(merge_results(&inputs, &output, options).map(|s| s.lines)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, schedule_walk, request_build, result_encode, result_decode, histogram_record, k_way_merge);
criterion_main!(benches);
