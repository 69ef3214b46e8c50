//! `forkcheck baseline`: analyse the fork and write its findings (with fingerprints), drift
//! totals and rebase estimate as a baseline file for `forkcheck check --baseline`.

use forkcheck_analyzers::check::Baseline;
use forkcheck_analyzers::error::exit;

use super::{open, report};
use crate::args::BaselineArgs;
use crate::output;
use crate::render::json;

pub fn run(args: &BaselineArgs) -> anyhow::Result<u8> {
    output::check(Some(&args.output))?;
    let ctx = open::context(&args.repo)?;
    let analysis = report::analyse(&ctx, args.repo.quiet)?;
    let text = json::pretty(&Baseline::of(&analysis))?;
    output::emit(Some(&args.output), &text)?;
    if !args.repo.quiet && !output::is_stdout(Some(&args.output)) {
        eprintln!(
            "forkcheck: wrote {} finding{} to `{}`; compare with `forkcheck check --baseline {}`",
            analysis.findings.len(),
            if analysis.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            args.output.display(),
            args.output.display()
        );
    }
    Ok(exit::OK)
}
