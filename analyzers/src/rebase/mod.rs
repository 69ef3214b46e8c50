//! Rebase cost: conflict prediction (the fork's head merged onto the target in memory),
//! per-commit replay, already-upstream detection (stable patch-ids and content equality) and
//! the cost estimate. Nothing here writes to the repository.
//!
//! The merge ancestor is git's merge base of the head and the target. A squashed fork shares no
//! history with upstream: the detected base release stands in for the ancestor
//! (`ancestor_method = "detected-base"`), as `git merge-tree --merge-base=<base>` would do.

pub mod blame;
pub mod calibrate;
pub mod cherry;
pub mod conflicts;
pub mod diff3;
pub mod findings;
pub mod hop;
pub mod model;
pub mod net;
pub mod overlap;
pub mod patchid;
pub mod replay;
pub mod store;
pub mod tree;

pub use model::*;

use git2::Oid;

use crate::cost::{finding_weight, CostModel, HoursRange, Weight};
use crate::model::{Finding, Kind, RuleId};
use crate::{Context, Progress, Result};
use calibrate::{Calibration, Group};
use hop::{run_hop, ForkSide, HopInput, HopOutput};
use overlap::{Overlaps, Proximity, Touch};
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
    let prepared = prepare(ctx, progress, commits)?;
    prepared
        .map(|p| p.finish(ctx, findings, drift_lines))
        .transpose()
}

/// The rebase's git work (the replay, the merge prediction, the calibration from past
/// upgrades), which needs no other analysis' findings: it can run beside them.
pub struct Prepared {
    model: CostModel,
    out: HopOutput,
    overlaps: Overlaps,
    calibration: Calibration,
    target: Oid,
    anc: Oid,
    method: &'static str,
}

/// The first half of [`analyze_commits`]; `None` without a target.
pub fn prepare(
    ctx: &Context,
    progress: &dyn Progress,
    commits: Vec<ForkCommit>,
) -> Result<Option<Prepared>> {
    let Some(target) = ctx.target_oid else {
        return Ok(None);
    };
    progress.stage("rebase", None);
    let model = CostModel::load(&ctx.config)?;
    let (anc, method) = ancestor(ctx, target)?;
    let calibration = calibration(ctx)?;
    let touches = Touch::of(&commits, &calibration.merges());
    let input = HopInput {
        from: anc,
        to: target,
        fork: ForkSide::Git(ctx.head),
        commits,
        hide: vec![ctx.head],
        dev: dev_branch(ctx),
    };
    let out = run_hop(&ctx.repo, input, Store::default())?;
    let overlaps = find_overlaps(&ctx.repo, &out, &touches)?;
    progress.finish_stage();
    Ok(Some(Prepared {
        model,
        out,
        overlaps,
        calibration,
        target,
        anc,
        method,
    }))
}

impl Prepared {
    /// The second half of [`analyze_commits`]: the costs, which count the breaks among the
    /// other analyses' `findings`, and the rebase's own findings.
    pub fn finish(
        self,
        ctx: &Context,
        findings: &mut Vec<Finding>,
        drift_lines: u64,
    ) -> Result<RebaseSection> {
        let target_name = ctx
            .target
            .as_ref()
            .map(|t| t.release.clone().unwrap_or_else(|| t.rev.clone()))
            .unwrap_or_else(|| "the target".into());
        let section = build_section(
            &self.out,
            &self.model,
            findings,
            drift_lines,
            [ctx.head, self.target, self.anc],
            self.method,
            self.overlaps,
            self.calibration,
        );
        findings.extend(findings::rebase_findings(
            &ctx.rules,
            &section,
            &target_name,
        )?);
        Ok(section)
    }
}

/// The semantic overlaps of a hop's merge prediction (FC606) and the features they form.
pub fn find_overlaps(
    repo: &crate::repo::Repo,
    out: &HopOutput,
    touches: &[Touch],
) -> Result<Overlaps> {
    overlap::find(
        repo,
        &out.store,
        &out.history,
        &out.prediction.clean,
        &out.prediction.conflicts,
        touches,
    )
}

