//! A top-down tree comparison: two trees are walked side by side and a subtree whose id is the
//! same on both sides is skipped without being read (what git's `diff_tree` does). libgit2's
//! tree-to-tree diff walks every entry of both trees through its iterators, which on a
//! 20k-file tree costs milliseconds per commit; this reads only the trees on changed paths.
//!
//! The result is what `git_diff_tree_to_tree` without rename detection gives: one change per
//! changed file in path order, a change of file type (regular file ↔ symlink ↔ submodule)
//! split into a deletion and an addition, a file replaced by a directory (or back) as the
//! file's deletion or addition plus the directory's files.

use std::collections::HashSet;

use git2::Oid;

use crate::error::Result;
use crate::repo::{git_error, Repo};

/// One changed path: (path, old mode, old id, new mode, new id); mode 0 = absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChange {
    pub path: String,
    pub old_mode: u32,
    pub old_id: Oid,
    pub new_mode: u32,
    pub new_id: Oid,
}

const TREE: u32 = 0o040000;
const SUBMODULE: u32 = 0o160000;

/// An entry of one tree level: name, mode, id.
struct Ent<'d> {
    name: &'d [u8],
    mode: u32,
    id: Oid,
}

/// libgit2's `normalize_filemode` (what `TreeEntry::filemode` reports).
fn normalize_mode(m: u32) -> u32 {
    match m & 0o170000 {
        TREE => TREE,
        _ if m & 0o111 != 0 => 0o100755,
        SUBMODULE => SUBMODULE,
        0o120000 => 0o120000,
        _ => 0o100644,
    }
}

/// Parse a raw tree object (`<octal mode> <name>\0<20-byte id>`, repeated) without copying.
fn parse_tree(id: Oid, data: &[u8]) -> Result<Vec<Ent<'_>>> {
    let bad = || crate::Error::corrupt(format!("tree object {id} is malformed"), None);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let sp = rest.iter().position(|b| *b == b' ').ok_or_else(bad)?;
        let mut mode = 0u32;
        for c in &rest[..sp] {
            if !(b'0'..=b'7').contains(c) {
                return Err(bad());
            }
            mode = mode.checked_mul(8).ok_or_else(bad)? + u32::from(c - b'0');
        }
        let after = &rest[sp + 1..];
        let nul = after.iter().position(|b| *b == 0).ok_or_else(bad)?;
        let raw_id = after.get(nul + 1..nul + 21).ok_or_else(bad)?;
        out.push(Ent {
            name: &after[..nul],
            mode: normalize_mode(mode),
            id: Oid::from_bytes(raw_id).map_err(|_| bad())?,
        });
        rest = &after[nul + 21..];
    }
    Ok(out)
}

fn parse_opt<'d>(o: &'d Option<git2::OdbObject<'_>>) -> Result<Vec<Ent<'d>>> {
    match o {
        Some(o) => parse_tree(o.id(), o.data()),
        None => Ok(Vec::new()),
    }
}

/// git's tree order: names compared as bytes, a directory's name followed by `/`.
fn tree_cmp(a: &Ent<'_>, b: &Ent<'_>) -> std::cmp::Ordering {
    let key = |e: &Ent<'_>, i: usize| -> Option<u8> {
        match e.name.get(i) {
            Some(c) => Some(*c),
            None if e.mode == TREE && i == e.name.len() => Some(b'/'),
            None => None,
        }
    };
    let n = a.name.len().max(b.name.len()) + 1;
    for i in 0..n {
        match (key(a, i), key(b, i)) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => return x.cmp(&y),
        }
    }
    std::cmp::Ordering::Equal
}

fn type_of(mode: u32) -> u32 {
    mode & 0o170000
}

struct Walker<'r, 'a> {
    odb: &'a git2::Odb<'r>,
    out: Vec<RawChange>,
    /// Paths (files, and directories with a trailing `/`) a change may touch; a change
    /// anywhere else stops the walk (`rejected`).
    allow: Option<&'a HashSet<String>>,
    rejected: bool,
    /// Leave out changes outside `allow` instead of giving up.
    skip_outside: bool,
}

