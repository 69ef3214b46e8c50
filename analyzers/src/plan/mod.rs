//! `forkcheck plan`: the upgrade from the base release to a later one, hop by hop (redwood →
//! sumac → teak), each hop re-running conflict prediction, replay and already-upstream matching
//! from the previous release to the next. The fork's changes are carried across hops in memory:
//! each hop's replay yields the commits rebased onto its release (as path changes whose merged
//! blobs live in an in-memory store) and the fork's resulting file versions, which are the
//! next hop's fork side. Nothing is written to the repository. The cost of jumping straight to
//! the target is computed the same way, for comparison.

use serde::{Deserialize, Serialize};

use crate::context::{Analysis, Context};
use crate::cost::{CostModel, HoursRange};
use crate::model::{Finding, Kind};
use crate::rebase::hop::{run_hop, ForkSide, HopInput};
use crate::rebase::overlap::Touch;
use crate::rebase::store::Store;
use crate::rebase::{
    ancestor, build_section, dev_branch, find_overlaps, findings::rebase_findings, fork_commits,
    RebaseSummary,
};
use crate::releases::base::next_target;
use crate::{Progress, Result};

/// One hop of the plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hop {
    /// Where the hop starts (release ref, or the fork's base for the first hop).
    pub from: String,
    /// The release the hop lands on.
    pub to: String,
    pub from_oid: String,
    pub to_oid: String,
    pub cost: HoursRange,
    pub summary: RebaseSummary,
    /// Files the fork changed that conflict in this hop.
    pub conflicted_files: Vec<String>,
    /// Files the fork edits that this hop's release deleted.
    pub target_deleted: Vec<String>,
    /// Overrides and settings this hop's release makes stale, orphaned or risky.
    pub stale: Vec<String>,
    /// Fork commits this hop finds upstream already (dropped from later hops).
    pub dropped: Vec<String>,
    /// The findings this hop brings (rebase findings, plus other analyses' for this release).
    pub findings: Vec<Finding>,
    /// Migration clashes, pin conflicts and removed-API uses that first bite at this hop (not
    /// found at an earlier hop): `path (rule-name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_bites: Vec<String>,
}

/// The `plan` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub schema_version: u32,
    pub base: String,
    pub target: String,
    pub hops: Vec<Hop>,
    /// Sum of the hops.
    pub total: HoursRange,
    /// The fork rebased straight onto the target, for comparison.
    pub direct: Hop,
    pub advice: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The analyses whose findings a hop carries besides its rebase findings.
const HOP_ANALYSES: [Analysis; 3] = [Analysis::Config, Analysis::Settings, Analysis::Themes];

/// What breaks beyond the diff, judged on the plan's own change set against each hop's release.
const BREAK_ANALYSES: [Analysis; 3] = [
    Analysis::Migrations,
    Analysis::Dependencies,
    Analysis::Deprecations,
];

/// The breaks findings at one hop's release (the fork's changes since its base, against that
/// release's tree).
fn break_findings(
    ctx: &Context,
    rev: &str,
    oid: git2::Oid,
    release: Option<&'static crate::releases::catalog::Release>,
    progress: &dyn Progress,
) -> Result<Vec<Finding>> {
    let selected: Vec<Analysis> = BREAK_ANALYSES
        .into_iter()
        .filter(|a| ctx.wants(*a))
        .collect();
    let against = crate::breaks::Against {
        oid: Some(oid),
        rev: Some(rev.to_string()),
        release,
    };
    let mut findings = Vec::new();
    crate::breaks::analyze_against(ctx, &against, &selected, progress, &mut findings)?;
    Ok(findings)
}

/// Findings other analyses make for one hop's release (stale overrides, settings risks …): on
/// the plan's own context (and its change set) when the hop is the context's base → target,
/// else on a context re-opened with that hop's base and target.
fn other_findings(
    ctx: &Context,
    from: &str,
    to: &str,
    progress: &dyn Progress,
) -> Result<Vec<Finding>> {
    let here = from == ctx.base.rev && ctx.target.as_ref().is_some_and(|t| t.rev == to);
    let report = if here {
        crate::run_selected(ctx, &HOP_ANALYSES, progress)?
    } else {
        other_context(ctx, from, to, progress)?
    };
    Ok(report
        .findings
        .into_iter()
        .filter(|f| !matches!(f.kind, Kind::Drift | Kind::RebaseConflict | Kind::Upstream))
        .collect())
}

