//! Base and target detection, and resolution of `--base` / `--to` arguments.

use std::collections::{HashMap, HashSet};

use git2::Oid;

use super::catalog::{self, Release, CATALOG};
use super::content::TreeDistance;
use super::discover::{Discovery, ReleaseRef};
use crate::error::{Error, Result};
use crate::model::{BaseInfo, BaseMethod, TargetInfo};
use crate::repo::Repo;

/// Seconds a commit may be dated after its descendant (clock skew) in ancestry shortcuts.
const CLOCK_SLOP: i64 = 86_400;

/// A revision the user named or forkcheck picked, resolved to a commit.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// As shown: `open-release/redwood.2`, or the argument as given.
    pub rev: String,
    pub oid: Oid,
    /// The named release, when the revision is (or points at the same commit as) a release ref.
    pub release: Option<&'static Release>,
}

impl Resolved {
    fn from_ref(r: &ReleaseRef) -> Resolved {
        Resolved {
            rev: r.rev.clone(),
            oid: r.oid,
            release: Some(r.release),
        }
    }

    pub fn target_info(&self) -> TargetInfo {
        TargetInfo {
            release: self.release.map(|r| r.name.to_string()),
            rev: self.rev.clone(),
            oid: self.oid.to_string(),
        }
    }
}

/// Resolve a `--base` / `--to` argument: a release name (`redwood`, its best ref), a release ref
/// (`open-release/redwood.2`, `upstream/release/teak`) or any revision git understands.
pub fn resolve(repo: &Repo, found: &Discovery, arg: &str) -> Result<Resolved> {
    if let Some(release) = catalog::release(arg) {
        if let Some(best) = found.best_of(release) {
            return Ok(Resolved::from_ref(best));
        }
    }
    if let Some(r) = found.by_name(arg) {
        return Ok(Resolved::from_ref(r));
    }
    match repo.resolve_commit(arg) {
        Ok(oid) => Ok(Resolved {
            rev: arg.to_string(),
            oid,
            // Sorted best first, so a final tag wins over an rc tag on the same commit.
            release: found.refs.iter().find(|r| r.oid == oid).map(|r| r.release),
        }),
        Err(err @ Error::MissingObject { .. }) => Err(err),
        Err(err) => {
            let looks_like_release =
                !arg.is_empty() && arg.len() <= 20 && arg.bytes().all(|b| b.is_ascii_alphabetic());
            if catalog::release(arg).is_some() || looks_like_release {
                let mut known: Vec<String> = found
                    .releases()
                    .iter()
                    .map(|r| r.name.to_string())
                    .collect();
                if known.is_empty() {
                    known = CATALOG.iter().map(|r| r.name.to_string()).collect();
                }
                Err(Error::UnknownRelease {
                    name: arg.to_string(),
                    known,
                })
            } else {
                Err(err)
            }
        }
    }
}

/// The base as given with `--base`.
pub fn explicit_base(base: &Resolved) -> BaseInfo {
    BaseInfo {
        release: base.release.map(|r| r.name.to_string()),
        rev: base.rev.clone(),
        oid: base.oid.to_string(),
        method: BaseMethod::Explicit,
        confidence: 1.0,
        // Counted when the report is assembled ([`fork_distance`]): opening a context for
        // one analysis (a `plan` hop, the conflict set) need not walk the history.
        distance: None,
        detail: format!("given with --base {}", base.rev),
        era: None,
    }
}

