//! Tree diffs and line counts, as `git diff` computes them: rename detection on (50% similarity,
//! renames only, limit 1000), line counts from xdiff (the diff engine git itself uses) on the
//! changed blobs only, binary files (a NUL byte in the first 8000 bytes) counted with 0 lines.
//! Blob pairs are diffed in parallel, one reopened repository per rayon worker.

use std::collections::HashMap;

use git2::{Delta as GitDelta, Diff, DiffFindOptions, DiffFlags, DiffOptions, Oid, Patch};
use rayon::prelude::*;

use crate::error::Result;
use crate::repo::{git_error, Repo};
pub use crate::trees::{Delta, Pair, Side, Status, Trees};

const SUBMODULE: u32 = 0o160000;

/// Lines added/removed for one blob pair; binary pairs have 0 lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStat {
    pub added: u64,
    pub removed: u64,
    pub binary: bool,
}

/// The changes from tree `old` (empty when `None`) to tree `new`. `renames`: pair deleted and
/// added files as git's default rename detection does.
pub fn tree_diff(repo: &Repo, old: Option<Oid>, new: Oid, renames: bool) -> Result<Vec<Delta>> {
    let git = repo.git();
    let find = |oid: Oid| {
        git.find_tree(oid)
            .map_err(|e| git_error(format!("reading tree {oid}"), e))
    };
    let old_tree = old.map(find).transpose()?;
    let new_tree = find(new)?;
    let mut opts = DiffOptions::new();
    opts.include_typechange(true).skip_binary_check(true);
    let mut diff = git
        .diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut opts))
        .map_err(|e| git_error("comparing trees", e))?;
    if renames {
        find_renames(&mut diff)?;
    }
    let mut out = Vec::with_capacity(diff.deltas().len());
    for delta in diff.deltas() {
        let status = match delta.status() {
            GitDelta::Added => Status::Added,
            GitDelta::Deleted => Status::Deleted,
            GitDelta::Modified => Status::Modified,
            GitDelta::Renamed => Status::Renamed,
            GitDelta::Typechange => Status::TypeChanged,
            _ => continue,
        };
        let side = |f: git2::DiffFile<'_>| {
            (!f.id().is_zero()).then(|| Side {
                oid: f.id(),
                mode: u32::from(f.mode()),
            })
        };
        let path_of = |f: git2::DiffFile<'_>| {
            f.path_bytes()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        };
        let old_path = path_of(delta.old_file());
        let new_path = path_of(delta.new_file());
        let path = match status {
            Status::Deleted => old_path.clone(),
            _ => new_path,
        }
        .unwrap_or_default();
        out.push(Delta {
            status,
            old_path: (status == Status::Renamed).then_some(old_path).flatten(),
            path,
            old: side(delta.old_file()),
            new: side(delta.new_file()),
        });
    }
    Ok(out)
}

/// The drift deltas from tree `old` to tree `new` as `git diff` reports them: the fast walk,
/// and libgit2's rename detection only when something is both deleted and added.
pub fn drift_deltas(repo: &Repo, old: Oid, new: Oid) -> Result<Vec<Delta>> {
    let fast = Trees::new(repo).changes(Some(old), new)?;
    if could_rename(&fast) {
        return tree_diff(repo, Some(old), new, true);
    }
    Ok(fast)
}

/// Whether rename detection could pair anything: some path deleted and some path added.
pub fn could_rename(deltas: &[Delta]) -> bool {
    deltas.iter().any(|d| d.status == Status::Added)
        && deltas.iter().any(|d| d.status == Status::Deleted)
}

/// git's defaults: `diff.renames = true` (renames, not copies), 50% similarity, limit 1000.
fn find_renames(diff: &mut Diff<'_>) -> Result<()> {
    let mut find = DiffFindOptions::new();
    find.renames(true).rename_threshold(50).rename_limit(1000);
    diff.find_similar(Some(&mut find))
        .map_err(|e| git_error("detecting renames", e))
}

fn load(repo: &Repo, side: Option<Side>) -> Result<Option<git2::Blob<'_>>> {
    side.filter(|s| s.mode != SUBMODULE)
        .map(|s| {
            repo.git()
                .find_blob(s.oid)
                .map_err(|e| git_error("counting the lines of the drift", e))
        })
        .transpose()
}

/// Line counts of pairs that all have the same old side (read once).
fn group_stats(repo: &Repo, group: &[Pair]) -> Result<Vec<(Pair, LineStat)>> {
    let Some(&(old, _)) = group.first() else {
        return Ok(Vec::new());
    };
    let old_blob = load(repo, old)?;
    let mut out = Vec::with_capacity(group.len());
    for &(old, new) in group {
        let is_sub = |s: Option<Side>| s.is_some_and(|s| s.mode == SUBMODULE);
        let stat = if is_sub(old) || is_sub(new) {
            // git prints one "Subproject commit <id>" line per submodule side; a file replaced
            // by a submodule (or the reverse) is a deletion plus an addition, so the file's own
            // lines count too (a binary file makes the pair binary, as in `git diff --numstat`).
            let new_blob = load(repo, new)?;
            let blob = count(old_blob.as_ref(), new_blob.as_ref())?;
            if blob.binary {
                blob
            } else {
                LineStat {
                    added: blob.added + u64::from(is_sub(new)),
                    removed: blob.removed + u64::from(is_sub(old)),
                    binary: false,
                }
            }
        } else if old.map(|s| s.oid) == new.map(|s| s.oid) {
            LineStat::default()
        } else {
            let new_blob = load(repo, new)?;
            count(old_blob.as_ref(), new_blob.as_ref())?
        };
        out.push(((old, new), stat));
    }
    Ok(out)
}

