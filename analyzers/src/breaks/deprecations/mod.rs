//! Django and edx-platform APIs the target release removes, used by the fork (rules FC001 and
//! FC002, docs/upgrade-breaks.md "Removals").
//!
//! Scanned: the lines the fork adds to Python files and templates (`.html`, `.txt`,
//! `.underscore`; migrations are left out: Django keeps old operations importable for them),
//! and every line of every theme template the fork carries (a theme file identical to the base
//! release's is upstream's). Two sources of facts:
//!
//! - FC001: the table `rules/removals.toml` (removed in Django X.Y, with the replacement) and the
//!   Django version each tree pins (`requirements/edx/base.txt`), or, without a target, the first
//!   named release whose Django is X.Y or later (the table's `[[django]]` list);
//! - FC002: the target tree itself: a Python module the fork imports (`from a.b import c`,
//!   `import a.b`) that the base has and the target does not, or a name imported from a module
//!   whose base version defines it at top level and whose target version does not.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{added_lines, fork_files, major_minor, text_of, Against};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::{Finding, RuleId};
use crate::repo::Repo;

mod modules;
mod scan;
mod table;

use modules::ModuleFacts;
use scan::{has_token, imported_modules, kind_of, loaded_libraries, FileKind};
use table::{django_of, first_release_with, table, PlatformRemoval};

pub const REMOVALS_FILE: &str = include_str!("../../../../rules/removals.toml");

/// The `deprecations` section of the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeprecationsSection {
    /// The release ref the uses are judged against (`null`: no target in the repository).
    pub against: Option<String>,
    /// The Django version the base pins (`4.2.13`), if found.
    pub base_django: Option<String>,
    /// The Django version the target pins, if found.
    pub target_django: Option<String>,
    /// Files scanned: the fork's changed Python and template files plus its theme templates.
    pub files_scanned: usize,
    /// Every use of a removed API found, path and line order.
    pub uses: Vec<RemovedUse>,
}

/// One use of a removed API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemovedUse {
    pub path: String,
    pub line: u32,
    /// The removal's id in rules/removals.toml, or `module:<dotted>`, `name:<dotted>.<name>`,
    /// `templatetags:<library>`
    /// for an edx-platform removal read from the target tree.
    pub api: String,
    /// `Django 4.0`, or the release ref that no longer defines it.
    pub removed_in: String,
    /// The first named release that removes it (lower case), when known.
    pub release: Option<String>,
    /// The base already lacks it: the line fails today.
    pub already_broken: bool,
    pub replacement: Option<String>,
    /// A theme template (scanned whole) rather than a changed line.
    pub theme: bool,
}

/// A file to scan: its kind, the base's and the fork's blob (only the lines the fork added are
/// read), whether it is a theme template (read whole). Read one file at a time, so that a fork
/// adding thousands of files never holds all their lines at once.
type Scan = (FileKind, Option<git2::Oid>, git2::Oid, bool);

