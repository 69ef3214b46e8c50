//! Parsed git trees, cached by id, and the top-down walk that compares two trees while skipping
//! subtrees with equal ids (libgit2's tree-to-tree diff visits every entry of both trees, and
//! its object cache skips trees above 4 KiB, i.e. the big directories).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::repo::{git_error, Repo};

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

/// The entries of one tree, sorted by name bytes; names share one buffer.
#[derive(Debug, Default)]
pub struct Entries {
    names: Vec<u8>,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    start: u32,
    len: u32,
    id: Oid,
    mode: u32,
}

/// One tree entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub name: &'a [u8],
    pub id: Oid,
    pub mode: u32,
}

impl Entries {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<Entry<'_>> {
        self.items.get(i).map(|item| self.entry(item))
    }

    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> {
        self.items.iter().map(|item| self.entry(item))
    }

    /// The entry called `name`.
    pub fn find(&self, name: &[u8]) -> Option<Entry<'_>> {
        self.items
            .binary_search_by(|item| self.name(item).cmp(name))
            .ok()
            .map(|i| self.entry(&self.items[i]))
    }

    fn name(&self, item: &Item) -> &[u8] {
        let start = item.start as usize;
        &self.names[start..start + item.len as usize]
    }

    fn entry(&self, item: &Item) -> Entry<'_> {
        Entry {
            name: self.name(item),
            id: item.id,
            mode: item.mode,
        }
    }
}

/// Parse a raw tree object: entries `<octal mode> <name>\0<20-byte id>`, one after another.
fn parse_tree(mut data: &[u8]) -> Option<Entries> {
    let mut entries = Entries {
        names: Vec::with_capacity(data.len() / 2),
        items: Vec::with_capacity(data.len() / 32),
    };
    while !data.is_empty() {
        let space = data.iter().position(|&b| b == b' ')?;
        let mut mode = 0u32;
        for &b in &data[..space] {
            if !(b'0'..=b'7').contains(&b) {
                return None;
            }
            mode = mode.checked_mul(8)?.checked_add(u32::from(b - b'0'))?;
        }
        let rest = &data[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let id = Oid::from_bytes(rest.get(nul + 1..nul + 21)?).ok()?;
        let name = &rest[..nul];
        entries.items.push(Item {
            start: u32::try_from(entries.names.len()).ok()?,
            len: u32::try_from(name.len()).ok()?,
            id,
            mode: normalize_mode(mode),
        });
        entries.names.extend_from_slice(name);
        data = &rest[nul + 21..];
    }
    Some(entries)
}

/// The mode as libgit2 reports it (`git_tree_entry_filemode`, as git's `canon_mode`):
/// symlinks, submodules and trees kept, any other blob 100755 or 100644.
fn normalize_mode(mode: u32) -> u32 {
    match mode {
        0o120000 | 0o160000 => mode,
        _ if mode & 0o170000 == TREE => TREE,
        _ if mode & 0o100 != 0 => 0o100755,
        _ => 0o100644,
    }
}

/// The file mode of a subtree entry.
pub const TREE: u32 = 0o040000;

/// Parsed trees by id, so that walks over many related trees read each tree once.
pub struct Trees<'r> {
    repo: &'r Repo,
    /// The object database, opened on first use (raw reads skip libgit2's tree parsing).
    odb: Option<git2::Odb<'r>>,
    cache: HashMap<Oid, Rc<Entries>>,
    empty: Rc<Entries>,
}

impl<'r> Trees<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        Trees {
            repo,
            odb: None,
            cache: HashMap::new(),
            empty: Rc::new(Entries::default()),
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
    pub fn entries(&mut self, tree: Option<Oid>) -> Result<Rc<Entries>> {
        let Some(tree) = tree else {
            return Ok(self.empty.clone());
        };
        if let Some(found) = self.cache.get(&tree) {
            return Ok(found.clone());
        }
        let odb = match &mut self.odb {
            Some(odb) => odb,
            None => {
                let odb = self
                    .repo
                    .git()
                    .odb()
                    .map_err(|e| git_error("opening the object database", e))?;
                self.odb.insert(odb)
            }
        };
        let raw = odb
            .read(tree)
            .map_err(|e| git_error(format!("reading tree {tree}"), e))?;
        let not_a_tree = || {
            crate::error::Error::corrupt(
                format!("object {tree} is not a well-formed git tree"),
                None,
            )
        };
        if raw.kind() != git2::ObjectType::Tree {
            return Err(not_a_tree());
        }
        let mut entries = parse_tree(raw.data()).ok_or_else(not_a_tree)?;
        // git orders a directory as if its name ended in `/`; plain byte order for merging.
        let Entries { names, items } = &mut entries;
        items.sort_unstable_by(|a, b| {
            let name = |i: &Item| &names[i.start as usize..(i.start + i.len) as usize];
            name(a).cmp(name(b))
        });
        let entries = Rc::new(entries);
        self.cache.insert(tree, entries.clone());
        Ok(entries)
    }

    /// The file (blob, symlink or submodule) at `path` in tree `root`.
    pub fn file_at(&mut self, root: Oid, path: &str) -> Result<Option<Side>> {
        let mut tree = root;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            let entries = self.entries(Some(tree))?;
            let Some(Entry { id: oid, mode, .. }) = entries.find(part.as_bytes()) else {
                return Ok(None);
            };
            match (parts.peek().is_some(), mode == TREE) {
                (true, true) => tree = oid,
                (false, false) => return Ok(Some(Side { oid, mode })),
                _ => return Ok(None),
            }
        }
        Ok(None)
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
        let mut state = WalkState {
            opts,
            out: Vec::new(),
            rejected: false,
        };
        self.walk(old, new, &mut String::new(), &mut state)?;
        if state.rejected {
            return Ok(None);
        }
        // A directory's files are met before a file of the same name and after names that sort
        // below `/`: path order differs from the walk's order there. The sort is stable.
        state
            .out
            .sort_by(|x, y| x.path.as_bytes().cmp(y.path.as_bytes()));
        Ok(Some(state.out))
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
                    self.walk(l_tree, r_tree, prefix, state)?;
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

struct WalkState<'a> {
    opts: Walk<'a>,
    out: Vec<Delta>,
    rejected: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_trees_with_libgit2s_modes() {
        let id = [7u8; 20];
        let mut raw = Vec::new();
        for (mode, name) in [
            ("100664", "a.txt"),
            ("100755", "run.sh"),
            ("40000", "dir"),
            ("120000", "link"),
            ("160000", "sub"),
        ] {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(&id);
        }
        let entries = parse_tree(&raw).expect("well-formed");
        let got: Vec<(&[u8], u32)> = entries.iter().map(|e| (e.name, e.mode)).collect();
        let want: Vec<(&[u8], u32)> = vec![
            (b"a.txt", 0o100644),
            (b"run.sh", 0o100755),
            (b"dir", TREE),
            (b"link", 0o120000),
            (b"sub", 0o160000),
        ];
        assert_eq!(got, want);
        assert!(entries.iter().all(|e| e.id.as_bytes() == id));
        assert!(parse_tree(b"100644 cut\0short").is_none());
        assert!(parse_tree(b"10x644 bad\0").is_none());
        assert!(parse_tree(b"").is_some_and(|e| e.is_empty()));
    }
}
