//! `forkcheck triage`: every fork commit classified, ranked by the rebase effort it saves.

use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::Analysis;

use super::open;
use super::report::analyse;
use crate::args::{PlanFormat, TriageArgs};
use crate::failure::Failure;
use crate::output;
use crate::render::triage as render;

pub fn run(args: &TriageArgs) -> anyhow::Result<u8> {
    output::check(args.output.as_deref())?;
    let mut opts = open::options(&args.repo);
    // Triage weighs every commit with the other analyses' findings and the rebase's replay: it
    // runs those (not the drift, whose trend it does not show), unless `FORKCHECK_ONLY` narrows
    // the run, which must then keep the triage itself.
    opts.only = Some(open::only_from_env()?.unwrap_or_else(|| {
        vec![
            Analysis::Config,
            Analysis::Settings,
            Analysis::Themes,
            Analysis::Rebase,
            Analysis::Triage,
        ]
    }));
    if opts
        .only
        .as_ref()
        .is_some_and(|only| !only.contains(&Analysis::Triage))
    {
        return Err(triage_left_out().into());
    }
    let ctx = open::open(&opts)?;
    let report = analyse(&ctx, args.repo.quiet)?;
    let Some(triage) = &report.triage else {
        return Err(triage_left_out().into());
    };
    let text = match args.format {
        PlanFormat::Json => render::json(triage)?,
        PlanFormat::Markdown => render::markdown(triage)?,
        PlanFormat::Terminal => render::terminal(triage, &output::style(args.output.as_deref())),
    };
    output::emit(args.output.as_deref(), &text)?;
    Ok(exit::OK)
}

fn triage_left_out() -> Failure {
    Failure::new(
        exit::USAGE,
        format!(
            "nothing to show: {} leaves out the triage analysis",
            open::ONLY_ENV
        ),
    )
    .help(format!(
        "add `triage` to {0} (e.g. `{0}=drift,rebase,triage`), or unset it to run every analysis",
        open::ONLY_ENV
    ))
}
