//! forkcheck never writes to the repository it analyses. For every repository and every command
//! (report in each format, releases, and any of replace/plan/triage the binary offers), this
//! records refs (`git for-each-ref`, packed-refs, HEAD), the index, every work-tree file and
//! every file under `.git` (objects included: path, size, mtime, content hash) before and after,
//! and asserts they are identical.

use crate::common;

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::common::{forkcheck, release_repo, run, TinyRepo};

#[derive(Debug, PartialEq, Eq)]
struct FileState {
    size: u64,
    mtime: Option<SystemTime>,
    hash: u64,
}

#[derive(Debug, PartialEq, Eq)]
struct RepoState {
    for_each_ref: String,
    files: BTreeMap<PathBuf, FileState>,
}

fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, FileState>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, root, out);
        } else {
            let mut h = DefaultHasher::new();
            std::fs::read(&path).unwrap_or_default().hash(&mut h);
            out.insert(
                path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
                FileState {
                    size: meta.len(),
                    mtime: meta.modified().ok(),
                    hash: h.finish(),
                },
            );
        }
    }
}

/// The state of the repository at `root` (a work tree with `.git`, or a bare git dir). The
/// walk covers `.git/objects`, `.git/index`, `.git/HEAD`, `.git/packed-refs`, loose refs and
/// every work-tree file.
fn state(root: &Path) -> RepoState {
    let refs = Command::new("git")
        .args([
            "for-each-ref",
            "--format=%(refname) %(objectname) %(symref)",
        ])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .current_dir(root)
        .output()
        .expect("git for-each-ref");
    assert!(refs.status.success());
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    RepoState {
        for_each_ref: String::from_utf8_lossy(&refs.stdout).into_owned(),
        files,
    }
}

/// Every command line to check, given the repository path.
fn commands(out_dir: &Path) -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    for format in ["terminal", "json", "markdown", "html", "sarif"] {
        cmds.push(vec!["report".into(), "--format".into(), format.into()]);
    }
    let file = out_dir.join("report.json").display().to_string();
    cmds.push(vec![
        "report".into(),
        "--format".into(),
        "json".into(),
        "-o".into(),
        file,
    ]);
    cmds.push(vec!["releases".into()]);
    cmds.push(vec!["releases".into(), "--format".into(), "json".into()]);
    // Commands added by later work are checked as soon as the binary has them.
    let help = run(forkcheck().arg("--help")).stdout;
    for extra in ["replace", "plan", "triage"] {
        if help
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{extra} ")))
        {
            cmds.push(vec![extra.into()]);
        }
    }
    cmds
}

fn check_repo(name: &str, root: &Path, extra_args: &[&str]) {
    let out_dir = tempfile::tempdir().unwrap();
    let before = state(root);
    assert!(!before.files.is_empty(), "{name}: nothing to compare");
    for cmd in commands(out_dir.path()) {
        let out = run(forkcheck()
            .args(&cmd)
            .args(extra_args)
            .arg("--repo")
            .arg(root));
        assert!(
            !out.stderr.contains("panicked"),
            "{name}: {cmd:?} panicked: {}",
            out.stderr
        );
        let after = state(root);
        if after != before {
            let changed: Vec<&PathBuf> = before
                .files
                .keys()
                .chain(after.files.keys())
                .filter(|k| before.files.get(*k) != after.files.get(*k))
                .collect();
            panic!(
                "{name}: `forkcheck {}` changed the repository: refs equal: {}; files: {changed:?}",
                cmd.join(" "),
                before.for_each_ref == after.for_each_ref
            );
        }
    }
}

#[test]
fn release_repository_is_untouched_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    check_repo("release-repo", dir.path(), &[]);
    // Explicit base and target take other code paths.
    check_repo(
        "release-repo explicit",
        dir.path(),
        &["--base", "open-release/redwood.2", "--to", "sumac"],
    );
}

#[test]
fn repository_without_release_refs_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = TinyRepo::init(dir.path());
    r.commit("one", &[("a.txt", "a\n")]);
    check_repo("no-refs", dir.path(), &[]);
}

#[test]
fn the_check_detects_writes() {
    // Guard against a check that cannot fail: a ref, an index or an object write shows up.
    let dir = tempfile::tempdir().unwrap();
    let mut r = release_repo(dir.path());
    let before = state(dir.path());
    r.tag("extra-tag");
    assert_ne!(before, state(dir.path()));
    let before = state(dir.path());
    r.repo.blob(b"new object").unwrap();
    assert_ne!(before, state(dir.path()));
    let before = state(dir.path());
    r.commit("touch", &[("a.txt", "changed\n")]);
    assert_ne!(before, state(dir.path()));
}

#[test]
fn era_a_fork_is_untouched_by_every_command() {
    // Not a `Scenario`: no release tag, its base is the remote-tracking `upstream/base`.
    let dir = tempfile::tempdir().unwrap();
    let era_a = forkcheck_fixtures::era_a::generate(dir.path()).expect("era A fork");
    check_repo("era-a", &era_a.fork, &["--base", era_a.base]);
}

#[test]
fn every_scenario_is_untouched_by_every_command() {
    for s in forkcheck_fixtures::Scenario::ALL {
        let (_dir, g) = common::scenario(s);
        check_repo(s.name(), &g.fork, &[]);
        if s == forkcheck_fixtures::Scenario::Shallow {
            check_repo("shallow --allow-shallow", &g.fork, &["--allow-shallow"]);
        }
    }
}