/// The fork's past upgrades (merges of upstream releases or snapshots) and the factors they
/// give the cost model.
pub fn calibration(ctx: &Context) -> Result<Calibration> {
    // Refs come best first (final tags before branches): the first name of a commit wins.
    let mut releases: std::collections::HashMap<Oid, String> = Default::default();
    for r in &ctx.releases.refs {
        releases.entry(r.oid).or_insert_with(|| r.rev.clone());
    }
    // Snapshots: commits of upstream's development branch (release branches are release refs
    // already). One tip keeps the reachability checks to one walk per merge.
    let tips: Vec<Oid> = dev_branch(ctx).map(|(_, oid)| oid).into_iter().collect();
    let upstream_refs = format!("refs/remotes/{}/*", ctx.config.upstream.remote);
    calibrate::calibrate(&ctx.repo, ctx.head, &releases, &tips, &upstream_refs)
}

/// Assemble the section of one hop with its costs. `others`: the other analyses' findings
/// (stale overrides, settings risks, generated-config edits, secrets, core-template edits)
/// that add to the cost; `overlaps` and `calibration` as [`find_overlaps`] and
/// [`calibration`] give them. `_drift_lines` is no longer costed: the per-release estimate
/// follows what needs a human (on a real fork with a vendored import, lines of drift made
/// most of the hours while nobody re-works them; see docs/cost-model.md).
#[allow(clippy::too_many_arguments)]
pub fn build_section(
    out: &HopOutput,
    model: &CostModel,
    others: &[Finding],
    _drift_lines: u64,
    [head, target, anc]: [Oid; 3],
    method: &str,
    overlaps: Overlaps,
    calibration: Calibration,
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
            cost: calibration.adjust(cost, Group::Conflict),
            reason,
        });
    }
    for o in &overlaps.items {
        file_costs.push(FileCost {
            path: o.path.clone(),
            cost: calibration.adjust(model.of(overlap_weight(o.proximity), 1), Group::Overlap),
            reason: format!(
                "changed on both sides, merges cleanly ({}): review and re-test",
                o.proximity.as_str()
            ),
        });
    }
    let mut config_files = std::collections::BTreeSet::new();
    for f in others {
        if let Some(w) = finding_weight(f) {
            if w == Weight::PerGeneratedConfigEdit && !config_files.insert(f.path.as_str()) {
                continue;
            }
            file_costs.push(FileCost {
                path: f.path.clone(),
                cost: model.of(w, 1),
                reason: format!("{} ({})", f.name, f.rule),
            });
        }
    }
    let cost_split = split(model, &commits, out, &overlaps, others, &calibration);
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
        overlaps: overlaps.items,
        features: overlaps.features,
        commits,
        file_costs,
        cost: cost_split.per_release,
        cost_split,
        calibration,
    }
}

/// The weight of a semantic overlap.
pub fn overlap_weight(p: Proximity) -> Weight {
    match p {
        Proximity::SameFunction => Weight::PerOverlapSameFunction,
        Proximity::Near => Weight::PerOverlapNear,
        Proximity::Elsewhere => Weight::PerCleanMergeFile,
    }
}

/// The per-release items of what breaks at the target beyond the diff (the summary adds them up
/// as one contributor, "breaks to fix").
pub const BREAK_ITEMS: &[(&str, Weight)] = &[
    ("migration problems", Weight::PerMigrationProblem),
    ("dependency conflicts", Weight::PerDependencyConflict),
    ("removed API uses", Weight::PerRemovedApiUse),
];

