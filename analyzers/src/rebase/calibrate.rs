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
use super::patchid::{commit_changes, patch_id};
use super::store::Store;
use super::tree::{split_walk, tree_id};
use crate::cost::HoursRange;
use crate::error::Result;
use crate::repo::{git_error, Repo};
use crate::trees::Delta;

/// Follow-up fixes are looked for among this many first-parent commits after the merge …
pub const FOLLOW_COMMITS: usize = 20;
/// … made within this many days of it.
pub const FOLLOW_DAYS: i64 = 28;
/// First-parent commits read at most.
const MAX_WALK: usize = 20_000;

/// One past upgrade, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PastUpgrade {
    /// `merge` (a merge of upstream) or `rebase` (the fork's commits re-applied on a later
    /// upstream commit).
    #[serde(default = "merge_kind")]
    pub kind: String,
    /// The merge commit; for a rebase the last re-applied commit.
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
    /// A rebase: the fork commits re-applied (matched to their originals).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reapplied: usize,
    /// A rebase: the re-applied commits whose change differs from the original's (their patch
    /// was edited while re-applying).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewritten: Vec<CommitRef>,
    /// A rebase: the files whose re-applied change differs from the original's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewritten_files: Vec<String>,
}

fn merge_kind() -> String {
    "merge".into()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// Share of the past conflicted files that needed a follow-up fix (0–1), and how many
    /// conflicted files it was measured on: where in its range a conflict's cost lies.
    #[serde(default)]
    pub conflict_rate: f64,
    #[serde(default)]
    pub conflict_evidence: usize,
    /// Share of the past clean both-changed files that needed work (edited in the merge or
    /// followed up), and how many such files it was measured on.
    #[serde(default)]
    pub overlap_rate: f64,
    #[serde(default)]
    pub overlap_evidence: usize,
}

/// The weight groups calibration adjusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `per_conflicted_file`, `per_conflict_hunk`.
    Conflict,
    /// `per_overlap_same_function`, `per_overlap_near`, `per_clean_merge_file`.
    Overlap,
}

/// Narrows `range` toward the point the measured `rate` puts in it (`low + rate × (high −
/// low)`), by `m / (m + 2)` for `m` measured files: one file keeps two thirds of the spread,
/// four a third; it never closes (docs/cost-model.md).
pub fn narrow(range: HoursRange, rate: f64, m: usize) -> HoursRange {
    if m == 0 || range.high <= range.low {
        return range;
    }
    let rate = rate.clamp(0.0, 1.0);
    let point = range.low + rate * (range.high - range.low);
    let w = m as f64 / (m as f64 + 2.0);
    HoursRange {
        low: range.low + w * (point - range.low),
        high: range.high - w * (range.high - point),
    }
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            calibrated: false,
            upgrades: Vec::new(),
            conflict_factor: 1.0,
            overlap_factor: 1.0,
            conflict_rate: 0.0,
            conflict_evidence: 0,
            overlap_rate: 0.0,
            overlap_evidence: 0,
        }
    }
}

impl Calibration {
    /// The past upgrades' merge commits (a rebase's last re-applied commit is the fork's own
    /// work, not an import of upstream).
    pub fn merges(&self) -> Vec<String> {
        self.upgrades
            .iter()
            .filter(|u| u.kind == "merge")
            .map(|u| u.merge.oid.clone())
            .collect()
    }

    /// A range of one group's weights for this fork: scaled by the group's factor, then
    /// narrowed by the evidence ([`narrow`]). Uncalibrated, the range as it is.
    pub fn adjust(&self, range: HoursRange, group: Group) -> HoursRange {
        let (factor, rate, m) = match group {
            Group::Conflict => (
                self.conflict_factor,
                self.conflict_rate,
                self.conflict_evidence,
            ),
            Group::Overlap => (
                self.overlap_factor,
                self.overlap_rate,
                self.overlap_evidence,
            ),
        };
        narrow(range.times(factor), rate, m)
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
        let rate = |x: usize, of: usize| {
            if of == 0 {
                0.0
            } else {
                round(x as f64 / of as f64)
            }
        };
        Calibration {
            calibrated: true,
            upgrades,
            conflict_factor: round((c + fc + 1) as f64 / (c + 1) as f64),
            overlap_factor: round(2.0 * (k + 1) as f64 / (n + 2) as f64),
            conflict_rate: rate(fc, c),
            conflict_evidence: c,
            overlap_rate: rate(k, n),
            overlap_evidence: n,
        }
    }
}

