//! Parsed git trees, cached by id, and the top-down walk that compares two trees while skipping
//! subtrees with equal ids (libgit2's tree-to-tree diff visits every entry of both trees, and
//! its object cache skips trees above 4 KiB, i.e. the big directories).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::repo::Repo;
pub use crate::tree_objects::{Entries, Entry, TREE};

/// One side of a changed path: blob (or submodule commit) id and file mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Side {
    pub oid: Oid,
    pub mode: u32,
}

/// What happened to a path between base and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Modified,
    Deleted,
    Renamed,
    TypeChanged,
}

/// One changed file between two trees.
#[derive(Debug, Clone)]
pub struct Delta {
    pub status: Status,
    pub path: String,
    pub old_path: Option<String>,
    pub old: Option<Side>,
    pub new: Option<Side>,
}

/// Old and new side of a path (the key of a line count).
pub type Pair = (Option<Side>, Option<Side>);

impl Delta {
    pub fn pair(&self) -> Pair {
        (self.old, self.new)
    }

    /// The old side's mode, 0 when the path is added.
    pub fn old_mode(&self) -> u32 {
        self.old.map_or(0, |s| s.mode)
    }

    /// The new side's mode, 0 when the path is deleted.
    pub fn new_mode(&self) -> u32 {
        self.new.map_or(0, |s| s.mode)
    }

    /// The old side's blob id, the null id when the path is added.
    pub fn old_id(&self) -> Oid {
        self.old.map_or(Oid::zero(), |s| s.oid)
    }

    /// The new side's blob id, the null id when the path is deleted.
    pub fn new_id(&self) -> Oid {
        self.new.map_or(Oid::zero(), |s| s.oid)
    }

    /// The old side's blob id, if there is an old side.
    pub fn old_oid(&self) -> Option<Oid> {
        self.old.map(|s| s.oid)
    }

    /// The new side's blob id, if there is a new side.
    pub fn new_oid(&self) -> Option<Oid> {
        self.new.map(|s| s.oid)
    }

    /// The path in the old tree (differs from `path` for renames).
    pub fn source_path(&self) -> &str {
        self.old_path.as_deref().unwrap_or(&self.path)
    }

    /// Whether either side is a submodule (gitlink).
    pub fn is_submodule(&self) -> bool {
        self.old_mode() == SUBMODULE || self.new_mode() == SUBMODULE
    }

    /// A change between the same two versions of a path, without renames.
    pub fn of(path: impl Into<String>, old: Option<Side>, new: Option<Side>) -> Delta {
        let status = match (old, new) {
            (None, _) => Status::Added,
            (_, None) => Status::Deleted,
            (Some(a), Some(b)) if (a.mode & 0o170000) != (b.mode & 0o170000) => Status::TypeChanged,
            _ => Status::Modified,
        };
        Delta {
            status,
            path: path.into(),
            old_path: None,
            old,
            new,
        }
    }
}

/// Parsed trees by id, so that walks over many related trees read each tree once (first from
/// this walker's own map, then from the repository's shared [`TreeCache`]).
pub struct Trees<'r> {
    repo: &'r Repo,
    cache: HashMap<Oid, Arc<Entries>>,
    empty: Arc<Entries>,
}

