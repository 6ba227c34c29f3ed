//! What plots need from `run.json`: the node URLs in use, each attack's planned window and rate
//! profile (from the stored plan), and when the load started. Phase markers and planned rates.

use crate::model::units::{parse_duration, parse_rate};
use crate::runtime::results::timestamp::parse_system_time;
use crate::runtime::run_dir::Manifest;
use serde_json::Value;
use std::path::Path;
use std::time::SystemTime;

/// The parts of a run's manifest the plots use.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub scenario: String,
    /// Node name → URL used in the run, as recorded.
    pub nodes: Vec<(String, String)>,
    /// Attack steps of the plan, in plan order.
    pub attacks: Vec<PlannedAttack>,
    /// When the load phase started (the origin of the merged plots' time axis).
    pub load_started_at: Option<SystemTime>,
}

/// One attack as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAttack {
    pub name: String,
    /// Target nodes, in the attack's order.
    pub nodes: Vec<String>,
    /// Start and end from the load start, in seconds.
    pub start_s: f64,
    pub end_s: f64,
    /// The load in words, as the plan states it (`open: hold 20/s for 5s`).
    pub load: String,
    pub profile: Profile,
}

/// The planned rate profile of an attack.
#[derive(Debug, Clone, PartialEq)]
pub enum Profile {
    /// Open model: stages in order.
    Open(Vec<PlannedStage>),
    /// Closed model: the rate depends on the server, nothing is planned.
    Closed,
    /// The manifest predates plans with stages.
    Unknown,
}

/// A stage of a profile: the rate goes linearly from `from` to `to` (requests/s) over `duration_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedStage {
    pub from: f64,
    pub to: f64,
    pub duration_s: f64,
}

impl RunInfo {
    /// Reads `run.json` of a run folder.
    pub fn load(run_dir: &Path) -> Result<RunInfo, String> {
        let manifest = Manifest::load(run_dir)?;
        let where_ = run_dir.join("run.json").display().to_string();
        let steps = manifest.plan.get("steps").and_then(Value::as_array).cloned().unwrap_or_default();
        let attacks = steps
            .iter()
            .filter(|s| s.get("kind").and_then(Value::as_str) == Some("attack"))
            .map(|s| planned_attack(s).map_err(|e| format!("{where_}: plan step {}: {e}", s["id"])))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(RunInfo {
            scenario: manifest.scenario,
            nodes: manifest.nodes,
            attacks,
            load_started_at: manifest.load_started_at.as_deref().and_then(parse_system_time),
        })
    }

    /// Like [`RunInfo::load`], but `None` when the folder has no `run.json` (results merged from
    /// elsewhere): plots are then drawn without the plan.
    pub fn load_if_present(run_dir: &Path) -> Result<Option<RunInfo>, String> {
        if run_dir.join("run.json").exists() {
            RunInfo::load(run_dir).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn attack(&self, name: &str) -> Option<&PlannedAttack> {
        self.attacks.iter().find(|a| a.name == name)
    }

    /// The URL a node was addressed with.
    pub fn node_url(&self, name: &str) -> Option<&str> {
        self.nodes.iter().find(|(n, _)| n == name).map(|(_, u)| u.as_str())
    }

    /// Nodes targeted by some attack, in order of first appearance in the plan.
    pub fn target_nodes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.attacks.iter().flat_map(|a| &a.nodes) {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// The planned end of the load, from the load start, in seconds.
    pub fn load_end_s(&self) -> f64 {
        self.attacks.iter().map(|a| a.end_s).fold(0.0, f64::max)
    }
}

fn planned_attack(step: &Value) -> Result<PlannedAttack, String> {
    let text = |v: &Value, what: &str| v.as_str().map(str::to_string).ok_or_else(|| format!("no `{what}`"));
    let seconds = |v: &Value, what: &str| -> Result<f64, String> {
        let t = text(v, what)?;
        parse_duration(&t).map(|d| d.as_secs_f64()).map_err(|_| format!("`{what}` is not a duration: `{t}`"))
    };
    let name = text(&step["attack"], "attack")?;
    let nodes = step["nodes"].as_array().map(|a| a.iter().filter_map(|n| n.as_str().map(String::from)).collect());
    let window = &step["window"];
    let start_s = seconds(&window["start"]["earliest"], "window.start.earliest")?;
    let end_s = seconds(&window["end"]["earliest"], "window.end.earliest")?;
    let profile = match step.get("stages").and_then(Value::as_array) {
        None => Profile::Unknown,
        Some(stages) if stages.is_empty() => Profile::Closed,
        Some(stages) => {
            let rate = |v: &Value, what: &str| -> Result<f64, String> {
                let t = text(v, what)?;
                parse_rate(&t).map(|r| r.as_per_second_f64()).map_err(|_| format!("`{what}` is not a rate: `{t}`"))
            };
            let stages = stages
                .iter()
                .map(|s| {
                    Ok(PlannedStage {
                        from: rate(&s["from"], "stages.from")?,
                        to: rate(&s["to"], "stages.to")?,
                        duration_s: seconds(&s["duration"], "stages.duration")?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            Profile::Open(stages)
        }
    };
    let load = step["load"].as_str().unwrap_or_default().to_string();
    Ok(PlannedAttack { name, nodes: nodes.unwrap_or_default(), start_s, end_s, load, profile })
}

/// The planned rate over time of several attacks together, as a polyline (time from the origin
/// in seconds, requests/s): piecewise linear between stage boundaries, with vertical jumps where
/// attacks start and end. Only open-model attacks count. `None` when nothing is planned.
pub fn planned_rate(attacks: &[(f64, &[PlannedStage])]) -> Option<Vec<(f64, f64)>> {
    let mut breaks: Vec<f64> = Vec::new();
    for (offset, stages) in attacks {
        let mut t = *offset;
        breaks.push(t);
        for s in stages.iter() {
            t += s.duration_s;
            breaks.push(t);
        }
    }
    if breaks.is_empty() {
        return None;
    }
    breaks.sort_by(f64::total_cmp);
    breaks.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    // The rate at `t`, taking stages as [start, end) (`left`: as (start, end]).
    let rate_at = |t: f64, left: bool| -> f64 {
        let mut total = 0.0;
        for (offset, stages) in attacks {
            let mut start = *offset;
            for s in stages.iter() {
                let end = start + s.duration_s;
                let inside = if left { t > start && t <= end } else { t >= start && t < end };
                if inside && s.duration_s > 0.0 {
                    total += s.from + (s.to - s.from) * (t - start) / s.duration_s;
                }
                start = end;
            }
        }
        total
    };
    let mut points = Vec::with_capacity(breaks.len() * 2);
    for t in breaks {
        let (before, after) = (rate_at(t, true), rate_at(t, false));
        points.push((t, before));
        if (after - before).abs() > 1e-12 {
            points.push((t, after));
        }
    }
    Some(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_rates_add_up_with_jumps_at_attack_edges() {
        let ramp = [PlannedStage { from: 10.0, to: 30.0, duration_s: 10.0 }];
        let hold = [PlannedStage { from: 5.0, to: 5.0, duration_s: 4.0 }];
        let points = planned_rate(&[(0.0, &ramp), (2.0, &hold)]).expect("planned");
        assert_eq!(
            points,
            vec![
                (0.0, 0.0),
                (0.0, 10.0),
                (2.0, 14.0),
                (2.0, 19.0),
                (6.0, 27.0),
                (6.0, 22.0),
                (10.0, 30.0),
                (10.0, 0.0)
            ]
        );
        assert_eq!(planned_rate(&[]), None);
    }
}
