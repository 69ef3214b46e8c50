//! The top-down tree comparison (`trees::Trees`, the one tree walker) gives exactly what libgit2's
//! tree-to-tree diff gives, on every commit of the fixture repositories (upstream and fork).

use forkcheck_analyzers::rebase::patchid::commit_changes;
use forkcheck_analyzers::repo::Repo;
use forkcheck_analyzers::trees::{allowed_paths, OnFile, Pair, Trees, Walk};
use forkcheck_fixtures::{shared, Scenario};
use git2::{Delta, Sort};

type Row = (String, u32, u32, git2::Oid, git2::Oid);

fn libgit2_changes(git: &git2::Repository, c: &git2::Commit<'_>) -> Vec<Row> {
    let new = c.tree().unwrap();
    let old = c.parents().next().map(|p| p.tree().unwrap());
    let diff = git
        .diff_tree_to_tree(old.as_ref(), Some(&new), None)
        .unwrap();
    diff.deltas()
        .map(|d| {
            let (o, n) = (d.old_file(), d.new_file());
            let (om, nm) = match d.status() {
                Delta::Added => (0, u32::from(n.mode())),
                Delta::Deleted => (u32::from(o.mode()), 0),
                _ => (u32::from(o.mode()), u32::from(n.mode())),
            };
            let path = if nm == 0 { o.path() } else { n.path() };
            let path = path.unwrap().to_string_lossy().into_owned();
            (path, om, nm, o.id(), n.id())
        })
        .collect()
}

#[test]
fn tree_diff_equals_libgit2_on_every_commit() {
    for s in [Scenario::Typical, Scenario::Squashed] {
        let g = shared(s);
        let repo = Repo::open(&g.fork).unwrap();
        let git = repo.git();
        let mut walk = git.revwalk().unwrap();
        walk.set_sorting(Sort::TOPOLOGICAL).unwrap();
        walk.push_glob("*").unwrap();
        let mut checked = 0;
        for oid in walk {
            let c = git.find_commit(oid.unwrap()).unwrap();
            let ours: Vec<Row> = commit_changes(&repo, c.parent_ids().next(), c.id())
                .unwrap()
                .into_iter()
                .map(|f| {
                    (
                        f.path.clone(),
                        f.old_mode(),
                        f.new_mode(),
                        f.old_id(),
                        f.new_id(),
                    )
                })
                .collect();
            assert_eq!(ours, libgit2_changes(git, &c), "commit {}", c.id());
            // Limited to its own paths the walk gives the same; without one of them, nothing.
            let (old, new) = (c.parents().next().map(|p| p.tree_id()), Some(c.tree_id()));
            let allow = allowed_paths(ours.iter().map(|r| r.0.as_str()));
            let within = diff_trees_within(&repo, old, new, Some(&allow));
            assert_eq!(
                within.map(|w| w.len()),
                Some(ours.len()),
                "commit {}",
                c.id()
            );
            if let Some(first) = ours.first() {
                let fewer = allowed_paths(ours.iter().skip(1).map(|r| r.0.as_str()));
                if !fewer.contains(&first.0) {
                    let within = diff_trees_within(&repo, old, new, Some(&fewer));
                    assert!(within.is_none(), "commit {}", c.id());
                }
            }
            checked += 1;
        }
        assert!(checked > 50, "{s:?}: only {checked} commits");
    }
}

/// The walk limited to `allow`, giving up at the first change outside it.
fn diff_trees_within(
    repo: &Repo,
    old: Option<git2::Oid>,
    new: Option<git2::Oid>,
    allow: Option<&std::collections::HashSet<String>>,
) -> Option<Vec<forkcheck_analyzers::trees::Delta>> {
    let walk = Walk {
        split_type_changes: true,
        allow,
        stop_outside: true,
        ..Walk::default()
    };
    Trees::new(repo).walk_changes(old, new, walk).unwrap()
}

