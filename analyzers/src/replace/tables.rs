//! The data behind replacements, embedded from `rules/`: the Ansible variable table
//! (`rules/ansible-vars.tsv`), Tutor facts (`rules/tutor.toml`) and edx-platform config facts
//! (`rules/config-paths.toml`). Parsed once per process.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{Error, Result};

pub const ANSIBLE_TSV: &str = include_str!("../../../rules/ansible-vars.tsv");
pub const TUTOR_TOML: &str = include_str!("../../../rules/tutor.toml");
pub const CONFIG_PATHS_TOML: &str = include_str!("../../../rules/config-paths.toml");

#[derive(Debug, Clone)]
pub struct AnsibleRow {
    pub key: String,
    pub service: String,
    pub var: String,
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchRow {
    pub name: String,
    pub target: String,
    pub what: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonAssigned {
    pub both: Vec<String>,
    pub lms: Vec<String>,
    pub cms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tutor {
    pub pinned_version: String,
    pub yaml_patches_since: u32,
    pub config_keys: BTreeMap<String, String>,
    pub config_yml: ConfigYml,
    pub python_assigned: PythonAssigned,
    pub patches: Vec<PatchRow>,
    /// Tutor major version → the Open edX release it deploys (catalog name, lowercase).
    pub releases: BTreeMap<String, String>,
}

/// What forkcheck carries of a committed Tutor `config.yml` (`rules/tutor.toml [config_yml]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigYml {
    pub deployment: Vec<String>,
    /// Database and service accounts of one deployment (`OPENEDX_MYSQL_USERNAME`): Tutor
    /// provisions them; a local docker setup's values (`root`) are never carried.
    pub accounts: Vec<String>,
    pub generated: Vec<String>,
    pub defaults: BTreeMap<String, serde_json::Value>,
}

/// Does `name` match a `*` glob (`DOCKER_*`, `*_VERSION`, `*SECRET*`)?
pub fn star_match(glob: &str, name: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return glob == name;
    };
    if parts.len() == 1 {
        return glob == name;
    }
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for m in middle {
        match rest.find(m) {
            Some(i) => rest = &rest[i + m.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Globs {
    pub globs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IfKeys {
    pub glob: String,
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPaths {
    pub generated: Globs,
    pub generated_if_keys: Vec<IfKeys>,
    pub secret_files: Globs,
    pub settings: Globs,
    pub rendered_settings: Globs,
    pub tutor_env: Globs,
    pub vendored: Globs,
    pub settings_markers: Keys,
    pub yaml_aliases: BTreeMap<String, String>,
    pub yaml_appends: BTreeMap<String, String>,
    pub yaml_merged: Keys,
    pub removed_values: Vec<RemovedValue>,
}

/// A value a Django release removed, and what replaces it (`rules/config-paths.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemovedValue {
    pub old: String,
    pub new: String,
    /// The Django version that removed it (`4.1`).
    pub django: String,
    pub why: String,
}

impl RemovedValue {
    pub fn django_version(&self) -> (u32, u32) {
        let mut parts = self.django.split('.').map(|p| p.parse().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    }
}

pub struct Tables {
    pub ansible: Vec<AnsibleRow>,
    pub tutor: Tutor,
    pub paths: ConfigPaths,
}

static TABLES: OnceLock<std::result::Result<Tables, String>> = OnceLock::new();

/// The embedded tables. A malformed embedded file is a bug in forkcheck, reported as an error.
pub fn tables() -> Result<&'static Tables> {
    TABLES
        .get_or_init(load)
        .as_ref()
        .map_err(|e| Error::Other(format!("internal error: {e}")))
}

fn load() -> std::result::Result<Tables, String> {
    let mut ansible = Vec::new();
    let mut header_seen = false;
    for (i, line) in ANSIBLE_TSV.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [key, service, var, kind] = cols.as_slice() else {
            return Err(format!(
                "rules/ansible-vars.tsv line {}: expected 4 columns",
                i + 1
            ));
        };
        ansible.push(AnsibleRow {
            key: (*key).to_string(),
            service: (*service).to_string(),
            var: (*var).to_string(),
            kind: (*kind).to_string(),
        });
    }
    let tutor: Tutor = toml::from_str(TUTOR_TOML).map_err(|e| format!("rules/tutor.toml: {e}"))?;
    let paths: ConfigPaths =
        toml::from_str(CONFIG_PATHS_TOML).map_err(|e| format!("rules/config-paths.toml: {e}"))?;
    Ok(Tables {
        ansible,
        tutor,
        paths,
    })
}

impl Tables {
    /// The Ansible variable for a dotted key and service (`lms`, `cms`, `both`).
    pub fn ansible_var(&self, key: &str, service: &str) -> Option<&AnsibleRow> {
        let rows = self.ansible.iter().filter(|r| r.key == key);
        let mut best: Option<&AnsibleRow> = None;
        for r in rows {
            if r.service == service {
                return Some(r);
            }
            if r.service == "both" || (service == "both" && r.service == "lms") {
                best = best.or(Some(r));
            }
        }
        best
    }

    /// The Ansible catch-all variable of kind `extra` for `key` (`*` or `FEATURES.*`).
    pub fn ansible_catch_all(&self, key: &str, service: &str) -> Option<&AnsibleRow> {
        self.ansible
            .iter()
            .filter(|r| r.kind == "extra" && r.key == key)
            .find(|r| r.service == service && r.var.contains("ENV"))
            .or_else(|| {
                self.ansible
                    .iter()
                    .filter(|r| r.kind == "extra" && r.key == key)
                    .find(|r| r.service == "both" && !r.var.contains("AUTH"))
            })
    }

    /// Does Tutor assign `name` (`ROOT` or `FEATURES.X`) in Python for `service`?
    pub fn tutor_python_assigned(&self, name: &str, service: &str) -> bool {
        let pa = &self.tutor.python_assigned;
        let lists: Vec<&Vec<String>> = match service {
            "lms" => vec![&pa.both, &pa.lms],
            "cms" => vec![&pa.both, &pa.cms],
            _ => vec![&pa.both, &pa.lms, &pa.cms],
        };
        lists
            .into_iter()
            .flatten()
            .any(|entry| match entry.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => entry == name,
            })
    }

    pub fn patch(&self, name: &str) -> Option<&PatchRow> {
        self.tutor.patches.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_answer() {
        let t = tables().unwrap();
        assert_eq!(t.ansible.len(), 382, "375 mapped rows + 7 catch-alls");
        assert_eq!(
            t.ansible_var("PLATFORM_NAME", "lms").unwrap().var,
            "EDXAPP_PLATFORM_NAME"
        );
        assert_eq!(
            t.ansible_var("SITE_NAME", "cms").unwrap().var,
            "EDXAPP_CMS_SITE_NAME"
        );
        assert_eq!(
            t.ansible_catch_all("*", "lms").unwrap().var,
            "EDXAPP_LMS_ENV_EXTRA"
        );
        assert_eq!(
            t.ansible_catch_all("FEATURES.*", "lms").unwrap().var,
            "EDXAPP_FEATURES_EXTRA"
        );
        assert!(t.tutor_python_assigned("CACHES", "lms"));
        assert!(t.tutor_python_assigned("CORS_ORIGIN_WHITELIST", "cms"));
        assert!(t.tutor_python_assigned("COURSE_ABOUT_VISIBILITY_PERMISSION", "lms"));
        assert!(!t.tutor_python_assigned("COURSE_ABOUT_VISIBILITY_PERMISSION", "cms"));
        assert!(!t.tutor_python_assigned("PLATFORM_NAME", "lms"));
        assert_eq!(t.tutor.patches.len(), 55);
        assert!(t.patch("openedx-lms-common-settings").is_some());
        assert_eq!(t.paths.yaml_aliases["TIME_ZONE"], "CELERY_TIMEZONE");
    }
}
