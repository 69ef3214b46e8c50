//! The report model: the only thing renderers see. Analyzers build it; the CLI renders it.
//! JSON shape documented in `docs/report-schema.md` (bump [`SCHEMA_VERSION`] on breaking change).

mod finding;
pub use finding::{Finding, FindingBuilder, Kind, Location, Replacement, Severity};

use serde::{Deserialize, Serialize};

/// Version of the JSON report schema.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub repo: RepoInfo,
    pub base: BaseInfo,
    pub target: Option<TargetInfo>,
    pub drift: crate::drift::Drift,
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<crate::settings::SettingsSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<crate::genconfig::ConfigSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themes: Option<crate::themes::ThemesSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebase: Option<crate::rebase::RebaseSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<crate::triage::TriageSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo {
            name: "forkcheck".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoInfo {
    /// The repository's work tree (or git dir for bare repositories), as given.
    pub path: String,
    /// The revision analysed as the fork's head, as given (e.g. `HEAD`).
    pub head_rev: String,
    pub head_oid: String,
}

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

impl Report {
    /// Counts of findings per severity, for summaries and `--fail-on`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Highest severity present, if any finding exists.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Sort findings into their canonical order (path, line, rule), so every output is stable.
    pub fn sort_findings(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                a.path.as_str(),
                a.line,
                a.rule.as_str(),
                a.fingerprint.as_str(),
            )
                .cmp(&(
                    b.path.as_str(),
                    b.line,
                    b.rule.as_str(),
                    b.fingerprint.as_str(),
                ))
        });
    }
}
