//! The drift trend: drift size (files, lines; as `git diff --shortstat BASE C`) after each
//! first-parent fork commit C since the base.
//!
//! Done incrementally rather than with one full tree diff per commit: each commit is diffed
//! against its first parent (in parallel; cheap), the set of paths that differ from the base is
//! updated, and line counts come from a cache keyed by (base blob, current blob), so every blob
//! pair is diffed once for the whole trend. Rename pairing needs a deleted and an added path at
//! the same time; only at such points is the full `base → C` diff with rename detection run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use git2::Oid;
use serde::{Deserialize, Serialize};

use super::areas::Classifier;
use super::diff::{self, LineStat, Pair, Side, Trees};
use crate::changes::CommitChanges;
use crate::error::Result;
use crate::progress::Progress;
use crate::repo::Repo;

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
struct BaseEntries {
    tree: Oid,
    cache: HashMap<String, Option<Side>>,
}

impl BaseEntries {
    /// Fill the cache without reading a tree: a path in the final diff has that diff's old
    /// side in the base; any other path the chain touches (`changes`, in chain order: base →
    /// the first parent, then commit by commit) is the same in the base as at head, i.e. the
    /// side its last change left. The chain's trees are contiguous (each commit is diffed
    /// against its first parent, the previous commit), so the last change is head's side.
    fn seed<'a>(
        &mut self,
        final_changes: &[diff::Delta],
        changes: impl Iterator<Item = &'a diff::Delta>,
    ) {
        for d in changes {
            self.cache.insert(d.path.clone(), d.new);
        }
        for d in final_changes {
            if let Some(side) = self.cache.get_mut(&d.path) {
                *side = d.old;
            }
        }
    }

    fn get(&mut self, trees: &mut Trees<'_>, path: &str) -> Result<Option<Side>> {
        if let Some(side) = self.cache.get(path) {
            return Ok(*side);
        }
        let side = trees.file_at(self.tree, path)?;
        self.cache.insert(path.to_string(), side);
        Ok(side)
    }
}

/// Paths differing from the base: path → (base side, current side).
type Changed = BTreeMap<String, Pair>;

/// The drift state while walking the chain: the changed paths, and how many of them are
/// additions and deletions (rename detection needs both).
#[derive(Clone, Default)]
struct State {
    changed: Changed,
    adds: usize,
    dels: usize,
}

impl State {
    fn count(&mut self, pair: &Pair, sign: isize) {
        let step = |n: &mut usize| *n = n.saturating_add_signed(sign);
        if pair.0.is_none() {
            step(&mut self.adds);
        }
        if pair.1.is_none() {
            step(&mut self.dels);
        }
    }

    /// Apply one commit's changes; `on_change(old, new)` sees every pair leaving or entering.
    fn apply(
        &mut self,
        base: &mut BaseEntries,
        trees: &mut Trees<'_>,
        deltas: &[diff::Delta],
        classifier: &Classifier,
        mut on_change: impl FnMut(Option<Pair>, Option<Pair>),
    ) -> Result<()> {
        for d in deltas {
            if classifier.is_ignored(&d.path) {
                continue;
            }
            let was = base.get(trees, &d.path)?;
            let new = (d.new != was).then_some((was, d.new));
            let old = match new {
                Some(pair) => self.changed.insert(d.path.clone(), pair),
                None => self.changed.remove(&d.path),
            };
            if let Some(old) = &old {
                self.count(old, -1);
            }
            if let Some(new) = &new {
                self.count(new, 1);
            }
            on_change(old, new);
        }
        Ok(())
    }

    /// Whether renames could pair paths now (something deleted and something added).
    fn needs_renames(&self) -> bool {
        self.adds > 0 && self.dels > 0
    }
}

