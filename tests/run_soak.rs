//! A leak check, not a benchmark: a 2-minute run at a modest rate must not grow its resident
//! memory beyond a small bound between its first and last 10 % (measured from /proc).

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn lines(path: &Path) -> usize {
    std::fs::read(path).map(|b| b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(0)
}

#[test]
fn memory_stays_flat_over_a_two_minute_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let scenario = tmp.path().join("soak.dfs");
    std::fs::write(
        &scenario,
        "scenario \"soak\"\nnode demo { embedded demo { latency 1ms..2ms } }\nattack soak on demo {\n  rate 200/s\n  duration 2m\n  record header \"X-Server\"\n  request POST \"/function/echo\" {\n    body \"payload {{ seq }} {{ uuid }}\"\n  }\n}\n",
    )
    .expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .current_dir(tmp.path())
        .args(["run", "soak.dfs", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let pid = child.id();
    // Progress is read from the results file itself: 24 000 requests in all.
    let results = || {
        std::fs::read_dir(tmp.path().join("runs/soak"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path().join("soak/results.json"))
    };
    let mut early = None;
    let mut late = None;
    while late.is_none() {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        let done = results().map(|p| lines(&p)).unwrap_or(0);
        if early.is_none() && done >= 2_400 {
            early = rss_kib(pid);
        }
        if done >= 22_000 {
            late = rss_kib(pid);
        }
        std::thread::sleep(Duration::from_millis(200)); // sampling cadence, not synchronisation
    }
    let status = child.wait().expect("exits");
    assert!(status.success(), "{status:?}");
    let (early, late) = (early.expect("sampled at 10 %"), late.expect("sampled at 90 %"));
    let growth = late.saturating_sub(early);
    eprintln!("RSS at 10 %: {early} KiB, at 90 %: {late} KiB, growth {growth} KiB");
    assert!(growth < 16 * 1024, "resident memory grew by {growth} KiB between 10 % and 90 % of the run");
    let path = results().expect("results");
    assert_eq!(lines(&path), 24_000);
}