/// A cancelled walk gives up (`None`); one whose flag stays clear gives the plain walk's result.
#[test]
fn a_cancelled_walk_gives_up() {
    use forkcheck_analyzers::rebase::tree::{split_walk, split_walk_cancellable};
    use std::sync::atomic::AtomicBool;
    let g = shared(Scenario::Typical);
    let repo = Repo::open(&g.fork).unwrap();
    let git = repo.git();
    let tree = |rev: &str| {
        git.revparse_single(rev)
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .tree_id()
    };
    let (base, head) = (tree("open-release/redwood.2"), tree("HEAD"));
    let plain = split_walk(&repo, base, head, None).unwrap();
    assert!(!plain.is_empty());
    let clear = AtomicBool::new(false);
    let walked = split_walk_cancellable(&repo, base, head, &clear)
        .unwrap()
        .unwrap();
    let paths = |d: &[forkcheck_analyzers::trees::Delta]| {
        d.iter()
            .map(|d| (d.path.clone(), d.old, d.new))
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&walked), paths(&plain));
    let set = AtomicBool::new(true);
    assert!(split_walk_cancellable(&repo, base, head, &set)
        .unwrap()
        .is_none());
}

/// libgit2's whole-tree diff with rename detection, as (old path, new path, old, new) rows.
fn libgit2_side(git: &git2::Repository, a: git2::Oid, b: git2::Oid) -> Vec<Side> {
    let (ta, tb) = (
        git.find_commit(a).unwrap().tree().unwrap(),
        git.find_commit(b).unwrap().tree().unwrap(),
    );
    let mut diff = git.diff_tree_to_tree(Some(&ta), Some(&tb), None).unwrap();
    let mut find = git2::DiffFindOptions::new();
    find.renames(true)
        .rename_threshold(50)
        .rename_limit(7000)
        .exact_match_only(false);
    diff.find_similar(Some(&mut find)).unwrap();
    let mut rows: Vec<Side> = diff
        .deltas()
        .map(|d| {
            let (o, n) = (d.old_file(), d.new_file());
            let p = |f: &git2::DiffFile<'_>| f.path().unwrap().to_string_lossy().into_owned();
            let e = |f: &git2::DiffFile<'_>| (f.id(), u32::from(f.mode()));
            match d.status() {
                Delta::Added => (None, p(&n), None, Some(e(&n))),
                Delta::Deleted => (Some(p(&o)), p(&o), Some(e(&o)), None),
                _ => (Some(p(&o)), p(&n), Some(e(&o)), Some(e(&n))),
            }
        })
        .collect();
    rows.sort();
    rows
}

type Side = (
    Option<String>,
    String,
    Option<(git2::Oid, u32)>,
    Option<(git2::Oid, u32)>,
);

#[test]
fn side_diff_equals_libgit2_rename_detection() {
    let g = shared(Scenario::Typical);
    let repo = Repo::open(&g.fork).unwrap();
    let git = repo.git();
    let mut tips: Vec<git2::Oid> = git
        .references_glob("refs/tags/*")
        .unwrap()
        .map(|r| r.unwrap().peel_to_commit().unwrap().id())
        .collect();
    tips.push(git.head().unwrap().peel_to_commit().unwrap().id());
    tips.sort();
    tips.dedup();
    for &a in &tips {
        for &b in &tips {
            let ours = forkcheck_analyzers::rebase::tree::side_diff(&repo, a, b, true).unwrap();
            let e = |x: &forkcheck_analyzers::rebase::store::Version| (x.oid, x.mode);
            let mut rows: Vec<Side> = ours
                .changes
                .values()
                .map(|c| {
                    (
                        Some(c.old_path.clone()),
                        c.new_path.clone(),
                        c.old.as_ref().map(e),
                        c.new.as_ref().map(e),
                    )
                })
                .chain(
                    ours.added
                        .iter()
                        .map(|(p, x)| (None, p.clone(), None, Some(e(x)))),
                )
                .collect();
            rows.sort();
            assert_eq!(rows, libgit2_side(git, a, b), "{a}..{b}");
        }
    }
}

/// Commit `files` (path → content) as a new root tree in `git`; returns the commit.
fn commit_files(git: &git2::Repository, files: &[(&str, String)]) -> git2::Oid {
    let mut idx = git2::Index::new().unwrap();
    for (path, content) in files {
        let id = git.blob(content.as_bytes()).unwrap();
        let e = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            file_size: 0,
            id,
            flags: u16::try_from(path.len()).unwrap(),
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        };
        idx.add(&e).unwrap();
    }
    let tree = git.find_tree(idx.write_tree_to(git).unwrap()).unwrap();
    let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(0, 0)).unwrap();
    git.commit(None, &sig, &sig, "c", &tree, &[]).unwrap()
}

