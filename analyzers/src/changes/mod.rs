//! The change set: what the fork changed, computed once per run and read by every analysis
//! (docs/architecture.md, the `changes/` entry):
//!
//! - the base → head tree diff as `git diff BASE HEAD` gives it (renames as git's defaults),
//!   with line counts computed on demand and kept ([`ChangeSet::line_stats`]);
//! - the fork's first-parent commits since the base, each with its changes against its first
//!   parent (a root commit against the base) — the drift trend, the rebase replay and the triage
//!   read the same list;
//! - the base → target tree diff, on first use.
//!
//! Everything is computed from ids with the one tree walker ([`crate::trees`]); blobs are read
//! only where a line count or an analysis needs them.

pub mod diff;
pub mod files;
pub mod keys;
mod similarity;
mod xdiff;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use git2::Oid;

pub use diff::{is_binary, LineStat};

use crate::error::Result;
use crate::repo::Repo;
use crate::trees::{Delta, Pair, Side, Status, Trees};

/// One first-parent fork commit with its changes.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    pub oid: Oid,
    pub tree: Oid,
    /// The tree it is compared with: its first parent's, or the base's for a root commit.
    pub parent_tree: Oid,
    /// The commit has no parent (a squashed fork's import).
    pub root: bool,
    pub merge: bool,
    pub summary: String,
    pub author: String,
    pub message: String,
    /// Against `parent_tree`, without renames, a type change as one delta; path order.
    pub deltas: Vec<Delta>,
}

/// See the module documentation.
pub struct ChangeSet {
    pub base_tree: Oid,
    pub head_tree: Oid,
    /// Base → head, renames paired as `git diff` does; path order.
    pub files: Vec<Delta>,
    /// When git's rename limit cut rename detection short: the `diff.renameLimit` that would
    /// let it search every pair (git warns about it the same way).
    pub rename_limit_needed: Option<usize>,
    base: Oid,
    head: Oid,
    commits: OnceLock<Vec<CommitChanges>>,
    unrenamed: OnceLock<Vec<Delta>>,
    target: Option<(Oid, OnceLock<Vec<Delta>>)>,
    stats: Mutex<HashMap<Pair, LineStat>>,
}

impl ChangeSet {
    /// Compute the base → head diff, and with `with_commits` the fork's commits side by side
    /// (else on first use: [`ChangeSet::commits`]). With `count_files`, the changed files'
    /// line counts are taken while the diff runs ([`diff::StatQueue`]).
    pub fn compute(
        repo: &Repo,
        base: Oid,
        head: Oid,
        target: Option<Oid>,
        with_commits: bool,
        count_files: bool,
    ) -> Result<ChangeSet> {
        let base_tree = repo.tree_of(base)?.id();
        let head_tree = repo.tree_of(head)?.id();
        let handle = repo.handle();
        let queue = count_files.then(diff::StatQueue::default);
        let queue = queue.as_ref();
        // Each side opens its own repository (a git2 repository is not `Sync`; the commits'
        // side starts rayon work of its own, so it cannot borrow a worker's handle). The
        // counting side only waits for the walk, which never waits for it.
        let ((files, counted), commits) = rayon::join(
            || {
                rayon::join(
                    || -> Result<_> {
                        let repo = handle.open()?;
                        let files = diff::drift_deltas(&repo, base_tree, head_tree, queue)?;
                        let rest = queue.map(|q| q.drain(&repo)).transpose()?;
                        Ok((files, rest.unwrap_or_default()))
                    },
                    || -> Result<_> {
                        match queue {
                            Some(q) => handle.with(|repo| q.drain(repo)),
                            None => Ok(Vec::new()),
                        }
                    },
                )
            },
            || {
                with_commits
                    .then(|| fork_commits(&handle.open()?, base, base_tree, head))
                    .transpose()
            },
        );
        let target = target
            .map(|t| Ok::<_, crate::Error>((repo.tree_of(t)?.id(), OnceLock::new())))
            .transpose()?;
        let cell = OnceLock::new();
        if let Some(commits) = commits? {
            let _ = cell.set(commits);
        }
        let ((files, rename_limit_needed), mut stats) = files?;
        stats.extend(counted?);
        Ok(ChangeSet {
            base_tree,
            head_tree,
            files,
            rename_limit_needed,
            base,
            head,
            commits: cell,
            unrenamed: OnceLock::new(),
            target,
            stats: Mutex::new(stats.into_iter().collect()),
        })
    }

