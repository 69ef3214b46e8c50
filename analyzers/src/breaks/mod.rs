//! What breaks at the next release beyond the diff (docs/upgrade-breaks.md): three analyses that
//! judge the fork's changes against the target release's own tree, read from git — no network, no
//! Python run:
//!
//! - [`migrations`]: Django migrations the fork adds or edits against the target's migration
//!   graph of the same app (leaf clashes, number clashes, squashed or removed dependencies,
//!   backports upstream now ships, edited upstream migrations);
//! - [`dependencies`]: packages the fork adds, pins or bumps in pip requirements and
//!   `package.json` against the target's requirements and constraints;
//! - [`deprecations`]: Django and edx-platform APIs the target removes, used by the fork's changed
//!   lines and by its theme templates (a data table, `rules/removals.toml`).
//!
//! Each runs against any release tree ([`Against`]): the run's target in `report`, each hop's
//! release in `plan` (the hop where a clash or a removal first bites).

pub mod dependencies;
pub mod deprecations;
pub mod migrations;
pub mod packaging;

use std::collections::HashMap;

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::context::{Analysis, Context};
use crate::error::Result;
use crate::model::Finding;
use crate::releases::catalog::Release;
use crate::repo::Repo;
use crate::trees::{Delta, Status};
use crate::Progress;

/// The three report sections, flattened into the report's top level (`migrations`,
/// `dependencies`, `deprecations`; docs/report-schema.md).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Breaks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations: Option<migrations::MigrationsSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<dependencies::DependenciesSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecations: Option<deprecations::DeprecationsSection>,
}

/// The release tree the fork is judged against.
#[derive(Debug, Clone)]
pub struct Against {
    /// The release commit; `None` when the repository holds no target release.
    pub oid: Option<Oid>,
    /// Its ref, as the report names it (`open-release/sumac.2`).
    pub rev: Option<String>,
    pub release: Option<&'static Release>,
}

impl Against {
    /// The context's target.
    pub fn target_of(ctx: &Context) -> Against {
        Against {
            oid: ctx.target_oid,
            rev: ctx.target.as_ref().map(|t| t.rev.clone()),
            release: ctx.target_release,
        }
    }

    /// `sumac` / `open-release/sumac.2` / `the target`.
    pub fn label(&self) -> String {
        match (&self.rev, self.release) {
            (Some(rev), _) => rev.clone(),
            (None, Some(r)) => r.title(),
            (None, None) => "the target".into(),
        }
    }
}