fn other_context(
    ctx: &Context,
    from: &str,
    to: &str,
    progress: &dyn Progress,
) -> Result<crate::Report> {
    let hop_ctx = ctx.for_range(from, to, HOP_ANALYSES.to_vec())?;
    crate::run(&hop_ctx, progress)
}

/// Plan the upgrade from the context's base to its target.
pub fn plan(ctx: &Context, progress: &dyn Progress) -> Result<Option<Plan>> {
    let (Some(target), Some(target_info)) = (ctx.target_oid, ctx.target.as_ref()) else {
        return Ok(None);
    };
    let drift_lines = crate::drift::lines(ctx)?;
    let model = CostModel::load(&ctx.config)?;
    let cal = crate::rebase::calibration(ctx)?;
    // The releases in between, when both ends are named releases.
    let mut stops: Vec<(
        String,
        git2::Oid,
        Option<&'static crate::releases::catalog::Release>,
    )> = Vec::new();
    if let (Some(base_rel), Some(target_rel)) = (ctx.base_release, ctx.target_release) {
        let mut cur = base_rel;
        while let Some(next) = next_target(&ctx.releases, cur) {
            let Some(rel) = next.release else { break };
            if rel.index >= target_rel.index {
                break;
            }
            stops.push((next.rev.clone(), next.oid, Some(rel)));
            cur = rel;
        }
    }
    stops.push((target_info.rev.clone(), target, ctx.target_release));

    let base_rev = ctx.base.rev.clone();
    let mut hops = Vec::new();
    let mut prev: Option<(String, git2::Oid)> = None;
    let mut carried = None;
    let mut store = Store::default();
    let mut seen_bites: std::collections::BTreeSet<(String, String)> = Default::default();
    for (rev, oid, release) in &stops {
        progress.stage(&format!("plan: {rev}"), None);
        let (input, from_label, method) = match (&prev, carried.take()) {
            (Some((prev_rev, prev_oid)), Some((versions, commits))) => (
                HopInput {
                    from: *prev_oid,
                    to: *oid,
                    fork: ForkSide::Virtual(versions),
                    commits,
                    hide: vec![ctx.head, *prev_oid],
                    dev: None,
                },
                prev_rev.clone(),
                "previous-hop",
            ),
            _ => {
                let (anc, method) = ancestor(ctx, *oid)?;
                (
                    HopInput {
                        from: anc,
                        to: *oid,
                        fork: ForkSide::Git(ctx.head),
                        commits: fork_commits(ctx)?,
                        hide: vec![ctx.head],
                        dev: None,
                    },
                    base_rev.clone(),
                    method,
                )
            }
        };
        let from_oid = input.from;
        let touches = Touch::of(&input.commits, &cal.merges());
        let out = run_hop(&ctx.repo, input, std::mem::take(&mut store))?;
        let overlaps = find_overlaps(&ctx.repo, &out, &touches)?;
        let mut others = other_findings(ctx, &from_label, rev, progress)?;
        // Each break counts (and costs) at the hop where it first bites: fixed there, it is not
        // met again at the next hop.
        let breaks: Vec<Finding> = break_findings(ctx, rev, *oid, *release, progress)?
            .into_iter()
            .filter(|f| seen_bites.insert((f.rule.clone(), f.fingerprint_subject())))
            .collect();
        let first_bites: Vec<String> = breaks
            .iter()
            .map(|f| format!("{} ({})", f.path, f.name))
            .collect();
        others.extend(breaks);
        let section = build_section(
            &out,
            &model,
            &others,
            drift_lines,
            [ctx.head, *oid, from_oid],
            method,
            overlaps,
            cal.clone(),
        );
        let mut hop = make_hop(ctx, &section, &from_label, rev, others)?;
        hop.from_oid = from_oid.to_string();
        hop.first_bites = first_bites;
        hops.push(hop);
        store = out.store;
        carried = Some((out.versions, out.rebased));
        prev = Some((rev.clone(), *oid));
        progress.finish_stage();
    }

    // Straight to the target.
    let (anc, method) = ancestor(ctx, target)?;
    let commits = fork_commits(ctx)?;
    let touches = Touch::of(&commits, &cal.merges());
    let out = run_hop(
        &ctx.repo,
        HopInput {
            from: anc,
            to: target,
            fork: ForkSide::Git(ctx.head),
            commits,
            hide: vec![ctx.head],
            dev: dev_branch(ctx),
        },
        Store::default(),
    )?;
    let overlaps = find_overlaps(&ctx.repo, &out, &touches)?;
    let mut others = other_findings(ctx, &base_rev, &target_info.rev, progress)?;
    others.extend(break_findings(
        ctx,
        &target_info.rev,
        target,
        ctx.target_release,
        progress,
    )?);
    let section = build_section(
        &out,
        &model,
        &others,
        drift_lines,
        [ctx.head, target, anc],
        method,
        overlaps,
        cal,
    );
    let mut direct = make_hop(ctx, &section, &base_rev, &target_info.rev, others)?;
    direct.from_oid = anc.to_string();

    let total: HoursRange = hops.iter().map(|h| h.cost).sum();
    let advice = advice(&hops, &direct, total);
    Ok(Some(Plan {
        schema_version: crate::report::SCHEMA_VERSION,
        base: base_rev,
        target: target_info.rev.clone(),
        hops,
        total,
        direct,
        advice,
        warnings: ctx.warnings.clone(),
    }))
}