    /// The fork's first-parent commits since the base, oldest first, each with its changes.
    pub fn commits(&self, repo: &Repo) -> Result<&[CommitChanges]> {
        if let Some(found) = self.commits.get() {
            return Ok(found);
        }
        let commits = fork_commits(repo, self.base, self.base_tree, self.head)?;
        Ok(self.commits.get_or_init(|| commits))
    }

    /// The base → head changes as a tree diff without rename detection gives them: a renamed
    /// file as the deletion of its old path and the addition of its new one; path order. Made
    /// once (the configuration, settings and theme analyses all read it).
    pub fn unrenamed(&self) -> &[Delta] {
        self.unrenamed.get_or_init(|| self.split_renames())
    }

    fn split_renames(&self) -> Vec<Delta> {
        let mut out = Vec::with_capacity(self.files.len());
        for d in &self.files {
            if d.status == Status::Renamed {
                out.push(Delta::of(d.source_path(), d.old, None));
                out.push(Delta::of(d.path.clone(), None, d.new));
            } else {
                out.push(d.clone());
            }
        }
        out.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        out
    }

    /// The base → target changes (no renames, a type change as one delta), computed on first
    /// use; empty without a target.
    pub fn target_changes(&self, repo: &Repo) -> Result<&[Delta]> {
        let Some((tree, cell)) = &self.target else {
            return Ok(&[]);
        };
        if let Some(found) = cell.get() {
            return Ok(found);
        }
        let changes = Trees::new(repo).changes(Some(self.base_tree), *tree)?;
        Ok(cell.get_or_init(|| changes))
    }

    /// Lines added and removed for each pair (xdiff, as `git diff --numstat`; binary pairs
    /// 0 lines), computed once per pair and kept for the rest of the run.
    pub fn line_stats(&self, repo: &Repo, pairs: Vec<Pair>) -> Result<HashMap<Pair, LineStat>> {
        let mut cache = self
            .stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        diff::fill_stats(repo, pairs.clone(), &mut cache)?;
        Ok(pairs
            .into_iter()
            .map(|p| (p, cache.get(&p).copied().unwrap_or_default()))
            .collect())
    }

    /// The line counts of one change.
    pub fn line_stat(&self, repo: &Repo, delta: &Delta) -> Result<LineStat> {
        Ok(self
            .line_stats(repo, vec![delta.pair()])?
            .remove(&delta.pair())
            .unwrap_or_default())
    }
}

/// The first-parent chain from `head` back to the base (`git rev-list --first-parent ^base
/// head`), oldest first, each commit with its changes (parallel tree walks).
fn fork_commits(repo: &Repo, base: Oid, base_tree: Oid, head: Oid) -> Result<Vec<CommitChanges>> {
    let chain = repo.first_parent_since(base, head)?;
    let mut out = Vec::with_capacity(chain.len());
    let mut jobs = Vec::with_capacity(chain.len());
    for oid in chain {
        let c = repo.find_commit(oid)?;
        let parent = c.parent_ids().next();
        let parent_tree = match parent {
            Some(p) => repo.find_commit(p)?.tree_id(),
            None => base_tree,
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        jobs.push((Some(parent_tree), c.tree_id()));
        out.push(CommitChanges {
            oid,
            tree: c.tree_id(),
            parent_tree,
            root: parent.is_none(),
            merge: c.parent_count() > 1,
            summary: text(c.summary_bytes().unwrap_or_default()),
            author: format!(
                "{} <{}>",
                text(c.author().name_bytes()),
                text(c.author().email_bytes())
            ),
            message: text(c.message_bytes()),
            deltas: Vec::new(),
        });
    }
    for (commit, deltas) in out.iter_mut().zip(diff::changes_parallel(repo, &jobs)?) {
        commit.deltas = deltas;
    }
    Ok(out)
}

/// A commit's changes as git's merge and patch-ids see them: a type change split into a
/// deletion and an addition, submodules left out (their content cannot be read).
pub fn split_type_changes(deltas: &[Delta]) -> Vec<Delta> {
    let mut out = Vec::with_capacity(deltas.len());
    for d in deltas {
        if d.status == Status::TypeChanged {
            out.push(Delta::of(d.path.clone(), d.old, None));
            out.push(Delta::of(d.path.clone(), None, d.new));
        } else {
            out.push(d.clone());
        }
    }
    out.retain(|d| !d.is_submodule());
    out
}

/// A side of a change that is a regular file or an executable (not a symlink or submodule).
pub fn blob(side: Option<Side>) -> Option<Side> {
    side.filter(|s| matches!(s.mode, 0o100644 | 0o100755))
}
