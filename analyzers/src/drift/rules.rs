//! The drift rules (FC1xx, `rules/drift.toml`).

use super::areas::{self, Classifier, KnownArea};
use super::{Drift, Status};
use crate::model::{Finding, RuleId};
use crate::{Context, Result};

pub(super) fn findings(
    ctx: &Context,
    classifier: &mut Classifier,
    drift: &Drift,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let rules = &ctx.rules;
    let base = &ctx.base.rev;
    let lines = drift.lines_added + drift.lines_removed;
    let limit = ctx.config.drift.max_lines;
    // A theme-only fork changes no upstream code: its size is the theme's, not drift.
    if lines > limit && !drift.theme_only {
        let rule = rules.rule(RuleId::FC101);
        out.push(
            Finding::new(
                rule,
                ".",
                format!(
                    "the fork changes {lines} lines in {} files against {base} (limit {limit})",
                    drift.files_changed
                ),
            )
            .data("lines", lines)
            .data("files", drift.files_changed)
            .data("limit", limit)
            .build(),
        );
    }
    for f in &drift.files {
        if f.area == areas::UNEXPLAINED {
            out.push(
                Finding::new(
                    rules.rule(RuleId::FC102),
                    &f.path,
                    format!(
                        "`{}` is {} but belongs to no known area of edx-platform",
                        f.path,
                        status_word(f.status)
                    ),
                )
                .status(status_word(f.status))
                .build(),
            );
        }
        if f.binary && f.status != Status::Deleted && f.area != KnownArea::Themes.name() {
            out.push(
                Finding::new(
                    rules.rule(RuleId::FC103),
                    &f.path,
                    format!(
                        "binary file `{}` is {} outside a theme",
                        f.path,
                        status_word(f.status)
                    ),
                )
                .status(status_word(f.status))
                .build(),
            );
        }
        if f.area == KnownArea::Requirements.name() {
            out.push(
                Finding::new(
                    rules.rule(RuleId::FC104),
                    &f.path,
                    format!(
                        "`{}` is {}: {} lines added, {} removed",
                        f.path,
                        status_word(f.status),
                        f.added,
                        f.removed
                    ),
                )
                .status(status_word(f.status))
                .build(),
            );
        }
        if f.status == Status::Added && is_migration(&f.path) {
            let in_upstream_app = areas::app_of(&f.path).is_some()
                && !classifier.is_new_app(&ctx.repo, ctx.base_oid, &f.path)?;
            if in_upstream_app {
                let app = areas::app_of(&f.path).unwrap_or_default();
                out.push(
                    Finding::new(
                        rules.rule(RuleId::FC105),
                        &f.path,
                        format!("new migration `{}` in upstream app `{app}`", f.path),
                    )
                    .data("app", app)
                    .build(),
                );
            }
        }
    }
    Ok(())
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Modified => "modified",
        Status::Deleted => "deleted",
        Status::Renamed => "renamed",
        Status::TypeChanged => "type-changed",
    }
}

/// `…/migrations/0042_something.py`.
fn is_migration(path: &str) -> bool {
    let Some((dir, file)) = path.rsplit_once('/') else {
        return false;
    };
    (dir == "migrations" || dir.ends_with("/migrations"))
        && file.ends_with(".py")
        && file.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations() {
        assert!(super::is_migration(
            "common/djangoapps/student/migrations/0099_x.py"
        ));
        assert!(!super::is_migration(
            "common/djangoapps/student/migrations/__init__.py"
        ));
        assert!(!super::is_migration("common/djangoapps/student/models.py"));
    }
}