/// The number of first-parent fork commits since `base`, when `base` is an ancestor of `head`;
/// `fork` is every commit reachable from `head` and not from `base` (`git rev-list ^base head`),
/// which the caller has walked already, so the first-parent chain is followed inside it.
pub fn fork_distance(
    repo: &Repo,
    base: Oid,
    head: Oid,
    fork: &std::collections::HashSet<Oid>,
) -> Result<Option<u64>> {
    if base == head {
        return Ok(Some(0));
    }
    // `git rev-list --first-parent ^base head`: first parents from the head while they are
    // not reachable from the base.
    let (mut len, mut at, mut oldest) = (0u64, head, None);
    while fork.contains(&at) {
        len += 1;
        oldest = Some(at);
        match repo.find_commit(at)?.parent_ids().next() {
            Some(p) => at = p,
            None => break,
        }
    }
    // When the chain's oldest commit is a child of the base (the usual fork), the base is an
    // ancestor without a merge-base walk; otherwise ask the history.
    let child_of_base = match oldest {
        Some(c) => repo.find_commit(c)?.parent_ids().any(|p| p == base),
        None => false,
    };
    Ok((child_of_base || repo.is_ancestor(base, head)?).then_some(len))
}

/// Detect the base: by history when a release ref is an ancestor of `head`, else by content.
/// Returns the base, its resolution and warnings.
pub fn detect(
    repo: &Repo,
    found: &Discovery,
    head: Oid,
) -> Result<(BaseInfo, Resolved, Vec<String>)> {
    if let Some(result) = by_history(repo, found, head)? {
        return Ok(result);
    }
    by_content(repo, found, head)
}

fn by_history(
    repo: &Repo,
    found: &Discovery,
    head: Oid,
) -> Result<Option<(BaseInfo, Resolved, Vec<String>)>> {
    // Which release refs are ancestors of HEAD, without a merge-base walk per ref: find the
    // first ref met walking back from HEAD (nearest commits first); refs reachable from HEAD but
    // not from that one are found by one more walk; any other ref can only be an ancestor
    // through it, checked exactly unless its commit is over a day newer than it (an ancestor
    // is not newer than its descendant, clock skew aside).
    let targets: HashSet<Oid> = found.refs.iter().map(|r| r.oid).collect();
    let Some(first) = repo.first_reachable(head, &targets)? else {
        return Ok(None);
    };
    let ahead = repo.reachable_excluding(head, first)?;
    let first_time = repo.commit_time(first)?;
    let mut cache: HashMap<Oid, bool> = HashMap::new();
    let mut ancestor = |oid: Oid| -> Result<bool> {
        if let Some(known) = cache.get(&oid) {
            return Ok(*known);
        }
        let is = oid == first
            || ahead.contains(&oid)
            || (repo.commit_time(oid)? <= first_time + CLOCK_SLOP
                && repo.is_ancestor(oid, first)?);
        cache.insert(oid, is);
        Ok(is)
    };
    let mut best = None;
    for r in &found.refs {
        if ancestor(r.oid)? {
            best = Some(r);
            break;
        }
    }
    let Some(best) = best else { return Ok(None) };
    let mut warnings = Vec::new();
    // The release branch may have moved on past the tag and been merged into the fork.
    for other in found.refs.iter().filter(|r| {
        r.release.index == best.release.index && r.version.branch_shaped && r.oid != best.oid
    }) {
        if ancestor(other.oid)? && repo.is_ancestor(best.oid, other.oid)? {
            warnings.push(format!(
                "HEAD also contains `{}`, which is ahead of the base tag `{}`; upstream commits \
                 after the tag count as drift (pass `--base {}` to measure from the branch)",
                other.rev, best.rev, other.rev
            ));
            break;
        }
    }
    let distance = repo.first_parent_since(best.oid, head)?.len() as u64;
    let (confidence, what) = if best.is_final_tag() {
        (1.0, "release tag")
    } else if best.is_rc() {
        (
            0.8,
            "release-candidate tag (no final tag of the release is an ancestor)",
        )
    } else {
        (0.9, "release branch (no tag of the release is an ancestor)")
    };
    let info = BaseInfo {
        release: Some(best.release.name.to_string()),
        rev: best.rev.clone(),
        oid: best.oid.to_string(),
        method: BaseMethod::History,
        confidence,
        distance: Some(distance),
        detail: format!(
            "newest {what} that is an ancestor of HEAD, {distance} first-parent commit{} behind it",
            if distance == 1 { "" } else { "s" }
        ),
        era: None,
    };
    Ok(Some((info, Resolved::from_ref(best), warnings)))
}

