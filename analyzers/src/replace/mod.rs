//! Configuration-management replacements for settings and config edits, era- and
//! deployment-aware (docs/edx-domain.md §2.4 and §5).
//!
//! Analyzers describe each edit as an [`Edit`]; [`decide`] turns it into a structured [`Spec`]
//! (stored in the finding's `data.replacement`, read back by `forkcheck replace`) and the
//! human-readable [`Replacement`] shown inline in every report. Secret values never enter a
//! spec: secret edits get placeholders.

pub mod output;
pub mod tables;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::Replacement;
use crate::Result;

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
    /// Removes the setting or key.
    Remove,
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
}

/// Deployment facts: the base release's position in the catalog (Ironwood = 9, Juniper = 10).
#[derive(Debug, Clone, Copy, Default)]
pub struct Deployment {
    pub base_index: Option<u32>,
}

const JUNIPER: u32 = 10;
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn svc_patch(service: Service, lms: &str, cms: &str, both: &str) -> String {
    match service {
        Service::Lms => lms.to_string(),
        Service::Cms => cms.to_string(),
        Service::Both => both.to_string(),
    }
}

fn python_patch(edit: &Edit) -> String {
    match edit.module {
        ModuleKind::Production => svc_patch(
            edit.service,
            "openedx-lms-production-settings",
            "openedx-cms-production-settings",
            "openedx-common-settings",
        ),
        ModuleKind::Devstack => svc_patch(
            edit.service,
            "openedx-lms-development-settings",
            "openedx-cms-development-settings",
            "openedx-development-settings",
        ),
        _ => svc_patch(
            edit.service,
            "openedx-lms-common-settings",
            "openedx-cms-common-settings",
            "openedx-common-settings",
        ),
    }
}

