//! Every plot of a run, drawn with plotters as PNG and SVG files from the run folder alone:
//! per attack in `<attack>/plots/`, over all attacks and per node in `merged-results/plots/`.

mod backend;
mod frame;
mod generic_set;
mod hosts;
mod latency_chart;
mod latency_columns;
mod merged_data;
mod node_set;
mod per_second;
mod percentile_chart;
mod png_backend;
mod run_info;
mod style;
mod subjects;
mod time_chart;

pub use backend::PlotFormat;
pub use hosts::{same_host, server_host, url_host};
pub use merged_data::{MergedData, MergedStream, FORWARDING_HEADER};
pub use per_second::{NodeSeconds, PerSecond, Responders};
pub use run_info::RunInfo;
pub use style::{HEIGHT, WIDTH};

use crate::runtime::results::VegetaResult;
use crate::runtime::wrapup_steps::MERGED_DIR;
use std::path::{Path, PathBuf};

/// The folder plots go in, inside an attack folder or `merged-results/`.
pub const PLOTS_DIR: &str = "plots";

/// Whatever else wants to see every result of the file a set of plots is read from (the success
/// rates of `report_values.txt`): one pass over the results feeds both.
pub type Tap<'a> = &'a mut dyn FnMut(&VegetaResult);

/// Draws an attack's plots into `<run_dir>/<attack>/plots/`; returns the files written, in a
/// fixed order (`latency`, `throughput`, `percentiles`, `status`, `responders` when a header is
/// recorded, `success-errors`, `cumulative`, `cumulative-log`), each in every format asked.
pub fn draw_attack_plots(run_dir: &Path, attack: &str, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
    if formats.is_empty() {
        return Ok(Vec::new());
    }
    AttackPlots::read(run_dir, attack, &mut |_| {})?.draw(formats)
}

/// Draws the merged plots into `<run_dir>/merged-results/plots/`: the attack set over all
/// attacks, then `per-node`, `forwarded` (when `X-Server` is recorded) and `per-node-cumulative`.
pub fn draw_merged_plots(run_dir: &Path, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
    if formats.is_empty() {
        return Ok(Vec::new());
    }
    MergedPlots::read(run_dir, &mut |_| {})?.draw(formats)
}

/// An attack's plots, read from its folder (one pass over `results.json`) and ready to draw.
pub struct AttackPlots {
    dir: PathBuf,
    subject: generic_set::Subject,
}

impl AttackPlots {
    /// Reads what the plots of `attack` show; `tap` sees every result on the way.
    pub fn read(run_dir: &Path, attack: &str, tap: Tap<'_>) -> Result<AttackPlots, String> {
        let run = RunInfo::load_if_present(run_dir)?;
        let subject = subjects::attack_subject(run_dir, attack, run.as_ref(), tap)?;
        Ok(AttackPlots { dir: run_dir.join(attack).join(PLOTS_DIR), subject })
    }

    /// Draws them (see `draw_attack_plots`); no format, no file.
    pub fn draw(&self, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
        if formats.is_empty() {
            return Ok(Vec::new());
        }
        draw_all(&self.dir, generic_set::figures(&self.subject), formats)
    }
}

/// The merged plots, read from the run folder (one pass over `merged-results.json`) and ready to
/// draw.
pub struct MergedPlots {
    dir: PathBuf,
    subject: generic_set::Subject,
}

impl MergedPlots {
    /// Reads what the merged plots show; `tap` sees every merged result on the way.
    pub fn read(run_dir: &Path, tap: Tap<'_>) -> Result<MergedPlots, String> {
        let run = RunInfo::load(run_dir)?;
        let subject = subjects::merged_subject(run_dir, &run, tap)?;
        Ok(MergedPlots { dir: run_dir.join(MERGED_DIR).join(PLOTS_DIR), subject })
    }

    /// The merged plots of `data` built by a [`MergedStream`] (see [`merged_stream`]) that saw
    /// every merged result: no pass over the merged results file.
    pub fn of(run_dir: &Path, data: MergedData) -> Result<MergedPlots, String> {
        let run = RunInfo::load(run_dir)?;
        let subject = subjects::merged_subject_of(run_dir, &run, data)?;
        Ok(MergedPlots { dir: run_dir.join(MERGED_DIR).join(PLOTS_DIR), subject })
    }

    /// Draws them (see `draw_merged_plots`); no format, no file.
    pub fn draw(&self, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
        if formats.is_empty() {
            return Ok(Vec::new());
        }
        let mut figures = generic_set::figures(&self.subject);
        figures.extend(node_set::figures(&self.subject));
        draw_all(&self.dir, figures, formats)
    }
}

/// A stream that builds the merged plots' data from the results fed to it, in any order (unless
/// [`MergedStream::depends_on_order`]): for a run whose merged results are one attack's results.
pub fn merged_stream(run_dir: &Path) -> Result<MergedStream, String> {
    let run = RunInfo::load(run_dir)?;
    subjects::merged_stream(run_dir, &run)
}

/// The merged plots' data: per-second counts over all attacks, per node, forwarded.
pub fn merged_data(run_dir: &Path) -> Result<MergedData, String> {
    let run = RunInfo::load(run_dir)?;
    subjects::merged_data(run_dir, &run, &mut |_| {})
}

fn draw_all(dir: &Path, figures: Vec<(&str, backend::Figure)>, formats: &[PlotFormat]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (stem, figure) in &figures {
        written.extend(backend::render(figure, dir, stem, formats)?);
    }
    Ok(written)
}
