//! The report model: the only thing renderers see. Analyzers build it; the CLI renders it.
//! JSON shape documented in `docs/report-schema.md` (bump [`SCHEMA_VERSION`] on breaking change).

// The model types findings and runs are made of live in `crate::model` (which imports nothing
// from the analyses or from here); re-exported so `report::Finding` … keep working.
pub use crate::model::{
    BaseInfo, BaseMethod, Finding, FindingBuilder, Kind, Location, Replacement, RuleId, Severity,
    TargetInfo,
};

pub mod summary;

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
    /// What to do first: one line per decision, then the cost (see [`summary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<summary::Summary>,
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
    /// `migrations`, `dependencies` and `deprecations` (what breaks at the target beyond the
    /// diff), flattened into the top level.
    #[serde(flatten)]
    pub breaks: crate::breaks::Breaks,
    /// Differential mode only (`forkcheck check`): what the findings were compared with, the
    /// fixed findings and the deltas; `findings` then holds the new findings only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<crate::check::CheckSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The secret values met during the run: never serialised; the binary scrubs every byte it
    /// writes of them (see [`crate::secrets`]).
    #[serde(skip)]
    pub secrets: crate::secrets::SecretValues,
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

impl Report {
    /// Scrub every string of the report of the run's secret values and of anything with a
    /// credential's shape (`KEY = value`, URL passwords, PEM blocks): the one redaction point
    /// every analysis's output goes through, whatever field it lands in. The values are kept
    /// in [`Report::secrets`] for the renderers' last pass.
    pub fn redact(self, secrets: crate::secrets::SecretValues) -> crate::Result<Report> {
        let redactor = crate::secrets::Redactor::new(secrets.clone());
        // Most reports hide nothing: find that out without building their JSON form.
        if crate::secrets::probe::would_change(&redactor, &self)
            == crate::secrets::probe::Probe::Clean
        {
            let mut report = self;
            report.secrets = secrets;
            return Ok(report);
        }
        let mut value = serde_json::to_value(&self)
            .map_err(|e| crate::Error::Other(format!("internal error: report to JSON: {e}")))?;
        if !redactor.scrub_value(&mut value, false) {
            // Nothing to hide: keep the typed report as it is (the JSON form rounds hours).
            let mut report = self;
            report.secrets = secrets;
            return Ok(report);
        }
        let mut report: Report = match serde_json::from_value(value) {
            Ok(r) => r,
            // A secret equal to one of the report's own enum names (`added`, `error`): scrub
            // again leaving whole-string tokens alone, which only enums and paths are.
            Err(_) => {
                let mut value = serde_json::to_value(&self).map_err(|e| {
                    crate::Error::Other(format!("internal error: report to JSON: {e}"))
                })?;
                redactor.scrub_value(&mut value, true);
                serde_json::from_value(value).map_err(|e| {
                    crate::Error::Other(format!("internal error: redacted report: {e}"))
                })?
            }
        };
        report.secrets = secrets;
        Ok(report)
    }

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
