//! Calibration from the fork's own history: its past upgrades, what each really took, and the
//! factors that scale the cost model's per-release conflict and overlap weights for this fork.
//!
//! A past upgrade is a merge commit on the fork's first-parent history whose second parent is
//! upstream's: a release ref's commit, or a commit of upstream's development branch (a
//! snapshot). For each, with `mb` the merge base of its two parents:
//! - `both_changed`: files changed on both sides since `mb` (not identically);
//! - `conflicted` / `conflict_hunks`: those a three-way merge (the same merge as the conflict
//!   prediction) cannot merge;
//! - `resolved_by_hand`: files whose merge result differs from the automatic merge: every
//!   conflicted file, and clean files the merge author still edited;
//! - `follow_ups`: the next [`FOLLOW_COMMITS`] non-merge first-parent commits within
//!   [`FOLLOW_DAYS`] days that touch a `both_changed` file (the fixes the merge needed), and the
//!   files they touched;
//! - `calendar_seconds`: from the merge to its last follow-up.
//!
//! Factors (method in docs/cost-model.md): `conflict_factor = (C + F_c + 1) / (C + 1)` with C
//! conflicted files and F_c those later followed up (a follow-up is a second resolution);
//! `overlap_factor = 2 (k + 1) / (n + 2)` with n clean both-changed files and k those resolved
//! by hand or followed up (Laplace's rule of succession around the model's prior of ½). Without
//! a past upgrade both are 1 and the estimate is uncalibrated.

use std::collections::{BTreeSet, HashMap, HashSet};

use git2::{Oid, Sort};
use serde::{Deserialize, Serialize};

use super::cherry::commit_ref;
use super::diff3::merge3;
use super::model::CommitRef;
use super::tree::{split_walk, tree_id};
use crate::error::Result;
use crate::repo::{git_error, Repo};

/// Follow-up fixes are looked for among this many first-parent commits after the merge …
pub const FOLLOW_COMMITS: usize = 20;
/// … made within this many days of it.
pub const FOLLOW_DAYS: i64 = 28;
/// First-parent commits read at most.
const MAX_WALK: usize = 20_000;

/// One past upgrade, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastUpgrade {
    pub merge: CommitRef,
    /// The upstream side: a release ref (`open-release/redwood.2`) or `upstream snapshot`.
    pub upstream: String,
    pub upstream_oid: String,
    pub both_changed: usize,
    pub conflicted: usize,
    pub conflict_hunks: usize,
    pub resolved_by_hand: Vec<String>,
    pub follow_ups: Vec<CommitRef>,
    pub followed_up_files: Vec<String>,
    pub calendar_seconds: i64,
}

/// What the fork's history says about its upgrades.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// False when the history holds no past upgrade: the weights are the model's own.
    pub calibrated: bool,
    /// Newest first.
    pub upgrades: Vec<PastUpgrade>,
    /// Multiplies the conflict weights (`per_conflicted_file`, `per_conflict_hunk`).
    pub conflict_factor: f64,
    /// Multiplies the overlap weights (`per_overlap_*`, `per_clean_merge_file`).
    pub overlap_factor: f64,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            calibrated: false,
            upgrades: Vec::new(),
            conflict_factor: 1.0,
            overlap_factor: 1.0,
        }
    }
}

impl Calibration {
    /// The past upgrades' merge commits.
    pub fn merges(&self) -> Vec<String> {
        self.upgrades.iter().map(|u| u.merge.oid.clone()).collect()
    }

