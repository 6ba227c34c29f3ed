//! Reading scenario files: size and encoding limits, parsing, and following `import`s (relative to
//! the importing file) with cycle and missing-file detection. Yields every parsed file in load order.

use crate::diagnostic::{Code, Diagnostic};
use crate::parser::ast::{File, Item, StrPart};
use crate::parser::parse_file;
use crate::parser::span::{FileId, SourceMap, Span, Spanned};
use std::path::{Path, PathBuf};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// One parsed file of the scenario and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub id: FileId,
    pub ast: File,
}

/// Reads a file for checking, refusing what is too large or not UTF-8.
pub fn read_source(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| io_diagnostic(path, &e))?;
    if meta.is_dir() {
        return Err(Diagnostic::error(Code::Io, format!("`{shown}` is a directory, not a scenario file"))
            .help("pass a .dfs file, or use `dfaas-run check DIR` to check every .dfs file under it")
            .with_path(shown));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            Code::TooLarge,
            format!(
                "`{shown}` is {} bytes, over the {} MiB limit for a scenario file",
                meta.len(),
                MAX_FILE_BYTES >> 20
            ),
        )
        .help("scenario files describe load, they do not hold data: move bodies to `body file \"...\"` or a feeder")
        .with_path(shown));
    }
    let bytes = std::fs::read(path).map_err(|e| io_diagnostic(path, &e))?;
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(Diagnostic::error(
            Code::Encoding,
            format!("`{shown}` is a binary file, not a scenario (NUL byte at byte {at}, line {line})"),
        )
        .help("scenario files are UTF-8 text; check that the path names the .dfs file")
        .with_path(shown));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..at];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Diagnostic::error(Code::Encoding, format!("`{shown}` is not valid UTF-8 (byte {at}, line {line})"))
            .help("save the file as UTF-8")
            .with_path(shown)
    })
}

fn io_diagnostic(path: &Path, error: &std::io::Error) -> Diagnostic {
    let shown = path.display().to_string();
    let help = match error.kind() {
        std::io::ErrorKind::NotFound => "check the path; scenario files usually end in .dfs",
        std::io::ErrorKind::PermissionDenied => "check the file's permissions",
        _ => "check that the path is a readable file",
    };
    Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {error}")).help(help).with_path(shown)
}

/// Loads `root` and everything it imports. Diagnostics for every file are collected.
pub fn load(root: &Path, sources: &mut SourceMap, diagnostics: &mut Vec<Diagnostic>) -> Vec<LoadedFile> {
    let mut loaded = Vec::new();
    let text = match read_source(root) {
        Ok(text) => text,
        Err(d) => {
            diagnostics.push(d);
            return loaded;
        }
    };
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let id = sources.add(&canonical, root.display().to_string(), text);
    let mut stack = vec![canonical];
    load_file(id, None, sources, diagnostics, &mut loaded, &mut stack);
    loaded
}

/// Loads `text` as the file at `path` (not read from disk) and everything it imports.
pub fn load_text(
    path: &Path,
    text: String,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<LoadedFile> {
    let mut loaded = Vec::new();
    let id = sources.add(path, path.display().to_string(), text);
    let mut stack = vec![path.to_path_buf()];
    load_file(id, None, sources, diagnostics, &mut loaded, &mut stack);
    loaded
}

fn load_file(
    id: FileId,
    imported_at: Option<Span>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
    loaded: &mut Vec<LoadedFile>,
    stack: &mut Vec<PathBuf>,
) {
    let ast = match parse_file(&sources.get(id).text, id) {
        Ok(ast) => ast,
        Err(errors) => {
            diagnostics.extend(errors);
            return;
        }
    };
    let imports: Vec<Spanned<String>> = ast
        .items
        .iter()
        .filter_map(|item| match &item.node {
            Item::Import(path) => Some(path),
            _ => None,
        })
        .filter_map(|path| match plain_text(&path.node.parts) {
            Some(text) => Some(Spanned::new(path.span, text)),
            None => {
                diagnostics.push(
                    Diagnostic::error(Code::BadInterpolation, "import paths cannot use `${...}`")
                        .label(path.span, "interpolated here")
                        .help("write the path literally; imports are resolved before variables"),
                );
                None
            }
        })
        .collect();
    if imported_at.is_some() {
        for item in &ast.items {
            if let Item::Scenario(_) = item.node {
                diagnostics.push(
                    Diagnostic::error(Code::ScenarioInImport, "an imported file cannot declare `scenario`")
                        .label(item.span, "declared here")
                        .help("only the file you run names the scenario; remove this line from the shared file"),
                );
            }
        }
    }
    loaded.push(LoadedFile { id, ast });
    let dir = sources.get(id).path.parent().map(Path::to_path_buf).unwrap_or_default();
    for import in imports {
        let target = dir.join(&import.node);
        let name = relative_name(sources.get(id).name.as_str(), &import.node);
        let canonical = match target.canonicalize() {
            Ok(c) => c,
            Err(_) => {
                diagnostics.push(
                    Diagnostic::error(Code::ImportMissing, format!("imported file `{}` does not exist", import.node))
                        .label(import.span, format!("looked for {name}"))
                        .help("import paths are relative to the file that imports them"),
                );
                continue;
            }
        };
        if let Some(pos) = stack.iter().position(|p| *p == canonical) {
            let chain: Vec<String> = stack[pos..]
                .iter()
                .chain(std::iter::once(&canonical))
                .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
                .collect();
            diagnostics.push(
                Diagnostic::error(Code::ImportCycle, format!("import cycle: {}", chain.join(" → ")))
                    .label(import.span, "this import closes the cycle")
                    .help("move what both files need into a third file that imports neither"),
            );
            continue;
        }
        if sources.find(&canonical).is_some() {
            continue; // Already loaded through another import: load each file once.
        }
        let text = match read_source(&target) {
            Ok(text) => text,
            Err(d) => {
                diagnostics.push(d.label(import.span, "imported here"));
                continue;
            }
        };
        let child = sources.add(&canonical, name, text);
        stack.push(canonical);
        load_file(child, Some(import.span), sources, diagnostics, loaded, stack);
        stack.pop();
    }
}

/// The name a file named in `importer` is shown under: its path joined to the importer's
/// directory, as the user sees it (never an absolute path the user did not write).
pub fn relative_name(importer: &str, import: &str) -> String {
    let parent = Path::new(importer).parent().unwrap_or(Path::new(""));
    parent.join(import).display().to_string()
}

/// The text of a string literal without interpolation, or `None` if it has any.
fn plain_text(parts: &[StrPart]) -> Option<String> {
    parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => Some(t.as_str()),
            StrPart::Interp(_) => None,
        })
        .collect()
}
