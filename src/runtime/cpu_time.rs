//! The CPU time this process has used so far (all threads, user and system), as the kernel
//! counts it: recorded per step in `run.json`, so a run tells what its load phase cost apart from
//! its reports.

use std::time::Duration;

/// The process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`), or `None` where the clock is missing.
pub fn process_cpu_time() -> Option<Duration> {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec; the call only writes into it.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    if status != 0 {
        return None;
    }
    Some(Duration::new(u64::try_from(now.tv_sec).ok()?, u32::try_from(now.tv_nsec).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_work_done() {
        let before = process_cpu_time().expect("Linux has a process CPU clock");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let after = process_cpu_time().unwrap();
        assert!(after > before, "{after:?} after {before:?} (x = {x})");
    }
}
