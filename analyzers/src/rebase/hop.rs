//! One rebase hop: the fork's changes (as git commits, or as changes already rebased onto a
//! release by a previous hop) moved from one upstream commit to the next release. Runs conflict
//! prediction, per-commit replay and already-upstream matching, and returns the rebased changes
//! so a plan can carry the fork across several releases without writing anything.

use std::collections::HashMap;

use git2::Oid;

use super::blame::UpstreamHistory;
use super::cherry::{commits_between, content_equal, patch_id_matches, UpstreamSet};
use super::conflicts::{both_sides, predict_sides, Prediction};
use super::diff3::{line_hunks, LineRange};
use super::model::*;
use super::replay::{replay_commit, Overlay};
use super::store::{ForkCommit, Store, Version};
use super::tree::{side_from_versions, upstream_side};
use crate::error::Result;
use crate::repo::Repo;

/// Where the fork's final state comes from.
pub enum ForkSide {
    /// A commit in the repository (the fork's head).
    Git(Oid),
    /// In-memory versions of the paths the fork changed, relative to the hop's `from`.
    Virtual(HashMap<String, Option<Version>>),
}

pub struct HopInput {
    /// The ancestor on the upstream side (merge base, or the previous hop's release).
    pub from: Oid,
    pub to: Oid,
    pub fork: ForkSide,
    pub commits: Vec<ForkCommit>,
    /// Commits reachable from these are not new upstream work (the fork head; the previous
    /// release).
    pub hide: Vec<Oid>,
    /// The upstream development branch (label, tip), matched for already-upstream commits.
    pub dev: Option<(String, Oid)>,
}

pub struct HopOutput {
    pub prediction: Prediction,
    pub commits: Vec<CommitReplay>,
    /// The fork's commits rebased onto `to` (empty ones dropped, like `git rebase`).
    pub rebased: Vec<ForkCommit>,
    /// The fork's versions of every path it changed, on top of `to`.
    pub versions: HashMap<String, Option<Version>>,
    pub store: Store,
    /// Upstream's first-parent history of the hop (who changed what).
    pub history: UpstreamHistory,
}

pub fn run_hop(repo: &Repo, input: HopInput, store: Store) -> Result<HopOutput> {
    // 1. The fork's final state merged onto the target.
    let (fork_side, upstream_side) = match &input.fork {
        ForkSide::Git(head) => both_sides(repo, input.from, *head, input.to)?,
        ForkSide::Virtual(versions) => {
            let from_tree = Overlay::new(repo, input.from, Store::default())?;
            let fork = side_from_versions(versions.iter(), |p| from_tree.target_version(p))?;
            let upstream = upstream_side(repo, input.from, input.to, &fork)?;
            (fork, upstream)
        }
    };
    let mut prediction = predict_sides(repo, &store, &fork_side, &upstream_side)?;
    let history = UpstreamHistory::new(repo, input.from, input.to)?;
    let touched: std::collections::HashSet<&str> = input
        .commits
        .iter()
        .flat_map(|c| c.changes.iter().map(|p| p.path.as_str()))
        .collect();
    for c in &mut prediction.conflicts {
        c.fork_changed = touched.contains(c.path.as_str())
            || c.renamed_from
                .as_deref()
                .is_some_and(|p| touched.contains(p));
        attribute(repo, &history, c, None)?;
    }

    // 2. Replay commit by commit.
    let mut ov = Overlay::new(repo, input.to, store)?;
    let mut replays = Vec::with_capacity(input.commits.len());
    let mut rebased = Vec::new();
    for fc in &input.commits {
        let mut before = HashMap::new();
        for ch in &fc.changes {
            before.insert(ch.path.clone(), ov.get(&ch.path)?);
        }
        let (mut r, changes) = replay_commit(&mut ov, &fc.changes)?;
        for c in &mut r.conflicts {
            let cur = before.get(&c.path).copied().flatten();
            attribute(repo, &history, c, Some((&ov, cur)))?;
        }
        if !changes.is_empty() {
            let mut next = fc.clone();
            next.changes = changes;
            rebased.push(next);
        }
        replays.push(r);
    }

    // 3. Already upstream: patch-ids against upstream's new commits, and content equality.
    let mut sets = vec![UpstreamSet {
        label: "target".into(),
        commits: commits_between(repo, &input.hide, input.to)?,
    }];
    if let Some((label, tip)) = &input.dev {
        let mut hide = input.hide.clone();
        hide.push(input.to);
        sets.push(UpstreamSet {
            label: label.clone(),
            commits: commits_between(repo, &hide, *tip)?,
        });
    }
    let fork_changes: Vec<(usize, Vec<_>)> = input
        .commits
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.merge && !c.changes.is_empty())
        .map(|(i, c)| (i, c.changes.clone()))
        .collect();
    let matches = patch_id_matches(repo, &ov.store, &fork_changes, &sets)?;

    let mut partner: HashMap<usize, usize> = HashMap::new();
    let mut partial: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for c in super::net::cancelling_pairs(&input.commits) {
        partner.insert(c.later, c.earlier);
        if !c.full {
            partial.insert(c.later);
        }
        if c.full {
            partner.insert(c.earlier, c.later);
        }
    }
    let mut commits = Vec::with_capacity(input.commits.len());
    for (i, (fc, r)) in input.commits.iter().zip(replays).enumerate() {
        let cancelled_by = partner.get(&i).map(|&p| CommitRef {
            oid: input.commits[p].oid.to_string(),
            summary: input.commits[p].summary.clone(),
        });
        // A commit the fork itself undoes is not "already upstream", whatever the target has.
        let equal = cancelled_by.is_none() && content_equal(&fc.changes, |p| ov.target_version(p))?;
        let upstream = match matches.get(&i).filter(|_| cancelled_by.is_none()) {
            Some(m) => Some(UpstreamMatch {
                method: MatchMethod::PatchId,
                commit: Some(m.upstream.clone()),
                found_in: m.found_in.clone(),
                patch_id: Some(super::patchid::to_hex(&m.patch_id)),
                content_equal: equal,
            }),
            None if equal => Some(UpstreamMatch {
                method: MatchMethod::Content,
                commit: None,
                found_in: "target".into(),
                patch_id: None,
                content_equal: true,
            }),
            None => None,
        };
        let residue = if upstream.is_some() && r.outcome != Outcome::Empty {
            r.residue.clone()
        } else {
            Vec::new()
        };
        commits.push(CommitReplay {
            oid: fc.oid.to_string(),
            summary: fc.summary.clone(),
            author: fc.author.clone(),
            merge: fc.merge,
            files: r.files,
            outcome: r.outcome,
            conflicts: r.conflicts,
            target_deleted: r.target_deleted,
            upstream,
            residue,
            trailers: fc.trailers.clone(),
            reverts_part: partial.contains(&i),
            cancelled_by,
            cost: crate::cost::HoursRange::ZERO,
        });
    }
    let versions = ov.changed().clone();
    let store = std::mem::take(&mut ov.store);
    Ok(HopOutput {
        prediction,
        commits,
        rebased,
        versions,
        store,
        history,
    })
}

