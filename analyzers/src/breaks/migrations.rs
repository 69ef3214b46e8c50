//! Django migrations the fork adds or edits, against the target release's migrations of the same
//! app (rules FC801–FC806, docs/upgrade-breaks.md "Migrations").
//!
//! A migration is `<app dir>/migrations/NNNN_<name>.py`; its app label is the `label = "…"` of
//! the app's `apps.py` (an `AppConfig.label` override) when the tree has one, else the app
//! directory's name (Django's default label). Its `dependencies`
//! and `replaces` lists are read with tree-sitter-python: `("app", "0002_x")` tuples; anything
//! else (`swappable_dependency(...)`, `__first__`) is ignored.
//!
//! The graph rule is Django's: with no migration applied (a squashed migration is used and the
//! migrations it replaces are removed from the graph, dependencies on them pointing at it), an
//! app's leaves are its migrations that no other migration of the same app depends on; more than
//! one leaf and `migrate` stops ("Conflicting migrations detected").

use std::collections::{BTreeMap, BTreeSet, HashMap};

use git2::Oid;
use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use super::{fork_files, service_of, text_of, walk_blobs, Against};
use crate::context::Context;
use crate::error::Result;
use crate::model::{Finding, Location, RuleId};
use crate::repo::Repo;

/// The `migrations` section of the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MigrationsSection {
    /// The release ref the migrations are judged against (`null`: no target in the repository).
    pub against: Option<String>,
    /// The fork's added and edited migrations, path order.
    pub migrations: Vec<ForkMigration>,
}

/// One migration the fork adds or edits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForkMigration {
    pub path: String,
    /// App label (`AppConfig.label` from the app's `apps.py`, else the app directory's name).
    pub app: String,
    /// `0003_coursecreator_org_limit`.
    pub name: String,
    /// `added` or `edited` (an upstream migration changed in place).
    pub status: String,
    /// The base release has migrations in this app (an upstream app).
    pub upstream_app: bool,
    /// `app.name` of each dependency.
    pub dependencies: Vec<String>,
    /// What the target does to it: `ok`, `leaf-clash`, `number-clash`, `depends-on-removed`,
    /// `depends-on-squashed`, `already-upstream`, `edited-upstream` (one per rule that fired),
    /// or `unknown` without a target.
    pub verdicts: Vec<String>,
}

/// `("app", "name")`.
pub type Key = (String, String);

/// What a migration file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    pub dependencies: Vec<Key>,
    pub replaces: Vec<Key>,
}

/// `(app dir, migration name)` of a migration path: `a/b/migrations/0001_x.py`.
pub fn migration_path(path: &str) -> Option<(&str, &str)> {
    let (dir, file) = path.rsplit_once('/')?;
    let app_dir = dir.strip_suffix("/migrations")?;
    let name = file.strip_suffix(".py")?;
    let bytes = name.as_bytes();
    let numbered = bytes.len() > 5 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'_';
    (numbered && !app_dir.is_empty()).then_some((app_dir, name))
}

/// Django's default label of an app: its directory's name.
fn dir_label(app_dir: &str) -> &str {
    app_dir.rsplit('/').next().unwrap_or(app_dir)
}

/// The `label = "…"` an `apps.py` gives its `AppConfig` (an assignment indented in a class body,
/// with a string literal that is a valid label); `None` when it sets none.
pub fn app_label(apps_py: &str) -> Option<String> {
    for line in apps_py.lines() {
        if !line.starts_with([' ', '\t']) {
            continue;
        }
        let Some(rest) = line.trim_start().strip_prefix("label") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim();
        let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            continue;
        };
        let inner = &rest[1..];
        let Some(end) = inner.find(quote) else {
            continue;
        };
        let label = &inner[..end];
        let valid = !label.is_empty()
            && !label.starts_with(|c: char| c.is_ascii_digit())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            return Some(label.to_string());
        }
    }
    None
}

