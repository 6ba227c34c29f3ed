//! `dfaas-run man [--out DIR]`: the roff man page of dfaas-run on stdout (clap_mangen), or one page
//! per command written to DIR (`dfaas-run.1`, `dfaas-run-check.1`, ...).

use super::{exit, Cli};
use clap::CommandFactory;
use clap_mangen::Man;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[command(after_help = "Read it with `dfaas-run man | man -l -`, or install the pages with\n\
    `dfaas-run man --out ~/.local/share/man/man1`.")]
pub struct ManArgs {
    /// Write one page per command into this folder (created if missing) instead of printing one
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> u8 {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let Some(dir) = args.out else {
        let mut page = Vec::new();
        if let Err(e) = Man::new(command).render(&mut page) {
            eprintln!("error: cannot render the man page: {e}");
            return exit::RUNTIME_FAILURE;
        }
        use std::io::Write as _;
        return match std::io::stdout().write_all(&page) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: cannot write the man page: {e}");
                exit::RUNTIME_FAILURE
            }
        };
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create `{}`: {e}", dir.display());
        eprintln!("  help: pick a folder you can write to, like ~/.local/share/man/man1");
        return exit::SCENARIO_ERROR;
    }
    let mut written = Vec::new();
    match write_pages(command, &dir, &mut written) {
        Ok(()) => {
            for path in &written {
                println!("{}", path.display());
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot write man pages into `{}`: {e}", dir.display());
            exit::RUNTIME_FAILURE
        }
    }
}

/// The page of `command`, then those of its subcommands (recursively, hidden ones left out).
fn write_pages(command: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let subcommands: Vec<clap::Command> = command.get_subcommands().filter(|c| !c.is_hide_set()).cloned().collect();
    written.push(Man::new(command).generate_to(dir)?);
    for sub in subcommands {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}
