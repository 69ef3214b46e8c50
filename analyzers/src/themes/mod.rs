//! Theme template overrides and in-place template edits, judged against the next release
//! (issue 4; facts: docs/edx-domain.md §4 and §6).
//!
//! Flow: theme roots ([`discover::theme_roots`]) → themes and their files at HEAD → one index of
//! the base tree's (and target tree's) template paths ([`mapping::TreeIndex`]) → each
//! fork-owned theme file analysed on a rayon worker with its own reopened [`Repo`]
//! ([`worker::analyze`]: mapping, base comparison, copied-from release, staleness, noise,
//! context risks, suggestion) → in-place edits of core templates ([`inplace`]) and the move
//! plan. Rules FC4xx live in `rules/themes.toml`, FC5xx in `rules/templates.toml`.

pub mod diffing;
pub mod discover;
pub mod history;
pub mod inplace;
pub mod mapping;
pub mod model;
pub mod noise;
pub mod risks;
pub mod scan;
pub mod views;
pub mod worker;

pub use model::{
    ContextRisk, CopiedFrom, InPlaceEdit, MoveStep, OverrideEntry, OverrideStatus, Staleness,
    ThemeInfo, ThemesSection, ThemesSummary, UpstreamCommit,
};

use rayon::prelude::*;

use crate::model::{Finding, Location, RuleId};
use crate::trees::Status;
use crate::{Context, Progress, Result};
use risks::ViewFile;

/// Per theme, the text of its fork-owned text files, joined. Read only for themes with a static
/// file that overrides nothing but has same-named upstream assets: the only question it answers
/// is whether the theme refers to such a file where it is.
fn theme_texts(
    repo: &crate::repo::Repo,
    base_index: &mapping::TreeIndex,
    themes: usize,
    jobs: &[&discover::ThemeFile],
) -> Result<Vec<String>> {
    let mut out = vec![String::new(); themes];
    for (k, text) in out.iter_mut().enumerate() {
        let mine = || jobs.iter().filter(|f| f.theme == k);
        let needed = mine().any(|f| {
            f.kind == discover::FileKind::Static
                && matches!(
                    worker::mapping(base_index, f),
                    mapping::Mapping::SameName(_)
                )
        });
        if !needed {
            continue;
        }
        for f in mine() {
            let bytes = repo.blob_bytes(f.blob)?;
            if !crate::changes::is_binary(&bytes) {
                text.push_str(&String::from_utf8_lossy(&bytes));
                text.push('\n');
            }
        }
    }
    Ok(out)
}

