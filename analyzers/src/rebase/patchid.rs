//! Stable patch-ids, computed the way git does (`diff.c: diff_get_patch_id`, which `git cherry`,
//! `git rebase` and `git patch-id --stable` share since git 2.39), so our matches agree with
//! `git cherry`:
//!
//! - the commit is diffed against its (only) parent, no rename detection, recursive;
//! - per file pair: `diff--git`, `a/<old path>`, `b/<new path>`, then `newfilemode<mode>`,
//!   `deletedfilemode<mode>` or `oldmode<m>newmode<m>` (modes as `%06o`), then for text files
//!   `---a/<old>` / `---/dev/null` and `+++b/<new>` / `+++/dev/null` followed by every emitted diff
//!   line (3 lines of context, no hunk headers, `\ No newline` lines skipped), for binary files
//!   the hex ids of both blobs; all with whitespace (space, tab, CR, LF) removed;
//! - each file's SHA-1 is added into the result as a 20-byte little-endian sum with carry, so
//!   the id does not depend on file order ("stable").
//!
//! Merge commits have no patch-id (git skips them too). The line diff is libgit2's xdiff, the
//! same engine and defaults (Myers, no indent heuristic) as git's patch-id computation.

use git2::{DiffLineType, DiffOptions, Oid, Patch};

use std::sync::Arc;

use super::store::Store;
use crate::error::{Error, Result};
use crate::repo::Repo;
use crate::trees::{Delta, Trees, Walk};

/// A 20-byte stable patch-id.
pub type PatchId = [u8; 20];

pub fn to_hex(id: &PatchId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// The paths a commit changes relative to `parent` (or the empty tree), without renames, a
/// type change as a deletion plus an addition (what git hashes); submodules are left out.
pub fn commit_changes(repo: &Repo, parent: Option<Oid>, commit: Oid) -> Result<Vec<Delta>> {
    let mut trees = Trees::new(repo);
    Ok(commit_changes_within(&mut trees, parent, commit, None)?.unwrap_or_default())
}

/// [`commit_changes`], or `None` as soon as the commit touches a path outside `allow` (a set
/// from [`crate::trees::allowed_paths`]).
/// `trees` is the caller's tree cache: neighbouring commits share most of their trees.
pub fn commit_changes_within(
    trees: &mut Trees<'_>,
    parent: Option<Oid>,
    commit: Oid,
    allow: Option<&std::collections::HashSet<String>>,
) -> Result<Option<Vec<Delta>>> {
    let repo = trees.repo();
    let new_tree = repo.find_commit(commit)?.tree_id();
    let old_tree = match parent {
        Some(p) => Some(repo.find_commit(p)?.tree_id()),
        None => None,
    };
    let walk = Walk {
        split_type_changes: true,
        allow,
        stop_outside: true,
        cancel: None,
        on_file: None,
    };
    let Some(raw) = trees.walk_changes(old_tree, Some(new_tree), walk)? else {
        return Ok(None);
    };
    // Submodules are skipped: git hashes "Subproject commit" text for them; forks of
    // edx-platform do not use them, and we cannot read their content.
    Ok(Some(
        raw.into_iter().filter(|c| !c.is_submodule()).collect(),
    ))
}

/// A cheap key that equal patch-ids always share: the changed paths and mode transitions
/// (git's "header-only" patch-id plays the same role). Sorted, so order-independent.
pub fn header_key(changes: &[Delta]) -> Vec<(String, u32, u32)> {
    let mut key: Vec<(String, u32, u32)> = changes
        .iter()
        .map(|c| (c.path.clone(), c.old_mode(), c.new_mode()))
        .collect();
    key.sort();
    key
}

/// The fields of one file pair that a patch-id hashes.
struct Header<'a> {
    old_path: &'a str,
    new_path: &'a str,
    old_mode: u32,
    new_mode: u32,
    old_id: Oid,
    new_id: Oid,
}

