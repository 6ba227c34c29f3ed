//! AST → checked `Scenario`. Loads the file and its imports, expands variables, converts units and
//! checks every name and rule, collecting all problems of all files before answering.

mod attack;
mod attack_after;
mod attack_load;
mod attack_request;
mod build;
mod escapes;
mod functions;
mod gate_timing;
mod gates;
mod load;
mod nodes;
mod outputs;
mod shared;
mod values;
mod vars;

pub use attack::{DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT, RESERVED_NAMES};
pub use load::{read_source, MAX_FILE_BYTES};
pub use shared::METHODS;
pub use vars::unknown_override;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Scenario;
use crate::parser::ast::Item;
use crate::parser::span::{SourceMap, Span};
use load::LoadedFile;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use vars::LetVar;

/// Looks up an environment variable.
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String>>;

/// Where variables come from besides `let`: `--set` overrides and the environment.
pub struct CheckOptions {
    /// `--set name=value`, in command-line order (the last one wins).
    pub overrides: Vec<(String, String)>,
    /// Environment lookup; injectable so tests do not depend on the process environment.
    pub env: EnvLookup,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { overrides: Vec::new(), env: Box::new(|name| std::env::var(name).ok()) }
    }
}

impl CheckOptions {
    /// Options with a fixed environment (for tests and reproducible checks).
    pub fn with_env(vars: &[(&str, &str)]) -> Self {
        let map: BTreeMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        CheckOptions { overrides: Vec::new(), env: Box::new(move |name| map.get(name).cloned()) }
    }
}

/// The result of checking one scenario file: the sources read, every diagnostic (sorted by
/// position) and, when there is no error, the scenario.
pub struct Checked {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub scenario: Option<Scenario>,
    /// Every variable the files declare with `let` or use as `${...}` (for `--set` across files).
    pub variables: BTreeSet<String>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Checks the scenario file at `path` (and its imports).
pub fn check_path(path: &Path, options: &CheckOptions) -> Checked {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let files = load::load(path, &mut sources, &mut diagnostics);
    check_loaded(path, sources, diagnostics, files, options)
}

/// Checks `text` as if it were the file at `path` (its imports relative to it), without reading
/// `path`: for scenarios made in memory, like the output of `dfaas-run import`.
pub fn check_source(path: &Path, text: String, options: &CheckOptions) -> Checked {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let files = load::load_text(path, text, &mut sources, &mut diagnostics);
    check_loaded(path, sources, diagnostics, files, options)
}

fn check_loaded(
    path: &Path,
    sources: SourceMap,
    mut diagnostics: Vec<Diagnostic>,
    files: Vec<LoadedFile>,
    options: &CheckOptions,
) -> Checked {
    let fallback_name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    let mut scenario = None;
    let mut variables = BTreeSet::new();
    let loaded = !diagnostics.iter().any(Diagnostic::is_error) && !files.is_empty();
    for file in &files {
        escapes::check(&file.ast, &mut diagnostics);
    }
    if loaded {
        let checker = Checker::new(options, &sources, &files);
        let built = checker.build(&fallback_name);
        variables.extend(checker.lets.keys().cloned());
        variables.extend(checker.used_vars.borrow().iter().cloned());
        diagnostics.extend(checker.diagnostics.into_inner());
        scenario = built;
    }
    diagnostics.sort_by_key(|d| d.primary_span().map(|s| (s.file, s.start)));
    if diagnostics.iter().any(Diagnostic::is_error) {
        scenario = None;
    }
    Checked { sources, diagnostics, scenario, variables }
}

/// State shared by the checking passes. Diagnostics are pushed through `&self` so that passes can
/// borrow the AST freely.
pub(crate) struct Checker<'a> {
    options: &'a CheckOptions,
    sources: &'a SourceMap,
    files: &'a [LoadedFile],
    lets: BTreeMap<String, LetVar>,
    used_vars: RefCell<HashSet<String>>,
    expanding: RefCell<Vec<String>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
}

impl<'a> Checker<'a> {
    fn new(options: &'a CheckOptions, sources: &'a SourceMap, files: &'a [LoadedFile]) -> Self {
        let checker = Checker {
            options,
            sources,
            files,
            lets: BTreeMap::new(),
            used_vars: RefCell::new(HashSet::new()),
            expanding: RefCell::new(Vec::new()),
            diagnostics: RefCell::new(Vec::new()),
        };
        let mut lets = BTreeMap::new();
        let mut first: BTreeMap<String, Span> = BTreeMap::new();
        for item in checker.items() {
            if let Item::Let(decl) = &item.node {
                if let Some(previous) = first.get(&decl.name.node) {
                    checker.duplicate("variable", &decl.name.node, *previous, decl.name.span);
                    continue;
                }
                first.insert(decl.name.node.clone(), decl.name.span);
                if decl.name.node.contains('-') {
                    let suggestion = decl.name.node.replace('-', "_");
                    checker.push(
                        Diagnostic::error(
                            Code::BadInterpolation,
                            format!("`{}` cannot be used as `${{{}}}`", decl.name.node, decl.name.node),
                        )
                        .label(decl.name.span, "variable names have no `-`")
                        .help(format!(
                            "variables are used as `${{NAME}}` with letters, digits and `_`: call it `{suggestion}`"
                        )),
                    );
                    continue;
                }
                lets.insert(decl.name.node.clone(), LetVar { value: decl.value.clone(), span: decl.name.span });
            }
        }
        Checker { lets, ..checker }
    }

    fn push(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// Every top-level item of every file, root file first, then imports in load order.
    fn items(&self) -> impl Iterator<Item = &'a crate::parser::span::Spanned<Item>> {
        self.files.iter().flat_map(|f| f.ast.items.iter())
    }

    /// The directory relative paths in the file of `span` are resolved against.
    fn base_dir(&self, span: Span) -> std::path::PathBuf {
        self.sources.get(span.file).path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}
