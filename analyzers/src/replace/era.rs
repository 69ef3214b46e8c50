//! The deployment era of a tree, inferred from its content (docs/replacements.md, "Era").
//!
//! A squashed fork or a copy taken from a Tutor image has no release tag, yet the replacement
//! depends on how that code reads its configuration: Era A (Aspen … Ironwood) reads
//! `lms.env.json` / `lms.auth.json` in `aws.py` (Ironwood: also `production.py`), key by key;
//! Era B (Juniper on) loads one YAML file in `production.py` and injects every top-level key,
//! Teak on with a rewritten loader (`_YAML_TOKENS`). The era rules a replacement relies on —
//! which keys the module reads, which lists it extends from a config key, which keys it merges
//! — are read from the tree's own production / aws modules; `rules/config-paths.toml` is the
//! fallback when a tree has none.

use std::collections::{BTreeMap, BTreeSet};

use git2::Oid;

use super::tables::{self, Tables};
use crate::listing::Listing;
use crate::model::EraInfo;
use crate::releases::catalog::{Release, CATALOG};
use crate::repo::Repo;
use crate::Result;

/// How a tree's production settings module reads its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loader {
    /// `aws.py` reads `<variant>.env.json` / `.auth.json` key by key (Era A).
    AwsJson,
    /// `production.py` reads the JSON files (Ironwood).
    ProductionJson,
    /// `production.py` loads the YAML file and injects its keys (Juniper … Sumac).
    #[default]
    ProductionYaml,
    /// The Teak loader: defaults first, `_YAML_TOKENS`, then derived settings.
    TeakYaml,
    /// No production module found: facts from `rules/` only.
    Unknown,
}

impl Loader {
    pub fn label(self) -> &'static str {
        match self {
            Loader::AwsJson => "aws.py reads lms.env.json / lms.auth.json key by key",
            Loader::ProductionJson => "production.py reads lms.env.json / lms.auth.json",
            Loader::ProductionYaml => "production.py loads the YAML file (LMS_CFG / CMS_CFG)",
            Loader::TeakYaml => {
                "production.py loads the YAML file with the Teak loader (_YAML_TOKENS)"
            }
            Loader::Unknown => "no production settings module found",
        }
    }
    pub fn json(self) -> bool {
        matches!(self, Loader::AwsJson | Loader::ProductionJson)
    }
}

/// What one tree's production (or aws) modules do with the config file.
#[derive(Debug, Clone, Default)]
pub struct EraRules {
    pub loader: Loader,
    /// The module(s) these facts were read from, or `rules/config-paths.toml`.
    pub source: String,
    /// Config keys each service's module reads explicitly (`lms`, `cms`). In Era A only these
    /// have any effect; a service missing here means "not known".
    pub read_keys: BTreeMap<String, BTreeSet<String>>,
    /// Lists extended from a config key: setting → key (`INSTALLED_APPS` → `ADDL_INSTALLED_APPS`).
    pub appends: BTreeMap<String, String>,
    /// Keys merged key by key into the code default (`FEATURES`, `JWT_AUTH`, …).
    pub merged: BTreeSet<String>,
}

impl EraRules {
    /// From `rules/config-paths.toml` only.
    fn fallback(t: &Tables, loader: Loader) -> EraRules {
        EraRules {
            loader,
            source: "rules/config-paths.toml".into(),
            read_keys: BTreeMap::new(),
            appends: t.paths.yaml_appends.clone(),
            merged: t.paths.yaml_merged.keys.iter().cloned().collect(),
        }
    }

    /// Does the service's module read `key` (true when not known)?
    pub fn reads(&self, service: &str, key: &str) -> bool {
        let services: Vec<&str> = match service {
            "both" => vec!["lms", "cms"],
            s => vec![s],
        };
        services.iter().all(|s| match self.read_keys.get(*s) {
            Some(keys) => keys.contains(key),
            None => true,
        })
    }
}