/// Per-release and one-time costs, each as its items, largest first.
fn split(
    model: &CostModel,
    commits: &[CommitReplay],
    out: &HopOutput,
    overlaps: &Overlaps,
    others: &[Finding],
    cal: &Calibration,
) -> CostSplit {
    let mut per = Vec::new();
    // A calibrated group's weights are scaled and narrowed by the fork's past upgrades.
    let item = |items: &mut Vec<CostItem>, what: &str, w: Weight, n: usize, g: Option<Group>| {
        if n > 0 {
            let cost = model.of(w, n);
            items.push(CostItem {
                what: what.into(),
                weight: w.as_str().into(),
                count: n,
                cost: g.map_or(cost, |g| cal.adjust(cost, g)),
            });
        }
    };
    let fork_conflicts: Vec<&FileConflict> = out
        .prediction
        .conflicts
        .iter()
        .filter(|c| c.fork_changed)
        .collect();
    let deleted = |c: &&&FileConflict| {
        c.kind == ConflictKind::ModifyDelete && c.deleted_by == Some(MergeSide::Upstream)
    };
    let content: Vec<&&FileConflict> = fork_conflicts.iter().filter(|c| !deleted(c)).collect();
    let hunks: usize = content.iter().map(|c| c.hunks.len().max(1)).sum();
    item(
        &mut per,
        "conflicted files",
        Weight::PerConflictedFile,
        content.len(),
        Some(Group::Conflict),
    );
    item(
        &mut per,
        "conflict hunks",
        Weight::PerConflictHunk,
        hunks,
        Some(Group::Conflict),
    );
    let gone = fork_conflicts.iter().filter(|c| deleted(c)).count();
    item(
        &mut per,
        "fork edits to files the target deleted",
        Weight::PerTargetDeletedCommit,
        gone,
        None,
    );
    for (p, what) in [
        (
            Proximity::SameFunction,
            "semantic overlaps in the same function",
        ),
        (Proximity::Near, "semantic overlaps near upstream's change"),
        (
            Proximity::Elsewhere,
            "semantic overlaps elsewhere in the file",
        ),
    ] {
        let n = overlaps.items.iter().filter(|o| o.proximity == p).count();
        item(&mut per, what, overlap_weight(p), n, Some(Group::Overlap));
    }
    let count_rule = |ids: &[RuleId]| {
        others
            .iter()
            .filter(|f| f.rule_id().is_some_and(|r| ids.contains(&r)))
            .count()
    };
    item(
        &mut per,
        "stale theme or template overrides",
        Weight::PerStaleOverride,
        count_rule(&[RuleId::FC403, RuleId::FC404]),
        None,
    );
    item(
        &mut per,
        "orphaned overrides",
        Weight::PerOrphanedOverride,
        count_rule(&[RuleId::FC405]),
        None,
    );
    let settings = others
        .iter()
        .filter(|f| finding_weight(f) == Some(Weight::PerSettingsRisk))
        .count();
    item(
        &mut per,
        "settings risks",
        Weight::PerSettingsRisk,
        settings,
        None,
    );
    // What breaks at the target beyond the diff (FC8xx, FC9xx, FC0xx): fixed at every upgrade
    // whose release breaks them, so per release.
    for (what, w) in BREAK_ITEMS {
        let n = others
            .iter()
            .filter(|f| finding_weight(f) == Some(*w))
            .count();
        item(&mut per, what, *w, n, None);
    }
    let distinct = |kind: Kind| {
        others
            .iter()
            // A committed config file whose keys all repeat the defaults costs nothing.
            .filter(|f| {
                f.kind == kind && (kind != Kind::GeneratedConfig || finding_weight(f).is_some())
            })
            .map(|f| f.path.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let config_files = distinct(Kind::GeneratedConfig);
    item(
        &mut per,
        "committed generated-config files",
        Weight::PerGeneratedConfigEdit,
        config_files,
        None,
    );
    let clean = commits
        .iter()
        .filter(|c| c.outcome == Outcome::Clean)
        .count();
    item(
        &mut per,
        "clean commits to re-test",
        Weight::PerCleanCommit,
        clean,
        None,
    );
    let mut once = Vec::new();
    item(
        &mut once,
        "committed config files to move to configuration management",
        Weight::PerConfigMove,
        config_files,
        None,
    );
    let secrets = others.iter().filter(|f| f.kind == Kind::Secret).count();
    item(
        &mut once,
        "committed secrets to rotate",
        Weight::PerSecretRotation,
        secrets,
        None,
    );
    item(
        &mut once,
        "core template edits to move into the theme",
        Weight::PerTemplateMove,
        distinct(Kind::CoreTemplate),
        None,
    );
    item(
        &mut once,
        "settings-module edits to move to configuration",
        Weight::PerSettingsMove,
        count_rule(&[RuleId::FC301]),
        None,
    );
    let upstream = commits.iter().filter(|c| c.upstream.is_some()).count();
    item(
        &mut once,
        "commits already upstream to drop",
        Weight::PerEmptyCommit,
        upstream,
        None,
    );
    let order = |a: &CostItem, b: &CostItem| {
        b.cost
            .high
            .total_cmp(&a.cost.high)
            .then(b.cost.low.total_cmp(&a.cost.low))
            .then(a.what.cmp(&b.what))
    };
    per.sort_by(order);
    once.sort_by(order);
    CostSplit {
        per_release: per.iter().map(|i| i.cost).sum(),
        per_release_items: per,
        one_time: once.iter().map(|i| i.cost).sum(),
        one_time_items: once,
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
    if c.cancelled_by.is_some() {
        // Dropped together with the commit it cancels.
        return HoursRange::ZERO;
    }
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