/// Find and measure the past upgrades on the first-parent history of `head`. `upstream`: the
/// release refs' commits with their names; `remote_tips`: upstream's development branch tip.
///
/// `upstream_refs`: the glob of the upstream remote's refs (`refs/remotes/upstream/*`), hidden
/// with the releases when the pre-rebase copies of the fork's commits are looked for.
pub fn calibrate(
    repo: &Repo,
    head: Oid,
    releases: &HashMap<Oid, String>,
    remote_tips: &[Oid],
    upstream_refs: &str,
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
    upgrades.extend(rebases(
        repo,
        head,
        &chain,
        releases,
        remote_tips,
        upstream_refs,
    )?);
    // Newest first, by when the upgrade landed.
    upgrades.sort_by_key(|u| {
        chain
            .iter()
            .position(|c| c.to_string() == u.merge.oid)
            .unwrap_or(usize::MAX)
    });
    Ok(Calibration::from_upgrades(upgrades))
}

/// The pre-rebase copies of the fork's commits: commits reachable from the fork's refs (its
/// branches, tags, other remotes' branches) and from `head` (a merge's second parent), minus
/// upstream's history and the first-parent chain itself; non-merges only, newest first.
fn originals(
    repo: &Repo,
    head: Oid,
    chain: &HashSet<Oid>,
    releases: &HashMap<Oid, String>,
    remote_tips: &[Oid],
    upstream_refs: &str,
) -> Result<Vec<Oid>> {
    let err = |e| git_error("looking for the fork's pre-rebase commits", e);
    let git = repo.git();
    let mut walk = git.revwalk().map_err(err)?;
    walk.set_sorting(Sort::TOPOLOGICAL).map_err(err)?;
    walk.push(head).map_err(err)?;
    for r in git.references().map_err(err)?.flatten() {
        let Some(name) = r.name() else { continue };
        if !(name.starts_with("refs/heads/")
            || name.starts_with("refs/remotes/")
            || name.starts_with("refs/tags/"))
            || glob_match(upstream_refs, name)
        {
            continue;
        }
        if let Ok(c) = r.peel_to_commit() {
            let _ = walk.push(c.id());
        }
    }
    for oid in releases.keys().chain(remote_tips) {
        let _ = walk.hide(*oid);
    }
    let _ = walk.hide_glob(upstream_refs);
    let mut out = Vec::new();
    for oid in walk.take(MAX_WALK) {
        let oid = oid.map_err(err)?;
        if chain.contains(&oid) {
            continue;
        }
        if repo.find_commit(oid)?.parent_count() == 1 {
            out.push(oid);
        }
    }
    Ok(out)
}

/// `refs/remotes/upstream/*` matches `refs/remotes/upstream/master`.
fn glob_match(glob: &str, name: &str) -> bool {
    match glob.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == glob,
    }
}

/// What a re-applied commit shares with its original: the paths it changes against its parent
/// (sorted), and the changes themselves (for patch-ids).
struct Changes {
    paths: Vec<String>,
    deltas: Vec<Delta>,
}

fn changes_of(repo: &Repo, oid: Oid) -> Result<Changes> {
    let c = repo.find_commit(oid)?;
    let deltas = commit_changes(repo, c.parent_ids().next(), oid)?;
    let mut paths: Vec<String> = deltas.iter().map(|d| d.path.clone()).collect();
    paths.sort();
    Ok(Changes { paths, deltas })
}

