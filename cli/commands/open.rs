//! From command-line arguments to the library's analysis context.

use anyhow::Context as _;
use forkcheck_analyzers::{Context, OpenOptions};

use crate::args::RepoArgs;

pub fn options(args: &RepoArgs) -> OpenOptions {
    let mut opts = OpenOptions::new(&args.repo);
    opts.config_path = args.config.clone();
    opts.base = args.base.clone();
    opts.head = Some(args.head.clone());
    opts.to = args.to.clone();
    opts.allow_shallow = args.allow_shallow;
    opts
}

/// Open the repository and resolve base, head and target.
pub fn context(args: &RepoArgs) -> anyhow::Result<Context> {
    Context::open(&options(args))
        .with_context(|| format!("cannot analyse `{}`", args.repo.display()))
}
