//! What a run compares: the base release the fork is on and the target release it moves to.

use serde::{Deserialize, Serialize};

/// How the base release was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseMethod {
    /// The newest release tag that is an ancestor of HEAD.
    History,
    /// The release tag whose tree is closest to HEAD's (no shared history).
    Content,
    /// Given with `--base`.
    Explicit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaseInfo {
    /// Release name (`redwood`), when the base is a named release.
    pub release: Option<String>,
    /// The ref or revision used as base (`open-release/redwood.2`).
    pub rev: String,
    pub oid: String,
    pub method: BaseMethod,
    /// 0.0–1.0: how sure the detection is.
    pub confidence: f64,
    /// First-parent commits from base to HEAD (history method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<u64>,
    /// One sentence on why this base was chosen.
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    pub release: Option<String>,
    pub rev: String,
    pub oid: String,
}
