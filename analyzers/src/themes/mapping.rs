//! Which upstream file a theme file overrides (docs/edx-domain.md §4.4): strip
//! `<theme>/<svc>/templates/`, try the service's template roots in lookup order, then any
//! `**/templates/<rel>` of the upstream tree belonging to the service; static files map
//! `<theme>/<svc>/static/<rel>` → `<rel>` under the service's static roots, read from the base
//! tree's `STATICFILES_DIRS` ([`StaticFacts`], docs/edx-domain.md §4.5). A file whose original
//! exists only under the *other* service is misplaced, unless the service itself asks for that
//! path (a setting names it, or upstream's sample themes ship it for that service); one with no
//! original at all is a theme addition.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::listing::Listing;
use crate::repo::Repo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Lms,
    Cms,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Lms => "lms",
            Service::Cms => "cms",
        }
    }

    pub fn other(self) -> Service {
        match self {
            Service::Lms => Service::Cms,
            Service::Cms => Service::Lms,
        }
    }

    /// Template roots in lookup order (Mako dirs, then Django-engine dirs).
    pub fn template_roots(self) -> &'static [&'static str] {
        match self {
            Service::Lms => &[
                "lms/templates",
                "common/templates",
                "xmodule/capa/templates",
                "common/djangoapps/pipeline_mako/templates",
                "openedx/core/djangoapps/cors_csrf/templates",
                "openedx/core/djangoapps/dark_lang/templates",
                "openedx/core/lib/license/templates",
                "openedx/features/course_experience/templates",
                "common/static",
            ],
            Service::Cms => &[
                "cms/templates",
                "common/templates",
                "common/djangoapps/pipeline_mako/templates",
                "common/static",
                "openedx/core/djangoapps/cors_csrf/templates",
                "openedx/core/djangoapps/dark_lang/templates",
                "openedx/core/lib/license/templates",
                "cms/djangoapps/pipeline_js/templates",
            ],
        }
    }

    /// Does an upstream path belong to this service only (so a theme for the other service
    /// cannot override it)?
    pub fn owns(self, path: &str) -> bool {
        path.strip_prefix(self.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The blobs of one commit's tree, and its template files indexed by their path relative to a
/// `templates/` directory. Built once per commit, then shared read-only by the workers.
#[derive(Debug, Default)]
pub struct TreeIndex {
    /// The tree's files (the run's shared listing, [`crate::Context::listing`]).
    listing: Arc<Listing>,
    /// rel → full paths (sorted), for every `…/templates/<rel>` outside the excluded prefixes.
    templates: HashMap<String, Vec<String>>,
    /// file name → full paths (sorted) of every file under a `templates/` directory outside the
    /// excluded prefixes.
    names: HashMap<String, Vec<String>>,
    /// Static roots and the static paths each service asks for.
    statics: StaticFacts,
}

impl TreeIndex {
    /// Index a commit's tree from its listing; template paths under `exclude` (theme roots,
    /// `dir/`) are not candidates for originals (upstream's example themes are not originals).
    pub fn build(repo: &Repo, listing: Arc<Listing>, exclude: &[String]) -> Result<TreeIndex> {
        let mut idx = TreeIndex {
            listing,
            ..TreeIndex::default()
        };
        let listing = idx.listing.clone();
        for (path, _) in listing.blobs() {
            if path.contains("templates/") && !exclude.iter().any(|p| path.starts_with(p.as_str()))
            {
                idx.add_template_path(path);
            }
        }
        for paths in idx.templates.values_mut().chain(idx.names.values_mut()) {
            paths.sort();
        }
        idx.statics = StaticFacts::build(repo, &listing, exclude)?;
        Ok(idx)
    }

    /// What this tree says about static files.
    pub fn statics(&self) -> &StaticFacts {
        &self.statics
    }

    /// Also record the asset paths the services' own templates ask for
    /// ([`StaticFacts::add_template_requests`]).
    pub fn add_template_requests(
        &mut self,
        repo: &Repo,
        seen: &mut HashMap<Oid, Vec<String>>,
    ) -> Result<()> {
        self.statics
            .add_template_requests(repo, &self.listing, seen)
    }

    fn add_template_path(&mut self, path: &str) {
        let parts: Vec<&str> = path.split('/').collect();
        let mut named = false;
        for (k, part) in parts.iter().enumerate() {
            if *part == "templates" && k + 1 < parts.len() {
                let rel = parts[k + 1..].join("/");
                self.templates
                    .entry(rel)
                    .or_default()
                    .push(path.to_string());
                named = true;
            }
        }
        if let (true, Some(name)) = (named, parts.last()) {
            self.names
                .entry((*name).to_string())
                .or_default()
                .push(path.to_string());
        }
    }

    /// Upstream templates of `svc` (its roots, or an app's `templates/` the other service does
    /// not own) named `name` whose path relative to their root differs from `rel`: where a theme
    /// template that overrides nothing was probably meant to go. Each candidate is (upstream
    /// path, path relative to its template root), in path order.
    pub fn same_name_elsewhere(&self, svc: Service, rel: &str) -> Vec<(String, String)> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let mut out = Vec::new();
        for path in self.names.get(name).map_or(&[][..], Vec::as_slice) {
            if svc.other().owns(path) {
                continue;
            }
            let in_root = svc
                .template_roots()
                .iter()
                .filter(|r| r.ends_with("/templates"))
                .find_map(|r| path.strip_prefix(&format!("{r}/")));
            let cand_rel = match in_root {
                Some(r) => r.to_string(),
                None => match path.split_once("/templates/") {
                    Some((_, r)) => r.to_string(),
                    None => continue,
                },
            };
            if cand_rel != rel && !out.iter().any(|(_, r)| *r == cand_rel) {
                out.push((path.clone(), cand_rel));
            }
        }
        out
    }

    /// The blob at `path`, if any.
    pub fn blob(&self, path: &str) -> Option<Oid> {
        self.listing.blob(path)
    }

    /// Every blob path with its id, in path order.
    pub fn blobs(&self) -> impl Iterator<Item = (&str, Oid)> {
        self.listing.blobs()
    }

    /// Every `…/templates/<rel>` path of the tree.
    pub fn templates_named(&self, rel: &str) -> &[String] {
        self.templates.get(rel).map_or(&[], Vec::as_slice)
    }
}

/// Where a theme file's original is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// The upstream file the theme file shadows.
    Original(String),
    /// The original exists only under the other service: the theme file has no effect where it
    /// is and should live under `<theme>/<should_be>/…`.
    Misplaced {
        original: String,
        should_be: Service,
    },
    /// No upstream original at this path, but the service has templates of the same file name
    /// in other directories (upstream path, path relative to its template root): the theme file
    /// is misplaced if its content matches one of them, else a new file.
    SameName(Vec<(String, String)>),
    /// No upstream original at this path, but the service asks for it (why): a static path a
    /// setting names, or one upstream's sample themes ship for this service. The file takes
    /// effect; there is no original to compare with.
    Requested(String),
    /// No upstream original: a new file of the theme.
    Addition,
}

