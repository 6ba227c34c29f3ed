//! Live output of a run. On a terminal: step and gate lines, plus one redrawn status line per
//! running attack; elsewhere (CI): the same lines and a plain progress line every few seconds.

use crate::model::units::format_duration;
use crate::runtime::events::{AttackProgress, Event, StepState};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Live {
    terminal: bool,
    quiet: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The status line of each running attack.
    lines: BTreeMap<String, String>,
    /// How many status lines are on screen (terminal mode).
    drawn: usize,
    /// When each attack's progress was last printed (plain mode).
    printed: BTreeMap<String, Instant>,
}

/// Plain mode prints an attack's progress at most this often.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Live {
    pub fn new(terminal: bool, quiet: bool) -> Self {
        Live { terminal, quiet, state: Mutex::new(State::default()) }
    }

    pub fn handle(&self, event: Event) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Event::AttackProgress(p) => {
                if self.quiet {
                    return;
                }
                let line = progress_line(&p);
                if self.terminal {
                    state.lines.insert(p.attack.clone(), line);
                    self.redraw(&mut state);
                } else {
                    let due = state.printed.get(&p.attack).is_none_or(|t| t.elapsed() >= PLAIN_EVERY);
                    if due {
                        state.printed.insert(p.attack.clone(), Instant::now());
                        let _ = writeln!(std::io::stderr().lock(), "{line}");
                    }
                }
            }
            Event::StepStarted { id } => {
                if !self.quiet {
                    self.say(&mut state, &format!("▶ {id}"));
                }
            }
            Event::StepFinished { id, state: s, elapsed, message } => {
                if let Some(attack) = id.strip_prefix("attack:") {
                    state.lines.remove(attack);
                }
                let mark = match s {
                    StepState::Succeeded => "✔",
                    StepState::Failed => "✘",
                    StepState::Skipped => "·",
                    _ => "■",
                };
                let note = message.map(|m| format!(": {m}")).unwrap_or_default();
                let failed = matches!(s, StepState::Failed);
                if !self.quiet || failed {
                    self.say(
                        &mut state,
                        &format!("{mark} {id} {} in {:.1}s{note}", state_word(s), elapsed.as_secs_f64()),
                    );
                }
            }
            Event::GateTry { node, attempt, ok, detail } => {
                if !self.quiet {
                    self.say(
                        &mut state,
                        &format!("  health {node} try {attempt}: {} ({detail})", if ok { "ok" } else { "not yet" }),
                    );
                }
            }
            Event::DeployTry { step, attempt, ok, detail } => {
                if !self.quiet || !ok {
                    self.say(&mut state, &format!("  {step} try {attempt}: {detail}"));
                }
            }
            Event::Interrupted { second } => {
                let text = if second {
                    "interrupted again: exiting now; results written so far stay readable"
                } else {
                    "interrupted: stopping the attacks, finishing in-flight requests and writing results (Ctrl-C again to exit at once)"
                };
                self.say(&mut state, text);
            }
        }
    }

    /// Prints a line above the status block.
    fn say(&self, state: &mut State, line: &str) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            clear(&mut err, state.drawn);
            state.drawn = 0;
        }
        let _ = writeln!(err, "{line}");
        drop(err);
        if self.terminal {
            self.redraw(state);
        }
    }

    fn redraw(&self, state: &mut State) {
        let mut err = std::io::stderr().lock();
        clear(&mut err, state.drawn);
        for line in state.lines.values() {
            let _ = writeln!(err, "{line}");
        }
        state.drawn = state.lines.len();
        let _ = err.flush();
    }

    /// Removes the status block (before the final summary).
    pub fn finish(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if self.terminal {
            clear(&mut std::io::stderr().lock(), state.drawn);
        }
        state.drawn = 0;
        state.lines.clear();
    }
}

fn clear(out: &mut impl Write, lines: usize) {
    for _ in 0..lines {
        let _ = write!(out, "\x1b[1A\x1b[2K");
    }
}

fn state_word(s: StepState) -> &'static str {
    match s {
        StepState::Succeeded => "done",
        StepState::Failed => "FAILED",
        StepState::Skipped => "skipped",
        StepState::Interrupted => "interrupted",
        StepState::Pending | StepState::Running => "running",
    }
}

fn progress_line(p: &AttackProgress) -> String {
    let sent = match p.planned {
        Some(n) => format!("{}/{n}", p.sent),
        None => p.sent.to_string(),
    };
    let ok =
        if p.completed > 0 { format!("{:.1}%", 100.0 * p.successes as f64 / p.completed as f64) } else { "-".into() };
    let p99 = p.p99.map(|d| format!("{:.1}ms", d.as_secs_f64() * 1000.0)).unwrap_or_else(|| "-".into());
    format!(
        "  {} {}/{}  sent {sent}  {:.0}/s  in-flight {}  ok {ok}  p99 {p99}",
        p.attack,
        format_duration(Duration::from_secs(p.elapsed.as_secs())),
        format_duration(p.duration),
        p.rate,
        p.in_flight
    )
}
