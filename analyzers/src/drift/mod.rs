//! Drift against the base release: what the fork changed (files, lines, renames, binary files),
//! grouped by area and by Django app, and how the drift grew commit by commit. Totals equal
//! `git diff --shortstat BASE HEAD` (rename detection as git's default), minus ignored paths.

pub mod areas;

mod rules;
pub mod trend;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use crate::changes::diff;
pub use diff::Status;
pub use trend::TrendPoint;

use crate::model::Finding;
use crate::{Context, Progress, Result};

/// Trend points kept at most (the newest ones); older commits are left out of the trend.
pub const MAX_TREND: usize = 5000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Drift {
    /// Files changed, counted as `git diff --shortstat` does (a rename is one file).
    pub files_changed: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Paths of changed binary files (counted in `files_changed`, with 0 lines).
    #[serde(default)]
    pub binary_files: Vec<String>,
    /// Changed files per status.
    #[serde(default)]
    pub counts: StatusCounts,
    /// Per area (areas.toml order; "unexplained" last); areas without changes are left out.
    #[serde(default)]
    pub by_area: Vec<AreaStat>,
    /// Per top-level Django app touched, most changed lines first.
    #[serde(default)]
    pub by_app: Vec<AppStat>,
    /// Drift after each first-parent fork commit since the base, oldest first.
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
    /// True when the trend was cut to the newest [`MAX_TREND`] commits.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trend_truncated: bool,
    /// Every changed file, by path.
    #[serde(default)]
    pub files: Vec<FileChange>,
    /// Changed files left out by `[drift] ignore`.
    #[serde(default)]
    pub ignored_files: u64,
    /// Every changed file is under one of the fork's own theme directories (a theme directory
    /// under a `[themes] roots` root that the base release does not have): a theme-only fork,
    /// whose drift is its theme's, not edits of upstream code (FC101 does not apply).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub theme_only: bool,
    /// With `theme_only`: the fork's theme directories (`themes/acme`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_themes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
    pub renamed: u64,
    pub type_changed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaStat {
    pub area: String,
    pub files: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppStat {
    /// `lms/djangoapps/acme_reports`.
    pub app: String,
    /// The app does not exist in the base release.
    pub new: bool,
    pub files: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub status: Status,
    pub path: String,
    /// The path in the base, for renames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    pub added: u64,
    pub removed: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub binary: bool,
    pub area: String,
}

/// The drift; with `with_trend`, its trend after each fork commit too.
pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
    with_trend: bool,
) -> Result<Drift> {
    let repo = &ctx.repo;
    // The area globs compile on a thread of their own while the change set is computed.
    let config = &ctx.config;
    let (classifier, changes) = std::thread::scope(|scope| {
        let classifier = scope.spawn(|| areas::Classifier::new(config));
        let changes = ctx.changes();
        let classifier = classifier
            .join()
            .unwrap_or_else(|_| areas::Classifier::new(config));
        (classifier, changes)
    });
    let (mut classifier, changes) = (classifier?, changes?);
    // The trend (the `trend` analysis) reads every fork commit's changes; without it, the
    // drift is the base → head diff alone.
    let mut chain = if with_trend {
        changes.commits(repo)?
    } else {
        &[]
    };
    let trend_truncated = chain.len() > MAX_TREND;
    if trend_truncated {
        chain = &chain[chain.len() - MAX_TREND..];
    }
    progress.stage("drift", Some(chain.len() as u64 + 1));
    let (ignored, deltas): (Vec<&diff::Delta>, Vec<&diff::Delta>) = changes
        .files
        .iter()
        .partition(|d| classifier.is_ignored(&d.path));
    let ignored_files = ignored.len() as u64;
    let steps = trend::prepare(
        repo,
        &classifier,
        changes.base_tree,
        chain,
        changes.unrenamed(),
    )?;
    // Line counts of the final drift and of every trend point at once: a base file changed
    // several times along the way is read once.
    let mut pairs: Vec<diff::Pair> = deltas.iter().map(|d| d.pair()).collect();
    pairs.extend(steps.needed.iter().copied());
    let mut cache = changes.line_stats(repo, pairs)?;
    progress.inc(1);

    let mut drift = Drift {
        ignored_files,
        trend_truncated,
        ..Drift::default()
    };
    let mut apps: HashMap<String, AppStat> = HashMap::new();
    let mut area_stats: HashMap<String, AreaStat> = HashMap::new();
    let paths: Vec<&str> = deltas.iter().map(|d| d.path.as_str()).collect();
    let hits = classifier.hits(&paths);
    for (d, hits) in deltas.into_iter().zip(hits) {
        let stat = cache.get(&d.pair()).copied().unwrap_or_default();
        let area = classifier.area_of_hits(repo, ctx.base_oid, &d.path, hits)?;
        drift.files_changed += 1;
        drift.lines_added += stat.added;
        drift.lines_removed += stat.removed;
        if stat.binary {
            drift.binary_files.push(d.path.clone());
        }
        let counts = &mut drift.counts;
        match d.status {
            Status::Added => counts.added += 1,
            Status::Modified => counts.modified += 1,
            Status::Deleted => counts.deleted += 1,
            Status::Renamed => counts.renamed += 1,
            Status::TypeChanged => counts.type_changed += 1,
        }
        let a = area_stats.entry(area.clone()).or_insert_with(|| AreaStat {
            area: area.clone(),
            files: 0,
            lines_added: 0,
            lines_removed: 0,
        });
        a.files += 1;
        a.lines_added += stat.added;
        a.lines_removed += stat.removed;
        if let Some(app) = areas::app_of(&d.path) {
            let new = classifier.is_new_app(repo, ctx.base_oid, &d.path)?;
            let s = apps.entry(app.to_string()).or_insert_with(|| AppStat {
                app: app.to_string(),
                new,
                files: 0,
                lines_added: 0,
                lines_removed: 0,
            });
            s.files += 1;
            s.lines_added += stat.added;
            s.lines_removed += stat.removed;
        }
        drift.files.push(FileChange {
            status: d.status,
            path: d.path.clone(),
            old_path: d.old_path.clone(),
            added: stat.added,
            removed: stat.removed,
            binary: stat.binary,
            area,
        });
    }
    drift.files.sort_by(|a, b| a.path.cmp(&b.path));
    drift.binary_files.sort();
    for name in classifier.order() {
        if let Some(stat) = area_stats.remove(name) {
            drift.by_area.push(stat);
        }
    }
    drift.by_app = apps.into_values().collect();
    drift.by_app.sort_by(|a, b| {
        (b.lines_added + b.lines_removed)
            .cmp(&(a.lines_added + a.lines_removed))
            .then(a.app.cmp(&b.app))
    });
    drift.trend = trend::trend(repo, &classifier, ctx.base_oid, steps, &mut cache, progress)?;
    if let Some(dirs) = own_theme_dirs(ctx, &drift.files)? {
        drift.theme_only = true;
        drift.own_themes = dirs;
    }
    rules::findings(ctx, &mut classifier, &drift, findings)?;
    progress.finish_stage();
    Ok(drift)
}

/// When every changed file is under a theme directory of a `[themes] roots` root that the
/// base release does not have or `[themes] own` names (the fork's own theme, not one of
/// upstream's example themes),
/// those directories, sorted; else `None`.
fn own_theme_dirs(ctx: &Context, files: &[FileChange]) -> Result<Option<Vec<String>>> {
    if files.is_empty() {
        return Ok(None);
    }
    let roots: Vec<&str> = ctx
        .config
        .themes
        .roots
        .iter()
        .map(|r| r.trim_matches('/'))
        .filter(|r| !r.is_empty())
        .collect();
    let mut dirs: Vec<String> = Vec::new();
    for f in files {
        let dir = roots.iter().find_map(|root| {
            let rest = f.path.strip_prefix(root)?.strip_prefix('/')?;
            let (name, inside) = rest.split_once('/')?;
            (!inside.is_empty()).then(|| format!("{root}/{name}"))
        });
        let Some(dir) = dir else {
            return Ok(None);
        };
        if !dirs.contains(&dir) {
            if !ctx.config.themes.is_own(&dir) && ctx.repo.tree_entry_exists(ctx.base_oid, &dir)? {
                return Ok(None);
            }
            dirs.push(dir);
        }
    }
    dirs.sort();
    Ok(Some(dirs))
}

/// Lines added plus removed between base and head, as the drift counts them (`[drift] ignore`
/// left out), from the change set: what the cost model needs without the drift's trend.
pub fn lines(ctx: &Context) -> Result<u64> {
    let classifier = areas::Classifier::new(&ctx.config)?;
    let changes = ctx.changes()?;
    let pairs: Vec<diff::Pair> = changes
        .files
        .iter()
        .filter(|d| !classifier.is_ignored(&d.path))
        .map(diff::Delta::pair)
        .collect();
    let stats = changes.line_stats(&ctx.repo, pairs.clone())?;
    Ok(pairs
        .iter()
        .filter_map(|p| stats.get(p))
        .map(|s| s.added + s.removed)
        .sum())
}

/// One warning per file left unparsed by `[limits] max_parse_bytes` (see
/// [`crate::repo::Repo::parse_bytes`]), naming the file: looked up among the drift's files at
/// head and base first, then in the base, head and target trees (only when some blob is not a
/// drift file, e.g. an upstream settings module).
pub fn unparsed_warnings(ctx: &Context, drift: &Drift) -> Result<Vec<String>> {
    let unparsed = ctx.repo.unparsed();
    if unparsed.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: std::collections::HashSet<git2::Oid> = unparsed.iter().copied().collect();
    let mut paths: std::collections::BTreeMap<git2::Oid, String> = Default::default();
    let mut trees = crate::trees::Trees::new(&ctx.repo);
    let head_tree = ctx.repo.tree_of(ctx.head)?.id();
    let base_tree = ctx.repo.tree_of(ctx.base_oid)?.id();
    for file in &drift.files {
        for (tree, path) in [
            (head_tree, file.path.as_str()),
            (base_tree, file.old_path.as_deref().unwrap_or(&file.path)),
        ] {
            if let Some(side) = trees.file_at(tree, path)? {
                if wanted.contains(&side.oid) {
                    paths.entry(side.oid).or_insert_with(|| path.to_string());
                }
            }
        }
    }
    if paths.len() < wanted.len() {
        let target_tree = ctx
            .target_oid
            .map(|t| ctx.repo.tree_of(t).map(|t| t.id()))
            .transpose()?;
        for tree in [Some(base_tree), Some(head_tree), target_tree]
            .into_iter()
            .flatten()
        {
            for delta in trees.changes(None, tree)? {
                if let Some(side) = delta.new.filter(|s| wanted.contains(&s.oid)) {
                    paths.entry(side.oid).or_insert(delta.path);
                }
            }
        }
    }
    let max = ctx.repo.max_parse_bytes();
    let mut out: Vec<String> = unparsed
        .iter()
        .map(|oid| {
            let what = paths
                .get(oid)
                .map_or_else(|| format!("blob {oid}"), |p| format!("`{p}`"));
            format!(
                "{what} is larger than {max} bytes (`[limits] max_parse_bytes`): counted in the \
                 drift but not parsed by any analysis"
            )
        })
        .collect();
    out.sort();
    Ok(out)
}
