//! Rebase cost: conflict prediction (the fork's head merged onto the target in memory),
//! per-commit replay, already-upstream detection (stable patch-ids and content equality) and
//! the cost estimate. Nothing here writes to the repository.
//!
//! The merge ancestor is git's merge base of the head and the target. A squashed fork shares no
//! history with upstream: the detected base release stands in for the ancestor
//! (`ancestor_method = "detected-base"`), as `git merge-tree --merge-base=<base>` would do.

pub mod blame;
pub mod cherry;
pub mod conflicts;
pub mod diff3;
pub mod findings;
pub mod hop;
pub mod model;
pub mod patchid;
pub mod replay;
pub mod store;
pub mod tree;

pub use model::*;

use git2::Oid;

use crate::cost::{finding_weight, CostModel, HoursRange, Weight};
use crate::model::Finding;
use crate::{Context, Progress, Result};
use hop::{run_hop, ForkSide, HopInput, HopOutput};
use store::{ForkCommit, Store};

/// The merge ancestor of `head` and `target`: git's merge base, or `base` when the histories
/// are unrelated. Returns the ancestor and how it was found.
pub fn ancestor(ctx: &Context, target: Oid) -> Result<(Oid, &'static str)> {
    match ctx.repo.git().merge_base(ctx.head, target) {
        Ok(a) => Ok((a, "merge-base")),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok((ctx.base_oid, "detected-base")),
        Err(e) => Err(crate::repo::git_error("finding the merge base", e)),
    }
}

/// The fork's first-parent commits since the base, as changes (a root commit is compared with
/// the base release), from the run's change set.
pub fn fork_commits(ctx: &Context) -> Result<Vec<ForkCommit>> {
    Ok(ctx
        .changes()?
        .commits(&ctx.repo)?
        .iter()
        .map(|c| ForkCommit {
            oid: c.oid,
            summary: c.summary.clone(),
            author: c.author.clone(),
            merge: c.merge,
            trailers: store::trailers(&c.message),
            message: c.message.clone(),
            changes: crate::changes::split_type_changes(&c.deltas),
        })
        .collect())
}

/// The upstream development branch (`<remote>/master` or `<remote>/main`), when fetched.
pub fn dev_branch(ctx: &Context) -> Option<(String, Oid)> {
    let remote = &ctx.config.upstream.remote;
    ["master", "main"].iter().find_map(|b| {
        let name = format!("refs/remotes/{remote}/{b}");
        ctx.repo
            .git()
            .refname_to_id(&name)
            .ok()
            .map(|oid| (format!("{remote}/{b}"), oid))
    })
}

/// Run the rebase analysis from the fork's head onto the target; `drift_lines` = lines added
/// plus removed between base and head (for the cost model).
pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
    drift_lines: u64,
) -> Result<Option<RebaseSection>> {
    if ctx.target_oid.is_none() {
        return Ok(None);
    }
    analyze_commits(ctx, progress, findings, drift_lines, fork_commits(ctx)?)
}

/// [`analyze`] with the fork's commits already read ([`fork_commits`]; the triage reuses them).
pub fn analyze_commits(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
    drift_lines: u64,
    commits: Vec<ForkCommit>,
) -> Result<Option<RebaseSection>> {
    let Some(target) = ctx.target_oid else {
        return Ok(None);
    };
    progress.stage("rebase", None);
    let model = CostModel::load(&ctx.config)?;
    let (anc, method) = ancestor(ctx, target)?;
    let input = HopInput {
        from: anc,
        to: target,
        fork: ForkSide::Git(ctx.head),
        commits,
        hide: vec![ctx.head],
        dev: dev_branch(ctx),
    };
    let out = run_hop(&ctx.repo, input, Store::default())?;
    let target_name = ctx
        .target
        .as_ref()
        .map(|t| t.release.clone().unwrap_or_else(|| t.rev.clone()))
        .unwrap_or_else(|| "the target".into());
    let section = build_section(
        &out,
        &model,
        findings,
        drift_lines,
        [ctx.head, target, anc],
        method,
    );
    findings.extend(findings::rebase_findings(
        &ctx.rules,
        &section,
        &target_name,
    )?);
    progress.finish_stage();
    Ok(Some(section))
}

