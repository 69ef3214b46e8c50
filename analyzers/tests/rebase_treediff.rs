//! The top-down tree comparison (`rebase::treediff`) gives exactly what libgit2's
//! tree-to-tree diff gives, on every commit of the fixture repositories (upstream and fork).

use forkcheck_analyzers::rebase::patchid::commit_changes;
use forkcheck_analyzers::rebase::treediff::{allowed_paths, diff_trees_within};
use forkcheck_analyzers::repo::Repo;
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
                    let path = if f.new_mode == 0 {
                        f.old_path
                    } else {
                        f.new_path
                    };
                    (path, f.old_mode, f.new_mode, f.old_id, f.new_id)
                })
                .collect();
            assert_eq!(ours, libgit2_changes(git, &c), "commit {}", c.id());
            // Limited to its own paths the walk gives the same; without one of them, nothing.
            let (old, new) = (c.parents().next().map(|p| p.tree_id()), Some(c.tree_id()));
            let allow = allowed_paths(ours.iter().map(|r| r.0.as_str()));
            let within = diff_trees_within(&repo, old, new, Some(&allow)).unwrap();
            assert_eq!(
                within.map(|w| w.len()),
                Some(ours.len()),
                "commit {}",
                c.id()
            );
            if let Some(first) = ours.first() {
                let fewer = allowed_paths(ours.iter().skip(1).map(|r| r.0.as_str()));
                if !fewer.contains(&first.0) {
                    let within = diff_trees_within(&repo, old, new, Some(&fewer)).unwrap();
                    assert!(within.is_none(), "commit {}", c.id());
                }
            }
            checked += 1;
        }
        assert!(checked > 50, "{s:?}: only {checked} commits");
    }
}
