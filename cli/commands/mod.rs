//! One module per command; `dispatch` is the only entry point.

use crate::args::{Cli, Command};

pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Report(_)
        | Command::Releases(_)
        | Command::Rules(_)
        | Command::Init(_)
        | Command::Demo(_) => {
            anyhow::bail!("this command is being built")
        }
    }
}
