//! Net effects: fork commits that undo each other. A commit whose every path returns to the
//! content it had before one earlier commit touching those paths (with no commit in between
//! touching them) cancels that commit for those paths: together they change nothing there, so
//! a rebase can drop the later commit (and the earlier one too when it touched nothing else),
//! and neither is "already upstream" nor a saving.
//!
//! The later commit may undo only part of the earlier one: a commit deleting the
//! `config/lms.auth.json` the fork added earlier together with `lms.env.json` is a net revert of
//! the fork's own change (partial: the earlier commit still carries `lms.env.json`). Without
//! this, the deleted file "equals the target" (absent in both) and the delete would read as
//! already upstream.

use std::collections::{HashMap, HashSet};

use super::store::ForkCommit;

/// A later fork commit undoing (part of) an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancel {
    pub earlier: usize,
    pub later: usize,
    /// The later commit undoes every path of the earlier one: both cancel out.
    pub full: bool,
}

/// Later commits that undo an earlier one, each commit in one full pair at most.
pub fn cancelling_pairs(commits: &[ForkCommit]) -> Vec<Cancel> {
    let mut paired: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (j, later) in commits.iter().enumerate() {
        if later.merge
            || later.changes.is_empty()
            || later.changes.iter().any(|d| d.old_path.is_some())
        {
            continue;
        }
        // The nearest earlier commit touching each path: all must be the same commit.
        let mut nearest = later.changes.iter().map(|d| {
            (0..j).rev().find(|&i| {
                commits[i]
                    .changes
                    .iter()
                    .any(|e| e.path == d.path || e.old_path.as_deref() == Some(d.path.as_str()))
            })
        });
        let Some(Some(i)) = nearest.next() else {
            continue;
        };
        if !nearest.all(|n| n == Some(i)) {
            continue;
        }
        let earlier = &commits[i];
        if earlier.merge || paired.contains(&i) {
            continue;
        }
        let before: HashMap<&str, _> = earlier
            .changes
            .iter()
            .filter(|d| d.old_path.is_none())
            .map(|d| (d.path.as_str(), d.old))
            .collect();
        let undone = later
            .changes
            .iter()
            .all(|d| before.get(d.path.as_str()).is_some_and(|old| *old == d.new));
        if !undone {
            continue;
        }
        let full = earlier.changes.len() == later.changes.len()
            && earlier.changes.iter().all(|d| d.old_path.is_none());
        if full {
            paired.insert(i);
        }
        paired.insert(j);
        out.push(Cancel {
            earlier: i,
            later: j,
            full,
        });
    }
    out
}