/// Map `<theme>/<svc>/templates/<rel>` to its original in `idx`.
pub fn map_template(idx: &TreeIndex, svc: Service, rel: &str) -> Mapping {
    for root in svc.template_roots() {
        let path = format!("{root}/{rel}");
        if idx.blob(&path).is_some() {
            return Mapping::Original(path);
        }
    }
    let candidates = idx.templates_named(rel);
    if let Some(p) = candidates.iter().find(|p| !svc.other().owns(p)) {
        return Mapping::Original(p.clone());
    }
    let other = svc.other();
    let in_other_roots = other
        .template_roots()
        .iter()
        .map(|root| format!("{root}/{rel}"))
        .find(|p| idx.blob(p).is_some());
    match in_other_roots.or_else(|| candidates.first().cloned()) {
        Some(original) => Mapping::Misplaced {
            original,
            should_be: other,
        },
        None => {
            let elsewhere = idx.same_name_elsewhere(svc, rel);
            if elsewhere.is_empty() {
                Mapping::Addition
            } else {
                Mapping::SameName(elsewhere)
            }
        }
    }
}

/// Map `<theme>/<svc>/static/<rel>` to its original in `idx`.
pub fn map_static(idx: &TreeIndex, svc: Service, rel: &str) -> Mapping {
    let facts = &idx.statics;
    for root in facts.roots(svc) {
        let path = format!("{root}/{rel}");
        if idx.blob(&path).is_some() {
            return Mapping::Original(path);
        }
    }
    if let Some(why) = facts.requested(svc, rel) {
        return Mapping::Requested(why);
    }
    for root in facts.roots(svc.other()) {
        let path = format!("{root}/{rel}");
        if svc.other().owns(&path) && idx.blob(&path).is_some() {
            return Mapping::Misplaced {
                original: path,
                should_be: svc.other(),
            };
        }
    }
    let candidates = facts.same_name_elsewhere(svc, rel);
    if candidates.is_empty() {
        Mapping::Addition
    } else {
        Mapping::SameName(candidates)
    }
}

