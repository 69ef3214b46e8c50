//! What every analyzer receives: the open repository, the resolved base / head / target
//! commits, the configuration and the rules. [`Context::open`] builds it once per run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use git2::Oid;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{BaseInfo, TargetInfo};
use crate::releases::{self, Discovery, Release};
use crate::repo::Repo;
use crate::rules::Rules;

/// One analysis of [`crate::run`], for restricting a run (benchmarks, `--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analysis {
    Drift,
    /// The drift after each fork commit: one tree diff per commit, as `git log --numstat`.
    /// Apart from the drift's totals and areas (what `git diff --numstat` gives), so that the
    /// pre-merge check, which shows no trend, does not walk every fork commit twice.
    Trend,
    Config,
    Settings,
    Themes,
    Rebase,
    Triage,
    Migrations,
    Dependencies,
    Deprecations,
}

impl Analysis {
    pub const ALL: [Analysis; 10] = [
        Analysis::Drift,
        Analysis::Trend,
        Analysis::Config,
        Analysis::Settings,
        Analysis::Themes,
        Analysis::Rebase,
        Analysis::Triage,
        Analysis::Migrations,
        Analysis::Dependencies,
        Analysis::Deprecations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Analysis::Drift => "drift",
            Analysis::Trend => "trend",
            Analysis::Config => "config",
            Analysis::Settings => "settings",
            Analysis::Themes => "themes",
            Analysis::Rebase => "rebase",
            Analysis::Triage => "triage",
            Analysis::Migrations => "migrations",
            Analysis::Dependencies => "dependencies",
            Analysis::Deprecations => "deprecations",
        }
    }

    /// Parse a comma-separated list: `drift,themes`.
    pub fn parse_list(list: &str) -> std::result::Result<Vec<Analysis>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse())
            .collect()
    }
}

