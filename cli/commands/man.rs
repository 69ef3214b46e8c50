//! `forkcheck man [--dir DIR]`: man pages (clap_mangen) from the argument definitions: forkcheck.1
//! on standard output, or forkcheck.1 and forkcheck-<command>.1 for every command into DIR.

use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory;

use crate::args::{Cli, ManArgs};
use crate::output::{self, Existing};

pub fn run(args: &ManArgs) -> anyhow::Result<u8> {
    let cmd = Cli::command();
    match &args.dir {
        None => output::write_stdout(&page(cmd, "forkcheck")?)?,
        Some(dir) => write_all(dir, cmd)?,
    }
    Ok(forkcheck_analyzers::error::exit::OK)
}

/// One command's page (`title`: its `.TH` name).
fn page(cmd: clap::Command, title: &str) -> anyhow::Result<String> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .title(title)
        .render(&mut out)
        .context("cannot render the man page")?;
    String::from_utf8(out).context("internal error: the man page is not UTF-8")
}

/// forkcheck.1 and a page per subcommand (named `forkcheck-<sub>.1`, as git's are).
fn write_all(dir: &Path, mut cmd: clap::Command) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::failure::Failure::new(
            forkcheck_analyzers::error::exit::IO,
            format!("cannot create `{}`: {e}", dir.display()),
        )
        .help("pass `--dir` a directory you can write to, or omit it to print forkcheck.1")
    })?;
    cmd.build();
    let mut pages = vec![("forkcheck.1".to_string(), page(cmd.clone(), "forkcheck")?)];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("forkcheck-{}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone())
            .version(env!("CARGO_PKG_VERSION"));
        pages.push((format!("{name}.1"), page(sub, &name)?));
    }
    for (file, text) in &pages {
        output::write_file(&dir.join(file), text, Existing::Replace)?;
    }
    Ok(())
}