/// Deployment facts a replacement depends on: the era of the base (named release, or
/// inferred from content) and the era rules of the base and target trees.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// The base's position in the release catalog when it is a named release (Ironwood = 9).
    pub base_index: Option<u32>,
    /// Oldest and newest catalog index the base's content fits (inferred, or the named release).
    pub range: Option<(u32, u32)>,
    /// Era A: JSON env/auth files, no YAML.
    pub json: bool,
    /// The base is a copy taken from a Tutor image (`lms/envs/tutor/`).
    pub tutor_image: bool,
    /// Django (major, minor) of the base and of the target.
    pub django: Option<(u32, u32)>,
    pub target_django: Option<(u32, u32)>,
    /// The release a committed Tutor `config.yml` of the fork deploys (catalog index).
    pub tutor_release: Option<u32>,
    /// The base tree's era rules.
    pub rules: EraRules,
    /// The target tree's, when there is a target.
    pub target_rules: Option<EraRules>,
}

impl Deployment {
    /// The newest release the base may be (the named release, else the inferred range's end).
    pub fn index(&self) -> Option<u32> {
        self.base_index.or(self.range.map(|r| r.1))
    }

    /// A deployment of a named release, with `rules/` facts (tests, and callers without a tree).
    pub fn named(index: u32) -> Result<Deployment> {
        let t = tables::tables()?;
        let loader = if index < 9 {
            Loader::AwsJson
        } else if index == 9 {
            Loader::ProductionJson
        } else if index < 20 {
            Loader::ProductionYaml
        } else {
            Loader::TeakYaml
        };
        Ok(Deployment {
            base_index: Some(index),
            range: Some((index, index)),
            json: loader.json(),
            rules: EraRules::fallback(t, loader),
            ..Deployment::default()
        })
    }
}

/// Django `(major, minor)` → catalog index range of the releases that ran it
/// (docs/replacements.md, "Era").
/// `(major, minor)` of Django, or a catalog index range.
type Pair = (u32, u32);

const DJANGO_RELEASES: &[(Pair, Pair)] = &[
    ((1, 4), (1, 3)),
    ((1, 8), (4, 7)),
    ((1, 11), (8, 9)),
    ((2, 2), (10, 12)),
    ((3, 2), (13, 16)),
    ((4, 2), (17, 20)),
    ((5, 2), (21, 22)),
];

fn title(index: u32) -> String {
    CATALOG
        .get(index.saturating_sub(1) as usize)
        .map(Release::title)
        .unwrap_or_else(|| format!("release {index}"))
}

fn range_label((a, b): (u32, u32)) -> String {
    if a == b {
        title(a)
    } else {
        format!("{}–{}", title(a), title(b))
    }
}

/// The pinned Django version in `requirements/edx/base.txt` (`django==4.2.24`).
pub fn django_version(text: &str) -> Option<(u32, u32)> {
    text.lines().find_map(|line| {
        let line = line.trim();
        let lower = line.to_ascii_lowercase();
        let rest = lower.strip_prefix("django==")?;
        let mut parts = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((major, minor))
    })
}

/// Keys read from a config mapping in `text`: `ENV_TOKENS.get('K'`, `AUTH_TOKENS['K']`,
/// `_YAML_TOKENS.get("K"`, `ENV_FEATURES.get(…)` is not a key of the file.
pub fn token_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("TOKENS") {
        let after = &rest[pos + "TOKENS".len()..];
        let inner = after
            .strip_prefix(".get(")
            .or_else(|| after.strip_prefix('['))
            .map(str::trim_start);
        if let Some(q) = inner.and_then(|s| s.chars().next().filter(|c| *c == '\'' || *c == '"')) {
            let s = inner.unwrap_or_default();
            if let Some(end) = s[1..].find(q) {
                out.push(s[1..1 + end].to_string());
            }
        }
        rest = after;
    }
    out
}

