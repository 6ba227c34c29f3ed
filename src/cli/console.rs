//! What `run` and `attack` share to execute a plan from the command line: the tokio runtime, the
//! live progress display fed by the run's events, and the stop signal raised by Ctrl-C/SIGTERM.

use super::exit;
use super::live::Live;
use crate::runtime::events::{Event, Events};
use crate::runtime::stop::Stop;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A run's runtime, live display, events and stop signal.
pub struct Console {
    runtime: tokio::runtime::Runtime,
    live: Arc<Live>,
    pub events: Events,
    pub stop: Stop,
    /// How often progress is reported: every 250 ms on a terminal, every second otherwise.
    pub progress_every: Duration,
}

impl Console {
    /// Starts the runtime and the live display (`quiet`: none). Prints why and returns the exit
    /// code when the runtime cannot start.
    pub fn start(quiet: bool) -> Result<Console, u8> {
        let runtime = crate::runtime::threads::runtime().map_err(|e| {
            eprintln!("error: cannot start the runtime: {e}");
            exit::RUNTIME_FAILURE
        })?;
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let live = Arc::new(Live::new(terminal, quiet));
        let events = {
            let live = live.clone();
            Events::new(move |e| live.handle(e))
        };
        let progress_every = Duration::from_millis(if terminal { 250 } else { 1000 });
        Ok(Console { runtime, live, events, stop: Stop::new(), progress_every })
    }

    /// Runs `run` to its end with Ctrl-C/SIGTERM watched, then closes the live display.
    pub fn run<F: Future>(&self, run: F) -> F::Output {
        let (stop, events) = (self.stop.clone(), self.events.clone());
        let output = self.runtime.block_on(async move {
            tokio::spawn(watch_signals(stop, events));
            run.await
        });
        self.live.finish();
        output
    }
}

/// First Ctrl-C or SIGTERM: stop cleanly. Second: exit at once (files stay readable: results are
/// line-based and flushed every second, the manifest is replaced atomically).
async fn watch_signals(stop: Stop, events: Events) {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    for second in [false, true] {
        #[cfg(unix)]
        {
            let sigterm = async {
                match term.as_mut() {
                    Some(t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = sigterm => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        events.emit(Event::Interrupted { second });
        if second {
            std::process::exit(exit::INTERRUPTED as i32);
        }
        stop.stop();
    }
}
