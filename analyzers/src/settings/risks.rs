//! What a release's settings modules define, and what its production.py does after loading the
//! YAML config: the facts behind next-release risks (removed, renamed, overwritten, FEATURES
//! flags promoted to top-level settings) and behind replacements.

use std::collections::BTreeMap;

use git2::Oid;
use serde_json::Value;

use super::python::{self, normalize, Module, OpKind};
use crate::repo::Repo;
use crate::Result;

/// Where a setting is defined in one release.
#[derive(Debug, Clone)]
pub struct Def {
    pub path: String,
    pub line: u32,
    /// Source text of the value (empty for imported names).
    pub text: String,
    pub value: Option<Value>,
}

/// Every settings definition of a release: setting name → definitions (file order).
#[derive(Debug, Default)]
pub struct Index {
    pub defs: BTreeMap<String, Vec<Def>>,
    /// Parsed modules by path.
    pub modules: BTreeMap<String, Module>,
}

/// Directories holding settings modules (`*.py` directly inside).
pub const SETTINGS_DIRS: &[&str] = &["lms/envs", "cms/envs", "openedx/envs"];

impl Index {
    /// Parse every settings module of `commit`.
    pub fn build(repo: &Repo, commit: Oid) -> Result<Index> {
        let tree = repo.tree_of(commit)?;
        let mut index = Index::default();
        for dir in SETTINGS_DIRS {
            let Ok(entry) = tree.get_path(std::path::Path::new(dir)) else {
                continue;
            };
            let Ok(obj) = entry.to_object(repo.git()) else {
                continue;
            };
            let Some(sub) = obj.as_tree() else { continue };
            for e in sub.iter() {
                let Some(name) = e.name() else { continue };
                if !name.ends_with(".py") || e.kind() != Some(git2::ObjectType::Blob) {
                    continue;
                }
                let path = format!("{dir}/{name}");
                let Some(bytes) = repo.parse_bytes(e.id())? else {
                    continue;
                };
                let module = python::extract(&String::from_utf8_lossy(&bytes));
                index.add(&path, module);
            }
        }
        Ok(index)
    }

    fn add(&mut self, path: &str, module: Module) {
        for op in module.ops.iter().filter(|o| o.kind.sets_value()) {
            self.defs.entry(op.setting.clone()).or_default().push(Def {
                path: path.to_string(),
                line: op.line,
                text: op.text.clone(),
                value: op.value.clone(),
            });
        }
        for (name, line) in &module.imported {
            self.defs.entry(name.clone()).or_default().push(Def {
                path: path.to_string(),
                line: *line,
                text: String::new(),
                value: None,
            });
        }
        self.modules.insert(path.to_string(), module);
    }

    pub fn defines(&self, setting: &str) -> bool {
        self.defs.contains_key(setting)
    }

    /// The definition of `setting`, preferring `path`, then the same service's files.
    pub fn def_near(&self, setting: &str, path: &str) -> Option<&Def> {
        let defs = self.defs.get(setting)?;
        let svc = path.split('/').next().unwrap_or("");
        defs.iter()
            .find(|d| d.path == path && !d.text.is_empty())
            .or_else(|| {
                defs.iter()
                    .find(|d| d.path.starts_with(svc) && !d.text.is_empty())
            })
            .or_else(|| defs.iter().find(|d| !d.text.is_empty()))
            .or_else(|| defs.first())
    }

    /// The definition of `setting` in exactly `path` (value-bearing).
    pub fn def_in(&self, setting: &str, path: &str) -> Option<&Def> {
        self.defs
            .get(setting)?
            .iter()
            .find(|d| d.path == path && !d.text.is_empty())
    }
}

/// A setting production.py assigns after loading the YAML.
#[derive(Debug, Clone)]
pub struct Overwrite {
    pub path: String,
    pub line: u32,
    /// The YAML key it reads instead (`CELERY_TIMEZONE`), if any.
    pub alias: Option<String>,
}

/// Settings the production module at `path` overwrites after loading the YAML: top-level
/// assignments after the load whose value does not read the same key from the tokens and does
/// not transform the setting itself (`X = ENV_TOKENS.get('X', X)`, `X = path(X)` are not
/// overwrites).
pub fn overwrites(index: &Index, path: &str) -> BTreeMap<String, Overwrite> {
    let mut out = BTreeMap::new();
    let Some(module) = index.modules.get(path) else {
        return out;
    };
    let Some(load) = module.yaml_load_line else {
        return out;
    };
    for op in &module.ops {
        if op.kind != OpKind::Assign || op.line <= load || !op.path.is_empty() {
            continue;
        }
        let keys = token_keys(&op.text);
        if keys.iter().any(|k| *k == op.root) || references(&op.text, &op.root) {
            out.remove(&op.root);
            continue;
        }
        out.insert(
            op.root.clone(),
            Overwrite {
                path: path.to_string(),
                line: op.line,
                alias: keys.first().map(|k| k.to_string()),
            },
        );
    }
    out
}

