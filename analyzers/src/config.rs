//! `forkcheck.toml`: found at the repository root or given with `--config`. Every table denies
//! unknown keys, so a typo is an error naming the key and the file. `forkcheck init` writes a
//! commented copy (see [`Config::commented_default`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Severity;

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
    pub limits: LimitsConfig,
    /// Budgets of `forkcheck check` (differential mode).
    pub check: CheckConfig,
}

/// `[check]`: what fails a pull request in `forkcheck check` whatever `--fail-on` says.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Changed lines (added + removed, against the base release) a pull request may add to the
    /// drift; unset: no limit.
    pub max_drift_growth: Option<u64>,
    /// Rule ids (or names) whose new findings always fail the check.
    pub always_fail: Vec<String>,
}

/// Largest configuration file read (`forkcheck.toml`, `--config FILE`).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Largest cost coefficient accepted, in hours per unit: beyond it the model means nothing
/// (and sums of such numbers overflow to infinity).
pub const MAX_COST_HOURS: f64 = 10_000.0;
/// Longest line quoted from a configuration file in a parse error; longer lines are not quoted.
const MAX_EXCERPT_LINE: usize = 120;
/// Longest parser message shown (messages can quote values from the file).
const MAX_MESSAGE: usize = 200;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Files larger than this many bytes are counted in the drift but not parsed by any
    /// analysis (settings, generated config, templates); the report names each one.
    pub max_parse_bytes: u64,
}

/// Default of `[limits] max_parse_bytes`.
pub const DEFAULT_MAX_PARSE_BYTES: u64 = 5_000_000;

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_parse_bytes: DEFAULT_MAX_PARSE_BYTES,
        }
    }
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
    /// Theme directories that are the fork's own although the base release has them (by
    /// default a theme directory of the base release is one of upstream's example themes).
    pub own: Vec<String>,
}

impl Default for ThemesConfig {
    fn default() -> Self {
        ThemesConfig {
            roots: vec!["themes".into()],
            own: Vec::new(),
        }
    }
}

impl ThemesConfig {
    /// Is the theme directory `dir` configured as the fork's own (`[themes] own`)?
    pub fn is_own(&self, dir: &str) -> bool {
        self.own.iter().any(|o| o.trim_matches('/') == dir)
    }
}

impl Config {
    /// Load the configuration: `explicit` if given (must exist; any path, read with a size
    /// limit), else `<root>/forkcheck.toml` when present (a regular file inside `root`: a
    /// symbolic link leading out of the repository is refused), else defaults. Returns the
    /// file used.
    pub fn load(root: Option<&Path>, explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let (path, file) = match (explicit, root) {
            (Some(p), _) => (p.to_path_buf(), read_explicit(p)?),
            (None, Some(root)) => {
                let path = root.join(FILE_NAME);
                match read_in_repo(root, &path)? {
                    Some(file) => (path, file),
                    None => return Ok((Config::default(), None)),
                }
            }
            (None, None) => return Ok((Config::default(), None)),
        };
        let config = Config::parse_file(&file, &path)?;
        Ok((config, Some(path)))
    }

    /// Parse `text` (the content of the regular file `path`) and validate it.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        Config::parse_file(
            &ConfigFile {
                text: text.to_string(),
                regular: true,
            },
            path,
        )
    }

    fn parse_file(file: &ConfigFile, path: &Path) -> Result<Config> {
        let bad = |message: String| Error::BadConfig {
            path: path.to_path_buf(),
            message,
        };
        let config: Config = toml::from_str(&file.text)
            .map_err(|e| bad(parse_error(&e, &file.text, file.regular)))?;
        config.validate().map_err(bad)?;
        Ok(config)
    }

    /// Checks serde cannot express: numbers in range.
    fn validate(&self) -> std::result::Result<(), String> {
        for (key, &value) in &self.cost {
            if !value.is_finite() || !(0.0..=MAX_COST_HOURS).contains(&value) {
                return Err(format!(
                    "`[cost] {}` must be a number of hours from 0 to {MAX_COST_HOURS}",
                    excerpt(key, 64)
                ));
            }
        }
        if self.limits.max_parse_bytes == 0 {
            return Err("`[limits] max_parse_bytes` must be at least 1".into());
        }
        Ok(())
    }
    /// The commented `forkcheck.toml` that `forkcheck init` writes. A test parses it.
    pub fn commented_default() -> &'static str {
        include_str!("../../rules/forkcheck.example.toml")
    }
}

/// A configuration file's text, and whether it came from a regular file (only then may a
/// parse error quote it).
struct ConfigFile {
    text: String,
    regular: bool,
}

/// `--config FILE`: any path the user names (a pipe, a file outside the repository), read with
/// [`MAX_CONFIG_BYTES`] as the limit.
fn read_explicit(path: &Path) -> Result<ConfigFile> {
    let file = std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
    let regular = file.metadata().map(|m| m.is_file()).unwrap_or(false);
    read_bounded(file, path, regular)
}

