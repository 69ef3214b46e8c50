//! The themes section of the report: the override inventory (status, divergence, staleness,
//! context risks), in-place template edits and the move plan. Serialized as `report.themes`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::diffing::Divergence;
use super::noise::ChangeClass;
use crate::model::Severity;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThemesSection {
    /// Theme roots searched (config `[themes] roots` plus `COMPREHENSIVE_THEME_DIRS` found in
    /// the fork's settings), repository-relative.
    pub roots: Vec<String>,
    pub themes: Vec<ThemeInfo>,
    /// One entry per fork-owned theme file (files identical to the base's same path — upstream's
    /// example themes — are counted in [`ThemeInfo::upstream_files`], not listed).
    pub overrides: Vec<OverrideEntry>,
    /// Core templates edited or added in place.
    pub in_place: Vec<InPlaceEdit>,
    /// How to move the in-place edits into a theme (forkcheck never moves files itself).
    pub move_plan: Vec<MoveStep>,
    pub summary: ThemesSummary,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThemeInfo {
    pub name: String,
    /// `themes/acme`.
    pub path: String,
    /// `lms`, `cms`.
    pub services: Vec<String>,
    /// Template and static files of the theme.
    pub files: u64,
    /// Files the fork added or changed (analysed).
    pub fork_files: u64,
    /// Files identical to the base release's same path (upstream's own theme files).
    pub upstream_files: u64,
    /// The theme directory exists in the base release (one of upstream's example themes): its
    /// files are upstream code, the fork's changes to them are in-place edits, and it is never
    /// where the move plan puts other edits.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub upstream: bool,
}

/// What a theme file is to the upgrade: [`OverrideEntry::status`] and its finding's `status`,
/// named once here (the cost model weighs theme findings by rule id, never by these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OverrideStatus {
    Redundant,
    Diverged,
    Stale,
    Orphaned,
    Misplaced,
    /// Overrides a template upstream removed in an earlier release than the base.
    Dead,
    Addition,
}

impl OverrideStatus {
    pub const ALL: [OverrideStatus; 7] = [
        OverrideStatus::Redundant,
        OverrideStatus::Diverged,
        OverrideStatus::Stale,
        OverrideStatus::Orphaned,
        OverrideStatus::Misplaced,
        OverrideStatus::Dead,
        OverrideStatus::Addition,
    ];

    /// The word in reports (`stale`).
    pub const fn as_str(self) -> &'static str {
        match self {
            OverrideStatus::Redundant => "redundant",
            OverrideStatus::Diverged => "diverged",
            OverrideStatus::Stale => "stale",
            OverrideStatus::Orphaned => "orphaned",
            OverrideStatus::Misplaced => "misplaced",
            OverrideStatus::Dead => "dead",
            OverrideStatus::Addition => "addition",
        }
    }
}

/// One theme file and what it means for the upgrade.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OverrideEntry {
    pub theme: String,
    pub service: String,
    pub path: String,
    /// `template` or `static`.
    pub kind: String,
    /// Template language (`mako`, `django`, `underscore`, `plain`); absent for static files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `redundant`, `diverged`, `stale`, `orphaned`, `misplaced`, `dead` or `addition`.
    pub status: String,
    pub rule: String,
    pub severity: Severity,
    /// The upstream file shadowed (for `misplaced`: the other service's file; for `dead`: the
    /// removed file, as the last release that had it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// For `misplaced`: where the file would take effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub should_live_at: Option<String>,
    /// Against the base release's original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divergence: Option<Divergence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copied_from: Option<CopiedFrom>,
    /// The upstream change of the original between base and target, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staleness: Option<Staleness>,
    #[serde(default)]
    pub context_risks: Vec<ContextRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// What the suggestion is based on: `branding`, `i18n`, `rewrite` or `blocks` (absent
    /// without a suggestion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

/// The release whose original is closest by content to the override.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopiedFrom {
    /// `open-release/redwood.2`.
    pub rev: String,
    pub release: String,
    pub similarity: f64,
    /// Releases whose original is byte-identical to the chosen one.
    pub same_in: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Staleness {
    pub change: ChangeClass,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// What changed structurally (blocks, includes, page args, context names, …).
    #[serde(default)]
    pub details: Vec<String>,
    /// Upstream commits between base and target that changed the original (newest first,
    /// capped; see `commits_total`).
    #[serde(default)]
    pub commits: Vec<UpstreamCommit>,
    pub commits_total: u64,
    /// The original's path in the target when it moved between roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_original: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpstreamCommit {
    pub oid: String,
    pub summary: String,
}

/// A context name the override reads or misses that the target release changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextRisk {
    pub name: String,
    /// `renamed` (upstream replaced it by `renamed_to`), `removed` (the target's original no
    /// longer reads it; the override does), `added` (the target's original newly reads it; the
    /// override does not), `page-arg` (a new `<%page>` argument), `view-removed` (the view no
    /// longer passes it).
    pub change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// Line in the override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Line in the target's original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_line: Option<u32>,
    /// The view whose context dict confirms the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
}

/// A core template edited or added in place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InPlaceEdit {
    pub path: String,
    /// `edited` or `added`.
    pub change: String,
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Where the file belongs as a theme override.
    pub theme_path: String,
    /// The upstream example theme the file belongs to (`themes/red-theme`), when the edit is
    /// to one of those rather than to a core template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_theme: Option<String>,
}

/// One step of the move plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveStep {
    pub from: String,
    pub to: String,
    /// `copy-and-restore` (an edited upstream file: copy it to the theme, then restore
    /// upstream's version) or `move` (a file the fork added).
    pub action: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThemesSummary {
    pub themes: u64,
    pub overrides: u64,
    /// Status → number of theme files.
    pub by_status: BTreeMap<String, u64>,
    pub context_risks: u64,
    pub in_place: u64,
}