fn make_hop(
    ctx: &Context,
    section: &crate::rebase::RebaseSection,
    from: &str,
    to: &str,
    others: Vec<Finding>,
) -> Result<Hop> {
    let to_name = to.to_string();
    let mut findings = rebase_findings(&ctx.rules, section, &to_name)?;
    let stale = stale_summary(&others);
    findings.extend(others);
    findings.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    Ok(Hop {
        from: from.to_string(),
        to: to_name,
        from_oid: String::new(),
        to_oid: section.target.clone(),
        cost: section.cost,
        summary: section.summary.clone(),
        conflicted_files: section
            .conflicts
            .iter()
            .filter(|c| c.fork_changed)
            .map(|c| c.path.clone())
            .collect(),
        target_deleted: section
            .commits
            .iter()
            .flat_map(|c| c.target_deleted.iter().cloned())
            .collect(),
        stale,
        dropped: section
            .commits
            .iter()
            .filter(|c| c.upstream.is_some() || c.outcome == crate::rebase::Outcome::Empty)
            .map(|c| c.summary.clone())
            .collect(),
        findings,
        first_bites: Vec::new(),
    })
}

fn advice(hops: &[Hop], direct: &Hop, total: HoursRange) -> String {
    if hops.len() <= 1 {
        return format!(
            "One hop: {} → {}, about {}.",
            direct.from,
            direct.to,
            direct.cost.display()
        );
    }
    let worst = hops
        .iter()
        .max_by(|a, b| a.cost.high.total_cmp(&b.cost.high))
        .map(|h| format!("{} → {}", h.from, h.to))
        .unwrap_or_default();
    if direct.cost.high <= total.high {
        format!(
            "Jumping straight to {} costs about {} against {} hop by hop; the hardest hop is {worst}.",
            direct.to,
            direct.cost.display(),
            total.display()
        )
    } else {
        format!(
            "Hop by hop costs about {} against {} in one jump (conflicts are smaller per release); the hardest hop is {worst}.",
            total.display(),
            direct.cost.display()
        )
    }
}

/// One entry per file and rule among the findings that cost money at this hop, with a count
/// when a rule fires more than once in the file: `config/lms.env.json (generated-config-key ×7)`.
fn stale_summary(others: &[Finding]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for f in others
        .iter()
        .filter(|f| {
            !matches!(
                f.kind,
                Kind::Migration | Kind::Dependency | Kind::Deprecation
            )
        })
        .filter(|f| crate::cost::finding_weight(f).is_some())
    {
        *counts
            .entry((f.path.as_str(), f.name.as_str()))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((path, name), n)| match n {
            1 => format!("{path} ({name})"),
            n => format!("{path} ({name} ×{n})"),
        })
        .collect()
}
