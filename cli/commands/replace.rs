//! `forkcheck replace`: the configuration-management files that replace the fork's settings and
//! generated-config edits (a Tutor plugin, an Ansible vars file, YAML snippets), from the
//! structured replacements the analyzers attach to findings (`data.replacement`).

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::replace::output::Format;
use forkcheck_analyzers::{Analysis, NoProgress};

use super::open;
use crate::args::{ReplaceArgs, ReplaceFormat};
use crate::failure::Failure;
use crate::render::replace as render;

pub fn run(args: &ReplaceArgs) -> anyhow::Result<u8> {
    if args.name.is_empty()
        || !args
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(Failure::new(
            exit::USAGE,
            format!("`{}` is not a valid Tutor plugin name", args.name),
        )
        .help(
            "pass `--name NAME` with lower case letters, digits, `-` and `_` only (it is also the \
             plugin's file name, NAME.yml)",
        )
        .into());
    }
    crate::output::check_dir(args.output.as_deref())?;
    let mut opts = open::options(&args.repo);
    opts.only = Some(vec![Analysis::Config, Analysis::Settings]);
    let ctx = open::open(&opts)?;
    let report = forkcheck_analyzers::run(&ctx, &NoProgress)
        .with_context(|| format!("cannot analyse `{}`", args.repo.repo.display()))?;
    let specs = forkcheck_analyzers::replace::specs(&report);
    let format = match args.format {
        ReplaceFormat::TutorPlugin => Format::TutorPlugin,
        ReplaceFormat::Ansible => Format::Ansible,
        ReplaceFormat::Yaml => Format::Yaml,
    };
    let files = render::files(&report, &specs, format, &args.name);
    if !args.repo.quiet {
        eprintln!("{}", render::summary(specs.len(), report.findings.len()));
    }
    match args.output.as_deref() {
        Some(dir) if !crate::output::is_stdout(Some(dir)) => {
            crate::output::write_dir(dir, &files)?;
        }
        _ => crate::output::write_stdout(&render::stdout(&files))?,
    }
    Ok(exit::OK)
}
