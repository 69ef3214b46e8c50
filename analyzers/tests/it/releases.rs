//! Release discovery, base and target detection, and `--base` / `--to` resolution on the fixture
//! repositories, checked against the stored expected data and against git itself.

use crate::common;

use crate::common::{commit_all, fork, git, open, open_with, scratch_clone};
use forkcheck_analyzers::config::Config;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::releases;
use forkcheck_analyzers::repo::Repo;
use forkcheck_analyzers::report::BaseMethod;
use forkcheck_analyzers::Error;
use forkcheck_fixtures::{expected, Scenario};

#[test]
fn base_and_target_match_the_expected_data_on_every_scenario() {
    for scenario in Scenario::ALL {
        let exp = expected(scenario).expect("expected data");
        let dir = fork(scenario);
        let ctx = match open(dir) {
            Ok(ctx) => ctx,
            Err(Error::Shallow { .. }) if exp.expect_error.as_deref() == Some("shallow") => {
                continue;
            }
            Err(e) => panic!("{scenario}: {e}"),
        };
        assert_eq!(ctx.head.to_string(), exp.head.oid, "{scenario}: head");
        assert_eq!(
            ctx.base.release.as_deref(),
            Some(exp.base.release.as_str()),
            "{scenario}"
        );
        assert_eq!(ctx.base.rev, exp.base.rev, "{scenario}: base rev");
        assert_eq!(ctx.base.oid, exp.base.oid, "{scenario}: base oid");
        let method = match exp.base.method {
            forkcheck_fixtures::BaseMethod::History => BaseMethod::History,
            forkcheck_fixtures::BaseMethod::Content => BaseMethod::Content,
        };
        assert_eq!(ctx.base.method, method, "{scenario}: method");
        assert_eq!(
            ctx.base.distance, exp.base.commits_ahead,
            "{scenario}: distance"
        );
        let target = ctx.target.as_ref().expect("a target");
        assert_eq!(target.release.as_deref(), Some(exp.target.release.as_str()));
        assert_eq!(target.rev, exp.target.rev, "{scenario}: target rev");
        assert_eq!(target.oid, exp.target.oid, "{scenario}: target oid");

        // And against git itself.
        let base_oid = git(dir, &["rev-parse", &format!("{}^{{commit}}", exp.base.rev)]);
        assert_eq!(ctx.base.oid, base_oid.trim(), "{scenario}");
        let is_ancestor =
            common::git_ok(dir, &["merge-base", "--is-ancestor", &ctx.base.oid, "HEAD"]);
        assert_eq!(is_ancestor, method == BaseMethod::History, "{scenario}");
        if method == BaseMethod::History {
            assert_eq!(ctx.base.confidence, 1.0);
            let count = git(
                dir,
                &[
                    "rev-list",
                    "--count",
                    "--first-parent",
                    &format!("{}..HEAD", ctx.base.oid),
                ],
            );
            assert_eq!(ctx.base.distance, count.trim().parse().ok(), "{scenario}");
        } else {
            assert!(
                ctx.base.confidence > 0.5 && ctx.base.confidence < 1.0,
                "{scenario}"
            );
        }
    }
}

#[test]
fn squashed_base_is_the_closest_tree_and_says_how_sure_it_is() {
    let ctx = open(fork(Scenario::Squashed)).expect("open");
    assert_eq!(ctx.base.method, BaseMethod::Content);
    assert!(
        ctx.base.detail.contains("open-release/redwood.2"),
        "{}",
        ctx.base.detail
    );
    // The detail's difference count is the number of files git sees changed.
    let (files, _, _) = common::shortstat(
        fork(Scenario::Squashed),
        "open-release/redwood.2",
        "HEAD",
        &[],
    );
    assert!(
        ctx.base.detail.contains(&format!("({files} of ")),
        "{} should mention {files} differing files",
        ctx.base.detail
    );
}

