//! Shared by the themes integration tests: a temporary clone of the fixture upstream with a
//! branch `main` at `open-release/redwood.2` and one commit of the files a test writes.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};

use forkcheck_fixtures::{shared, Scenario};
use git2::{build::CheckoutBuilder, Repository, Signature, Time};

/// Clone the small fixture upstream (the shared one: every scenario has the same upstream) into
/// `dir/fork` and check out `main` at redwood.2.
pub fn clone_at_redwood(dir: &Path) -> (PathBuf, Repository) {
    let upstream = &shared(Scenario::Typical).upstream;
    let fork = dir.join("fork");
    let repo = Repository::clone(upstream.to_str().expect("utf-8 path"), &fork).expect("clone");
    {
        let base = repo
            .revparse_single("open-release/redwood.2")
            .and_then(|o| o.peel_to_commit())
            .expect("base commit");
        repo.branch("main", &base, true).expect("branch");
    }
    repo.set_head("refs/heads/main").expect("head");
    repo.checkout_head(Some(CheckoutBuilder::new().force()))
        .expect("checkout");
    (fork, repo)
}

/// Write `files` (path, content) into the work tree and commit them on HEAD.
pub fn commit_files(repo: &Repository, files: &[(String, Vec<u8>)], message: &str) {
    let workdir = repo.workdir().expect("non-bare").to_path_buf();
    let mut index = repo.index().expect("index");
    for (path, bytes) in files {
        let dest = workdir.join(path);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::write(&dest, bytes).expect("write");
        index.add_path(Path::new(path)).expect("add");
    }
    index.write().expect("index write");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let parent = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .expect("head commit");
    let sig =
        Signature::new("Acme Dev", "dev@acme.example", &Time::new(1_700_000_000, 0)).expect("sig");
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&parent])
        .expect("commit");
}