/// Where the service's static files come from, read from a tree (docs/edx-domain.md §4.5).
#[derive(Debug, Default)]
pub struct StaticFacts {
    /// Static roots per service (`[lms, cms]`), in finder order.
    roots: [Vec<String>; 2],
    /// Per service: static path → why the service asks for it although no root has it
    /// (`FAVICON_PATH` in `cms/envs/common.py`, a sample theme shipping it).
    requested: [HashMap<String, String>; 2],
    /// File name → (path, path relative to its static root) of every file under a static root.
    names: HashMap<String, Vec<(String, String)>>,
}

fn slot(svc: Service) -> usize {
    match svc {
        Service::Lms => 0,
        Service::Cms => 1,
    }
}

/// Extensions of files a setting may name as a static asset.
const ASSET_EXTENSIONS: &[&str] = &[
    "ico", "png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "woff", "woff2", "ttf",
];

impl StaticFacts {
    /// Read the facts from a tree's blobs: `STATICFILES_DIRS` and asset paths named in
    /// `<svc>/envs/common.py` (fallback roots: `rules/theme-paths.toml`), and the
    /// `<theme>/<svc>/static/` files of themes the tree itself ships under `theme_roots`.
    pub fn build(repo: &Repo, blobs: &Listing, theme_roots: &[String]) -> Result<StaticFacts> {
        let mut facts = StaticFacts::default();
        for svc in [Service::Lms, Service::Cms] {
            let settings = format!("{}/envs/common.py", svc.as_str());
            let text = match blobs.blob(&settings) {
                Some(oid) => String::from_utf8_lossy(&repo.blob_bytes(oid)?).into_owned(),
                None => String::new(),
            };
            let mut roots = staticfiles_dirs(&text, svc);
            if roots.is_empty() {
                roots = fallback_roots(svc)?;
            }
            facts.roots[slot(svc)] = roots;
            for (setting, path) in named_assets(&text) {
                facts.requested[slot(svc)]
                    .entry(path)
                    .or_insert_with(|| format!("`{setting}` in `{settings}` names it"));
            }
        }
        // Upstream's sample themes: a file they ship under `<svc>/static/<rel>` is a path that
        // service serves.
        let mut shipped: Vec<(usize, String, String)> = Vec::new();
        for (path, _) in theme_roots.iter().flat_map(|r| blobs.blobs_under(r)) {
            let Some(rest) = theme_roots
                .iter()
                .find_map(|r| path.strip_prefix(r.as_str()))
            else {
                continue;
            };
            let mut parts = rest.splitn(4, '/');
            let (Some(theme), Some(svc), Some("static"), Some(rel)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let svc = match svc {
                "lms" => Service::Lms,
                "cms" => Service::Cms,
                _ => continue,
            };
            shipped.push((slot(svc), rel.to_string(), theme.to_string()));
        }
        shipped.sort();
        for (k, rel, theme) in shipped {
            facts.requested[k]
                .entry(rel)
                .or_insert_with(|| format!("upstream's sample theme `{theme}` ships it"));
        }
        facts.index_names(blobs, theme_roots);
        Ok(facts)
    }

    /// Index every file under a static root by its file name.
    fn index_names(&mut self, blobs: &Listing, theme_roots: &[String]) {
        let mut roots: Vec<String> = self.roots.iter().flatten().cloned().collect();
        roots.sort();
        roots.dedup();
        // A root inside another is listed once, under the outer root.
        let dirs: Vec<String> = roots
            .iter()
            .filter(|r| {
                !roots
                    .iter()
                    .any(|o| o != *r && r.starts_with(&format!("{o}/")))
            })
            .map(|r| format!("{r}/"))
            .collect();
        self.names.clear();
        for (path, _) in dirs.iter().flat_map(|d| blobs.blobs_under(d)) {
            if theme_roots.iter().any(|r| path.starts_with(r.as_str())) {
                continue;
            }
            if let Some(rel) = roots
                .iter()
                .find_map(|r| path.strip_prefix(r.as_str())?.strip_prefix('/'))
            {
                let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
                self.names
                    .entry(name)
                    .or_default()
                    .push((path.to_string(), rel.to_string()));
            }
        }
        for v in self.names.values_mut() {
            v.sort();
        }
    }

    /// Add the asset paths the service's own templates (`<svc>/templates/**`) ask for
    /// (`static.url('images/studio-logo.png')`) to the requested paths. Reads those templates:
    /// call it only when a theme ships static files. `seen` keeps each template blob's asset
    /// strings, so the base's and the target's trees read a template they share once.
    pub fn add_template_requests(
        &mut self,
        repo: &Repo,
        blobs: &Listing,
        seen: &mut HashMap<Oid, Vec<String>>,
    ) -> Result<()> {
        let mut found: Vec<(usize, String, String)> = Vec::new();
        let templates = [Service::Lms, Service::Cms].into_iter().flat_map(|svc| {
            blobs
                .blobs_under(if svc == Service::Lms {
                    "lms/templates/"
                } else {
                    "cms/templates/"
                })
                .map(move |(path, oid)| (svc, path, oid))
        });
        for (svc, path, oid) in templates {
            let oid = &oid;
            let assets = match seen.get(oid) {
                Some(assets) => assets,
                None => {
                    let bytes = repo.blob_bytes(*oid)?;
                    let assets = if crate::changes::is_binary(&bytes) {
                        Vec::new()
                    } else {
                        asset_strings(&String::from_utf8_lossy(&bytes))
                    };
                    seen.entry(*oid).or_insert(assets)
                }
            };
            for rel in assets {
                found.push((slot(svc), rel.clone(), path.to_string()));
            }
        }
        found.sort();
        for (k, rel, path) in found {
            self.requested[k]
                .entry(rel)
                .or_insert_with(|| format!("`{path}` asks for it"));
        }
        Ok(())
    }

    /// The service's static roots, in finder order.
    pub fn roots(&self, svc: Service) -> &[String] {
        &self.roots[slot(svc)]
    }

    /// Why the service asks for `rel` although none of its roots has it, if it does.
    pub fn requested(&self, svc: Service, rel: &str) -> Option<String> {
        self.requested[slot(svc)].get(rel).cloned()
    }

    /// Static files of the service's roots named like `rel` at another path: (upstream path,
    /// path relative to its root), in path order, each relative path once.
    pub fn same_name_elsewhere(&self, svc: Service, rel: &str) -> Vec<(String, String)> {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let roots = self.roots(svc);
        let mut out: Vec<(String, String)> = Vec::new();
        for (path, r) in self.names.get(name).map_or(&[][..], Vec::as_slice) {
            let mine = roots.iter().any(|root| {
                path.strip_prefix(root.as_str())
                    .is_some_and(|x| x.starts_with('/'))
            });
            if mine && r != rel && !out.iter().any(|(_, x)| x == r) {
                out.push((path.clone(), r.clone()));
            }
        }
        out
    }
}

fn fallback_roots(svc: Service) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        static_roots: HashMap<String, Vec<String>>,
    }
    const TEXT: &str = include_str!("../../../rules/theme-paths.toml");
    let file: File = toml::from_str(TEXT).map_err(|e| crate::Error::Parse {
        path: "rules/theme-paths.toml".into(),
        message: e.to_string(),
    })?;
    Ok(file
        .static_roots
        .get(svc.as_str())
        .cloned()
        .unwrap_or_default())
}

