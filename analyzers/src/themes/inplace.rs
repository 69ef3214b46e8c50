//! In-place template edits: upstream templates (`lms/templates/**`, `cms/templates/**`,
//! `common/templates/**`, djangoapp `templates/`, `.underscore` included) that the fork edited
//! directly, and templates it added beside them. Each maps 1:1 to a theme override path.

use super::diffing::is_binary;
use super::mapping::Service;
use super::model::{InPlaceEdit, MoveStep};
use super::scan::Lang;
use crate::error::Result;
use crate::trees::Status;

/// Is `path` inside an upstream template directory (and not inside a theme root)?
pub fn template_rel(path: &str, theme_roots: &[String]) -> Option<(Service, String)> {
    if theme_roots.iter().any(|r| {
        path.strip_prefix(r.as_str())
            .is_some_and(|p| p.starts_with('/'))
    }) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let k = parts.iter().position(|p| *p == "templates")?;
    if k == 0 || k + 1 >= parts.len() {
        return None;
    }
    let svc = if parts[0] == "cms" {
        Service::Cms
    } else {
        Service::Lms
    };
    Some((svc, parts[k + 1..].join("/")))
}

/// The fork's in-place template edits between base and head (from the run's change set, no
/// rename detection), with the theme path each belongs at under `theme_dir`. The "+N −M" line
/// counts are the drift's own (one line-diff engine for every count).
///
/// Files of upstream's example themes (`upstream_themes`, directories of the base tree) are
/// upstream code too: the fork's edits to them are in-place edits, to be moved to the same
/// `<svc>/templates|static/<rel>` path of `theme_dir`.
pub fn in_place_edits(
    ctx: &crate::Context,
    theme_roots: &[String],
    upstream_themes: &[String],
    theme_dir: &str,
) -> Result<Vec<InPlaceEdit>> {
    let repo = &ctx.repo;
    let changes = ctx.changes()?;
    let mut out = Vec::new();
    // Whether a `templates` directory is upstream's: it exists in the base tree. A fork-added
    // app's templates, or a vendored library's `templates` folder, are nothing to move.
    let mut upstream_dirs: std::collections::HashMap<String, bool> = Default::default();
    for delta in changes.unrenamed() {
        let change = match (delta.status, delta.new) {
            (Status::Modified, _) => "edited",
            (Status::Added | Status::TypeChanged, Some(_)) => "added",
            _ => continue,
        };
        let (svc, theme_path, upstream_theme) =
            if let Some((sample, svc, sub, rel)) = sample_theme_rel(&delta.path, upstream_themes) {
                let path = format!("{theme_dir}/{}/{sub}/{rel}", svc.as_str());
                (svc, path, Some(sample))
            } else {
                let Some((svc, rel)) = template_rel(&delta.path, theme_roots) else {
                    continue;
                };
                let dir = delta.path[..delta.path.len() - rel.len() - 1].to_string();
                let upstream = match upstream_dirs.get(&dir) {
                    Some(known) => *known,
                    None => {
                        let exists = repo.tree_entry_exists(ctx.base_oid, &dir)?;
                        *upstream_dirs.entry(dir).or_insert(exists)
                    }
                };
                if !upstream {
                    continue;
                }
                let path = format!("{theme_dir}/{}/templates/{rel}", svc.as_str());
                (svc, path, None)
            };
        let Some(new) = delta.new else { continue };
        let stat = changes.line_stat(repo, delta)?;
        let new_bytes = repo.blob_bytes(new.oid)?;
        let language = (!is_binary(&new_bytes)).then(|| {
            Lang::detect(&delta.path, &String::from_utf8_lossy(&new_bytes))
                .as_str()
                .to_string()
        });
        out.push(InPlaceEdit {
            path: delta.path.clone(),
            change: change.to_string(),
            service: svc.as_str().to_string(),
            language,
            lines_added: stat.added,
            lines_removed: stat.removed,
            theme_path,
            upstream_theme,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// `<sample>/<svc>/templates|static/<rel>` of one of upstream's example themes: (the theme's
/// directory, service, `templates` or `static`, rel).
pub fn sample_theme_rel(
    path: &str,
    upstream_themes: &[String],
) -> Option<(String, Service, &'static str, String)> {
    let (dir, rest) = upstream_themes.iter().find_map(|d| {
        path.strip_prefix(d.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .map(|r| (d, r))
    })?;
    let (svc, rest) = match rest.split_once('/')? {
        ("lms", r) => (Service::Lms, r),
        ("cms", r) => (Service::Cms, r),
        _ => return None,
    };
    let (sub, rel) = match rest.split_once('/')? {
        ("templates", r) => ("templates", r),
        ("static", r) => ("static", r),
        _ => return None,
    };
    (!rel.is_empty()).then(|| (dir.clone(), svc, sub, rel.to_string()))
}

/// The move plan for the edits.
pub fn move_plan(edits: &[InPlaceEdit]) -> Vec<MoveStep> {
    edits
        .iter()
        .map(|e| MoveStep {
            from: e.path.clone(),
            to: e.theme_path.clone(),
            action: if e.change == "edited" {
                "copy-and-restore".into()
            } else {
                "move".into()
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_paths() {
        let roots = vec!["themes".to_string()];
        assert_eq!(
            template_rel("lms/templates/dashboard.html", &roots),
            Some((Service::Lms, "dashboard.html".into()))
        );
        assert_eq!(
            template_rel("cms/templates/widgets/footer.html", &roots),
            Some((Service::Cms, "widgets/footer.html".into()))
        );
        assert_eq!(
            template_rel(
                "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html",
                &roots
            ),
            Some((Service::Lms, "ace_common/edx_ace/common/base_body.html".into()))
        );
        assert_eq!(
            template_rel("lms/templates/discovery/course_card.underscore", &roots),
            Some((Service::Lms, "discovery/course_card.underscore".into()))
        );
        assert_eq!(
            template_rel("themes/acme/lms/templates/x.html", &roots),
            None
        );
        assert_eq!(
            template_rel("lms/djangoapps/courseware/views.py", &roots),
            None
        );
        assert_eq!(template_rel("templates/x.html", &roots), None);
    }

    #[test]
    fn sample_theme_paths() {
        let samples = vec!["themes/red-theme".to_string()];
        assert_eq!(
            sample_theme_rel("themes/red-theme/lms/templates/footer.html", &samples),
            Some((
                "themes/red-theme".into(),
                Service::Lms,
                "templates",
                "footer.html".into()
            ))
        );
        assert_eq!(
            sample_theme_rel("themes/red-theme/cms/static/images/x.png", &samples),
            Some((
                "themes/red-theme".into(),
                Service::Cms,
                "static",
                "images/x.png".into()
            ))
        );
        assert_eq!(
            sample_theme_rel("themes/red-theme-2/lms/templates/x.html", &samples),
            None
        );
        assert_eq!(
            sample_theme_rel("themes/red-theme/README.rst", &samples),
            None
        );
        assert_eq!(
            sample_theme_rel("themes/acme/lms/templates/x.html", &samples),
            None
        );
    }
}