/// Name the upstream commits behind a conflict: for content conflicts the commits that wrote
/// the target's conflicting lines, for files the target deleted the deleting commit.
/// `replay`: the overlay and the path's version before the commit, when the conflict's
/// upstream lines refer to the replay's current file rather than the target's.
fn attribute(
    repo: &Repo,
    history: &UpstreamHistory,
    c: &mut FileConflict,
    replay: Option<(&Overlay<'_>, Option<Version>)>,
) -> Result<()> {
    if history.is_empty() {
        return Ok(());
    }
    if c.deleted_by == Some(MergeSide::Upstream) {
        c.deleted_in = history.deleted_in(repo, &c.path)?;
        return Ok(());
    }
    // Map line numbers of the replay's current file back to the target's file.
    let mapping = match replay {
        Some((ov, cur)) => {
            let target = ov.target_version(&c.path)?;
            match (cur, target) {
                (Some(cv), Some(tv)) if cv != tv => {
                    Some(line_hunks(&ov.read(cv.oid)?, &ov.read(tv.oid)?)?)
                }
                _ => None,
            }
        }
        None => None,
    };
    for h in &mut c.hunks {
        let range = match &mapping {
            Some(hunks) => map_range(hunks, h.lines.upstream),
            None => h.lines.upstream,
        };
        h.upstream_commits = history.touching(repo, &c.path, range)?;
    }
    Ok(())
}

/// Translate a 1-based range through `hunks` (old → new side).
fn map_range(hunks: &[super::diff3::Hunk], r: LineRange) -> LineRange {
    let map = |line0: usize, end: bool| -> usize {
        let mut delta: isize = 0;
        for h in hunks {
            if line0 < h.o0 {
                break;
            }
            if line0 < h.o1 {
                return if end { h.n1 } else { h.n0 };
            }
            delta += (h.n1 - h.n0) as isize - (h.o1 - h.o0) as isize;
        }
        usize::try_from(line0 as isize + delta).unwrap_or(0) + usize::from(end)
    };
    let a = map((r.start as usize).saturating_sub(1), false);
    let b = if r.is_empty() {
        a
    } else {
        map((r.end as usize).saturating_sub(1), true).max(a + 1)
    };
    LineRange {
        start: u32::try_from(a + 1).unwrap_or(u32::MAX),
        end: u32::try_from(b).unwrap_or(u32::MAX),
    }
}