/// libgit2's (and git's) binary test: a NUL byte in the first 8000 bytes.
const BINARY_CHECK: usize = 8000;
/// libgit2 treats larger files as binary (`DIFF_MAX_FILESIZE`).
const MAX_TEXT_SIZE: usize = 0x2000_0000;

fn is_binary(content: &[u8]) -> bool {
    content.len() > MAX_TEXT_SIZE || content[..content.len().min(BINARY_CHECK)].contains(&0)
}

/// Lines added and removed from `old` to `new` (xdiff, as git); 0 for binary content.
fn count(old: Option<&git2::Blob<'_>>, new: Option<&git2::Blob<'_>>) -> Result<LineStat> {
    let old = old.map_or(&[][..], |b| b.content());
    let new = new.map_or(&[][..], |b| b.content());
    if is_binary(old) || is_binary(new) {
        return Ok(LineStat {
            binary: true,
            ..LineStat::default()
        });
    }
    // A whole file added or removed: every line of it, the last one even without a newline
    // (xdiff's records); no diff needed.
    let lines = |c: &[u8]| {
        let newlines = c.iter().filter(|&&b| b == b'\n').count() as u64;
        newlines + u64::from(c.last().is_some_and(|&b| b != b'\n'))
    };
    if old.is_empty() || new.is_empty() {
        return Ok(LineStat {
            added: lines(new),
            removed: lines(old),
            binary: false,
        });
    }
    // Plain buffers, not blobs: a blob patch looks up the path's attributes (index reads).
    let mut opts = DiffOptions::new();
    opts.context_lines(0).interhunk_lines(0);
    let patch = Patch::from_buffers(old, None, new, None, Some(&mut opts))
        .map_err(|e| git_error("comparing blobs", e))?;
    if patch.delta().flags().contains(DiffFlags::BINARY) {
        return Ok(LineStat {
            binary: true,
            ..LineStat::default()
        });
    }
    let (_, added, removed) = patch
        .line_stats()
        .map_err(|e| git_error("counting lines", e))?;
    Ok(LineStat {
        added: added as u64,
        removed: removed as u64,
        binary: false,
    })
}

/// Line counts of every pair in `pairs` not yet in `cache`, computed in parallel; pairs with
/// the same old blob (a base file changed several times along the trend) read it once.
pub fn fill_stats(
    repo: &Repo,
    pairs: Vec<Pair>,
    cache: &mut HashMap<Pair, LineStat>,
) -> Result<()> {
    let mut todo: Vec<Pair> = pairs
        .into_iter()
        .filter(|p| !cache.contains_key(p))
        .collect();
    todo.sort_by_key(|(o, n)| (o.map(|s| (s.oid, s.mode)), n.map(|s| (s.oid, s.mode))));
    todo.dedup();
    let same_old = |a: &Pair, b: &Pair| a.0.is_some() && a.0 == b.0;
    if todo.len() < 16 {
        for group in todo.chunk_by(same_old) {
            cache.extend(group_stats(repo, group)?);
        }
        return Ok(());
    }
    let handle = repo.handle();
    let results: Vec<Result<Vec<(Pair, LineStat)>>> = todo
        .par_chunk_by(same_old)
        .map(|group| handle.with(|repo| group_stats(repo, group)))
        .collect();
    for result in results {
        cache.extend(result?);
    }
    Ok(())
}

/// [`Trees::changes`] for many (old, new) tree pairs: contiguous chunks (consecutive commits
/// share most trees) walked in parallel, one reopened repository and tree cache per chunk.
pub fn changes_parallel(repo: &Repo, jobs: &[(Option<Oid>, Oid)]) -> Result<Vec<Vec<Delta>>> {
    let threads = rayon::current_num_threads().max(1);
    if jobs.len() < 32 || threads == 1 {
        let mut trees = Trees::new(repo);
        return jobs
            .iter()
            .map(|(old, new)| trees.changes(*old, *new))
            .collect();
    }
    let handle = repo.handle();
    // A few chunks per thread, so an idle thread can pick one up (each chunk re-reads the
    // trees at its start: a handful).
    let chunk = jobs.len().div_ceil(threads * 4).max(8);
    let parts: Vec<Result<Vec<Vec<Delta>>>> = jobs
        .par_chunks(chunk)
        .map(|part| {
            handle.with(|repo| {
                let mut trees = Trees::new(repo);
                part.iter()
                    .map(|(old, new)| trees.changes(*old, *new))
                    .collect()
            })
        })
        .collect();
    let mut out = Vec::with_capacity(jobs.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}