impl<'r> Trees<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        Trees {
            repo,
            cache: HashMap::new(),
            empty: Arc::new(Entries::default()),
        }
    }

    /// The repository the trees are read from.
    pub fn repo(&self) -> &'r Repo {
        self.repo
    }

    /// Forget the trees read so far (a long run of commits keeps memory bounded).
    pub fn clear(&mut self) {
        self.cache.clear();
    }

    /// The entries of `tree` (empty for `None`), sorted by name bytes: (name, id, mode).
    pub fn entries(&mut self, tree: Option<Oid>) -> Result<Arc<Entries>> {
        let Some(tree) = tree else {
            return Ok(self.empty.clone());
        };
        if let Some(found) = self.cache.get(&tree) {
            return Ok(found.clone());
        }
        let entries = self.repo.tree_entries(tree)?;
        self.cache.insert(tree, entries.clone());
        Ok(entries)
    }

    /// The file (blob, symlink or submodule) at `path` in tree `root`.
    pub fn file_at(&mut self, root: Oid, path: &str) -> Result<Option<Side>> {
        // The one path lookup ([`Repo::entry_at`]), through the run's shared parsed trees.
        Ok(self
            .repo
            .entry_at(root, path)?
            .filter(|&(_, mode)| mode != TREE)
            .map(|(oid, mode)| Side { oid, mode }))
    }

    /// The changes from tree `old` (empty when `None`) to tree `new`, without rename
    /// detection, walking both trees top-down and skipping subtrees with equal ids; a change
    /// of file type is one [`Status::TypeChanged`] delta. Path order.
    pub fn changes(&mut self, old: Option<Oid>, new: Oid) -> Result<Vec<Delta>> {
        Ok(self
            .walk_changes(old, Some(new), Walk::default())?
            .unwrap_or_default())
    }

    /// The changes from tree `old` to tree `new` (`None`: the empty tree) as `opts` asks; `None`
    /// when `opts.allow` is set with `stop_outside` and a change falls outside it. Path order
    /// (bytes), a split type change as its deletion then its addition.
    pub fn walk_changes(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        opts: Walk<'_>,
    ) -> Result<Option<Vec<Delta>>> {
        let mut state = WalkState::new(opts, false);
        self.walk(old, new, &mut String::new(), &mut state)?;
        Ok(state.finish())
    }

    fn walk(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        prefix: &mut String,
        state: &mut WalkState<'_>,
    ) -> Result<()> {
        if old == new {
            return Ok(());
        }
        if state
            .opts
            .cancel
            .is_some_and(|c| c.load(AtomicOrdering::Relaxed))
        {
            state.rejected = true;
            return Ok(());
        }
        let left = self.entries(old)?;
        let right = self.entries(new)?;
        let (mut i, mut j) = (0, 0);
        while (i < left.len() || j < right.len()) && !state.rejected {
            let order = match (left.get(i), right.get(j)) {
                (Some(l), Some(r)) => l.name.cmp(r.name),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (l, r) = match order {
                Ordering::Less => (left.get(i), None),
                Ordering::Greater => (None, right.get(j)),
                Ordering::Equal => (left.get(i), right.get(j)),
            };
            if order != Ordering::Greater {
                i += 1;
            }
            if order != Ordering::Less {
                j += 1;
            }
            if let (Some(l), Some(r)) = (l, r) {
                if l.id == r.id && l.mode == r.mode {
                    continue;
                }
            }
            let name = l.or(r).map(|e| e.name).unwrap_or_default();
            let split = |e: Option<Entry<'_>>| {
                let tree = e.filter(|e| e.mode == TREE).map(|e| e.id);
                let file = e.filter(|e| e.mode != TREE).map(|e| Side {
                    oid: e.id,
                    mode: e.mode,
                });
                (tree, file)
            };
            let ((l_tree, l_file), (r_tree, r_file)) = (split(l), split(r));
            let len = prefix.len();
            prefix.push_str(&String::from_utf8_lossy(name));
            if l_tree.is_some() || r_tree.is_some() {
                prefix.push('/');
                if state.allows(prefix) {
                    match &mut state.defer {
                        Some(jobs) => jobs.push((l_tree, r_tree, prefix.clone())),
                        None => self.walk(l_tree, r_tree, prefix, state)?,
                    }
                }
                prefix.truncate(len);
                prefix.push_str(&String::from_utf8_lossy(name));
            }
            if (l_file.is_some() || r_file.is_some()) && state.allows_file(prefix, l_file, r_file) {
                state.push(prefix, l_file, r_file);
            }
            prefix.truncate(len);
        }
        Ok(())
    }
}

/// What a tree walk reports ([`Trees::walk_changes`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Walk<'a> {
    /// Told of every change found (its old and new side) as the walk meets it, before the walk
    /// ends: the drift counts their lines meanwhile ([`crate::changes::diff::StatQueue`]).
    pub on_file: Option<OnFile<'a>>,
    /// Report a change of file type (regular file ↔ symlink ↔ submodule) as a deletion plus an
    /// addition, as libgit2's diff without `include_typechange` does (what git's merge and
    /// patch-ids see), instead of one [`Status::TypeChanged`].
    pub split_type_changes: bool,
    /// Only paths in this set (files, and directories with a trailing `/`: [`allowed_paths`]);
    /// the trees outside it are never read. Submodule changes are not limited.
    pub allow: Option<&'a HashSet<String>>,
    /// With `allow`: give up (the walk returns `None`) at the first change outside the set,
    /// instead of leaving it out.
    pub stop_outside: bool,
    /// Give up (the walk returns `None`) as soon as this is set: a walk started speculatively
    /// on another thread whose result turned out not to be needed.
    pub cancel: Option<&'a AtomicBool>,
}

/// See [`Walk::on_file`].
#[derive(Clone, Copy)]
pub struct OnFile<'a>(pub &'a (dyn Fn(Pair) + Sync));

impl std::fmt::Debug for OnFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnFile")
    }
}

