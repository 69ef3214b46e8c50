//! What one side (the fork or upstream) changed since the common ancestor, per path, with
//! rename detection as git's merge does it (exact and similar renames, 50% threshold).

use std::collections::{HashMap, HashSet};

use git2::Oid;

use crate::error::Result;
use crate::repo::Repo;
use crate::trees::{allowed_paths, Delta, Trees, Walk};

/// A tree entry: blob id and mode.
pub use super::store::Version as Entry;

/// One change of a side: `old` at `old_path` in the ancestor, `new` at `new_path` on the side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideChange {
    pub old_path: String,
    pub new_path: String,
    pub old: Option<Entry>,
    pub new: Option<Entry>,
}

impl SideChange {
    pub fn is_rename(&self) -> bool {
        self.old.is_some() && self.new.is_some() && self.old_path != self.new_path
    }
}

/// The changes of one side: modifications, deletions and renames keyed by ancestor path;
/// additions keyed by their new path.
#[derive(Debug, Default)]
pub struct SideDiff {
    pub changes: HashMap<String, SideChange>,
    pub added: HashMap<String, Entry>,
    /// Rename destinations → ancestor path.
    pub renamed_to: HashMap<String, String>,
}

impl SideDiff {
    pub fn len(&self) -> usize {
        self.changes.len() + self.added.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Does this side have something at `path` that the ancestor did not (addition or rename)?
    pub fn creates(&self, path: &str) -> Option<Entry> {
        if let Some(e) = self.added.get(path) {
            return Some(*e);
        }
        self.renamed_to
            .get(path)
            .and_then(|from| self.changes.get(from))
            .and_then(|c| c.new)
    }
}

/// The tree of a commit.
pub fn tree_id(repo: &Repo, commit: Oid) -> Result<Oid> {
    Ok(repo.find_commit(commit)?.tree_id())
}

/// The files that differ between two trees, a type change split into a deletion and an
/// addition (as git's merge sees it); limited to `allow` when given.
pub fn split_walk(
    repo: &Repo,
    old: Oid,
    new: Oid,
    allow: Option<&HashSet<String>>,
) -> Result<Vec<Delta>> {
    split_walk_with(&mut Trees::new(repo), old, new, allow)
}

/// [`split_walk`] without a limit that gives up (`None`) once `cancel` is set.
pub fn split_walk_cancellable(
    repo: &Repo,
    old: Oid,
    new: Oid,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<Option<Vec<Delta>>> {
    let walk = Walk {
        split_type_changes: true,
        cancel: Some(cancel),
        ..Walk::default()
    };
    crate::trees::walk_changes_parallel(repo, Some(old), Some(new), walk)
}

/// [`split_walk`] with the caller's tree cache (walks from the same ancestor share its trees).
pub fn split_walk_with(
    trees: &mut Trees<'_>,
    old: Oid,
    new: Oid,
    allow: Option<&HashSet<String>>,
) -> Result<Vec<Delta>> {
    let walk = Walk {
        split_type_changes: true,
        allow,
        stop_outside: false,
        cancel: None,
        on_file: None,
    };
    Ok(trees
        .walk_changes(Some(old), Some(new), walk)?
        .unwrap_or_default())
}

/// Diff the ancestor tree against a side's tree. `renames`: detect renames (git's merge does).
///
/// The tree comparison is ours ([`super::treediff`], skipping equal subtrees). Renames pair a
/// deleted path with an added one (modified files are not rename sources), so only when a side
/// both deletes and adds files is libgit2's rename detection run, on a diff limited to exactly
/// those paths — the same pairs it would find on the whole diff, for a fraction of the reads.
pub fn side_diff(repo: &Repo, ancestor: Oid, side: Oid, renames: bool) -> Result<SideDiff> {
    let (a, b) = (tree_id(repo, ancestor)?, tree_id(repo, side)?);
    let raw = split_walk(repo, a, b, None)?;
    let renames = if renames { Renames::All } else { Renames::No };
    from_raw(repo, ancestor, side, &raw, renames)
}

/// Upstream's side of a merge, as far as the merge with `fork` (the other side, from the same
/// ancestor) can tell: a path only upstream changed merges trivially, so only the trees on the
/// paths the fork touched are compared (git's merge resolves such directories without reading
/// them too). Renames are what can reach beyond: when upstream deletes a path the fork changed
/// (it may have moved it anywhere), or adds a path the fork creates too (it may have moved a
/// file there from anywhere), the whole side is diffed with rename detection, as before.
/// Otherwise the result agrees with [`side_diff`] on every path the merge looks up.
pub fn upstream_side(repo: &Repo, ancestor: Oid, side: Oid, fork: &SideDiff) -> Result<SideDiff> {
    let paths = fork
        .changes
        .keys()
        .chain(fork.added.keys())
        .chain(fork.renamed_to.keys());
    let allow = allowed_paths(paths.map(String::as_str));
    let (a, b) = (tree_id(repo, ancestor)?, tree_id(repo, side)?);
    let mut trees = Trees::new(repo);
    let raw = split_walk_with(&mut trees, a, b, Some(&allow))?;
    // The whole side, when needed, reads only the trees the limited walk did not.
    upstream_side_from_walks(repo, ancestor, side, fork, raw, || {
        split_walk_with(&mut trees, a, b, None)
    })
}

/// Whether upstream's renames can reach the fork's paths, judged from upstream's changes on
/// those paths (`limited`): upstream deletes a path the fork changed (it may have moved it
/// anywhere) or adds a path the fork creates too (it may have moved a file there from
/// anywhere). Then the merge needs upstream's whole side.
pub fn rename_reaches(fork: &SideDiff, limited: &[Delta]) -> bool {
    limited.iter().any(|c| {
        (c.new.is_none() && fork.changes.contains_key(&c.path))
            || (c.old.is_none()
                && (fork.added.contains_key(&c.path) || fork.renamed_to.contains_key(&c.path)))
    })
}

/// Upstream's side from its raw changes limited to (at least) the fork's paths (a walk with
/// [`allowed_paths`] of every path the fork's changes name); `whole` gives the whole side's
/// walk, called only when a rename reaches the fork's paths ([`rename_reaches`]).
pub fn upstream_side_from_walks(
    repo: &Repo,
    ancestor: Oid,
    side: Oid,
    fork: &SideDiff,
    raw: Vec<Delta>,
    whole: impl FnOnce() -> Result<Vec<Delta>>,
) -> Result<SideDiff> {
    if rename_reaches(fork, &raw) {
        let touched: HashSet<&str> = fork.changes.keys().map(String::as_str).collect();
        let whole = whole()?;
        return from_raw(repo, ancestor, side, &whole, Renames::RelevantTo(&touched));
    }
    let names = |p: &String| {
        fork.changes.contains_key(p)
            || fork.added.contains_key(p)
            || fork.renamed_to.contains_key(p)
    };
    let limited: Vec<_> = raw
        .into_iter()
        .filter(|c| names(&c.path) || c.is_submodule())
        .collect();
    from_raw(repo, ancestor, side, &limited, Renames::No)
}

/// A side from its raw changes (from [`split_walk`]), renames paired only from deleted paths in
/// `relevant` (what the other side changed).
pub fn side_from_raw(
    repo: &Repo,
    ancestor: Oid,
    side: Oid,
    raw: &[Delta],
    relevant: &HashSet<&str>,
) -> Result<SideDiff> {
    from_raw(repo, ancestor, side, raw, Renames::RelevantTo(relevant))
}

/// Which renames a side's changes are paired into.
#[derive(Clone, Copy)]
enum Renames<'a> {
    No,
    /// Every deleted path may be a rename source (the fork's own side).
    All,
    /// Only deleted paths the other side touched may be rename sources (merge-ort's "relevant
    /// sources": a rename of a path the fork never touched merges like a deletion plus an
    /// addition, so it need not be found).
    RelevantTo(&'a HashSet<&'a str>),
}

/// A side from its raw changes; `renames`: pair deletions with additions like git's merge.
fn from_raw(
    repo: &Repo,
    ancestor: Oid,
    side: Oid,
    raw: &[Delta],
    renames: Renames<'_>,
) -> Result<SideDiff> {
    let mut out = SideDiff::default();
    let mut loose = Vec::new(); // deleted or added (a type change is both)
    for c in raw {
        if c.old.is_some() && c.new.is_some() {
            out.changes.insert(
                c.path.clone(),
                SideChange {
                    old_path: c.path.clone(),
                    new_path: c.path.clone(),
                    old: c.old,
                    new: c.new,
                },
            );
        } else {
            loose.push(c);
        }
    }
    let source = |c: &&Delta| match renames {
        Renames::No => false,
        Renames::All => true,
        Renames::RelevantTo(relevant) => relevant.contains(c.path.as_str()),
    };
    let deletes = loose.iter().any(|c| c.new.is_none() && source(c));
    let adds = loose.iter().any(|c| c.old.is_none());
    if !(deletes && adds) {
        for c in loose {
            match (c.old, c.new) {
                (old @ Some(_), None) => {
                    out.changes.insert(
                        c.path.clone(),
                        SideChange {
                            old_path: c.path.clone(),
                            new_path: c.path.clone(),
                            old,
                            new: None,
                        },
                    );
                }
                (_, Some(new)) => {
                    out.added.insert(c.path.clone(), new);
                }
                (None, None) => {}
            }
        }
        return Ok(out);
    }
    renamed_pairs(repo, ancestor, side, &loose, source, &mut out)?;
    Ok(out)
}

/// git's `merge.renameLimit` default.
const MERGE_RENAME_LIMIT: usize = 7000;

/// The deleted paths of `loose` that `source` accepts and its added paths paired by similarity
/// as git's merge does (50 %), added into `out`: pairs as renames, the rest as deletions and
/// additions.
fn renamed_pairs(
    repo: &Repo,
    ancestor: Oid,
    side: Oid,
    loose: &[&Delta],
    source: impl Fn(&&Delta) -> bool,
    out: &mut SideDiff,
) -> Result<()> {
    let mut paths: Vec<&str> = loose
        .iter()
        .filter(|c| c.old.is_none() || source(c))
        .map(|c| c.path.as_str())
        .collect();
    paths.dedup();
    let (a, b) = (tree_id(repo, ancestor)?, tree_id(repo, side)?);
    let renames =
        crate::changes::diff::similarity_renames(repo, a, b, &paths, 50, MERGE_RENAME_LIMIT, None)?;
    let by_source: HashMap<&str, &Delta> = renames.iter().map(|r| (r.source_path(), r)).collect();
    let destinations: HashSet<&str> = renames.iter().map(|r| r.path.as_str()).collect();
    for c in loose {
        match (c.old, c.new) {
            (Some(_), None) => {
                let change = match by_source.get(c.path.as_str()) {
                    Some(r) => {
                        out.renamed_to.insert(r.path.clone(), c.path.clone());
                        SideChange {
                            old_path: c.path.clone(),
                            new_path: r.path.clone(),
                            old: r.old,
                            new: r.new,
                        }
                    }
                    None => SideChange {
                        old_path: c.path.clone(),
                        new_path: c.path.clone(),
                        old: c.old,
                        new: None,
                    },
                };
                out.changes.insert(c.path.clone(), change);
            }
            (None, Some(new)) if !destinations.contains(c.path.as_str()) => {
                out.added.insert(c.path.clone(), new);
            }
            _ => {}
        }
    }
    Ok(())
}

/// A side made of in-memory versions (a fork already rebased onto a release by a previous hop):
/// `versions` maps paths to their version on the side, `ancestor` gives the ancestor's.
pub fn side_from_versions<'a>(
    versions: impl Iterator<Item = (&'a String, &'a Option<Entry>)>,
    ancestor: impl Fn(&str) -> Result<Option<Entry>>,
) -> Result<SideDiff> {
    let mut out = SideDiff::default();
    for (path, new) in versions {
        let old = ancestor(path)?;
        if old == *new {
            continue;
        }
        match (old, new) {
            (None, Some(n)) => {
                out.added.insert(path.clone(), *n);
            }
            (Some(_), _) => {
                out.changes.insert(
                    path.clone(),
                    SideChange {
                        old_path: path.clone(),
                        new_path: path.clone(),
                        old,
                        new: *new,
                    },
                );
            }
            (None, None) => {}
        }
    }
    Ok(out)
}
