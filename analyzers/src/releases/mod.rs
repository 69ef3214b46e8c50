//! Named releases: the catalog ([`catalog`]), the release refs of a repository ([`discover`]),
//! base and target detection ([`base`]) and tree comparison for squashed forks ([`content`]).

pub mod base;
pub mod catalog;
pub mod content;
pub mod discover;

pub use base::Resolved;
pub use catalog::{Release, Scheme, Version, CATALOG};
pub use discover::{discover, Discovery, RefKind, RefSource, ReleaseRef};

use serde::Serialize;

use crate::config::Config;
use crate::error::Result;
use crate::repo::Repo;

/// The release refs of one release, best first.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseGroup {
    /// `redwood`.
    pub release: String,
    /// `Redwood`.
    pub title: String,
    /// Position in the catalog (Aspen = 1).
    pub index: u32,
    pub refs: Vec<ReleaseRef>,
}

/// What `forkcheck releases` shows: the release refs found, grouped per release (newest
/// release first), and warnings from discovery.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseList {
    pub releases: Vec<ReleaseGroup>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The release refs of `repo`, grouped per release.
pub fn list(repo: &Repo, config: &Config) -> Result<ReleaseList> {
    let found = discover(repo, config)?;
    Ok(group(&found))
}

/// Group discovered refs per release (newest release first, refs best first).
pub fn group(found: &Discovery) -> ReleaseList {
    let mut releases: Vec<ReleaseGroup> = Vec::new();
    for r in &found.refs {
        match releases.last_mut() {
            Some(g) if g.index == r.release.index => g.refs.push(r.clone()),
            _ => releases.push(ReleaseGroup {
                release: r.release.name.to_string(),
                title: r.release.title(),
                index: r.release.index,
                refs: vec![r.clone()],
            }),
        }
    }
    ReleaseList {
        releases,
        warnings: found.warnings.clone(),
    }
}
