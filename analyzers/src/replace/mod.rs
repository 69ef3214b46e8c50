//! Configuration-management replacements for settings and config edits, era- and
//! deployment-aware (docs/edx-domain.md §2.4 and §5).
//!
//! Analyzers describe each edit as an [`Edit`]; [`decide`] turns it into a structured [`Spec`]
//! (stored in the finding's `data.replacement`, read back by `forkcheck replace`) and the
//! human-readable [`Replacement`] shown inline in every report. Secret values never enter a
//! spec: secret edits get placeholders.

pub mod era;
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

/// Values the target's Django no longer accepts, replaced (deep) by what it accepts; the notes
/// say why (`rules/config-paths.toml [[removed_values]]`).
fn for_target(v: &Value, deploy: &Deployment, notes: &mut Vec<String>) -> Result<Value> {
    let t = tables::tables()?;
    let newest = deploy.target_django.max(deploy.django);
    let mut out = v.clone();
    for rv in &t.paths.removed_values {
        let Some(django) = newest else { continue };
        if django < rv.django_version() {
            continue;
        }
        if replace_string(&mut out, &rv.old, &rv.new) {
            notes.push(format!(
                "{}: written as `{}` for Django {}.{}",
                rv.why, rv.new, django.0, django.1
            ));
        }
    }
    Ok(out)
}

fn replace_string(v: &mut Value, old: &str, new: &str) -> bool {
    match v {
        Value::String(s) if s == old => {
            *s = new.to_string();
            true
        }
        // Every occurrence is replaced: no short-circuit.
        Value::Array(a) => {
            let mut any = false;
            for x in a.iter_mut() {
                any |= replace_string(x, old, new);
            }
            any
        }
        Value::Object(m) => {
            let mut any = false;
            for x in m.values_mut() {
                any |= replace_string(x, old, new);
            }
            any
        }
        _ => false,
    }
}