struct WalkState<'a> {
    opts: Walk<'a>,
    out: Vec<Delta>,
    rejected: bool,
    /// Set for the top level of [`walk_changes_parallel`]: subtrees to walk are collected here
    /// instead of walked.
    defer: Option<Vec<Subtree>>,
}

/// A pair of subtrees left to walk: old, new, and the path with its `/`.
type Subtree = (Option<Oid>, Option<Oid>, String);

impl<'a> WalkState<'a> {
    /// A walk's state; with `defer`, the top level's subtrees are collected, not walked.
    fn new(opts: Walk<'a>, defer: bool) -> Self {
        WalkState {
            opts,
            out: Vec::new(),
            rejected: false,
            defer: defer.then(Vec::new),
        }
    }

    /// The walk's result: `None` when it gave up, else the deltas in path order (a directory's
    /// files are met before a file of the same name and after names that sort below `/`: path
    /// order differs from the walk's order there; the sort is stable).
    fn finish(mut self) -> Option<Vec<Delta>> {
        if self.rejected {
            return None;
        }
        self.out
            .sort_by(|x, y| x.path.as_bytes().cmp(y.path.as_bytes()));
        Some(self.out)
    }
}

/// [`Trees::walk_changes`] with the top level's differing subtrees walked in parallel (rayon,
/// each worker with its own handle; the parsed trees are shared). The same deltas in the same
/// order, and `None` in the same cases: a change outside `allow` with `stop_outside`, or
/// `cancel` set. Not to be called inside [`crate::repo::RepoHandle::with`] (its workers use it).
pub fn walk_changes_parallel(
    repo: &Repo,
    old: Option<Oid>,
    new: Option<Oid>,
    opts: Walk<'_>,
) -> Result<Option<Vec<Delta>>> {
    use rayon::prelude::*;
    let mut state = WalkState::new(opts, true);
    Trees::new(repo).walk(old, new, &mut String::new(), &mut state)?;
    if state.rejected {
        return Ok(None);
    }
    let jobs = state.defer.take().unwrap_or_default();
    let handle = repo.handle();
    let parts: Vec<Result<Option<Vec<Delta>>>> = jobs
        .into_par_iter()
        .map(|(l, r, mut prefix)| {
            handle.with(|repo| {
                let mut job = WalkState::new(opts, false);
                Trees::new(repo).walk(l, r, &mut prefix, &mut job)?;
                Ok((!job.rejected).then_some(job.out))
            })
        })
        .collect();
    for part in parts {
        match part? {
            Some(out) => state.out.extend(out),
            None => return Ok(None),
        }
    }
    Ok(state.finish())
}

impl WalkState<'_> {
    /// Whether the walk goes into directory `dir` (ending in `/`).
    fn allows(&mut self, dir: &str) -> bool {
        match self.opts.allow {
            Some(allow) if !allow.contains(dir) => {
                self.rejected = self.opts.stop_outside;
                false
            }
            _ => true,
        }
    }

    fn allows_file(&mut self, path: &str, old: Option<Side>, new: Option<Side>) -> bool {
        let submodule = |s: Option<Side>| s.is_some_and(|s| s.mode == SUBMODULE);
        if submodule(old) || submodule(new) {
            return true;
        }
        self.allows(path)
    }

    fn push(&mut self, path: &str, old: Option<Side>, new: Option<Side>) {
        let delta = |status, old, new| Delta {
            status,
            path: path.to_string(),
            old_path: None,
            old,
            new,
        };
        let before = self.out.len();
        match (old, new) {
            (None, _) => self.out.push(delta(Status::Added, old, new)),
            (_, None) => self.out.push(delta(Status::Deleted, old, new)),
            (Some(a), Some(b)) if (a.mode & 0o170000) != (b.mode & 0o170000) => {
                if self.opts.split_type_changes {
                    self.out.push(delta(Status::Deleted, old, None));
                    self.out.push(delta(Status::Added, None, new));
                } else {
                    self.out.push(delta(Status::TypeChanged, old, new));
                }
            }
            _ => self.out.push(delta(Status::Modified, old, new)),
        }
        if let Some(OnFile(tell)) = self.opts.on_file {
            for d in &self.out[before..] {
                tell(d.pair());
            }
        }
    }
}

/// The set for [`Walk::allow`]: `paths` and every directory above them (`dir/`).
pub fn allowed_paths<'p>(paths: impl Iterator<Item = &'p str>) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in paths {
        for (i, _) in p.match_indices('/') {
            out.insert(p[..=i].to_string());
        }
        out.insert(p.to_string());
    }
    out
}

/// The file mode of a submodule (a gitlink).
pub const SUBMODULE: u32 = 0o160000;