/// Run the removal checks against `against` (see the module documentation).
pub fn analyze(
    ctx: &Context,
    against: &Against,
    findings: &mut Vec<Finding>,
) -> Result<Option<DeprecationsSection>> {
    let table = table()?;
    let repo = &ctx.repo;
    // What to scan, by path.
    let mut scan: BTreeMap<String, Scan> = BTreeMap::new();
    // Upstream files the fork edits (the base has them): for the table of platform removals.
    let mut edited: Vec<String> = Vec::new();
    for (path, old, new) in fork_files(ctx)? {
        if old.is_some() {
            edited.push(path.clone());
        }
        let Some(kind) = kind_of(&path) else { continue };
        scan.insert(path, (kind, old, new, false));
    }
    for (path, blob) in theme_templates(ctx)? {
        scan.insert(path, (FileKind::Template, None, blob, true));
    }
    let platform_edits: Vec<(&String, &PlatformRemoval)> = if against.oid.is_none() {
        edited
            .iter()
            .filter_map(|p| {
                table
                    .platform
                    .iter()
                    .find(|r| r.matches_path(p))
                    .map(|r| (p, r))
            })
            .collect()
    } else {
        Vec::new()
    };
    if scan.is_empty() && platform_edits.is_empty() {
        return Ok(None);
    }
    let base_django = django_of(
        repo,
        Some(ctx.base_oid),
        ctx.base_release.map(|r| r.name),
        table,
    )?;
    let target_django = match against.oid {
        Some(oid) => django_of(repo, Some(oid), against.release.map(|r| r.name), table)?,
        None => None,
    };
    let base_v = base_django.as_deref().and_then(major_minor);
    let target_v = target_django.as_deref().and_then(major_minor);
    let rev = against.label();
    let mut section = DeprecationsSection {
        against: against.rev.clone(),
        base_django: base_django.clone(),
        target_django: target_django.clone(),
        files_scanned: 0,
        uses: Vec::new(),
    };
    // Without a target: the table of platform removals, for removals after the base's release.
    let base_index = ctx.base_release.map(|r| r.index);
    let pending = |r: &PlatformRemoval| -> Option<&'static crate::releases::catalog::Release> {
        let rel = crate::releases::catalog::release(&r.release)?;
        base_index.is_none_or(|b| b < rel.index).then_some(rel)
    };
    for (path, r) in &platform_edits {
        let Some(rel) = pending(r) else { continue };
        let message = format!(
            "the fork edits {path}, which edx-platform deletes in {} ({}): the edit becomes a \
             modify/delete conflict at that upgrade and the file is gone after it; use {}",
            rel.title(),
            r.source,
            r.replacement
        );
        let (row, finding) = platform_use(ctx, r, rel, path, None, message);
        section.uses.push(row);
        findings.push(finding);
    }
    let mut modules = ModuleFacts::default();
    // Template tag libraries of the base and the target, read on the first `{% load`.
    let mut libraries: Option<(BTreeMap<String, String>, BTreeMap<String, String>)> = None;
    let mut files_scanned = 0;
    for (path, (kind, old, new, theme)) in &scan {
        let Some(text) = text_of(repo, *new)? else {
            continue;
        };
        files_scanned += 1;
        let lines: Vec<(u32, &str)> = if *theme {
            text.lines()
                .enumerate()
                .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
                .collect()
        } else {
            let old_text = match old {
                Some(o) => text_of(repo, *o)?,
                None => None,
            };
            added_lines(old_text.as_deref(), &text)
        };
        for (line_no, line) in &lines {
            let line: &str = line;
            let trimmed = line.trim_start();
            if *kind == FileKind::Python && trimmed.starts_with('#') {
                continue;
            }
            for r in &table.removals {
                let applies = match r.files.as_str() {
                    "python" => *kind == FileKind::Python,
                    "template" => *kind == FileKind::Template,
                    _ => true,
                };
                if !applies
                    || r.context
                        .as_ref()
                        .is_some_and(|c| !line.contains(c.as_str()))
                {
                    continue;
                }
                let Some(token) = r.tokens.iter().find(|t| has_token(line, t)) else {
                    continue;
                };
                let Some(removed) = major_minor(&r.django) else {
                    continue;
                };
                // With a target: only what the target's Django has removed.
                if against.oid.is_some() && target_v.is_none_or(|t| t < removed) {
                    continue;
                }
                let first = first_release_with(table, removed);
                let already = base_v.is_some_and(|b| b >= removed);
                let adopts = first
                    .and_then(crate::releases::catalog::release)
                    .map(|rel| format!(", which edx-platform adopts in {}", rel.title()))
                    .unwrap_or_default();
                let mut message = format!(
                    "`{token}` is removed in Django {}{adopts}; use {}",
                    r.django, r.replacement
                );
                if let (Some(t), Some(_)) = (&target_django, against.oid) {
                    message.push_str(&format!(" ({rev} runs Django {t})"));
                }
                if already {
                    message.push_str(&format!(
                        "; the base already runs Django {}: this line fails today",
                        base_django.as_deref().unwrap_or("?")
                    ));
                }
                if *theme {
                    message.push_str(" [theme template]");
                }
                section.uses.push(RemovedUse {
                    path: path.clone(),
                    line: *line_no,
                    api: r.id.clone(),
                    removed_in: format!("Django {}", r.django),
                    release: first.map(str::to_string),
                    already_broken: already,
                    replacement: Some(r.replacement.clone()),
                    theme: *theme,
                });
                findings.push(
                    Finding::new(ctx.rules.rule(RuleId::FC001), path, message)
                        .line(*line_no)
                        .subject(format!("{}|{line_no}", r.id))
                        .data("api", r.id.clone())
                        .data("removed_in", format!("Django {}", r.django))
                        .data("release", first.unwrap_or_default().to_string())
                        .build(),
                );
            }
            if *kind == FileKind::Template && line.contains("{% load") {
                if let Some(target) = against.oid {
                    if libraries.is_none() {
                        libraries = Some((
                            tag_libraries(ctx, ctx.base_oid)?,
                            tag_libraries(ctx, target)?,
                        ));
                    }
                    let (at_base, at_target) = libraries.as_ref().expect("just set");
                    for lib in loaded_libraries(line) {
                        let Some(base_path) = at_base.get(&lib) else {
                            continue; // Django's own (i18n, static) or a library of a package
                        };
                        if at_target.contains_key(&lib) {
                            continue;
                        }
                        let api = format!("templatetags:{lib}");
                        section.uses.push(RemovedUse {
                            path: path.clone(),
                            line: *line_no,
                            api: api.clone(),
                            removed_in: rev.clone(),
                            release: against.release.map(|r| r.name.to_string()),
                            already_broken: false,
                            replacement: None,
                            theme: *theme,
                        });
                        findings.push(
                            Finding::new(
                                ctx.rules.rule(RuleId::FC002),
                                path,
                                format!(
                                    "loads the template tag library `{lib}` ({base_path} in the \
                                     base), which {rev} no longer defines: the template fails \
                                     with TemplateSyntaxError at the upgrade"
                                ),
                            )
                            .line(*line_no)
                            .subject(format!("{api}|{line_no}"))
                            .data("api", api)
                            .build(),
                        );
                    }
                }
            }
            if *kind == FileKind::Python && against.oid.is_none() {
                for module in imported_modules(path, trimmed) {
                    let Some(r) = table.platform.iter().find(|r| r.matches_module(&module)) else {
                        continue;
                    };
                    let Some(rel) = pending(r) else { continue };
                    let message = format!(
                        "imports `{module}`, which edx-platform deletes in {} ({}): ImportError \
                         from that release on; use {}",
                        rel.title(),
                        r.source,
                        r.replacement
                    );
                    let (row, finding) = platform_use(ctx, r, rel, path, Some(*line_no), message);
                    section.uses.push(row);
                    findings.push(finding);
                }
            }
            if *kind == FileKind::Python {
                if let Some(target) = against.oid {
                    for (api, what) in
                        modules.removed_imports(repo, ctx.base_oid, target, path, trimmed)?
                    {
                        section.uses.push(RemovedUse {
                            path: path.clone(),
                            line: *line_no,
                            api: api.clone(),
                            removed_in: rev.clone(),
                            release: against.release.map(|r| r.name.to_string()),
                            already_broken: false,
                            replacement: None,
                            theme: false,
                        });
                        findings.push(
                            Finding::new(
                                ctx.rules.rule(RuleId::FC002),
                                path,
                                format!(
                                    "{what}, which {rev} no longer defines: ImportError at the \
                                     upgrade; port the code to what replaced it, or carry the \
                                     removed code in a plugin"
                                ),
                            )
                            .line(*line_no)
                            .subject(format!("{api}|{line_no}"))
                            .data("api", api)
                            .build(),
                        );
                    }
                }
            }
        }
    }
    // No file could be read (binary, over the parse limit) and no platform removal: no section,
    // as when there is nothing to scan at all.
    if files_scanned == 0 && platform_edits.is_empty() {
        return Ok(None);
    }
    section.files_scanned = files_scanned;
    section
        .uses
        .sort_by(|a, b| (&a.path, a.line, &a.api).cmp(&(&b.path, b.line, &b.api)));
    Ok(Some(section))
}

