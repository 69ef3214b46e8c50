//! Conflict prediction: merge the fork's head onto the target in memory. Only the paths changed
//! on both sides (relative to the ancestor) can conflict, so those alone are merged, in
//! parallel, one reopened repository per rayon worker. Nothing is written to the repository.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use git2::Oid;
use rayon::prelude::*;

use super::diff3::merge3;
use super::model::{CleanMerge, ConflictKind, FileConflict, HunkReport, MergeSide, MergedBlobs};
use super::store::Store;
use super::tree::{rename_reaches, side_from_raw, split_walk_cancellable, split_walk_with};
use super::tree::{tree_id, upstream_side_from_walks, Entry, SideDiff};
use crate::error::Result;
use crate::repo::Repo;
use crate::trees::allowed_paths;

/// What the merge of the fork onto the target gives.
#[derive(Debug, Default)]
pub struct Prediction {
    pub conflicts: Vec<FileConflict>,
    pub clean: Vec<CleanMerge>,
}

/// A content merge to run: `path` in the result, entries of the three versions.
struct MergeTask {
    path: String,
    renamed_from: Option<String>,
    base: Option<Entry>,
    upstream: Entry,
    fork: Entry,
}

enum Task {
    Merge(MergeTask),
    Done(FileConflict),
}

fn conflict(path: &str, kind: ConflictKind) -> FileConflict {
    FileConflict {
        path: path.to_string(),
        kind,
        deleted_by: None,
        renamed_from: None,
        hunks: Vec::new(),
        deleted_in: None,
        fork_changed: true,
    }
}

/// Predict the merge of `head` onto `target` with `ancestor` as the merge base.
pub fn predict(repo: &Repo, ancestor: Oid, head: Oid, target: Oid) -> Result<Prediction> {
    let (fork, upstream) = both_sides(repo, ancestor, head, target)?;
    predict_sides(repo, &Store::default(), &fork, &upstream)
}

/// The fork's and upstream's changes since `ancestor` (upstream's limited to what the merge
/// with the fork looks up: [`upstream_side`]).
pub fn both_sides(
    repo: &Repo,
    ancestor: Oid,
    head: Oid,
    target: Oid,
) -> Result<(SideDiff, SideDiff)> {
    // The fork's side first; then upstream's changes on the fork's paths only (a path only
    // upstream changed merges trivially, so git's merge does not read those trees either), with
    // one tree cache, so the ancestor's trees are read once. When a rename of upstream's can
    // reach the fork's paths, the merge needs upstream's whole side: that walk starts at once
    // on a thread of its own (with its own repository handle: a git2 repository is not `Sync`)
    // and is cancelled when it turns out not to be needed.
    let a = tree_id(repo, ancestor)?;
    let (h, t) = (tree_id(repo, head)?, tree_id(repo, target)?);
    let handle = repo.handle();
    let cancel = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let cancel = &cancel;
        let whole = scope.spawn(move || split_walk_cancellable(&handle.open()?, a, t, cancel));
        let mut trees = crate::trees::Trees::new(repo);
        let sides = (|| {
            let fork_raw = split_walk_with(&mut trees, a, h, None)?;
            let allow = allowed_paths(fork_raw.iter().map(|c| c.path.as_str()));
            let limited = split_walk_with(&mut trees, a, t, Some(&allow))?;
            // The fork's renames that matter to the merge start at a path upstream changed or
            // deleted (merge-ort's relevant sources); the others merge as a deletion plus an
            // addition. Every such source is a path of the fork's, so the limited walk sees it.
            let upstream_touched: HashSet<&str> = limited
                .iter()
                .filter(|c| c.old.is_some())
                .map(|c| c.path.as_str())
                .collect();
            let fork = side_from_raw(repo, ancestor, head, &fork_raw, &upstream_touched)?;
            if !rename_reaches(&fork, &limited) {
                cancel.store(true, Ordering::Relaxed);
            }
            let upstream =
                upstream_side_from_walks(repo, ancestor, target, &fork, limited, || {
                    match whole.join() {
                        Ok(Ok(Some(whole))) => Ok(whole),
                        Ok(Err(e)) => Err(e),
                        // Not cancelled (needed), yet no result: walk again here.
                        Ok(Ok(None)) | Err(_) => split_walk_with(&mut trees, a, t, None),
                    }
                })?;
            Ok((fork, upstream))
        })();
        // Whatever happened, the speculative walk is no longer wanted.
        cancel.store(true, Ordering::Relaxed);
        sides
    })
}

