//! `takt completions SHELL` and `takt man`: what the shell and `man` know of the command line,
//! generated from its clap description.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Prints the completion script of `shell` on standard output.
pub fn completions(shell: Shell) -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "takt", &mut out);
    out.flush().context("writing the completion script")
}

/// Prints the man page of `takt` on standard output, or writes one page per command
/// (`takt.1`, `takt-push.1`, ...) into `dir`.
pub fn man(dir: Option<&Path>) -> Result<()> {
    let command = Cli::command();
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, dir).with_context(|| format!("writing man pages into {}", dir.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out).context("writing the man page")?;
            out.flush().context("writing the man page")
        }
    }
}
