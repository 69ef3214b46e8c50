//! Tree diffs and line counts, as `git diff` computes them: rename detection on (50% similarity,
//! renames only, limit 1000), line counts from xdiff (the diff engine git itself uses) on the
//! changed blobs only, binary files (a NUL byte in the first 8000 bytes) counted with 0 lines.
//! Blob pairs are diffed in parallel, one reopened repository per rayon worker.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Condvar, Mutex};

use git2::{Delta as GitDelta, DiffFindOptions, DiffOptions, Oid};
use rayon::prelude::*;

pub use super::similarity::Signatures;
use crate::error::Result;
use crate::repo::{git_error, Repo};
pub use crate::trees::{Delta, Pair, Side, Status, Trees, SUBMODULE};
use crate::trees::{OnFile, Walk};

/// Lines added/removed for one blob pair; binary pairs have 0 lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStat {
    pub added: u64,
    pub removed: u64,
    pub binary: bool,
}

/// git's default `diff.renameLimit`: above `limit × limit` rename candidates (deleted × added
/// files left after exact renames), git skips the similarity search.
pub const RENAME_LIMIT: usize = 1000;

/// The drift deltas from tree `old` to tree `new` as `git diff` reports them (docs/
/// architecture.md, "Renames"): the fast walk, then, when something is both deleted and added,
/// git's rename detection — exact renames (same blob, empty files included) first, then files
/// with the same unique basename (75 % similar), then, unless the candidates left exceed
/// [`RENAME_LIMIT`] squared, every remaining pair by similarity (50 %). Returns the deltas and,
/// when the limit cut the search short, the `diff.renameLimit` git would ask for. With a
/// `queue`, every change is handed to it as the walk meets it.
pub fn drift_deltas(
    repo: &Repo,
    old: Oid,
    new: Oid,
    queue: Option<&StatQueue>,
) -> Result<(Vec<Delta>, Option<usize>)> {
    deltas_and_renames(repo, old, new, None, queue)
}

/// [`drift_deltas`], keeping file signatures and similarity scores in `sigs` for the next
/// search (the trend's many searches over nearly the same files).
pub fn drift_deltas_with(
    repo: &Repo,
    old: Oid,
    new: Oid,
    sigs: Option<&mut Signatures>,
) -> Result<(Vec<Delta>, Option<usize>)> {
    deltas_and_renames(repo, old, new, sigs, None)
}

/// The walk (each modified file handed to `queue` as met; the queue is closed when the walk
/// ends, whatever its outcome), then rename detection.
fn deltas_and_renames(
    repo: &Repo,
    old: Oid,
    new: Oid,
    sigs: Option<&mut Signatures>,
    queue: Option<&StatQueue>,
) -> Result<(Vec<Delta>, Option<usize>)> {
    let fast = {
        let _closes = queue.map(StatQueue::closer);
        let tell = |pair: Pair| {
            if let Some(q) = queue {
                q.push(pair);
            }
        };
        let walk = Walk {
            on_file: queue.map(|_| OnFile(&tell)),
            ..Walk::default()
        };
        Trees::new(repo)
            .walk_changes(Some(old), Some(new), walk)?
            .unwrap_or_default()
    };
    if !could_rename(&fast) {
        return Ok((fast, None));
    }
    let (mut out, rest) = exact_renames(fast);
    let (mut rest, needed) = similar_renames(repo, old, new, rest, sigs)?;
    out.append(&mut rest);
    out.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    Ok((out, needed))
}

/// Line counts taken while the base → head walk is still running (docs/architecture.md, "The
/// drift's time line"): the walk hands over each change as it meets it ([`Walk::on_file`]), a
/// rayon worker counts them meanwhile, and the walk's own thread helps with what is left once
/// its walk and rename search are over. A file that rename detection then pairs was counted
/// for nothing (its rename is counted later, as before); every other count is the drift's.
#[derive(Default)]
pub struct StatQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    /// Pairs not yet taken.
    pairs: VecDeque<Pair>,
    /// Every pair pushed: a blob pair met at several paths (copies of one file) is counted
    /// once, as the drift's own counting dedups them.
    seen: HashSet<Pair>,
    /// The walk is over: no more pairs will come.
    closed: bool,
    /// Readers waiting for a pair (a push wakes one only then: a wake is a system call).
    waiting: usize,
}

/// Pairs a [`StatQueue`] reader takes at most at once: their blobs are held until counted.
const BATCH: usize = 4;

/// Closes its [`StatQueue`] when dropped (the walk's end, or its error).
struct Closer<'q>(&'q StatQueue);

impl Drop for Closer<'_> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.ready.notify_all();
    }
}