/// Merge the paths changed on both sides; blobs are read from `store` or the repository.
pub fn predict_sides(
    repo: &Repo,
    store: &Store,
    fork: &SideDiff,
    upstream: &SideDiff,
) -> Result<Prediction> {
    let git_dir = repo.git_dir().to_path_buf();
    let tasks = plan_tasks(fork, upstream);

    let results: Vec<Result<(Option<FileConflict>, Option<CleanMerge>)>> = tasks
        .into_par_iter()
        .map_init(
            || Repo::open(&git_dir),
            |worker, task| match task {
                Task::Done(c) => Ok((Some(c), None)),
                Task::Merge(t) => match worker {
                    Ok(r) => run_merge(r, store, t),
                    Err(_) => Err(Repo::open_error(&git_dir)),
                },
            },
        )
        .collect();
    let mut out = Prediction::default();
    for r in results {
        let (c, m) = r?;
        out.conflicts.extend(c);
        out.clean.extend(m);
    }
    out.conflicts.sort_by(|a, b| a.path.cmp(&b.path));
    out.conflicts.dedup_by(|a, b| a.path == b.path);
    out.clean.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Pair up the two sides' changes and decide which need a content merge.
fn plan_tasks(fork: &SideDiff, upstream: &SideDiff) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (key, f) in &fork.changes {
        let Some(u) = upstream.changes.get(key) else {
            // Only the fork touched this ancestor path; a rename may still land on a path
            // upstream added.
            if f.is_rename() {
                if let (Some(fnew), Some(uadd)) = (f.new, upstream.added.get(&f.new_path)) {
                    if fnew != *uadd {
                        let mut c = conflict(&f.new_path, ConflictKind::RenameAdd);
                        c.renamed_from = Some(key.clone());
                        tasks.push(Task::Done(c));
                    }
                }
            }
            continue;
        };
        match (f.new, u.new) {
            (None, None) => {} // both deleted
            (Some(_), None) if f.is_rename() => {
                let mut c = conflict(&f.new_path, ConflictKind::RenameDelete);
                c.deleted_by = Some(MergeSide::Upstream);
                c.renamed_from = Some(key.clone());
                tasks.push(Task::Done(c));
            }
            (None, Some(_)) if u.is_rename() => {
                let mut c = conflict(&u.new_path, ConflictKind::RenameDelete);
                c.deleted_by = Some(MergeSide::Fork);
                c.renamed_from = Some(key.clone());
                tasks.push(Task::Done(c));
            }
            (Some(_), None) => {
                let mut c = conflict(key, ConflictKind::ModifyDelete);
                c.deleted_by = Some(MergeSide::Upstream);
                tasks.push(Task::Done(c));
            }
            (None, Some(_)) => {
                let mut c = conflict(key, ConflictKind::ModifyDelete);
                c.deleted_by = Some(MergeSide::Fork);
                tasks.push(Task::Done(c));
            }
            (Some(fe), Some(ue)) => {
                if f.is_rename() && u.is_rename() && f.new_path != u.new_path {
                    for p in [&f.new_path, &u.new_path] {
                        let mut c = conflict(p, ConflictKind::RenameRename);
                        c.renamed_from = Some(key.clone());
                        tasks.push(Task::Done(c));
                    }
                    continue;
                }
                let (path, renamed_from) = if f.is_rename() {
                    (f.new_path.clone(), Some(key.clone()))
                } else if u.is_rename() {
                    (u.new_path.clone(), Some(key.clone()))
                } else {
                    (key.clone(), None)
                };
                tasks.push(Task::Merge(MergeTask {
                    path,
                    renamed_from,
                    base: f.old,
                    upstream: ue,
                    fork: fe,
                }));
            }
        }
    }
    // Additions on both sides at the same path, and upstream renames onto fork additions.
    for (path, fe) in &fork.added {
        if let Some(ue) = upstream.added.get(path) {
            tasks.push(Task::Merge(MergeTask {
                path: path.clone(),
                renamed_from: None,
                base: None,
                upstream: *ue,
                fork: *fe,
            }));
        } else if let Some(from) = upstream.renamed_to.get(path) {
            if !fork.changes.contains_key(from) && upstream.creates(path) != Some(*fe) {
                let mut c = conflict(path, ConflictKind::RenameAdd);
                c.renamed_from = Some(from.clone());
                tasks.push(Task::Done(c));
            }
        }
    }
    tasks
}

fn run_merge(
    repo: &Repo,
    store: &Store,
    t: MergeTask,
) -> Result<(Option<FileConflict>, Option<CleanMerge>)> {
    if t.upstream == t.fork {
        return Ok((
            None,
            Some(CleanMerge {
                path: t.path,
                identical: true,
                blobs: None,
            }),
        ));
    }
    let base_mode = t.base.map(|b| b.mode);
    // Both sides changed the mode, differently.
    if t.upstream.mode != t.fork.mode
        && Some(t.upstream.mode) != base_mode
        && Some(t.fork.mode) != base_mode
    {
        let mut c = conflict(&t.path, ConflictKind::Mode);
        c.renamed_from = t.renamed_from;
        return Ok((Some(c), None));
    }
    let base = match t.base {
        Some(b) => store.read(repo, b.oid)?,
        None => std::sync::Arc::new(Vec::new()),
    };
    let upstream = store.read(repo, t.upstream.oid)?;
    let fork = store.read(repo, t.fork.oid)?;
    let m = merge3(&base, &upstream, &fork)?;
    if m.is_clean() {
        let blobs = MergedBlobs {
            base: t.base.map(|b| b.oid),
            upstream: t.upstream.oid,
            fork: t.fork.oid,
            renamed_from: t.renamed_from.clone(),
        };
        return Ok((
            None,
            Some(CleanMerge {
                path: t.path,
                identical: false,
                blobs: Some(blobs),
            }),
        ));
    }
    let kind = if m.binary_conflict {
        ConflictKind::Binary
    } else if t.base.is_none() {
        ConflictKind::AddAdd
    } else {
        ConflictKind::Content
    };
    let mut c = conflict(&t.path, kind);
    c.renamed_from = t.renamed_from;
    c.hunks = m
        .conflicts
        .into_iter()
        .map(|lines| HunkReport {
            lines,
            upstream_commits: Vec::new(),
        })
        .collect();
    Ok((Some(c), None))
}
