//! The line merge against git itself: many generated three-way histories, each merged with
//! `git merge-tree --write-tree` and with forkcheck's conflict prediction; the conflicted file
//! sets must be equal.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use forkcheck_analyzers::rebase::conflicts::predict;
use forkcheck_analyzers::repo::Repo;
use git2::{Oid, Repository, Signature, Time};

/// Tiny deterministic PRNG (xorshift) so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn commit(repo: &Repository, files: &BTreeMap<String, String>, parents: &[Oid], n: i64) -> Oid {
    // The test's own scratch repository: writing objects here is fine.
    let mut index = git2::Index::new().unwrap();
    for (path, content) in files {
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: repo.blob(content.as_bytes()).unwrap(),
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        index.add(&entry).unwrap();
    }
    let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
    let sig = Signature::new("T", "t@example.com", &Time::new(1_600_000_000 + n, 0)).unwrap();
    let parents: Vec<git2::Commit> = parents
        .iter()
        .map(|p| repo.find_commit(*p).unwrap())
        .collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(None, &sig, &sig, &format!("c{n}"), &tree, &refs)
        .unwrap()
}

fn mutate(rng: &mut Rng, text: &str, tag: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(lines.len() + 1);
        match rng.below(4) {
            0 if at < lines.len() => lines[at] = format!("{tag} changed {at}"),
            1 => lines.insert(at, format!("{tag} inserted {at}")),
            2 if at < lines.len() => {
                lines.remove(at);
            }
            _ if at < lines.len() => lines[at] = format!("{} // {tag}", lines[at]),
            _ => lines.push(format!("{tag} tail")),
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn git_conflicts(dir: &Path, target: Oid, head: Oid) -> Vec<String> {
    let out = Command::new("git")
        .args(["merge-tree", "--write-tree", "--name-only", "--no-messages"])
        .arg(target.to_string())
        .arg(head.to_string())
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut v: Vec<String> = text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn conflict_sets_equal_git_merge_tree_on_generated_histories() {
    let tmp = tempfile::tempdir().unwrap();
    let git = Repository::init_bare(tmp.path()).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut mismatches = Vec::new();
    let mut conflicted_total = 0;
    for round in 0..120 {
        let mut base = BTreeMap::new();
        for f in 0..6 {
            let body: Vec<String> = (0..12 + rng.below(20))
                .map(|i| format!("f{f} line {i} r{round}"))
                .collect();
            base.insert(format!("dir{}/file{f}.py", f % 2), body.join("\n") + "\n");
        }
        let b = commit(&git, &base, &[], round * 10);
        let mut up = base.clone();
        let mut fork = base.clone();
        for (path, text) in base.iter() {
            match rng.below(5) {
                0 => {
                    up.insert(path.clone(), mutate(&mut rng, text, "up"));
                }
                1 => {
                    fork.insert(path.clone(), mutate(&mut rng, text, "fork"));
                }
                2 | 3 => {
                    up.insert(path.clone(), mutate(&mut rng, text, "up"));
                    fork.insert(path.clone(), mutate(&mut rng, text, "fork"));
                }
                _ => {}
            }
        }
        if rng.below(4) == 0 {
            up.remove("dir0/file0.py");
        }
        if rng.below(5) == 0 {
            fork.insert("added.txt".into(), format!("fork {round}\n"));
            up.insert("added.txt".into(), format!("up {round}\n"));
        }
        let u = commit(&git, &up, &[b], round * 10 + 1);
        let h = commit(&git, &fork, &[b], round * 10 + 2);
        let repo = Repo::open(tmp.path()).unwrap();
        let p = predict(&repo, b, h, u).unwrap();
        let ours: Vec<String> = p.conflicts.iter().map(|c| c.path.clone()).collect();
        let theirs = git_conflicts(tmp.path(), u, h);
        conflicted_total += theirs.len();
        if ours != theirs {
            mismatches.push((round, ours, theirs));
        }
    }
    assert!(conflicted_total > 20, "the generator should make conflicts");
    assert!(
        mismatches.is_empty(),
        "differences from git: {mismatches:#?}"
    );
}

fn git_patch_id(dir: &Path, commit: Oid) -> Option<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git -c diff.indentHeuristic=false diff-tree -p --no-renames --full-index {commit} | git patch-id --stable"
        ))
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().next().map(String::from)
}

#[test]
fn patch_ids_equal_git_patch_id_stable() {
    use forkcheck_analyzers::rebase::patchid::{commit_patch_id, to_hex};
    let tmp = tempfile::tempdir().unwrap();
    let git = Repository::init_bare(tmp.path()).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for round in 0..40 {
        let mut base = BTreeMap::new();
        for f in 0..4 {
            let body: Vec<String> = (0..8 + rng.below(30))
                .map(|i| format!("  f{f}\tline {i} r{round}"))
                .collect();
            base.insert(format!("d/f{f}.txt"), body.join("\n") + "\n");
        }
        let b = commit(&git, &base, &[], round * 10);
        let mut next = base.clone();
        for (path, text) in base.iter() {
            if rng.below(2) == 0 {
                next.insert(path.clone(), mutate(&mut rng, text, "x"));
            }
        }
        match rng.below(4) {
            0 => {
                next.remove("d/f1.txt");
            }
            1 => {
                next.insert(format!("new{round}.txt"), "a\nno newline".into());
            }
            2 => {
                let t = next["d/f2.txt"].trim_end().to_string();
                next.insert("d/f2.txt".into(), t);
            }
            _ => {}
        }
        let c = commit(&git, &next, &[b], round * 10 + 1);
        let repo = Repo::open(tmp.path()).unwrap();
        let ours = commit_patch_id(&repo, c).unwrap().map(|p| to_hex(&p));
        assert_eq!(ours, git_patch_id(tmp.path(), c), "round {round}");
        checked += 1;
    }
    assert_eq!(checked, 40);
}
