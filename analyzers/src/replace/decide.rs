//! [`decide`]: one edit of a setting or a config key, turned into its replacement for the
//! fork's deployment (Tutor, Ansible, YAML), era by era.

use super::*;

pub(super) fn svc_patch(service: Service, lms: &str, cms: &str, both: &str) -> String {
    match service {
        Service::Lms => lms.to_string(),
        Service::Cms => cms.to_string(),
        Service::Both => both.to_string(),
    }
}

pub(super) fn python_patch(edit: &Edit) -> String {
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
pub(super) fn for_target(v: &Value, deploy: &Deployment, notes: &mut Vec<String>) -> Result<Value> {
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

pub(super) fn replace_string(v: &mut Value, old: &str, new: &str) -> bool {
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
pub(super) fn nested_python(root: &str, path: &[String], v: &Value) -> String {
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
pub(super) fn placeholders(v: &Value) -> Value {
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

pub(super) fn nest(path: &[String], leaf: Value) -> Value {
    path.iter()
        .rev()
        .fold(leaf, |acc, key| json!({ key.clone(): acc }))
}