/// A setting name followed by a list-extending operation in `line`: `NAME.extend(`,
/// `NAME.append(`, `NAME += `.
fn extended_setting(line: &str) -> Option<String> {
    let line = line.trim_start();
    let name: String = line
        .chars()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    if name.is_empty() {
        return None;
    }
    let rest = line[name.len()..].trim_start();
    (rest.starts_with(".extend(") || rest.starts_with(".append(") || rest.starts_with("+="))
        .then_some(name)
}

/// A setting merged from the config: `NAME.update(` on a line reading the key `NAME`.
fn updated_setting(line: &str) -> Option<String> {
    let line = line.trim_start();
    let (name, rest) = line.split_once(".update(")?;
    crate::settings::python::is_setting_name(name).then_some(())?;
    token_keys(rest)
        .into_iter()
        .find(|k| k == name)
        .map(|_| name.to_string())
}

/// The string literals of the first `(…)` or `[…]` after `marker` in `text`.
fn strings_after(text: &str, marker: &str) -> Option<Vec<String>> {
    let start = text.find(marker)? + marker.len();
    let rest = &text[start..];
    let open = rest.find(['(', '['])?;
    let close_char = if rest[open..].starts_with('(') {
        ')'
    } else {
        ']'
    };
    let close = rest[open..].find(close_char)? + open;
    let inner = &rest[open + 1..close];
    let mut out = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let s: String = chars.by_ref().take_while(|d| *d != c).collect();
            out.push(s);
        }
    }
    Some(out)
}

/// Read the era rules of one production-like module's source text.
fn read_module(text: &str, rules: &mut EraRules, service: &str) {
    let keys = rules.read_keys.entry(service.to_string()).or_default();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let read = token_keys(line);
        keys.extend(read.iter().cloned());
        if let Some(name) = updated_setting(line) {
            rules.merged.insert(name);
        }
        // A list extended from a config key, on the line that reads it or in the loop below it
        // (`for app in ENV_TOKENS.get('ADDL_INSTALLED_APPS', []): INSTALLED_APPS.append(app)`).
        for key in &read {
            let here = extended_setting(line)
                .or_else(|| {
                    line.trim_start()
                        .starts_with("for ")
                        .then(|| lines.get(i + 1).and_then(|l| extended_setting(l)))
                        .flatten()
                })
                .filter(|name| name != key);
            if let Some(name) = here {
                rules.appends.insert(name, key.clone());
            }
        }
    }
    // FEATURES merged flag by flag (Era A loops over ENV_FEATURES; Era B updates).
    if text.contains("ENV_FEATURES") || text.contains("FEATURES.update(") {
        rules.merged.insert("FEATURES".into());
    }
    if let Some(list) = strings_after(text, "KEYS_WITH_MERGED_VALUES =") {
        rules.merged.extend(list);
    } else if let Some(list) = strings_after(text, "if key not in") {
        rules.merged.extend(list);
    }
}

fn loader_of(text: &str, aws: bool) -> Loader {
    if text.contains("_YAML_TOKENS") {
        Loader::TeakYaml
    } else if text.contains("yaml.safe_load") || text.contains("yaml.load") {
        Loader::ProductionYaml
    } else if text.contains("json.load") || text.contains(".env.json") {
        if aws {
            Loader::AwsJson
        } else {
            Loader::ProductionJson
        }
    } else {
        Loader::Unknown
    }
}

/// The era rules of the tree of `commit`.
pub fn rules_of(repo: &Repo, commit: Oid) -> Result<EraRules> {
    let t = tables::tables()?;
    let mut rules = EraRules::default();
    let mut sources = Vec::new();
    let mut loader = Loader::Unknown;
    for svc in ["lms", "cms"] {
        // production.py wins over aws.py where both exist (Ironwood); aws.py alone is Era A.
        for (file, aws) in [("production.py", false), ("aws.py", true)] {
            let path = format!("{svc}/envs/{file}");
            let Some(text) = repo.text_at(commit, &path)? else {
                continue;
            };
            let l = loader_of(&text, aws);
            if l == Loader::Unknown {
                continue;
            }
            if loader == Loader::Unknown {
                loader = l;
            }
            read_module(&text, &mut rules, svc);
            sources.push(path);
            break;
        }
    }
    if sources.is_empty() {
        return Ok(EraRules::fallback(t, Loader::Unknown));
    }
    rules.loader = loader;
    rules.source = sources.join(", ");
    Ok(rules)
}

