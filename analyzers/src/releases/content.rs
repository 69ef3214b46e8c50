//! Base detection by content, for forks that share no history with upstream (squashed imports):
//! the release tag whose tree is closest to HEAD's. Trees are compared top-down by object id, so
//! identical subtrees cost nothing; only differing subtrees are read (each once, cached).

use std::cmp::Ordering;
use std::collections::HashMap;

use git2::Oid;

use crate::error::Result;
use crate::repo::Repo;
use crate::trees::{Trees, TREE};

/// Compares trees, caching parsed trees and the file count of one-sided subtrees.
pub struct TreeDistance<'r> {
    trees: Trees<'r>,
    counts: HashMap<Oid, u64>,
}

impl<'r> TreeDistance<'r> {
    pub fn new(repo: &'r Repo) -> Self {
        TreeDistance {
            trees: Trees::new(repo),
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
        let left = self.trees.entries(Some(a))?;
        let right = self.trees.entries(Some(b))?;
        let (mut i, mut j) = (0, 0);
        while i < left.len() || j < right.len() {
            if *total > limit {
                return Ok(());
            }
            let (l, r) = match (left.get(i), right.get(j)) {
                (Some(l), Some(r)) => match l.name.cmp(r.name) {
                    Ordering::Less => (Some(l), None),
                    Ordering::Greater => (None, Some(r)),
                    Ordering::Equal => (Some(l), Some(r)),
                },
                (l, r) => (l, r),
            };
            if l.is_some() {
                i += 1;
            }
            if r.is_some() {
                j += 1;
            }
            match (l, r) {
                (Some(l), Some(r)) if l.id == r.id && l.mode == r.mode => {}
                (Some(l), Some(r)) if l.mode == TREE && r.mode == TREE => {
                    self.walk(l.id, r.id, limit, total)?;
                }
                (Some(l), Some(r)) if l.mode != TREE && r.mode != TREE => *total += 1,
                (l, r) => {
                    for e in [l, r].into_iter().flatten() {
                        *total += self.side(e.id, e.mode)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Files under an entry present on one side only.
    fn side(&mut self, id: Oid, mode: u32) -> Result<u64> {
        if mode != TREE {
            return Ok(1);
        }
        if let Some(n) = self.counts.get(&id) {
            return Ok(*n);
        }
        let entries = self.trees.entries(Some(id))?;
        let mut n = 0;
        for child in entries.iter() {
            n += self.side(child.id, child.mode)?;
        }
        self.counts.insert(id, n);
        Ok(n)
    }

    /// Number of files in `tree` (recursively).
    pub fn file_count(&mut self, tree: Oid) -> Result<u64> {
        self.side(tree, TREE)
    }
}
