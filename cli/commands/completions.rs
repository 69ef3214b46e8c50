//! `forkcheck completions SHELL`: the shell completion script (clap_complete), generated from the
//! same argument definitions the binary parses, on standard output.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::output;

pub fn run(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "forkcheck", &mut script);
    let text = String::from_utf8(script)
        .map_err(|e| anyhow::anyhow!("internal error: completion script is not UTF-8: {e}"))?;
    output::write_stdout(&text)?;
    Ok(forkcheck_analyzers::error::exit::OK)
}