impl StatQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, pair: Pair) {
        let mut state = self.lock();
        if !state.seen.insert(pair) {
            return;
        }
        state.pairs.push_back(pair);
        if state.waiting > 0 {
            drop(state);
            self.ready.notify_one();
        }
    }

    fn closer(&self) -> Closer<'_> {
        Closer(self)
    }

    /// Up to [`BATCH`] pairs into `batch`, waiting for the walk while
    /// the queue is empty; `false` once the walk is over and the queue empty.
    fn next_batch(&self, batch: &mut Vec<Pair>) -> bool {
        let mut state = self.lock();
        loop {
            if !state.pairs.is_empty() {
                // Half of what waits, at most a batch: the last pairs (a few large files, say)
                // are shared between the readers instead of going to one.
                let n = (state.pairs.len() / 2).clamp(1, BATCH);
                batch.extend(state.pairs.drain(..n));
                return true;
            }
            if state.closed {
                return false;
            }
            state.waiting += 1;
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.waiting -= 1;
        }
    }

    /// Count pairs until the queue is closed and empty (one thread or several at once), a
    /// few at a time ([`batch_stats`]).
    pub fn drain(&self, repo: &Repo) -> Result<Vec<(Pair, LineStat)>> {
        let mut out = Vec::new();
        let mut batch = Vec::with_capacity(BATCH);
        while self.next_batch(&mut batch) {
            out.extend(batch_stats(repo, &batch)?);
            batch.clear();
        }
        Ok(out)
    }
}

/// Pair deleted and added files with the same blob id (and file type), as git's exact rename
/// detection: a same-basename source first, else the last one in path order.
fn exact_renames(deltas: Vec<Delta>) -> (Vec<Delta>, Vec<Delta>) {
    let kind = |s: Side| s.mode & 0o170000;
    let mut sources: HashMap<(Oid, u32), Vec<usize>> = HashMap::new();
    for (i, d) in deltas.iter().enumerate() {
        if let (Status::Deleted, Some(old)) = (d.status, d.old) {
            if old.mode != SUBMODULE {
                sources.entry((old.oid, kind(old))).or_default().push(i);
            }
        }
    }
    let mut used = vec![false; deltas.len()];
    let mut renames: Vec<(usize, usize)> = Vec::new();
    for (j, d) in deltas.iter().enumerate() {
        let (Status::Added, Some(new)) = (d.status, d.new) else {
            continue;
        };
        let Some(candidates) = sources.get(&(new.oid, kind(new))) else {
            continue;
        };
        let free = || candidates.iter().rev().filter(|&&i| !used[i]);
        let same_base = free().find(|&&i| basename(&deltas[i].path) == basename(&d.path));
        if let Some(&i) = same_base.or_else(|| free().next()) {
            used[i] = true;
            used[j] = true;
            renames.push((i, j));
        }
    }
    let mut out = Vec::new();
    for &(i, j) in &renames {
        out.push(Delta {
            status: Status::Renamed,
            path: deltas[j].path.clone(),
            old_path: Some(deltas[i].path.clone()),
            old: deltas[i].old,
            new: deltas[j].new,
        });
    }
    let rest = deltas
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|(_, d)| d)
        .collect();
    (out, rest)
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The similarity passes of git's rename detection over what exact renames left.
fn similar_renames(
    repo: &Repo,
    old: Oid,
    new: Oid,
    rest: Vec<Delta>,
    mut sigs: Option<&mut Signatures>,
) -> Result<(Vec<Delta>, Option<usize>)> {
    let is = |d: &Delta, s: Status| d.status == s && !d.is_submodule();
    let deleted: Vec<&Delta> = rest.iter().filter(|d| is(d, Status::Deleted)).collect();
    let added: Vec<&Delta> = rest.iter().filter(|d| is(d, Status::Added)).collect();
    if deleted.is_empty() || added.is_empty() {
        return Ok((rest, None));
    }
    // Under git's limit every pair is compared at 50 % (same-basename pairs included). Over
    // it, git still compares files whose basename is unique among the sources and among the
    // destinations, at a higher threshold, and skips the rest.
    let mut found = Vec::new();
    let mut needed = None;
    if deleted.len().saturating_mul(added.len()) <= RENAME_LIMIT * RENAME_LIMIT {
        let paths: Vec<&str> = deleted
            .iter()
            .chain(added.iter())
            .map(|d| d.path.as_str())
            .collect();
        found = similarity_renames(
            repo,
            old,
            new,
            &paths,
            50,
            RENAME_LIMIT,
            sigs.as_deref_mut(),
        )?;
    } else {
        let count = |side: &[&Delta]| {
            let mut count: HashMap<String, usize> = HashMap::new();
            for d in side {
                *count.entry(basename(&d.path).to_string()).or_default() += 1;
            }
            count
        };
        let (src_names, dst_names) = (count(&deleted), count(&added));
        let unique = |d: &&&Delta| {
            let name = basename(&d.path);
            src_names.get(name) == Some(&1) && dst_names.get(name) == Some(&1)
        };
        let paths: Vec<&str> = deleted
            .iter()
            .chain(added.iter())
            .filter(unique)
            .map(|d| d.path.as_str())
            .collect();
        if !paths.is_empty() {
            found = similarity_renames(repo, old, new, &paths, 75, RENAME_LIMIT, sigs)?;
        }
        let paired: HashSet<&str> = found
            .iter()
            .flat_map(|d| [d.path.as_str(), d.source_path()])
            .collect();
        let left = |side: &[&Delta]| {
            side.iter()
                .filter(|d| !paired.contains(d.path.as_str()))
                .count()
        };
        needed = Some(left(&deleted).max(left(&added)));
    }
    let paired: HashSet<String> = found
        .iter()
        .flat_map(|d| [d.path.clone(), d.source_path().to_string()])
        .collect();
    let mut out: Vec<Delta> = rest
        .into_iter()
        .filter(|d| {
            !(matches!(d.status, Status::Added | Status::Deleted) && paired.contains(&d.path))
        })
        .collect();
    out.extend(found);
    Ok((out, needed))
}