/// `<root>/forkcheck.toml`, from the repository under analysis (untrusted): `None` when there is
/// none; only a regular file inside `root`, never through a symbolic link that leaves it.
fn read_in_repo(root: &Path, path: &Path) -> Result<Option<ConfigFile>> {
    let bad = |message: String| Error::BadConfig {
        path: path.to_path_buf(),
        message,
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot_read(path, &e)),
    };
    let target = if meta.file_type().is_symlink() {
        let root = root.canonicalize().map_err(|e| cannot_read(root, &e))?;
        let target = path.canonicalize().map_err(|e| cannot_read(path, &e))?;
        if !target.starts_with(&root) {
            return Err(bad(
                "it is a symbolic link to a file outside the repository; forkcheck reads \
                 the repository's configuration only from a regular file inside it"
                    .into(),
            ));
        }
        target
    } else {
        path.to_path_buf()
    };
    // Checked before opening too: opening a FIFO would wait for a writer.
    let regular = |meta: std::io::Result<std::fs::Metadata>| meta.is_ok_and(|m| m.is_file());
    if !regular(std::fs::metadata(&target)) {
        return Err(bad("it is not a regular file".into()));
    }
    let file = std::fs::File::open(&target).map_err(|e| cannot_read(path, &e))?;
    if !regular(file.metadata()) {
        return Err(bad("it is not a regular file".into()));
    }
    read_bounded(file, path, true).map(Some)
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Error {
    Error::BadConfig {
        path: path.to_path_buf(),
        message: format!("cannot read the file: {e}"),
    }
}

fn read_bounded(file: std::fs::File, path: &Path, regular: bool) -> Result<ConfigFile> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(path, &e))?;
    let bad = |message: String| Error::BadConfig {
        path: path.to_path_buf(),
        message,
    };
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(bad(format!(
            "the file is larger than {} KiB; not read",
            MAX_CONFIG_BYTES / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "the file is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(ConfigFile { text, regular })
}

/// A TOML error for the user: with toml's one-line excerpt when the file is a regular file and
/// the offending line is short printable text; otherwise the position and a shortened message
/// only (a file such as `/proc/self/environ` is one long line of secrets).
fn parse_error(e: &toml::de::Error, text: &str, regular: bool) -> String {
    let quotable = e.span().is_some_and(|span| {
        let start = span.start.min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[line_start..line_end];
        line.chars().count() <= MAX_EXCERPT_LINE
            && !line
                .chars()
                .any(|c| c.is_control() && c != '\t' && c != '\r')
    });
    let full = e.to_string();
    if regular && quotable && full.chars().count() <= 2 * MAX_EXCERPT_LINE + MAX_MESSAGE {
        // The quoted line is redacted like any other output (`password = "…" oops`).
        return crate::secrets::redact_text(full.trim(), true).into_owned();
    }
    let position = e
        .span()
        .map(|span| {
            let start = span.start.min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            let column = text[..start].rfind('\n').map_or(start, |i| start - i - 1) + 1;
            format!(" at line {line}, column {column}")
        })
        .unwrap_or_default();
    format!(
        "TOML parse error{position}: {}",
        excerpt(e.message().trim(), MAX_MESSAGE)
    )
}

/// `text` cut to `max` characters, control characters shown as `\u{..}` escapes.
fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quoted_line_shows_no_credential() {
        let text = "[upstream]\npassword = \"hunter2-s3cret\" oops\n";
        let e = toml::from_str::<toml::Value>(text).expect_err("invalid");
        let msg = super::parse_error(&e, text, true);
        assert!(!msg.contains("hunter2-s3cret"), "{msg}");
    }

    use super::*;

    #[test]
    fn costs_must_be_sane_numbers_of_hours() {
        for bad in ["1e308", "-1.0", "nan", "inf", "10001.0"] {
            let text = format!("[cost]\nper_conflict_hunk = {bad}\n");
            let err = Config::parse(&text, Path::new("f.toml")).unwrap_err();
            assert!(matches!(err, Error::BadConfig { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("per_conflict_hunk"), "{err}");
        }
        let ok = Config::parse("[cost]\nper_conflict_hunk = 0.5\n", Path::new("f.toml"));
        assert!(ok.is_ok());
    }

    #[test]
    fn limits_default_and_parse() {
        assert_eq!(
            Config::default().limits.max_parse_bytes,
            DEFAULT_MAX_PARSE_BYTES
        );
        let c = Config::parse("[limits]\nmax_parse_bytes = 1_000\n", Path::new("f")).unwrap();
        assert_eq!(c.limits.max_parse_bytes, 1000);
        assert!(Config::parse("[limits]\nmax_parse_bytes = 0\n", Path::new("f")).is_err());
        assert!(Config::parse("[limits]\nmax_parse_byte = 1\n", Path::new("f")).is_err());
    }

    #[test]
    fn parse_errors_quote_only_short_lines_of_regular_files() {
        let secret = format!("TOKEN=s3cr3t{}\0HOME=/root\0", "x".repeat(500));
        let err = Config::parse(&secret, Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
        assert!(err.len() < 400, "{err}");
        let short = "[upstream]\nremotee = \"upstream\"\n";
        let err = Config::parse(short, Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("remotee = \"upstream\""), "{err}");
        // The same file, not a regular file: no excerpt.
        let file = ConfigFile {
            text: short.into(),
            regular: false,
        };
        let err = Config::parse_file(&file, Path::new("f"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("= \"upstream\""), "{err}");
        assert!(err.contains("remotee"), "{err}");
    }

    #[test]
    fn the_example_file_parses_to_the_defaults() {
        let c = Config::parse(Config::commented_default(), Path::new("example")).unwrap();
        assert_eq!(c.limits.max_parse_bytes, DEFAULT_MAX_PARSE_BYTES);
    }
}
