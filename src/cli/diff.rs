//! `dfaas-run diff A.dfs B.dfs` and `dfaas-run diff FILE --from REV [--to REV]`: how the plan changed,
//! for review. Exit 0 when the plans are the same, 1 when they differ, 2 when a side cannot be planned.

use super::git_revision::{self, RevisionCopy};
use super::{exit, scenario_files};
use crate::model::Scenario;
use crate::plan::diff::{diff, Change, ChangeKind, PlanDiff, Side};
use crate::plan::{plan, Plan};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when the plans are the same, 1 when they differ, 2 when a scenario has errors\n\
    or a revision cannot be read.\n\n\
    Examples:\n  \
    dfaas-run diff scenarios/spike.dfs scenarios/spike-v2.dfs\n  \
    dfaas-run diff scenarios/spike.dfs --from HEAD~1            (that revision → the working tree)\n  \
    dfaas-run diff scenarios/spike.dfs --from main --to feature"
)]
pub struct DiffArgs {
    /// The scenario before (with --from: the file whose revisions are compared)
    pub before: PathBuf,
    /// The scenario after
    #[arg(conflicts_with = "from", required_unless_present = "from")]
    pub after: Option<PathBuf>,
    /// Compare the file as it was at this git revision...
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// ...with the file at this revision (default: the working tree)
    #[arg(long, value_name = "REV", requires = "from")]
    pub to: Option<String>,
    /// `text` for people, `json` for tools
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Override a variable on both sides: `--set rate=100/s` (repeatable)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::parse_set)]
    pub set: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// One side as loaded: what to call it, and its scenario and plan.
struct Planned {
    label: String,
    scenario: Scenario,
    plan: Plan,
}

/// The JSON document printed by `diff --format json`.
#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    before: SideInfo<'a>,
    after: SideInfo<'a>,
    identical: bool,
    changes: &'a [Change],
}

#[derive(Serialize)]
struct SideInfo<'a> {
    label: &'a str,
    scenario: &'a str,
    source_hash: &'a str,
}

impl<'a> SideInfo<'a> {
    fn of(side: &'a Planned) -> Self {
        SideInfo { label: &side.label, scenario: &side.plan.scenario, source_hash: &side.plan.source_hash }
    }
}

pub fn run(args: DiffArgs) -> u8 {
    let sides = match (&args.after, &args.from) {
        (Some(after), _) => load(&args.before, None, &args.set).and_then(|b| Ok((b, load(after, None, &args.set)?))),
        (None, Some(from)) => load(&args.before, Some(from), &args.set)
            .and_then(|b| Ok((b, load(&args.before, args.to.as_deref(), &args.set)?))),
        // clap requires `after` unless `--from` is given.
        (None, None) => unreachable!("clap: AFTER or --from"),
    };
    let (before, after) = match sides {
        Ok(sides) => sides,
        Err(code) => return code,
    };
    let changes = diff(
        Side { scenario: &before.scenario, plan: &before.plan },
        Side { scenario: &after.scenario, plan: &after.plan },
    );
    match args.format {
        DiffFormat::Text => print!("{}", text(&before, &after, &changes)),
        DiffFormat::Json => {
            let report = Report {
                version: 1,
                before: SideInfo::of(&before),
                after: SideInfo::of(&after),
                identical: changes.is_empty(),
                changes: &changes.changes,
            };
            println!("{}", serde_json::to_string_pretty(&report).expect("a diff always serializes"));
        }
    }
    if changes.is_empty() {
        exit::OK
    } else {
        exit::EXPECTATIONS_FAILED
    }
}

/// Checks and plans one side: a file of the working tree, or the file at a git revision.
fn load(file: &Path, rev: Option<&str>, set: &[(String, String)]) -> Result<Planned, u8> {
    let (label, copy): (String, Option<RevisionCopy>) = match rev {
        None => (file.display().to_string(), None),
        Some(rev) => match git_revision::checkout(file, rev) {
            Ok(copy) => (format!("{}@{rev}", file.display()), Some(copy)),
            Err(e) => {
                eprintln!("error: {}\n  help: {}", e.message, e.help);
                return Err(exit::SCENARIO_ERROR);
            }
        },
    };
    let path = copy.as_ref().map(|c| c.file.as_path()).unwrap_or(file);
    let (scenario, _) = scenario_files::load(path, set)?;
    let plan = plan(&scenario);
    Ok(Planned { label, scenario, plan })
}

fn text(before: &Planned, after: &Planned, changes: &PlanDiff) -> String {
    let mut out = String::new();
    let head = |p: &Planned| {
        let hash = p.plan.source_hash.get(..12).unwrap_or(&p.plan.source_hash);
        format!("{}  (scenario \"{}\", sources {hash})", p.label, p.plan.scenario)
    };
    let _ = writeln!(out, "--- {}", head(before));
    let _ = writeln!(out, "+++ {}", head(after));
    if changes.is_empty() {
        let note = if before.plan.source_hash == after.plan.source_hash {
            ""
        } else {
            " (the sources differ only in what plans the same: comments, layout, equal values)"
        };
        let _ = writeln!(out, "\nthe plans are identical{note}");
        return out;
    }
    for change in &changes.changes {
        let mark = match change.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        };
        let _ = writeln!(out, "\n{mark} {}", change.subject);
        if let Some(summary) = &change.summary {
            let _ = writeln!(out, "    {summary}");
        }
        let width = change.fields.iter().map(|f| f.field.chars().count()).max().unwrap_or(0);
        for f in &change.fields {
            let delta = f.delta.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
            // A time window has its own arrow: bracket both values so the change reads clearly.
            let (before, after) = if f.before.contains('→') || f.after.contains('→') {
                (format!("[{}]", f.before), format!("[{}]", f.after))
            } else {
                (f.before.clone(), f.after.clone())
            };
            let _ = writeln!(out, "    {:<width$}  {before} → {after}{delta}", f.field);
        }
    }
    let n = changes.changes.len();
    let _ = writeln!(out, "\n{n} change{}: the plans differ", if n == 1 { "" } else { "s" });
    out
}
