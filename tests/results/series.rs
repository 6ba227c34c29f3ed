//! The per-second time series: bucketing relative to the attack's start, counts per second, and
//! the exact `timeseries.csv` it writes (columns, order, rows of zeros for empty seconds).

use super::*;
use dfaas_run::runtime::results::{HeaderValues, Series};

#[test]
fn records_fall_in_the_second_they_were_sent() {
    let start = at(MAY_FIRST_NOON, 500_000_000);
    let series = Series::new(start, 0, 0);
    assert_eq!(series.second_of(start), Some(0));
    assert_eq!(series.second_of(at(MAY_FIRST_NOON + 1, 499_999_999)), Some(0));
    assert_eq!(series.second_of(at(MAY_FIRST_NOON + 1, 500_000_000)), Some(1));
    assert_eq!(series.second_of(at(MAY_FIRST_NOON + 3, 0)), Some(2));
    assert_eq!(series.second_of(at(MAY_FIRST_NOON, 0)), None, "before the start");
}

#[test]
fn counts_per_second_and_writes_the_csv() {
    let start = at(MAY_FIRST_NOON, 0);
    let names = ["edge".to_string(), "cloud".to_string()];
    let mut headers = HeaderValues::new(&["x-server".to_string()]);
    let mut series = Series::new(start, names.len(), 1);
    let mut slots = Vec::new();
    let mut observe = |record: Record, success: bool| {
        headers.classify(&record.headers, &mut slots);
        series.observe(&record, success, &slots);
    };

    let mut a = record(0, at(MAY_FIRST_NOON, 100));
    a.node = 0;
    a.bytes_out = 10;
    a.headers = vec![(0, HeaderValue::from_static("10.0.0.2"))];
    observe(a, true);
    let mut b = record(1, at(MAY_FIRST_NOON, 900_000_000));
    b.node = 1;
    b.code = 500;
    b.latency = Duration::from_millis(3);
    b.headers = vec![(0, HeaderValue::from_static("10.0.0.1"))];
    observe(b, false);
    let mut c = failed(record(2, at(MAY_FIRST_NOON + 2, 0)), ErrorKind::NotSentInTime);
    c.node = 0;
    c.latency = Duration::ZERO;
    observe(c, false);
    observe(record(3, at(MAY_FIRST_NOON - 1, 0)), true);

    let first = series.second(0).unwrap();
    assert_eq!((first.requests, first.successes, first.errors), (3, 2, 1));
    assert_eq!((first.code(200), first.code(500)), (2, 1));
    assert_eq!((first.latency_sum_ns, first.latency_max_ns), (5_000_000, 3_000_000));
    assert_eq!(first.nodes, vec![(1, 0), (0, 1)]);
    assert_eq!(series.second(1), None);
    let third = series.second(2).unwrap();
    assert_eq!((third.requests, third.not_sent, third.latency_sum_ns), (1, 1, 0));
    assert_eq!((series.len(), series.before_start()), (3, 1));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timeseries.csv");
    series.write_csv(&path, &names, &headers).unwrap();
    let expected = "\
second,timestamp,requests,successes,errors,not_sent,bytes_out,bytes_in,latency_sum_ns,latency_max_ns,latency_mean_ns,code:0,code:200,code:500,node:edge:successes,node:edge:errors,node:cloud:successes,node:cloud:errors,X-Server:absent,X-Server:other,X-Server=10.0.0.1,X-Server=10.0.0.2
0,2024-05-01T12:00:00Z,3,2,1,0,10,0,5000000,3000000,1666666,0,2,1,1,0,0,1,1,0,1,1
1,2024-05-01T12:00:01Z,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
2,2024-05-01T12:00:02Z,1,0,1,1,0,0,0,0,0,1,0,0,0,1,0,0,1,0,0,0
";
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
}