#[test]
fn list_groups_every_release_ref_git_knows() {
    let dir = fork(Scenario::Typical);
    let repo = Repo::open(dir).expect("repo");
    let list = releases::list(&repo, &Config::default()).expect("list");
    let names: Vec<&str> = list.releases.iter().map(|g| g.release.as_str()).collect();
    assert_eq!(
        names,
        ["ulmo", "teak", "sumac", "redwood", "quince", "palm"]
    );
    let mut found: Vec<String> = list
        .releases
        .iter()
        .flat_map(|g| g.refs.iter().map(|r| r.refname.clone()))
        .collect();
    found.sort();
    let mut from_git: Vec<String> = git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname)",
            "refs/tags",
            "refs/remotes/upstream",
        ],
    )
    .lines()
    .filter(|r| r.contains("release/"))
    .map(str::to_string)
    .collect();
    from_git.sort();
    assert_eq!(found, from_git);
    let redwood = &list.releases[3];
    assert_eq!(
        redwood.refs[0].rev, "open-release/redwood.2",
        "best ref first"
    );
    assert!(redwood
        .refs
        .iter()
        .any(|r| r.rev == "upstream/open-release/redwood.master"));
    let teak = &list.releases[1];
    assert_eq!(teak.refs[0].rev, "release/teak.2");
    for g in &list.releases {
        for r in &g.refs {
            let oid = git(dir, &["rev-parse", &format!("{}^{{commit}}", r.refname)]);
            assert_eq!(r.oid.to_string(), oid.trim(), "{}", r.refname);
        }
    }
}

#[test]
fn explicit_base_and_to_accept_release_names_refs_and_revisions() {
    let dir = fork(Scenario::Typical);
    let rev_parse = |rev: &str| {
        git(dir, &["rev-parse", &format!("{rev}^{{commit}}")])
            .trim()
            .to_string()
    };

    let ctx = open_with(dir, |o| o.base = Some("redwood".into())).expect("open");
    assert_eq!(ctx.base.method, BaseMethod::Explicit);
    assert_eq!(
        ctx.base.rev, "open-release/redwood.2",
        "newest tag of the release"
    );
    // The distance is counted when the report is assembled (opening a context does not walk
    // the history): the drift's report carries it.
    assert_eq!(ctx.base.distance, None);
    let report = forkcheck_analyzers::run_selected(
        &ctx,
        &[forkcheck_analyzers::Analysis::Drift],
        &forkcheck_analyzers::NoProgress,
    )
    .expect("report");
    assert_eq!(report.base.distance, Some(10));
    assert_eq!(
        ctx.target.as_ref().map(|t| t.rev.as_str()),
        Some("open-release/sumac.2")
    );

    let ctx = open_with(dir, |o| {
        o.base = Some("open-release/redwood.1".into());
        o.to = Some("Ulmo".into());
    })
    .expect("open");
    assert_eq!(ctx.base.oid, rev_parse("open-release/redwood.1"));
    let count = git(
        dir,
        &[
            "rev-list",
            "--count",
            "--first-parent",
            "open-release/redwood.1..HEAD",
        ],
    );
    let distance = forkcheck_analyzers::run_selected(
        &ctx,
        &[forkcheck_analyzers::Analysis::Drift],
        &forkcheck_analyzers::NoProgress,
    )
    .expect("report")
    .base
    .distance;
    assert_eq!(distance, count.trim().parse().ok());
    assert_eq!(distance, Some(11), "the redwood.2 fix plus 10 fork commits");
    let target = ctx.target.as_ref().expect("target");
    assert_eq!(
        (target.rev.as_str(), target.release.as_deref()),
        ("release/ulmo.2", Some("ulmo"))
    );
    assert_eq!(target.oid, rev_parse("release/ulmo.2"));

    // A commit id of a release ref is recognised as that release.
    let redwood2 = rev_parse("open-release/redwood.2");
    let ctx = open_with(dir, |o| {
        o.base = Some(redwood2.clone());
        o.to = Some("HEAD~3".into());
    })
    .expect("open");
    assert_eq!(ctx.base.release.as_deref(), Some("redwood"));
    let target = ctx.target.as_ref().expect("target");
    assert_eq!(
        (target.rev.as_str(), target.release.as_deref()),
        ("HEAD~3", None)
    );
    assert_eq!(target.oid, rev_parse("HEAD~3"));

    // A remote-tracking release branch by its short name.
    let ctx = open_with(dir, |o| o.to = Some("upstream/release/teak".into())).expect("open");
    assert_eq!(
        ctx.target.as_ref().map(|t| t.oid.clone()),
        Some(rev_parse("upstream/release/teak"))
    );
}

