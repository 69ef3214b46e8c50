//! forkcheck's analysis library: git access, the release catalog and base detection, one module
//! per analysis, and the report model. Data flows one way:
//! git ([`repo`]) → base detection ([`releases`]) → analyzers → [`report`] → renderers (in the
//! binary). Nothing in this crate prints. Module layers: [`model`] (findings, rule ids) at the
//! bottom imports none of the others; [`rules`] imports only the model; the analyses import
//! both; [`report`] assembles the analyses' sections.

pub(crate) mod changes;
pub mod check;
pub mod config;
pub mod context;
pub mod cost;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod listing;
pub mod model;
mod objects;
pub mod progress;
pub mod releases;
pub mod repo;
pub mod report;
pub mod rules;
pub(crate) mod secrets;
mod tree_objects;
pub mod trees;

pub mod breaks;
pub mod drift;
pub(crate) mod genconfig;
pub mod plan;
pub mod rebase;
pub mod replace;
pub(crate) mod settings;
pub mod themes;
pub mod triage;

pub use context::{Analysis, Context, OpenOptions};
pub use error::{Error, Result};
pub use progress::{NoProgress, Progress};
pub use report::Report;

/// Run every analysis of the run (`ctx.only`, or all) on `ctx` and assemble the report.
pub fn run(ctx: &Context, progress: &dyn Progress) -> Result<Report> {
    let all: Vec<Analysis> = Analysis::ALL
        .into_iter()
        .filter(|a| ctx.wants(*a))
        .collect();
    run_selected(ctx, &all, progress)
}

/// Run exactly the analyses in `selected` on `ctx` (whatever `ctx.only` says), reading the
/// context's change set: `plan` runs the configuration analyses on its own context this way.
pub fn run_selected(
    ctx: &Context,
    selected: &[Analysis],
    progress: &dyn Progress,
) -> Result<Report> {
    // The fork's history (its commit messages, scanned for secrets; the number of commits
    // since an explicit base) is read on a thread of its own, with its own repository handle,
    // while the analyses run.
    let need_distance =
        ctx.base.method == model::BaseMethod::Explicit && ctx.base.distance.is_none();
    let handle = ctx.repo.handle();
    let (base_oid, head, collector) = (ctx.base_oid, ctx.head, &ctx.secrets);
    std::thread::scope(|scope| {
        let history = scope.spawn(move || -> Result<Option<u64>> {
            let repo = handle.open()?;
            // Commit messages reach the report (subjects in the rebase and triage sections):
            // a `SECRET_KEY=…` written in one is hidden like any other secret.
            // One walk of the fork's commits serves both.
            let fork = repo.reachable_excluding(head, base_oid)?;
            secrets::collect_commit_messages(&repo, &fork, collector)?;
            if need_distance {
                releases::base::fork_distance(&repo, base_oid, head, &fork)
            } else {
                Ok(None)
            }
        });
        let history = move || {
            history.join().unwrap_or_else(|_| {
                Err(Error::Other(
                    "internal error: reading the fork's history failed".into(),
                ))
            })
        };
        run_with_history(ctx, selected, progress, need_distance, history)
    })
}

/// The analyses [`run_with_history`] runs on a thread of their own.
const SIDE: [Analysis; 6] = [
    Analysis::Config,
    Analysis::Settings,
    Analysis::Themes,
    Analysis::Migrations,
    Analysis::Dependencies,
    Analysis::Deprecations,
];

/// What the [`SIDE`] analyses found.
#[derive(Default)]
struct Side {
    config: Option<genconfig::ConfigSection>,
    settings: Option<settings::SettingsSection>,
    themes: Option<themes::ThemesSection>,
    breaks: breaks::Breaks,
    findings: Vec<model::Finding>,
}

/// Run the [`SIDE`] analyses `selected` asks for, in report order.
fn side_analyses(ctx: &Context, selected: &[Analysis], progress: &dyn Progress) -> Result<Side> {
    let wants = |a: Analysis| selected.contains(&a);
    let mut findings = Vec::new();
    let config = if wants(Analysis::Config) {
        genconfig::analyze(ctx, progress, &mut findings)?
    } else {
        None
    };
    let settings = if wants(Analysis::Settings) {
        settings::analyze(ctx, progress, &mut findings)?
    } else {
        None
    };
    let themes = if wants(Analysis::Themes) {
        themes::analyze(ctx, progress, &mut findings)?
    } else {
        None
    };
    // What breaks beyond the diff, before the rebase: its cost counts these findings.
    let breaks = breaks::analyze(ctx, selected, progress, &mut findings)?;
    Ok(Side {
        config,
        settings,
        themes,
        breaks,
        findings,
    })
}

