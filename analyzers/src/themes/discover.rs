//! Theme discovery in the fork's head tree: the theme roots (config `[themes] roots`, plus every
//! `COMPREHENSIVE_THEME_DIRS` value found in the fork's `lms/envs`/`cms/envs` settings), the
//! themes under them (directories with `lms/` and/or `cms/`), and their template and static
//! files.

use git2::{ObjectType, Oid, TreeWalkMode, TreeWalkResult};

use super::mapping::{Service, TreeIndex};
use crate::error::Result;
use crate::repo::{git_error, Repo};

/// A theme directory.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// Repository-relative directory, e.g. `themes/acme`.
    pub dir: String,
    pub services: Vec<Service>,
    /// The directory exists in the base release: one of upstream's example themes
    /// (`themes/red-theme` …), whose files are upstream code, not the fork's theme.
    pub upstream: bool,
}

/// Template or static file of a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Template,
    Static,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Template => "template",
            FileKind::Static => "static",
        }
    }
}

/// One file of a theme, at the fork's head.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    /// Index into the themes list.
    pub theme: usize,
    pub service: Service,
    pub kind: FileKind,
    /// Path relative to `<theme>/<svc>/templates` or `<theme>/<svc>/static`.
    pub rel: String,
    /// Repository path.
    pub path: String,
    pub blob: Oid,
    /// Identical to the base release's file at the same path (upstream's own theme file).
    pub from_upstream: bool,
}

/// Theme roots: the configured ones, then `COMPREHENSIVE_THEME_DIRS` values of the fork's
/// settings that resolve to a directory of the head tree. Deduplicated, order kept.
pub fn theme_roots(repo: &Repo, head: Oid, configured: &[String]) -> Result<Vec<String>> {
    let mut roots: Vec<String> = configured
        .iter()
        .map(|r| r.trim_matches('/').to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let tree = repo.tree_of(head)?;
    for dir in ["lms/envs", "cms/envs"] {
        let Ok(entry) = tree.get_path(std::path::Path::new(dir)) else {
            continue;
        };
        let Ok(sub) = entry.to_object(repo.git()).and_then(|o| o.peel_to_tree()) else {
            continue;
        };
        for e in sub.iter() {
            let Some(name) = e.name() else { continue };
            let is_settings = [".py", ".yml", ".yaml", ".json"]
                .iter()
                .any(|ext| name.ends_with(ext));
            if !is_settings || e.kind() != Some(ObjectType::Blob) {
                continue;
            }
            let Some(bytes) = repo.parse_bytes(e.id())? else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            for value in theme_dirs_values(&text) {
                if let Some(root) = resolve_dir(&tree, repo, &value) {
                    if !roots.contains(&root) {
                        roots.push(root);
                    }
                }
            }
        }
    }
    Ok(roots)
}

/// String values assigned to (or appended to) `COMPREHENSIVE_THEME_DIRS` in a settings file:
/// every string literal from the line naming it to the line where its brackets close (at most
/// 20 lines), in Python or YAML.
pub fn theme_dirs_values(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        let code = line.split('#').next().unwrap_or("");
        if !code.contains("COMPREHENSIVE_THEME_DIRS") {
            k += 1;
            continue;
        }
        let mut depth = 0i32;
        let mut j = k;
        loop {
            let l = lines[j];
            depth += l.matches(['[', '(']).count() as i32 - l.matches([']', ')']).count() as i32;
            out.extend(string_literals(l.split('#').next().unwrap_or("")));
            // YAML list items on the following lines: `- /path`
            if j > k && depth <= 0 {
                if let Some(item) = l.trim().strip_prefix("- ") {
                    out.push(
                        item.trim()
                            .trim_matches(|c| c == '"' || c == '\'')
                            .to_string(),
                    );
                }
            }
            j += 1;
            let yaml_list_continues =
                j < lines.len() && lines[j].trim_start().starts_with("- ") && depth <= 0;
            if j >= lines.len() || j - k > 20 || (depth <= 0 && !yaml_list_continues) {
                break;
            }
        }
        k = j.max(k + 1);
    }
    out.retain(|v| !v.is_empty() && !v.contains("COMPREHENSIVE_THEME_DIRS"));
    out.dedup();
    out
}

