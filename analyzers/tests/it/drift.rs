//! Drift on the fixture repositories: every number is checked against the stored expected data
//! and against the git CLI run live on the same repository.

use crate::common;

use std::collections::BTreeMap;

use crate::common::{
    commit_all, fork, git, numstat_binary, open, open_with, scratch_clone, shortstat, snapshot,
};
use forkcheck_analyzers::drift::{Drift, Status};
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::{run, Error, NoProgress, Report};
use forkcheck_fixtures::{expected, Scenario};

fn report(dir: &std::path::Path) -> Report {
    let ctx = open(dir).expect("open");
    run(&ctx, &NoProgress).expect("run")
}

/// `git diff --name-status -M BASE HEAD` as (status letter, path, old path).
fn name_status(dir: &std::path::Path, base: &str) -> Vec<(char, String, Option<String>)> {
    let mut out: Vec<(char, String, Option<String>)> =
        git(dir, &["diff", "--name-status", "-M", base, "HEAD"])
            .lines()
            .map(|line| {
                let parts: Vec<&str> = line.split('\t').collect();
                let letter = parts[0].chars().next().unwrap_or('?');
                match parts.as_slice() {
                    [_, old, new] => (letter, new.to_string(), Some(old.to_string())),
                    [_, path] => (letter, path.to_string(), None),
                    _ => panic!("unexpected line {line}"),
                }
            })
            .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

fn ours(drift: &Drift) -> Vec<(char, String, Option<String>)> {
    drift
        .files
        .iter()
        .map(|f| {
            let letter = match f.status {
                Status::Added => 'A',
                Status::Modified => 'M',
                Status::Deleted => 'D',
                Status::Renamed => 'R',
                Status::TypeChanged => 'T',
            };
            (letter, f.path.clone(), f.old_path.clone())
        })
        .collect()
}

/// Totals, file list, binary files and every trend point equal git's.
fn assert_matches_git(dir: &std::path::Path, r: &Report, what: &str) {
    let base = &r.base.oid;
    let d = &r.drift;
    assert_eq!(
        (d.files_changed, d.lines_added, d.lines_removed),
        shortstat(dir, base, "HEAD", &[]),
        "{what}: git diff --shortstat"
    );
    assert_eq!(
        d.binary_files,
        numstat_binary(dir, base, "HEAD"),
        "{what}: binary files"
    );
    assert_eq!(
        ours(d),
        name_status(dir, base),
        "{what}: git diff --name-status -M"
    );
    let sum_added: u64 = d.files.iter().map(|f| f.added).sum();
    let sum_area: u64 = d.by_area.iter().map(|a| a.files).sum();
    assert_eq!(
        (sum_added, sum_area),
        (d.lines_added, d.files_changed),
        "{what}: breakdowns add up"
    );
    let chain = git(
        dir,
        &[
            "rev-list",
            "--first-parent",
            "--reverse",
            &format!("{base}..HEAD"),
        ],
    );
    let chain: Vec<&str> = chain.lines().collect();
    assert_eq!(
        d.trend.len(),
        chain.len(),
        "{what}: one trend point per fork commit"
    );
    for (point, commit) in d.trend.iter().zip(&chain) {
        assert_eq!(point.commit, *commit);
        assert_eq!(
            (point.files_changed, point.lines_added, point.lines_removed),
            shortstat(dir, base, commit, &[]),
            "{what}: trend at {commit} ({})",
            point.summary
        );
    }
}

#[test]
fn drift_equals_the_expected_data_and_git_on_every_scenario() {
    for scenario in Scenario::ALL {
        let exp = expected(scenario).expect("expected data");
        if exp.expect_error.is_some() {
            continue;
        }
        let dir = fork(scenario);
        let r = report(dir);
        let d = &r.drift;
        assert_eq!(
            (
                d.files_changed,
                d.lines_added,
                d.lines_removed,
                d.binary_files.len() as u64
            ),
            (
                exp.drift.files_changed,
                exp.drift.lines_added,
                exp.drift.lines_removed,
                exp.drift.binary_files
            ),
            "{scenario}: stored expected drift"
        );
        assert_matches_git(dir, &r, scenario.name());
    }
}

#[test]
fn typical_areas_apps_and_rules() {
    let dir = fork(Scenario::Typical);
    let r = report(dir);
    let d = &r.drift;
    let area = |path: &str| {
        d.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.area.as_str())
    };
    assert_eq!(area("lms/envs/common.py"), Some("settings"));
    assert_eq!(area("config/lms.auth.json"), Some("generated-config"));
    assert_eq!(
        area("themes/acme/lms/templates/header/header.html"),
        Some("themes")
    );
    assert_eq!(
        area("lms/djangoapps/acme_reports/views.py"),
        Some("new-djangoapps")
    );
    assert_eq!(area("lms/djangoapps/courseware/utils.py"), Some("python"));
    assert_eq!(area("lms/templates/dashboard.html"), Some("core-templates"));
    assert_eq!(area("requirements/edx/base.txt"), Some("requirements"));
    assert_eq!(area("xmodule/tests/test_util_duration.py"), Some("tests"));
    assert_eq!(area("config/jwt-private.pem"), Some("unexplained"));

    // Per-area files and lines equal git's for the same paths.
    let themes = d
        .by_area
        .iter()
        .find(|a| a.area == "themes")
        .expect("themes area");
    assert_eq!(
        (themes.files, themes.lines_added, themes.lines_removed),
        shortstat(dir, &r.base.oid, "HEAD", &["--", "themes"])
    );
    let app = d
        .by_app
        .iter()
        .find(|a| a.app == "lms/djangoapps/acme_reports")
        .expect("app");
    assert!(app.new);
    assert_eq!(
        (app.files, app.lines_added, app.lines_removed),
        shortstat(
            dir,
            &r.base.oid,
            "HEAD",
            &["--", "lms/djangoapps/acme_reports"]
        )
    );
    let courseware = d
        .by_app
        .iter()
        .find(|a| a.app == "lms/djangoapps/courseware")
        .expect("app");
    assert!(!courseware.new);

    let rules: BTreeMap<&str, Vec<&str>> = r.findings.iter().fold(BTreeMap::new(), |mut m, f| {
        m.entry(f.rule.as_str()).or_default().push(f.path.as_str());
        m
    });
    assert_eq!(rules.get("FC102"), Some(&vec!["config/jwt-private.pem"]));
    assert_eq!(rules.get("FC104"), Some(&vec!["requirements/edx/base.txt"]));
    assert_eq!(
        rules.get("FC101"),
        None,
        "308 + 7 lines is below the default limit"
    );
    assert_eq!(
        rules.get("FC103"),
        None,
        "the only binary file is in the theme"
    );
}