/// Keys read from a `*TOKENS` mapping in `text`: `ENV_TOKENS.get('K', …)`, `AUTH_TOKENS['K']`.
fn token_keys(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("TOKENS") {
        let after = &rest[pos + "TOKENS".len()..];
        let after = after
            .strip_prefix(".get(")
            .or_else(|| after.strip_prefix('['))
            .unwrap_or("");
        let after = after.trim_start();
        if let Some(q) = after.chars().next().filter(|c| *c == '\'' || *c == '"') {
            if let Some(end) = after[1..].find(q) {
                out.push(&after[1..1 + end]);
            }
        }
        rest = &rest[pos + "TOKENS".len()..];
    }
    out
}

/// Does `text` reference the identifier `name` (as a whole word)?
fn references(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !word(before) && !word(after) && !text[..i].ends_with('\'') && !text[..i].ends_with('"')
    })
}

/// Token similarity of two setting names (Jaccard over `_`-separated words).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let wa: std::collections::BTreeSet<&str> = a
        .split(['_', '[', ']', '"'])
        .filter(|w| !w.is_empty())
        .collect();
    let wb: std::collections::BTreeSet<&str> = b
        .split(['_', '[', ']', '"'])
        .filter(|w| !w.is_empty())
        .collect();
    let inter = wa.intersection(&wb).count() as f64;
    let union = wa.union(&wb).count() as f64;
    if union == 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// The target setting that `setting` (defined in base as `base_def`) was renamed to: a name new
/// in the target, defined in the same file or service, with the same value and a similar name
/// (≥ 0.4), or a very similar name (≥ 0.75).
pub fn find_rename<'a>(
    setting: &str,
    base_def: &Def,
    base: &Index,
    target: &'a Index,
) -> Option<(&'a str, &'a Def)> {
    let svc = base_def.path.split('/').next().unwrap_or("");
    let same_value = |d: &Def| match (&d.value, &base_def.value) {
        (Some(a), Some(b)) => a == b,
        _ => !d.text.is_empty() && normalize(&d.text) == normalize(&base_def.text),
    };
    let mut best: Option<(f64, &'a str, &'a Def)> = None;
    for (name, defs) in &target.defs {
        if base.defines(name) || name == setting {
            continue;
        }
        // Renames stay at the same level: a top-level name for a top-level setting.
        if name.contains('[') != setting.contains('[') {
            continue;
        }
        let Some(def) = defs
            .iter()
            .find(|d| d.path == base_def.path)
            .or_else(|| defs.iter().find(|d| d.path.starts_with(svc)))
        else {
            continue;
        };
        let sim = name_similarity(setting, name);
        let score = if same_value(def) && sim >= 0.4 {
            1.0 + sim
        } else if sim >= 0.75 {
            sim
        } else {
            continue;
        };
        if !matches!(&best, Some((s, _, _)) if *s >= score) {
            best = Some((score, name.as_str(), def));
        }
    }
    best.map(|(_, n, d)| (n, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[(&str, &str)]) -> Index {
        let mut i = Index::default();
        for (p, src) in files {
            i.add(p, python::extract(src));
        }
        i
    }

    #[test]
    fn overwrites_after_yaml_load() {
        let i = index(&[(
            "lms/envs/production.py",
            "TIME_ZONE = 'UTC'\nwith open(F) as f:\n    __config__ = yaml.safe_load(f)\n\
             PLATFORM_NAME = ENV_TOKENS.get('PLATFORM_NAME', PLATFORM_NAME)\n\
             TIME_ZONE = ENV_TOKENS.get('CELERY_TIMEZONE', CELERY_TIMEZONE)\n\
             DATA_DIR = path(DATA_DIR)\nALLOWED_HOSTS = ['*']\n",
        )]);
        let o = overwrites(&i, "lms/envs/production.py");
        assert_eq!(
            o.keys().collect::<Vec<_>>(),
            vec!["ALLOWED_HOSTS", "TIME_ZONE"]
        );
        assert_eq!(o["TIME_ZONE"].alias.as_deref(), Some("CELERY_TIMEZONE"));
        assert_eq!(o["TIME_ZONE"].line, 5);
        assert_eq!(o["ALLOWED_HOSTS"].alias, None);
    }

    #[test]
    fn renames_by_value_and_name() {
        let base = index(&[(
            "lms/envs/common.py",
            "COURSE_ABOUT_VISIBILITY_LEGACY = 'see_exists'\nLEGACY_FOOTER_LINKS = True\n",
        )]);
        let target = index(&[(
            "lms/envs/common.py",
            "COURSE_ABOUT_VISIBILITY_PERMISSION = 'see_exists'\nENABLE_LEARNER_RECORDS_V2 = False\n",
        )]);
        let d = base
            .def_in("COURSE_ABOUT_VISIBILITY_LEGACY", "lms/envs/common.py")
            .unwrap();
        let (name, def) = find_rename("COURSE_ABOUT_VISIBILITY_LEGACY", d, &base, &target).unwrap();
        assert_eq!((name, def.line), ("COURSE_ABOUT_VISIBILITY_PERMISSION", 1));
        let d = base
            .def_in("LEGACY_FOOTER_LINKS", "lms/envs/common.py")
            .unwrap();
        assert!(find_rename("LEGACY_FOOTER_LINKS", d, &base, &target).is_none());
    }
}