fn string_literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(start) = rest.find(['"', '\'']) {
        let q = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        match after.find(q) {
            Some(end) => {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    // `COMPREHENSIVE_THEME_DIRS: /openedx/themes` (YAML scalar)
    if out.is_empty() {
        if let Some((_, v)) = code.split_once("COMPREHENSIVE_THEME_DIRS:") {
            let v = v.trim().trim_matches(|c| c == '[' || c == ']');
            out.extend(v.split(',').map(|s| s.trim().to_string()));
        }
    }
    out
}

/// Map a theme-dir value (often an absolute deployment path such as
/// `/edx/app/edxapp/edx-platform/themes`) to a directory of the head tree: the longest suffix
/// of its components that exists as a directory.
fn resolve_dir(tree: &git2::Tree<'_>, repo: &Repo, value: &str) -> Option<String> {
    let parts: Vec<&str> = value
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for k in 0..parts.len() {
        let candidate = parts[k..].join("/");
        if let Ok(entry) = tree.get_path(std::path::Path::new(&candidate)) {
            if entry.kind() == Some(ObjectType::Tree) && entry.to_object(repo.git()).is_ok() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The themes under `roots` and their files at `head`; `base` tells which files are upstream's.
///
/// A theme directory the base release has is upstream's (an example theme) unless `own` says
/// it is the fork's (`[themes] own`).
pub fn themes(
    repo: &Repo,
    head: Oid,
    roots: &[String],
    base: &TreeIndex,
    own: &crate::config::ThemesConfig,
) -> Result<(Vec<Theme>, Vec<ThemeFile>)> {
    let tree = repo.tree_of(head)?;
    let mut themes = Vec::new();
    let mut files = Vec::new();
    for root in roots {
        let Ok(entry) = tree.get_path(std::path::Path::new(root)) else {
            continue;
        };
        let Ok(root_tree) = entry.to_object(repo.git()).and_then(|o| o.peel_to_tree()) else {
            continue;
        };
        for theme_entry in root_tree.iter() {
            let Some(name) = theme_entry.name() else {
                continue;
            };
            let Ok(theme_tree) = theme_entry
                .to_object(repo.git())
                .and_then(|o| o.peel_to_tree())
            else {
                continue;
            };
            let services: Vec<Service> = [Service::Lms, Service::Cms]
                .into_iter()
                .filter(|s| {
                    theme_tree
                        .get_name(s.as_str())
                        .is_some_and(|e| e.kind() == Some(ObjectType::Tree))
                })
                .collect();
            if services.is_empty() {
                continue;
            }
            let dir = format!("{root}/{name}");
            if themes.iter().any(|t: &Theme| t.dir == dir) {
                continue;
            }
            let index = themes.len();
            for svc in &services {
                for kind in [FileKind::Template, FileKind::Static] {
                    let sub = match kind {
                        FileKind::Template => "templates",
                        FileKind::Static => "static",
                    };
                    let prefix = format!("{}/{}", svc.as_str(), sub);
                    let Ok(e) = theme_tree.get_path(std::path::Path::new(&prefix)) else {
                        continue;
                    };
                    let Ok(t) = e.to_object(repo.git()).and_then(|o| o.peel_to_tree()) else {
                        continue;
                    };
                    t.walk(TreeWalkMode::PreOrder, |r, ent| {
                        if ent.kind() == Some(ObjectType::Blob) {
                            if let Some(n) = ent.name() {
                                let rel = format!("{r}{n}");
                                let path = format!("{dir}/{prefix}/{rel}");
                                let from_upstream = base.blob(&path) == Some(ent.id());
                                files.push(ThemeFile {
                                    theme: index,
                                    service: *svc,
                                    kind,
                                    rel,
                                    path,
                                    blob: ent.id(),
                                    from_upstream,
                                });
                            }
                        }
                        TreeWalkResult::Ok
                    })
                    .map_err(|e| git_error(format!("listing `{dir}/{prefix}`"), e))?;
                }
            }
            let prefix = format!("{dir}/");
            let upstream = !own.is_own(&dir) && base.blobs().any(|(p, _)| p.starts_with(&prefix));
            themes.push(Theme {
                name: name.to_string(),
                dir,
                services,
                upstream,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((themes, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_theme_dirs_in_settings() {
        let py = "COMPREHENSIVE_THEME_DIRS = [\n    \"/edx/app/edxapp/themes\",\n    REPO_ROOT / 'themes',\n]\nOTHER = ['x']\n";
        assert_eq!(
            theme_dirs_values(py),
            vec!["/edx/app/edxapp/themes", "themes"]
        );
        let py = "COMPREHENSIVE_THEME_DIRS.append('/openedx/themes')  # tutor\n";
        assert_eq!(theme_dirs_values(py), vec!["/openedx/themes"]);
        let yml = "COMPREHENSIVE_THEME_DIRS:\n- /edx/var/edxapp/themes\n- acme-themes\nOTHER: 1\n";
        assert_eq!(
            theme_dirs_values(yml),
            vec!["/edx/var/edxapp/themes", "acme-themes"]
        );
        let yml = "COMPREHENSIVE_THEME_DIRS: [\"/openedx/themes\"]\n";
        assert_eq!(theme_dirs_values(yml), vec!["/openedx/themes"]);
        assert!(theme_dirs_values("ENABLE_COMPREHENSIVE_THEMING = True\n").is_empty());
    }
}
