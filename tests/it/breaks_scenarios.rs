//! The migrations, dependencies and deprecations analyses on fixture scenarios: findings equal
//! `fixtures/scenarios/<name>/breaks.toml` exactly, against sumac.2 and against ulmo.2; the leaf
//! rule agrees with a stdlib-only Python re-implementation of Django's graph leaf rule over the
//! same migration files; `plan` puts each break at the hop where it first bites.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use forkcheck_analyzers::breaks::migrations::{declared, leaves, migration_path};
use forkcheck_analyzers::report::Kind;
use forkcheck_analyzers::{Analysis, Context, NoProgress, OpenOptions};
use forkcheck_fixtures::{scenario_dir, shared, Scenario};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFile {
    scenario: String,
    #[serde(default)]
    sumac: Vec<Expected>,
    #[serde(default)]
    ulmo: Vec<Expected>,
    /// With no target: a copy of the scenario without the releases after its base.
    #[serde(default)]
    none: Option<Vec<Expected>>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    path: String,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    api: Option<String>,
    #[serde(default)]
    dependency: Option<String>,
}

const BREAKS: [Analysis; 3] = [
    Analysis::Migrations,
    Analysis::Dependencies,
    Analysis::Deprecations,
];

fn run(fork: &Path, to: &str) -> forkcheck_analyzers::Report {
    let mut opts = OpenOptions::new(fork);
    opts.to = (!to.is_empty()).then(|| to.to_string());
    opts.only = Some(BREAKS.to_vec());
    let ctx = Context::open(&opts).expect("open");
    forkcheck_analyzers::run(&ctx, &NoProgress).expect("run")
}

fn found(report: &forkcheck_analyzers::Report) -> BTreeSet<Expected> {
    let s = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                Kind::Migration | Kind::Dependency | Kind::Deprecation
            )
        })
        .map(|f| Expected {
            rule: f.rule.clone(),
            path: f.path.clone(),
            line: f.line,
            key: f.key.clone(),
            target: f.target_location.as_ref().map(|l| l.path.clone()),
            api: s(f.data.get("api")),
            dependency: s(f.data.get("dependency")),
        })
        .collect()
}

fn check(scenario: Scenario) {
    let path = scenario_dir(scenario).join("breaks.toml");
    let text = std::fs::read_to_string(&path).expect("breaks.toml");
    let exp: ExpectedFile = toml::from_str(&text).expect("parse breaks.toml");
    assert_eq!(exp.scenario, scenario.name());
    let g = shared(scenario);
    for (to, want) in [("sumac", &exp.sumac), ("ulmo", &exp.ulmo)] {
        let report = run(&g.fork, to);
        let want: BTreeSet<Expected> = want.iter().cloned().collect();
        let got = found(&report);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{scenario} → {to}:\nmissing {missing:#?}\nextra {extra:#?}"
        );
    }
    if let Some(want) = &exp.none {
        let (_tmp, fork) = crate::common::without_later_releases(scenario);
        let report = run(&fork, "");
        assert!(report.target.is_none(), "{scenario}: a target was found");
        let want: BTreeSet<Expected> = want.iter().cloned().collect();
        let got = found(&report);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{scenario} without a target:\nmissing {missing:#?}\nextra {extra:#?}"
        );
    }
}

#[test]
fn breaks_scenario_findings_are_exact() {
    check(Scenario::Breaks);
}

#[test]
fn typical_scenario_findings_are_exact() {
    check(Scenario::Typical);
}