/// The tree changes along the chain, computed before (and in parallel with) the final drift.
pub struct Steps {
    chain: Vec<Oid>,
    trees: Vec<Oid>,
    summaries: Vec<String>,
    /// base → the first commit's parent.
    initial: Vec<diff::Delta>,
    /// parent → commit, per commit of the chain.
    steps: Vec<Vec<diff::Delta>>,
    /// Base entries looked up while preparing.
    base_entries: BaseEntries,
    /// Points that need rename detection.
    exact: Vec<bool>,
    /// Every blob pair present at some point: their line counts are needed.
    pub needed: Vec<Pair>,
}

/// Everything the trend needs but line counts, from the change set's commits (each already
/// diffed against its first parent): which blob pairs appear at some point. `final_changes` is
/// the base → head diff without renames (the change set's): with it, the base side of every
/// path the commits touch is known without reading the base tree (see [`BaseEntries::seed`]).
pub fn prepare(
    repo: &Repo,
    classifier: &Classifier,
    base_tree_id: Oid,
    commits: &[CommitChanges],
    final_changes: &[diff::Delta],
) -> Result<Steps> {
    let mut out = Steps {
        chain: commits.iter().map(|c| c.oid).collect(),
        trees: commits.iter().map(|c| c.tree).collect(),
        summaries: commits.iter().map(|c| c.summary.clone()).collect(),
        initial: Vec::new(),
        steps: Vec::new(),
        base_entries: BaseEntries {
            tree: base_tree_id,
            cache: HashMap::new(),
        },
        exact: Vec::new(),
        needed: Vec::new(),
    };
    let Some(first) = commits.first() else {
        return Ok(out);
    };
    let mut walker = Trees::new(repo);
    out.steps = commits.iter().map(|c| c.deltas.clone()).collect();
    if first.root {
        // A root commit (squashed fork): its changes against the base are the starting point,
        // so its own step is empty.
        out.initial = std::mem::take(&mut out.steps[0]);
    } else if first.parent_tree != base_tree_id {
        out.initial = walker.changes(Some(base_tree_id), first.parent_tree)?;
    }
    out.base_entries.seed(
        final_changes,
        out.initial.iter().chain(out.steps.iter().flatten()),
    );

    // Which blob pairs are needed (the state after the first commit, then every pair entering
    // later), and which points need rename detection.
    let mut state = State::default();
    let base_entries = &mut out.base_entries;
    state.apply(
        base_entries,
        &mut walker,
        &out.initial,
        classifier,
        |_, _| {},
    )?;
    let mut needed: HashSet<Pair> = HashSet::new();
    for (i, step) in out.steps.iter().enumerate() {
        state.apply(base_entries, &mut walker, step, classifier, |_, new| {
            if i > 0 {
                needed.extend(new);
            }
        })?;
        if i == 0 {
            needed.extend(state.changed.values().copied());
        }
        out.exact.push(state.needs_renames());
    }
    out.needed = needed.into_iter().collect();
    Ok(out)
}