#[test]
fn ignore_globs_user_areas_and_the_line_limit() {
    let (_tmp, dir) = scratch_clone(Scenario::Typical, "upstream");
    std::fs::write(
        dir.join("forkcheck.toml"),
        "[drift]\nignore = [\"themes/**\"]\nmax_lines = 40\n[areas]\nsecrets = [\"**/*.pem\"]\n",
    )
    .expect("write");
    let r = report(&dir);
    let base = r.base.oid.clone();
    let d = &r.drift;
    assert_eq!(
        (d.files_changed, d.lines_added, d.lines_removed),
        shortstat(&dir, &base, "HEAD", &["--", ".", ":(exclude)themes"])
    );
    assert_eq!(
        d.ignored_files,
        shortstat(&dir, &base, "HEAD", &["--", "themes"]).0
    );
    assert!(d.binary_files.is_empty());
    let last = d.trend.last().expect("trend");
    assert_eq!(
        (last.files_changed, last.lines_added),
        (d.files_changed, d.lines_added)
    );
    assert_eq!(
        d.files
            .iter()
            .find(|f| f.path == "config/jwt-private.pem")
            .map(|f| f.area.as_str()),
        Some("secrets")
    );
    assert_eq!(
        d.by_area.first().map(|a| a.area.as_str()),
        Some("secrets"),
        "user areas come first"
    );
    let large = r
        .findings
        .iter()
        .find(|f| f.rule == "FC101")
        .expect("FC101 fires above max_lines");
    assert!(large.message.contains("limit 40"), "{}", large.message);
    assert!(!r.findings.iter().any(|f| f.rule == "FC102"));
}

