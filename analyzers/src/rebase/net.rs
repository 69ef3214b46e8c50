//! Net effects: fork commits that undo each other. A commit whose every path returns to the
//! content it had before an earlier commit touching exactly the same paths (with no commit in
//! between touching them) cancels that commit: together they change nothing, so a rebase can
//! drop both, and neither is "already upstream" nor a saving.

use std::collections::{HashMap, HashSet};

use super::store::ForkCommit;

/// Pairs of commit indexes (earlier, later) that cancel out, each commit in one pair at most.
pub fn cancelling_pairs(commits: &[ForkCommit]) -> Vec<(usize, usize)> {
    let mut paired: HashSet<usize> = HashSet::new();
    let mut out = Vec::new();
    for (j, later) in commits.iter().enumerate() {
        if later.merge || later.changes.is_empty() {
            continue;
        }
        let paths: HashSet<&str> = later.changes.iter().map(|d| d.path.as_str()).collect();
        // The nearest earlier commit touching any of these paths.
        let Some(i) = (0..j).rev().find(|&i| {
            commits[i]
                .changes
                .iter()
                .any(|d| paths.contains(d.path.as_str()))
        }) else {
            continue;
        };
        let earlier = &commits[i];
        if earlier.merge || paired.contains(&i) || earlier.changes.len() != later.changes.len() {
            continue;
        }
        let before: HashMap<&str, _> = earlier
            .changes
            .iter()
            .map(|d| (d.path.as_str(), d.old))
            .collect();
        let undone = later.changes.iter().all(|d| {
            d.old_path.is_none() && before.get(d.path.as_str()).is_some_and(|old| *old == d.new)
        }) && earlier.changes.iter().all(|d| d.old_path.is_none());
        if undone {
            paired.insert(i);
            paired.insert(j);
            out.push((i, j));
        }
    }
    out
}
