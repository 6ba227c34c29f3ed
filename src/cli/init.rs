//! `dfaas-run init [DIR]`: scaffolds a scenario repository (a starter scenario that checks, a
//! `.gitignore` for `runs/`, a CI script and a pre-commit hook). Never overwrites a file.

use super::exit;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The repository folder (created if missing)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// A file `init` writes: its path in the repository, its content, whether it is a script.
struct Scaffold {
    path: &'static str,
    content: &'static str,
    executable: bool,
}

const FILES: &[Scaffold] = &[
    Scaffold { path: "scenarios/smoke.dfs", content: include_str!("init_files/smoke.dfs"), executable: false },
    Scaffold { path: ".gitignore", content: include_str!("init_files/gitignore"), executable: false },
    Scaffold {
        path: "ci/check-scenarios.sh",
        content: include_str!("init_files/check-scenarios.sh"),
        executable: true,
    },
    Scaffold { path: "hooks/pre-commit", content: include_str!("init_files/pre-commit"), executable: true },
];

pub fn run(args: InitArgs) -> u8 {
    let existing: Vec<PathBuf> =
        FILES.iter().map(|f| args.dir.join(f.path)).filter(|p| p.symlink_metadata().is_ok()).collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|p| format!("`{}`", p.display())).collect();
        eprintln!(
            "error: {} already exist{}; `dfaas-run init` never overwrites files, so nothing was written",
            names.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        );
        eprintln!(
            "  help: move {} away, or run `dfaas-run init NEW_DIR` for a new repository",
            if existing.len() == 1 { "it" } else { "them" }
        );
        return exit::SCENARIO_ERROR;
    }
    for file in FILES {
        let path = args.dir.join(file.path);
        if let Err(e) = write(&path, file) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            eprintln!("  help: check that `{}` is a folder you can write to", args.dir.display());
            return exit::SCENARIO_ERROR;
        }
        println!("created {}", path.display());
    }
    println!("\nnext steps:");
    if args.dir != Path::new(".") {
        println!("  cd {}", args.dir.display());
    }
    println!("  dfaas-run check                              # every scenario of the repository");
    println!("  dfaas-run plan scenarios/smoke.dfs           # its steps, windows and request counts");
    println!("  git init && git config core.hooksPath hooks  # enable the pre-commit hook");
    exit::OK
}

/// Writes a new file (refusing to replace one created meanwhile) and its folders.
fn write(path: &Path, file: &Scaffold) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    use std::io::Write as _;
    let mut out = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    out.write_all(file.content.as_bytes())?;
    #[cfg(unix)]
    if file.executable {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = file.executable;
    Ok(())
}
