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
            let order = match (left.get(i), right.get(j)) {
                (Some(l), Some(r)) => l.0.cmp(&r.0),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            match order {
                Ordering::Less => {
                    *total += self.side(left[i].1, left[i].2)?;
                    i += 1;
                }
                Ordering::Greater => {
                    *total += self.side(right[j].1, right[j].2)?;
                    j += 1;
                }
                Ordering::Equal => {
                    let ((_, l_id, l_mode), (_, r_id, r_mode)) = (&left[i], &right[j]);
                    let (l_tree, r_tree) = (*l_mode == TREE, *r_mode == TREE);
                    if l_id == r_id && l_mode == r_mode {
                        // identical: free
                    } else if l_tree && r_tree {
                        self.walk(*l_id, *r_id, limit, total)?;
                    } else if !l_tree && !r_tree {
                        *total += 1;
                    } else {
                        *total += self.side(*l_id, *l_mode)? + self.side(*r_id, *r_mode)?;
                    }
                    i += 1;
                    j += 1;
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
        for (_, child, child_mode) in entries.iter() {
            n += self.side(*child, *child_mode)?;
        }
        self.counts.insert(id, n);
        Ok(n)
    }

    /// Number of files in `tree` (recursively).
    pub fn file_count(&mut self, tree: Oid) -> Result<u64> {
        self.side(tree, TREE)
    }
}