#[test]
fn side_diff_renames_equal_libgit2_on_a_renaming_repo() {
    let dir = tempfile::tempdir().unwrap();
    let git = git2::Repository::init(dir.path()).unwrap();
    let body: String = (0..40).map(|i| format!("line {i} of the file\n")).collect();
    let other: String = (0..40).map(|i| format!("other {i}\n")).collect();
    let a = commit_files(
        &git,
        &[
            ("dir/a.txt", body.clone()),
            ("b.txt", other.clone()),
            ("x/y.txt", "gone\n".repeat(30)),
            ("keep/k.txt", "k\n".into()),
        ],
    );
    let b = commit_files(
        &git,
        &[
            ("new/a2.txt", body.replace("line 3 ", "LINE 3 ")),
            ("c.txt", other),
            ("z.txt", "unrelated\n".repeat(30)),
            ("keep/k.txt", "k2\n".into()),
        ],
    );
    let repo = Repo::open(dir.path()).unwrap();
    for (x, y) in [(a, b), (b, a)] {
        let ours = forkcheck_analyzers::rebase::tree::side_diff(&repo, x, y, true).unwrap();
        assert_eq!(ours.renamed_to.len(), 2, "{:?}", ours.renamed_to);
        let e = |v: &forkcheck_analyzers::rebase::store::Version| (v.oid, v.mode);
        let mut rows: Vec<Side> = ours
            .changes
            .values()
            .map(|c| {
                (
                    Some(c.old_path.clone()),
                    c.new_path.clone(),
                    c.old.as_ref().map(e),
                    c.new.as_ref().map(e),
                )
            })
            .chain(
                ours.added
                    .iter()
                    .map(|(p, v)| (None, p.clone(), None, Some(e(v)))),
            )
            .collect();
        rows.sort();
        assert_eq!(rows, libgit2_side(repo.git(), x, y));
    }
}

/// Upstream's side limited to what the merge with the fork looks up predicts exactly what the
/// whole side predicts, onto every release of every scenario with a fork history.
#[test]
fn upstream_side_predicts_like_the_whole_side() {
    use forkcheck_analyzers::rebase::conflicts::both_sides;
    use forkcheck_analyzers::rebase::conflicts::predict_sides;
    use forkcheck_analyzers::rebase::store::Store;
    use forkcheck_analyzers::rebase::tree::{side_diff, upstream_side};
    let mut compared = 0;
    for s in [Scenario::Typical, Scenario::Merged, Scenario::Clean] {
        let g = shared(s);
        let repo = Repo::open(&g.fork).unwrap();
        let git = repo.git();
        let head = git.head().unwrap().peel_to_commit().unwrap().id();
        let tags: Vec<git2::Oid> = git
            .references_glob("refs/tags/*")
            .unwrap()
            .map(|r| r.unwrap().peel_to_commit().unwrap().id())
            .collect();
        for t in tags {
            let Ok(anc) = git.merge_base(head, t) else {
                continue;
            };
            let fork = side_diff(&repo, anc, head, true).unwrap();
            let whole = side_diff(&repo, anc, t, true).unwrap();
            let limited = upstream_side(&repo, anc, t, &fork).unwrap();
            let store = Store::default();
            let a = predict_sides(&repo, &store, &fork, &whole).unwrap();
            let b = predict_sides(&repo, &store, &fork, &limited).unwrap();
            assert_eq!(format!("{:?}", a), format!("{:?}", b), "{s:?} onto {t}");
            // What the rebase analysis runs: the fork's side, then upstream's on its paths.
            let (fork2, up2) = both_sides(&repo, anc, head, t).unwrap();
            let c = predict_sides(&repo, &store, &fork2, &up2).unwrap();
            assert_eq!(format!("{:?}", a), format!("{:?}", c), "{s:?} onto {t}");
            compared += 1;
        }
    }
    assert!(compared > 10, "only {compared} merges compared");
}