/// Assemble the section of one hop with its costs. `others`: the other analyses' findings
/// (stale overrides, settings risks, generated-config edits) that add to the cost.
pub fn build_section(
    out: &HopOutput,
    model: &CostModel,
    others: &[Finding],
    drift_lines: u64,
    [head, target, anc]: [Oid; 3],
    method: &str,
) -> RebaseSection {
    let mut commits = out.commits.clone();
    for c in &mut commits {
        c.cost = commit_cost(model, c);
    }
    let mut file_costs = Vec::new();
    for c in out.prediction.conflicts.iter().filter(|c| c.fork_changed) {
        let (cost, reason) = conflict_cost(model, c);
        file_costs.push(FileCost {
            path: c.path.clone(),
            cost,
            reason,
        });
    }
    for m in out.prediction.clean.iter().filter(|m| !m.identical) {
        file_costs.push(FileCost {
            path: m.path.clone(),
            cost: model.of(Weight::PerCleanMergeFile, 1),
            reason: "changed on both sides, merges cleanly: re-test".into(),
        });
    }
    for f in others {
        if let Some(w) = finding_weight(f) {
            file_costs.push(FileCost {
                path: f.path.clone(),
                cost: model.of(w, 1),
                reason: format!("{} ({})", f.name, f.rule),
            });
        }
    }
    let drift = model
        .weight(Weight::PerKlocDrift)
        .times(drift_lines as f64 / 1000.0);
    let total: HoursRange = commits.iter().map(|c| c.cost).sum::<HoursRange>()
        + out
            .prediction
            .clean
            .iter()
            .filter(|m| !m.identical)
            .map(|_| model.of(Weight::PerCleanMergeFile, 1))
            .sum::<HoursRange>()
        + others
            .iter()
            .filter_map(finding_weight)
            .map(|w| model.of(w, 1))
            .sum::<HoursRange>()
        + drift;
    let count = |o: Outcome| commits.iter().filter(|c| c.outcome == o).count();
    let summary = RebaseSummary {
        commits: commits.len(),
        clean: count(Outcome::Clean),
        conflict: count(Outcome::Conflict),
        target_deleted: count(Outcome::TargetDeleted),
        empty: count(Outcome::Empty),
        already_upstream: commits.iter().filter(|c| c.upstream.is_some()).count(),
        conflicted_files: out.prediction.conflicts.len(),
        conflict_hunks: out.prediction.conflicts.iter().map(|c| c.hunks.len()).sum(),
    };
    RebaseSection {
        head: head.to_string(),
        target: target.to_string(),
        ancestor: anc.to_string(),
        ancestor_method: method.to_string(),
        summary,
        conflicts: out.prediction.conflicts.clone(),
        clean_merges: out.prediction.clean.clone(),
        commits,
        file_costs,
        cost: total,
    }
}

fn conflict_cost(model: &CostModel, c: &FileConflict) -> (HoursRange, String) {
    match c.kind {
        ConflictKind::ModifyDelete if c.deleted_by == Some(MergeSide::Upstream) => (
            model.of(Weight::PerTargetDeletedCommit, 1),
            "edited by the fork, deleted by the target".into(),
        ),
        _ => {
            let hunks = c.hunks.len().max(1);
            (
                model.of(Weight::PerConflictedFile, 1) + model.of(Weight::PerConflictHunk, hunks),
                format!("{} conflict, {hunks} hunk(s)", c.kind.as_str()),
            )
        }
    }
}

/// What replaying one commit costs.
pub fn commit_cost(model: &CostModel, c: &CommitReplay) -> HoursRange {
    let mut cost = match c.outcome {
        Outcome::Clean => model.of(Weight::PerCleanCommit, 1),
        Outcome::Empty => model.of(Weight::PerEmptyCommit, 1),
        Outcome::Conflict | Outcome::TargetDeleted => HoursRange::ZERO,
    };
    for f in &c.conflicts {
        cost += conflict_cost(model, f).0;
    }
    if !c.target_deleted.is_empty() {
        cost += model.of(Weight::PerTargetDeletedCommit, 1);
    }
    cost
}
