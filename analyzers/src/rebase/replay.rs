//! Per-commit replay: each first-parent fork commit, in order, cherry-picked onto the target in
//! memory. The evolving tree is the target's tree plus an in-memory overlay of the paths the
//! replay changed (blob ids, with merged contents kept in a map keyed by their computed id),
//! so no object is ever written. On conflict the replay continues with the fork's side of the
//! conflicting regions, like a developer who resolves every conflict in favour of the fork.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid};

use super::diff3::merge3;
use super::model::{ConflictKind, FileConflict, HunkReport, MergeSide, Outcome};
use super::store::{PathChange, Store, Version};
use crate::error::Result;
use crate::repo::{git_error, Repo};

/// The target tree plus the replay's changes, all in memory.
pub struct Overlay<'r> {
    repo: &'r Repo,
    tree: git2::Tree<'r>,
    changed: HashMap<String, Option<Version>>,
    pub store: Store,
}

impl<'r> Overlay<'r> {
    pub fn new(repo: &'r Repo, target: Oid, store: Store) -> Result<Overlay<'r>> {
        Ok(Overlay {
            repo,
            tree: repo.tree_of(target)?,
            changed: HashMap::new(),
            store,
        })
    }

    /// The version of `path` in the target tree itself.
    pub fn target_version(&self, path: &str) -> Result<Option<Version>> {
        match self.tree.get_path(Path::new(path)) {
            Ok(e) if e.kind() == Some(ObjectType::Blob) => Ok(Some(Version {
                oid: e.id(),
                mode: u32::try_from(e.filemode()).unwrap_or(0o100644),
            })),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(format!("looking up `{path}`"), e)),
        }
    }

    /// The current version of `path` (None: absent).
    pub fn get(&self, path: &str) -> Result<Option<Version>> {
        match self.changed.get(path) {
            Some(v) => Ok(*v),
            None => self.target_version(path),
        }
    }

    pub fn set(&mut self, path: &str, v: Option<Version>) {
        self.changed.insert(path.to_string(), v);
    }

    pub fn read(&self, id: Oid) -> Result<Arc<Vec<u8>>> {
        self.store.read(self.repo, id)
    }

    /// Paths whose version the replay set, with that version (may equal the target's).
    pub fn changed(&self) -> &HashMap<String, Option<Version>> {
        &self.changed
    }
}

/// One commit's replay result (before cost, upstream matching and naming).
#[derive(Debug, Clone)]
pub struct Replayed {
    pub outcome: Outcome,
    pub files: Vec<String>,
    pub conflicts: Vec<FileConflict>,
    pub target_deleted: Vec<String>,
    /// Files whose version the replay changed (what would remain in a rebased commit).
    pub residue: Vec<String>,
}

/// Replay one commit's changes onto the overlay. Returns the result and the rebased change
/// (each path's version before and after, for carrying the commit to a later release).
pub fn replay_commit(
    ov: &mut Overlay<'_>,
    changes: &[PathChange],
) -> Result<(Replayed, Vec<PathChange>)> {
    let mut out = Replayed {
        outcome: Outcome::Empty,
        files: changes.iter().map(|c| c.path.clone()).collect(),
        conflicts: Vec::new(),
        target_deleted: Vec::new(),
        residue: Vec::new(),
    };
    let mut rebased = Vec::new();
    for c in changes {
        let before = ov.get(&c.path)?;
        apply_change(ov, c, &mut out)?;
        let after = ov.get(&c.path)?;
        if before != after {
            rebased.push(PathChange::of(c.path.clone(), before, after));
        }
    }
    out.outcome = if !out.conflicts.is_empty() {
        Outcome::Conflict
    } else if !out.target_deleted.is_empty() {
        Outcome::TargetDeleted
    } else if !out.residue.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Empty
    };
    Ok((out, rebased))
}

fn simple(path: &str, kind: ConflictKind, deleted_by: Option<MergeSide>) -> FileConflict {
    FileConflict {
        path: path.to_string(),
        kind,
        deleted_by,
        renamed_from: None,
        hunks: Vec::new(),
        deleted_in: None,
        fork_changed: true,
    }
}

fn apply_change(ov: &mut Overlay<'_>, c: &PathChange, out: &mut Replayed) -> Result<()> {
    let path = c.path.clone();
    let (old, new) = (c.old, c.new);
    let cur = ov.get(&path)?;
    if cur == new {
        return Ok(()); // the target already has the fork's version
    }
    out.residue.push(path.clone());
    if cur == old {
        ov.set(&path, new);
        return Ok(());
    }
    match (old, cur, new) {
        // The target removed a file the commit edits (or the commit re-adds one).
        (Some(_), None, Some(_)) => {
            out.target_deleted.push(path.clone());
            ov.set(&path, new);
        }
        // The commit deletes a file the target changed.
        (Some(_), Some(_), None) => {
            out.conflicts.push(simple(
                &path,
                ConflictKind::ModifyDelete,
                Some(MergeSide::Fork),
            ));
            ov.set(&path, None);
        }
        (_, Some(cv), Some(nv)) => {
            let old_mode = old.map(|o| o.mode);
            if cv.mode != nv.mode && old_mode != Some(cv.mode) && old_mode != Some(nv.mode) {
                out.conflicts.push(simple(&path, ConflictKind::Mode, None));
                ov.set(&path, new);
                return Ok(());
            }
            let base = match old {
                Some(o) => ov.read(o.oid)?,
                None => Arc::new(Vec::new()),
            };
            let upstream = ov.read(cv.oid)?;
            let fork = ov.read(nv.oid)?;
            let m = merge3(&base, &upstream, &fork)?;
            let mode = if old.map(|o| o.mode) == Some(nv.mode) {
                cv.mode
            } else {
                nv.mode
            };
            if !m.is_clean() {
                let kind = if m.binary_conflict {
                    ConflictKind::Binary
                } else if old.is_none() {
                    ConflictKind::AddAdd
                } else {
                    ConflictKind::Content
                };
                let mut fc = simple(&path, kind, None);
                fc.hunks = m
                    .conflicts
                    .iter()
                    .map(|h| HunkReport {
                        lines: h.clone(),
                        upstream_commits: Vec::new(),
                    })
                    .collect();
                out.conflicts.push(fc);
            }
            let id = ov.store.put(m.content)?;
            if Some(Version { oid: id, mode }) == cur {
                out.residue.pop();
            }
            ov.set(&path, Some(Version { oid: id, mode }));
        }
        // Both absent, or deleted on both sides: nothing to do.
        _ => {
            out.residue.pop();
        }
    }
    Ok(())
}