/// A use of a module the platform table says `rel` deletes (FC003): the section's row and the
/// finding. `line`: the importing line; `None` for an edit of the module's own file.
fn platform_use(
    ctx: &Context,
    r: &PlatformRemoval,
    rel: &crate::releases::catalog::Release,
    path: &str,
    line: Option<u32>,
    message: String,
) -> (RemovedUse, Finding) {
    let api = format!("platform:{}", r.id);
    let row = RemovedUse {
        path: path.to_string(),
        line: line.unwrap_or(1),
        api: api.clone(),
        removed_in: rel.title(),
        release: Some(rel.name.to_string()),
        already_broken: false,
        replacement: Some(r.replacement.clone()),
        theme: false,
    };
    let subject = match line {
        Some(n) => format!("{api}|{n}"),
        None => format!("{api}|edit"),
    };
    let finding = Finding::new(ctx.rules.rule(RuleId::FC003), path, message)
        .line_opt(line)
        .subject(subject)
        .data("api", api)
        .data("release", rel.name.to_string())
        .build();
    (row, finding)
}

/// The fork's theme templates: files under `<root>/<theme>/{lms,cms}/templates/` of the head
/// tree (roots as `[themes] roots` and the fork's settings say), other than files identical to
/// the base release's same path.
fn theme_templates(ctx: &Context) -> Result<Vec<(String, git2::Oid)>> {
    let roots =
        crate::themes::discover::theme_roots(&ctx.repo, ctx.head, &ctx.config.themes.roots)?;
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let prefixes: Vec<String> = roots.iter().map(|r| format!("{r}/")).collect();
    let files = super::walk_blobs(ctx, ctx.head, &|root, name| {
        prefixes.iter().any(|p| {
            root.strip_prefix(p.as_str()).is_some_and(|rest| {
                let mut parts = rest.splitn(3, '/');
                let (_theme, svc, tail) = (parts.next(), parts.next(), parts.next());
                matches!(svc, Some("lms" | "cms"))
                    && tail.is_some_and(|t| t.starts_with("templates/"))
            })
        }) && kind_of(&format!("{root}{name}")) == Some(FileKind::Template)
    })?;
    let base = ctx.listing(ctx.base_oid)?;
    Ok(files
        .into_iter()
        .filter(|(path, blob)| base.blob(path) != Some(*blob))
        .collect())
}

