//! Helpers shared by the analyzers' integration tests: the git CLI (the reference every number
//! is checked against), scratch clones of the fixture repositories, and repository snapshots for
//! the read-only checks.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use forkcheck_analyzers::context::{Context, OpenOptions};
use forkcheck_fixtures::Scenario;

/// Run `git args…` in `dir` (pinned environment); panics with stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    forkcheck_fixtures::git_facts(dir, args).unwrap_or_else(|e| panic!("in {}: {e}", dir.display()))
}

/// The shared small-scale fork of `scenario`.
pub fn fork(scenario: Scenario) -> &'static Path {
    &forkcheck_fixtures::shared(scenario).fork
}

/// `(files, added, removed)` from `git diff --shortstat A B [-- paths]`.
pub fn shortstat(dir: &Path, a: &str, b: &str, extra: &[&str]) -> (u64, u64, u64) {
    let mut args = vec!["diff", "--shortstat", a, b];
    args.extend_from_slice(extra);
    let text = git(dir, &args);
    let mut out = (0, 0, 0);
    for part in text.trim().split(", ") {
        let n: u64 = part
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if part.contains("changed") {
            out.0 = n;
        } else if part.contains("insertion") {
            out.1 = n;
        } else if part.contains("deletion") {
            out.2 = n;
        }
    }
    out
}

/// Paths git reports as binary (`-\t-` rows of `git diff --numstat A B`).
pub fn numstat_binary(dir: &Path, a: &str, b: &str) -> Vec<String> {
    let mut out: Vec<String> = git(dir, &["diff", "--numstat", a, b])
        .lines()
        .filter_map(|l| l.strip_prefix("-\t-\t").map(str::to_string))
        .collect();
    out.sort();
    out
}

/// A writable clone of `scenario`'s fork with the upstream's branches as `refs/remotes/<remote>/`
/// (tags included). The TempDir must outlive the use.
pub fn scratch_clone(scenario: Scenario, remote: &str) -> (tempfile::TempDir, PathBuf) {
    let g = forkcheck_fixtures::shared(scenario);
    let dir = tempfile::tempdir().expect("temp dir");
    let clone = dir.path().join("fork");
    let src = g.fork.to_string_lossy().into_owned();
    git(dir.path(), &["clone", "--quiet", &src, "fork"]);
    let up = g.upstream.to_string_lossy().into_owned();
    git(&clone, &["remote", "add", remote, &up]);
    git(&clone, &["fetch", "--quiet", "--tags", remote]);
    (dir, clone)
}

/// Commit everything in the work tree of `dir` with `message`.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "-m", message]);
}

pub fn open(repo: &Path) -> forkcheck_analyzers::Result<Context> {
    Context::open(&OpenOptions::new(repo))
}

pub fn open_with(
    repo: &Path,
    tweak: impl FnOnce(&mut OpenOptions),
) -> forkcheck_analyzers::Result<Context> {
    let mut opts = OpenOptions::new(repo);
    tweak(&mut opts);
    Context::open(&opts)
}

/// Every file under `dir` (work tree and `.git`), with a hash of its content and its mode.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, u64>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                walk(&path, out);
            } else {
                let mut h = DefaultHasher::new();
                std::fs::read(&path).unwrap_or_default().hash(&mut h);
                std::os::unix::fs::PermissionsExt::mode(&meta.permissions()).hash(&mut h);
                out.insert(path, h.finish());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

/// Whether `git args…` succeeds in `dir`.
pub fn git_ok(dir: &Path, args: &[&str]) -> bool {
    forkcheck_fixtures::git_succeeds(dir, args).expect("run git")
}
