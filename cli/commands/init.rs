//! `forkcheck init`: write the commented default forkcheck.toml, never over an existing file
//! unless `--force` (`-o -`: to standard output).

use forkcheck_analyzers::config::Config;
use forkcheck_analyzers::error::exit;

use crate::args::InitArgs;
use crate::output::{self, Existing};

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let path = &args.output;
    if output::is_stdout(Some(path)) {
        output::write_stdout(Config::commented_default())?;
        return Ok(exit::OK);
    }
    let existing = if args.force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    output::write_file(path, Config::commented_default(), existing)?;
    eprintln!("wrote `{}`", path.display());
    Ok(exit::OK)
}