/// Run the themes analysis: fills `findings` (FC4xx, FC5xx) and returns the section.
pub fn analyze(
    ctx: &Context,
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Option<ThemesSection>> {
    let repo = &ctx.repo;
    let roots = discover::theme_roots(repo, ctx.head, &ctx.config.themes.roots)?;
    let exclude: Vec<String> = roots.iter().map(|r| format!("{r}/")).collect();
    let mut base_index = mapping::TreeIndex::build(repo, ctx.listing(ctx.base_oid)?, &exclude)?;
    let mut target_index = ctx
        .target_oid
        .map(|t| mapping::TreeIndex::build(repo, ctx.listing(t)?, &exclude))
        .transpose()?;
    let (themes, files) =
        discover::themes(repo, ctx.head, &roots, &base_index, &ctx.config.themes)?;
    // Static assets are judged by the paths each service asks for, templates included.
    if files
        .iter()
        .any(|f| f.kind == discover::FileKind::Static && !f.from_upstream)
    {
        let mut seen = std::collections::HashMap::new();
        base_index.add_template_requests(repo, &mut seen)?;
        if let Some(t) = target_index.as_mut() {
            t.add_template_requests(repo, &mut seen)?;
        }
    }
    let tags = history::release_tags(repo, &ctx.releases)?;
    let views = changed_views(ctx)?;
    let base_label = ctx
        .base
        .release
        .clone()
        .unwrap_or_else(|| ctx.base.rev.clone());
    let target_label = ctx
        .target
        .as_ref()
        .map(|t| t.release.clone().unwrap_or_else(|| t.rev.clone()))
        .unwrap_or_default();

    // Upstream's example themes are upstream code: the fork's changes to them are in-place
    // edits (below), not overrides.
    let jobs: Vec<&discover::ThemeFile> = files
        .iter()
        .filter(|f| !f.from_upstream && !themes[f.theme].upstream)
        .collect();
    progress.stage("themes", Some(jobs.len() as u64));
    // Upstream's history between base and target, walked once for every override's original.
    let history = match ctx.target_oid {
        Some(target) => {
            let originals = jobs
                .iter()
                .filter_map(|f| match worker::mapping(&base_index, f) {
                    mapping::Mapping::Original(p) => Some(p),
                    mapping::Mapping::Misplaced { original, .. } => Some(original),
                    mapping::Mapping::SameName(_)
                    | mapping::Mapping::Requested(_)
                    | mapping::Mapping::Addition => None,
                })
                .collect();
            history::PathHistory::build(repo, ctx.base_oid, target, &originals)?
        }
        None => history::PathHistory::default(),
    };
    let theme_text = theme_texts(repo, &base_index, themes.len(), &jobs)?;
    let shared = worker::Shared {
        base: ctx.base_oid,
        base_rev: &ctx.base.rev,
        base_label: &base_label,
        target: ctx.target_oid,
        target_label: &target_label,
        base_index: &base_index,
        target_index: target_index.as_ref(),
        tags: &tags,
        history: &history,
        views: &views,
        rules: &ctx.rules,
        themes: &themes,
        theme_text: &theme_text,
    };
    let results = analyze_files(&repo.handle(), &shared, &jobs, progress);
    progress.finish_stage();

    let mut section = ThemesSection {
        roots: roots.clone(),
        ..ThemesSection::default()
    };
    for result in results {
        let (entry, mut found) = result?;
        section.overrides.push(entry);
        findings.append(&mut found);
    }
    section.overrides.sort_by(|a, b| a.path.cmp(&b.path));

    for (k, t) in themes.iter().enumerate() {
        let mine: Vec<_> = files.iter().filter(|f| f.theme == k).collect();
        let upstream = mine.iter().filter(|f| f.from_upstream).count() as u64;
        section.themes.push(ThemeInfo {
            name: t.name.clone(),
            path: t.dir.clone(),
            services: t.services.iter().map(|s| s.as_str().to_string()).collect(),
            files: mine.len() as u64,
            fork_files: mine.len() as u64 - upstream,
            upstream_files: upstream,
            upstream: t.upstream,
        });
    }

    // In-place edits, to be moved into the fork's theme (the one with most fork files; never
    // one of upstream's example themes).
    let theme_dir = section
        .themes
        .iter()
        .filter(|t| t.fork_files > 0 && !t.upstream)
        .max_by(|a, b| a.fork_files.cmp(&b.fork_files).then(b.path.cmp(&a.path)))
        .map(|t| t.path.clone())
        .unwrap_or_else(|| {
            format!(
                "{}/<your-theme>",
                roots.first().map_or("themes", String::as_str)
            )
        });
    let upstream_themes: Vec<String> = themes
        .iter()
        .filter(|t| t.upstream)
        .map(|t| t.dir.clone())
        .collect();
    section.in_place = inplace::in_place_edits(ctx, &roots, &upstream_themes, &theme_dir)?;
    section.move_plan = inplace::move_plan(&section.in_place);
    for edit in &section.in_place {
        findings.push(in_place_finding(ctx, edit, &base_label)?);
    }

    section.summary = ThemesSummary {
        themes: section.themes.len() as u64,
        overrides: section.overrides.len() as u64,
        by_status: section
            .overrides
            .iter()
            .fold(Default::default(), |mut m, o| {
                *m.entry(o.status.clone()).or_insert(0) += 1;
                m
            }),
        context_risks: section
            .overrides
            .iter()
            .map(|o| o.context_risks.len() as u64)
            .sum(),
        in_place: section.in_place.len() as u64,
    };
    Ok(Some(section))
}

type FileResult = Result<(OverrideEntry, Vec<Finding>)>;

/// Analyse theme files in parallel: each rayon worker opens its own [`Repo`] (a
/// `git2::Repository` is not `Sync`) and reads blobs only when it needs them.
pub fn analyze_files(
    handle: &crate::repo::RepoHandle,
    shared: &worker::Shared<'_>,
    jobs: &[&discover::ThemeFile],
    progress: &dyn Progress,
) -> Vec<FileResult> {
    // A reopened repository starts with cold object caches, and `map_init` calls `init` once
    // per rayon job split: keep splits few (about four per thread) so most reads hit a warm
    // cache.
    let min_len = jobs.len() / (rayon::current_num_threads() * 4).max(1);
    jobs.par_iter()
        .with_min_len(min_len.max(1))
        .map_init(
            || handle.open(),
            |repo, file| {
                let out = match repo {
                    Ok(repo) => worker::analyze(repo, shared, file),
                    Err(_) => Err(handle.open_error()),
                };
                progress.inc(1);
                out
            },
        )
        .collect()
}

/// Python files changed between base and target (both versions, from the change set), that
/// look like views: they mention a render call or a context dict.
fn changed_views(ctx: &Context) -> Result<Vec<ViewFile>> {
    let repo = &ctx.repo;
    let mut out = Vec::new();
    for delta in ctx.changes()?.target_changes(repo)? {
        let (Status::Modified, Some(old), Some(new)) = (delta.status, delta.old, delta.new) else {
            continue;
        };
        if !delta.path.ends_with(".py") {
            continue;
        }
        let Some(after) = repo.parse_bytes(new.oid)? else {
            continue;
        };
        let after = String::from_utf8_lossy(&after).into_owned();
        if !(after.contains("render") || after.contains("context")) {
            continue;
        }
        let Some(before) = repo.parse_bytes(old.oid)? else {
            continue;
        };
        let before = String::from_utf8_lossy(&before).into_owned();
        out.push(ViewFile {
            path: delta.path.clone(),
            base: before,
            target: after,
        });
    }
    Ok(out)
}

fn in_place_finding(ctx: &Context, edit: &InPlaceEdit, base_label: &str) -> Result<Finding> {
    let (id, message) = if let Some(sample) = &edit.upstream_theme {
        let id = if edit.change == "edited" {
            RuleId::FC501
        } else {
            RuleId::FC502
        };
        let what = if edit.change == "edited" {
            format!(
                "file of upstream's example theme `{sample}` edited in place (+{} −{} lines \
                 against {base_label})",
                edit.lines_added, edit.lines_removed
            )
        } else {
            format!("new file added inside upstream's example theme `{sample}`")
        };
        let restore = if edit.change == "edited" {
            " and restore upstream's file"
        } else {
            ""
        };
        (
            id,
            format!(
                "{what}: example themes are upstream code; move the change to the fork's own \
                 theme at `{}`{restore}",
                edit.theme_path
            ),
        )
    } else if edit.change == "edited" {
        (
            RuleId::FC501,
            format!(
                "upstream template edited in place (+{} −{} lines against {base_label}): move the \
                 change to the theme override `{}` and restore upstream's file",
                edit.lines_added, edit.lines_removed, edit.theme_path
            ),
        )
    } else {
        (
            RuleId::FC502,
            format!(
                "new template added inside an upstream template directory: move it to `{}`",
                edit.theme_path
            ),
        )
    };
    let rule = ctx.rules.rule(id);
    let mut b = Finding::new(rule, &edit.path, message)
        .status(&edit.change)
        .target_location(Location {
            path: edit.theme_path.clone(),
            line: None,
            rev: Some("head".into()),
            note: Some("theme override path".into()),
        });
    if edit.change == "edited" {
        b = b.original(&edit.path);
    }
    Ok(b.build())
}
