//! Classifying changed paths: areas (`rules/areas.toml`, user `[areas]` first, first match
//! wins, "unexplained" for the rest), ignore globs, and top-level Django apps.

use std::collections::HashMap;

use git2::Oid;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::config::{Config, FILE_NAME};
use crate::error::{Error, Result};
use crate::repo::Repo;

/// The built-in areas file.
pub const AREAS_TOML: &str = include_str!("../../../rules/areas.toml");

/// The bucket for paths that match no area.
pub const UNEXPLAINED: &str = "unexplained";

/// Directories whose children are top-level Django apps.
pub const APP_ROOTS: &[&str] = &[
    "lms/djangoapps/",
    "cms/djangoapps/",
    "common/djangoapps/",
    "openedx/core/djangoapps/",
    "openedx/features/",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AreasFile {
    areas: Vec<AreaDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaDef {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Only paths inside a Django app absent from the base tree.
    #[serde(default)]
    pub new_app: bool,
    pub globs: Vec<String>,
}

/// Path classifier for one run.
pub struct Classifier {
    areas: Vec<AreaDef>,
    set: GlobSet,
    /// Glob index → area index.
    owner: Vec<usize>,
    ignore: GlobSet,
    /// App directory → exists in the base tree.
    app_in_base: HashMap<String, bool>,
}

fn glob(pattern: &str) -> std::result::Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// The built-in area definitions, in order.
pub fn builtin_areas() -> Result<Vec<AreaDef>> {
    let file: AreasFile = toml::from_str(AREAS_TOML).map_err(|e| Error::Parse {
        path: "rules/areas.toml".into(),
        message: e.to_string(),
    })?;
    Ok(file.areas)
}

impl Classifier {
    pub fn new(config: &Config) -> Result<Classifier> {
        let bad = |message: String| Error::BadConfig {
            path: FILE_NAME.into(),
            message,
        };
        let mut areas: Vec<AreaDef> = config
            .areas
            .iter()
            .map(|(name, globs)| AreaDef {
                name: name.clone(),
                description: "defined in forkcheck.toml".into(),
                new_app: false,
                globs: globs.clone(),
            })
            .collect();
        let mut builtin = builtin_areas()?;
        for area in &mut builtin {
            if area.name == "themes" {
                for root in &config.themes.roots {
                    let root = root.trim_end_matches('/');
                    if !root.is_empty() && root != "themes" {
                        area.globs.push(format!("{root}/**"));
                    }
                }
            }
        }
        let user_count = areas.len();
        areas.extend(builtin);
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        for (i, area) in areas.iter().enumerate() {
            for pattern in &area.globs {
                let g = glob(pattern).map_err(|e| {
                    if i < user_count {
                        bad(format!(
                            "`areas.{}`: invalid glob `{pattern}`: {e}",
                            area.name
                        ))
                    } else {
                        Error::Parse {
                            path: "rules/areas.toml".into(),
                            message: format!("invalid glob `{pattern}`: {e}"),
                        }
                    }
                })?;
                builder.add(g);
                owner.push(i);
            }
        }
        let set = builder.build().map_err(|e| bad(format!("`areas`: {e}")))?;
        let mut ignore = GlobSetBuilder::new();
        for pattern in &config.drift.ignore {
            ignore.add(
                glob(pattern)
                    .map_err(|e| bad(format!("`drift.ignore`: invalid glob `{pattern}`: {e}")))?,
            );
        }
        let ignore = ignore
            .build()
            .map_err(|e| bad(format!("`drift.ignore`: {e}")))?;
        Ok(Classifier {
            areas,
            set,
            owner,
            ignore,
            app_in_base: HashMap::new(),
        })
    }

    /// Area names in report order (user areas, built-in areas, then "unexplained").
    pub fn order(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for a in &self.areas {
            if !names.contains(&a.name.as_str()) {
                names.push(&a.name);
            }
        }
        names.push(UNEXPLAINED);
        names
    }

    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.is_match(path)
    }

    /// The area of `path` (first matching area; "unexplained" if none).
    pub fn area(&mut self, repo: &Repo, base: Oid, path: &str) -> Result<String> {
        let mut hits = self.set.matches(path);
        hits.sort_unstable();
        let mut skipped_new_app = None;
        for hit in hits {
            let index = self.owner[hit];
            if skipped_new_app == Some(index) {
                continue;
            }
            let area = &self.areas[index];
            if area.new_app {
                let name = area.name.clone();
                if self.is_new_app(repo, base, path)? {
                    return Ok(name);
                }
                skipped_new_app = Some(index);
                continue;
            }
            return Ok(area.name.clone());
        }
        Ok(UNEXPLAINED.to_string())
    }

    /// Whether `path` lies in a Django app directory absent from the base tree.
    pub fn is_new_app(&mut self, repo: &Repo, base: Oid, path: &str) -> Result<bool> {
        let Some(app) = app_of(path) else {
            return Ok(false);
        };
        if let Some(known) = self.app_in_base.get(app) {
            return Ok(!known);
        }
        let exists = repo.tree_entry_exists(base, app)?;
        self.app_in_base.insert(app.to_string(), exists);
        Ok(!exists)
    }
}

/// The top-level Django app directory containing `path` (`lms/djangoapps/acme_reports`), if any.
pub fn app_of(path: &str) -> Option<&str> {
    APP_ROOTS.iter().find_map(|root| {
        let rest = path.strip_prefix(root)?;
        let (app, inner) = rest.split_once('/')?;
        if app.is_empty() || inner.is_empty() {
            return None;
        }
        Some(&path[..root.len() + app.len()])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps() {
        assert_eq!(
            app_of("lms/djangoapps/acme_reports/views.py"),
            Some("lms/djangoapps/acme_reports")
        );
        assert_eq!(
            app_of("openedx/core/djangoapps/user_authn/views/login.py"),
            Some("openedx/core/djangoapps/user_authn")
        );
        assert_eq!(app_of("lms/djangoapps/__init__.py"), None);
        assert_eq!(app_of("openedx/core/release.py"), None);
    }

    #[test]
    fn builtin_areas_cover_the_documented_names() {
        let names: Vec<String> = builtin_areas()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        for expected in [
            "settings",
            "generated-config",
            "core-templates",
            "themes",
            "python",
            "new-djangoapps",
            "static-js",
            "static-scss",
            "tests",
            "migrations",
            "requirements",
            "docs",
            "other",
        ] {
            assert!(names.iter().any(|n| n == expected), "{expected} missing");
        }
    }
}
