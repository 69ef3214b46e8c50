//! History questions about an original: which release the override was most likely copied from
//! (closest by content over the release tags in the repository), and which upstream commits
//! changed the original between base and target.

use std::collections::HashMap;

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
    repo.blob_in_tree(tree, path).ok().flatten()
}

/// An upstream file an earlier release had and a later release (before the base) removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The upstream path, as the last release that had it.
    pub path: String,
    /// Its blob in that release.
    pub blob: Oid,
    /// The last release (and rev) that had it.
    pub last_release: String,
    pub last_rev: String,
    /// The first release after it without the file.
    pub removed_in: String,
}

/// The first of `paths` (lookup order) that a release tag before `base_rev` had and a later tag
/// before or at the base no longer has. Tags after the base are not read; when `base_rev` is no
/// release tag, every tag counts.
pub fn removed_before_base(
    repo: &Repo,
    tags: &[ReleaseTag],
    paths: &[String],
    base_rev: &str,
) -> Option<Removed> {
    let upto = tags
        .iter()
        .position(|t| t.rev == base_rev)
        .map_or(tags.len(), |i| i + 1);
    let tags = &tags[..upto];
    for path in paths {
        let Some(last) = tags
            .iter()
            .rposition(|t| blob_in_tree(repo, t.tree, path).is_some())
        else {
            continue;
        };
        let Some(gone) = tags.get(last + 1) else {
            continue; // the newest tag read still has it
        };
        let had = &tags[last];
        let blob = blob_in_tree(repo, had.tree, path)?;
        return Some(Removed {
            path: path.clone(),
            blob,
            last_release: had.release.clone(),
            last_rev: had.rev.clone(),
            removed_in: gone.release.clone(),
        });
    }
    None
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

/// Upstream's commits in `base..target` (topological, newest first) and, for each path of
/// interest, the ones that changed it: read once per run for every override (each commit
/// compared with its first parent only along those paths: [`crate::trees::Walk::allow`]).
#[derive(Debug, Default)]
pub struct PathHistory {
    commits: Vec<UpstreamCommit>,
    by_path: HashMap<String, Vec<usize>>,
}

impl PathHistory {
    /// Walk `base..target` once, recording which of `paths` each commit changed (blob id).
    /// Missing history yields what was found.
    pub fn build(
        repo: &Repo,
        base: Oid,
        target: Oid,
        paths: &std::collections::HashSet<String>,
    ) -> Result<PathHistory> {
        let mut out = PathHistory::default();
        if paths.is_empty() {
            return Ok(out);
        }
        let allow = crate::trees::allowed_paths(paths.iter().map(String::as_str));
        let walk_opts = crate::trees::Walk {
            allow: Some(&allow),
            ..Default::default()
        };
        let mut trees = crate::trees::Trees::new(repo);
        let git = repo.git();
        let mut walk = git.revwalk().map_err(|e| git_error("walking history", e))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(|e| git_error("walking history", e))?;
        walk.push(target)
            .map_err(|e| git_error(format!("walking history from {target}"), e))?;
        walk.hide(base)
            .map_err(|e| git_error(format!("walking history from {target}"), e))?;
        for oid in walk {
            let Ok(oid) = oid else { break };
            let Ok(commit) = git.find_commit(oid) else {
                break;
            };
            let parent = commit.parent(0).ok().map(|p| p.tree_id());
            let Ok(Some(changes)) = trees.walk_changes(parent, Some(commit.tree_id()), walk_opts)
            else {
                break;
            };
            let index = out.commits.len();
            let mut any = false;
            for d in changes {
                if d.old_oid() != d.new_oid() && paths.contains(&d.path) {
                    out.by_path.entry(d.path).or_default().push(index);
                    any = true;
                }
            }
            out.commits.push(UpstreamCommit {
                oid: oid.to_string(),
                summary: if any {
                    commit.summary().unwrap_or("").to_string()
                } else {
                    String::new()
                },
            });
        }
        Ok(out)
    }

    /// The commits that changed `path`, newest first, at most `cap`, and how many there are.
    pub fn touching(&self, path: &str, cap: usize) -> (Vec<UpstreamCommit>, u64) {
        let Some(found) = self.by_path.get(path) else {
            return (Vec::new(), 0);
        };
        let commits = found
            .iter()
            .take(cap)
            .map(|&i| self.commits[i].clone())
            .collect();
        (commits, found.len() as u64)
    }
}
