//! The drift trend: drift size (files, lines; as `git diff --shortstat BASE C`) after each
//! first-parent fork commit C since the base.
//!
//! Done incrementally rather than with one full tree diff per commit: each commit is diffed
//! against its first parent (in parallel; cheap), the set of paths that differ from the base is
//! updated, and line counts come from a cache keyed by (base blob, current blob), so every blob
//! pair is diffed once for the whole trend. Rename pairing needs a deleted and an added path at
//! the same time; only at such points is the full `base → C` diff with rename detection run.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use git2::{ErrorCode, Oid};
use serde::{Deserialize, Serialize};

use super::areas::Classifier;
use super::diff::{self, LineStat, Pair, Side};
use crate::error::Result;
use crate::progress::Progress;
use crate::repo::{git_error, Repo};

/// Drift after one fork commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub commit: String,
    /// First line of the commit message.
    pub summary: String,
    pub files_changed: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
}

/// Base-tree entries by path, looked up lazily.
struct BaseEntries<'r> {
    tree: git2::Tree<'r>,
    cache: HashMap<String, Option<Side>>,
}

impl BaseEntries<'_> {
    fn get(&mut self, path: &str) -> Result<Option<Side>> {
        if let Some(side) = self.cache.get(path) {
            return Ok(*side);
        }
        let side = match self.tree.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() != Some(git2::ObjectType::Tree) => Some(Side {
                oid: entry.id(),
                mode: entry.filemode() as u32,
            }),
            Ok(_) => None,
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(git_error(format!("looking up `{path}` in the base"), e)),
        };
        self.cache.insert(path.to_string(), side);
        Ok(side)
    }
}

/// Paths differing from the base: path → (base side, current side).
type Changed = BTreeMap<String, Pair>;

/// Apply one commit's changes (path → new side) to the changed set.
fn apply(
    changed: &mut Changed,
    base: &mut BaseEntries<'_>,
    deltas: &[diff::Delta],
    classifier: &Classifier,
) -> Result<()> {
    for d in deltas {
        if classifier.is_ignored(&d.path) {
            continue;
        }
        let was = base.get(&d.path)?;
        if d.new == was {
            changed.remove(&d.path);
        } else {
            changed.insert(d.path.clone(), (was, d.new));
        }
    }
    Ok(())
}

/// Whether renames could pair paths at this point (something deleted and something added).
fn needs_renames(changed: &Changed) -> bool {
    changed.values().any(|(b, _)| b.is_none()) && changed.values().any(|(_, c)| c.is_none())
}

/// The trend over `chain` (first-parent fork commits, oldest first). `cache` holds line counts
/// shared with the final drift.
pub fn trend(
    repo: &Repo,
    classifier: &Classifier,
    base: Oid,
    chain: &[Oid],
    cache: &mut HashMap<Pair, LineStat>,
    progress: &dyn Progress,
) -> Result<Vec<TrendPoint>> {
    let Some(first) = chain.first() else {
        return Ok(Vec::new());
    };
    let base_tree = repo.tree_of(base)?;
    let base_tree_id = base_tree.id();
    let mut trees = Vec::with_capacity(chain.len());
    let mut summaries = Vec::with_capacity(chain.len());
    for oid in chain {
        let commit = repo.find_commit(*oid)?;
        trees.push(commit.tree_id());
        summaries.push(
            commit
                .summary_bytes()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default(),
        );
    }
    let start = match repo.find_commit(*first)?.parent_ids().next() {
        Some(parent) => Some(repo.find_commit(parent)?.tree_id()),
        None => None,
    };
    // Jobs: base → start (the state before the first fork commit), then parent → child.
    let mut jobs: Vec<(Option<Oid>, Oid)> = Vec::with_capacity(chain.len());
    let mut prev = start;
    for tree in &trees {
        jobs.push((prev, *tree));
        prev = Some(*tree);
    }
    let steps = diff::tree_diffs_parallel(repo, &jobs)?;
    progress.inc(chain.len() as u64 / 2);
    let initial = match start {
        Some(s) if s == base_tree_id => Vec::new(),
        Some(s) => diff::tree_diff(repo, Some(base_tree_id), s, false)?,
        // A root commit: before it, every base file is missing.
        None => diff::tree_diff(repo, None, base_tree_id, false)?
            .into_iter()
            .map(|d| diff::Delta { new: None, ..d })
            .collect(),
    };
    let mut base_entries = BaseEntries {
        tree: base_tree,
        cache: HashMap::new(),
    };

    // Pass 1: which blob pairs are needed, and which points need rename detection.
    let mut changed = Changed::new();
    apply(&mut changed, &mut base_entries, &initial, classifier)?;
    let start_state = changed.clone();
    let mut needed: Vec<Pair> = Vec::new();
    let mut exact = vec![false; chain.len()];
    for (i, step) in steps.iter().enumerate() {
        apply(&mut changed, &mut base_entries, step, classifier)?;
        if needs_renames(&changed) {
            exact[i] = true;
        } else {
            needed.extend(changed.values().copied());
        }
    }
    diff::fill_stats(repo, needed, cache)?;

    // Pass 2: totals per point.
    let mut changed = start_state;
    let mut points = Vec::with_capacity(chain.len());
    for (i, step) in steps.iter().enumerate() {
        apply(&mut changed, &mut base_entries, step, classifier)?;
        let (files, added, removed) = if exact[i] {
            exact_totals(repo, classifier, base_tree_id, trees[i], cache)?
        } else {
            changed.values().fold((0, 0, 0), |(f, a, r), pair| {
                let stat = cache.get(pair).copied().unwrap_or_default();
                (f + 1, a + stat.added, r + stat.removed)
            })
        };
        points.push(TrendPoint {
            commit: chain[i].to_string(),
            summary: summaries[i].clone(),
            files_changed: files,
            lines_added: added,
            lines_removed: removed,
        });
        if i % 2 == 1 {
            progress.inc(1);
        }
    }
    Ok(points)
}

/// Totals of the full `base → tree` diff with rename detection.
pub fn exact_totals(
    repo: &Repo,
    classifier: &Classifier,
    base_tree: Oid,
    tree: Oid,
    cache: &mut HashMap<Pair, LineStat>,
) -> Result<(u64, u64, u64)> {
    let deltas: Vec<diff::Delta> = diff::tree_diff(repo, Some(base_tree), tree, true)?
        .into_iter()
        .filter(|d| !classifier.is_ignored(&d.path))
        .collect();
    diff::fill_stats(repo, deltas.iter().map(diff::Delta::pair).collect(), cache)?;
    Ok(deltas.iter().fold((0, 0, 0), |(f, a, r), d| {
        let stat = cache.get(&d.pair()).copied().unwrap_or_default();
        (f + 1, a + stat.added, r + stat.removed)
    }))
}