    /// The factors from the measured upgrades.
    pub fn from_upgrades(upgrades: Vec<PastUpgrade>) -> Calibration {
        if upgrades.is_empty() {
            return Calibration::default();
        }
        let (mut c, mut fc, mut n, mut k) = (0usize, 0usize, 0usize, 0usize);
        for u in &upgrades {
            c += u.conflicted;
            n += u.both_changed - u.conflicted;
            // Hand-resolved or followed-up files; conflicted ones among them are split off.
            let worked: BTreeSet<&str> = u
                .resolved_by_hand
                .iter()
                .chain(&u.followed_up_files)
                .map(String::as_str)
                .collect();
            let followed: BTreeSet<&str> = u.followed_up_files.iter().map(String::as_str).collect();
            let conflicted_followed = u
                .resolved_by_hand
                .iter()
                .take(u.conflicted)
                .filter(|p| followed.contains(p.as_str()))
                .count();
            fc += conflicted_followed;
            k += worked.len() - u.conflicted.min(worked.len());
        }
        let round = |x: f64| (x * 100.0).round() / 100.0;
        Calibration {
            calibrated: true,
            upgrades,
            conflict_factor: round((c + fc + 1) as f64 / (c + 1) as f64),
            overlap_factor: round(2.0 * (k + 1) as f64 / (n + 2) as f64),
        }
    }
}

/// Find and measure the past upgrades on the first-parent history of `head`. `upstream`: the
/// release refs' commits with their names; `remote_tips`: upstream's development branch tip.
pub fn calibrate(
    repo: &Repo,
    head: Oid,
    releases: &HashMap<Oid, String>,
    remote_tips: &[Oid],
) -> Result<Calibration> {
    let mut walk = repo
        .git()
        .revwalk()
        .map_err(|e| git_error("walking the fork's history", e))?;
    walk.set_sorting(Sort::TOPOLOGICAL)
        .map_err(|e| git_error("walking the fork's history", e))?;
    walk.simplify_first_parent()
        .map_err(|e| git_error("walking the fork's history", e))?;
    walk.push(head)
        .map_err(|e| git_error("walking the fork's history", e))?;
    for oid in releases.keys().chain(remote_tips) {
        // A ref the head contains hides upstream's history, not the fork's.
        let _ = walk.hide(*oid);
    }
    // Newest first.
    let mut chain = Vec::new();
    for oid in walk.take(MAX_WALK) {
        chain.push(oid.map_err(|e| git_error("walking the fork's history", e))?);
    }
    let mut upgrades = Vec::new();
    for (i, &oid) in chain.iter().enumerate() {
        let c = repo.find_commit(oid)?;
        if c.parent_count() != 2 {
            continue;
        }
        let (Ok(p1), Ok(p2)) = (c.parent_id(0), c.parent_id(1)) else {
            continue;
        };
        let label = match releases.get(&p2) {
            Some(name) => name.clone(),
            None if remote_tips
                .iter()
                .any(|t| *t == p2 || repo.git().graph_descendant_of(*t, p2).unwrap_or(false)) =>
            {
                "upstream snapshot".to_string()
            }
            None => continue,
        };
        // The commits after the merge, oldest first, up to the next past upgrade.
        let after: Vec<Oid> = chain[..i].iter().rev().copied().collect();
        upgrades.push(measure(repo, oid, p1, p2, label, &after)?);
    }
    Ok(Calibration::from_upgrades(upgrades))
}