/// Template tag libraries of a tree: library name → the `*/templatetags/<name>.py` defining it.
fn tag_libraries(ctx: &Context, commit: git2::Oid) -> Result<BTreeMap<String, String>> {
    let files = super::walk_blobs(ctx, commit, &|root, name| {
        (root.ends_with("/templatetags/") || root == "templatetags/")
            && name.ends_with(".py")
            && name != "__init__.py"
    })?;
    let mut out = BTreeMap::new();
    for (path, _) in files {
        let lib = path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".py")
            .to_string();
        out.entry(lib).or_insert(path);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::scan::top_level_names;
    use super::*;

    #[test]
    fn the_table_parses_and_every_removal_names_a_django_version() {
        let t = table().expect("rules/removals.toml");
        assert!(!t.removals.is_empty());
        for r in &t.removals {
            assert!(major_minor(&r.django).is_some(), "{}", r.id);
            assert!(
                ["python", "template", "any"].contains(&r.files.as_str()),
                "{}",
                r.id
            );
            assert!(!r.tokens.is_empty(), "{}", r.id);
        }
        assert_eq!(first_release_with(t, (4, 0)), Some("quince"));
        assert_eq!(first_release_with(t, (5, 0)), Some("ulmo"));
        assert_eq!(first_release_with(t, (3, 0)), Some("maple"));
        assert_eq!(first_release_with(t, (6, 0)), None);
    }

    #[test]
    fn imported_modules_resolve_relative_imports() {
        assert_eq!(
            imported_modules("lms/envs/acme.py", "from .devstack_docker import *"),
            ["lms.envs.devstack_docker"]
        );
        assert_eq!(
            imported_modules("lms/envs/acme.py", "from ..envs import openstack as o"),
            ["lms.envs.openstack", "lms.envs"]
        );
        assert_eq!(
            imported_modules("x.py", "import lms.envs.static, os"),
            ["lms.envs.static", "os"]
        );
        assert_eq!(
            imported_modules(
                "a/b.py",
                "os.environ[\"DJANGO_SETTINGS_MODULE\"] = \"lms.envs.pact\""
            ),
            ["lms.envs.pact"]
        );
        assert!(imported_modules("a.py", "from .... import x").is_empty());
    }

    #[test]
    fn platform_removals_match_paths_and_modules() {
        let t = table().expect("rules/removals.toml");
        assert!(!t.platform.is_empty());
        for r in &t.platform {
            assert!(
                crate::releases::catalog::release(&r.release).is_some(),
                "{}: {}",
                r.id,
                r.release
            );
            assert!(r.source.contains("upgrade-breaks.md"), "{}", r.id);
        }
        let find = |p: &str| {
            t.platform
                .iter()
                .find(|r| r.matches_path(p))
                .map(|r| r.id.as_str())
        };
        assert!(find("lms/envs/devstack_docker.py").is_some());
        assert!(find("cms/envs/openstack.py").is_some());
        assert!(find("lms/envs/bok_choy.env.json").is_some());
        assert!(find("lms/envs/bok_choy/x.py").is_none());
        assert!(find("lms/envs/production.py").is_none());
        let module = |m: &str| t.platform.iter().any(|r| r.matches_module(m));
        assert!(module("lms.envs.devstack_docker"));
        assert!(module("lms.envs.bok_choy_docker"));
        assert!(!module("lms.envs.devstack"));
    }

    #[test]
    fn tokens_match_whole_identifiers() {
        assert!(has_token(
            "from django.utils.translation import ugettext as _",
            "ugettext"
        ));
        assert!(!has_token("ugettext_lazy(x)", "ugettext"));
        assert!(has_token("ugettext_lazy(x)", "ugettext_lazy"));
        assert!(!has_token("from django.conf.urls import include", "url"));
        assert!(has_token(
            "from django.conf.urls import include, url",
            "url"
        ));
    }

    #[test]
    fn load_tags_name_their_libraries() {
        assert_eq!(
            loaded_libraries("{% load i18n %}{% load static badge_tags %}"),
            ["i18n", "static", "badge_tags"]
        );
        assert_eq!(
            loaded_libraries("{% load award from badge_tags %}"),
            ["badge_tags"]
        );
        assert!(loaded_libraries("no tags").is_empty());
    }

    #[test]
    fn top_level_names_of_a_module() {
        let n = top_level_names(
            "import os\nfrom a.b import c as d, e\n\nX = 1\nY: int = 2\ndef f():\n    z = 1\nclass K(object):\n    pass\nasync def g(): pass\n",
        );
        let want: BTreeSet<String> = ["os", "d", "e", "X", "Y", "f", "K", "g"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(n, want);
    }
}
