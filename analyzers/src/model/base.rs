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
    /// The deployment era inferred from the base tree's content, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub era: Option<EraInfo>,
}

/// The configuration era of the base tree (docs/replacements.md, "Era").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EraInfo {
    /// `A` (JSON env/auth files read by `aws.py`, Aspen … Ironwood) or `B` (one YAML file per
    /// service, Juniper on).
    pub era: String,
    /// Where a deployment puts the configuration in this era.
    pub config: String,
    /// The releases the content fits (`Dogwood–Ficus`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<String>,
    /// Django major.minor pinned in `requirements/edx/base.txt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub django: Option<String>,
    /// A copy taken from a Tutor image (`lms/envs/tutor/` committed).
    #[serde(default)]
    pub tutor_image: bool,
    /// The modules the era rules were read from, or `rules/config-paths.toml`.
    pub rules_from: String,
    /// Why: one entry per fact used.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    pub release: Option<String>,
    pub rev: String,
    pub oid: String,
}
