//! Writing a run's reports: the built-in formats (`report.txt`, `.md`, `.html`, `.json`) and the
//! user's templates into one folder, and the vegeta-layout `report.txt` of each attack.

use super::context::ReportContext;
use super::expect::Verdict;
use super::run_folder::{RunFolder, VerdictSource};
use super::template_error::TemplateError;
use super::templates::{Renderer, ReportFormat};
use super::vegeta_text;
use crate::model::{ReportSpec, UserTemplate};
use crate::runtime::wrapup_steps::MERGED_DIR;
use std::path::{Path, PathBuf};

/// Which reports to write, and where.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub formats: Vec<ReportFormat>,
    pub templates: Vec<UserTemplate>,
    pub out_dir: PathBuf,
}

/// What was written, and what could not be.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub template_errors: Vec<TemplateError>,
    pub io_errors: Vec<String>,
}

impl Written {
    pub fn is_ok(&self) -> bool {
        self.template_errors.is_empty() && self.io_errors.is_empty()
    }

    /// Every problem, one per paragraph.
    pub fn problems(&self) -> String {
        let mut out: Vec<String> = self.template_errors.iter().map(|e| e.to_string()).collect();
        out.extend(self.io_errors.iter().cloned());
        out.join("\n\n")
    }
}

/// Renders every requested report of `run` into `request.out_dir` (created if needed). A failing
/// template does not stop the others.
pub fn write_reports(run: &RunFolder, context: &ReportContext, request: &ReportRequest) -> Written {
    let mut written = Written::default();
    if let Err(e) = std::fs::create_dir_all(&request.out_dir) {
        written.io_errors.push(format!("cannot create {}: {e}", request.out_dir.display()));
        return written;
    }
    let renderer = match Renderer::new(context, &run.dir, &request.out_dir) {
        Ok(r) => r,
        Err(e) => {
            written.io_errors.push(e);
            return written;
        }
    };
    let mut outputs: Vec<(String, Result<String, Box<TemplateError>>)> = Vec::new();
    for &format in &request.formats {
        outputs.push((format.file_name().to_string(), renderer.builtin(format)));
    }
    for t in &request.templates {
        outputs.push((t.output.clone(), renderer.user(&t.path, &t.output)));
    }
    let mut names: Vec<String> = Vec::new();
    for (name, rendered) in outputs {
        if names.contains(&name) {
            written.io_errors.push(format!(
                "two reports would be written to {}: only the first one was (name the template's output with `as`)",
                request.out_dir.join(&name).display()
            ));
            continue;
        }
        names.push(name.clone());
        match rendered {
            Ok(text) => {
                let path = request.out_dir.join(&name);
                match std::fs::write(&path, text) {
                    Ok(()) => written.files.push(path),
                    Err(e) => written.io_errors.push(format!("cannot write {}: {e}", path.display())),
                }
            }
            Err(e) => written.template_errors.push(*e),
        }
    }
    written
}

/// Writes `out_dir/<attack>/report.txt` for every attack and `out_dir/merged-results/report.txt`
/// (vegeta's text layout).
pub fn write_vegeta_texts(run: &RunFolder, out_dir: &Path) -> Written {
    let mut written = Written::default();
    let mut texts: Vec<(PathBuf, String)> =
        run.attacks.iter().map(|a| (out_dir.join(&a.folder), vegeta_text::render(&a.metrics))).collect();
    if let Some((merged, _)) = &run.merged {
        texts.push((out_dir.join(MERGED_DIR), vegeta_text::render(merged)));
    }
    for (dir, text) in texts {
        let path = dir.join("report.txt");
        match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
            Ok(()) => written.files.push(path),
            Err(e) => written.io_errors.push(format!("cannot write {}: {e}", path.display())),
        }
    }
    written
}

/// The run-level reports of a run in progress, as its `report { ... }` block asks: read back from
/// `run_dir` with the verdicts just evaluated. Blocking. `Ok` names what was written.
pub fn write_run_reports(run_dir: &Path, verdicts: Option<Vec<Verdict>>, spec: &ReportSpec) -> Result<String, String> {
    let source = verdicts.map_or(VerdictSource::File, VerdictSource::Given);
    let run = RunFolder::read(run_dir, source)?;
    let context = ReportContext::new(&run);
    let formats = spec.formats.iter().filter_map(|f| ReportFormat::parse(f)).collect();
    let out_dir = spec.output.clone().unwrap_or_else(|| run_dir.to_path_buf());
    let request = ReportRequest { formats, templates: spec.templates.clone(), out_dir };
    let written = write_reports(&run, &context, &request);
    let names: Vec<String> =
        written.files.iter().filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    if written.is_ok() {
        Ok(match names.is_empty() {
            true => "no run-level report requested".to_string(),
            false => format!("{} in {}", names.join(", "), request.out_dir.display()),
        })
    } else {
        Err(format!(
            "{}\n(written: {})",
            written.problems(),
            if names.is_empty() { "none".into() } else { names.join(", ") }
        ))
    }
}