/// libgit2's similarity rename detection on the diff from tree `old` to tree `new` limited to
/// `paths` (deleted and added files), at `threshold` percent, examining at most `limit`
/// sources per destination; only the renames it pairs. The one rename scorer: the drift's
/// (`git diff`) and the merge's (`git merge`, [`crate::rebase::tree`]) renames both come here.
/// With `sigs`, signatures and scores come from (and go to) that cache.
pub fn similarity_renames(
    repo: &Repo,
    old: Oid,
    new: Oid,
    paths: &[&str],
    threshold: u16,
    limit: usize,
    sigs: Option<&mut Signatures>,
) -> Result<Vec<Delta>> {
    let git = repo.git();
    let find = |oid: Oid| {
        git.find_tree(oid)
            .map_err(|e| git_error(format!("reading tree {oid}"), e))
    };
    let (old_tree, new_tree) = (find(old)?, find(new)?);
    let mut opts = DiffOptions::new();
    opts.skip_binary_check(true).disable_pathspec_match(true);
    for p in paths {
        opts.pathspec(*p);
    }
    let mut diff = git
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), Some(&mut opts))
        .map_err(|e| git_error("comparing trees", e))?;
    let mut find = DiffFindOptions::new();
    find.renames(true)
        .rename_threshold(threshold)
        .rename_limit(limit);
    let mut metric = super::similarity::Metric::default();
    if let Some(sigs) = sigs {
        sigs.install(&mut find, &mut metric);
    }
    diff.find_similar(Some(&mut find))
        .map_err(|e| git_error("detecting renames", e))?;
    let path_of = |f: git2::DiffFile<'_>| {
        f.path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default()
    };
    let side = |f: git2::DiffFile<'_>| Side {
        oid: f.id(),
        mode: u32::from(f.mode()),
    };
    Ok(diff
        .deltas()
        .filter(|d| d.status() == GitDelta::Renamed)
        .map(|d| Delta {
            status: Status::Renamed,
            path: path_of(d.new_file()),
            old_path: Some(path_of(d.old_file())),
            old: Some(side(d.old_file())),
            new: Some(side(d.new_file())),
        })
        .collect())
}

/// Whether rename detection could pair anything: some path deleted and some path added.
pub fn could_rename(deltas: &[Delta]) -> bool {
    deltas.iter().any(|d| d.status == Status::Added)
        && deltas.iter().any(|d| d.status == Status::Deleted)
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
        let new_blob = if needs_new(old, new) {
            load(repo, new)?
        } else {
            None
        };
        out.push((
            (old, new),
            stat_of(old, new, old_blob.as_ref(), new_blob.as_ref())?,
        ));
    }
    Ok(out)
}

