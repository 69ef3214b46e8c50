//! One finding: a rule that fired at a place. Invariants (a rule id, a path, redacted values) are
//! enforced here, where findings are made, never in renderers.

use serde::{Deserialize, Serialize};

use super::rule::{Rule, RuleId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected info, warning or error)"
            )),
        }
    }
}

/// What area of fork maintenance a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Drift,
    GeneratedConfig,
    Secret,
    Settings,
    ThemeOverride,
    CoreTemplate,
    RebaseConflict,
    Upstream,
    Migration,
    Dependency,
    Deprecation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Drift => "drift",
            Kind::GeneratedConfig => "generated-config",
            Kind::Secret => "secret",
            Kind::Settings => "settings",
            Kind::ThemeOverride => "theme-override",
            Kind::CoreTemplate => "core-template",
            Kind::RebaseConflict => "rebase-conflict",
            Kind::Upstream => "upstream",
            Kind::Migration => "migration",
            Kind::Dependency => "dependency",
            Kind::Deprecation => "deprecation",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Kind::Drift,
            Kind::GeneratedConfig,
            Kind::Secret,
            Kind::Settings,
            Kind::ThemeOverride,
            Kind::CoreTemplate,
            Kind::RebaseConflict,
            Kind::Upstream,
            Kind::Migration,
            Kind::Dependency,
            Kind::Deprecation,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| format!("unknown finding kind `{s}`"))
    }
}

/// A place in a file at some revision (e.g. the target release's settings module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Which revision the location refers to (`base`, `head`, `target`, or a ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A configuration-management replacement for a settings or config edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    /// YAML key and value for `lms.yml`/`studio.yml` (or Tutor's `lms.env.yml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<String>,
    /// Ansible variable assignment (`EDXAPP_*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ansible: Option<String>,
    /// Tutor config key (`tutor config save --set ...`) or patch and its content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tutor: Option<String>,
    /// Free-text advice (e.g. package a Django app plugin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `FC301`.
    pub rule: String,
    /// Rule name, e.g. `settings-module-edit`.
    pub name: String,
    pub kind: Kind,
    pub severity: Severity,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    /// Stable identity across runs (rule + path + subject), for SARIF and baselines.
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Replacement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Location>,
    /// Analysis-specific detail (always a JSON object; never holds secret values).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl Finding {
    /// The finding's rule as a [`RuleId`] (`None` only for a finding read back from a report of
    /// another forkcheck version that had other rules).
    pub fn rule_id(&self) -> Option<RuleId> {
        self.rule.parse().ok()
    }

    /// What the finding is about, independent of the release it was judged against: path and
    /// fingerprint (the fingerprint hashes rule, path and subject, never a release).
    pub fn fingerprint_subject(&self) -> String {
        format!("{}|{}", self.path, self.fingerprint)
    }

    #[allow(clippy::new_ret_no_self)] // a builder, so invariants (fingerprint) are set in one place
    /// Start a finding for `rule` at `path`. Severity comes from the rule (as configured).
    pub fn new(rule: &Rule, path: impl Into<String>, message: impl Into<String>) -> FindingBuilder {
        let path = path.into();
        FindingBuilder {
            finding: Finding {
                rule: rule.id.clone(),
                name: rule.name.clone(),
                kind: rule.kind,
                severity: rule.severity,
                fingerprint: String::new(),
                path,
                line: None,
                message: message.into(),
                setting: None,
                key: None,
                status: None,
                original: None,
                replacement: None,
                target_location: None,
                related: Vec::new(),
                data: serde_json::Map::new(),
            },
            subject: None,
        }
    }
}

/// Builder returned by [`Finding::new`]; `build()` computes the fingerprint.
pub struct FindingBuilder {
    finding: Finding,
    subject: Option<String>,
}

impl FindingBuilder {
    pub fn line(mut self, line: u32) -> Self {
        self.finding.line = Some(line);
        self
    }
    pub fn line_opt(mut self, line: Option<u32>) -> Self {
        self.finding.line = line;
        self
    }
    pub fn severity(mut self, severity: Severity) -> Self {
        self.finding.severity = severity;
        self
    }
    pub fn setting(mut self, setting: impl Into<String>) -> Self {
        self.finding.setting = Some(setting.into());
        self
    }
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.finding.key = Some(key.into());
        self
    }
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.finding.status = Some(status.into());
        self
    }
    pub fn original(mut self, original: impl Into<String>) -> Self {
        self.finding.original = Some(original.into());
        self
    }
    pub fn replacement(mut self, replacement: Replacement) -> Self {
        self.finding.replacement = Some(replacement);
        self
    }
    pub fn target_location(mut self, location: Location) -> Self {
        self.finding.target_location = Some(location);
        self
    }
    pub fn related(mut self, location: Location) -> Self {
        self.finding.related.push(location);
        self
    }
    pub fn data(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.finding.data.insert(key.to_string(), value.into());
        self
    }
    /// What distinguishes this finding from others of the same rule in the same file (a setting
    /// name, a key, a commit id). Part of the fingerprint; defaults to setting/key/line.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    pub fn build(mut self) -> Finding {
        let f = &self.finding;
        let subject = self
            .subject
            .take()
            .or_else(|| f.setting.clone())
            .or_else(|| f.key.clone())
            .or_else(|| f.status.clone())
            .unwrap_or_default();
        self.finding.fingerprint = fingerprint(&[&f.rule, &f.path, &subject]);
        self.finding
    }
}

/// FNV-1a 64-bit over the parts, hex: stable across runs, platforms and Rust versions.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0u8)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
