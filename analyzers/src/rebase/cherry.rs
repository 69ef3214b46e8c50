//! Already upstream? Fork commits are matched against upstream commits by stable patch-id (what
//! `git cherry` does) and by content (every file the commit touches is byte-identical in the
//! target). Like git, full patch-ids are computed only for upstream commits whose changed paths
//! equal a fork commit's ("header" match), so thousands of upstream commits cost one tree diff
//! each.

use std::collections::HashMap;

use git2::{Oid, Sort};
use rayon::prelude::*;

use super::model::CommitRef;
use super::patchid::{commit_changes_within, header_key, patch_id, PatchId};
use super::store::{PathChange, Store, Version};
use crate::error::Result;
use crate::repo::{git_error, Repo};
use crate::trees::{allowed_paths, Delta as FileChange, Trees};

/// Commits per tree cache in [`patch_id_matches`]: long enough to share most trees between
/// neighbours, short enough to split the work across threads and bound the cache.
const CHUNK: usize = 64;

/// A set of upstream commits to match against, with a label (`target`, or the development
/// branch's ref).
pub struct UpstreamSet {
    pub label: String,
    pub commits: Vec<Oid>,
}

/// Commits reachable from `tip` but not from any of `hide`, newest first.
pub fn commits_between(repo: &Repo, hide: &[Oid], tip: Oid) -> Result<Vec<Oid>> {
    let mut walk = repo
        .git()
        .revwalk()
        .map_err(|e| git_error("walking upstream history", e))?;
    walk.set_sorting(Sort::TOPOLOGICAL)
        .map_err(|e| git_error("walking upstream history", e))?;
    walk.push(tip)
        .map_err(|e| git_error(format!("walking history from {tip}"), e))?;
    for h in hide {
        walk.hide(*h)
            .map_err(|e| git_error(format!("walking history from {h}"), e))?;
    }
    walk.map(|r| r.map_err(|e| git_error("walking upstream history", e)))
        .collect()
}

struct Candidate {
    oid: Oid,
    set: usize,
    changes: Vec<FileChange>,
}

/// A fork commit's match: upstream commit, the set it came from, the shared patch-id.
#[derive(Debug, Clone)]
pub struct PatchMatch {
    pub upstream: CommitRef,
    pub found_in: String,
    pub patch_id: PatchId,
}

/// Match fork commits (index, changes; merges left out by the caller) against `sets` by stable
/// patch-id. Returns index → match.
pub fn patch_id_matches(
    repo: &Repo,
    store: &Store,
    fork_changes: &[(usize, Vec<FileChange>)],
    sets: &[UpstreamSet],
) -> Result<HashMap<usize, PatchMatch>> {
    let wanted: HashMap<Vec<(String, u32, u32)>, Vec<usize>> = fork_changes
        .iter()
        .enumerate()
        .fold(HashMap::new(), |mut m, (i, (_, ch))| {
            m.entry(header_key(ch)).or_default().push(i);
            m
        });
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }

    // Upstream side: a tree diff per commit, in parallel, abandoned as soon as it touches a
    // path no fork commit touches; keep only header matches.
    let allow = allowed_paths(wanted.keys().flatten().map(|(p, _, _)| p.as_str()));
    let git_dir = repo.git_dir().to_path_buf();
    let jobs: Vec<(Oid, usize)> = sets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.commits.iter().map(move |c| (*c, i)))
        .collect();
    // Runs of neighbouring commits share one tree cache: a commit's parent tree is the tree
    // the previous job just read.
    let found: Vec<Result<Vec<Candidate>>> = jobs
        .par_chunks(CHUNK)
        .map_init(
            || Repo::open(&git_dir),
            |r, chunk| {
                let r = r.as_ref().map_err(|_| Repo::open_error(&git_dir))?;
                let mut trees = Trees::new(r);
                let mut out = Vec::new();
                for &(oid, set) in chunk {
                    let commit = r.find_commit(oid)?;
                    if commit.parent_count() > 1 {
                        continue;
                    }
                    let parent = commit.parent_ids().next();
                    let Some(changes) =
                        commit_changes_within(&mut trees, parent, oid, Some(&allow))?
                    else {
                        continue;
                    };
                    if wanted.contains_key(&header_key(&changes)) {
                        out.push(Candidate { oid, set, changes });
                    }
                }
                Ok(out)
            },
        )
        .collect();
    let mut candidates: HashMap<Vec<(String, u32, u32)>, Vec<Candidate>> = HashMap::new();
    for c in found
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
    {
        candidates
            .entry(header_key(&c.changes))
            .or_default()
            .push(c);
    }

    let mut out = HashMap::new();
    let mut upstream_ids: HashMap<Oid, Option<PatchId>> = HashMap::new();
    for (oid, changes) in fork_changes {
        let Some(cands) = candidates.get(&header_key(changes)) else {
            continue;
        };
        let Some(pid) = patch_id(repo, store, changes)? else {
            continue;
        };
        // Sets in order (target before the development branch), oldest commit first.
        let mut ordered: Vec<&Candidate> = cands.iter().collect();
        ordered.sort_by_key(|c| c.set);
        for cand in ordered {
            let upid = match upstream_ids.get(&cand.oid) {
                Some(p) => *p,
                None => {
                    let p = patch_id(repo, &Store::default(), &cand.changes)?;
                    upstream_ids.insert(cand.oid, p);
                    p
                }
            };
            if upid == Some(pid) {
                out.insert(
                    *oid,
                    PatchMatch {
                        upstream: commit_ref(repo, cand.oid)?,
                        found_in: sets[cand.set].label.clone(),
                        patch_id: pid,
                    },
                );
                break;
            }
        }
    }
    Ok(out)
}

/// A commit's id and first line.
pub fn commit_ref(repo: &Repo, oid: Oid) -> Result<CommitRef> {
    let c = repo.find_commit(oid)?;
    Ok(CommitRef {
        oid: oid.to_string(),
        summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default()).into_owned(),
    })
}

/// True when every path the change touches has the same content and mode in the target as the
/// fork gave it (absent on both counts as equal). False for no changes.
pub fn content_equal(
    changes: &[PathChange],
    target_version: impl Fn(&str) -> Result<Option<Version>>,
) -> Result<bool> {
    if changes.is_empty() {
        return Ok(false);
    }
    for c in changes {
        if target_version(&c.path)? != c.new {
            return Ok(false);
        }
    }
    Ok(true)
}
