//! `forkcheck releases`: the release refs found, the detected base and the target.

use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::releases;

use super::open;
use crate::args::{ListFormat, ReleasesArgs};
use crate::output;
use crate::render::releases::{self as render, Listing};
use crate::render::style::Style;

pub fn run(args: &ReleasesArgs) -> anyhow::Result<u8> {
    let ctx = open::context(&args.repo)?;
    let list = releases::group(&ctx.releases);
    // Discovery warnings are already in the list; keep only the others.
    let others: Vec<String> = ctx
        .warnings
        .iter()
        .filter(|w| !list.warnings.contains(w))
        .cloned()
        .collect();
    let listing = Listing {
        schema_version: forkcheck_analyzers::report::SCHEMA_VERSION,
        list,
        base: &ctx.base,
        target: ctx.target.as_ref(),
        context_warnings: &others,
    };
    let text = match args.format {
        ListFormat::Json => render::json(&listing)?,
        ListFormat::Terminal => render::terminal(&listing, &Style::detect()),
    };
    output::write_stdout(&text)?;
    Ok(exit::OK)
}