fn measure(
    repo: &Repo,
    merge: Oid,
    p1: Oid,
    p2: Oid,
    upstream: String,
    after: &[Oid],
) -> Result<PastUpgrade> {
    let mb = repo
        .git()
        .merge_base(p1, p2)
        .map_err(|e| git_error("finding a past upgrade's merge base", e))?;
    let (tb, t1, t2) = (tree_id(repo, mb)?, tree_id(repo, p1)?, tree_id(repo, p2)?);
    let fork: HashMap<String, Option<Oid>> = split_walk(repo, tb, t1, None)?
        .into_iter()
        .map(|d| (d.path, d.new.map(|s| s.oid)))
        .collect();
    let theirs: HashMap<String, Option<Oid>> = split_walk(repo, tb, t2, None)?
        .into_iter()
        .map(|d| (d.path, d.new.map(|s| s.oid)))
        .collect();
    let mut both: Vec<&String> = fork
        .iter()
        .filter(|(p, f)| theirs.get(*p).is_some_and(|u| u != *f))
        .map(|(p, _)| p)
        .collect();
    both.sort();
    let (mut conflicted, mut hunks) = (Vec::new(), 0usize);
    let mut by_hand = Vec::new();
    for path in &both {
        let read = |c: Oid| -> Result<Vec<u8>> { Ok(repo.file_at(c, path)?.unwrap_or_default()) };
        let (base, fork_v, up_v) = (read(mb)?, read(p1)?, read(p2)?);
        let m = merge3(&base, &up_v, &fork_v)?;
        if !m.is_clean() {
            hunks += m.conflicts.len();
            conflicted.push((*path).clone());
            continue;
        }
        // A clean merge the author still changed: the result is not the automatic one.
        let result = repo.file_at(merge, path)?.unwrap_or_default();
        if result != m.content {
            by_hand.push((*path).clone());
        }
    }
    let both_set: HashSet<&str> = both.iter().map(|p| p.as_str()).collect();
    let merge_time = repo.find_commit(merge)?.time().seconds();
    let mut follow_ups = Vec::new();
    let mut followed: BTreeSet<String> = BTreeSet::new();
    let mut last = merge_time;
    for &oid in after.iter().take(FOLLOW_COMMITS) {
        let c = repo.find_commit(oid)?;
        if c.parent_count() > 1 {
            continue;
        }
        let t = c.time().seconds();
        if t - merge_time > FOLLOW_DAYS * 86_400 {
            break;
        }
        let Ok(parent) = c.parent_id(0) else { continue };
        let touched: Vec<String> = split_walk(repo, tree_id(repo, parent)?, c.tree_id(), None)?
            .into_iter()
            .map(|d| d.path)
            .filter(|p| both_set.contains(p.as_str()))
            .collect();
        if touched.is_empty() {
            continue;
        }
        followed.extend(touched);
        follow_ups.push(commit_ref(repo, oid)?);
        last = last.max(t);
    }
    let conflicted_n = conflicted.len();
    let mut resolved_by_hand = conflicted;
    resolved_by_hand.extend(by_hand);
    Ok(PastUpgrade {
        merge: commit_ref(repo, merge)?,
        upstream,
        upstream_oid: p2.to_string(),
        both_changed: both.len(),
        conflicted: conflicted_n,
        conflict_hunks: hunks,
        resolved_by_hand,
        follow_ups,
        followed_up_files: followed.into_iter().collect(),
        calendar_seconds: last - merge_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upgrade(
        both: usize,
        conflicted: &[&str],
        by_hand: &[&str],
        followed: &[&str],
    ) -> PastUpgrade {
        let mut resolved: Vec<String> = conflicted.iter().map(|s| s.to_string()).collect();
        resolved.extend(by_hand.iter().map(|s| s.to_string()));
        PastUpgrade {
            merge: CommitRef {
                oid: "0".repeat(40),
                summary: "Merge".into(),
            },
            upstream: "open-release/redwood.2".into(),
            upstream_oid: "1".repeat(40),
            both_changed: both,
            conflicted: conflicted.len(),
            conflict_hunks: conflicted.len(),
            resolved_by_hand: resolved,
            follow_ups: Vec::new(),
            followed_up_files: followed.iter().map(|s| s.to_string()).collect(),
            calendar_seconds: 0,
        }
    }

    #[test]
    fn factors_follow_the_documented_method() {
        assert_eq!(
            Calibration::from_upgrades(Vec::new()),
            Calibration::default()
        );
        // 1 conflicted file, followed up; 3 clean both-changed files, one edited by hand.
        let c = Calibration::from_upgrades(vec![upgrade(4, &["a"], &["b"], &["a"])]);
        assert!(c.calibrated);
        assert_eq!(c.conflict_factor, 1.5); // (1 + 1 + 1) / (1 + 1)
        assert_eq!(c.overlap_factor, 0.8); // 2 (1 + 1) / (3 + 2)
                                           // Ten clean overlaps nobody touched: overlaps cost little on this fork.
        let c = Calibration::from_upgrades(vec![upgrade(10, &[], &[], &[])]);
        assert_eq!((c.conflict_factor, c.overlap_factor), (1.0, 0.17));
    }
}
