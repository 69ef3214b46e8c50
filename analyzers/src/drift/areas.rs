//! Classifying changed paths: areas (`rules/areas.toml`, user `[areas]` first, first match
//! wins, "unexplained" for the rest), ignore globs, and top-level Django apps.

use std::collections::{HashMap, HashSet};

use git2::Oid;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::config::{Config, FILE_NAME};
use crate::error::{Error, Result};
use crate::repo::{git_error, Repo};

/// The built-in areas file.
pub const AREAS_TOML: &str = include_str!("../../../rules/areas.toml");

/// The bucket for paths that match no area.
pub const UNEXPLAINED: &str = "unexplained";

/// The built-in areas the code refers to by name. Loading the built-in areas fails when
/// `rules/areas.toml` lacks one of them, so renaming an area there cannot silently turn a rule
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownArea {
    /// Comprehensive themes (binary files there are not FC103).
    Themes,
    /// Python requirements (FC104).
    Requirements,
}

impl KnownArea {
    pub const ALL: &'static [KnownArea] = &[KnownArea::Themes, KnownArea::Requirements];

    /// The area's name in `rules/areas.toml` and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            KnownArea::Themes => "themes",
            KnownArea::Requirements => "requirements",
        }
    }
}

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
    /// App root (`lms/djangoapps/`) → names of the apps under it in the base tree.
    apps_in_base: HashMap<&'static str, HashSet<Vec<u8>>>,
}

fn glob(pattern: &str) -> std::result::Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// The built-in area definitions, in order.
pub fn builtin_areas() -> Result<Vec<AreaDef>> {
    parse_areas(AREAS_TOML)
}

fn parse_areas(text: &str) -> Result<Vec<AreaDef>> {
    let parse_error = |message: String| Error::Parse {
        path: "rules/areas.toml".into(),
        message,
    };
    let file: AreasFile = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    for known in KnownArea::ALL {
        if !file.areas.iter().any(|a| a.name == known.name()) {
            return Err(parse_error(format!(
                "no area `{}` (forkcheck's rules refer to it by name)",
                known.name()
            )));
        }
    }
    let mut seen = HashSet::new();
    for area in &file.areas {
        if area.name == UNEXPLAINED || !seen.insert(area.name.as_str()) {
            return Err(parse_error(format!(
                "area name `{}` is reserved or used twice",
                area.name
            )));
        }
    }
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
            if area.name == KnownArea::Themes.name() {
                for root in &config.themes.roots {
                    let root = root.trim_end_matches('/');
                    if !root.is_empty() && root != KnownArea::Themes.name() {
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
            apps_in_base: HashMap::new(),
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
        let hits = self.set.matches(path);
        self.area_of_hits(repo, base, path, hits)
    }

    /// The glob hits of many paths, matched in parallel (the glob set is most of the cost of
    /// [`Classifier::area`]); each is then resolved with [`Classifier::area_of_hits`].
    pub fn hits(&self, paths: &[&str]) -> Vec<Vec<usize>> {
        use rayon::prelude::*;
        paths.par_iter().map(|p| self.set.matches(p)).collect()
    }

    /// [`Classifier::area`] from `path`'s glob hits ([`Classifier::hits`]).
    pub fn area_of_hits(
        &mut self,
        repo: &Repo,
        base: Oid,
        path: &str,
        mut hits: Vec<usize>,
    ) -> Result<String> {
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
        let Some((root, app)) = split_app(path) else {
            return Ok(false);
        };
        if !self.apps_in_base.contains_key(root) {
            let mut names = HashSet::new();
            let tree = repo.tree_of(base)?;
            match tree.get_path(std::path::Path::new(root.trim_end_matches('/'))) {
                Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => {
                    let dir = repo
                        .git()
                        .find_tree(entry.id())
                        .map_err(|e| git_error(format!("reading `{root}` in the base"), e))?;
                    names.extend(dir.iter().map(|e| e.name_bytes().to_vec()));
                }
                Ok(_) => {}
                Err(e) if e.code() == git2::ErrorCode::NotFound => {}
                Err(e) => return Err(git_error(format!("looking up `{root}` in the base"), e)),
            }
            self.apps_in_base.insert(root, names);
        }
        let known = self
            .apps_in_base
            .get(root)
            .is_some_and(|names| names.contains(app.as_bytes()));
        Ok(!known)
    }
}

/// `lms/djangoapps/acme_reports/views.py` → (`lms/djangoapps/`, `acme_reports`).
fn split_app(path: &str) -> Option<(&'static str, &str)> {
    let dir = app_of(path)?;
    APP_ROOTS
        .iter()
        .find_map(|root| dir.strip_prefix(root).map(|app| (*root, app)))
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
    fn a_renamed_known_area_fails_to_load() {
        let renamed = AREAS_TOML.replace("name = \"requirements\"", "name = \"requirement\"");
        let err = parse_areas(&renamed).unwrap_err();
        assert!(err.to_string().contains("`requirements`"), "{err}");
        let twice = AREAS_TOML.replace("name = \"docs\"", "name = \"python\"");
        assert!(parse_areas(&twice).is_err());
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
