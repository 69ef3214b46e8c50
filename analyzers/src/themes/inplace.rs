//! In-place template edits: upstream templates (`lms/templates/**`, `cms/templates/**`,
//! `common/templates/**`, djangoapp `templates/`, `.underscore` included) that the fork edited
//! directly, and templates it added beside them. Each maps 1:1 to a theme override path.

use git2::{Delta, Oid};

use super::diffing::{divergence, is_binary};
use super::mapping::Service;
use super::model::{InPlaceEdit, MoveStep};
use super::scan::Lang;
use crate::error::Result;
use crate::repo::{git_error, Repo};

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

/// The fork's in-place template edits between `base` and `head`, with the theme path each
/// belongs at under `theme_dir`.
pub fn in_place_edits(
    repo: &Repo,
    base: Oid,
    head: Oid,
    theme_roots: &[String],
    theme_dir: &str,
) -> Result<Vec<InPlaceEdit>> {
    let git = repo.git();
    let old = repo.tree_of(base)?;
    let new = repo.tree_of(head)?;
    let diff = git
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .map_err(|e| git_error(format!("comparing {base} with {head}"), e))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let change = match delta.status() {
            Delta::Modified => "edited",
            Delta::Added => "added",
            _ => continue,
        };
        let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) else {
            continue;
        };
        let Some((svc, rel)) = template_rel(path, theme_roots) else {
            continue;
        };
        let new_bytes = repo.blob_bytes(delta.new_file().id())?;
        let (lines_added, lines_removed) = if change == "edited" {
            let old_bytes = repo.blob_bytes(delta.old_file().id())?;
            let d = divergence(&old_bytes, &new_bytes);
            (d.lines_added, d.lines_removed)
        } else {
            let n = if is_binary(&new_bytes) {
                0
            } else {
                String::from_utf8_lossy(&new_bytes).lines().count() as u64
            };
            (n, 0)
        };
        let language = (!is_binary(&new_bytes)).then(|| {
            Lang::detect(path, &String::from_utf8_lossy(&new_bytes))
                .as_str()
                .to_string()
        });
        out.push(InPlaceEdit {
            path: path.to_string(),
            change: change.to_string(),
            service: svc.as_str().to_string(),
            language,
            lines_added,
            lines_removed,
            theme_path: format!("{theme_dir}/{}/templates/{rel}", svc.as_str()),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
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
}