impl std::str::FromStr for Analysis {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Analysis::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Analysis::ALL.iter().map(|a| a.as_str()).collect();
                format!(
                    "unknown analysis `{s}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// What the user asked for (`--repo`, `--config`, `--base`, `--head`, `--to`, `--allow-shallow`).
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub repo: PathBuf,
    pub config_path: Option<PathBuf>,
    pub base: Option<String>,
    /// The fork's revision; `HEAD` when `None`.
    pub head: Option<String>,
    pub to: Option<String>,
    pub allow_shallow: bool,
    /// Run only these analyses (`None`: all). The library reads no environment: the binary
    /// fills this from `FORKCHECK_ONLY`.
    pub only: Option<Vec<Analysis>>,
}

impl OpenOptions {
    pub fn new(repo: impl Into<PathBuf>) -> OpenOptions {
        OpenOptions {
            repo: repo.into(),
            config_path: None,
            base: None,
            head: None,
            to: None,
            allow_shallow: false,
            only: None,
        }
    }
}

pub struct Context {
    pub repo: Repo,
    pub config: Config,
    /// The configuration file used, if any.
    pub config_file: Option<PathBuf>,
    pub rules: Rules,
    pub head_rev: String,
    pub head: Oid,
    pub base: BaseInfo,
    pub base_oid: Oid,
    /// The base's named release, if it is one.
    pub base_release: Option<&'static Release>,
    pub target: Option<TargetInfo>,
    pub target_oid: Option<Oid>,
    pub target_release: Option<&'static Release>,
    /// Every release ref found (best first).
    pub releases: Discovery,
    /// Analyses to run; `None` = all.
    pub only: Option<Vec<Analysis>>,
    /// Non-fatal problems met while building the context (shown in the report).
    pub warnings: Vec<String>,
    /// Every secret value the analyses meet; the report is scrubbed of them at the end of the
    /// run (see [`crate::secrets`]).
    pub secrets: Arc<crate::secrets::Collector>,
    /// What the analyses compute once and share, with [`Context::sibling`]s too.
    shared: Arc<Shared>,
}

/// A run's facts computed on first use and shared by every analysis (and by the
/// [`Context::sibling`] that runs some of them on another thread).
#[derive(Default)]
struct Shared {
    /// The base release's settings definitions, parsed once for the analyses that need them
    /// (settings risks, generated config's code defaults).
    base_settings: OnceLock<crate::settings::risks::Index>,
    /// The base's deployment era, inferred on first use (`crate::replace::era`).
    deployment: OnceLock<(crate::replace::Deployment, crate::model::EraInfo)>,
    /// What the fork changed, computed on first use and read by every analysis.
    changes: OnceLock<crate::changes::ChangeSet>,
    /// The files of each commit's tree an analysis asked for ([`Context::listing`]).
    listings: Mutex<HashMap<Oid, Arc<crate::listing::Listing>>>,
}

impl Context {
    /// Open the repository, load configuration and rules, and resolve head, base and target.
    pub fn open(opts: &OpenOptions) -> Result<Context> {
        let repo = Repo::open(&opts.repo)?;
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.git_dir().to_path_buf());
        let (config, config_file) = Config::load(Some(&root), opts.config_path.as_deref())?;
        repo.set_max_parse_bytes(config.limits.max_parse_bytes);
        let rules = Rules::load(&config.severity).map_err(|e| match e {
            Error::BadConfig { message, .. } => Error::BadConfig {
                path: config_file
                    .clone()
                    .unwrap_or_else(|| crate::config::FILE_NAME.into()),
                message,
            },
            other => other,
        })?;
        let only = opts.only.clone();
        let mut warnings = Vec::new();
        if repo.is_shallow() {
            if !opts.allow_shallow {
                return Err(Error::Shallow {
                    path: repo.given_path().to_path_buf(),
                });
            }
            warnings.push(
                "shallow clone: history-based results (base by history, distance, trend, replay) \
                 cover only the commits present"
                    .to_string(),
            );
        }
        if let Some(promisor) = repo.promisor_remote() {
            warnings.push(format!(
                "partial clone (promisor remote `{promisor}`): objects missing locally are not \
                 fetched; analyses that need them stop with a missing-objects error"
            ));
        }
        let head_rev = opts.head.clone().unwrap_or_else(|| "HEAD".to_string());
        let head = repo.resolve_commit(&head_rev)?;
        let found = releases::discover(&repo, &config)?;
        warnings.extend(found.warnings.iter().cloned());
        if found.refs.is_empty() && opts.base.is_none() {
            return Err(Error::NoReleaseRefs {
                path: repo.given_path().to_path_buf(),
                remote: config.upstream.remote.clone(),
            });
        }
        let (base, base_resolved) = match &opts.base {
            Some(arg) => {
                let resolved = releases::base::resolve(&repo, &found, arg)?;
                (releases::base::explicit_base(&resolved), resolved)
            }
            None => {
                let (info, resolved, more) = releases::base::detect(&repo, &found, head)?;
                warnings.extend(more);
                (info, resolved)
            }
        };
        let target = match &opts.to {
            Some(arg) => Some(releases::base::resolve(&repo, &found, arg)?),
            None => {
                let next = base_resolved
                    .release
                    .and_then(|r| releases::base::next_target(&found, r));
                if next.is_none() {
                    warnings.push(match base_resolved.release {
                        Some(r) => format!(
                            "no release after {} found in the repository: no upgrade target \
                             (fetch upstream tags, or pass `--to RELEASE|REV`)",
                            r.title()
                        ),
                        None => "the base is not a named release, so there is no default \
                                 upgrade target (pass `--to RELEASE|REV`)"
                            .to_string(),
                    });
                }
                next
            }
        };
        Ok(Context {
            base_oid: base_resolved.oid,
            base_release: base_resolved.release,
            base,
            target: target.as_ref().map(|t| t.target_info()),
            target_oid: target.as_ref().map(|t| t.oid),
            target_release: target.as_ref().and_then(|t| t.release),
            repo,
            config,
            config_file,
            rules,
            head_rev,
            head,
            releases: found,
            only,
            warnings,
            secrets: Default::default(),
            shared: Default::default(),
        })
    }

    /// This run's context for another thread: the same inputs, the same secrets collector and
    /// the same computed-once facts (change set, listings, settings index, deployment), with a
    /// repository handle of its own (`git2::Repository` is not `Sync`).
    pub fn sibling(&self) -> Result<Context> {
        Ok(Context {
            repo: self.repo.reopen()?,
            config: self.config.clone(),
            config_file: self.config_file.clone(),
            rules: self.rules.clone(),
            head_rev: self.head_rev.clone(),
            head: self.head,
            base: self.base.clone(),
            base_oid: self.base_oid,
            base_release: self.base_release,
            target: self.target.clone(),
            target_oid: self.target_oid,
            target_release: self.target_release,
            releases: self.releases.clone(),
            only: self.only.clone(),
            warnings: self.warnings.clone(),
            secrets: self.secrets.clone(),
            shared: self.shared.clone(),
        })
    }

