//! Which upstream commits touched the conflicting lines: a forward blame over the target's
//! first-parent history since the ancestor. Every line of the target's version of a file gets
//! the upstream commits that last wrote it, and every gap between lines the commits that
//! deleted lines there; a conflict hunk's upstream lines then name their commits.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use git2::{Oid, Sort};

use super::cherry::commit_ref;
use super::diff3::{line_hunks, split_lines, LineRange};
use super::model::CommitRef;
use crate::error::Result;
use crate::repo::{git_error, Repo};

/// The target's first-parent chain since the ancestor, oldest first.
pub struct UpstreamHistory {
    /// (commit, its first parent).
    chain: Vec<(Oid, Option<Oid>)>,
    cache: Mutex<HashMap<String, Option<std::sync::Arc<Origins>>>>,
}

/// Per line (and per gap) of the target's version: indexes into the chain.
struct Origins {
    lines: Vec<BTreeSet<usize>>,
    gaps: Vec<BTreeSet<usize>>,
}

impl UpstreamHistory {
    /// First-parent commits from `target` back to (excluding) what `start` reaches.
    pub fn new(repo: &Repo, start: Oid, target: Oid) -> Result<UpstreamHistory> {
        let mut walk = repo
            .git()
            .revwalk()
            .map_err(|e| git_error("walking upstream history", e))?;
        walk.set_sorting(Sort::TOPOLOGICAL)
            .map_err(|e| git_error("walking upstream history", e))?;
        walk.simplify_first_parent()
            .map_err(|e| git_error("walking upstream history", e))?;
        walk.push(target)
            .map_err(|e| git_error(format!("walking history from {target}"), e))?;
        walk.hide(start)
            .map_err(|e| git_error(format!("walking history from {start}"), e))?;
        let mut chain = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| git_error("walking upstream history", e))?;
            let parent = repo.find_commit(oid)?.parent_ids().next();
            chain.push((oid, parent));
        }
        chain.reverse();
        Ok(UpstreamHistory {
            chain,
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn len(&self) -> usize {
        self.chain.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chain.is_empty()
    }

    /// Blob ids of `path` along the chain: (before the chain, after each commit).
    fn versions(&self, repo: &Repo, path: &str) -> Result<(Option<Oid>, Vec<Option<Oid>>)> {
        let start = match self.chain.first().and_then(|(_, p)| *p) {
            Some(p) => repo.blob_id_at(p, path)?,
            None => None,
        };
        let mut out = Vec::with_capacity(self.chain.len());
        for (c, _) in &self.chain {
            out.push(repo.blob_id_at(*c, path)?);
        }
        Ok((start, out))
    }

    fn origins(&self, repo: &Repo, path: &str) -> Result<Option<std::sync::Arc<Origins>>> {
        if let Ok(cache) = self.cache.lock() {
            if let Some(o) = cache.get(path) {
                return Ok(o.clone());
            }
        }
        let (start, versions) = self.versions(repo, path)?;
        let mut prev_id = start;
        let mut prev = match start {
            Some(id) => repo.blob_bytes(id)?,
            None => Vec::new(),
        };
        let n = split_lines(&prev).len();
        let mut lines = vec![BTreeSet::new(); n];
        let mut gaps = vec![BTreeSet::new(); n + 1];
        for (i, v) in versions.iter().enumerate() {
            if *v == prev_id {
                continue;
            }
            let next = match v {
                Some(id) => repo.blob_bytes(*id)?,
                None => Vec::new(),
            };
            let hunks = line_hunks(&prev, &next)?;
            let (nl, ng) = carry(&lines, &gaps, &hunks, i);
            lines = nl;
            gaps = ng;
            prev = next;
            prev_id = *v;
        }
        let result = (prev_id.is_some() || !lines.is_empty())
            .then(|| std::sync::Arc::new(Origins { lines, gaps }));
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(path.to_string(), result.clone());
        }
        Ok(result)
    }

    /// Upstream commits that wrote or deleted the lines `range` of the target's `path`.
    pub fn touching(&self, repo: &Repo, path: &str, range: LineRange) -> Result<Vec<CommitRef>> {
        let Some(o) = self.origins(repo, path)? else {
            return Ok(Vec::new());
        };
        let mut set = BTreeSet::new();
        // 0-based: lines [start-1, end), gaps [start-1, end].
        let a = (range.start as usize).saturating_sub(1);
        let b = (range.end as usize).max(a);
        for l in a..b.min(o.lines.len()) {
            set.extend(o.lines[l].iter().copied());
        }
        for g in a..=b.min(o.gaps.len().saturating_sub(1)) {
            set.extend(o.gaps[g].iter().copied());
        }
        set.into_iter()
            .map(|i| commit_ref(repo, self.chain[i].0))
            .collect()
    }

    /// The upstream commits of the chain that changed `path` (its blob differs from the
    /// previous commit's), oldest first.
    pub fn changed_in(&self, repo: &Repo, path: &str) -> Result<Vec<CommitRef>> {
        let (start, versions) = self.versions(repo, path)?;
        let mut prev = start;
        let mut out = Vec::new();
        for (i, v) in versions.iter().enumerate() {
            if *v != prev {
                out.push(commit_ref(repo, self.chain[i].0)?);
                prev = *v;
            }
        }
        Ok(out)
    }

    /// The upstream commit that deleted `path`, if one in the chain did.
    pub fn deleted_in(&self, repo: &Repo, path: &str) -> Result<Option<CommitRef>> {
        let (start, versions) = self.versions(repo, path)?;
        let mut prev = start;
        for (i, v) in versions.iter().enumerate() {
            if prev.is_some() && v.is_none() {
                return Ok(Some(commit_ref(repo, self.chain[i].0)?));
            }
            prev = *v;
        }
        Ok(None)
    }
}