/// Run the selected analyses of this family against the context's target.
pub fn analyze(
    ctx: &Context,
    selected: &[Analysis],
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Breaks> {
    let against = Against::target_of(ctx);
    analyze_against(ctx, &against, selected, progress, findings)
}

/// Run the selected analyses against `against` (a plan hop's release, or the run's target).
pub fn analyze_against(
    ctx: &Context,
    against: &Against,
    selected: &[Analysis],
    progress: &dyn Progress,
    findings: &mut Vec<Finding>,
) -> Result<Breaks> {
    let wants = |a: Analysis| selected.contains(&a);
    let mut out = Breaks::default();
    if wants(Analysis::Migrations) {
        progress.stage("migrations", None);
        out.migrations = migrations::analyze(ctx, against, findings)?;
        progress.finish_stage();
    }
    if wants(Analysis::Dependencies) {
        progress.stage("dependencies", None);
        out.dependencies = dependencies::analyze(ctx, against, findings)?;
        progress.finish_stage();
    }
    if wants(Analysis::Deprecations) {
        progress.stage("deprecations", None);
        out.deprecations = deprecations::analyze(ctx, against, findings)?;
        progress.finish_stage();
    }
    Ok(out)
}

/// The fork's added or modified files (base → head, renames as a deletion and an addition):
/// (path, base blob if the base has the path, head blob).
pub(crate) fn fork_files(ctx: &Context) -> Result<Vec<(String, Option<Oid>, Oid)>> {
    let changes = ctx.changes()?;
    Ok(changes
        .unrenamed()
        .iter()
        .filter(|d: &&Delta| d.status != Status::Deleted && !d.is_submodule())
        .filter_map(|d| d.new_oid().map(|new| (d.path.clone(), d.old_oid(), new)))
        .collect())
}

/// A blob as text (lossy), or `None` above the parse limit.
pub(crate) fn text_of(repo: &Repo, oid: Oid) -> Result<Option<String>> {
    Ok(repo
        .parse_bytes(oid)?
        .map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// The lines of `new` that `old` does not have (as a multiset: a line moved is not new), with
/// their 1-based numbers. `old = None`: every line.
pub(crate) fn added_lines<'a>(old: Option<&str>, new: &'a str) -> Vec<(u32, &'a str)> {
    let mut have: HashMap<&str, usize> = HashMap::new();
    if let Some(old) = old {
        for l in old.lines() {
            *have.entry(l.trim_end()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (i, l) in new.lines().enumerate() {
        match have.get_mut(l.trim_end()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push((u32::try_from(i + 1).unwrap_or(u32::MAX), l)),
        }
    }
    out
}

/// Every blob of the commit's tree whose path `keep` accepts (its directory with a trailing
/// `/`, or "" at the top, and its file name): (path, blob). Read from the run's shared listing
/// of that tree ([`Context::listing`]).
pub(crate) fn walk_blobs(
    ctx: &Context,
    commit: Oid,
    keep: &dyn Fn(&str, &str) -> bool,
) -> Result<Vec<(String, Oid)>> {
    let listing = ctx.listing(commit)?;
    Ok(listing
        .blobs()
        .filter(|(path, _)| {
            let (dir, name) = match path.rfind('/') {
                Some(i) => path.split_at(i + 1),
                None => ("", *path),
            };
            keep(dir, name)
        })
        .map(|(path, oid)| (path.to_string(), oid))
        .collect())
}

/// `X.Y` of a version string (`4.2.16` → (4, 2)).
pub(crate) fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts
        .next()
        .map(|m| {
            m.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    Some((major, minor))
}

/// The Django version pinned by a release tree's `requirements/edx/base.txt` (`django==4.2.16`;
/// older trees: `Django==1.8.18` in `requirements/edx/base.txt` or `django.txt`).
pub(crate) fn django_version(repo: &Repo, commit: Oid) -> Result<Option<String>> {
    for path in [
        "requirements/edx/base.txt",
        "requirements/edx/django.txt",
        "requirements/edx/kernel.in",
    ] {
        let Some(text) = repo.text_at(commit, path)? else {
            continue;
        };
        for line in text.lines() {
            if let Some(req) = dependencies::parse_requirement(line) {
                if req.name == "django" {
                    if let Some(v) = req.pinned() {
                        return Ok(Some(v.to_string()));
                    }
                }
            }
        }
    }
    Ok(None)
}

/// `lms` or `cms`: which `manage.py` service runs an app's migrations.
pub(crate) fn service_of(path: &str) -> &'static str {
    if path.starts_with("cms/") {
        "cms"
    } else {
        "lms"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_are_a_multiset_difference() {
        let old = "a\nb\nb\nc\n";
        let new = "a\nb\nx\nb\nb\nc\n";
        assert_eq!(added_lines(Some(old), new), vec![(3, "x"), (5, "b")]);
        assert_eq!(added_lines(None, "p\nq"), vec![(1, "p"), (2, "q")]);
    }

    #[test]
    fn major_minor_reads_pins() {
        assert_eq!(major_minor("4.2.16"), Some((4, 2)));
        assert_eq!(major_minor("5.2"), Some((5, 2)));
        assert_eq!(major_minor("1.11.29"), Some((1, 11)));
        assert_eq!(major_minor("x"), None);
    }
}
