//! `dfaas-run report RUN_DIR`: re-renders a run's reports from its saved results (never runs
//! anything), in the built-in formats and the user's templates; prints the summary.

use super::exit;
use crate::model::{UserTemplate, DEFAULT_REPORT_FORMATS};
use crate::report::context::ReportContext;
use crate::report::output::{write_reports, write_vegeta_texts, ReportRequest};
use crate::report::run_folder::{RunFolder, VerdictSource};
use crate::report::templates::{Renderer, ReportFormat};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The run folder (`runs/<scenario>/<timestamp>`)
    pub run_dir: PathBuf,
    /// Built-in reports to write: text, markdown, html, json (repeatable or comma-separated) [default: text,html,json]
    #[arg(long = "format", value_name = "FORMAT", value_delimiter = ',', value_parser = parse_format)]
    pub formats: Vec<ReportFormat>,
    /// Also render this minijinja template (repeatable); written as its file name without `.j2`
    #[arg(long = "template", value_name = "FILE")]
    pub templates: Vec<PathBuf>,
    /// Where to write the reports [default: the run folder]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<ReportFormat, String> {
    ReportFormat::parse(s).ok_or_else(|| {
        let known: Vec<&str> = ReportFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown report format `{s}` ({})", crate::diagnostic::suggest(s, known.iter().copied()))
    })
}

pub fn run(args: ReportArgs) -> u8 {
    let run = match RunFolder::read(&args.run_dir, VerdictSource::File) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::SCENARIO_ERROR;
        }
    };
    let mut formats = args.formats.clone();
    if formats.is_empty() {
        formats = DEFAULT_REPORT_FORMATS.iter().filter_map(|f| ReportFormat::parse(f)).collect();
    }
    formats.sort();
    formats.dedup();
    let mut templates = Vec::new();
    for path in &args.templates {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            eprintln!("error: --template {} names no file", path.display());
            return exit::SCENARIO_ERROR;
        };
        let output = name.strip_suffix(".j2").map(str::to_string).unwrap_or(name);
        templates.push(UserTemplate { path: path.clone(), output });
    }
    let out_dir = args.out.clone().unwrap_or_else(|| args.run_dir.clone());
    let context = ReportContext::new(&run);
    for w in &context.warnings {
        eprintln!("warning: {w}");
    }
    let mut written =
        write_reports(&run, &context, &ReportRequest { formats: formats.clone(), templates, out_dir: out_dir.clone() });
    if formats.contains(&ReportFormat::Text) {
        let vegeta = write_vegeta_texts(&run, &out_dir);
        written.files.extend(vegeta.files);
        written.io_errors.extend(vegeta.io_errors);
    }
    for file in &written.files {
        eprintln!("wrote {}", file.display());
    }
    let summary = Renderer::new(&context, &run.dir, &out_dir)
        .and_then(|r| r.builtin(ReportFormat::Text).map_err(|e| e.to_string()));
    match summary {
        Ok(text) => print!("{text}"),
        Err(e) => eprintln!("error: {e}"),
    }
    if written.is_ok() {
        exit::OK
    } else {
        eprintln!("{}", written.problems());
        exit::SCENARIO_ERROR
    }
}
