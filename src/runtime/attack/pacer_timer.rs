//! The open model's pacer timer: on Linux a `timerfd` watched by tokio's reactor, precise to the
//! microsecond, so the pacer runs as a task on the runtime thread that also sends the requests
//! and reads the responses. Each batch then costs one wake-up of one thread, where a pacer thread
//! of its own cost two (itself, then the runtime it hands the batch to), and a batch that falls
//! due while the runtime is awake anyway costs none. Elsewhere, or when no timerfd can be made,
//! tokio's timer, which rounds to the millisecond.

use std::time::Instant;

/// Sleeps until an instant, as precisely as the platform allows.
pub struct PacerTimer {
    #[cfg(target_os = "linux")]
    fd: Option<tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>>,
}

impl PacerTimer {
    /// A timer for the current tokio runtime (which must have I/O and time enabled).
    pub fn new() -> Self {
        PacerTimer {
            #[cfg(target_os = "linux")]
            fd: linux::timerfd().ok(),
        }
    }

    /// Returns at `deadline` or soon after (at once if it has passed). May return early when a
    /// previous sleep was abandoned: callers check the time again.
    pub async fn sleep_until(&mut self, deadline: Instant) {
        let now = Instant::now();
        if deadline <= now {
            return;
        }
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            if linux::wait(fd, deadline - now).await.is_ok() {
                return;
            }
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
}

impl Default for PacerTimer {
    fn default() -> Self {
        PacerTimer::new()
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;
    use tokio::io::unix::AsyncFd;
    use tokio::io::Interest;

    pub fn timerfd() -> io::Result<AsyncFd<OwnedFd>> {
        // SAFETY: plain system call with constant arguments; the result is checked below.
        let raw = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a file descriptor we just opened and own alone.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: the `OwnedFd` is moved into the `AsyncFd`, so its descriptor stays open and the
        // same until the `AsyncFd` is dropped.
        unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.map_err(|e| io::Error::other(e.to_string()))
    }

    /// Arms the timer to fire once in `after` and waits for it.
    pub async fn wait(fd: &AsyncFd<OwnedFd>, after: Duration) -> io::Result<()> {
        let spec = libc::itimerspec {
            it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
            it_value: libc::timespec {
                tv_sec: after.as_secs().try_into().unwrap_or(libc::time_t::MAX),
                // Never all zero, which would disarm the timer instead.
                tv_nsec: after.subsec_nanos().max(1).into(),
            },
        };
        // SAFETY: `spec` is a valid itimerspec and the old value is not asked for (null).
        if unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        loop {
            let mut ready = fd.readable().await?;
            let read = ready.try_io(|fd| {
                let mut expirations = [0u8; 8];
                // SAFETY: reads at most 8 bytes into an 8-byte buffer we own.
                let n = unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), expirations.len()) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(())
                }
            });
            match read {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn sleeps_until_the_deadline_and_not_before() {
        let mut timer = PacerTimer::new();
        assert!(timer.fd.is_some(), "Linux has timerfd");
        for micros in [300u64, 1_000, 2_500] {
            let deadline = Instant::now() + Duration::from_micros(micros);
            timer.sleep_until(deadline).await;
            assert!(Instant::now() >= deadline, "woke before the deadline ({micros} µs)");
        }
        // A deadline in the past returns at once.
        timer.sleep_until(Instant::now() - Duration::from_millis(1)).await;
    }

    #[tokio::test]
    async fn an_abandoned_sleep_does_not_break_the_next_one() {
        let mut timer = PacerTimer::new();
        let abandoned = tokio::time::timeout(
            Duration::from_micros(100),
            timer.sleep_until(Instant::now() + Duration::from_millis(1)),
        );
        let _ = abandoned.await;
        let deadline = Instant::now() + Duration::from_millis(3);
        // It may return early once (the abandoned expiry), never hang: loop as the pacer does.
        while Instant::now() < deadline {
            timer.sleep_until(deadline).await;
        }
    }
}