/// Line counts of pairs taken together: every old side read first, then every new side. The
/// base's blobs and the fork's often live in different packs, and libgit2 looks an object up
/// first in the pack it found the last one in (a miss there costs it a formatted error): read
/// pair by pair, nearly every read would miss once.
fn batch_stats(repo: &Repo, pairs: &[Pair]) -> Result<Vec<(Pair, LineStat)>> {
    let olds = pairs
        .iter()
        .map(|&(old, _)| load(repo, old))
        .collect::<Result<Vec<_>>>()?;
    let news = pairs
        .iter()
        .map(|&(old, new)| {
            if needs_new(old, new) {
                load(repo, new)
            } else {
                Ok(None)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    pairs
        .iter()
        .zip(olds.iter().zip(&news))
        .map(|(&(old, new), (o, n))| Ok(((old, new), stat_of(old, new, o.as_ref(), n.as_ref())?)))
        .collect()
}

fn is_submodule(side: Option<Side>) -> bool {
    side.is_some_and(|s| s.mode == SUBMODULE)
}

/// Whether [`stat_of`] reads the new side's blob (not for an unchanged blob).
fn needs_new(old: Option<Side>, new: Option<Side>) -> bool {
    is_submodule(old) || is_submodule(new) || old.map(|s| s.oid) != new.map(|s| s.oid)
}

/// The line counts of one pair from its blobs as [`load`] reads them (`new_blob` read only when
/// [`needs_new`]).
fn stat_of(
    old: Option<Side>,
    new: Option<Side>,
    old_blob: Option<&git2::Blob<'_>>,
    new_blob: Option<&git2::Blob<'_>>,
) -> Result<LineStat> {
    if is_submodule(old) || is_submodule(new) {
        // git prints one "Subproject commit <id>" line per submodule side; a file replaced by a
        // submodule (or the reverse) is a deletion plus an addition, so the file's own lines
        // count too (a binary file makes the pair binary, as in `git diff --numstat`).
        let blob = count(old_blob, new_blob)?;
        return Ok(if blob.binary {
            blob
        } else {
            LineStat {
                added: blob.added + u64::from(is_submodule(new)),
                removed: blob.removed + u64::from(is_submodule(old)),
                binary: false,
            }
        });
    }
    if old.map(|s| s.oid) == new.map(|s| s.oid) {
        return Ok(LineStat::default());
    }
    count(old_blob, new_blob)
}

/// libgit2's (and git's) binary test: a NUL byte in the first 8000 bytes.
const BINARY_CHECK: usize = 8000;
/// libgit2 treats larger files as binary (`DIFF_MAX_FILESIZE`).
const MAX_TEXT_SIZE: usize = 0x2000_0000;

/// The one binary test of forkcheck, git's: a NUL byte in the first 8000 bytes (or more than
/// 512 MiB, which libgit2 never diffs as text). Line counts, patch-ids, merges, theme
/// comparisons and configuration parsing all use it.
pub fn is_binary(content: &[u8]) -> bool {
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
    // git's xdiff on the buffers themselves (see `xdiff`: no hashing, no patch object).
    let (added, removed) =
        super::xdiff::line_counts(old, new).map_err(|_| xdiff_failed("counting lines"))?;
    Ok(LineStat {
        added,
        removed,
        binary: false,
    })
}

/// xdiff refused (a file over 1 GiB) or ran out of memory: a git error, as libgit2's patch
/// API reported it before.
fn xdiff_failed(context: &str) -> crate::Error {
    git_error(
        context,
        git2::Error::from_str("the diff engine failed: a file over 1 GiB, or out of memory"),
    )
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

/// A changed region of a line diff: old lines `[o0, o1)` became new lines `[n0, n1)` (0-based,
/// half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hunk {
    pub o0: usize,
    pub o1: usize,
    pub n0: usize,
    pub n1: usize,
}

/// Split into lines, each keeping its `\n` (the last one may have none).
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            out.push(&data[start..=i]);
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push(&data[start..]);
    }
    out
}

/// The changed regions from `old` to `new`: libgit2's xdiff (git's engine and defaults, no
/// context lines) — the one line-diff engine of forkcheck (line counts, merges, patch-ids,
/// theme divergence).
pub fn line_hunks(old: &[u8], new: &[u8]) -> Result<Vec<Hunk>> {
    if old == new {
        return Ok(Vec::new());
    }
    let regions =
        super::xdiff::regions(old, new).map_err(|_| xdiff_failed("diffing file contents"))?;
    Ok(regions
        .into_iter()
        .map(|r| Hunk {
            o0: r.start_a,
            o1: r.start_a + r.count_a,
            n0: r.start_b,
            n1: r.start_b + r.count_b,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(byte: u8) -> Option<Side> {
        Some(Side {
            oid: Oid::from_bytes(&[byte; 20]).unwrap(),
            mode: 0o100644,
        })
    }

    /// A blob pair met at several paths (vendored copies of one file) is queued once, as the
    /// drift's own counting dedups pairs; the queue hands out at most a batch at a time and
    /// ends once closed and empty.
    #[test]
    fn the_queue_takes_each_pair_once_and_ends_when_closed() {
        let q = StatQueue::default();
        {
            let _closes = q.closer();
            for _ in 0..3 {
                q.push((None, side(1)));
            }
            for b in 2..12 {
                q.push((side(b), side(b + 100)));
            }
        }
        let mut taken = Vec::new();
        let mut batch = Vec::new();
        while q.next_batch(&mut batch) {
            assert!(batch.len() <= BATCH);
            taken.append(&mut batch);
        }
        assert_eq!(taken.len(), 11, "one (None, 1) and ten other pairs");
        assert_eq!(taken[0], (None, side(1)));
        assert!(!q.next_batch(&mut batch), "closed and empty stays so");
    }
}