/// A pre-rebase commit: its position in the walk (0 = newest) and, once read, its changes.
struct Original {
    pos: usize,
    oid: Oid,
    changes: Option<Changes>,
}

/// One re-applied commit matched to its original.
struct Pair {
    /// Index in the first-parent chain (0 = newest).
    chain: usize,
    commit: Oid,
    original: Original,
    /// The files whose change differs from the original's.
    differ: Vec<String>,
}

/// Past upgrades by rebase: fork commits on the first-parent chain whose original (same
/// summary, same changed paths; among several, the one on the newest earlier base, then the
/// one with the same patch-id, then the oldest not yet matched) sits on an earlier upstream base, grouped by (old base, new base). Each is
/// measured like a merge of the old tip with the new base, the last re-applied commit standing
/// for the merge result, plus which re-applied commits and files changed against their
/// originals.
fn rebases(
    repo: &Repo,
    head: Oid,
    chain: &[Oid],
    releases: &HashMap<Oid, String>,
    remote_tips: &[Oid],
    upstream_refs: &str,
) -> Result<Vec<PastUpgrade>> {
    let Some(&oldest) = chain.last() else {
        return Ok(Vec::new());
    };
    // The base of each chain commit: where the chain leaves upstream, moved by past merges.
    let Ok(mut base) = repo.find_commit(oldest)?.parent_id(0) else {
        return Ok(Vec::new());
    };
    let on_chain: HashSet<Oid> = chain.iter().copied().collect();
    let found = originals(repo, head, &on_chain, releases, remote_tips, upstream_refs)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    // Originals by summary, oldest first; their changes are read only for a matching summary.
    let mut by_summary: HashMap<String, Vec<Original>> = HashMap::new();
    for (pos, &oid) in found.iter().enumerate().rev() {
        let summary = repo
            .find_commit(oid)?
            .summary()
            .unwrap_or_default()
            .to_string();
        by_summary.entry(summary).or_default().push(Original {
            pos,
            oid,
            changes: None,
        });
    }
    let mut groups: Vec<((Oid, Oid), Vec<Pair>)> = Vec::new();
    let store = Store::default();
    for (i, &c) in chain.iter().enumerate().rev() {
        let commit = repo.find_commit(c)?;
        if commit.parent_count() == 2 {
            if let Ok(p2) = commit.parent_id(1) {
                if releases.contains_key(&p2)
                    || remote_tips.iter().any(|t| {
                        *t == p2 || repo.git().graph_descendant_of(*t, p2).unwrap_or(false)
                    })
                {
                    base = p2;
                }
            }
            continue;
        }
        if commit.parent_count() != 1 {
            continue;
        }
        let Some(candidates) = by_summary.get_mut(commit.summary().unwrap_or_default()) else {
            continue;
        };
        let own = changes_of(repo, c)?;
        let own_id = patch_id(repo, &store, &own.deltas)?;
        // Among the copies with the same paths on an earlier base: the one on the newest base
        // (per-release branches keep a copy per release: the last rebase is from the newest
        // one), then the same patch-id, then the oldest.
        let mut best: Option<(usize, Oid, bool)> = None;
        for (k, cand) in candidates.iter_mut().enumerate() {
            if cand.changes.is_none() {
                cand.changes = Some(changes_of(repo, cand.oid)?);
            }
            let Some(ch) = &cand.changes else { continue };
            if ch.paths != own.paths {
                continue;
            }
            let Ok(old_base) = repo.git().merge_base(cand.oid, base) else {
                continue;
            };
            if old_base == base {
                continue;
            }
            let same = patch_id(repo, &store, &ch.deltas)? == own_id;
            let better = match best {
                None => true,
                Some((_, b, b_same)) => {
                    (old_base != b && repo.git().graph_descendant_of(old_base, b).unwrap_or(false))
                        || (old_base == b && same && !b_same)
                }
            };
            if better {
                best = Some((k, old_base, same));
            }
        }
        let Some((k, old_base, _)) = best else {
            continue;
        };
        let original = candidates.remove(k);
        // Which files' changes differ from the original's (per-file patch-ids).
        let theirs = original.changes.as_ref().map_or(&[][..], |c| &c.deltas[..]);
        let mut differ = Vec::new();
        for d in &own.deltas {
            let same = match theirs.iter().find(|x| x.path == d.path) {
                Some(x) => {
                    patch_id(repo, &store, std::slice::from_ref(d))?
                        == patch_id(repo, &store, std::slice::from_ref(x))?
                }
                None => false,
            };
            if !same {
                differ.push(d.path.clone());
            }
        }
        let pair = Pair {
            chain: i,
            commit: c,
            original,
            differ,
        };
        let key = (old_base, base);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some(g) => g.1.push(pair),
            None => groups.push((key, vec![pair])),
        }
    }
    let mut out = Vec::new();
    for ((_, new_base), pairs) in groups {
        // The newest re-applied commit and the newest original.
        let (Some(tip), Some(old)) = (
            pairs.iter().min_by_key(|p| p.chain),
            pairs.iter().min_by_key(|p| p.original.pos),
        ) else {
            continue;
        };
        let first = pairs.iter().map(|p| p.chain).max().unwrap_or(tip.chain);
        let label = match releases.get(&new_base) {
            Some(name) => name.clone(),
            None => "upstream snapshot".to_string(),
        };
        let after: Vec<Oid> = chain[..tip.chain].iter().rev().copied().collect();
        let mut u = measure(repo, tip.commit, old.original.oid, new_base, label, &after)?;
        // From the first re-applied commit to the last follow-up (or the last re-applied one).
        let started = repo.find_commit(chain[first])?.time().seconds();
        let tip_time = repo.find_commit(tip.commit)?.time().seconds();
        u.calendar_seconds += tip_time - started;
        u.kind = "rebase".into();
        u.reapplied = pairs.len();
        let mut files = BTreeSet::new();
        for p in pairs.iter().rev().filter(|p| !p.differ.is_empty()) {
            u.rewritten.push(commit_ref(repo, p.commit)?);
            files.extend(p.differ.iter().cloned());
        }
        u.rewritten_files = files.into_iter().collect();
        out.push(u);
    }
    Ok(out)
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
        kind: merge_kind(),
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
        reapplied: 0,
        rewritten: Vec::new(),
        rewritten_files: Vec::new(),
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
            kind: merge_kind(),
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
            reapplied: 0,
            rewritten: Vec::new(),
            rewritten_files: Vec::new(),
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
        assert_eq!((c.overlap_rate, c.overlap_evidence), (0.0, 10));
    }

    #[test]
    fn evidence_narrows_ranges_toward_the_measured_rate_and_never_closes_them() {
        let r = |low, high| HoursRange { low, high };
        // No evidence: unchanged.
        assert_eq!(narrow(r(1.0, 4.0), 0.5, 0), r(1.0, 4.0));
        // One file that always needed a follow-up: toward the top, a third of the way.
        assert_eq!(narrow(r(1.0, 4.0), 1.0, 1), r(2.0, 4.0));
        // Four files, none needed work: two thirds of the way to the bottom.
        assert_eq!(narrow(r(1.0, 4.0), 0.0, 4), r(1.0, 2.0));
        // However much evidence, a spread stays.
        let n = narrow(r(1.0, 4.0), 0.5, 1000);
        assert!(n.high > n.low && n.low > 2.49 && n.high < 2.51, "{n:?}");
        let c = Calibration::from_upgrades(vec![upgrade(4, &["a"], &["b"], &["a"])]);
        assert_eq!((c.conflict_rate, c.conflict_evidence), (1.0, 1));
        assert_eq!((c.overlap_rate, c.overlap_evidence), (0.33, 3));
        // Scaled by ×1.5, then narrowed a third of the way to the top.
        let a = c.adjust(r(0.25, 0.5), Group::Conflict);
        assert!(
            (a.low - 0.5).abs() < 1e-9 && (a.high - 0.75).abs() < 1e-9,
            "{a:?}"
        );
    }
}
