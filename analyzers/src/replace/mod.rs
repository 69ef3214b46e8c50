//! Configuration-management replacements for settings and config edits, era- and
//! deployment-aware (docs/edx-domain.md §2.4 and §5).
//!
//! Analyzers describe each edit as an [`Edit`]; [`decide`] turns it into a structured [`Spec`]
//! (stored in the finding's `data.replacement`, read back by `forkcheck replace`) and the
//! human-readable [`Replacement`] shown inline in every report. Secret values never enter a
//! spec: secret edits get placeholders.

mod decide;
pub mod era;
pub mod output;
pub mod tables;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::Replacement;
use crate::Result;

pub use decide::{decide, local_host};

/// The placeholder used instead of any secret value.
pub const SECRET_PLACEHOLDER: &str = "<set from your secret store>";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Lms,
    Cms,
    Both,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Lms => "lms",
            Service::Cms => "cms",
            Service::Both => "both",
        }
    }
    /// From a path: `lms/…`, `cms/…`, `openedx/envs/…`, or a config file name (`lms.env.json`,
    /// `studio.yml`).
    pub fn of_path(path: &str) -> Service {
        let file = path.rsplit('/').next().unwrap_or(path);
        if path.starts_with("lms/") || file.starts_with("lms") {
            Service::Lms
        } else if path.starts_with("cms/") || file.starts_with("cms") || file.starts_with("studio")
        {
            Service::Cms
        } else {
            Service::Both
        }
    }
}

/// Which settings module an edit lives in (decides dev/prod scope of the replacement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    Common,
    Production,
    Devstack,
    Test,
    /// A generated config file (already YAML/JSON: applies in production).
    Config,
}

impl ModuleKind {
    pub fn of_path(path: &str) -> ModuleKind {
        let file = path.rsplit('/').next().unwrap_or(path);
        let stem = file.split('.').next().unwrap_or(file);
        match stem {
            "production" | "aws" | "docker-production" | "openstack" => ModuleKind::Production,
            s if s.starts_with("devstack") || s == "development" => ModuleKind::Devstack,
            s if s.starts_with("test") || s.starts_with("bok_choy") || s == "pact" => {
                ModuleKind::Test
            }
            _ => ModuleKind::Common,
        }
    }
}

/// What the edit does to the setting.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Sets a literal value (at `path` below the root).
    Set(Value),
    /// Sets a non-literal Python expression.
    Expr,
    /// Appends literal items to a list setting.
    Append(Vec<Value>),
    /// A literal list edited in place: the delta against the base's list.
    List(ListDelta),
    /// Removes the setting or key.
    Remove,
}

/// What the fork did to a literal list (`INSTALLED_APPS = [...]` edited in place).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListDelta {
    /// Items added after the base's last item.
    pub append: Vec<Value>,
    /// Items added among the base's items: (item, the base item it now precedes).
    pub insert: Vec<(Value, Value)>,
    /// Base items the fork deleted.
    pub remove: Vec<Value>,
    /// Base items the fork commented out (a removal too, named as such).
    pub commented: Vec<Value>,
}

impl ListDelta {
    /// The delta from `base` to `fork`, or `None` when the fork only reorders items or the
    /// lists hold non-scalar items. `fork_source` (the fork's value as written) tells a
    /// commented-out item from a deleted one.
    pub fn of(base: &[Value], fork: &[Value], fork_source: &str) -> Option<ListDelta> {
        if base
            .iter()
            .chain(fork)
            .any(|v| v.is_array() || v.is_object())
        {
            return None;
        }
        let mut d = ListDelta::default();
        for item in base.iter().filter(|b| !fork.contains(b)) {
            if commented_out(fork_source, item) {
                d.commented.push(item.clone());
            } else {
                d.remove.push(item.clone());
            }
        }
        let kept: Vec<&Value> = fork.iter().filter(|f| base.contains(f)).collect();
        let base_kept: Vec<&Value> = base.iter().filter(|b| fork.contains(b)).collect();
        if kept != base_kept {
            return None;
        }
        for (i, item) in fork.iter().enumerate() {
            if base.contains(item) {
                continue;
            }
            match fork[i + 1..].iter().find(|n| base.contains(n)) {
                Some(next) => d.insert.push((item.clone(), next.clone())),
                None => d.append.push(item.clone()),
            }
        }
        (d != ListDelta::default()).then_some(d)
    }

    /// The delta as Python statements on `root` (a settings patch).
    pub fn python(&self, root: &str) -> Vec<String> {
        let lit = |v: &Value| python_literal(v);
        let mut out = Vec::new();
        for item in self.remove.iter().chain(&self.commented) {
            out.push(format!(
                "if {item} in {root}:\n    {root}.remove({item})",
                item = lit(item)
            ));
        }
        for (item, next) in &self.insert {
            out.push(format!(
                "{root}.insert({root}.index({next}) if {next} in {root} else len({root}), {item})",
                item = lit(item),
                next = lit(next)
            ));
        }
        for item in &self.append {
            out.push(format!("{root}.append({})", lit(item)));
        }
        out
    }

