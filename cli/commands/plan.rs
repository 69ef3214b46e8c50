//! `forkcheck plan --to RELEASE`: the upgrade hop by hop, with each hop's cost and what it
//! brings, and the cost of jumping straight to the target.

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::{Analysis, NoProgress, Progress};

use super::open;
use crate::args::{PlanArgs, PlanPageFormat as PlanFormat};
use crate::failure::Failure;
use crate::output;
use crate::progress::Bars;
use crate::render::plan as render;

pub fn run(args: &PlanArgs) -> anyhow::Result<u8> {
    output::check(args.output.as_deref())?;
    // The plan replays the fork hop by hop itself, and runs the configuration and theme
    // analyses per hop; it reads the fork's commits (the rebase's input) once.
    let mut opts = open::options(&args.repo);
    opts.only = Some(vec![
        Analysis::Config,
        Analysis::Settings,
        Analysis::Themes,
        Analysis::Rebase,
        Analysis::Migrations,
        Analysis::Dependencies,
        Analysis::Deprecations,
    ]);
    let ctx = open::open(&opts)?;
    if ctx.target_oid.is_none() {
        return Err(no_target(&ctx).into());
    }
    let bars = Bars::new(args.repo.quiet);
    let progress: &dyn Progress = match &bars {
        Some(b) => b,
        None => &NoProgress,
    };
    let plan = forkcheck_analyzers::plan::plan(&ctx, progress)
        .with_context(|| format!("cannot plan the upgrade of `{}`", args.repo.repo.display()))?;
    drop(bars);
    let Some(plan) = plan else {
        return Err(no_target(&ctx).into());
    };
    let text = match args.format {
        PlanFormat::Json => render::json(&plan)?,
        PlanFormat::Markdown => render::markdown(&plan),
        PlanFormat::Html => render::html(&plan)?,
        PlanFormat::Terminal => render::terminal(&plan, &output::style(args.output.as_deref())),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(exit::OK)
}

/// No `--to`, and no release after the base: nothing to plan an upgrade to.
fn no_target(ctx: &forkcheck_analyzers::Context) -> Failure {
    let base = ctx.base.release.as_deref().unwrap_or(&ctx.base.rev);
    Failure::new(
        exit::NO_TARGET,
        format!(
            "nothing to plan: no release after the base `{base}` was found, and `--to` was not given"
        ),
    )
    .help(
        "name the release to upgrade to with `--to RELEASE` (`forkcheck releases` lists the \
         releases found); if upstream has a newer release, fetch its tags first: \
         `git fetch upstream --tags`",
    )
}
