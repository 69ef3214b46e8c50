//! A theme with 100 overrides, built in a temporary clone of the fixture upstream: one commit on
//! top of `open-release/redwood.2` adding `themes/bulk/{lms,cms}/{templates,static}/…` copies
//! of upstream files (every third one unchanged, the others with a fork line). The analysis
//! runs on rayon workers; the test checks the inventory and that a single-threaded run gives
//! the same result, and prints the time (no timed assertion: see `scripts/bench.sh`).

use std::path::Path;
use std::time::Instant;

use forkcheck_analyzers::themes;
use forkcheck_analyzers::{Context, NoProgress, OpenOptions};
use git2::Repository;

use crate::support;

const OVERRIDES: usize = 100;

/// Upstream files a theme can override, as (original, theme path) pairs.
fn candidates(repo: &Repository, rev: &str) -> Vec<(String, String)> {
    let tree = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_tree())
        .expect("base tree");
    let mut paths = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, e| {
        if e.kind() == Some(git2::ObjectType::Blob) {
            paths.push(format!("{root}{}", e.name().unwrap_or("")));
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walk");
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        if p.starts_with("themes/") {
            continue;
        }
        // common/ files are shared by both services: a theme may override them for each.
        let theme_paths: Vec<String> = if let Some(rel) = p.strip_prefix("lms/templates/") {
            vec![format!("themes/bulk/lms/templates/{rel}")]
        } else if let Some(rel) = p.strip_prefix("cms/templates/") {
            vec![format!("themes/bulk/cms/templates/{rel}")]
        } else if let Some(rel) = p.strip_prefix("common/templates/") {
            vec![
                format!("themes/bulk/lms/templates/{rel}"),
                format!("themes/bulk/cms/templates/{rel}"),
            ]
        } else if let Some(rel) = p.strip_prefix("lms/static/") {
            vec![format!("themes/bulk/lms/static/{rel}")]
        } else if let Some(rel) = p.strip_prefix("cms/static/") {
            vec![format!("themes/bulk/cms/static/{rel}")]
        } else if let Some(rel) = p.strip_prefix("common/static/") {
            vec![
                format!("themes/bulk/lms/static/{rel}"),
                format!("themes/bulk/cms/static/{rel}"),
            ]
        } else if let Some((_, rel)) = p.split_once("/templates/") {
            vec![format!("themes/bulk/lms/templates/{rel}")]
        } else {
            continue;
        };
        for theme_path in theme_paths {
            if !out.iter().any(|(_, t)| *t == theme_path) {
                out.push((p.clone(), theme_path));
            }
        }
    }
    out
}

/// The fork's path, and per theme path: (the original it was copied from, changed?).
fn build_fork(dir: &Path) -> (std::path::PathBuf, Vec<(String, String, bool)>) {
    let (fork, repo) = support::clone_at_redwood(dir);
    let mut pairs = candidates(&repo, "open-release/redwood.2");
    // LMS templates first: they include the ones sumac changes and deletes
    pairs.sort_by_key(|(original, _)| !original.starts_with("lms/templates/"));
    assert!(pairs.len() >= OVERRIDES, "only {} candidates", pairs.len());
    let mut made = Vec::new();
    let mut files = Vec::new();
    for (k, (original, theme_path)) in pairs.iter().take(OVERRIDES).enumerate() {
        let mut bytes = std::fs::read(fork.join(original)).expect("original");
        made.push((theme_path.clone(), original.clone(), k % 3 != 0));
        if k % 3 != 0 {
            if original.ends_with(".png") {
                bytes.push(b'x');
            } else {
                bytes.extend_from_slice(format!("<!-- bulk fork change {k} -->\n").as_bytes());
            }
        }
        files.push((theme_path.clone(), bytes));
    }
    support::commit_files(&repo, &files, "Add bulk theme");
    (fork, made)
}

#[test]
fn hundred_overrides_in_parallel() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (fork, made) = build_fork(tmp.path());
    let ctx = Context::open(&OpenOptions::new(&fork)).expect("context");
    assert_eq!(ctx.base.rev, "open-release/redwood.2");

    // warm-up (object caches, thread pool), then the timed run
    let cold = Instant::now();
    themes::analyze(&ctx, &NoProgress, &mut Vec::new()).expect("analysis");
    let cold = cold.elapsed();
    let start = Instant::now();
    let mut findings = Vec::new();
    let section = themes::analyze(&ctx, &NoProgress, &mut findings)
        .expect("analysis")
        .expect("section");
    let parallel = start.elapsed();

    let bulk: Vec<_> = section
        .overrides
        .iter()
        .filter(|o| o.theme == "bulk")
        .collect();
    assert_eq!(bulk.len(), OVERRIDES);
    for (theme_path, copied_from, changed) in &made {
        let entry = bulk
            .iter()
            .find(|o| &o.path == theme_path)
            .unwrap_or_else(|| panic!("{theme_path} is in the inventory"));
        let original = entry
            .original
            .as_deref()
            .unwrap_or_else(|| panic!("{theme_path} maps"));
        if *changed {
            assert_ne!(entry.status, "redundant", "{theme_path}");
        } else if original == copied_from {
            // an unchanged copy of its own original: redundant (or orphaned, which wins)
            assert!(
                matches!(entry.status.as_str(), "redundant" | "orphaned"),
                "{theme_path}: {}",
                entry.status
            );
        }
    }
    // Copies of files sumac changes or deletes are stale or orphaned, not merely diverged.
    let by = |p: &str| bulk.iter().find(|o| o.path == p).map(|o| o.status.as_str());
    assert_eq!(
        by("themes/bulk/lms/templates/static_templates/press.html"),
        Some("orphaned")
    );
    assert!(bulk.iter().any(|o| o.status == "stale"));

    // Same result on one thread.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let opts = OpenOptions::new(&fork);
    let (section_1, findings_1, sequential) = pool.install(|| {
        // a `Context` is not `Send`: open one on the pool's thread
        let ctx = Context::open(&opts).expect("context");
        let start = Instant::now();
        let mut findings = Vec::new();
        let section = themes::analyze(&ctx, &NoProgress, &mut findings)
            .expect("analysis")
            .expect("section");
        (section, findings, start.elapsed())
    });
    assert_eq!(
        serde_json::to_string(&section).expect("json"),
        serde_json::to_string(&section_1).expect("json")
    );
    let key = |f: &forkcheck_analyzers::report::Finding| f.fingerprint.clone();
    let mut a: Vec<_> = findings.iter().map(key).collect();
    let mut b: Vec<_> = findings_1.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    println!(
        "themes: {} overrides analysed in {:.1} ms on {} rayon threads ({:.1} ms on 1 thread; \
         first run {:.1} ms)",
        bulk.len(),
        parallel.as_secs_f64() * 1000.0,
        rayon::current_num_threads(),
        sequential.as_secs_f64() * 1000.0,
        cold.as_secs_f64() * 1000.0
    );
}