/// The label of the app in `app_dir` at `commit`: its `apps.py`'s label, else the directory name.
fn label_at(repo: &Repo, commit: Oid, app_dir: &str) -> Result<String> {
    let apps = repo.text_at(commit, &format!("{app_dir}/apps.py"))?;
    Ok(apps
        .as_deref()
        .and_then(app_label)
        .unwrap_or_else(|| dir_label(app_dir).to_string()))
}

/// Parse a migration module's `dependencies` and `replaces` (class attributes of `Migration`,
/// or anywhere an assignment to those names holds a list of 2-string tuples).
pub fn declared(src: &str) -> Declared {
    let tree = crate::settings::python::parse(src);
    let mut out = Declared::default();
    let Some(tree) = tree else { return out };
    let bytes = src.as_bytes();
    let mut cursor = tree.root_node().walk();
    loop {
        let node = cursor.node();
        if node.kind() == "assignment" {
            let left = node.child_by_field_name("left");
            let right = node.child_by_field_name("right");
            if let (Some(left), Some(right)) = (left, right) {
                let name = left.utf8_text(bytes).unwrap_or("");
                let slot = match name {
                    "dependencies" => Some(&mut out.dependencies),
                    "replaces" => Some(&mut out.replaces),
                    _ => None,
                };
                if let Some(slot) = slot {
                    if matches!(right.kind(), "list" | "tuple") {
                        slot.extend(pairs(right, bytes));
                    }
                }
            }
        }
        // Function bodies hold no declarations; everything else is searched.
        let descend = node.kind() != "function_definition" && cursor.goto_first_child();
        if descend {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

fn pairs(list: Node<'_>, src: &[u8]) -> Vec<Key> {
    let mut out = Vec::new();
    let mut c = list.walk();
    for item in list.named_children(&mut c) {
        if !matches!(item.kind(), "tuple" | "list") {
            continue;
        }
        let mut c2 = item.walk();
        let strings: Vec<String> = item
            .named_children(&mut c2)
            .filter(|n| n.kind() == "string")
            .filter_map(|n| string_value(n, src))
            .collect();
        if strings.len() == 2 && item.named_child_count() == 2 {
            out.push((strings[0].clone(), strings[1].clone()));
        }
    }
    out
}

fn string_value(node: Node<'_>, src: &[u8]) -> Option<String> {
    let mut c = node.walk();
    let mut s = String::new();
    for part in node.named_children(&mut c) {
        match part.kind() {
            "string_content" => s.push_str(part.utf8_text(src).ok()?),
            "string_start" | "string_end" => {}
            _ => return None, // interpolation: not a literal
        }
    }
    Some(s)
}

/// One app's migrations in a release tree.
#[derive(Debug, Clone, Default)]
struct App {
    dir: String,
    /// Its label in this tree.
    label: String,
    /// name → blob.
    files: BTreeMap<String, Oid>,
}

/// Every app with migrations in a tree, by label (labels can repeat: `api`).
#[derive(Debug, Default)]
struct Index {
    apps: HashMap<String, Vec<App>>,
    /// App directory → its label.
    labels: HashMap<String, String>,
}

impl Index {
    fn build(ctx: &Context, commit: Oid) -> Result<Index> {
        let repo = &ctx.repo;
        let files = walk_blobs(ctx, commit, &|root, name| {
            root.ends_with("/migrations/") && migration_path(&format!("{root}{name}")).is_some()
        })?;
        let mut by_dir: BTreeMap<String, App> = BTreeMap::new();
        for (path, oid) in files {
            if let Some((dir, name)) = migration_path(&path) {
                let app = by_dir.entry(dir.to_string()).or_insert_with(|| App {
                    dir: dir.to_string(),
                    label: String::new(),
                    files: BTreeMap::new(),
                });
                app.files.insert(name.to_string(), oid);
            }
        }
        let mut apps: HashMap<String, Vec<App>> = HashMap::new();
        let mut labels = HashMap::new();
        for (dir, mut app) in by_dir {
            app.label = label_at(repo, commit, &dir)?;
            labels.insert(dir, app.label.clone());
            apps.entry(app.label.clone()).or_default().push(app);
        }
        Ok(Index { apps, labels })
    }

    fn by_dir(&self, dir: &str) -> Option<&App> {
        self.apps
            .get(self.labels.get(dir)?)?
            .iter()
            .find(|a| a.dir == dir)
    }

    /// The app a dependency's label names: the one in `prefer_dir` if it has that label, else
    /// the only (or first) app with the label.
    fn by_label(&self, label: &str, prefer_dir: &str) -> Option<&App> {
        let apps = self.apps.get(label)?;
        apps.iter()
            .find(|a| a.dir == prefer_dir)
            .or_else(|| apps.first())
    }
}

/// Parsed declarations, cached by blob.
struct Parsed<'r> {
    repo: &'r Repo,
    cache: HashMap<Oid, Declared>,
}

impl Parsed<'_> {
    fn get(&mut self, oid: Oid) -> Result<&Declared> {
        if !self.cache.contains_key(&oid) {
            let d = text_of(self.repo, oid)?
                .map(|t| declared(&t))
                .unwrap_or_default();
            self.cache.insert(oid, d);
        }
        Ok(&self.cache[&oid])
    }
}

/// Django's leaf rule on one app's migrations, none applied: `nodes` are (name, declared); a
/// squashed migration replaces the nodes it lists (dependencies on them point at it). Returns
/// the leaves, sorted.
pub fn leaves(app: &str, nodes: &[(String, Declared)]) -> Vec<String> {
    let mut present: BTreeSet<&str> = nodes.iter().map(|(n, _)| n.as_str()).collect();
    let mut remap: HashMap<&str, &str> = HashMap::new();
    for (name, d) in nodes {
        for (a, r) in &d.replaces {
            if a == app {
                present.remove(r.as_str());
                remap.insert(r.as_str(), name.as_str());
            }
        }
    }
    let mut has_child: BTreeSet<&str> = BTreeSet::new();
    for (name, d) in nodes {
        if !present.contains(name.as_str()) {
            continue;
        }
        for (a, dep) in &d.dependencies {
            if a != app {
                continue;
            }
            let parent = remap.get(dep.as_str()).copied().unwrap_or(dep.as_str());
            if parent != name {
                has_child.insert(parent);
            }
        }
    }
    present
        .into_iter()
        .filter(|n| !has_child.contains(n))
        .map(str::to_string)
        .collect()
}

struct Fork {
    path: String,
    dir: String,
    app: String,
    name: String,
    blob: Oid,
    edited: bool,
    declared: Declared,
}

/// Run the migration checks against `against` (see the module documentation).
pub fn analyze(
    ctx: &Context,
    against: &Against,
    findings: &mut Vec<Finding>,
) -> Result<Option<MigrationsSection>> {
    let repo = &ctx.repo;
    let mut fork = Vec::new();
    for (path, old, new) in fork_files(ctx)? {
        let Some((dir, name)) = migration_path(&path) else {
            continue;
        };
        let Some(text) = text_of(repo, new)? else {
            continue;
        };
        fork.push(Fork {
            app: label_at(repo, ctx.head, dir)?,
            dir: dir.to_string(),
            name: name.to_string(),
            path: path.clone(),
            blob: new,
            edited: old.is_some(),
            declared: declared(&text),
        });
    }
    if fork.is_empty() {
        return Ok(None);
    }
    let base = Index::build(ctx, ctx.base_oid)?;
    let target = against.oid.map(|oid| Index::build(ctx, oid)).transpose()?;
    let rev = against.label();
    let mut judge = Judge {
        ctx,
        fork: &fork,
        base: &base,
        rev: &rev,
        parsed: Parsed {
            repo,
            cache: HashMap::new(),
        },
    };
    let mut section = MigrationsSection {
        against: against.rev.clone(),
        migrations: Vec::new(),
    };
    for m in &fork {
        let upstream_app = base.by_dir(&m.dir).is_some_and(|a| {
            a.files.keys().any(|n| {
                !fork
                    .iter()
                    .any(|f| f.dir == m.dir && &f.name == n && !f.edited)
            })
        });
        let mut verdicts = Vec::new();
        if m.edited {
            verdicts.push("edited-upstream".to_string());
            findings.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC806),
                    &m.path,
                    format!(
                        "upstream migration `{}.{}` is edited in place: databases that ran \
                         upstream's version never run the edit; restore it (`git checkout {} -- \
                         {}`) and put the change into a new migration",
                        m.app, m.name, ctx.base.rev, m.path
                    ),
                )
                .subject(&m.name)
                .data("app", m.app.clone())
                .data("migration", m.name.clone())
                .build(),
            );
        } else if let Some(target) = &target {
            judge.dependencies(m, target, findings, &mut verdicts)?;
            if upstream_app {
                if let Some(app) = target.by_dir(&m.dir) {
                    judge.in_app(m, app, findings, &mut verdicts)?;
                }
            }
        } else if upstream_app {
            findings.push(unjudged(ctx, m));
        }
        if verdicts.is_empty() {
            verdicts.push(if target.is_some() { "ok" } else { "unknown" }.to_string());
        }
        section.migrations.push(ForkMigration {
            path: m.path.clone(),
            app: m.app.clone(),
            name: m.name.clone(),
            status: if m.edited { "edited" } else { "added" }.to_string(),
            upstream_app,
            dependencies: m
                .declared
                .dependencies
                .iter()
                .map(|(a, n)| format!("{a}.{n}"))
                .collect(),
            verdicts,
        });
    }
    Ok(Some(section))
}