/// A `*_HOST` value naming a development machine (a vagrant or devstack address, `localhost`,
/// Tutor's local domains): a fact of the machine the file came from, not of the deployment.
pub fn local_host(key: &str, value: &Value) -> bool {
    let Some(host) = value.as_str() else {
        return false;
    };
    if !key.ends_with("_HOST") && !key.ends_with("_BASE") {
        return false;
    }
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host.starts_with("127.")
        || host.starts_with("192.168.")
        || host.starts_with("10.")
        || host == "0.0.0.0"
        || ["local.overhang.io", "local.edly.io", "local.openedx.io"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// `ROOT.setdefault("a", {})["b"] = v`: sets one nested key without needing the parents.
fn nested_python(root: &str, path: &[String], v: &Value) -> String {
    let mut code = root.to_string();
    let Some((last, parents)) = path.split_last() else {
        return format!("{root} = {}", python_literal(v));
    };
    for p in parents {
        code.push_str(&format!(".setdefault({}, {{}})", python_literal(&json!(p))));
    }
    format!(
        "{code}[{}] = {}",
        python_literal(&json!(last)),
        python_literal(v)
    )
}

/// Decide the replacement of `edit`. `setting` is the finding's name for it.
pub fn decide(edit: &Edit, setting: &str, deploy: &Deployment) -> Result<Spec> {
    let t = tables::tables()?;
    let mut notes = Vec::new();
    // A setting the target renames is written under the target's name.
    let mut e = edit.clone();
    if let Some(new) = edit.renamed_to.as_ref().filter(|_| edit.path.is_empty()) {
        notes.push(format!(
            "the target release renames {} to {new}: written for the target",
            edit.root
        ));
        e.root = new.clone();
        e.python = e.python.map(|p| p.replacen(&edit.root, new, 1));
    }
    // Values the target's Django removed are written as their replacement.
    e.change = match &e.change {
        Change::Set(v) => Change::Set(for_target(v, deploy, &mut notes)?),
        other => other.clone(),
    };
    e.whole = e
        .whole
        .as_ref()
        .map(|w| for_target(w, deploy, &mut Vec::new()))
        .transpose()?;
    if let (Some(code), Some(django)) = (&e.python, deploy.target_django.max(deploy.django)) {
        let mut code = code.clone();
        for rv in t.paths.removed_values.iter() {
            if django >= rv.django_version() {
                code = code.replace(&rv.old, &rv.new);
            }
        }
        e.python = Some(code);
    }
    // A development machine's address is not carried anywhere.
    if let Change::Set(v) = &e.change {
        if e.path.is_empty() && local_host(&e.root, v) {
            notes.push(format!(
                "{} names a development machine ({v}): not carried; set the deployment's own host",
                e.root
            ));
            return Ok(Spec {
                service: e.service,
                setting: setting.to_string(),
                yaml: None,
                ansible: None,
                tutor: None,
                secret: e.secret,
                json: deploy.json,
                notes,
            });
        }
    }
    // A nested key of a dict that is not merged: set that key only, parents created if missing.
    if let (Change::Set(v), false) = (&e.change, e.path.is_empty()) {
        if !deploy.rules.merged.contains(&e.root) && !e.secret {
            e.python = Some(nested_python(&e.root, &e.path, v));
        }
    }
    let edit = &e;
    let svc = edit.service.as_str();
    let is_flag = edit.root == "FEATURES" && edit.path.len() == 1;
    let dotted = std::iter::once(edit.root.as_str())
        .chain(edit.path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(".");
    let rules = &deploy.rules;
    let merged = |k: &str| rules.merged.contains(k);
    let appends_key = rules.appends.get(&edit.root);
    // The value each replacement carries: secrets keep their shape, every leaf a placeholder.
    let hide = |v: &Value| -> Value {
        if edit.secret {
            placeholders(v)
        } else {
            v.clone()
        }
    };
    let file = if deploy.json {
        "lms.env.json"
    } else {
        "the YAML file"
    };

    // What a config-file key can carry (the YAML file; lms.env.json in Era A), whatever tool
    // renders it.
    let yaml_alias = edit.overwritten.clone();
    let yaml: Option<YamlEntry> = match &edit.change {
        _ if edit.module == ModuleKind::Test || edit.module == ModuleKind::Devstack => None,
        Change::Set(v) if is_flag && merged("FEATURES") => Some(YamlEntry {
            key: "FEATURES".into(),
            value: json!({ edit.path.first().cloned().unwrap_or_default(): hide(v) }),
            mode: Mode::Set,
        }),
        Change::Set(v) => {
            let value = if edit.path.is_empty() {
                Some(hide(v))
            } else if merged(&edit.root) {
                Some(nest(&edit.path, hide(v)))
            } else if edit.module == ModuleKind::Config
                && edit
                    .whole
                    .as_ref()
                    .is_some_and(|w| edit.secret || !w.to_string().contains(SECRET_PLACEHOLDER))
            {
                // A committed config file's own value (not upstream's defaults).
                edit.whole.as_ref().map(&hide)
            } else {
                notes.push(format!(
                    "a key in {file} replaces the whole {} value: only the changed key is \
                     carried, as a Python settings patch",
                    edit.root
                ));
                None
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
        Change::Append(items) if edit.path.is_empty() => appends_key.map(|key| YamlEntry {
            key: key.clone(),
            value: Value::Array(items.iter().map(&hide).collect()),
            mode: Mode::Append,
        }),
        Change::List(d) if edit.path.is_empty() && !d.append.is_empty() => {
            appends_key.map(|key| YamlEntry {
                key: key.clone(),
                value: Value::Array(d.append.iter().map(&hide).collect()),
                mode: Mode::Append,
            })
        }
        _ => None,
    };
    if matches!(edit.change, Change::Append(_) | Change::List(_))
        && edit.path.is_empty()
        && appends_key.is_none()
        && edit.module != ModuleKind::Test
    {
        notes.push(format!(
            "the base's production settings ({}) extend {} from no config key: only a Python \
             settings patch adds to it",
            rules.source, edit.root
        ));
    }
    // Era A: only keys the release's aws.py reads have any effect.
    let yaml = match yaml {
        Some(y) if deploy.json && !rules.reads(svc, &y.key) => {
            notes.push(format!(
                "the base's {} does not read {} from lms.env.json/lms.auth.json: in this era an \
                 unknown key is ignored, so only a settings-module change can set it",
                rules.source, y.key
            ));
            None
        }
        y => y,
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
            let var = if deploy.index().is_some_and(|i| i < KOA) {
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

    // Tutor (Era B only: no Tutor release with these patches runs Era A code).
    let python_name = if is_flag {
        format!(
            "FEATURES.{}",
            edit.path.first().map(String::as_str).unwrap_or("")
        )
    } else {
        edit.root.clone()
    };
    let list_code = match &edit.change {
        Change::List(d) => Some(d.python(&edit.root).join("\n")),
        _ => None,
    };
    let code = list_code.as_ref().or(edit.python.as_ref());
    let tutor_python = |code: Option<&String>| -> Option<TutorEntry> {
        code.filter(|_| !edit.secret).map(|c| TutorEntry::Python {
            patch: python_patch(edit),
            code: c.clone(),
        })
    };
    let list_python_only = matches!(&edit.change, Change::List(d)
        if !d.remove.is_empty() || !d.commented.is_empty() || !d.insert.is_empty());
    let tutor = if deploy.json {
        notes.push(
            "Era A code (JSON env files): no Tutor release runs it; carry the value in \
             lms.env.json / lms.auth.json (Ansible variables) instead"
                .into(),
        );
        None
    } else if edit.module == ModuleKind::Test {
        notes.push("test settings: no deployment replacement needed".into());
        None
    } else if let (Some(key), Change::Set(v)) = (t.tutor.config_keys.get(&dotted), &edit.change) {
        let account = t
            .tutor
            .config_yml
            .accounts
            .iter()
            .any(|g| tables::star_match(g, key));
        if account && !edit.secret {
            notes.push(format!(
                "{key} is an account of one deployment (Tutor creates it): not carried into the \
                 plugin; set it with `tutor config save --set {key}=…` only if yours differs"
            ));
            None
        } else if t.tutor.config_yml.defaults.get(key) == Some(v) {
            notes.push(format!("{key} = {v} is Tutor's default: nothing to carry"));
            None
        } else {
            Some(TutorEntry::Config {
                key: key.clone(),
                value: hide(v),
            })
        }
    } else if list_python_only
        || edit.module == ModuleKind::Devstack
        || yaml_alias.is_some()
        || t.tutor_python_assigned(&python_name, svc)
    {
        if t.tutor_python_assigned(&python_name, svc) {
            notes.push(format!(
                "Tutor assigns {python_name} in its own Python settings: only a Python settings patch overrides it"
            ));
        }
        tutor_python(code)
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
        tutor_python(code)
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
        tutor_python(code)
    };
    if let Change::List(d) = &edit.change {
        if !d.commented.is_empty() || !d.remove.is_empty() || !d.insert.is_empty() {
            notes.push(format!(
                "the fork {} in {}: no config key removes or places items in a list, so that \
                 part is a Python settings patch (Tutor) or a settings module of your own \
                 importing production (Ansible: EDXAPP_SETTINGS)",
                d.describe(),
                edit.root
            ));
        }
    }
    let adds_apps = match &edit.change {
        Change::Append(_) => true,
        Change::List(d) => !d.append.is_empty() || !d.insert.is_empty(),
        _ => false,
    };
    if edit.root == "INSTALLED_APPS" && adds_apps {
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
    // The target's production module no longer reads a key the base's did.
    if let (Some(y), Some(tr)) = (&yaml, &deploy.target_rules) {
        if y.mode == Mode::Append && !tr.appends.values().any(|k| k == &y.key) {
            notes.push(format!(
                "the target's production settings ({}) no longer read {}",
                tr.source, y.key
            ));
        }
    }
    notes.dedup();
    Ok(Spec {
        service: edit.service,
        setting: setting.to_string(),
        yaml,
        ansible,
        tutor,
        secret: edit.secret,
        json: deploy.json,
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
