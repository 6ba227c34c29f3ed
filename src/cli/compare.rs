//! `dfaas-run compare RUN_A RUN_B`: two runs side by side with deltas and, given thresholds, a
//! verdict per metric; exit 1 when B regressed, 2 on bad input. A performance gate for CI.

use super::exit;
use crate::model::units::parse_percent;
use crate::report::compare::{compare, render_text, ErrorIncrease, Thresholds};
use crate::report::context::ReportContext;
use crate::report::run_folder::{RunFolder, VerdictSource};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The baseline run folder
    pub run_a: PathBuf,
    /// The run folder judged against it
    pub run_b: PathBuf,
    /// Fail when B's p99 latency is more than this much above A's (like `10%`)
    #[arg(long, value_name = "PERCENT", value_parser = parse_share)]
    pub max_p99_regression: Option<f64>,
    /// Fail when B's mean latency is more than this much above A's (like `10%`)
    #[arg(long, value_name = "PERCENT", value_parser = parse_share)]
    pub max_mean_regression: Option<f64>,
    /// Fail when B's success ratio is below this (like `99.5%`)
    #[arg(long, value_name = "PERCENT", value_parser = parse_share)]
    pub min_success: Option<f64>,
    /// Fail when B has more errors than A by more than this: a count (`10`) or error-ratio points (`0.5%`)
    #[arg(long, value_name = "COUNT|PERCENT", value_parser = parse_error_increase)]
    pub max_error_increase: Option<ErrorIncrease>,
    /// Output format
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

fn parse_share(s: &str) -> Result<f64, String> {
    let p = parse_percent(s.trim()).map_err(|_| format!("`{s}` is not a percentage (like `10%` or `99.5%`)"))?;
    Ok(p.as_fraction())
}

fn parse_error_increase(s: &str) -> Result<ErrorIncrease, String> {
    let s = s.trim();
    if s.ends_with('%') {
        return parse_share(s).map(ErrorIncrease::Points);
    }
    s.parse::<u64>()
        .map(ErrorIncrease::Count)
        .map_err(|_| format!("`{s}` is neither a count (like `10`) nor a percentage (like `0.5%`)"))
}

fn context(dir: &Path, which: &str) -> Result<ReportContext, String> {
    let run = RunFolder::read(dir, VerdictSource::Given(Vec::new())).map_err(|e| format!("run {which}: {e}"))?;
    if run.attacks.is_empty() {
        return Err(format!("run {which} ({}) has no attack results to compare", dir.display()));
    }
    Ok(ReportContext::new(&run))
}

pub fn run(args: CompareArgs) -> u8 {
    let (a, b) = match (context(&args.run_a, "A"), context(&args.run_b, "B")) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            for e in [a.err(), b.err()].into_iter().flatten() {
                eprintln!("error: {e}");
            }
            return exit::SCENARIO_ERROR;
        }
    };
    let thresholds = Thresholds {
        max_p99_regression: args.max_p99_regression,
        max_mean_regression: args.max_mean_regression,
        min_success: args.min_success,
        max_error_increase: args.max_error_increase,
    };
    let comparison = compare(&a, &b, thresholds);
    if args.format == "json" {
        match serde_json::to_string_pretty(&comparison) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot encode the comparison: {e}");
                return exit::RUNTIME_FAILURE;
            }
        }
    } else {
        print!("{}", render_text(&comparison));
    }
    if comparison.regressed() {
        exit::EXPECTATIONS_FAILED
    } else {
        exit::OK
    }
}
