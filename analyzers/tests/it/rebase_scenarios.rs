//! The rebase analysis on every fixture scenario, checked against git itself and against the
//! expected data in `fixtures/scenarios/<name>/rebase.toml`:
//! - the conflicted file set equals `git merge-tree --write-tree --name-only` (run on a scratch
//!   copy, because merge-tree writes objects);
//! - patch-id matches equal `git cherry`'s `-` lines (target, and the development branch);
//! - per-commit outcomes, conflicted files and upstream matches equal the expected data;
//! - the repository (refs, objects, index) is byte-for-byte unchanged by the analysis.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use forkcheck_analyzers::context::{Context, OpenOptions};
use forkcheck_analyzers::rebase::{self, MatchMethod, RebaseSection};
use forkcheck_analyzers::NoProgress;
use forkcheck_fixtures::{git_command, shared, Scenario};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Expected {
    scenario: String,
    target: String,
    ancestor_method: String,
    conflicted_files: Vec<String>,
    commits: Vec<ExpectedCommit>,
    #[serde(default)]
    plan: Option<ExpectedPlan>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedPlan {
    to: String,
    hops: Vec<String>,
    conflicted_files: Vec<Vec<String>>,
    carried_commits: Vec<usize>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectedCommit {
    summary: String,
    outcome: String,
    #[serde(default)]
    conflict_files: Vec<String>,
    #[serde(default)]
    target_deleted: Vec<String>,
    #[serde(default)]
    upstream: Option<String>,
    #[serde(default)]
    residue: Vec<String>,
    /// Triage class (only asserted when given).
    #[serde(default)]
    triage: Option<String>,
}

fn expected(s: Scenario) -> Expected {
    let path = forkcheck_fixtures::scenario_dir(s).join("rebase.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn analyze(fork: &Path) -> (Context, RebaseSection) {
    let ctx = Context::open(&OpenOptions::new(fork)).unwrap();
    let mut findings = Vec::new();
    let section = rebase::analyze(&ctx, &NoProgress, &mut findings, 0)
        .unwrap()
        .expect("a target release");
    (ctx, section)
}

fn triage_classes(ctx: &Context, section: &RebaseSection) -> BTreeMap<String, String> {
    let mut findings = Vec::new();
    let t = forkcheck_analyzers::triage::analyze(ctx, &NoProgress, &mut findings, Some(section))
        .unwrap()
        .unwrap();
    t.items
        .into_iter()
        .map(|i| (i.commit, i.class.as_str().to_string()))
        .collect()
}

/// A scratch copy of a generated scenario (git merge-tree writes objects).
fn scratch(root: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(root)
        .arg(tmp.path().join("copy"))
        .status()
        .unwrap();
    assert!(status.success());
    let fork = tmp.path().join("copy/fork");
    (tmp, fork)
}

fn git_lines(dir: &Path, args: &[&str]) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    forkcheck_fixtures::prepare_git_home(home.path()).unwrap();
    let out = git_command(dir, home.path()).args(args).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn git_merge_tree_conflicts(
    fork: &Path,
    target: &str,
    head: &str,
    base: Option<&str>,
) -> Vec<String> {
    let mut args = vec!["merge-tree", "--write-tree", "--name-only", "--no-messages"];
    let mb;
    if let Some(b) = base {
        mb = format!("--merge-base={b}");
        args.push(&mb);
    }
    args.push(target);
    args.push(head);
    let mut v: Vec<String> = git_lines(fork, &args)
        .into_iter()
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn check_against_git(s: Scenario) {
    let g = shared(s);
    let (ctx, section) = analyze(&g.fork);
    let (_tmp, copy) = scratch(&g.root);
    let base = (section.ancestor_method == "detected-base").then(|| ctx.base_oid.to_string());
    let git = git_merge_tree_conflicts(&copy, &section.target, &section.head, base.as_deref());
    let ours: Vec<String> = section.conflicts.iter().map(|c| c.path.clone()).collect();
    assert_eq!(
        ours,
        git,
        "{}: conflicted files differ from git merge-tree",
        s.name()
    );

    // git cherry: `-` marks commits whose patch-id is in the upstream side.
    let base_oid = ctx.base_oid.to_string();
    let dev = rebase::dev_branch(&ctx);
    let mut upstreams = vec![("target".to_string(), section.target.clone())];
    if let Some((label, oid)) = &dev {
        upstreams.push((label.clone(), oid.to_string()));
    }
    for (label, tip) in upstreams {
        let cherry: Vec<String> = git_lines(&g.fork, &["cherry", &tip, &section.head, &base_oid])
            .into_iter()
            .filter_map(|l| l.strip_prefix("- ").map(String::from))
            .collect();
        let ours: Vec<String> = section
            .commits
            .iter()
            .filter(|c| {
                c.upstream.as_ref().is_some_and(|m| {
                    m.method == MatchMethod::PatchId && (label == "target" || m.found_in == label)
                })
            })
            .map(|c| c.oid.clone())
            .collect();
        if label == "target" {
            assert_eq!(
                ours,
                cherry,
                "{}: patch-id matches differ from git cherry",
                s.name()
            );
        } else {
            // Against the development branch, every git match is ours (we report the target
            // match first when a commit matches both).
            for c in &cherry {
                assert!(
                    section
                        .commits
                        .iter()
                        .any(|x| &x.oid == c && x.upstream.is_some()),
                    "{}: git cherry {label} matches {c}, we do not",
                    s.name()
                );
            }
        }
    }
}

fn check_expected(s: Scenario) {
    let g = shared(s);
    let (ctx, section) = analyze(&g.fork);
    let want = expected(s);
    assert_eq!(want.scenario, s.name());
    let classes = triage_classes(&ctx, &section);
    let target = ctx
        .target
        .as_ref()
        .map(|t| t.rev.clone())
        .unwrap_or_default();
    let got = Expected {
        scenario: s.name().to_string(),
        target,
        ancestor_method: section.ancestor_method.clone(),
        conflicted_files: section.conflicts.iter().map(|c| c.path.clone()).collect(),
        commits: section
            .commits
            .iter()
            .map(|c| ExpectedCommit {
                summary: c.summary.clone(),
                outcome: c.outcome.as_str().to_string(),
                conflict_files: c.conflicts.iter().map(|f| f.path.clone()).collect(),
                target_deleted: c.target_deleted.clone(),
                upstream: c.upstream.as_ref().map(|m| match m.method {
                    MatchMethod::PatchId => "patch-id".to_string(),
                    MatchMethod::Content => "content".to_string(),
                }),
                residue: c.residue.clone(),
                triage: None,
            })
            .collect(),
        plan: None,
    };
    let mut got = got;
    for (g, w) in got.commits.iter_mut().zip(&want.commits) {
        if w.triage.is_some() {
            let oid = &section
                .commits
                .iter()
                .find(|c| c.summary == g.summary)
                .unwrap()
                .oid;
            g.triage = classes.get(oid).cloned();
        }
    }
    let mut want = want;
    let want_plan = want.plan.take();
    assert_eq!(
        got,
        want,
        "{}: rebase results differ from rebase.toml",
        s.name()
    );
    if let Some(p) = want_plan {
        let mut opts = OpenOptions::new(&g.fork);
        opts.to = Some(p.to.clone());
        let ctx = Context::open(&opts).unwrap();
        // The first hop must cost what the full report's rebase section costs: both count the
        // other analyses' findings (stale overrides, settings risks, config edits) and the drift.
        // (The full report against the first hop's target, the next release.)
        let next = Context::open(&OpenOptions::new(&g.fork)).unwrap();
        let full = forkcheck_analyzers::run(&next, &NoProgress).unwrap();
        // The plan counts the drift's lines itself (from the change set, without the trend).
        let plan = forkcheck_analyzers::plan::plan(&ctx, &NoProgress)
            .unwrap()
            .unwrap();
        let hops: Vec<String> = plan.hops.iter().map(|h| h.to.clone()).collect();
        assert_eq!(hops, p.hops);
        let files: Vec<Vec<String>> = plan
            .hops
            .iter()
            .map(|h| h.conflicted_files.clone())
            .collect();
        assert_eq!(files, p.conflicted_files);
        let carried: Vec<usize> = plan.hops.iter().map(|h| h.summary.commits).collect();
        assert_eq!(carried, p.carried_commits);
        // The first hop is the plain rebase analysis (to the precision reports show: a report
        // with secrets went through the redactor's JSON form); the direct jump's conflicts are
        // git's.
        let rounded = |c: &forkcheck_analyzers::cost::HoursRange| {
            serde_json::to_value(c).expect("hours to JSON")
        };
        assert_eq!(
            rounded(&plan.hops[0].cost),
            rounded(&full.rebase.as_ref().unwrap().cost)
        );
        let (_tmp, copy) = scratch(&g.root);
        let git = git_merge_tree_conflicts(&copy, &plan.direct.to_oid, &section.head, None);
        for f in &plan.direct.conflicted_files {
            assert!(
                git.contains(f),
                "direct: {f} is not in git merge-tree's conflicts {git:?}"
            );
        }
        assert!(!plan.direct.conflicted_files.is_empty());
    }
}

/// Every file under the git dir with its size and content hash: what "unchanged" means.
fn snapshot(git_dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(git_dir, git_dir, &mut out);
    out
}

#[test]
fn typical_agrees_with_git() {
    check_against_git(Scenario::Typical);
}

#[test]
fn clean_agrees_with_git() {
    check_against_git(Scenario::Clean);
}

#[test]
fn squashed_agrees_with_git() {
    check_against_git(Scenario::Squashed);
}

#[test]
fn merged_agrees_with_git() {
    check_against_git(Scenario::Merged);
}

#[test]
fn typical_matches_expected() {
    check_expected(Scenario::Typical);
}

#[test]
fn clean_matches_expected() {
    check_expected(Scenario::Clean);
}

#[test]
fn squashed_matches_expected() {
    check_expected(Scenario::Squashed);
}

#[test]
fn merged_matches_expected() {
    check_expected(Scenario::Merged);
}

#[test]
fn typical_has_every_outcome() {
    let (_, s) = analyze(&shared(Scenario::Typical).fork);
    let has = |o: &str| s.commits.iter().any(|c| c.outcome.as_str() == o);
    for o in ["clean", "conflict", "target-deleted", "empty"] {
        assert!(has(o), "no {o} commit");
    }
    let by = |m: MatchMethod| {
        s.commits
            .iter()
            .any(|c| c.upstream.as_ref().is_some_and(|u| u.method == m))
    };
    assert!(by(MatchMethod::PatchId) && by(MatchMethod::Content));
    // Conflicts name the upstream commits that touched their lines.
    let common = s
        .conflicts
        .iter()
        .find(|c| c.path == "lms/envs/common.py")
        .unwrap();
    assert!(common.hunks.iter().all(|h| !h.upstream_commits.is_empty()));
}

#[test]
fn analysis_leaves_the_repository_untouched() {
    let g = shared(Scenario::Typical);
    let (_tmp, copy) = scratch(&g.root);
    let git_dir = copy.join(".git");
    let before = snapshot(&git_dir);
    let (ctx, _) = analyze(&copy);
    let _ = forkcheck_analyzers::plan::plan(&ctx, &NoProgress).unwrap();
    let after = snapshot(&git_dir);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "files under .git changed");
}
