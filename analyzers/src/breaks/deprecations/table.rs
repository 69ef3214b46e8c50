//! `rules/removals.toml`: the Django version of each release and the APIs each removes.

use super::*;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Table {
    pub(super) django: Vec<DjangoOf>,
    pub(super) removals: Vec<Removal>,
    #[serde(default)]
    pub(super) platform: Vec<PlatformRemoval>,
}

/// One edx-platform file (or family of files) a named release deletes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlatformRemoval {
    pub(super) id: String,
    /// Repository paths; a trailing `*` matches any rest of the file name.
    pub(super) paths: Vec<String>,
    /// The first named release without them (lower case).
    pub(super) release: String,
    /// Where the fact comes from (a section of docs/upgrade-breaks.md).
    pub(super) source: String,
    pub(super) replacement: String,
}

impl PlatformRemoval {
    pub(super) fn matches_path(&self, path: &str) -> bool {
        self.paths.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix) && !path[prefix.len()..].contains('/'),
            None => path == p,
        })
    }

    /// Does the dotted module name one of the paths' Python modules?
    pub(super) fn matches_module(&self, dotted: &str) -> bool {
        let as_path = dotted.replace('.', "/");
        self.paths.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => as_path.starts_with(prefix) && !as_path[prefix.len()..].contains('/'),
            None => p.strip_suffix(".py").is_some_and(|stem| stem == as_path),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DjangoOf {
    pub(super) release: String,
    pub(super) version: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Removal {
    pub(super) id: String,
    pub(super) tokens: Vec<String>,
    #[serde(default)]
    pub(super) context: Option<String>,
    pub(super) files: String,
    pub(super) django: String,
    pub(super) replacement: String,
}

pub(super) fn table() -> Result<&'static Table> {
    static TABLE: OnceLock<std::result::Result<Table, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| toml::from_str(REMOVALS_FILE).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Parse {
            path: "rules/removals.toml".into(),
            message: e.clone(),
        })
}

/// The first named release whose Django is `version` or later (from the table), lower case.
pub(super) fn first_release_with(table: &Table, version: (u32, u32)) -> Option<&str> {
    table
        .django
        .iter()
        .find(|d| major_minor(&d.version).is_some_and(|v| v >= version))
        .map(|d| d.release.as_str())
}

/// The Django version a tree runs: its pin, else its named release's from the table.
pub(super) fn django_of(
    repo: &Repo,
    commit: Option<git2::Oid>,
    release: Option<&str>,
    table: &Table,
) -> Result<Option<String>> {
    if let Some(c) = commit {
        if let Some(v) = crate::breaks::django_version(repo, c)? {
            return Ok(Some(v));
        }
    }
    // The named release's version: the last table row at or before it.
    let Some(name) = release else { return Ok(None) };
    let Some(rel) = crate::releases::catalog::release(name) else {
        return Ok(None);
    };
    Ok(table
        .django
        .iter()
        .rev()
        .find(|d| {
            crate::releases::catalog::release(&d.release).is_some_and(|r| r.index <= rel.index)
        })
        .map(|d| d.version.clone()))
}