#[test]
fn renames_deletions_binaries_and_migrations_match_git() {
    let (_tmp, dir) = scratch_clone(Scenario::Typical, "upstream");
    // A rename with an edit, a deletion, a binary replaced in core, a migration in an upstream app.
    let views = dir.join("lms/djangoapps/courseware/views.py");
    let mut text = std::fs::read_to_string(&views).expect("views.py");
    git(
        &dir,
        &[
            "mv",
            "lms/djangoapps/courseware/views.py",
            "lms/djangoapps/courseware/views_acme.py",
        ],
    );
    text.push_str("\n# Acme: renamed\n");
    std::fs::write(dir.join("lms/djangoapps/courseware/views_acme.py"), text).expect("write");
    std::fs::remove_file(dir.join("docs/index.rst")).expect("rm");
    commit_all(&dir, "Acme: rename courseware views, drop docs index");
    let mut png = std::fs::read(dir.join("lms/static/images/logo.png")).expect("logo");
    png.extend_from_slice(b"\0acme");
    std::fs::write(dir.join("lms/static/images/logo.png"), png).expect("write");
    let migrations = dir.join("common/djangoapps/student/migrations");
    std::fs::create_dir_all(&migrations).expect("mkdir");
    std::fs::write(
        migrations.join("0099_acme_profile.py"),
        "from django.db import migrations\n",
    )
    .expect("write");
    std::fs::write(dir.join("notes.orig"), "leftover\n").expect("write");
    commit_all(&dir, "Acme: logo, profile migration");

    let r = report(&dir);
    assert_matches_git(&dir, &r, "modified typical");
    let d = &r.drift;
    assert_eq!(d.counts.renamed, 1);
    assert_eq!(d.counts.deleted, 1);
    let renamed = d
        .files
        .iter()
        .find(|f| f.status == Status::Renamed)
        .expect("rename");
    assert_eq!(
        renamed.old_path.as_deref(),
        Some("lms/djangoapps/courseware/views.py")
    );
    let fired =
        |rule: &str, path: &str| r.findings.iter().any(|f| f.rule == rule && f.path == path);
    assert!(fired("FC103", "lms/static/images/logo.png"));
    assert!(fired(
        "FC105",
        "common/djangoapps/student/migrations/0099_acme_profile.py"
    ));
    assert!(fired("FC102", "notes.orig"));
    assert!(!fired("FC103", "themes/acme/lms/static/images/logo.png"));
}

#[test]
fn shallow_and_partial_clones_stop_with_their_own_errors() {
    let shallow = fork(Scenario::Shallow);
    match open(shallow) {
        Err(e @ Error::Shallow { .. }) => assert_eq!(e.exit_code(), exit::SHALLOW),
        other => panic!("expected Shallow, got {:?}", other.err()),
    }
    let ctx = open_with(shallow, |o| o.allow_shallow = true).expect("allowed");
    assert!(ctx.warnings.iter().any(|w| w.contains("shallow")));
    let r = run(&ctx, &NoProgress).expect("analyse what is there");
    assert_eq!(
        r.drift.files_changed,
        shortstat(shallow, &r.base.oid, "HEAD", &[]).0
    );

    let partial = fork(Scenario::Partial);
    let ctx = open(partial).expect("history and trees are complete in a blob-less clone");
    assert!(
        ctx.warnings.iter().any(|w| w.contains("partial clone")),
        "{:?}",
        ctx.warnings
    );
    match run(&ctx, &NoProgress) {
        Err(e @ Error::MissingObject { .. }) => {
            assert_eq!(e.exit_code(), exit::MISSING_OBJECTS);
            let Error::MissingObject { oid, .. } = &e else {
                unreachable!()
            };
            // The object really is absent (git would have to fetch it).
            assert!(
                !common::git_ok(partial, &["cat-file", "-e", oid]),
                "{oid} exists"
            );
        }
        Err(other) => panic!("expected MissingObject, got {other:?}"),
        Ok(_) => panic!("expected MissingObject, got a report"),
    }
}

#[test]
fn analysing_never_writes_to_the_repository() {
    for scenario in [
        Scenario::Typical,
        Scenario::Squashed,
        Scenario::Merged,
        Scenario::Partial,
    ] {
        let dir = forkcheck_fixtures::shared(scenario).root.clone();
        let before = snapshot(&dir);
        if let Ok(ctx) = open(&dir.join("fork")) {
            let _ = run(&ctx, &NoProgress);
        }
        assert_eq!(
            before,
            snapshot(&dir),
            "{scenario}: files changed under {}",
            dir.display()
        );
    }
}

