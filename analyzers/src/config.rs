//! `forkcheck.toml`: found at the repository root or given with `--config`. Every table denies
//! unknown keys, so a typo is an error naming the key and the file. `forkcheck init` writes a
//! commented copy (see [`Config::commented_default`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::report::Severity;

pub const FILE_NAME: &str = "forkcheck.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub upstream: UpstreamConfig,
    pub releases: ReleasesConfig,
    pub drift: DriftConfig,
    /// Extra area globs, checked before the built-in `rules/areas.toml` ones: area → globs.
    pub areas: BTreeMap<String, Vec<String>>,
    pub settings: SettingsConfig,
    pub themes: ThemesConfig,
    /// Rule id → severity.
    pub severity: BTreeMap<String, Severity>,
    /// Cost-model coefficient overrides (names as in `rules/cost.toml`).
    pub cost: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpstreamConfig {
    /// The remote whose remote-tracking refs hold upstream's release branches.
    pub remote: String,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            remote: "upstream".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleasesConfig {
    /// Extra release ref patterns, `{name}` and `{n}` placeholders, e.g. `refs/tags/acme/{name}.{n}`.
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DriftConfig {
    /// Globs of paths left out of the drift entirely.
    pub ignore: Vec<String>,
    /// Changed lines (added + removed) above which the drift itself is a finding.
    pub max_lines: u64,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            ignore: Vec::new(),
            max_lines: 2000,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SettingsConfig {
    /// Extra globs of settings modules (beyond `lms/envs/*.py`, `cms/envs/*.py`, `openedx/envs/*.py`).
    pub paths: Vec<String>,
    /// Extra globs of generated-config files.
    pub generated: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemesConfig {
    /// Directories holding themes (each theme a subdirectory with `lms/` and/or `cms/`).
    pub roots: Vec<String>,
}

impl Default for ThemesConfig {
    fn default() -> Self {
        ThemesConfig {
            roots: vec!["themes".into()],
        }
    }
}

impl Config {
    /// Load the configuration: `explicit` if given (must exist), else `<root>/forkcheck.toml`
    /// when present, else defaults. Returns the file used.
    pub fn load(root: Option<&Path>, explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => root.map(|r| r.join(FILE_NAME)).filter(|p| p.is_file()),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::BadConfig {
            path: path.clone(),
            message: format!("cannot read the file: {e}"),
        })?;
        let config = Config::parse(&text, &path)?;
        Ok((config, Some(path)))
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::BadConfig {
            path: path.to_path_buf(),
            message: e.to_string().trim().to_string(),
        })
    }

    /// The commented `forkcheck.toml` that `forkcheck init` writes. A test parses it.
    pub fn commented_default() -> &'static str {
        include_str!("../../rules/forkcheck.example.toml")
    }
}
