//! `forkcheck report`: analyse, render in the chosen format, write, and turn findings at or
//! above `--fail-on` into exit code 1.

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::rules::Rules;
use forkcheck_analyzers::{Context, NoProgress, Progress, Report};

use super::open;
use crate::args::{FailOn, OutputArgs, ReportArgs, Target};
use crate::failure::Failure;
use crate::output;
use crate::progress::Bars;
use crate::render;

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    check_outputs(&args.out)?;
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

/// The outputs `out` asks for; fails early (before any analysis) on a usage mistake or a path
/// `-o` refuses.
pub fn check_outputs(out: &OutputArgs) -> anyhow::Result<Vec<Target>> {
    let targets = out.targets().map_err(|message| {
        Failure::new(exit::USAGE, message).help(
            "e.g. `--sarif out.sarif --markdown out.md`, or `-f json -o a.json -f html -o a.html`",
        )
    })?;
    for t in &targets {
        output::check(t.path.as_deref())?;
    }
    Ok(targets)
}

/// Render and write the report in every format asked for, from this one analysis (`-o -`:
/// standard output; each file is written whole or not at all). Every format is rendered
/// before any file is written.
pub fn emit(report: &Report, rules: &Rules, out: &OutputArgs) -> anyhow::Result<()> {
    let targets = check_outputs(out)?;
    let mut texts = Vec::with_capacity(targets.len());
    for t in &targets {
        let dest = t.path.as_deref();
        texts.push(render::render(
            report,
            t.format,
            rules,
            &output::style(dest),
        )?);
    }
    for (t, text) in targets.iter().zip(&texts) {
        output::emit(t.path.as_deref(), text)?;
    }
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