type Sets = Vec<BTreeSet<usize>>;

/// Carry line and gap origins through one commit's hunks (`i` = the commit's chain index):
/// unchanged lines keep theirs, new lines get `i`, a deletion folds the deleted lines' origins
/// and `i` into the gap it leaves.
fn carry(lines: &Sets, gaps: &Sets, hunks: &[super::diff3::Hunk], i: usize) -> (Sets, Sets) {
    let get = |v: &Sets, k: usize| v.get(k).cloned().unwrap_or_default();
    let mut nl = Vec::with_capacity(lines.len());
    let mut ng = Vec::with_capacity(gaps.len());
    let mut pending = get(gaps, 0);
    let mut old = 0usize;
    let copy_to = |limit: usize,
                   old: &mut usize,
                   pending: &mut BTreeSet<usize>,
                   nl: &mut Sets,
                   ng: &mut Sets| {
        while *old < limit.min(lines.len()) {
            ng.push(std::mem::take(pending));
            nl.push(get(lines, *old));
            *pending = get(gaps, *old + 1);
            *old += 1;
        }
    };
    for h in hunks {
        copy_to(h.o0, &mut old, &mut pending, &mut nl, &mut ng);
        if h.n1 > h.n0 {
            ng.push(std::mem::take(&mut pending));
            nl.push(BTreeSet::from([i]));
            for _ in 1..(h.n1 - h.n0) {
                ng.push(BTreeSet::new());
                nl.push(BTreeSet::from([i]));
            }
            pending = if h.o1 > h.o0 {
                get(gaps, h.o1)
            } else {
                BTreeSet::new()
            };
        } else {
            for l in h.o0..h.o1 {
                pending.extend(get(lines, l));
                pending.extend(get(gaps, l + 1));
            }
            pending.insert(i);
        }
        old = h.o1;
    }
    copy_to(usize::MAX, &mut old, &mut pending, &mut nl, &mut ng);
    ng.push(pending);
    (nl, ng)
}
