//! `forkcheck init`: write the commented default forkcheck.toml, never over an existing file
//! unless `--force`.

use forkcheck_analyzers::config::Config;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::Error;

use crate::args::InitArgs;
use crate::failure::Failure;
use crate::output;

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    let path = &args.output;
    match output::write_file(path, Config::commented_default(), args.force) {
        Ok(()) => {
            eprintln!("wrote `{}`", path.display());
            Ok(exit::OK)
        }
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => Err(
            Failure::new(exit::IO, format!("`{}` already exists", path.display()))
                .help("pass `--force` to replace it, or `-o FILE` to write elsewhere")
                .into(),
        ),
        Err(e) => Err(e.into()),
    }
}