    /// This context with another base and target (a hop of `plan`): the same repository,
    /// configuration, rules and release refs, without reading or discovering them again; its
    /// own change set. Runs only `only`.
    pub fn for_range(&self, base: &str, to: &str, only: Vec<Analysis>) -> Result<Context> {
        let repo = self.repo.reopen()?;
        let resolved = releases::base::resolve(&repo, &self.releases, base)?;
        let base_info = releases::base::explicit_base(&resolved);
        let target = releases::base::resolve(&repo, &self.releases, to)?;
        Ok(Context {
            config: self.config.clone(),
            config_file: self.config_file.clone(),
            rules: self.rules.clone(),
            head_rev: self.head_rev.clone(),
            head: self.head,
            base: base_info,
            base_oid: resolved.oid,
            base_release: resolved.release,
            target: Some(target.target_info()),
            target_oid: Some(target.oid),
            target_release: target.release,
            releases: self.releases.clone(),
            only: Some(only),
            warnings: Vec::new(),
            secrets: Default::default(),
            shared: Default::default(),
            repo,
        })
    }

    /// The base release's settings modules, parsed on first use and shared by every analysis.
    pub fn base_settings(&self) -> Result<&crate::settings::risks::Index> {
        if let Some(index) = self.shared.base_settings.get() {
            return Ok(index);
        }
        let index = crate::settings::risks::Index::build(&self.repo, self.base_oid)?;
        Ok(self.shared.base_settings.get_or_init(|| index))
    }

    /// The base's deployment era and the era rules of the base and target trees, inferred from
    /// their content on first use ([`crate::replace::era`]).
    pub fn deployment(&self) -> Result<&(crate::replace::Deployment, crate::model::EraInfo)> {
        if let Some(d) = self.shared.deployment.get() {
            return Ok(d);
        }
        let d = crate::replace::era::infer(
            &self.repo,
            self.base_oid,
            self.base_release,
            self.target_oid,
            Some(&*self.listing(self.head)?),
        )?;
        Ok(self.shared.deployment.get_or_init(|| d))
    }

    /// Every file of `commit`'s tree, listed on first use and shared by every analysis: the
    /// base by walking its tree, any other commit by patching the base's listing with the
    /// base → commit tree diff ([`crate::listing`]).
    pub fn listing(&self, commit: Oid) -> Result<std::sync::Arc<crate::listing::Listing>> {
        let cached = |ctx: &Context| {
            ctx.shared
                .listings
                .lock()
                .ok()
                .and_then(|m| m.get(&commit).cloned())
        };
        if let Some(found) = cached(self) {
            return Ok(found);
        }
        let tree = self.repo.find_commit(commit)?.tree_id();
        let mut trees = crate::trees::Trees::new(&self.repo);
        let listing = if commit == self.base_oid {
            crate::listing::Listing::of_tree(&mut trees, tree)?
        } else {
            let base = self.listing(self.base_oid)?;
            let base_tree = self.repo.find_commit(self.base_oid)?.tree_id();
            base.patched(&trees.changes(Some(base_tree), tree)?)
        };
        let listing = std::sync::Arc::new(listing);
        if let Ok(mut m) = self.shared.listings.lock() {
            m.insert(commit, listing.clone());
        }
        Ok(listing)
    }

    /// The change set ([`crate::changes`]): the base → head diff, the fork's commits and the
    /// base → target diff, computed once for every analysis.
    pub fn changes(&self) -> Result<&crate::changes::ChangeSet> {
        if let Some(changes) = self.shared.changes.get() {
            return Ok(changes);
        }
        // The fork's commits are read beside the tree diff when an analysis of this run needs
        // them (the drift trend, the rebase replay, the triage).
        let with_commits = [Analysis::Trend, Analysis::Rebase, Analysis::Triage]
            .into_iter()
            .any(|a| self.wants(a));
        // The drift counts every changed file's lines (unless `ignore` leaves some out):
        // counted while the diff runs.
        let count_files = (self.wants(Analysis::Drift) || self.wants(Analysis::Trend))
            && self.config.drift.ignore.is_empty();
        let changes = crate::changes::ChangeSet::compute(
            &self.repo,
            self.base_oid,
            self.head,
            self.target_oid,
            with_commits,
            count_files,
        )?;
        Ok(self.shared.changes.get_or_init(|| changes))
    }

    /// Whether `analysis` is part of this run.
    pub fn wants(&self, analysis: Analysis) -> bool {
        match &self.only {
            None => true,
            Some(only) => only.contains(&analysis),
        }
    }
}
