//! A scenario file as it was at a git revision: the file and the files it imports (relative to it,
//! at the same revision) are read with `git show REV:PATH` into a temporary folder to check from.

use crate::parser::ast::{Item, StrPart};
use crate::parser::parse_file;
use crate::parser::span::FileId;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// A temporary folder holding files of one revision; removed when dropped.
pub struct RevisionCopy {
    dir: PathBuf,
    /// The requested file inside `dir`.
    pub file: PathBuf,
}

impl Drop for RevisionCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why a revision of a file could not be read. Printed as `error:` and `help:` lines.
#[derive(Debug)]
pub struct RevisionError {
    pub message: String,
    pub help: String,
}

fn error(message: impl Into<String>, help: impl Into<String>) -> RevisionError {
    RevisionError { message: message.into(), help: help.into() }
}

/// Copies `file` (a path in a git working tree) and its imports at `rev` into a temporary folder,
/// under the same repository-relative paths, so that imports resolve as they did at `rev`.
pub fn checkout(file: &Path, rev: &str) -> Result<RevisionCopy, RevisionError> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(':') {
        return Err(error(
            format!("`{rev}` is not a revision"),
            "give a commit, branch or tag, like `HEAD~1`, `main` or `v1.2`",
        ));
    }
    let (root, relative) = locate(file)?;
    let dir = temp_dir()?;
    // The revision is part of the path, so that diagnostics say which side they are about.
    let shown: String =
        rev.chars().map(|c| if c.is_ascii_alphanumeric() || "~^-_".contains(c) { c } else { '_' }).collect();
    let copy = RevisionCopy { file: dir.join(&shown).join(&relative), dir: dir.clone() };
    let dir = dir.join(shown);
    let mut pending = vec![relative.clone()];
    let mut done: Vec<PathBuf> = Vec::new();
    while let Some(path) = pending.pop() {
        if done.contains(&path) {
            continue;
        }
        done.push(path.clone());
        let Some(text) = show(&root, rev, &path, path == relative)? else {
            continue; // A missing import: the checker reports it, pointing at the import line.
        };
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                error(format!("cannot write `{}`: {e}", parent.display()), "check the temporary folder")
            })?;
        }
        std::fs::write(&target, &text)
            .map_err(|e| error(format!("cannot write `{}`: {e}", target.display()), "check the temporary folder"))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for import in imports(&text) {
            // Imports that leave the repository cannot exist at a revision; the checker reports them.
            if let Some(p) = normalize(&base.join(import)) {
                pending.push(p);
            }
        }
    }
    Ok(copy)
}

/// The repository root and the file's path relative to it.
fn locate(file: &Path) -> Result<(PathBuf, PathBuf), RevisionError> {
    let name = file
        .file_name()
        .ok_or_else(|| error(format!("`{}` is not a file path", file.display()), "give the path of a .dfs file"))?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = parent.canonicalize().map_err(|e| {
        error(
            format!("cannot find the folder of `{}`: {e}", file.display()),
            "the file's folder must exist in the working tree",
        )
    })?;
    let out = git(&dir, &["rev-parse", "--show-toplevel"])?;
    if !out.status.success() {
        return Err(error(
            format!("`{}` is not in a git repository", file.display()),
            "--from and --to read revisions with git; compare two files instead: `dfaas-run diff A.dfs B.dfs`",
        ));
    }
    let root_text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let root = PathBuf::from(&root_text).canonicalize().unwrap_or_else(|_| PathBuf::from(root_text));
    let relative = dir.strip_prefix(&root).map(|p| p.join(name)).map_err(|_| {
        error(
            format!("`{}` is outside the repository at `{}`", file.display(), root.display()),
            "give a path inside the working tree",
        )
    })?;
    Ok((root, relative))
}

/// `git show REV:PATH`; `Ok(None)` when an import does not exist at that revision.
fn show(root: &Path, rev: &str, path: &Path, requested: bool) -> Result<Option<String>, RevisionError> {
    let spec = format!("{rev}:{}", git_path(path));
    let out = git(root, &["show", "--no-textconv", &spec])?;
    if !out.status.success() {
        if !requested {
            return Ok(None);
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let help = if stderr.contains("exists on disk, but not in") || stderr.contains("does not exist in") {
            "the file did not exist at that revision; pick a later one"
        } else {
            "check the revision with `git log --oneline -- FILE`"
        };
        return Err(error(format!("cannot read `{spec}` from git: {stderr}"), help));
    }
    String::from_utf8(out.stdout)
        .map(Some)
        .map_err(|_| error(format!("`{spec}` is not valid UTF-8"), "scenario files are UTF-8 text"))
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, RevisionError> {
    Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| {
        error(format!("cannot run git: {e}"), "install git, or compare two files instead: `dfaas-run diff A.dfs B.dfs`")
    })
}

/// A repository-relative path in git's spelling (forward slashes).
fn git_path(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// `a/./b/../c` → `a/c`; `None` when the path leaves the repository or is absolute.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The literal paths imported by a scenario text (an unparsable text imports nothing here; the
/// checker reports its syntax errors).
fn imports(text: &str) -> Vec<String> {
    let Ok(file) = parse_file(text, FileId(0)) else { return Vec::new() };
    file.items
        .iter()
        .filter_map(|item| match &item.node {
            Item::Import(path) => path
                .node
                .parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => Some(t.as_str()),
                    StrPart::Interp(_) => None,
                })
                .collect::<Option<String>>(),
            _ => None,
        })
        .collect()
}

/// A new, empty temporary folder.
fn temp_dir() -> Result<PathBuf, RevisionError> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let dir = base.join(format!("dfaas-run-diff-{}-{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(error(
                    format!("cannot create a temporary folder in `{}`: {e}", base.display()),
                    "set TMPDIR to a writable folder",
                ))
            }
        }
    }
    Err(error(
        format!("cannot create a temporary folder in `{}`", base.display()),
        "remove stale dfaas-run-diff-* folders there",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_paths_stay_inside_the_repository() {
        assert_eq!(normalize(Path::new("a/./b/../c.dfs")), Some(PathBuf::from("a/c.dfs")));
        assert_eq!(normalize(Path::new("scenarios/../common.dfs")), Some(PathBuf::from("common.dfs")));
        assert_eq!(normalize(Path::new("../outside.dfs")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn imports_are_read_from_the_text() {
        let text = "import \"shared/nodes.dfs\"\nimport \"../x.dfs\"\nnode a { url \"http://127.0.0.1:1\" }\n";
        assert_eq!(imports(text), vec!["shared/nodes.dfs".to_string(), "../x.dfs".to_string()]);
        assert!(imports("import \"${DIR}/x.dfs\"\n").is_empty(), "interpolated imports are refused by the checker");
        assert!(imports("this is not a scenario {").is_empty());
    }

    #[test]
    fn option_like_or_path_like_revisions_are_refused() {
        for rev in ["", "-p", "HEAD:secret", "--output=x"] {
            let Err(e) = checkout(Path::new("a.dfs"), rev) else { panic!("`{rev}` accepted") };
            assert!(e.message.contains("is not a revision"), "{}", e.message);
        }
    }
}