#[test]
fn path_lookups_equal_libgit2s_get_path_on_every_release_tree() {
    // `Repo::entry_at` / `blob_in_tree` read the run's shared parsed trees instead of libgit2's
    // `git_tree_entry_bypath`; every path of every release tree, every directory with and
    // without its trailing `/`, and malformed paths give what libgit2 gives.
    let g = shared(Scenario::Typical);
    let repo = Repo::open(&g.fork).unwrap();
    let git = repo.git();
    let mut checked = 0;
    let names: Vec<String> = git
        .references_glob("refs/tags/open-release/*")
        .unwrap()
        .map(|r| r.unwrap().name().unwrap().to_string())
        .collect();
    assert!(names.len() > 3, "release tags: {names:?}");
    for name in names {
        let tree = git.revparse_single(&name).unwrap().peel_to_tree().unwrap();
        let mut paths: Vec<String> = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
            let path = format!("{dir}{}", e.name().unwrap_or_default());
            if e.kind() == Some(git2::ObjectType::Tree) {
                paths.push(format!("{path}/"));
                paths.push(format!("{path}//x"));
                paths.push(format!("{path}/nope"));
            }
            paths.push(path);
            git2::TreeWalkResult::Ok
        })
        .unwrap();
        paths.extend(
            ["", "/", "/lms", "lms//envs", "nope", "lms/envs/common.py/"].map(String::from),
        );
        for path in &paths {
            let theirs = tree
                .get_path(std::path::Path::new(path))
                .ok()
                .map(|e| (e.id(), e.filemode() as u32, e.kind()));
            let ours = repo.entry_at(tree.id(), path).unwrap();
            assert_eq!(
                ours,
                theirs.map(|(id, mode, _)| (id, mode)),
                "`{path}` in {name}"
            );
            let blob = theirs
                .filter(|t| t.2 == Some(git2::ObjectType::Blob))
                .map(|t| t.0);
            assert_eq!(
                repo.blob_in_tree(tree.id(), path).unwrap(),
                blob,
                "`{path}`"
            );
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} paths checked");
}

#[test]
fn kept_signatures_pair_the_same_renames_as_libgit2s_own_metric() {
    use forkcheck_analyzers::drift::diff::{similarity_renames, Signatures};
    let dir = tempfile::tempdir().unwrap();
    let git = git2::Repository::init(dir.path()).unwrap();
    let text = |tag: &str, n: usize| -> String {
        (0..n)
            .map(|i| format!("{tag} line {i} with some words\n"))
            .collect()
    };
    let (a1, b1, c1) = (text("alpha", 60), text("beta", 40), text("gamma", 8));
    let a = commit_files(
        &git,
        &[
            ("old/a.txt", a1.clone()),
            ("old/b.txt", b1.clone()),
            ("old/c.txt", c1.clone()),
            ("gone.txt", text("delta", 30)),
        ],
    );
    let b = commit_files(
        &git,
        &[
            ("new/a.txt", a1.replace("line 7 ", "LINE 7 ")),
            (
                "new/b2.txt",
                b1.replace("line 1 ", "x ").replace("line 2 ", "y "),
            ),
            ("new/c.txt", c1.replace("line 3 ", "three ")),
            ("fresh.txt", text("epsilon", 30)),
        ],
    );
    let tree = |c: git2::Oid| git.find_commit(c).unwrap().tree_id();
    let (a, b) = (tree(a), tree(b));
    let repo = Repo::open(dir.path()).unwrap();
    let paths = [
        "old/a.txt",
        "old/b.txt",
        "old/c.txt",
        "gone.txt",
        "new/a.txt",
        "new/b2.txt",
        "new/c.txt",
        "fresh.txt",
    ];
    let rows = |v: Vec<forkcheck_analyzers::trees::Delta>| -> Vec<(String, String)> {
        v.into_iter()
            .map(|d| (d.source_path().to_string(), d.path))
            .collect()
    };
    let mut sigs = Signatures::default();
    for threshold in [50, 75, 90] {
        let plain = rows(similarity_renames(&repo, a, b, &paths, threshold, 1000, None).unwrap());
        let kept = rows(
            similarity_renames(&repo, a, b, &paths, threshold, 1000, Some(&mut sigs)).unwrap(),
        );
        let again = rows(
            similarity_renames(&repo, a, b, &paths, threshold, 1000, Some(&mut sigs)).unwrap(),
        );
        assert_eq!(kept, plain, "threshold {threshold}");
        assert_eq!(again, plain, "threshold {threshold}, signatures reused");
        if threshold == 50 {
            assert!(plain.len() >= 3, "{plain:?}");
        }
    }
    // Signatures are kept (one per compared blob), not made again per search.
    assert!((4..=8).contains(&sigs.len()), "{} signatures", sigs.len());
}