/// The release a committed Tutor `config.yml` deploys, from `OPENEDX_COMMON_VERSION`
/// (`open-release/redwood.2`, `release/teak.3`) or the `DOCKER_IMAGE_OPENEDX` tag (`…:18.1.3` →
/// Tutor v18 → Redwood, `rules/tutor.toml [releases]`): `(release, how)`.
pub fn tutor_config_release(text: &str) -> Option<(&'static Release, String)> {
    let t = tables::tables().ok()?;
    let value = |key: &str| {
        text.lines().find_map(|l| {
            let v = l.strip_prefix(key)?.trim_start().strip_prefix(':')?;
            let v = v.split(" #").next().unwrap_or(v).trim();
            Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
        })
    };
    let by_name = |name: &str| CATALOG.iter().find(|r| r.name == name);
    if let Some(v) = value("OPENEDX_COMMON_VERSION") {
        let name = v.rsplit('/').next().unwrap_or(&v);
        let name = name.split(['.', '-']).next().unwrap_or(name);
        if let Some(r) = by_name(name) {
            return Some((r, format!("OPENEDX_COMMON_VERSION {v}")));
        }
    }
    let image = value("DOCKER_IMAGE_OPENEDX")?;
    let tag = image.rsplit_once(':').map(|(_, t)| t)?;
    let major: String = tag.chars().take_while(char::is_ascii_digit).collect();
    let name = t.tutor.releases.get(&major)?;
    by_name(name).map(|r| (r, format!("DOCKER_IMAGE_OPENEDX tag {tag}: Tutor v{major}")))
}

/// Committed Tutor `config.yml` files of a tree (at most four directories deep) and the
/// release each deploys.
fn tutor_configs(repo: &Repo, tree: &Listing) -> Result<Vec<(String, &'static Release, String)>> {
    let found: Vec<(&str, Oid)> = tree
        .blobs()
        .filter(|(path, _)| {
            (*path == "config.yml" || path.ends_with("/config.yml"))
                && path.matches('/').count() <= 4
        })
        .collect();
    let mut out = Vec::new();
    for (path, oid) in found {
        let text = String::from_utf8_lossy(&repo.blob_bytes(oid)?).into_owned();
        if let Some((r, how)) = tutor_config_release(&text) {
            out.push((path.to_string(), r, how));
        }
    }
    Ok(out)
}

