//! Every file of one commit's tree, listed once per run and shared by the analyses that look
//! for files anywhere in a tree (template directories, requirements files, migrations, tag
//! libraries, committed Tutor `config.yml`s).
//!
//! Only the base is listed by walking its whole tree; any other commit's listing is the base's
//! patched with the base → commit tree diff, which skips every subtree the two share. A tree
//! twice as large therefore costs one more full walk per run, not one per analysis and commit.

use git2::Oid;

use crate::error::Result;
use crate::trees::{Delta, Side, Trees, SUBMODULE, TREE};

/// The files (blobs, symlinks and submodules) of a tree, sorted by path bytes; paths share one
/// buffer.
#[derive(Debug, Default)]
pub struct Listing {
    paths: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Item {
    start: u32,
    len: u32,
    side: Side,
}

impl Listing {
    /// List `tree` by walking all of it.
    pub fn of_tree(trees: &mut Trees<'_>, tree: Oid) -> Result<Listing> {
        let mut out = Listing::default();
        let mut prefix = String::new();
        list(trees, tree, &mut prefix, &mut out)?;
        let paths = &out.paths;
        // A directory's entries are listed before a sibling `dir.txt`, which sorts first.
        out.items.sort_unstable_by(|a, b| {
            let name = |i: &Item| &paths.as_bytes()[i.start as usize..(i.start + i.len) as usize];
            name(a).cmp(name(b))
        });
        Ok(out)
    }

    /// A listing of regular files at these paths (tests, and callers that know the files).
    pub fn from_files(files: impl IntoIterator<Item = (String, Oid)>) -> Listing {
        let mut files: Vec<(String, Oid)> = files.into_iter().collect();
        files.sort();
        files.dedup_by(|a, b| a.0 == b.0);
        let mut out = Listing::default();
        for (path, oid) in files {
            out.push(
                &path,
                Side {
                    oid,
                    mode: 0o100644,
                },
            );
        }
        out
    }

    /// This listing with `changes` applied: the file changes (no renames) from this listing's
    /// tree to another, as [`Trees::changes`] gives them.
    pub fn patched(&self, changes: &[Delta]) -> Listing {
        let mut changes: Vec<&Delta> = changes.iter().collect();
        changes.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        let mut out = Listing {
            paths: String::with_capacity(self.paths.len()),
            items: Vec::with_capacity(self.items.len() + changes.len()),
        };
        let mut pending = changes.into_iter().peekable();
        for (path, side) in self.iter_all() {
            while let Some(d) = pending.next_if(|d| d.path.as_str() < path) {
                out.push_opt(&d.path, d.new);
            }
            match pending.next_if(|d| d.path == path) {
                Some(d) => out.push_opt(&d.path, d.new),
                None => out.push(path, side),
            }
        }
        for d in pending {
            out.push_opt(&d.path, d.new);
        }
        out
    }

    fn push_opt(&mut self, path: &str, side: Option<Side>) {
        if let Some(side) = side {
            self.push(path, side);
        }
    }

    fn push(&mut self, path: &str, side: Side) {
        let start = u32::try_from(self.paths.len()).unwrap_or(u32::MAX);
        self.paths.push_str(path);
        self.items.push(Item {
            start,
            len: u32::try_from(path.len()).unwrap_or(u32::MAX),
            side,
        });
    }

    fn path(&self, item: &Item) -> &str {
        &self.paths[item.start as usize..(item.start + item.len) as usize]
    }

    /// Every file, submodules included, in path order.
    fn iter_all(&self) -> impl Iterator<Item = (&str, Side)> {
        self.items.iter().map(|i| (self.path(i), i.side))
    }

    /// Every blob (regular file or symlink) with its id, in path order.
    pub fn blobs(&self) -> impl Iterator<Item = (&str, Oid)> {
        self.iter_all()
            .filter(|(_, s)| s.mode != SUBMODULE)
            .map(|(p, s)| (p, s.oid))
    }

    /// The blobs under directory `dir` (ending in `/`), in path order.
    pub fn blobs_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, Oid)> {
        let from = self.items.partition_point(|i| self.path(i) < dir);
        self.items[from..]
            .iter()
            .map(|i| (self.path(i), i.side))
            .take_while(move |(p, _)| p.starts_with(dir))
            .filter(|(_, s)| s.mode != SUBMODULE)
            .map(|(p, s)| (p, s.oid))
    }

    /// The blob at `path`, if the tree has one there.
    pub fn blob(&self, path: &str) -> Option<Oid> {
        self.items
            .binary_search_by(|i| self.path(i).cmp(path))
            .ok()
            .map(|k| self.items[k].side)
            .filter(|s| s.mode != SUBMODULE)
            .map(|s| s.oid)
    }

    /// The number of files, submodules included.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn list(trees: &mut Trees<'_>, tree: Oid, prefix: &mut String, out: &mut Listing) -> Result<()> {
    let entries = trees.entries(Some(tree))?;
    for e in entries.iter() {
        let len = prefix.len();
        prefix.push_str(&String::from_utf8_lossy(e.name));
        if e.mode == TREE {
            prefix.push('/');
            list(trees, e.id, prefix, out)?;
        } else {
            out.push(
                prefix,
                Side {
                    oid: e.id,
                    mode: e.mode,
                },
            );
        }
        prefix.truncate(len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(n: u8, mode: u32) -> Side {
        Side {
            oid: Oid::from_bytes(&[n; 20]).expect("20 bytes"),
            mode,
        }
    }

    fn listing(files: &[(&str, u8)]) -> Listing {
        let mut l = Listing::default();
        for (p, n) in files {
            l.push(p, side(*n, 0o100644));
        }
        l
    }

    #[test]
    fn patching_adds_replaces_and_removes_in_path_order() {
        let base = listing(&[("a.txt", 1), ("a/x", 2), ("b/y", 3), ("c", 4)]);
        let changes = vec![
            Delta::of("b/y", Some(side(3, 0o100644)), None),
            Delta::of("a/x", Some(side(2, 0o100644)), Some(side(9, 0o100755))),
            Delta::of("0", None, Some(side(5, 0o100644))),
            Delta::of("b/z", None, Some(side(6, 0o100644))),
            Delta::of("d/e", None, Some(side(7, 0o100644))),
        ];
        let got = base.patched(&changes);
        let paths: Vec<(&str, Side)> = got.iter_all().collect();
        assert_eq!(
            paths,
            vec![
                ("0", side(5, 0o100644)),
                ("a.txt", side(1, 0o100644)),
                ("a/x", side(9, 0o100755)),
                ("b/z", side(6, 0o100644)),
                ("c", side(4, 0o100644)),
                ("d/e", side(7, 0o100644)),
            ]
        );
        assert_eq!(got.blob("b/z"), Some(side(6, 0).oid));
        assert_eq!(got.blob("b/y"), None);
        let under: Vec<&str> = got.blobs_under("a/").map(|(p, _)| p).collect();
        assert_eq!(under, vec!["a/x"]);
    }

    #[test]
    fn submodules_are_listed_but_are_not_blobs() {
        let mut l = Listing::default();
        l.push("lib", side(1, SUBMODULE));
        l.push("lib.txt", side(2, 0o100644));
        assert_eq!(l.len(), 2);
        assert_eq!(l.blob("lib"), None);
        assert_eq!(l.blobs().count(), 1);
    }
}