/// Above git's `diff.renameLimit` (deleted × added files left after exact renames > 1000²) git
/// pairs only exact renames (empty files too) and same-basename files; so does the drift, and
/// the report says the limit applied. The 60 %-similar files with other names stay a deletion
/// and an addition, as in `git diff`.
#[test]
fn rename_limit_applies_as_in_git() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().to_path_buf();
    git(&dir, &["init", "--quiet", "-b", "main"]);
    git(&dir, &["config", "user.name", "Upstream"]);
    git(&dir, &["config", "user.email", "upstream@example.org"]);
    let lib = |i: usize, new: bool| -> String {
        (0..10)
            .map(|k| {
                if new && k >= 6 {
                    format!("rewritten line {k} of module {i}\n")
                } else {
                    format!("line {k} of vendored library {i}\n")
                }
            })
            .collect()
    };
    let vendor = dir.join("common/static/vendor");
    std::fs::create_dir_all(&vendor).expect("mkdir");
    for i in 0..1005 {
        std::fs::write(vendor.join(format!("lib{i}.js")), lib(i, false)).expect("write");
    }
    std::fs::write(vendor.join("keep.js"), lib(5000, false)).expect("write");
    std::fs::write(vendor.join("same.js"), lib(6000, false)).expect("write");
    std::fs::write(vendor.join("empty.txt"), "").expect("write");
    commit_all(&dir, "upstream release");
    git(&dir, &["tag", "open-release/redwood.2"]);
    std::fs::remove_dir_all(&vendor).expect("rm");
    let new = dir.join("lms/static/new");
    std::fs::create_dir_all(&new).expect("mkdir");
    for i in 0..1005 {
        std::fs::write(new.join(format!("mod{i}.js")), lib(i, true)).expect("write");
    }
    let mut keep = lib(5000, false);
    keep.push_str("one more line\n");
    std::fs::write(new.join("keep.js"), keep).expect("write");
    std::fs::write(new.join("moved.js"), lib(6000, false)).expect("write");
    std::fs::write(new.join("__init__.py"), "").expect("write");
    commit_all(&dir, "Acme: replace the vendored library by modules");

    let r = report(&dir);
    assert_matches_git(&dir, &r, "past the rename limit");
    let renamed: Vec<(&str, &str)> = r
        .drift
        .files
        .iter()
        .filter(|f| f.status == Status::Renamed)
        .map(|f| (f.old_path.as_deref().unwrap_or(""), f.path.as_str()))
        .collect();
    for pair in [
        ("common/static/vendor/same.js", "lms/static/new/moved.js"),
        ("common/static/vendor/keep.js", "lms/static/new/keep.js"),
    ] {
        assert!(renamed.contains(&pair), "{pair:?} in {renamed:?}");
    }
    assert!(
        r.warnings.iter().any(|w| w.contains("diff.renameLimit")),
        "{:?}",
        r.warnings
    );
}

/// A fork whose every change is under its own theme (clean: `themes/acme` only) is theme-only,
/// and FC101 does not fire for it however small `[drift] max_lines` is; typical (core edits,
/// and an edit of upstream's example red theme) is not.
#[test]
fn theme_only_fork_is_no_large_drift() {
    let fc101 = |r: &Report| r.findings.iter().any(|f| f.rule == "FC101");
    let run_with_limit = |s: Scenario| {
        let mut ctx = open(fork(s)).expect("open");
        ctx.config.drift.max_lines = 1;
        run(&ctx, &NoProgress).expect("run")
    };
    let clean = run_with_limit(Scenario::Clean);
    assert!(clean.drift.theme_only);
    assert_eq!(clean.drift.own_themes, vec!["themes/acme".to_string()]);
    assert!(!fc101(&clean), "FC101 on a theme-only fork");
    let typical = run_with_limit(Scenario::Typical);
    assert!(!typical.drift.theme_only);
    assert!(typical.drift.own_themes.is_empty());
    assert!(fc101(&typical), "FC101 must still fire on typical");
}
