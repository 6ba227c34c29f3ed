//! A stop signal shared by every task of a run: set once (Ctrl-C, SIGTERM, a failed step), read
//! cheaply from hot loops and awaited by async tasks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
pub struct Stop {
    flag: Arc<AtomicBool>,
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

impl Stop {
    pub fn new() -> Self {
        let (tx, _) = watch::channel(false);
        Stop { flag: Arc::new(AtomicBool::new(false)), tx: Arc::new(tx) }
    }

    pub fn stop(&self) {
        self.flag.store(true, Ordering::Release);
        self.tx.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    /// Resolves once `stop` has been called (at once if it already was).
    pub async fn stopped(&self) {
        let mut rx = self.tx.subscribe();
        // `wait_for` checks the current value first; the sender lives as long as `self`.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stopped_resolves_after_stop() {
        let stop = Stop::new();
        assert!(!stop.is_stopped());
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move { stop.stopped().await })
        };
        stop.stop();
        waiter.await.expect("waiter finishes");
        assert!(stop.is_stopped());
        stop.stopped().await; // already stopped: immediate
    }
}