#[test]
fn sections_describe_the_fork_s_changes() {
    let g = shared(Scenario::Breaks);
    let report = run(&g.fork, "sumac");
    let m = report
        .breaks
        .migrations
        .as_ref()
        .expect("migrations section");
    let verdicts: BTreeMap<&str, Vec<&str>> = m
        .migrations
        .iter()
        .map(|x| {
            (
                x.name.as_str(),
                x.verdicts.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        verdicts["0003_coursecreator_org_limit"],
        ["leaf-clash", "number-clash"]
    );
    assert_eq!(verdicts["0002_verification_expiry"], ["already-upstream"]);
    // home_page's label is learner_homepage (apps.py): one leaf, the fork's.
    assert_eq!(verdicts["0003_dashboardlayout_banner"], ["ok"]);
    let banner = m
        .migrations
        .iter()
        .find(|x| x.name == "0003_dashboardlayout_banner")
        .unwrap();
    assert_eq!(banner.app, "learner_homepage");
    let d = report.breaks.deprecations.as_ref().expect("deprecations");
    assert_eq!(d.base_django.as_deref(), Some("4.2.13"));
    assert_eq!(d.target_django.as_deref(), Some("4.2.16"));
    assert!(d.uses.iter().any(|u| u.theme && u.already_broken));
    let p = report.breaks.dependencies.as_ref().expect("dependencies");
    let lxml = p.packages.iter().find(|p| p.package == "lxml").unwrap();
    assert_eq!(
        (lxml.action.as_str(), lxml.target_constraint.as_deref()),
        ("bumped", Some("<5.3"))
    );
    // npm: the versions the fork's (lockfile v1) and sumac's (v3) package-lock.json resolve.
    let moment = p.packages.iter().find(|p| p.package == "moment").unwrap();
    assert_eq!(
        (
            moment.fork.as_str(),
            moment.fork_resolved.as_deref(),
            moment.target_resolved.as_deref()
        ),
        ("2.29.4", Some("2.29.4"), Some("2.30.1"))
    );
    let entries: Vec<(&str, &str, &str, Vec<&str>)> = p
        .entry_points
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.name.as_str(),
                e.action.as_str(),
                e.verdicts.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "setup.cfg",
                "acme-badges",
                "added",
                vec!["module-removed-by-target"]
            ),
            ("setup.py", "wiki", "edited", vec!["renamed-by-target"]),
            ("setup.py", "acme_progress", "added", vec!["plugin"]),
        ]
    );
}

/// Django's leaf rule, re-implemented in Python from the framework's documented behaviour (stdlib
/// only): parse each migration's `dependencies` and `replaces` with `ast`; a squash stands for
/// the migrations it replaces (dependencies on them point at it); a leaf is a migration of the
/// app that no other migration of the app depends on. Prints the sorted leaves as JSON.
const PY_LEAVES: &str = r#"
import ast, json, os, sys

root, app = sys.argv[1], sys.argv[2]
nodes = {}
for name in sorted(os.listdir(root)):
    if not (name.endswith(".py") and name[:4].isdigit() and name[4] == "_"):
        continue
    with open(os.path.join(root, name), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    declared = {"dependencies": [], "replaces": []}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in declared:
                if isinstance(node.value, (ast.List, ast.Tuple)):
                    for elt in node.value.elts:
                        if isinstance(elt, (ast.Tuple, ast.List)) and len(elt.elts) == 2:
                            try:
                                pair = tuple(ast.literal_eval(elt))
                            except ValueError:
                                continue
                            declared[target.id].append(pair)
    nodes[name[:-3]] = declared

present = set(nodes)
remap = {}
for name, d in nodes.items():
    for a, replaced in d["replaces"]:
        if a == app:
            present.discard(replaced)
            remap[replaced] = name
parents = set()
for name in present:
    for a, dep in nodes[name]["dependencies"]:
        if a == app:
            parent = remap.get(dep, dep)
            if parent != name:
                parents.add(parent)
print(json.dumps(sorted(n for n in present if n not in parents)))
"#;

fn python_leaves(dir: &Path, app: &str) -> Vec<String> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PY_LEAVES)
        .arg(dir)
        .arg(app)
        .output()
        .expect("python3 must be installed for this test: apt-get install python3");
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python output")
}

