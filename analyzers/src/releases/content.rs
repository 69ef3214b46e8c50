//! Base detection by content, for forks that share no history with upstream (squashed imports):
//! the release tag whose tree is closest to HEAD's. Trees are compared top-down by object id, so
//! identical subtrees cost nothing; only differing subtrees are read.

use std::collections::{BTreeMap, HashMap};

use git2::{ObjectType, Oid};

use crate::error::Result;
use crate::repo::{git_error, Repo};

/// Compares trees, caching the file count of subtrees present on one side only.
pub struct TreeDistance<'r> {
    repo: &'r Repo,
    counts: HashMap<Oid, u64>,
}

/// One entry of a tree: id, and whether it is a subtree.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    id: Oid,
    mode: i32,
    is_tree: bool,
}

impl<'r> TreeDistance<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        TreeDistance {
            repo,
            counts: HashMap::new(),
        }
    }

    /// The number of paths whose content or mode differs between trees `a` and `b` (added,
    /// deleted or changed files). Stops early and returns a value above `limit` once the
    /// distance is known to exceed it.
    pub fn distance(&mut self, a: Oid, b: Oid, limit: u64) -> Result<u64> {
        let mut total = 0;
        self.walk(a, b, limit, &mut total)?;
        Ok(total)
    }

    fn walk(&mut self, a: Oid, b: Oid, limit: u64, total: &mut u64) -> Result<()> {
        if a == b || *total > limit {
            return Ok(());
        }
        let left = self.entries(a)?;
        let right = self.entries(b)?;
        for (name, l) in &left {
            if *total > limit {
                return Ok(());
            }
            match right.get(name) {
                None => *total += self.side(*l)?,
                Some(r) if r == l => {}
                Some(r) if l.is_tree && r.is_tree => self.walk(l.id, r.id, limit, total)?,
                Some(r) if !l.is_tree && !r.is_tree => *total += 1,
                Some(r) => *total += self.side(*l)? + self.side(*r)?,
            }
        }
        for (name, r) in &right {
            if !left.contains_key(name) {
                *total += self.side(*r)?;
            }
        }
        Ok(())
    }

    /// Files under an entry present on one side only.
    fn side(&mut self, entry: Entry) -> Result<u64> {
        if !entry.is_tree {
            return Ok(1);
        }
        if let Some(n) = self.counts.get(&entry.id) {
            return Ok(*n);
        }
        let mut n = 0;
        for e in self.entries(entry.id)?.into_values() {
            n += self.side(e)?;
        }
        self.counts.insert(entry.id, n);
        Ok(n)
    }

    fn entries(&self, tree: Oid) -> Result<BTreeMap<Vec<u8>, Entry>> {
        let tree = self
            .repo
            .git()
            .find_tree(tree)
            .map_err(|e| git_error(format!("reading tree {tree}"), e))?;
        Ok(tree
            .iter()
            .map(|e| {
                let entry = Entry {
                    id: e.id(),
                    mode: e.filemode(),
                    is_tree: e.kind() == Some(ObjectType::Tree),
                };
                (e.name_bytes().to_vec(), entry)
            })
            .collect())
    }

    /// Number of files in `tree` (recursively).
    pub fn file_count(&mut self, tree: Oid) -> Result<u64> {
        self.side(Entry {
            id: tree,
            mode: 0o040000,
            is_tree: true,
        })
    }
}
