//! Shared helpers for the end-to-end tests: run the real binary with a clean environment, build
//! small git repositories, and replace temporary paths with placeholders in outputs.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use git2::{Repository, Signature, Time};

/// The `forkcheck` binary, with colours and progress bars off and no inherited git state.
pub fn forkcheck() -> Command {
    let mut cmd = Command::cargo_bin("forkcheck").expect("the forkcheck binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("FORKCHECK_ONLY")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

/// stdout, stderr and exit code of a finished command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("forkcheck runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replace `root` (and its canonical form) with `[ROOT]` and forkcheck's version with
/// `[VERSION]`.
pub fn redact(text: &str, root: &Path) -> String {
    let mut out = text
        .replace(
            &format!("forkcheck {}", env!("CARGO_PKG_VERSION")),
            "forkcheck [VERSION]",
        )
        .replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"[VERSION]\"",
        );
    let canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for p in [canon, root.to_path_buf()] {
        let s = p.display().to_string();
        if !s.is_empty() {
            out = out.replace(&s, "[ROOT]");
        }
    }
    out
}

fn sig(n: i64) -> Signature<'static> {
    Signature::new(
        "Test Author",
        "author@example.test",
        &Time::new(1_577_836_800 + n * 3600, 0),
    )
    .expect("valid signature")
}

/// A small repository builder with deterministic commits (fixed author and times).
pub struct TinyRepo {
    pub dir: PathBuf,
    pub repo: Repository,
    n: i64,
}

impl TinyRepo {
    pub fn init(dir: &Path) -> TinyRepo {
        let repo = Repository::init(dir).expect("init");
        repo.set_head("refs/heads/main").expect("set HEAD");
        TinyRepo {
            dir: dir.to_path_buf(),
            repo,
            n: 0,
        }
    }

    /// Write files into the work tree and commit them all on HEAD.
    pub fn commit(&mut self, message: &str, files: &[(&str, &str)]) -> git2::Oid {
        for (path, content) in files {
            let full = self.dir.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(&full, content).expect("write");
        }
        let mut index = self.repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("write index");
        let tree_id = index.write_tree().expect("tree");
        let tree = self.repo.find_tree(tree_id).expect("find tree");
        self.n += 1;
        let s = sig(self.n);
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &s, &s, message, &tree, &parents)
            .expect("commit")
    }

    pub fn tag(&self, name: &str) {
        let head = self
            .repo
            .head()
            .expect("head")
            .peel_to_commit()
            .expect("commit");
        self.repo
            .tag_lightweight(name, head.as_object(), false)
            .expect("tag");
    }
}

/// A repository whose history has the tag `open-release/redwood.2`, then a later
/// `open-release/sumac.1` on a side branch, and two fork commits on `main` after redwood.
pub fn release_repo(dir: &Path) -> TinyRepo {
    let mut r = TinyRepo::init(dir);
    r.commit(
        "upstream redwood",
        &[
            (
                "lms/envs/common.py",
                "PLATFORM_NAME = \"Your Platform Name Here\"\n",
            ),
            ("README.rst", "edx-platform\n"),
        ],
    );
    r.tag("open-release/redwood.2");
    let base_id = r.repo.head().expect("head").target().expect("direct ref");
    r.commit(
        "fork: brand the platform",
        &[("lms/envs/common.py", "PLATFORM_NAME = \"Acme Learning\"\n")],
    );
    r.commit("fork: add notes", &[("docs/acme.rst", "Acme notes\n")]);
    // sumac: a sibling of the fork commits, reachable only through its tag.
    {
        let base = r.repo.find_commit(base_id).expect("commit");
        let tree = base.tree().expect("tree");
        let s = sig(100);
        let sumac = r
            .repo
            .commit(None, &s, &s, "upstream sumac", &tree, &[&base])
            .expect("commit");
        let obj = r.repo.find_object(sumac, None).expect("object");
        r.repo
            .tag_lightweight("open-release/sumac.1", &obj, false)
            .expect("tag");
    }
    r
}

/// A private copy of a fixture scenario (small scale, from the fixture cache) in a fresh
/// temporary directory: the test may write to it.
pub fn scenario(
    s: forkcheck_fixtures::Scenario,
) -> (tempfile::TempDir, forkcheck_fixtures::GeneratedScenario) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join(s.name());
    let generated = forkcheck_fixtures::copy_shared(s, &out)
        .unwrap_or_else(|e| panic!("copy of {}: {e}", s.name()));
    (dir, generated)
}

/// The expected facts of a scenario (`fixtures/scenarios/<name>/scenario.toml`).
pub fn expected(s: forkcheck_fixtures::Scenario) -> toml::Value {
    let path = forkcheck_fixtures::scenario_dir(s).join("scenario.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A private copy of a fixture scenario that holds no release after the fork's base: every ref
/// naming sumac, teak or ulmo deleted (a squashed copy without upstream's later tags), so
/// `report` runs with no target.
pub fn without_later_releases(
    s: forkcheck_fixtures::Scenario,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, generated) = scenario(s);
    let repo = git2::Repository::open(&generated.fork).expect("open the copy");
    let names: Vec<String> = repo
        .references()
        .expect("refs")
        .filter_map(|r| r.ok()?.name().map(str::to_string))
        .filter(|n| ["sumac", "teak", "ulmo"].iter().any(|r| n.contains(r)))
        .collect();
    assert!(!names.is_empty(), "{s}: no later release refs to delete");
    for name in names {
        repo.find_reference(&name)
            .and_then(|mut r| r.delete())
            .unwrap_or_else(|e| panic!("delete {name}: {e}"));
    }
    (dir, generated.fork.clone())
}