/// Every migration file of `app_dir` at `rev`, plus the fork's added ones not already there.
fn app_files(
    repo: &git2::Repository,
    rev: &str,
    base: &str,
    app_dir: &str,
) -> Vec<(String, String)> {
    let read_dir = |rev: &str| -> BTreeMap<String, String> {
        let tree = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .expect("tree");
        let mut out = BTreeMap::new();
        let Ok(entry) = tree.get_path(Path::new(&format!("{app_dir}/migrations"))) else {
            return out;
        };
        let sub = repo.find_tree(entry.id()).expect("migrations dir");
        for e in sub.iter() {
            let name = e.name().unwrap_or_default().to_string();
            let path = format!("{app_dir}/migrations/{name}");
            if let Some((_, stem)) = migration_path(&path) {
                let blob = repo.find_blob(e.id()).expect("blob");
                out.insert(
                    stem.to_string(),
                    String::from_utf8_lossy(blob.content()).into_owned(),
                );
            }
        }
        out
    };
    let mut files = read_dir(rev);
    let base_files = read_dir(base);
    for (name, text) in read_dir("HEAD") {
        let shipped = files.contains_key(&name) || files.values().any(|t| *t == text);
        if !base_files.contains_key(&name) && !shipped {
            files.insert(name, text);
        }
    }
    files.into_iter().collect()
}