/// Python source without `#` comments (outside string literals).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

/// Top-level `NAME = expression` statements on one line, in file order.
fn assignments(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| {
            let (name, value) = strip_comment(l).split_once('=')?;
            let name = name.trim();
            let value = value.trim();
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !value.starts_with('=');
            ok.then_some((name, value))
        })
        .collect()
}

/// Resolve a path expression of a settings module to a repository path: `X / "a" / 'b'`,
/// `os.path.join(X, "a")`, `X.dirname()` / `X.parent`, `path(__file__)…` (the module itself),
/// names assigned earlier in the file. `None` when it is anything else.
fn resolve(expr: &str, vars: &HashMap<&str, String>, module: &str, depth: u8) -> Option<String> {
    let expr = expr.trim().trim_end_matches(',').trim();
    if depth > 8 || expr.is_empty() {
        return None;
    }
    if let Some(inner) = expr
        .strip_prefix("os.path.join(")
        .and_then(|x| x.strip_suffix(')'))
    {
        let parts: Vec<&str> = inner.split(',').collect();
        let head = resolve(parts.first()?, vars, module, depth + 1)?;
        let segs: Option<Vec<String>> = parts[1..].iter().map(|p| literal(p)).collect();
        return Some(join(head, &segs?));
    }
    if expr.contains(" / ") {
        let mut parts = expr.split(" / ");
        let head = resolve(parts.next()?, vars, module, depth + 1)?;
        let segs: Option<Vec<String>> = parts.map(literal).collect();
        return Some(join(head, &segs?));
    }
    // Method chains: `path(__file__).abspath().dirname().dirname()`, `REPO_ROOT.dirname()`.
    let mut steps: Vec<&str> = Vec::new();
    let mut base = expr;
    loop {
        if let Some(b) = base.strip_suffix(".dirname()") {
            steps.push("up");
            base = b;
        } else if let Some(b) = base.strip_suffix(".parent") {
            steps.push("up");
            base = b;
        } else if let Some(b) = base
            .strip_suffix(".abspath()")
            .or_else(|| base.strip_suffix(".resolve()"))
            .or_else(|| base.strip_suffix(".realpath()"))
        {
            base = b;
        } else {
            break;
        }
    }
    let mut path = if base == "path(__file__)" || base == "Path(__file__)" {
        module.to_string()
    } else if let Some(v) = vars.get(base) {
        v.clone()
    } else {
        return None;
    };
    for _ in steps {
        path = match path.rsplit_once('/') {
            Some((parent, _)) => parent.to_string(),
            None if !path.is_empty() => String::new(),
            None => return None,
        };
    }
    Some(path)
}

fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))?;
    (!inner.contains(['"', '\'', '\\'])).then(|| inner.to_string())
}

fn join(head: String, segs: &[String]) -> String {
    let mut out = head;
    for s in segs {
        for part in s.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(part);
        }
    }
    out
}

/// The roots of `STATICFILES_DIRS = [ … ]` in a settings module's text that resolve to
/// repository paths (entries with a URL prefix, `("book", …)`, are skipped), in order.
pub fn staticfiles_dirs(text: &str, svc: Service) -> Vec<String> {
    let module = format!("{}/envs/common.py", svc.as_str());
    let mut vars: HashMap<&str, String> = HashMap::new();
    let mut out = Vec::new();
    // Path names assigned in the module (`COMMON_ROOT = REPO_ROOT / "common"`), in file order.
    for (name, value) in assignments(text) {
        if let Some(p) = resolve(value, &vars, &module, 0) {
            vars.insert(name, p);
        }
    }
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("STATICFILES_DIRS") else {
            continue;
        };
        let Some(body) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let mut body = strip_comment(body).trim().to_string();
        if !(body.starts_with('[') || body.starts_with('(')) {
            continue;
        }
        let mut depth: i32 = 0;
        let mut collected = String::new();
        loop {
            for c in body.chars() {
                match c {
                    '[' | '(' => depth += 1,
                    ']' | ')' => depth -= 1,
                    _ => {}
                }
            }
            collected.push_str(&body);
            collected.push('\n');
            if depth <= 0 {
                break;
            }
            match lines.next() {
                Some(next) => body = strip_comment(next).trim().to_string(),
                None => break,
            }
        }
        out.clear();
        let inner = collected.trim().trim_start_matches(['[', '(']);
        let inner = inner.trim_end().trim_end_matches([']', ')']);
        for entry in split_top_level(inner) {
            if entry.trim_start().starts_with('(') {
                continue;
            }
            if let Some(p) = resolve(&entry, &vars, &module, 0).filter(|p| !p.is_empty()) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            '\n' => {
                cur.push(' ');
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

/// Quoted relative asset paths in `text` (`'images/favicon.ico'`), in order.
fn asset_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q != b'\'' && q != b'"' {
            i += 1;
            continue;
        }
        let Some(len) = text[i + 1..].find(q as char) else {
            break;
        };
        let inner = &text[i + 1..i + 1 + len];
        if is_asset_path(inner) {
            out.push(inner.to_string());
        }
        i += len + 2;
    }
    out
}

fn is_asset_path(s: &str) -> bool {
    let ok_chars = !s.is_empty()
        && s.len() < 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c));
    let relative = !s.starts_with('/') && !s.starts_with('.') && s.contains('/');
    let ext = s.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    ok_chars && relative && ext.is_some_and(|e| ASSET_EXTENSIONS.contains(&e.as_str()))
}