#[test]
fn the_parallel_walk_equals_the_walk_on_every_commit() {
    use forkcheck_analyzers::trees::walk_changes_parallel;
    type Got = Option<Vec<(String, Option<git2::Oid>, Option<git2::Oid>, String)>>;
    let rows = |v: Option<Vec<forkcheck_analyzers::trees::Delta>>| -> Got {
        v.map(|v| {
            v.into_iter()
                .map(|d| {
                    (
                        d.path.clone(),
                        d.old_oid(),
                        d.new_oid(),
                        format!("{:?}", d.status),
                    )
                })
                .collect()
        })
    };
    let mut checked = 0;
    for s in [Scenario::Typical, Scenario::Squashed] {
        let g = shared(s);
        let repo = Repo::open(&g.fork).unwrap();
        let git = repo.git();
        let mut walk = git.revwalk().unwrap();
        walk.push_glob("*").unwrap();
        let commits: Vec<git2::Oid> = walk.map(|c| c.unwrap()).collect();
        // Every commit against its parent, and a few wide spans (release to release, base to
        // head) where many top-level directories differ.
        let mut pairs: Vec<(Option<git2::Oid>, git2::Oid)> = commits
            .iter()
            .map(|&c| {
                let c = git.find_commit(c).unwrap();
                (c.parents().next().map(|p| p.tree_id()), c.tree_id())
            })
            .collect();
        let tree = |rev: &str| {
            git.revparse_single(rev)
                .unwrap()
                .peel_to_tree()
                .unwrap()
                .id()
        };
        pairs.push((Some(tree("open-release/palm.1")), tree("HEAD")));
        pairs.push((Some(tree("HEAD")), tree("open-release/palm.1")));
        pairs.push((None, tree("HEAD")));
        for (old, new) in pairs {
            let plain = Trees::new(&repo).changes(old, new).unwrap();
            let allow = allowed_paths(plain.iter().skip(1).map(|d| d.path.as_str()));
            for (split, limit, stop) in [
                (false, false, false),
                (true, false, false),
                (true, true, false),
                (true, true, true),
            ] {
                // Every change found is also told, as met (from any thread of the parallel
                // walk), to `on_file`.
                let told = std::sync::Mutex::new(Vec::new());
                let tell = |p: Pair| told.lock().unwrap().push(format!("{p:?}"));
                let walk = Walk {
                    split_type_changes: split,
                    allow: limit.then_some(&allow),
                    stop_outside: stop,
                    cancel: None,
                    on_file: Some(OnFile(&tell)),
                };
                let told_equals = |deltas: &Option<Vec<forkcheck_analyzers::trees::Delta>>| {
                    let mut told = std::mem::take(&mut *told.lock().unwrap());
                    told.sort();
                    if let Some(deltas) = deltas {
                        let mut pairs: Vec<String> =
                            deltas.iter().map(|d| format!("{:?}", d.pair())).collect();
                        pairs.sort();
                        assert_eq!(told, pairs, "{old:?} -> {new}: told changes");
                    }
                };
                let sequential = Trees::new(&repo)
                    .walk_changes(old, Some(new), walk)
                    .unwrap();
                told_equals(&sequential);
                let parallel = walk_changes_parallel(&repo, old, Some(new), walk).unwrap();
                told_equals(&parallel);
                let (want, got) = (rows(sequential), rows(parallel));
                assert_eq!(
                    got, want,
                    "{old:?} -> {new}, split {split} limit {limit} stop {stop}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} walks compared");
    // A cancelled walk gives up.
    let g = shared(Scenario::Typical);
    let repo = Repo::open(&g.fork).unwrap();
    let tree = |rev: &str| {
        repo.git()
            .revparse_single(rev)
            .unwrap()
            .peel_to_tree()
            .unwrap()
            .id()
    };
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let walk = Walk {
        cancel: Some(&cancel),
        ..Walk::default()
    };
    let (a, b) = (tree("open-release/palm.1"), tree("HEAD"));
    assert!(walk_changes_parallel(&repo, Some(a), Some(b), walk)
        .unwrap()
        .is_none());
}