/// Decide the replacement of `edit`. `setting` is the finding's name for it.
pub fn decide(edit: &Edit, setting: &str, deploy: Deployment) -> Result<Spec> {
    let t = tables::tables()?;
    let svc = edit.service.as_str();
    let is_flag = edit.root == "FEATURES" && edit.path.len() == 1;
    let dotted = std::iter::once(edit.root.as_str())
        .chain(edit.path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(".");
    let mut notes = Vec::new();
    // The value each replacement carries: secrets keep their shape, every leaf a placeholder.
    let hide = |v: &Value| -> Value {
        if edit.secret {
            placeholders(v)
        } else {
            v.clone()
        }
    };

    // What a YAML key can carry (Era B), independent of the tool that renders it.
    let era_a = deploy.base_index.is_some_and(|i| i < JUNIPER);
    let yaml_alias = edit.overwritten.clone();
    let yaml: Option<YamlEntry> = match &edit.change {
        _ if edit.module == ModuleKind::Test || edit.module == ModuleKind::Devstack => None,
        Change::Set(v) if is_flag => Some(YamlEntry {
            key: "FEATURES".into(),
            value: json!({ edit.path.first().cloned().unwrap_or_default(): hide(v) }),
            mode: Mode::Set,
        }),
        Change::Set(v) => {
            let value = if edit.path.is_empty() {
                Some(hide(v))
            } else if t.paths.yaml_merged.keys.contains(&edit.root) {
                Some(nest(&edit.path, hide(v)))
            } else {
                edit.whole.as_ref().map(&hide)
            };
            match (&yaml_alias, value) {
                (Some(None), _) | (_, None) => None,
                (Some(Some(alias)), Some(value)) => Some(YamlEntry {
                    key: alias.clone(),
                    value,
                    mode: Mode::Set,
                }),
                (None, Some(value)) => Some(YamlEntry {
                    key: edit.root.clone(),
                    value,
                    mode: Mode::Set,
                }),
            }
        }
        Change::Append(items) if edit.path.is_empty() => {
            t.paths.yaml_appends.get(&edit.root).map(|key| YamlEntry {
                key: key.clone(),
                value: Value::Array(items.iter().map(&hide).collect()),
                mode: Mode::Append,
            })
        }
        _ => None,
    };
    let yaml = if era_a {
        notes.push(
            "Era A (≤ Ironwood): no YAML file; only keys the release's aws.py reads from \
             lms.env.json/lms.auth.json are honoured"
                .into(),
        );
        None
    } else {
        yaml
    };

    // Ansible: the mapped EDXAPP_* variable, else a catch-all.
    let ansible = yaml.as_ref().and_then(|y| {
        let flag_row = is_flag.then(|| t.ansible_var(&dotted, svc)).flatten();
        if let Some(row) = flag_row {
            let v = edit
                .path
                .first()
                .and_then(|f| y.value.get(f))
                .cloned()
                .unwrap_or(Value::Null);
            return Some(AnsibleEntry {
                var: row.var.clone(),
                value: v,
                merge: false,
            });
        }
        if y.key == "FEATURES" {
            let var = if deploy.base_index.is_some_and(|i| i < KOA) {
                "EDXAPP_FEATURES"
            } else {
                t.ansible_catch_all("FEATURES.*", svc)
                    .map(|r| r.var.as_str())
                    .unwrap_or("EDXAPP_FEATURES_EXTRA")
            };
            return Some(AnsibleEntry {
                var: var.into(),
                value: y.value.clone(),
                merge: true,
            });
        }
        if y.key == "EXTRA_MIDDLEWARE_CLASSES" {
            return Some(AnsibleEntry {
                var: "EDXAPP_EXTRA_MIDDLEWARE_CLASSES".into(),
                value: y.value.clone(),
                merge: true,
            });
        }
        let nested_row = (!edit.path.is_empty() && y.key == edit.root)
            .then(|| t.ansible_var(&dotted, svc))
            .flatten();
        if let (Some(row), Change::Set(v)) = (nested_row, &edit.change) {
            return Some(AnsibleEntry {
                var: row.var.clone(),
                value: hide(v),
                merge: false,
            });
        }
        if y.mode == Mode::Set {
            if let Some(row) = t.ansible_var(&y.key, svc) {
                return Some(AnsibleEntry {
                    var: row.var.clone(),
                    value: y.value.clone(),
                    merge: false,
                });
            }
        }
        t.ansible_catch_all("*", svc).map(|row| AnsibleEntry {
            var: row.var.clone(),
            value: json!({ y.key.clone(): y.value.clone() }),
            merge: true,
        })
    });

    // Tutor.
    let python_name = if is_flag {
        format!(
            "FEATURES.{}",
            edit.path.first().map(String::as_str).unwrap_or("")
        )
    } else {
        edit.root.clone()
    };
    let tutor_python = |code: Option<&String>| -> Option<TutorEntry> {
        code.filter(|_| !edit.secret).map(|c| TutorEntry::Python {
            patch: python_patch(edit),
            code: c.clone(),
        })
    };
    let tutor = if edit.module == ModuleKind::Test {
        notes.push("test settings: no deployment replacement needed".into());
        None
    } else if let (Some(key), Change::Set(v)) = (t.tutor.config_keys.get(&dotted), &edit.change) {
        Some(TutorEntry::Config {
            key: key.clone(),
            value: hide(v),
        })
    } else if edit.module == ModuleKind::Devstack
        || yaml_alias.is_some()
        || t.tutor_python_assigned(&python_name, svc)
    {
        if t.tutor_python_assigned(&python_name, svc) {
            notes.push(format!(
                "Tutor assigns {python_name} in its own Python settings: only a Python settings patch overrides it"
            ));
        }
        tutor_python(edit.python.as_ref())
    } else if let (Some(y), Some(flag)) = (&yaml, edit.path.first().filter(|_| is_flag)) {
        Some(TutorEntry::Yaml {
            patch: svc_patch(
                edit.service,
                "lms-env-features",
                "cms-env-features",
                "common-env-features",
            ),
            key: flag.clone(),
            value: y.value.get(flag).cloned().unwrap_or(Value::Null),
            mode: Mode::Set,
        })
    } else if yaml.as_ref().is_some_and(|y| y.key == "FEATURES") {
        // A whole-FEATURES or nested edit: Tutor's env file already has a FEATURES mapping, so
        // only a Python patch can carry it.
        tutor_python(edit.python.as_ref())
    } else if let Some(y) = &yaml {
        Some(if edit.secret {
            TutorEntry::Yaml {
                patch: "openedx-auth".into(),
                key: y.key.clone(),
                value: y.value.clone(),
                mode: y.mode.clone(),
            }
        } else {
            TutorEntry::Yaml {
                patch: svc_patch(edit.service, "lms-env", "cms-env", "lms-env"),
                key: y.key.clone(),
                value: y.value.clone(),
                mode: y.mode.clone(),
            }
        })
    } else {
        tutor_python(edit.python.as_ref())
    };
    if edit.root == "INSTALLED_APPS" && matches!(edit.change, Change::Append(_)) {
        notes.push(
            "better: package the app as a Django app plugin (entry point `lms.djangoapp` / \
             `cms.djangoapp`) and install it with Tutor OPENEDX_EXTRA_PIP_REQUIREMENTS or Ansible \
             EDXAPP_EXTRA_REQUIREMENTS; the plugin registers itself in INSTALLED_APPS"
                .into(),
        );
    }
    if edit.change == Change::Remove {
        notes.push(
            "the fork removes an upstream definition: restore it, and override the value in \
             configuration instead"
                .into(),
        );
    }
    if let Some(Some(alias)) = &yaml_alias {
        notes.push(format!(
            "production.py overwrites {} from the YAML key {alias} after loading the YAML",
            edit.root
        ));
    } else if let Some(None) = &yaml_alias {
        notes.push(format!(
            "production.py recomputes {} after loading the YAML: only a Python settings patch can change it",
            edit.root
        ));
    }
    Ok(Spec {
        service: edit.service,
        setting: setting.to_string(),
        yaml,
        ansible,
        tutor,
        secret: edit.secret,
        notes,
    })
}

/// `v` with every leaf replaced by [`SECRET_PLACEHOLDER`] (containers keep their keys).
fn placeholders(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), placeholders(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(placeholders).collect()),
        _ => Value::String(SECRET_PLACEHOLDER.into()),
    }
}

fn nest(path: &[String], leaf: Value) -> Value {
    path.iter()
        .rev()
        .fold(leaf, |acc, key| json!({ key.clone(): acc }))
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
            let file = match self.service {
                Service::Lms => "lms.yml",
                Service::Cms => "studio.yml",
                Service::Both => "lms.yml and studio.yml",
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