#[test]
fn unknown_releases_and_revisions_are_errors_with_exit_code_5() {
    let dir = fork(Scenario::Typical);
    match open_with(dir, |o| o.base = Some("oak".into())) {
        Err(e @ Error::UnknownRelease { .. }) => {
            assert_eq!(e.exit_code(), exit::UNKNOWN_REVISION);
            assert!(e.help().unwrap_or_default().contains("redwood"));
        }
        other => panic!("expected UnknownRelease, got {:?}", other.err()),
    }
    // A catalog release the repository has no refs for.
    match open_with(dir, |o| o.to = Some("verawood".into())) {
        Err(Error::UnknownRelease { name, known }) => {
            assert_eq!(name, "verawood");
            assert!(
                known.contains(&"sumac".to_string()) && !known.contains(&"verawood".to_string())
            );
        }
        other => panic!("expected UnknownRelease, got {:?}", other.err()),
    }
    match open_with(dir, |o| o.base = Some("open-release/redwood.9".into())) {
        Err(e @ Error::UnknownRevision { .. }) => assert_eq!(e.exit_code(), exit::UNKNOWN_REVISION),
        other => panic!("expected UnknownRevision, got {:?}", other.err()),
    }
    match open_with(dir, |o| o.head = Some("no-such-branch~2".into())) {
        Err(e @ Error::UnknownRevision { .. }) => assert_eq!(e.exit_code(), 5),
        other => panic!("expected UnknownRevision, got {:?}", other.err()),
    }
}

#[test]
fn no_release_refs_is_exit_4_unless_a_base_is_given() {
    let g = forkcheck_fixtures::shared(Scenario::Typical);
    let tmp = tempfile::tempdir().expect("tmp");
    let src = g.fork.to_string_lossy().into_owned();
    git(
        tmp.path(),
        &[
            "clone",
            "--quiet",
            "--no-tags",
            "--single-branch",
            &src,
            "bare-fork",
        ],
    );
    let dir = tmp.path().join("bare-fork");
    match open(&dir) {
        Err(e @ Error::NoReleaseRefs { .. }) => {
            assert_eq!(e.exit_code(), exit::NO_RELEASE_REFS);
            assert!(e
                .help()
                .unwrap_or_default()
                .contains("git fetch upstream --tags"));
        }
        other => panic!("expected NoReleaseRefs, got {:?}", other.err()),
    }
    let ctx = open_with(&dir, |o| o.base = Some("HEAD~10".into())).expect("explicit base works");
    assert_eq!(ctx.base.method, BaseMethod::Explicit);
    assert_eq!(ctx.base.release, None);
    assert!(ctx.target.is_none());
    assert!(
        ctx.warnings.iter().any(|w| w.contains("--to")),
        "{:?}",
        ctx.warnings
    );
    // The distance is counted when the report is assembled (opening a context does not walk
    // the history): the drift's report carries it.
    assert_eq!(ctx.base.distance, None);
    let report = forkcheck_analyzers::run_selected(
        &ctx,
        &[forkcheck_analyzers::Analysis::Drift],
        &forkcheck_analyzers::NoProgress,
    )
    .expect("report");
    assert_eq!(report.base.distance, Some(10));
}