/// Infer the deployment of the base tree (and read the target's rules). `head`, the listing of
/// the fork's tree when given, is searched for a committed Tutor `config.yml` naming the
/// release the fork was deployed with.
pub fn infer(
    repo: &Repo,
    base: Oid,
    release: Option<&Release>,
    target: Option<Oid>,
    head: Option<&Listing>,
) -> Result<(Deployment, EraInfo)> {
    let mut reasons = Vec::new();
    let rules = rules_of(repo, base)?;
    let target_rules = target.map(|t| rules_of(repo, t)).transpose()?;
    let django = repo
        .text_at(base, "requirements/edx/base.txt")?
        .as_deref()
        .and_then(django_version);
    let target_django = match target {
        Some(t) => repo
            .text_at(t, "requirements/edx/base.txt")?
            .as_deref()
            .and_then(django_version),
        None => None,
    };
    let tutor_image = repo.tree_entry_exists(base, "lms/envs/tutor")?;

    let loader_range = match rules.loader {
        Loader::AwsJson => Some((1, 8)),
        Loader::ProductionJson => Some((9, 9)),
        Loader::ProductionYaml => Some((10, 19)),
        Loader::TeakYaml => Some((20, CATALOG.len() as u32)),
        Loader::Unknown => None,
    };
    if rules.loader != Loader::Unknown {
        reasons.push(format!("{} ({})", rules.loader.label(), rules.source));
    }
    let django_range = django.and_then(|d| {
        DJANGO_RELEASES
            .iter()
            .find(|(v, _)| *v == d)
            .map(|(_, r)| *r)
    });
    if let Some((a, b)) = django {
        reasons.push(format!("Django {a}.{b} in requirements/edx/base.txt"));
    }
    if tutor_image {
        reasons.push("lms/envs/tutor/ present: a copy taken from a Tutor image".into());
    }
    let mut deployed = None;
    for (path, r, how) in head
        .map(|h| tutor_configs(repo, h))
        .transpose()?
        .unwrap_or_default()
    {
        reasons.push(format!(
            "Tutor config.yml {path}: {how} deploys {} (rules/tutor.toml [releases])",
            r.title()
        ));
        deployed = deployed.max(Some(r.index));
    }
    let range = match release {
        Some(r) => {
            reasons.insert(0, format!("named release {}", r.title()));
            Some((r.index, r.index))
        }
        None => match (loader_range, django_range) {
            (Some(l), Some(d)) if l.0.max(d.0) <= l.1.min(d.1) => {
                Some((l.0.max(d.0), l.1.min(d.1)))
            }
            (Some(l), Some(_)) => {
                reasons.push("the loader and the Django version disagree: the loader wins".into());
                Some(l)
            }
            (l, d) => l.or(d).or(deployed.map(|i| (i, i))),
        },
    };
    let json = match rules.loader {
        Loader::Unknown => range.is_some_and(|r| r.1 <= 9),
        l => l.json(),
    };
    let rules = if rules.loader == Loader::Unknown {
        let t = tables::tables()?;
        let loader = if json {
            Loader::AwsJson
        } else {
            Loader::ProductionYaml
        };
        let mut r = EraRules::fallback(t, loader);
        r.loader = Loader::Unknown;
        r
    } else {
        rules
    };
    let era = if json { "A" } else { "B" };
    let config = if json {
        "lms.env.json / lms.auth.json (and cms.*), read key by key"
    } else {
        "lms.yml / studio.yml (LMS_CFG / CMS_CFG), every top-level key a setting"
    };
    let info = EraInfo {
        era: era.to_string(),
        config: config.to_string(),
        releases: range.map(range_label),
        django: django.map(|(a, b)| format!("{a}.{b}")),
        tutor_image,
        rules_from: rules.source.clone(),
        reasons,
    };
    Ok((
        Deployment {
            base_index: release.map(|r| r.index),
            range,
            json,
            tutor_image,
            django,
            target_django,
            tutor_release: deployed,
            rules,
            target_rules,
        },
        info,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_pins_and_token_keys() {
        assert_eq!(
            django_version("# comment\nDjango==1.8.18  # via x\n"),
            Some((1, 8))
        );
        assert_eq!(django_version("django==4.2.24\n"), Some((4, 2)));
        assert_eq!(django_version("djangorestframework==3.1\n"), None);
        assert_eq!(
            token_keys("X = ENV_TOKENS.get('X', AUTH_TOKENS[\"Y\"]) + _YAML_TOKENS.get(\"Z\")"),
            ["X", "Y", "Z"]
        );
    }

    #[test]
    fn release_from_a_tutor_config() {
        let (r, how) = tutor_config_release(
            "PLUGINS:\n- minio\nDOCKER_IMAGE_OPENEDX: docker.io/overhangio/openedx:18.1.3\n",
        )
        .expect("image tag");
        assert_eq!(
            (r.name, how.as_str()),
            ("redwood", "DOCKER_IMAGE_OPENEDX tag 18.1.3: Tutor v18")
        );
        let (r, _) = tutor_config_release(
            "OPENEDX_COMMON_VERSION: \"release/teak.3\"\nDOCKER_IMAGE_OPENEDX: x/openedx:18.0.0\n",
        )
        .expect("common version");
        assert_eq!(
            r.name, "teak",
            "OPENEDX_COMMON_VERSION wins over the image tag"
        );
        assert!(tutor_config_release("DOCKER_IMAGE_OPENEDX: openedx:latest\n").is_none());
        assert!(tutor_config_release("DOCKER_IMAGE_OPENEDX: openedx:99.0.0\n").is_none());
        assert!(tutor_config_release("LMS_HOST: learn.example\n").is_none());
    }

    #[test]
    fn rules_read_from_an_aws_module() {
        let text = "\
with open(CONFIG_ROOT / 'lms.env.json') as f:\n    ENV_TOKENS = json.load(f)\n\
PLATFORM_NAME = ENV_TOKENS.get('PLATFORM_NAME', PLATFORM_NAME)\n\
ENV_FEATURES = ENV_TOKENS.get('FEATURES', {})\n\
for feature, value in ENV_FEATURES.items():\n    FEATURES[feature] = value\n\
for app in ENV_TOKENS.get('ADDL_INSTALLED_APPS', []):\n    INSTALLED_APPS.append(app)\n\
MIDDLEWARE_CLASSES.extend(ENV_TOKENS.get('EXTRA_MIDDLEWARE_CLASSES', []))\n\
# TIME_ZONE = ENV_TOKENS.get('COMMENTED', 1)\n\
TIME_ZONE = ENV_TOKENS.get('TIME_ZONE', TIME_ZONE)\n";
        assert_eq!(loader_of(text, true), Loader::AwsJson);
        let mut rules = EraRules::default();
        read_module(text, &mut rules, "lms");
        assert!(rules.reads("lms", "TIME_ZONE"));
        assert!(!rules.reads("lms", "COMMENTED"));
        assert!(!rules.reads("lms", "LMS_HOST"));
        assert!(rules.reads("cms", "LMS_HOST"), "cms not known");
        assert_eq!(rules.appends["INSTALLED_APPS"], "ADDL_INSTALLED_APPS");
        assert_eq!(
            rules.appends["MIDDLEWARE_CLASSES"],
            "EXTRA_MIDDLEWARE_CLASSES"
        );
        assert!(rules.merged.contains("FEATURES"));
    }

    #[test]
    fn rules_read_from_yaml_loaders() {
        let text = "with open(CONFIG_FILE) as f:\n    __config__ = yaml.safe_load(f)\n\
KEYS_WITH_MERGED_VALUES = [\n    'FEATURES',\n    'JWT_AUTH',\n]\n\
JWT_AUTH.update(ENV_TOKENS.get('JWT_AUTH', {}))\n\
MIDDLEWARE.extend(ENV_TOKENS.get('EXTRA_MIDDLEWARE_CLASSES', []))\n";
        assert_eq!(loader_of(text, false), Loader::ProductionYaml);
        let mut rules = EraRules::default();
        read_module(text, &mut rules, "lms");
        assert_eq!(
            rules.merged.iter().collect::<Vec<_>>(),
            ["FEATURES", "JWT_AUTH"]
        );
        assert_eq!(rules.appends["MIDDLEWARE"], "EXTRA_MIDDLEWARE_CLASSES");
        let teak = "_YAML_TOKENS = yaml.safe_load(f)\nvars().update({k: v for k, v in _YAML_TOKENS.items() if key not in (\"FEATURES\", \"REST_FRAMEWORK\")})\n";
        assert_eq!(loader_of(teak, false), Loader::TeakYaml);
        let mut rules = EraRules::default();
        read_module(teak, &mut rules, "lms");
        assert!(rules.merged.contains("REST_FRAMEWORK"));
    }
}
