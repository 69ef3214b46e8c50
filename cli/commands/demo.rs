//! `forkcheck demo`: generate the synthetic `typical` fork (forkcheck-fixtures) in a temporary
//! directory, or in `--keep DIR`, and report on it.

use forkcheck_analyzers::error::exit;
use forkcheck_fixtures::{generate, Scale, Scenario};

use super::open;
use super::report;
use crate::args::{DemoArgs, RepoArgs};
use crate::failure::Failure;

pub fn run(args: &DemoArgs) -> anyhow::Result<u8> {
    report::check_outputs(&args.out)?;
    // The temporary directory lives until the report is written, then is deleted.
    let temp;
    let root = match &args.keep {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new()
                .prefix("forkcheck-demo-")
                .tempdir()
                .map_err(|e| {
                    Failure::new(exit::IO, "cannot create a temporary directory for the demo")
                        .caused_by(e)
                        .help(
                            "point TMPDIR at a writable directory with room, or generate the demo \
                             in a directory of your choice with `--keep DIR`",
                        )
                })?;
            temp.path().to_path_buf()
        }
    };
    if !args.quiet {
        eprintln!(
            "generating the demo fork (an edx-platform-shaped upstream with releases palm … \
             ulmo, and a fork based on redwood) in `{}`",
            root.display()
        );
    }
    let generated = generate(Scenario::Typical, Scale::Small, &root).map_err(|e| {
        let failure = Failure::new(
            exit::IO,
            format!(
                "cannot generate the demo repositories in `{}`: {e}",
                root.display()
            ),
        );
        if args.keep.is_some() {
            failure.help("`--keep DIR` must name an empty or absent directory")
        } else {
            failure
        }
    })?;
    let repo_args = RepoArgs {
        repo: generated.fork.clone(),
        config: None,
        base: None,
        head: "HEAD".into(),
        to: None,
        allow_shallow: false,
        quiet: args.quiet,
    };
    let ctx = open::context(&repo_args)?;
    let analysis = report::analyse(&ctx, args.quiet)?;
    report::emit(&analysis, &ctx.rules, &args.out)?;
    if args.keep.is_some() && !args.quiet {
        eprintln!(
            "kept the demo repositories: try `forkcheck releases --repo {}`",
            generated.fork.display()
        );
    }
    Ok(exit::OK)
}