#[test]
fn leaf_rule_agrees_with_a_python_reimplementation_of_django_s() {
    let g = shared(Scenario::Breaks);
    let repo = git2::Repository::open(&g.fork).expect("open");
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = "open-release/redwood.2";
    let mut compared = 0;
    for (to, rev) in [
        ("sumac", "open-release/sumac.2"),
        ("teak", "release/teak.2"),
        ("ulmo", "release/ulmo.2"),
    ] {
        let report = run(&g.fork, to);
        for (app_dir, app) in [
            ("cms/djangoapps/course_creators", "course_creators"),
            ("lms/djangoapps/grades", "grades"),
            ("lms/djangoapps/id_verification", "id_verification"),
            // AppConfig.label differs from the directory (its apps.py).
            ("lms/djangoapps/home_page", "learner_homepage"),
        ] {
            let files = app_files(&repo, rev, base, app_dir);
            let dir = tmp.path().join(format!("{to}-{app}"));
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &files {
                std::fs::write(dir.join(format!("{name}.py")), text).unwrap();
            }
            let nodes: Vec<_> = files
                .iter()
                .map(|(n, t)| (n.clone(), declared(t)))
                .collect();
            let ours = leaves(app, &nodes);
            let django = python_leaves(&dir, app);
            assert_eq!(ours, django, "{app} at {rev}");
            // The analysis reports a clash exactly when the rule finds two leaves, naming them.
            let clash = report
                .findings
                .iter()
                .find(|f| f.rule == "FC801" && f.path.starts_with(&format!("{app_dir}/")));
            match clash {
                Some(f) => {
                    let named: Vec<String> =
                        serde_json::from_value(f.data["leaves"].clone()).unwrap();
                    assert_eq!(named, django, "{app} at {rev}");
                }
                None => assert_eq!(django.len(), 1, "{app} at {rev}: {django:?}"),
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 12);
}

#[test]
fn plan_puts_each_break_at_the_hop_where_it_first_bites() {
    let g = shared(Scenario::Breaks);
    let out = crate::common::run(
        crate::common::forkcheck()
            .args(["plan", "--to", "ulmo", "--format", "json", "--repo"])
            .arg(&g.fork),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let bites = |i: usize| -> Vec<String> {
        plan["hops"][i]["first_bites"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let hops: Vec<&str> = plan["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        hops,
        ["open-release/sumac.2", "release/teak.2", "release/ulmo.2"]
    );
    let sumac = bites(0);
    assert!(sumac.contains(
        &"cms/djangoapps/course_creators/migrations/0003_coursecreator_org_limit.py (migration-leaf-clash)".to_string()
    ));
    assert!(sumac.contains(
        &"lms/djangoapps/acme_progress/migrations/0001_initial.py (migration-depends-on-squashed)"
            .to_string()
    ));
    for bite in [
        "setup.py (entry-point-broken-by-target)",
        "setup.cfg (entry-point-broken-by-target)",
        "package.json (npm-lock-past-pin)",
    ] {
        assert!(sumac.contains(&bite.to_string()), "{bite}: {sumac:?}");
    }
    // Teak changes nothing the fork's breaks depend on (lxml 5.3.0 is teak's own pin).
    assert_eq!(bites(1), Vec::<String>::new());
    let mut ulmo = bites(2);
    ulmo.sort();
    assert_eq!(
        ulmo,
        [
            "lms/djangoapps/acme_progress/migrations/0001_initial.py (migration-depends-on-removed)",
            "lms/djangoapps/acme_progress/views.py (removed-django-api)",
            "lms/envs/acme_docker.py (removed-upstream-api)",
            "requirements/edx/base.txt (pin-behind-target)",
            "themes/acme/lms/templates/emails/course_digest.txt (removed-django-api)",
        ]
    );
}

#[test]
fn every_format_shows_the_breaks() {
    let g = shared(Scenario::Breaks);
    let render = |format: &str| {
        let out = crate::common::run(
            crate::common::forkcheck()
                .args(["report", "--fail-on", "never", "--format", format, "--repo"])
                .arg(&g.fork),
        );
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        out.stdout
    };
    let terminal = render("terminal");
    for needle in [
        "Migrations  against open-release/sumac.2",
        "0003_coursecreator_org_limit.py  added (upstream app)  leaf-clash, number-clash",
        "Dependency pins  against open-release/sumac.2",
        "lxml bumped ==5.2.2 → ==5.3.0  target ==5.2.2 (constraint <5.3)",
        "Removed APIs  against open-release/sumac.2, Django 4.2.16",
        "footer.html:4  ugettext  Django 4.0, first release: quince (already at the base) [theme]",
        "makemigrations --merge course_creators",
        "package.json:7  moment added 2.29.4  not in the target  lock 2.29.4 → 2.30.1",
        "setup.py:14  entry point openedx.course_tab wiki = lms.djangoapps.acme_progress.wiki:AcmeWikiTab  edited  renamed-by-target",
    ] {
        assert!(
            terminal.contains(needle),
            "terminal lacks {needle:?}:\n{terminal}"
        );
    }
    let markdown = render("markdown");
    for needle in [
        "## Migrations",
        "## Dependency pins",
        "## Removed APIs",
        "| `jquery` (npm) |",
        "| `2.29.4` → `2.30.1` |",
        "| `setup.cfg` | 6 | `console_scripts` | `acme-badges` = `lms.djangoapps.badges_legacy.handlers:main` | added | - | - | module-removed-by-target |",
    ] {
        assert!(markdown.contains(needle), "markdown lacks {needle:?}");
    }
    let html = render("html");
    for needle in [
        "<h2>Migrations</h2>",
        "<h2>Dependency pins</h2>",
        "<h2>Removed APIs</h2>",
        "<td><code>lms.djangoapp</code></td><td><code>acme_progress</code>",
    ] {
        assert!(html.contains(needle), "html lacks {needle:?}");
    }
    let sarif: serde_json::Value = serde_json::from_str(&render("sarif")).unwrap();
    let results: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .filter(|id| matches!(id.as_bytes()[2], b'8' | b'9' | b'0'))
        .collect();
    assert_eq!(
        results,
        BTreeSet::from([
            "FC001", "FC002", "FC801", "FC802", "FC804", "FC805", "FC806", "FC901", "FC902",
            "FC903", "FC904", "FC905", "FC906", "FC907", "FC908", "FC909"
        ])
    );
}