#[test]
fn other_remotes_are_used_only_when_the_upstream_remote_has_none() {
    let (_tmp, dir) = scratch_clone(Scenario::Typical, "mirror");
    let ctx = open(&dir).expect("open");
    assert!(
        ctx.warnings
            .iter()
            .any(|w| w.contains("`upstream`") && w.contains("`mirror`")),
        "{:?}",
        ctx.warnings
    );
    assert!(ctx
        .releases
        .refs
        .iter()
        .any(|r| r.rev == "mirror/open-release/sumac.master"));
    assert!(!ctx
        .releases
        .refs
        .iter()
        .any(|r| r.rev.starts_with("origin/")));

    std::fs::write(
        dir.join("forkcheck.toml"),
        "[upstream]\nremote = \"mirror\"\n",
    )
    .expect("write");
    let ctx = open(&dir).expect("open");
    assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
    assert_eq!(ctx.base.rev, "open-release/redwood.2");
}

#[test]
fn user_patterns_and_config_errors() {
    let (_tmp, dir) = scratch_clone(Scenario::Clean, "upstream");
    // A fork that tags its own builds of a release: acme/<name>-<n>, on a commit past redwood.2.
    git(&dir, &["tag", "acme/redwood-7", "HEAD"]);
    std::fs::write(
        dir.join("forkcheck.toml"),
        "[releases]\npatterns = [\"refs/tags/acme/{name}-{n}\"]\n",
    )
    .expect("write");
    let ctx = open(&dir).expect("open");
    assert_eq!(
        ctx.base.rev, "acme/redwood-7",
        "newest point of the newest release wins"
    );
    assert_eq!(ctx.base.distance, Some(0));

    std::fs::write(dir.join("forkcheck.toml"), "[drift]\nmax_line = 5\n").expect("write");
    match open(&dir) {
        Err(e @ Error::BadConfig { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("max_line") && text.contains("forkcheck.toml"),
                "{text}"
            );
            assert_eq!(e.exit_code(), exit::BAD_CONFIG);
        }
        other => panic!("expected BadConfig, got {:?}", other.err()),
    }
    std::fs::write(
        dir.join("forkcheck.toml"),
        "[releases]\npatterns = [\"acme/{version}\"]\n",
    )
    .expect("write");
    assert!(matches!(open(&dir), Err(Error::BadConfig { .. })));
    std::fs::write(
        dir.join("forkcheck.toml"),
        "[severity]\nFC999 = \"error\"\n",
    )
    .expect("write");
    match open(&dir) {
        Err(Error::BadConfig { path, message }) => {
            assert_eq!(path, dir.join("forkcheck.toml"));
            assert!(message.contains("FC999"));
        }
        other => panic!("expected BadConfig, got {:?}", other.err()),
    }
}

#[test]
fn a_release_branch_ahead_of_the_base_tag_is_reported() {
    let (_tmp, dir) = scratch_clone(Scenario::Typical, "upstream");
    // Upstream fixes redwood after .2 and the fork merges the release branch.
    git(
        &dir,
        &["checkout", "--quiet", "-b", "rw", "open-release/redwood.2"],
    );
    std::fs::write(dir.join("redwood-hotfix.txt"), "fix\n").expect("write");
    commit_all(&dir, "redwood hotfix");
    git(&dir, &["branch", "open-release/redwood.master"]);
    git(&dir, &["checkout", "--quiet", "main"]);
    git(
        &dir,
        &[
            "merge",
            "--quiet",
            "--no-edit",
            "open-release/redwood.master",
        ],
    );
    let ctx = open(&dir).expect("open");
    assert_eq!(
        ctx.base.rev, "open-release/redwood.2",
        "tags are preferred over branches"
    );
    assert!(
        ctx.warnings
            .iter()
            .any(|w| w.contains("open-release/redwood.master")),
        "{:?}",
        ctx.warnings
    );
}
