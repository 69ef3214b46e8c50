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

mod index;
mod judge;
mod parse;

pub use index::leaves;
use index::{App, Index, Parsed};
use judge::Judge;
use parse::dir_label;
pub use parse::{app_label, declared, migration_path, Declared, Key};

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

/// The label of the app in `app_dir` at `commit`: its `apps.py`'s label, else the directory name.
fn label_at(repo: &Repo, commit: Oid, app_dir: &str) -> Result<String> {
    let apps = repo.text_at(commit, &format!("{app_dir}/apps.py"))?;
    Ok(apps
        .as_deref()
        .and_then(app_label)
        .unwrap_or_else(|| dir_label(app_dir).to_string()))
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
