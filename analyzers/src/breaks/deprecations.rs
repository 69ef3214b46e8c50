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

pub const REMOVALS_FILE: &str = include_str!("../../../rules/removals.toml");

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    django: Vec<DjangoOf>,
    removals: Vec<Removal>,
    #[serde(default)]
    platform: Vec<PlatformRemoval>,
}

/// One edx-platform file (or family of files) a named release deletes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformRemoval {
    id: String,
    /// Repository paths; a trailing `*` matches any rest of the file name.
    paths: Vec<String>,
    /// The first named release without them (lower case).
    release: String,
    /// Where the fact comes from (a section of docs/upgrade-breaks.md).
    source: String,
    replacement: String,
}

impl PlatformRemoval {
    fn matches_path(&self, path: &str) -> bool {
        self.paths.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix) && !path[prefix.len()..].contains('/'),
            None => path == p,
        })
    }

    /// Does the dotted module name one of the paths' Python modules?
    fn matches_module(&self, dotted: &str) -> bool {
        let as_path = dotted.replace('.', "/");
        self.paths.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => as_path.starts_with(prefix) && !as_path[prefix.len()..].contains('/'),
            None => p.strip_suffix(".py").is_some_and(|stem| stem == as_path),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DjangoOf {
    release: String,
    version: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Removal {
    id: String,
    tokens: Vec<String>,
    #[serde(default)]
    context: Option<String>,
    files: String,
    django: String,
    replacement: String,
}

fn table() -> Result<&'static Table> {
    static TABLE: OnceLock<std::result::Result<Table, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| toml::from_str(REMOVALS_FILE).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Parse {
            path: "rules/removals.toml".into(),
            message: e.clone(),
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Python,
    Template,
}

fn kind_of(path: &str) -> Option<FileKind> {
    if path.contains("/migrations/") {
        return None;
    }
    if path.ends_with(".py") {
        Some(FileKind::Python)
    } else if [".html", ".txt", ".underscore"]
        .iter()
        .any(|e| path.ends_with(e))
    {
        Some(FileKind::Template)
    } else {
        None
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Does `token` occur in `line` as a whole identifier?
fn has_token(line: &str, token: &str) -> bool {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find(token) {
        let start = from + i;
        let end = start + token.len();
        let before = start == 0 || !is_ident(bytes[start - 1]);
        let after = end >= bytes.len() || !is_ident(bytes[end]);
        if before && after {
            return true;
        }
        from = end;
    }
    false
}

/// The first named release whose Django is `version` or later (from the table), lower case.
fn first_release_with(table: &Table, version: (u32, u32)) -> Option<&str> {
    table
        .django
        .iter()
        .find(|d| major_minor(&d.version).is_some_and(|v| v >= version))
        .map(|d| d.release.as_str())
}

/// The Django version a tree runs: its pin, else its named release's from the table.
fn django_of(
    repo: &Repo,
    commit: Option<git2::Oid>,
    release: Option<&str>,
    table: &Table,
) -> Result<Option<String>> {
    if let Some(c) = commit {
        if let Some(v) = super::django_version(repo, c)? {
            return Ok(Some(v));
        }
    }
    // The named release's version: the last table row at or before it.
    let Some(name) = release else { return Ok(None) };
    let Some(rel) = crate::releases::catalog::release(name) else {
        return Ok(None);
    };
    Ok(table
        .django
        .iter()
        .rev()
        .find(|d| {
            crate::releases::catalog::release(&d.release).is_some_and(|r| r.index <= rel.index)
        })
        .map(|d| d.version.clone()))
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

/// `.x` / `..x` of an import in the file `path`, as a dotted module (`lms/envs/a.py`, `.b` →
/// `lms.envs.b`); `None` when it climbs above the repository.
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

fn resolve_relative(path: &str, module: &str) -> Option<String> {
    let package: Vec<&str> = path
        .rsplit_once('/')
        .map(|(d, _)| d.split('/').collect())
        .unwrap_or_default();
    let dots = module.chars().take_while(|c| *c == '.').count();
    let up = dots.checked_sub(1)?;
    if up > package.len() {
        return None;
    }
    let mut parts: Vec<&str> = package[..package.len() - up].to_vec();
    let rest = &module[dots..];
    if !rest.is_empty() {
        parts.push(rest);
    }
    Some(parts.join("."))
}

/// The dotted modules one Python line imports (`from a.b import c` → `a.b` and `a.b.c`;
/// `import a.b` → `a.b`), relative imports resolved against `path`'s package; also a dotted
/// name in a string literal (`DJANGO_SETTINGS_MODULE = "lms.envs.x"`).
fn imported_modules(path: &str, line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let resolve = |m: &str| -> Option<String> {
        if m.starts_with('.') {
            resolve_relative(path, m)
        } else {
            Some(m.to_string())
        }
    };
    if let Some(rest) = line.strip_prefix("from ") {
        if let Some((m, names)) = rest.split_once(" import ") {
            if let Some(module) = resolve(m.trim()) {
                for n in names.trim().trim_start_matches('(').split(',') {
                    let n = n.split(" as ").next().unwrap_or("").trim();
                    let n = n.trim_end_matches([')', '\\']).trim();
                    if !n.is_empty() && n != "*" {
                        out.push(if module.is_empty() {
                            n.to_string()
                        } else {
                            format!("{module}.{n}")
                        });
                    }
                }
                if !module.is_empty() {
                    out.push(module);
                }
            }
        }
    } else if let Some(rest) = line.strip_prefix("import ") {
        for m in rest.split(',') {
            let m = m.split(" as ").next().unwrap_or("").trim();
            if !m.is_empty() {
                out.push(m.to_string());
            }
        }
    } else {
        // Dotted names in string literals.
        for quoted in line.split(['"', '\'']).skip(1).step_by(2) {
            if quoted.contains('.')
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                out.push(quoted.to_string());
            }
        }
    }
    out
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

/// The libraries a line's `{% load a b %}` / `{% load x y from lib %}` tags load.
fn loaded_libraries(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("{% load") {
        let after = &rest[i + "{% load".len()..];
        let end = after.find("%}").unwrap_or(after.len());
        let words: Vec<&str> = after[..end].split_whitespace().collect();
        match words.iter().position(|w| *w == "from") {
            Some(p) => out.extend(words.get(p + 1).map(|w| w.to_string())),
            None => out.extend(words.iter().map(|w| w.to_string())),
        }
        rest = &after[end..];
    }
    out
}

/// Module facts read from the base and target trees, cached per module.
#[derive(Default)]
struct ModuleFacts {
    /// dotted module → (path at base, path at target).
    paths: HashMap<String, (Option<String>, Option<String>)>,
    /// (dotted module, which tree) → top-level names.
    names: HashMap<(String, bool), BTreeSet<String>>,
}

impl ModuleFacts {
    fn path_of(repo: &Repo, commit: git2::Oid, dotted: &str) -> Result<Option<String>> {
        let rel = dotted.replace('.', "/");
        for p in [format!("{rel}.py"), format!("{rel}/__init__.py")] {
            if repo.blob_id_at(commit, &p)?.is_some() {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    fn paths(
        &mut self,
        repo: &Repo,
        base: git2::Oid,
        target: git2::Oid,
        dotted: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        if let Some(p) = self.paths.get(dotted) {
            return Ok(p.clone());
        }
        let p = (
            Self::path_of(repo, base, dotted)?,
            Self::path_of(repo, target, dotted)?,
        );
        self.paths.insert(dotted.to_string(), p.clone());
        Ok(p)
    }

    fn names(
        &mut self,
        repo: &Repo,
        commit: git2::Oid,
        is_target: bool,
        dotted: &str,
        path: &str,
    ) -> Result<&BTreeSet<String>> {
        let key = (dotted.to_string(), is_target);
        if !self.names.contains_key(&key) {
            let text = repo.text_at(commit, path)?.unwrap_or_default();
            self.names.insert(key.clone(), top_level_names(&text));
        }
        Ok(&self.names[&key])
    }

    /// For one import line of the file `path`: (api id, description) of each module or name the
    /// target removed. Relative imports are resolved against the file's package.
    fn removed_imports(
        &mut self,
        repo: &Repo,
        base: git2::Oid,
        target: git2::Oid,
        path: &str,
        line: &str,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let (module, names): (&str, Vec<&str>) = if let Some(rest) = line.strip_prefix("from ") {
            let Some((m, n)) = rest.split_once(" import ") else {
                return Ok(out);
            };
            let names = n
                .trim()
                .trim_start_matches('(')
                .trim_end_matches([')', '\\'])
                .split(',')
                .map(|x| x.split(" as ").next().unwrap_or("").trim())
                .filter(|x| !x.is_empty() && *x != "*")
                .collect();
            (m.trim(), names)
        } else if let Some(rest) = line.strip_prefix("import ") {
            (
                rest.split([',', ' ']).next().unwrap_or("").trim(),
                Vec::new(),
            )
        } else {
            return Ok(out);
        };
        let resolved;
        let module = if module.starts_with('.') {
            match resolve_relative(path, module) {
                Some(m) if !m.is_empty() => {
                    resolved = m;
                    resolved.as_str()
                }
                _ => return Ok(out),
            }
        } else {
            module
        };
        if module.is_empty() {
            return Ok(out);
        }
        let (at_base, at_target) = self.paths(repo, base, target, module)?;
        let Some(base_path) = at_base else {
            return Ok(out); // not an edx-platform module of the base (a library, or the fork's)
        };
        let Some(target_path) = at_target else {
            out.push((
                format!("module:{module}"),
                format!("imports `{module}` ({base_path} in the base)"),
            ));
            return Ok(out);
        };
        for name in names {
            // A submodule imported by name.
            let sub = format!("{module}.{name}");
            let (sub_base, sub_target) = self.paths(repo, base, target, &sub)?;
            if sub_base.is_some() {
                if sub_target.is_none() {
                    out.push((format!("module:{sub}"), format!("imports `{sub}`")));
                }
                continue;
            }
            let in_base = self
                .names(repo, base, false, module, &base_path)?
                .contains(name);
            if !in_base {
                continue;
            }
            let in_target = self
                .names(repo, target, true, module, &target_path)?
                .contains(name);
            if !in_target {
                out.push((
                    format!("name:{module}.{name}"),
                    format!("imports `{name}` from `{module}`"),
                ));
            }
        }
        Ok(out)
    }
}

/// Names a module defines at top level: `def`, `class`, assignments, and imported names.
fn top_level_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for line in text.lines() {
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let l = line.strip_prefix("async ").unwrap_or(line);
        if let Some(rest) = l.strip_prefix("def ").or_else(|| l.strip_prefix("class ")) {
            out.insert(ident(rest));
        } else if l.starts_with("from ") || l.starts_with("import ") {
            let names = l.split_once(" import ").map(|(_, n)| n).unwrap_or(&l[7..]);
            for n in names.split(',') {
                let n = n.trim().trim_start_matches('(');
                let n = n.split(" as ").last().unwrap_or(n).trim();
                let n = n.rsplit('.').next().unwrap_or(n);
                out.insert(ident(n));
            }
        } else {
            let name = ident(l);
            if !name.is_empty() && l[name.len()..].trim_start().starts_with(['=', ':']) {
                out.insert(name);
            }
        }
    }
    out.remove("");
    out
}

#[cfg(test)]
mod tests {
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