/// [`run_selected`]'s analyses; `history` gives the distance (and has scanned the commit
/// messages) once the report is assembled.
fn run_with_history(
    ctx: &Context,
    selected: &[Analysis],
    progress: &dyn Progress,
    need_distance: bool,
    history: impl FnOnce() -> Result<Option<u64>>,
) -> Result<Report> {
    let wants = |a: Analysis| selected.contains(&a);
    let mut findings = Vec::new();
    let drift = if wants(Analysis::Drift) || wants(Analysis::Trend) {
        drift::analyze(ctx, progress, &mut findings, wants(Analysis::Trend))?
    } else {
        drift::Drift::default()
    };
    // Every analysis reads the change set: computed here, before the two threads below.
    ctx.changes()?;
    let (side, rebase, triage) = std::thread::scope(|scope| -> Result<_> {
        // The analyses of the trees (config, settings, themes, what breaks) run on a thread of
        // their own, beside the rebase's replay on this one; the rebase's cost waits for
        // their findings (the breaks).
        let side = if SIDE.iter().any(|a| wants(*a)) {
            let sibling = ctx.sibling()?;
            Some(scope.spawn(move || side_analyses(&sibling, selected, progress)))
        } else {
            None
        };
        // The fork's commits (one tree diff each) are read once for the rebase and the triage.
        let mut fork_commits =
            if wants(Analysis::Triage) || (wants(Analysis::Rebase) && ctx.target_oid.is_some()) {
                rebase::fork_commits(ctx)?
            } else {
                Vec::new()
            };
        let prepared = if wants(Analysis::Rebase) {
            let commits = if wants(Analysis::Triage) {
                fork_commits.clone()
            } else {
                std::mem::take(&mut fork_commits)
            };
            rebase::prepare(ctx, progress, commits)?
        } else {
            None
        };
        let mut side = match side {
            Some(handle) => handle.join().unwrap_or_else(|_| {
                Err(Error::Other(
                    "internal error: the tree analyses' thread failed".into(),
                ))
            })?,
            None => Side::default(),
        };
        findings.append(&mut side.findings);
        let rebase = match prepared {
            Some(p) => {
                let lines = if wants(Analysis::Drift) || wants(Analysis::Trend) {
                    drift.lines_added + drift.lines_removed
                } else {
                    drift::lines(ctx)?
                };
                Some(p.finish(ctx, &mut findings, lines)?)
            }
            None => None,
        };
        let triage = if wants(Analysis::Triage) {
            triage::analyze_commits(ctx, progress, &mut findings, rebase.as_ref(), &fork_commits)?
        } else {
            None
        };
        Ok((side, rebase, triage))
    })?;
    let Side {
        config,
        settings,
        themes,
        breaks,
        ..
    } = side;
    let mut base = ctx.base.clone();
    let distance = history()?;
    if need_distance {
        base.distance = distance;
    }
    if wants(Analysis::Settings) || wants(Analysis::Config) {
        base.era = Some(ctx.deployment()?.1.clone());
    }
    let mut report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::ToolInfo::default(),
        repo: report::RepoInfo {
            path: ctx.repo.given_path().display().to_string(),
            head_rev: ctx.head_rev.clone(),
            head_oid: ctx.head.to_string(),
        },
        base,
        target: ctx.target.clone(),
        summary: None,
        drift,
        findings,
        settings,
        config,
        themes,
        rebase,
        triage,
        breaks,
        check: None,
        warnings: ctx.warnings.clone(),
        secrets: Default::default(),
    };
    report
        .warnings
        .extend(drift::unparsed_warnings(ctx, &report.drift)?);
    if let Some(needed) = ctx.changes()?.rename_limit_needed {
        report.warnings.push(format!(
            "too many deleted and added files for an exhaustive rename search: like `git diff` \
             (diff.renameLimit = {limit}), only exact and same-name renames are paired; git \
             would need diff.renameLimit = {needed} to search every pair",
            limit = changes::diff::RENAME_LIMIT
        ));
    }
    report.sort_findings();
    report.summary = Some(report::summary::summarize(
        &ctx.base.rev,
        ctx.target.as_ref().map(|t| t.rev.as_str()),
        &report.findings,
        report.rebase.as_ref(),
    ));
    report.redact(ctx.secrets.snapshot())
}