/// The trend over the chain of [`Steps`] (first-parent fork commits, oldest first). `cache`
/// holds line counts shared with the final drift (see [`Steps::needed`]).
pub fn trend(
    repo: &Repo,
    classifier: &Classifier,
    base: Oid,
    prepared: Steps,
    cache: &mut HashMap<Pair, LineStat>,
    progress: &dyn Progress,
) -> Result<Vec<TrendPoint>> {
    let Steps {
        chain,
        trees,
        summaries,
        initial,
        steps,
        base_entries,
        exact,
        needed,
    } = prepared;
    if chain.is_empty() {
        return Ok(Vec::new());
    }
    // Normally counted already, together with the final drift's pairs.
    diff::fill_stats(repo, needed, cache)?;
    let base_tree_id = repo.tree_of(base)?.id();
    let mut walker = Trees::new(repo);
    let mut base_entries = base_entries;
    progress.inc(chain.len() as u64 / 2);
    let mut state = State::default();
    state.apply(
        &mut base_entries,
        &mut walker,
        &initial,
        classifier,
        |_, _| {},
    )?;

    // Totals per point, kept up to date as pairs leave and enter.
    let mut totals = Totals::default();
    let mut renames = RenameCache::default();
    let mut points = Vec::with_capacity(chain.len());
    for (i, step) in steps.iter().enumerate() {
        if i == 0 {
            state.apply(&mut base_entries, &mut walker, step, classifier, |_, _| {})?;
            totals = state.changed.values().fold(Totals::default(), |t, pair| {
                t.add(cache.get(pair).copied().unwrap_or_default(), 1)
            });
        } else {
            state.apply(
                &mut base_entries,
                &mut walker,
                step,
                classifier,
                |old, new| {
                    if let Some(old) = old {
                        totals = totals.add(cache.get(&old).copied().unwrap_or_default(), -1);
                    }
                    if let Some(new) = new {
                        totals = totals.add(cache.get(&new).copied().unwrap_or_default(), 1);
                    }
                },
            )?;
        }
        let (files, added, removed) = if exact[i] {
            let found = renames.renames(repo, &state.changed, base_tree_id, trees[i])?;
            exact_totals(repo, &state.changed, &found, cache)?
        } else {
            (
                totals.files as u64,
                totals.added as u64,
                totals.removed as u64,
            )
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

/// Running totals (signed while pairs come and go).
#[derive(Clone, Copy, Default)]
struct Totals {
    files: i64,
    added: i64,
    removed: i64,
}

impl Totals {
    fn add(self, stat: LineStat, sign: i64) -> Totals {
        Totals {
            files: self.files + sign,
            added: self.added + sign * stat.added as i64,
            removed: self.removed + sign * stat.removed as i64,
        }
    }
}

/// Rename pairs (old path, new path) found by the full `base → tree` diff, cached by the set of
/// deleted and added files (the only thing rename detection looks at).
#[derive(Default)]
struct RenameCache {
    by_key: HashMap<u64, Vec<(String, String)>>,
    /// File signatures and scores shared by the searches ([`diff::Signatures`]).
    sigs: diff::Signatures,
}

impl RenameCache {
    fn renames(
        &mut self,
        repo: &Repo,
        changed: &Changed,
        base_tree: Oid,
        tree: Oid,
    ) -> Result<Vec<(String, String)>> {
        let mut h = DefaultHasher::new();
        for (path, (b, c)) in changed {
            if b.is_none() || c.is_none() {
                (path, b.map(|s| s.oid), c.map(|s| s.oid)).hash(&mut h);
            }
        }
        let key = h.finish();
        if let Some(found) = self.by_key.get(&key) {
            return Ok(found.clone());
        }
        let found: Vec<(String, String)> =
            diff::drift_deltas_with(repo, base_tree, tree, Some(&mut self.sigs))?
                .0
                .into_iter()
                .filter_map(|d| Some((d.old_path?, d.path)))
                .collect();
        self.by_key.insert(key, found.clone());
        Ok(found)
    }
}

/// Totals at a point where renames may pair a deleted and an added path.
fn exact_totals(
    repo: &Repo,
    changed: &Changed,
    renames: &[(String, String)],
    cache: &mut HashMap<Pair, LineStat>,
) -> Result<(u64, u64, u64)> {
    let mut pairs: Vec<Pair> = Vec::with_capacity(changed.len());
    let mut paired: HashSet<&str> = HashSet::new();
    for (old, new) in renames {
        if let (Some((base, _)), Some((_, cur))) = (changed.get(old), changed.get(new)) {
            pairs.push((*base, *cur));
            paired.insert(old);
            paired.insert(new);
        }
    }
    pairs.extend(
        changed
            .iter()
            .filter(|(p, _)| !paired.contains(p.as_str()))
            .map(|(_, pair)| *pair),
    );
    diff::fill_stats(repo, pairs.clone(), cache)?;
    Ok(pairs.iter().fold((0, 0, 0), |(f, a, r), pair| {
        let stat = cache.get(pair).copied().unwrap_or_default();
        (f + 1, a + stat.added, r + stat.removed)
    }))
}
