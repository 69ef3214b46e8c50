//! From command-line arguments (and the one environment variable forkcheck reads,
//! `FORKCHECK_ONLY`) to the library's analysis context. The library itself reads no
//! environment.

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::{Analysis, Context, OpenOptions};

use crate::args::RepoArgs;
use crate::failure::Failure;

/// A comma-separated list of analyses to run (`drift,themes`); unset or empty: all. Meant for
/// measuring one analysis at a time (`scripts/bench.sh`).
pub const ONLY_ENV: &str = "FORKCHECK_ONLY";

/// The analyses `FORKCHECK_ONLY` selects (`None`: unset or empty, so all of them).
pub fn only_from_env() -> Result<Option<Vec<Analysis>>, Failure> {
    let Some(value) = std::env::var_os(ONLY_ENV) else {
        return Ok(None);
    };
    let names: Vec<&str> = Analysis::ALL.iter().map(|a| a.as_str()).collect();
    let help = format!(
        "set {ONLY_ENV} to a comma-separated list of {}, or unset it to run every analysis",
        names.join(", ")
    );
    let Some(list) = value.to_str() else {
        return Err(Failure::new(exit::USAGE, format!("{ONLY_ENV} is not valid UTF-8")).help(help));
    };
    if list.trim().is_empty() {
        return Ok(None);
    }
    Analysis::parse_list(list)
        .map(Some)
        .map_err(|message| Failure::new(exit::USAGE, format!("{ONLY_ENV}: {message}")).help(help))
}

/// The library's options for `args` (every analysis; commands narrow `only` themselves).
pub fn options(args: &RepoArgs) -> OpenOptions {
    let mut opts = OpenOptions::new(&args.repo);
    opts.config_path = args.config.clone();
    opts.base = args.base.clone();
    opts.head = Some(args.head.clone());
    opts.to = args.to.clone();
    opts.allow_shallow = args.allow_shallow;
    opts
}

/// Open the repository with `opts` and resolve base, head and target.
pub fn open(opts: &OpenOptions) -> anyhow::Result<Context> {
    Context::open(opts).with_context(|| format!("cannot analyse `{}`", opts.repo.display()))
}

/// Open the repository for `args` and resolve base, head and target; the analyses to run are
/// those `FORKCHECK_ONLY` selects (all when it is unset).
pub fn context(args: &RepoArgs) -> anyhow::Result<Context> {
    let mut opts = options(args);
    opts.only = only_from_env()?;
    open(&opts)
}