/// Relative asset paths a settings module names, with the top-level setting whose statement
/// holds each (`FAVICON_PATH = 'images/favicon.ico'`, `DEFAULT_ORG_LOGO_URL = Derived(lambda s:
/// s.STATIC_URL + 'images/logo.png')`): (setting, path). Comments do not count.
pub fn named_assets(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut setting: Option<&str> = None;
    for line in text.lines() {
        if !line.starts_with([' ', '\t', ')', ']', '}']) {
            setting = assignments(line).first().map(|(name, _)| *name);
        }
        let Some(name) = setting else { continue };
        for path in asset_strings(strip_comment(line)) {
            out.push((name.to_string(), path));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(paths: &[&str]) -> TreeIndex {
        let mut idx = TreeIndex {
            listing: Arc::new(Listing::from_files(
                paths.iter().map(|p| ((*p).to_string(), Oid::zero())),
            )),
            ..TreeIndex::default()
        };
        for p in paths {
            idx.add_template_path(p);
        }
        for paths in idx.templates.values_mut().chain(idx.names.values_mut()) {
            paths.sort();
        }
        for svc in [Service::Lms, Service::Cms] {
            idx.statics.roots[slot(svc)] = fallback_roots(svc).unwrap();
        }
        let listing = idx.listing.clone();
        idx.statics.index_names(&listing, &["themes/".to_string()]);
        idx
    }

    const LMS_COMMON: &str = r#"
import os
from path import Path as path
PROJECT_ROOT = path(__file__).abspath().dirname().dirname()  # lms
REPO_ROOT = PROJECT_ROOT.dirname()
COMMON_ROOT = REPO_ROOT / "common"
XMODULE_ROOT = REPO_ROOT / 'xmodule'
NODE_MODULES_ROOT = REPO_ROOT / "node_modules"
STATICFILES_DIRS = [
    COMMON_ROOT / "static",
    PROJECT_ROOT / "static",  # the service's own
    NODE_MODULES_ROOT / "@edx",
    ("book", REPO_ROOT / "book_images"),
    os.path.join(XMODULE_ROOT, "static"),
]
FAVICON_PATH = 'images/favicon.ico'
DEFAULT_COURSE_ABOUT_IMAGE_URL = "images/pencils.jpg"
STATIC_URL = '/static/'
HOMEPAGE = "https://example.org/logo.png"
# DEFAULT_ORG_LOGO_URL = 'images/old.png'
DEFAULT_ORG_LOGO_URL = Derived(
    lambda settings: settings.STATIC_URL + 'images/logo.png'
)
"#;

    #[test]
    fn reads_static_roots_and_named_assets_from_settings() {
        assert_eq!(
            staticfiles_dirs(LMS_COMMON, Service::Lms),
            vec![
                "common/static",
                "lms/static",
                "node_modules/@edx",
                "xmodule/static"
            ]
        );
        let cms = LMS_COMMON.replace("# lms", "# cms");
        assert_eq!(staticfiles_dirs(&cms, Service::Cms)[1], "cms/static");
        assert_eq!(
            named_assets(LMS_COMMON),
            vec![
                ("FAVICON_PATH".to_string(), "images/favicon.ico".to_string()),
                (
                    "DEFAULT_COURSE_ABOUT_IMAGE_URL".to_string(),
                    "images/pencils.jpg".to_string()
                ),
                (
                    "DEFAULT_ORG_LOGO_URL".to_string(),
                    "images/logo.png".to_string()
                ),
            ]
        );
        // Nothing resolvable: no roots (the caller falls back to rules/theme-paths.toml).
        assert!(staticfiles_dirs("STATICFILES_DIRS = [ENV_ROOT / 'x']", Service::Lms).is_empty());
        assert!(staticfiles_dirs("X = 1", Service::Lms).is_empty());
    }

    #[test]
    fn static_requested_by_a_setting_or_a_sample_theme_is_not_misplaced() {
        let mut idx = index(&[
            "lms/static/images/favicon.ico",
            "lms/static/images/logo.png",
            "lms/static/images/studio-only.png",
            "cms/static/images/studio-logo.png",
        ]);
        idx.statics.requested[slot(Service::Cms)].insert(
            "images/favicon.ico".into(),
            "`FAVICON_PATH` in `cms/envs/common.py` names it".into(),
        );
        assert_eq!(
            map_static(&idx, Service::Cms, "images/favicon.ico"),
            Mapping::Requested("`FAVICON_PATH` in `cms/envs/common.py` names it".into())
        );
        assert_eq!(
            map_static(&idx, Service::Cms, "images/logo.png"),
            Mapping::Misplaced {
                original: "lms/static/images/logo.png".into(),
                should_be: Service::Lms
            }
        );
        // Same name in another directory of the service's roots.
        assert_eq!(
            map_static(&idx, Service::Lms, "logo.png"),
            Mapping::SameName(vec![(
                "lms/static/images/logo.png".into(),
                "images/logo.png".into()
            )])
        );
        // The other service's files are no candidates.
        assert_eq!(
            map_static(&idx, Service::Lms, "img/studio-logo.png"),
            Mapping::Addition
        );
    }

    #[test]
    fn maps_templates_through_the_roots() {
        let idx = index(&[
            "lms/templates/header/header.html",
            "common/templates/student/edx_ace/accountactivation/email/body.html",
            "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html",
            "cms/templates/widgets/footer.html",
            "cms/djangoapps/pipeline_js/templates/js/x.html",
        ]);
        let lms = Service::Lms;
        assert_eq!(
            map_template(&idx, lms, "header/header.html"),
            Mapping::Original("lms/templates/header/header.html".into())
        );
        assert_eq!(
            map_template(
                &idx,
                lms,
                "student/edx_ace/accountactivation/email/body.html"
            ),
            Mapping::Original(
                "common/templates/student/edx_ace/accountactivation/email/body.html".into()
            )
        );
        assert_eq!(
            map_template(&idx, lms, "ace_common/edx_ace/common/base_body.html"),
            Mapping::Original(
                "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html"
                    .into()
            )
        );
        assert_eq!(
            map_template(&idx, lms, "widgets/footer.html"),
            Mapping::Misplaced {
                original: "cms/templates/widgets/footer.html".into(),
                should_be: Service::Cms
            }
        );
        assert_eq!(
            map_template(&idx, Service::Cms, "widgets/footer.html"),
            Mapping::Original("cms/templates/widgets/footer.html".into())
        );
        assert_eq!(
            map_template(&idx, lms, "acme/promo.html"),
            Mapping::Addition
        );
        assert_eq!(
            map_template(&idx, lms, "js/x.html"),
            Mapping::Misplaced {
                original: "cms/djangoapps/pipeline_js/templates/js/x.html".into(),
                should_be: Service::Cms
            }
        );
    }

    #[test]
    fn same_name_in_another_directory() {
        let idx = index(&[
            "lms/templates/header/navbar-authenticated.html",
            "lms/templates/courseware/navbar-authenticated.html",
            "cms/templates/widgets/header.html",
            "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html",
        ]);
        assert_eq!(
            map_template(&idx, Service::Lms, "navbar-authenticated.html"),
            Mapping::SameName(vec![
                (
                    "lms/templates/courseware/navbar-authenticated.html".into(),
                    "courseware/navbar-authenticated.html".into()
                ),
                (
                    "lms/templates/header/navbar-authenticated.html".into(),
                    "header/navbar-authenticated.html".into()
                ),
            ])
        );
        assert_eq!(
            map_template(&idx, Service::Lms, "acme/base_body.html"),
            Mapping::SameName(vec![(
                "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html"
                    .into(),
                "ace_common/edx_ace/common/base_body.html".into()
            )])
        );
        // A Studio-only template of that name is no candidate for an LMS theme file.
        assert_eq!(
            map_template(&idx, Service::Lms, "acme/header.html"),
            Mapping::Addition
        );
    }

    #[test]
    fn maps_static_files() {
        let idx = index(&[
            "lms/static/images/logo.png",
            "common/static/js/vendor/x.js",
            "cms/static/sass/partials/cms/theme/_variables.scss",
        ]);
        assert_eq!(
            map_static(&idx, Service::Lms, "images/logo.png"),
            Mapping::Original("lms/static/images/logo.png".into())
        );
        assert_eq!(
            map_static(&idx, Service::Lms, "js/vendor/x.js"),
            Mapping::Original("common/static/js/vendor/x.js".into())
        );
        assert_eq!(
            map_static(
                &idx,
                Service::Lms,
                "sass/partials/cms/theme/_variables.scss"
            ),
            Mapping::Misplaced {
                original: "cms/static/sass/partials/cms/theme/_variables.scss".into(),
                should_be: Service::Cms
            }
        );
        assert_eq!(
            map_static(&idx, Service::Lms, "images/acme.png"),
            Mapping::Addition
        );
    }
}
