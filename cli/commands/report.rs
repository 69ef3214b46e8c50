//! `forkcheck report`: analyse, render in the chosen format, write, and turn findings at or
//! above `--fail-on` into exit code 1.

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::rules::Rules;
use forkcheck_analyzers::{Context, NoProgress, Progress, Report};

use super::open;
use crate::args::{FailOn, OutputArgs, ReportArgs};
use crate::output;
use crate::progress::Bars;
use crate::render;

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    output::check(args.out.output.as_deref())?;
    let ctx = open::context(&args.repo)?;
    let report = analyse(&ctx, args.repo.quiet)?;
    emit(&report, &ctx.rules, &args.out)?;
    Ok(exit_code(&report, args.fail_on, args.repo.quiet))
}

/// Run every analysis, with progress bars when wanted.
pub fn analyse(ctx: &Context, quiet: bool) -> anyhow::Result<Report> {
    let bars = Bars::new(quiet);
    let progress: &dyn Progress = match &bars {
        Some(b) => b,
        None => &NoProgress,
    };
    forkcheck_analyzers::run(ctx, progress)
        .with_context(|| format!("cannot analyse `{}`", ctx.repo.given_path().display()))
}

/// Render and write the report (`-o -`: standard output; a file is written whole or not at
/// all).
pub fn emit(report: &Report, rules: &Rules, out: &OutputArgs) -> anyhow::Result<()> {
    let dest = out.output.as_deref();
    let text = render::render(report, out.format, rules, &output::style(dest))?;
    output::emit(dest, &text)?;
    Ok(())
}

/// 1 when a finding is at or above `fail_on`, else 0; says why on standard error.
pub fn exit_code(report: &Report, fail_on: FailOn, quiet: bool) -> u8 {
    let (Some(threshold), Some(max)) = (fail_on.threshold(), report.max_severity()) else {
        return exit::OK;
    };
    if max < threshold {
        return exit::OK;
    }
    if !quiet {
        let n = report
            .findings
            .iter()
            .filter(|f| f.severity >= threshold)
            .count();
        eprintln!(
            "forkcheck: {n} finding{} at or above `{}` (exit code 1; change with `--fail-on`)",
            if n == 1 { "" } else { "s" },
            threshold.as_str()
        );
    }
    exit::FINDINGS
}