    /// One phrase per kind of change (`removes "x" (commented out)`), for messages.
    pub fn describe(&self) -> String {
        let list = |items: &[Value]| {
            items
                .iter()
                .map(python_literal)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.commented.is_empty() {
            parts.push(format!("removes {} (commented out)", list(&self.commented)));
        }
        if !self.remove.is_empty() {
            parts.push(format!("removes {}", list(&self.remove)));
        }
        for (item, next) in &self.insert {
            parts.push(format!(
                "inserts {} before {}",
                python_literal(item),
                python_literal(next)
            ));
        }
        if !self.append.is_empty() {
            parts.push(format!("appends {}", list(&self.append)));
        }
        parts.join(", ")
    }
}

/// Is `item` (a string) in a comment line of `source`?
fn commented_out(source: &str, item: &Value) -> bool {
    let Some(s) = item.as_str() else { return false };
    source.lines().any(|l| {
        l.split_once('#')
            .is_some_and(|(_, c)| c.contains(&format!("\"{s}\"")) || c.contains(&format!("'{s}'")))
    })
}

/// A JSON value as a Python literal (`true` → `True`, `null` → `None`).
pub fn python_literal(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(python_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    serde_json::to_string(k).unwrap_or_default(),
                    python_literal(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A fork's edit, in configuration terms.
#[derive(Debug, Clone)]
pub struct Edit {
    pub service: Service,
    pub module: ModuleKind,
    /// Top-level setting (`FEATURES`, `VIDEO_UPLOAD_PIPELINE`).
    pub root: String,
    /// Keys below the root (`["ENABLE_X"]`).
    pub path: Vec<String>,
    pub change: Change,
    /// The whole top-level value after the edit, when it is a literal (for nested edits).
    pub whole: Option<Value>,
    /// A Python statement reproducing the edit (for Python settings patches).
    pub python: Option<String>,
    pub secret: bool,
    /// `Some(k)` when production.py overwrites the root after loading YAML; `k` is the YAML key
    /// it reads instead (`CELERY_TIMEZONE` for `TIME_ZONE`), if any.
    pub overwritten: Option<Option<String>>,
    /// The target release renames the setting to this name (the replacement is for the target).
    pub renamed_to: Option<String>,
}

pub use era::Deployment;

const KOA: u32 = 11;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Replace the key's value.
    Set,
    /// Extend the list under the key.
    Append,
}

/// A top-level YAML key (`lms.yml` / `studio.yml` / Tutor `lms.env.yml`). For FEATURES flags,
/// `key` is `FEATURES` and `value` the one-entry mapping (merged by production.py).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YamlEntry {
    pub key: String,
    pub value: Value,
    pub mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsibleEntry {
    pub var: String,
    /// For catch-alls (`EDXAPP_LMS_ENV_EXTRA`, `EDXAPP_FEATURES_EXTRA`) a one-entry mapping.
    pub value: Value,
    /// Catch-all variables merge entries from several edits.
    pub merge: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum TutorEntry {
    /// `tutor config save --set KEY=VALUE` (plugin `config.set`).
    Config { key: String, value: Value },
    /// A YAML patch (`lms-env`, `lms-env-features`, …): one top-level entry.
    Yaml {
        patch: String,
        key: String,
        value: Value,
        mode: Mode,
    },
    /// A Python settings patch (`openedx-lms-common-settings`, …).
    Python { patch: String, code: String },
}

/// A structured replacement: what `forkcheck replace` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub service: Service,
    /// The setting as named in the finding (`FEATURES["ENABLE_X"]`, `DATABASES.default.PASSWORD`).
    pub setting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<YamlEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ansible: Option<AnsibleEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tutor: Option<TutorEntry>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// Era A: the `yaml` entry is a key of `lms.env.json` / `cms.env.json`, not of a YAML file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One YAML line: `KEY: <value>` with the value in JSON flow style (valid YAML).
pub fn yaml_line(key: &str, value: &Value) -> String {
    format!("{}: {}", yaml_key(key), value)
}

/// A YAML mapping key: plain when safe, quoted the way `forkcheck replace` writes it.
pub use output::yaml_key;

impl Spec {
    /// The human-readable replacement shown in reports.
    pub fn replacement(&self) -> Replacement {
        let yaml = self.yaml.as_ref().map(|y| {
            let file = match (self.service, self.json) {
                (Service::Lms, false) => "lms.yml",
                (Service::Cms, false) => "studio.yml",
                (Service::Both, false) => "lms.yml and studio.yml",
                (Service::Lms, true) => "lms.env.json",
                (Service::Cms, true) => "cms.env.json",
                (Service::Both, true) => "lms.env.json and cms.env.json",
            };
            let how = match (y.key.as_str(), &y.mode) {
                ("FEATURES", _) => " (merged into FEATURES)",
                (_, Mode::Append) => " (appended)",
                _ => "",
            };
            format!("{}  # {file}{how}", yaml_line(&y.key, &y.value))
        });
        let ansible = self.ansible.as_ref().map(|a| yaml_line(&a.var, &a.value));
        let tutor = self.tutor.as_ref().map(|t| match t {
            TutorEntry::Config { key, value } => {
                let v = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("tutor config save --set {key}={}", shell_quote(&v))
            }
            TutorEntry::Yaml {
                patch, key, value, ..
            } => format!("patch {patch}: {}", yaml_line(key, value)),
            TutorEntry::Python { patch, code } => format!("patch {patch}: {code}"),
        });
        let note = (!self.notes.is_empty()).then(|| self.notes.join("; "));
        Replacement {
            yaml,
            ansible,
            tutor,
            note,
        }
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The structured replacements of a report, what `forkcheck replace` writes: the keys of
/// committed config files (config section, by file), then the settings edits' findings
/// (`data.replacement`, as `settings` stores them), in report order.
pub fn specs(report: &crate::Report) -> Vec<Spec> {
    let config = report
        .config
        .iter()
        .flat_map(|c| c.files.iter())
        .flat_map(|f| f.keys.iter())
        .filter_map(|k| k.spec.clone());
    let settings = report
        .findings
        .iter()
        .filter_map(|f| f.data.get("replacement"))
        .filter_map(|v| serde_json::from_value::<Spec>(v.clone()).ok());
    config.chain(settings).collect()
}

#[cfg(test)]
mod tests;