/// Candidates for content comparison: final tags; else branches; else rc tags. One per tree.
fn content_candidates<'a>(repo: &Repo, found: &'a Discovery) -> Result<Vec<(&'a ReleaseRef, Oid)>> {
    let classes: [fn(&ReleaseRef) -> bool; 3] = [
        |r| r.is_final_tag(),
        |r| !r.is_final_tag() && !r.is_rc(),
        |r| r.is_rc(),
    ];
    for class in classes {
        let mut out: Vec<(&ReleaseRef, Oid)> = Vec::new();
        for r in found.refs.iter().filter(|r| class(r)) {
            let tree = repo.tree_of(r.oid)?.id();
            if !out.iter().any(|(_, t)| *t == tree) {
                out.push((r, tree));
            }
        }
        if !out.is_empty() {
            return Ok(out);
        }
    }
    Ok(Vec::new())
}

fn by_content(
    repo: &Repo,
    found: &Discovery,
    head: Oid,
) -> Result<(BaseInfo, Resolved, Vec<String>)> {
    let head_tree = repo.tree_of(head)?.id();
    let candidates = content_candidates(repo, found)?;
    let mut trees = TreeDistance::new(repo);
    // (distance, candidate); distances above the bound are only known to be worse.
    let mut scored: Vec<(u64, &ReleaseRef)> = Vec::new();
    for (r, tree) in &candidates {
        let bound = bound(&scored);
        let d = trees.distance(head_tree, *tree, bound)?;
        scored.push((d, r));
        // Stable: candidates come best-ref first, so equal distances keep the newer one.
        scored.sort_by_key(|(d, _)| *d);
    }
    let Some(&(best_d, best)) = scored.first() else {
        return Err(Error::NoReleaseRefs {
            path: repo.given_path().to_path_buf(),
            remote: String::new(),
        });
    };
    let runner_up = scored
        .iter()
        .find(|(_, r)| r.release.index != best.release.index)
        .copied();
    let files = trees.file_count(head_tree)?.max(1);
    let margin = runner_up.map_or(files, |(d, _)| d.saturating_sub(best_d));
    let confidence = if best_d == 0 && margin > 0 {
        1.0
    } else {
        let separation = 1.0 - (-(margin as f64) / 5.0).exp();
        let closeness = 1.0 - (best_d as f64 / files as f64).min(1.0);
        ((separation * closeness) * 100.0).round() / 100.0
    };
    let mut detail = format!(
        "no release ref is an ancestor of HEAD; the tree of `{}` is the closest ({} of {} files differ)",
        best.rev, best_d, files
    );
    if let Some((d, r)) = runner_up {
        detail.push_str(&format!("; next closest release: `{}` ({d} differ)", r.rev));
    }
    let mut warnings = Vec::new();
    if confidence < 0.5 {
        warnings.push(format!(
            "the base release was guessed from file content with low confidence ({confidence:.2}); \
             pass `--base REV` if `{}` is wrong",
            best.rev
        ));
    }
    let info = BaseInfo {
        release: Some(best.release.name.to_string()),
        rev: best.rev.clone(),
        oid: best.oid.to_string(),
        method: BaseMethod::Content,
        confidence,
        distance: None,
        detail,
        era: None,
    };
    Ok((info, Resolved::from_ref(best), warnings))
}

/// The distance above which a candidate can no longer be best or runner-up (another release).
fn bound(scored: &[(u64, &ReleaseRef)]) -> u64 {
    let Some((_, best)) = scored.first() else {
        return u64::MAX;
    };
    scored
        .iter()
        .find(|(_, r)| r.release.index != best.release.index)
        .map_or(u64::MAX, |(d, _)| *d)
}

/// The target: the best ref of the first release after `base` that has refs in the repository.
pub fn next_target(found: &Discovery, base: &Release) -> Option<Resolved> {
    let mut next = base.next();
    while let Some(release) = next {
        if let Some(best) = found.best_of(release) {
            return Some(Resolved::from_ref(best));
        }
        next = release.next();
    }
    None
}
