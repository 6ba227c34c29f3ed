//! `dfaas-run completions SHELL`: the shell completion script for bash, zsh, fish, elvish or
//! PowerShell on stdout (clap_complete), to be sourced or installed where the shell looks.

use super::{exit, Cli};
use clap::CommandFactory;
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    bash:  dfaas-run completions bash > ~/.local/share/bash-completion/completions/dfaas-run\n  \
    zsh:   dfaas-run completions zsh > ~/.zfunc/_dfaas-run   (with fpath+=~/.zfunc before compinit)\n  \
    fish:  dfaas-run completions fish > ~/.config/fish/completions/dfaas-run.fish")]
pub struct CompletionsArgs {
    /// The shell to write the completion script for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> u8 {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    exit::OK
}
