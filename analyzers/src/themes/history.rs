//! History questions about an original: which release the override was most likely copied from
//! (closest by content over the release tags in the repository), and which upstream commits
//! changed the original between base and target.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Sort};

use super::diffing::similarity;
use super::model::{CopiedFrom, UpstreamCommit};
use crate::error::Result;
use crate::releases::Discovery;
use crate::repo::{git_error, Repo};

/// A final release tag to compare against.
#[derive(Debug, Clone)]
pub struct ReleaseTag {
    pub rev: String,
    pub release: String,
    pub commit: Oid,
    /// Tree of the commit (tree lookups are cheaper from the tree id).
    pub tree: Oid,
}

/// Final release tags (not rc, not branches), oldest release first, one per rev.
pub fn release_tags(repo: &Repo, found: &Discovery) -> Result<Vec<ReleaseTag>> {
    let mut refs: Vec<_> = found.refs.iter().filter(|r| r.is_final_tag()).collect();
    refs.sort_by(|a, b| {
        a.release
            .index
            .cmp(&b.release.index)
            .then(a.version.cmp_point(&b.version))
            .then(a.rev.cmp(&b.rev))
    });
    refs.dedup_by(|a, b| a.rev == b.rev);
    let mut out = Vec::new();
    for r in refs {
        let tree = repo.find_commit(r.oid)?.tree_id();
        out.push(ReleaseTag {
            rev: r.rev.clone(),
            release: r.release.name.to_string(),
            commit: r.oid,
            tree,
        });
    }
    Ok(out)
}

fn blob_in_tree(repo: &Repo, tree: Oid, path: &str) -> Option<Oid> {
    let tree = repo.git().find_tree(tree).ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Blob)).then(|| entry.id())
}

/// The release whose `original` is closest to `content`. Ties go to the base release's tag,
/// else to the newest tied release. `None` when no release has the file or no blob is readable.
pub fn closest_release(
    repo: &Repo,
    tags: &[ReleaseTag],
    original: &str,
    content: &[u8],
    base_rev: &str,
) -> Option<CopiedFrom> {
    let mut sims: HashMap<Oid, f64> = HashMap::new();
    let mut per_tag: Vec<(&ReleaseTag, Oid)> = Vec::new();
    for tag in tags {
        let Some(blob) = blob_in_tree(repo, tag.tree, original) else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = sims.entry(blob) {
            let Ok(bytes) = repo.blob_bytes(blob) else {
                continue;
            };
            let Ok(sim) = similarity(&bytes, content) else {
                continue;
            };
            slot.insert(sim);
        }
        per_tag.push((tag, blob));
    }
    let best = per_tag
        .iter()
        .filter_map(|(_, b)| sims.get(b).copied())
        .fold(f64::NEG_INFINITY, f64::max);
    if !best.is_finite() || best <= 0.0 {
        return None; // nothing in common with any release: not a copy
    }
    let tied: Vec<&(&ReleaseTag, Oid)> = per_tag
        .iter()
        .filter(|(_, b)| sims.get(b).copied() == Some(best))
        .collect();
    let chosen = tied
        .iter()
        .find(|(t, _)| t.rev == base_rev)
        .or_else(|| tied.last())?;
    let mut same_in: Vec<String> = per_tag
        .iter()
        .filter(|(_, b)| *b == chosen.1)
        .map(|(t, _)| t.release.clone())
        .collect();
    same_in.dedup();
    Some(CopiedFrom {
        rev: chosen.0.rev.clone(),
        release: chosen.0.release.clone(),
        similarity: best,
        same_in,
    })
}

/// Commits in `base..target` that changed `path` (compared with their first parent), newest
/// first, at most `cap`, and how many there are in all. Missing history yields what was found.
pub fn commits_touching(
    repo: &Repo,
    base: Oid,
    target: Oid,
    path: &str,
    cap: usize,
) -> Result<(Vec<UpstreamCommit>, u64)> {
    let git = repo.git();
    let mut walk = git.revwalk().map_err(|e| git_error("walking history", e))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(|e| git_error("walking history", e))?;
    walk.push(target)
        .map_err(|e| git_error(format!("walking history from {target}"), e))?;
    walk.hide(base)
        .map_err(|e| git_error(format!("walking history from {target}"), e))?;
    let mut out = Vec::new();
    let mut total = 0u64;
    for oid in walk {
        let Ok(oid) = oid else { break };
        let Ok(commit) = git.find_commit(oid) else {
            break;
        };
        let here = blob_in_tree(repo, commit.tree_id(), path);
        let before = commit
            .parent(0)
            .ok()
            .and_then(|p| blob_in_tree(repo, p.tree_id(), path));
        if here != before {
            total += 1;
            if out.len() < cap {
                out.push(UpstreamCommit {
                    oid: oid.to_string(),
                    summary: commit.summary().unwrap_or("").to_string(),
                });
            }
        }
    }
    Ok((out, total))
}