/// The stable patch-id of a set of file changes; `None` when there is no change (git prints
/// nothing for such commits and `git cherry` never matches them).
pub fn patch_id(repo: &Repo, store: &Store, changes: &[Delta]) -> Result<Option<PatchId>> {
    let mut result = [0u8; 20];
    let mut any = false;
    for d in changes {
        let c = Header {
            old_path: d.source_path(),
            new_path: &d.path,
            old_mode: d.old_mode(),
            new_mode: d.new_mode(),
            old_id: d.old_id(),
            new_id: d.new_id(),
        };
        if c.old_mode == c.new_mode && c.old_id == c.new_id {
            continue;
        }
        any = true;
        let mut h = sha1_smol::Sha1::new();
        h.update(b"diff--git");
        h.update(b"a/");
        h.update(&strip_ws(c.old_path.as_bytes()));
        h.update(b"b/");
        h.update(&strip_ws(c.new_path.as_bytes()));
        if c.old_mode == 0 {
            h.update(b"newfilemode");
            h.update(format!("{:06o}", c.new_mode).as_bytes());
        } else if c.new_mode == 0 {
            h.update(b"deletedfilemode");
            h.update(format!("{:06o}", c.old_mode).as_bytes());
        } else if c.old_mode != c.new_mode {
            h.update(b"oldmode");
            h.update(format!("{:06o}", c.old_mode).as_bytes());
            h.update(b"newmode");
            h.update(format!("{:06o}", c.new_mode).as_bytes());
        }
        let old = read_side(repo, store, c.old_mode, c.old_id)?;
        let new = read_side(repo, store, c.new_mode, c.new_id)?;
        if super::diff3::is_binary(&old) || super::diff3::is_binary(&new) {
            // git hashes the full hex ids (the null id for a missing side).
            let hex = |mode: u32, id: Oid| {
                if mode == 0 {
                    Oid::zero().to_string()
                } else {
                    id.to_string()
                }
            };
            h.update(hex(c.old_mode, c.old_id).as_bytes());
            h.update(hex(c.new_mode, c.new_id).as_bytes());
        } else {
            if c.old_mode == 0 {
                h.update(b"---/dev/null");
                h.update(b"+++b/");
                h.update(&strip_ws(c.new_path.as_bytes()));
            } else if c.new_mode == 0 {
                h.update(b"---a/");
                h.update(&strip_ws(c.old_path.as_bytes()));
                h.update(b"+++/dev/null");
            } else {
                h.update(b"---a/");
                h.update(&strip_ws(c.old_path.as_bytes()));
                h.update(b"+++b/");
                h.update(&strip_ws(c.new_path.as_bytes()));
            }
            hash_lines(&mut h, &old, &new)?;
        }
        add_with_carry(&mut result, &h.digest().bytes());
    }
    Ok(any.then_some(result))
}

fn read_side(repo: &Repo, store: &Store, mode: u32, id: Oid) -> Result<Arc<Vec<u8>>> {
    if mode == 0 || id.is_zero() {
        return Ok(Arc::new(Vec::new()));
    }
    store.read(repo, id)
}

/// Feed every emitted diff line (origin + content, whitespace removed) into `h`.
fn hash_lines(h: &mut sha1_smol::Sha1, old: &[u8], new: &[u8]) -> Result<()> {
    if old == new {
        return Ok(());
    }
    let mut opts = DiffOptions::new();
    opts.context_lines(3).interhunk_lines(0).force_text(true);
    let patch = Patch::from_buffers(old, None, new, None, Some(&mut opts))
        .map_err(|e| Error::git("diffing for a patch-id", e))?;
    for hi in 0..patch.num_hunks() {
        let n = patch
            .num_lines_in_hunk(hi)
            .map_err(|e| Error::git("reading a diff hunk", e))?;
        for li in 0..n {
            let line = patch
                .line_in_hunk(hi, li)
                .map_err(|e| Error::git("reading a diff line", e))?;
            let origin: &[u8] = match line.origin_value() {
                DiffLineType::Context => b"",
                DiffLineType::Addition => b"+",
                DiffLineType::Deletion => b"-",
                // "\ No newline at end of file" markers: git skips them.
                _ => continue,
            };
            h.update(origin);
            h.update(&strip_ws(line.content()));
        }
    }
    Ok(())
}

/// git's `remove_space`: drop space, tab, LF and CR (git's `isspace`).
fn strip_ws(s: &[u8]) -> Vec<u8> {
    s.iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .collect()
}

/// git's `flush_one_hunk`: 20-byte little-endian addition with carry.
fn add_with_carry(acc: &mut [u8; 20], add: &[u8; 20]) {
    let mut carry: u16 = 0;
    for i in 0..20 {
        carry += u16::from(acc[i]) + u16::from(add[i]);
        acc[i] = (carry & 0xff) as u8;
        carry >>= 8;
    }
}

/// The stable patch-id of a non-merge commit (against its parent, or the empty tree for a root
/// commit); `None` for merges and commits without changes.
pub fn commit_patch_id(repo: &Repo, commit: Oid) -> Result<Option<PatchId>> {
    let c = repo.find_commit(commit)?;
    if c.parent_count() > 1 {
        return Ok(None);
    }
    let parent = c.parent_ids().next();
    let changes = commit_changes(repo, parent, commit)?;
    patch_id(repo, &Store::default(), &changes)
}