impl<'r, 'a> Walker<'r, 'a> {
    fn tree(&self, id: Option<Oid>) -> Result<Option<git2::OdbObject<'a>>> {
        let Some(id) = id else { return Ok(None) };
        let obj = self
            .odb
            .read(id)
            .map_err(|e| git_error(format!("reading tree {id}"), e))?;
        if obj.kind() != git2::ObjectType::Tree {
            return Err(crate::Error::corrupt(format!("{id} is not a tree"), None));
        }
        Ok(Some(obj))
    }

    fn file(&mut self, path: String, old: Option<&Ent<'_>>, new: Option<&Ent<'_>>) {
        let (old_mode, old_id) = old.map(|e| (e.mode, e.id)).unwrap_or((0, Oid::zero()));
        let (new_mode, new_id) = new.map(|e| (e.mode, e.id)).unwrap_or((0, Oid::zero()));
        self.out.push(RawChange {
            path,
            old_mode,
            old_id,
            new_mode,
            new_id,
        });
    }

    /// Compare two (optional) trees under `prefix` (empty or ending in `/`).
    fn walk(&mut self, prefix: &str, old: Option<Oid>, new: Option<Oid>) -> Result<()> {
        if old == new {
            return Ok(());
        }
        let (old_obj, new_obj) = (self.tree(old)?, self.tree(new)?);
        let (a, b) = (parse_opt(&old_obj)?, parse_opt(&new_obj)?);
        let (mut i, mut j) = (0, 0);
        while (i < a.len() || j < b.len()) && !self.rejected {
            let ord = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => tree_cmp(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match ord {
                std::cmp::Ordering::Less => {
                    self.one(prefix, Some(&a[i]), None)?;
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.one(prefix, None, Some(&b[j]))?;
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    self.one(prefix, Some(&a[i]), Some(&b[j]))?;
                    i += 1;
                    j += 1;
                }
            }
        }
        Ok(())
    }

    /// One name present on one or both sides (same kind when both: tree order keeps a file
    /// and a directory of the same name apart).
    fn one(&mut self, prefix: &str, old: Option<&Ent<'_>>, new: Option<&Ent<'_>>) -> Result<()> {
        let name = old.or(new).map(|e| e.name).unwrap_or_default();
        let path = format!("{prefix}{}", String::from_utf8_lossy(name));
        let is_tree = |e: Option<&Ent<'_>>| e.is_some_and(|e| e.mode == TREE);
        if is_tree(old) || is_tree(new) {
            if old.map(|e| e.id) == new.map(|e| e.id) {
                return Ok(());
            }
            let sub = format!("{path}/");
            if self.allow.is_some_and(|a| !a.contains(&sub)) {
                self.rejected = !self.skip_outside;
                return Ok(());
            }
            return self.walk(&sub, old.map(|e| e.id), new.map(|e| e.id));
        }
        let submodule = |e: Option<&Ent<'_>>| e.is_some_and(|e| e.mode == SUBMODULE);
        match (old, new) {
            (Some(o), Some(n)) if o.id == n.id && o.mode == n.mode => {}
            // Outside the allowed paths (submodules do not count: callers drop them).
            _ if !submodule(old)
                && !submodule(new)
                && self.allow.is_some_and(|a| !a.contains(&path)) =>
            {
                self.rejected = !self.skip_outside;
            }
            (Some(o), Some(n)) if type_of(o.mode) != type_of(n.mode) => {
                self.file(path.clone(), Some(o), None);
                self.file(path, None, Some(n));
            }
            _ => self.file(path, old, new),
        }
        Ok(())
    }
}

/// The files that differ between two trees (`None`: the empty tree), in path order.
pub fn diff_trees(repo: &Repo, old: Option<Oid>, new: Option<Oid>) -> Result<Vec<RawChange>> {
    Ok(diff_trees_within(repo, old, new, None)?.unwrap_or_default())
}

/// [`diff_trees`], giving up (`None`) as soon as a change touches a path outside `allow`
/// (see [`allowed_paths`]): only the trees on allowed paths are ever read.
pub fn diff_trees_within(
    repo: &Repo,
    old: Option<Oid>,
    new: Option<Oid>,
    allow: Option<&HashSet<String>>,
) -> Result<Option<Vec<RawChange>>> {
    walk_limited(repo, old, new, allow, false)
}

/// [`diff_trees`] limited to `allow`: changes elsewhere are left out, and the trees outside
/// are never read.
pub fn diff_trees_only(
    repo: &Repo,
    old: Option<Oid>,
    new: Option<Oid>,
    allow: &HashSet<String>,
) -> Result<Vec<RawChange>> {
    Ok(walk_limited(repo, old, new, Some(allow), true)?.unwrap_or_default())
}

fn walk_limited(
    repo: &Repo,
    old: Option<Oid>,
    new: Option<Oid>,
    allow: Option<&HashSet<String>>,
    skip_outside: bool,
) -> Result<Option<Vec<RawChange>>> {
    let odb = repo
        .git()
        .odb()
        .map_err(|e| git_error("opening the object database", e))?;
    let mut w = Walker {
        odb: &odb,
        out: Vec::new(),
        allow,
        rejected: false,
        skip_outside,
    };
    w.walk("", old, new)?;
    if w.rejected {
        return Ok(None);
    }
    // Tree order and path order differ where a file and a directory share a name; libgit2
    // reports in path order. The sort is stable, so a split type change stays deletion first.
    w.out
        .sort_by(|x, y| x.path.as_bytes().cmp(y.path.as_bytes()));
    Ok(Some(w.out))
}

/// The set for [`diff_trees_within`]: `paths` and every directory above them (`dir/`).
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

/// The tree id of a commit.
pub fn tree_id(repo: &Repo, commit: Oid) -> Result<Oid> {
    let c = repo.find_commit(commit)?;
    Ok(c.tree_id())
}