/// FC807: a fork migration in an upstream app, with no target release to judge it against.
fn unjudged(ctx: &Context, m: &Fork) -> Finding {
    let parents: Vec<&str> = m
        .declared
        .dependencies
        .iter()
        .filter(|(a, _)| *a == m.app)
        .map(|(_, n)| n.as_str())
        .collect();
    let parent = match parents.as_slice() {
        [] => "no parent in the app".to_string(),
        [p] => format!("parent `{}.{p}`", m.app),
        many => format!(
            "parents {}",
            many.iter()
                .map(|p| format!("`{}.{p}`", m.app))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let after = parents
        .first()
        .map(|p| format!(" after `{p}`"))
        .unwrap_or_default();
    Finding::new(
        ctx.rules.rule(RuleId::FC807),
        &m.path,
        format!(
            "the fork adds `{}.{}` to upstream app `{}` ({parent}) and the repository holds no \
             target release to judge it: at the upgrade, list the target's migrations of `{}` \
             ({}/migrations/): one{after} means a second leaf (`./manage.py {} makemigrations \
             --merge {}`), the number {} taken means renumbering the fork's",
            m.app,
            m.name,
            m.app,
            m.app,
            m.dir,
            service_of(&m.path),
            m.app,
            &m.name[..4]
        ),
    )
    .subject(&m.name)
    .data("app", m.app.clone())
    .data("migration", m.name.clone())
    .data(
        "parents",
        serde_json::Value::from(parents.iter().map(|p| p.to_string()).collect::<Vec<_>>()),
    )
    .build()
}

fn target_loc(dir: &str, name: &str, rev: &str, note: Option<String>) -> Location {
    Location {
        path: format!("{dir}/migrations/{name}.py"),
        line: None,
        rev: Some(rev.to_string()),
        note,
    }
}

/// What every fork migration is judged with: the run, the fork's migrations, the base's
/// migrations, the release judged against and the parsed-migration cache.
struct Judge<'a, 'r> {
    ctx: &'a Context,
    fork: &'a [Fork],
    base: &'a Index,
    rev: &'a str,
    parsed: Parsed<'r>,
}

impl Judge<'_, '_> {
    /// FC803 / FC804: dependencies on upstream migrations the target squashed or no longer has.
    fn dependencies(
        &mut self,
        m: &Fork,
        target: &Index,
        findings: &mut Vec<Finding>,
        verdicts: &mut Vec<String>,
    ) -> Result<()> {
        let (ctx, base, rev, parsed) = (self.ctx, self.base, self.rev, &mut self.parsed);
        for (label, dep) in &m.declared.dependencies {
            let Some(base_app) = base.by_label(label, &m.dir) else {
                continue;
            };
            if !base_app.files.contains_key(dep) {
                continue; // not an upstream migration of the base (the fork's own, or `__first__`)
            }
            let Some(app) = target.by_dir(&base_app.dir) else {
                continue; // the whole app is gone: the deprecations analysis reports its imports
            };
            // A target migration that replaces it (a squash).
            let mut squash = None;
            for (name, oid) in &app.files {
                if parsed
                    .get(*oid)?
                    .replaces
                    .iter()
                    .any(|(a, r)| a == label && r == dep)
                {
                    squash = Some(name.clone());
                    break;
                }
            }
            let present = app.files.contains_key(dep);
            match (present, squash) {
                (_, Some(squash)) => {
                    verdicts.push("depends-on-squashed".into());
                    let gone = if present {
                        "still ships it beside the squash"
                    } else {
                        "has deleted it and resolves the dependency through the squash's `replaces`"
                    };
                    findings.push(
                        Finding::new(
                            ctx.rules.rule(RuleId::FC804),
                            &m.path,
                            format!(
                                "`{}.{}` depends on `{label}.{dep}`, which {rev} squashed into \
                             `{squash}` ({rev} {gone}); depend on `(\"{label}\", \"{squash}\")` \
                             before upstream drops the squash's `replaces`",
                                m.app, m.name
                            ),
                        )
                        .subject(format!("{}|{label}.{dep}", m.name))
                        .target_location(target_loc(&app.dir, &squash, rev, None))
                        .data("dependency", format!("{label}.{dep}"))
                        .data("replacement", squash.clone())
                        .build(),
                    );
                }
                (true, None) => {}
                (false, None) => {
                    verdicts.push("depends-on-removed".into());
                    let suffix = &dep[dep.len().min(5)..];
                    let renumbered = app
                        .files
                        .keys()
                        .find(|n| n.len() > 5 && &n[5..] == suffix)
                        .cloned();
                    let leaf = leaves(
                        label,
                        &app.files
                            .iter()
                            .map(|(n, o)| Ok((n.clone(), parsed.get(*o)?.clone())))
                            .collect::<Result<Vec<_>>>()?,
                    );
                    let (how, point_at) = match (&renumbered, leaf.first()) {
                        (Some(r), _) => (format!("renumbered as `{r}`"), Some(r.clone())),
                        (None, Some(l)) => (
                            format!("removed (squashed or deleted; the app's leaf is now `{l}`)"),
                            Some(l.clone()),
                        ),
                        (None, None) => ("removed".to_string(), None),
                    };
                    let fix = point_at
                        .as_ref()
                        .map(|p| format!("; depend on `(\"{label}\", \"{p}\")` instead"))
                        .unwrap_or_default();
                    let mut f = Finding::new(
                        ctx.rules.rule(RuleId::FC803),
                        &m.path,
                        format!(
                        "`{}.{}` depends on `{label}.{dep}`, which {rev} no longer has: {how}; \
                         Django stops with NodeNotFoundError{fix}",
                        m.app, m.name
                    ),
                    )
                    .subject(format!("{}|{label}.{dep}", m.name))
                    .data("dependency", format!("{label}.{dep}"));
                    if let Some(p) = &point_at {
                        f = f
                            .target_location(target_loc(&app.dir, p, rev, None))
                            .data("replacement", p.clone());
                    }
                    findings.push(f.build());
                }
            }
        }
        Ok(())
    }

    /// FC801 / FC802 / FC805 for a fork migration in an upstream app whose target has the app.
    fn in_app(
        &mut self,
        m: &Fork,
        app: &App,
        findings: &mut Vec<Finding>,
        verdicts: &mut Vec<String>,
    ) -> Result<()> {
        let (ctx, fork, base, rev, parsed) =
            (self.ctx, self.fork, self.base, self.rev, &mut self.parsed);
        let base_app = base.by_dir(&m.dir);
        let in_base = |name: &str| base_app.is_some_and(|a| a.files.contains_key(name));
        // Same name in the target.
        if let Some(oid) = app.files.get(&m.name) {
            if *oid == m.blob {
                verdicts.push("already-upstream".into());
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC805),
                        &m.path,
                        format!(
                        "`{}.{}` is in {rev} with the same content: drop the fork's copy at the \
                         upgrade (databases already record it as applied)",
                        m.app, m.name
                    ),
                    )
                    .subject(&m.name)
                    .target_location(target_loc(&app.dir, &m.name, rev, None))
                    .data("upstream", m.name.clone())
                    .build(),
                );
            } else {
                verdicts.push("number-clash".into());
                findings.push(
                    Finding::new(
                        ctx.rules.rule(RuleId::FC802),
                        &m.path,
                        format!(
                        "{rev} ships `{}.{}` with other content: databases that ran the fork's \
                         version record it as applied and never run upstream's; rename the \
                         fork's migration, and on those databases run upstream's changes by hand \
                         or `migrate {} {} --fake` after checking the schema",
                        m.app, m.name, m.app, m.name
                    ),
                    )
                    .subject(&m.name)
                    .target_location(target_loc(&app.dir, &m.name, rev, None))
                    .data("upstream", m.name.clone())
                    .build(),
                );
            }
            return Ok(());
        }
        // Same content under another name, added by the target.
        if let Some((name, _)) = app.files.iter().find(|(n, o)| **o == m.blob && !in_base(n)) {
            verdicts.push("already-upstream".into());
            findings.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC805),
                    &m.path,
                    format!(
                        "`{}.{}` is in {rev} as `{name}` with the same content: drop the fork's \
                     file and, on databases that ran it, `./manage.py {} migrate {} {name} \
                     --fake` once",
                        m.app,
                        m.name,
                        service_of(&m.path),
                        m.app
                    ),
                )
                .subject(&m.name)
                .target_location(target_loc(&app.dir, name, rev, None))
                .data("upstream", name.clone())
                .build(),
            );
            return Ok(());
        }
        // The app's graph in the target with the fork's migrations of the app carried over (those
        // the target ships already count once).
        let mut nodes: Vec<(String, Declared)> = Vec::new();
        for (name, oid) in &app.files {
            nodes.push((name.clone(), parsed.get(*oid)?.clone()));
        }
        for f in fork.iter().filter(|f| f.dir == m.dir && !f.edited) {
            let shipped = app.files.contains_key(&f.name)
                || app.files.iter().any(|(n, o)| *o == f.blob && !in_base(n));
            if !shipped {
                nodes.push((f.name.clone(), f.declared.clone()));
            }
        }
        let leaf = leaves(&app.label, &nodes);
        if leaf.len() > 1 && leaf.contains(&m.name) {
            verdicts.push("leaf-clash".into());
            let others: Vec<&String> = leaf.iter().filter(|l| **l != m.name).collect();
            let names = others
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Finding::new(
                ctx.rules.rule(RuleId::FC801),
                &m.path,
                format!(
                "at {rev} app `{}` has {} leaf migrations: the fork's `{}` and {rev}'s {names}; \
                 `migrate` stops with \"Conflicting migrations detected\" until you run \
                 `./manage.py {} makemigrations --merge {}` and commit the merge migration",
                m.app,
                leaf.len(),
                m.name,
                service_of(&m.path),
                m.app
            ),
            )
            .subject(&m.name)
            .data("leaves", serde_json::Value::from(leaf.to_vec()));
            if let Some(first) = others.first() {
                f = f.target_location(target_loc(&app.dir, first, rev, None));
            }
            for o in others.iter().skip(1) {
                f = f.related(target_loc(&app.dir, o, rev, None));
            }
            findings.push(f.build());
        }
        // Same number as a migration the target has under another name.
        let number = &m.name[..4];
        let clash: Vec<&String> = app
            .files
            .keys()
            .filter(|n| n.starts_with(number) && **n != m.name && !in_base(n))
            .collect();
        if let Some(first) = clash.first() {
            verdicts.push("number-clash".into());
            findings.push(
                Finding::new(
                    ctx.rules.rule(RuleId::FC802),
                    &m.path,
                    format!(
                        "`{}.{}` has the number {number} that {rev} gives `{first}`: renumber the \
                     fork's migration after {rev}'s last one of the app (and fix the \
                     dependencies on it)",
                        m.app, m.name
                    ),
                )
                .subject(format!("{}|{first}", m.name))
                .target_location(target_loc(&app.dir, first, rev, None))
                .data("upstream", (*first).clone())
                .build(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_reads_dependencies_and_replaces() {
        let src = r#"
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("grades", "0001_initial"), ('grades', '0002_x')]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("course_creators", "0002_coursecreator_email"),
        ('student', f"{x}"),
    ]

    operations = []
"#;
        let d = declared(src);
        assert_eq!(
            d.dependencies,
            vec![(
                "course_creators".to_string(),
                "0002_coursecreator_email".to_string()
            )]
        );
        assert_eq!(d.replaces.len(), 2);
        assert_eq!(declared("dependencies = ["), Declared::default());
    }

    #[test]
    fn app_labels_come_from_apps_py() {
        let apps = "from django.apps import AppConfig\n\n\nclass C(AppConfig):\n    name = \"lms.djangoapps.learner_home\"\n    label = \"learner_dashboard\"\n";
        assert_eq!(app_label(apps).as_deref(), Some("learner_dashboard"));
        assert_eq!(
            app_label("class C(AppConfig):\n    label='x_1'\n").as_deref(),
            Some("x_1")
        );
        assert_eq!(app_label("label = \"top_level\"\n"), None);
        assert_eq!(app_label("class C:\n    label = name\n"), None);
        assert_eq!(app_label("class C:\n    label = \"bad label\"\n"), None);
        assert_eq!(app_label("class C:\n    label == \"x\"\n"), None);
        assert_eq!(app_label("class C:\n    label = \"unterminated\n"), None);
        assert_eq!(dir_label("lms/djangoapps/grades"), "grades");
    }

    #[test]
    fn migration_paths() {
        assert_eq!(
            migration_path("cms/djangoapps/course_creators/migrations/0003_x.py"),
            Some(("cms/djangoapps/course_creators", "0003_x"))
        );
        assert_eq!(migration_path("a/migrations/__init__.py"), None);
        assert_eq!(migration_path("migrations/0001_x.py"), None);
        assert_eq!(migration_path("a/migrations/0001_x.pyc"), None);
    }

    fn dep(app: &str, n: &str) -> Key {
        (app.to_string(), n.to_string())
    }

    #[test]
    fn leaves_follow_squashes() {
        let node = |name: &str, deps: Vec<Key>, replaces: Vec<Key>| {
            (
                name.to_string(),
                Declared {
                    dependencies: deps,
                    replaces,
                },
            )
        };
        let nodes = vec![
            node("0001_initial", vec![], vec![]),
            node("0002_a", vec![dep("x", "0001_initial")], vec![]),
            node("0003_b", vec![dep("x", "0002_a")], vec![]),
            node("0003_c", vec![dep("x", "0002_a")], vec![]),
        ];
        assert_eq!(leaves("x", &nodes), vec!["0003_b", "0003_c"]);
        let squashed = vec![
            node("0001_initial", vec![], vec![]),
            node("0002_a", vec![dep("x", "0001_initial")], vec![]),
            node(
                "0001_squashed_0002_a",
                vec![],
                vec![dep("x", "0001_initial"), dep("x", "0002_a")],
            ),
            node("0003_b", vec![dep("x", "0002_a")], vec![]),
        ];
        assert_eq!(leaves("x", &squashed), vec!["0003_b"]);
    }
}
