//! The report templates: the built-in ones (embedded from `templates/*.j2`), the user's, and the
//! minijinja environment they share — strict undefined values, HTML autoescaping, our filters.

use super::context::ReportContext;
use super::template_error::TemplateError;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A built-in report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportFormat {
    Text,
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 4] =
        [ReportFormat::Text, ReportFormat::Markdown, ReportFormat::Html, ReportFormat::Json];

    /// As written in `report { formats ... }` and `--format`.
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Text => "text",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }

    pub fn parse(name: &str) -> Option<ReportFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The file it is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Text => "report.txt",
            ReportFormat::Markdown => "report.md",
            ReportFormat::Html => "report.html",
            ReportFormat::Json => "report.json",
        }
    }

    /// The embedded template (`None` for JSON: the context itself).
    fn template(self) -> Option<(&'static str, &'static str)> {
        match self {
            ReportFormat::Text => Some(("report.txt.j2", include_str!("templates/report.txt.j2"))),
            ReportFormat::Markdown => Some(("report.md.j2", include_str!("templates/report.md.j2"))),
            ReportFormat::Html => Some(("report.html.j2", include_str!("templates/report.html.j2"))),
            ReportFormat::Json => None,
        }
    }
}

/// Renders reports of one run folder into one output folder.
pub struct Renderer {
    env: Environment<'static>,
    context: Value,
    /// Every name of the context, for "did you mean".
    names: Vec<String>,
    json: String,
}

impl Renderer {
    /// `run_dir` is where the plots are read from; `out_dir` where the reports go (links in
    /// Markdown are made relative to it).
    pub fn new(context: &ReportContext, run_dir: &Path, out_dir: &Path) -> Result<Renderer, String> {
        let json = serde_json::to_string_pretty(context).map_err(|e| format!("cannot encode the report: {e}"))?;
        let tree: serde_json::Value = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        let mut names = BTreeSet::new();
        collect_names(&tree, &mut names);
        let plots: BTreeSet<String> = context
            .attacks
            .iter()
            .chain(&context.merged)
            .flat_map(|a| a.plots.iter().flat_map(|p| p.files().map(str::to_string).collect::<Vec<_>>()))
            .collect();
        let env = environment(run_dir.to_path_buf(), out_dir.to_path_buf(), plots);
        Ok(Renderer { env, context: Value::from_serialize(context), names: names.into_iter().collect(), json })
    }

    /// A built-in report's text.
    pub fn builtin(&self, format: ReportFormat) -> Result<String, Box<TemplateError>> {
        match format.template() {
            None => Ok(self.json.clone() + "\n"),
            Some((name, source)) => self.render(name, name, source),
        }
    }

    /// A user template (`file` as the user named it). Autoescaping follows `output`'s extension
    /// (`.html`: HTML-escaped; `.json`: values as JSON).
    pub fn user(&self, file: &Path, output: &str) -> Result<String, Box<TemplateError>> {
        let shown = file.display().to_string();
        let source = std::fs::read_to_string(file)
            .map_err(|e| Box::new(TemplateError::whole_file(&shown, format!("cannot read the template: {e}"))))?;
        self.render(output, &shown, &source)
    }

    fn render(&self, name: &str, shown: &str, source: &str) -> Result<String, Box<TemplateError>> {
        let mut env = self.env.clone();
        env.add_template_owned(name.to_string(), source.to_string())
            .map_err(|e| Box::new(TemplateError::new(&e, shown, source, &self.names)))?;
        let template =
            env.get_template(name).map_err(|e| Box::new(TemplateError::new(&e, shown, source, &self.names)))?;
        template.render(&self.context).map_err(|e| Box::new(TemplateError::new(&e, shown, source, &self.names)))
    }
}

fn collect_names(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                collect_names(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_names(v, out)),
        _ => {}
    }
}

/// The environment every report template is rendered in.
fn environment(run_dir: PathBuf, out_dir: PathBuf, plots: BTreeSet<String>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| match name.trim_end_matches(".j2").rsplit('.').next() {
        Some("html" | "htm" | "xml" | "svg") => AutoEscape::Html,
        Some("json") => AutoEscape::Json,
        _ => AutoEscape::None,
    });
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    super::template_filters::register(&mut env);
    let same_dir = same_folder(&run_dir, &out_dir);
    let base = std::fs::canonicalize(&run_dir).unwrap_or(run_dir.clone());
    env.add_filter("from_report", move |path: String| -> String {
        if same_dir {
            path
        } else {
            base.join(&path).display().to_string()
        }
    });
    env.add_function("plot_data_uri", move |path: String| -> Result<Value, minijinja::Error> {
        if !plots.contains(&path) {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("`{path}` is not one of the run's plots (use a plot's `png` or `svg`)"),
            ));
        }
        let bytes = std::fs::read(run_dir.join(&path)).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, format!("cannot read {path}: {e}"))
        })?;
        let kind = if path.ends_with(".svg") { "image/svg+xml" } else { "image/png" };
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
        // Safe: the base64 alphabet and the fixed prefix need no escaping.
        Ok(Value::from_safe_string(format!("data:{kind};base64,{data}")))
    });
    env
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Compiles a user template without rendering it: syntax errors are found when the scenario is
/// checked, not at the end of a run. (Names are only known at render time.)
pub fn syntax_check(path: &Path) -> Result<(), Box<TemplateError>> {
    let shown = path.display().to_string();
    let source = std::fs::read_to_string(path)
        .map_err(|e| Box::new(TemplateError::whole_file(&shown, format!("cannot read the template: {e}"))))?;
    let mut env = Environment::new();
    env.set_debug(true);
    env.add_template_owned("template", source.clone())
        .map_err(|e| Box::new(TemplateError::new(&e, &shown, &source, &[])))?;
    Ok(())
}
