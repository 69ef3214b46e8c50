//! The upgrade review (issue 10) on fixture scenarios, against git and against the `upgraded`
//! scenario's design (`fixtures/src/content/upgrade.rs`):
//! - the semantic-overlap set equals the files both `git diff BASE TARGET` and `git diff BASE
//!   HEAD` change (rename-aware, keyed by the base path), minus `git merge-tree`'s conflicts and
//!   minus files both sides changed identically;
//! - `upgraded`: its overlaps (proximity, distance, function, commits, settings), features,
//!   the measured past upgrade, the calibration factors and the cost split, exactly.

use std::collections::BTreeSet;
use std::path::Path;

use forkcheck_analyzers::context::{Context, OpenOptions};
use forkcheck_analyzers::cost::{CostModel, HoursRange, Weight};
use forkcheck_analyzers::rebase::overlap::Proximity;
use forkcheck_analyzers::NoProgress;
use forkcheck_fixtures::{git_command, shared, Scenario};

fn git(dir: &Path, args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    forkcheck_fixtures::prepare_git_home(home.path()).unwrap();
    let out = git_command(dir, home.path()).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Base paths `git diff -M --name-status a b` reports changed (the old path of a rename).
fn changed(dir: &Path, a: &str, b: &str) -> BTreeSet<String> {
    git(dir, &["diff", "-M", "--name-status", a, b])
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let _status = f.next()?;
            f.next().map(String::from)
        })
        .collect()
}

fn report(fork: &Path) -> (Context, forkcheck_analyzers::Report) {
    let ctx = Context::open(&OpenOptions::new(fork)).unwrap();
    let r = forkcheck_analyzers::run(&ctx, &NoProgress).unwrap();
    (ctx, r)
}

#[test]
fn overlaps_equal_files_changed_on_both_sides_minus_git_conflicts() {
    for s in [
        Scenario::Typical,
        Scenario::Merged,
        Scenario::Clean,
        Scenario::Tutor,
        Scenario::Upgraded,
    ] {
        let g = shared(s);
        let (ctx, r) = report(&g.fork);
        let rb = r.rebase.expect("a target");
        let base = ctx.base.rev.clone();
        let target = rb.target.clone();
        let both: BTreeSet<String> = changed(&g.fork, &base, &target)
            .intersection(&changed(&g.fork, &base, "HEAD"))
            .cloned()
            .collect();
        // merge-tree writes objects: run it on a copy.
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("fork");
        let ok = std::process::Command::new("cp")
            .arg("-a")
            .arg(&g.fork)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(ok.success());
        let home = tempfile::tempdir().unwrap();
        forkcheck_fixtures::prepare_git_home(home.path()).unwrap();
        let out = git_command(&copy, home.path())
            .args([
                "merge-tree",
                "--write-tree",
                "--name-only",
                "--no-messages",
                &target,
                "HEAD",
            ])
            .output()
            .unwrap();
        let conflicts: BTreeSet<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let identical = |p: &str| {
            let blob = |rev: &str| {
                git_command(&g.fork, home.path())
                    .args(["rev-parse", &format!("{rev}:{p}")])
                    .output()
                    .map(|o| o.stdout)
                    .unwrap_or_default()
            };
            blob("HEAD") == blob(&target)
        };
        let want: BTreeSet<String> = both
            .into_iter()
            .filter(|p| !conflicts.contains(p) && !identical(p))
            .collect();
        let ours: BTreeSet<String> = rb
            .overlaps
            .iter()
            .map(|o| o.renamed_from.clone().unwrap_or_else(|| o.path.clone()))
            .collect();
        assert_eq!(ours, want, "{s}: overlaps differ from git");
        // Every overlap is a finding.
        let fc606: BTreeSet<&str> = r
            .findings
            .iter()
            .filter(|f| f.rule == "FC606")
            .map(|f| f.path.as_str())
            .collect();
        let paths: BTreeSet<&str> = rb.overlaps.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(fc606, paths, "{s}: one FC606 per overlap");
    }
}

#[test]
fn upgraded_overlaps_features_calibration_and_cost_split() {
    let g = shared(Scenario::Upgraded);
    let (_ctx, r) = report(&g.fork);
    let rb = r.rebase.expect("a target");
    let summaries = |v: &[forkcheck_analyzers::rebase::CommitRef]| -> Vec<String> {
        v.iter().map(|c| c.summary.clone()).collect()
    };
    let got: Vec<_> = rb
        .overlaps
        .iter()
        .map(|o| {
            (
                o.path.as_str(),
                o.proximity,
                o.distance,
                o.function.as_deref(),
                summaries(&o.fork_commits),
                summaries(&o.upstream_commits),
                o.both_settings.clone(),
            )
        })
        .collect();
    let nav = vec!["Resume learners at their last unit".to_string()];
    assert_eq!(
        got,
        vec![
            // The module docstring (line 1) vs sumac's toggle added after line 25.
            (
                "lms/djangoapps/courseware/toggles.py",
                Proximity::Elsewhere,
                24,
                None,
                nav.clone(),
                vec!["feat: add the courseware outline sidebar toggle".to_string()],
                vec![],
            ),
            // The `position` test vs sumac's empty-children fix, 7 lines further down.
            (
                "lms/djangoapps/courseware/utils.py",
                Proximity::SameFunction,
                7,
                Some("get_current_child"),
                nav.clone(),
                vec!["fix: handle sequences without children in get_current_child".to_string()],
                vec![],
            ),
            // The footer logo, one line above sumac's removal of LEGACY_FOOTER_LINKS, which
            // the fork extends at the end of the file.
            (
                "lms/envs/common.py",
                Proximity::Near,
                1,
                None,
                vec!["Acme footer: our logo and a help link".to_string()],
                vec![
                    "feat: learner records v2, shorter sessions, course-about permission"
                        .to_string()
                ],
                vec!["LEGACY_FOOTER_LINKS".to_string()],
            ),
        ]
    );
    let features: Vec<_> = rb
        .features
        .iter()
        .map(|f| (f.name.as_str(), f.files.len(), f.overlaps, f.conflicts))
        .collect();
    assert_eq!(
        features,
        vec![
            ("Resume learners at their last unit", 2, 2, 0),
            ("Acme footer: our logo and a help link", 1, 1, 0),
            ("Enroll learners in honor mode by default", 1, 0, 1),
        ]
    );

    // The past upgrade: the merge of redwood.2.
    let cal = &rb.calibration;
    assert!(cal.calibrated);
    assert_eq!(cal.upgrades.len(), 1);
    let u = &cal.upgrades[0];
    assert_eq!(
        u.merge.summary,
        "Merge tag 'open-release/redwood.2' into main"
    );
    assert_eq!(u.upstream, "open-release/redwood.2");
    let api = "openedx/core/djangoapps/enrollments/api.py".to_string();
    assert_eq!((u.both_changed, u.conflicted, u.conflict_hunks), (1, 1, 1));
    assert_eq!(u.resolved_by_hand, vec![api.clone()]);
    assert_eq!(
        summaries(&u.follow_ups),
        vec!["Fix honor-mode default after the redwood.2 merge".to_string()]
    );
    assert_eq!(u.followed_up_files, vec![api]);
    // The follow-up came 25 hours after the merge (the fixture clock: +1 h per commit, +24 h).
    assert_eq!(u.calendar_seconds, 25 * 3600);
    // (C + F + 1) / (C + 1) = (1 + 1 + 1) / 2; no clean overlap measured: 2 (0 + 1) / (0 + 2).
    assert_eq!((cal.conflict_factor, cal.overlap_factor), (1.5, 1.0));

    // The split: what each per-release item counts, and the calibrated conflict weights.
    let model = CostModel::load(&Default::default()).unwrap();
    let item = |what: &str| {
        rb.cost_split
            .per_release_items
            .iter()
            .find(|i| i.what == what)
            .unwrap_or_else(|| panic!("no per-release item {what}: {:?}", rb.cost_split))
    };
    // Measured on 1 conflicted file that needed a follow-up (rate 1): scaled ×1.5, then
    // narrowed a third of the way (1 / (1 + 2)) toward the top of the range.
    assert_eq!(
        (
            cal.conflict_rate,
            cal.conflict_evidence,
            cal.overlap_evidence
        ),
        (1.0, 1, 0)
    );
    let narrowed = |w: Weight| {
        let h = model.of(w, 1).times(1.5);
        (h.low + (h.high - h.low) / 3.0, h.high)
    };
    let conflicted = item("conflicted files");
    assert_eq!(conflicted.count, 1);
    let (lo, hi) = narrowed(Weight::PerConflictedFile);
    assert_eq!(r2(conflicted.cost), r2(HoursRange { low: lo, high: hi }));
    // rules/cost.toml: 0.25–0.5 h per conflicted file → 0.375–0.75 → 0.5–0.75.
    assert_eq!(r2(conflicted.cost), (0.5, 0.75));
    let hunks = item("conflict hunks");
    assert_eq!(hunks.count, 1);
    let (lo, hi) = narrowed(Weight::PerConflictHunk);
    assert_eq!(r2(hunks.cost), r2(HoursRange { low: lo, high: hi }));
    // Narrower than the scaled range, never closed.
    let scaled = model.of(Weight::PerConflictHunk, 1).times(1.5);
    assert!(hunks.cost.high - hunks.cost.low < scaled.high - scaled.low);
    assert!(hunks.cost.high > hunks.cost.low);
    for (what, w) in [
        (
            "semantic overlaps in the same function",
            Weight::PerOverlapSameFunction,
        ),
        (
            "semantic overlaps near upstream's change",
            Weight::PerOverlapNear,
        ),
        (
            "semantic overlaps elsewhere in the file",
            Weight::PerCleanMergeFile,
        ),
    ] {
        assert_eq!(item(what).count, 1, "{what}");
        assert_eq!(r2(item(what).cost), r2(model.of(w, 1)), "{what}");
    }
    let once: Vec<(&str, usize)> = rb
        .cost_split
        .one_time_items
        .iter()
        .map(|i| (i.what.as_str(), i.count))
        .collect();
    // One-time: the three settings-module edits (the footer logo, the footer links, the
    // devstack flag) to move to configuration; nothing committed, no secrets, nothing upstream.
    assert_eq!(
        once,
        vec![("settings-module edits to move to configuration", 3)]
    );
    assert_eq!(
        r2(rb.cost_split.one_time),
        r2(model.of(Weight::PerSettingsMove, 3))
    );
    // The report's ranges are stored with two decimals (a redacted report makes a JSON round
    // trip): the total equals the items' sum up to that rounding.
    let sum: forkcheck_analyzers::cost::HoursRange =
        rb.cost_split.per_release_items.iter().map(|i| i.cost).sum();
    let slack = 0.006 * rb.cost_split.per_release_items.len() as f64;
    assert!(
        (rb.cost.low - sum.low).abs() <= slack && (rb.cost.high - sum.high).abs() <= slack,
        "{:?} vs {sum:?}",
        rb.cost
    );
    assert_eq!(rb.cost, rb.cost_split.per_release);
}

fn summaries(v: &[forkcheck_analyzers::rebase::CommitRef]) -> Vec<String> {
    v.iter().map(|c| c.summary.clone()).collect()
}

/// A range rounded to the two decimals the report keeps.
fn r2(h: HoursRange) -> (f64, f64) {
    let r = |x: f64| (x * 100.0).round() / 100.0;
    (r(h.low), r(h.high))
}

#[test]
fn forks_without_a_past_upgrade_are_uncalibrated() {
    for s in [Scenario::Typical, Scenario::Merged] {
        let g = shared(s);
        let (_ctx, r) = report(&g.fork);
        let cal = r.rebase.expect("a target").calibration;
        match s {
            // typical never merged upstream; merged's merge of redwood.2 changed no file both
            // sides had changed: measured, with nothing to learn from.
            Scenario::Typical => {
                assert!(!cal.calibrated);
                assert!(cal.upgrades.is_empty());
                assert_eq!((cal.conflict_factor, cal.overlap_factor), (1.0, 1.0));
            }
            _ => {
                assert!(cal.calibrated);
                assert_eq!(cal.upgrades.len(), 1);
                assert_eq!(cal.upgrades[0].both_changed, 0);
                assert_eq!((cal.conflict_factor, cal.overlap_factor), (1.0, 1.0));
            }
        }
    }
}

#[test]
fn upgraded_flip_flops_cancel_and_the_past_merge_is_an_import() {
    let g = shared(Scenario::Upgraded);
    let (_ctx, r) = report(&g.fork);
    let rb = r.rebase.as_ref().expect("a target");
    let triage = r.triage.as_ref().expect("triage");
    let class = |summary: &str| {
        triage
            .items
            .iter()
            .find(|i| i.summary == summary)
            .unwrap_or_else(|| panic!("no triage item {summary}"))
    };
    // False → True → False → True: the first two cancel out, the third is the one change.
    for (summary, partner) in [
        (
            "Enable discussions in devstack",
            "Disable discussions in devstack again",
        ),
        (
            "Disable discussions in devstack again",
            "Enable discussions in devstack",
        ),
    ] {
        let item = class(summary);
        assert_eq!(item.class.as_str(), "reverted", "{summary}");
        assert!(item.saving.is_zero(), "{summary}");
        let replay = rb.commits.iter().find(|c| c.summary == summary).unwrap();
        assert_eq!(
            replay.cancelled_by.as_ref().map(|c| c.summary.as_str()),
            Some(partner)
        );
        // The revert leaves devstack.py equal to the target's, yet it is not "upstream".
        assert!(replay.upstream.is_none(), "{summary}");
        assert!(replay.cost.is_zero(), "{summary}");
    }
    let last = class("Enable discussions in devstack with the forum container");
    assert_eq!(last.class.as_str(), "configuration");
    assert!(!last.saving.is_zero());
    let merge = class("Merge tag 'open-release/redwood.2' into main");
    assert_eq!(merge.class.as_str(), "upstream-import");
    assert!(merge.saving.is_zero());
    // No commit of this fork is already upstream.
    assert!(rb.commits.iter().all(|c| c.upstream.is_none()));
    assert_eq!(triage.counts.get("reverted"), Some(&2));
    // The summary opens with the three features and says the estimate is calibrated.
    let s = r.summary.as_ref().expect("summary");
    assert_eq!(s.decisions[0].key, "rework");
    assert_eq!(s.decisions[0].count, 4);
    assert!(
        s.calibration
            .starts_with("calibrated from 1 past upgrade (open-release/redwood.2 (merge)"),
        "{}",
        s.calibration
    );
    assert!(
        s.decisions.iter().all(|d| d.key != "drop"),
        "{:?}",
        s.decisions
    );
    assert!(
        s.calibration.ends_with(
            "conflict weights ×1.5, ranges narrowed on 1 conflicted file (100 % followed up), \
             overlap weights ×1"
        ),
        "{}",
        s.calibration
    );
}

/// Scenario `rebased`: the fork's honor-mode and navigation commits were on redwood.1 (branch
/// `acme/redwood.1`, kept; an older copy on quince.2 too), with two devstack commits of one
/// subject, re-applied on redwood.2
/// two days later — honor by hand onto redwood.2's rewrite of the same line — and fixed again
/// the next day. Calibration finds the
/// rebase from what is reachable and measures it like the merge in `upgraded`, plus which
/// re-applied commits changed; every figure is checked against git.
#[test]
fn rebased_past_upgrade_is_measured_from_the_kept_branch() {
    let g = shared(Scenario::Rebased);
    let (_ctx, r) = report(&g.fork);
    let rb = r.rebase.expect("a target");
    let cal = &rb.calibration;
    assert!(cal.calibrated);
    assert_eq!(cal.upgrades.len(), 1, "{:?}", cal.upgrades);
    let u = &cal.upgrades[0];
    assert_eq!(u.kind, "rebase");
    assert_eq!(u.upstream, "open-release/redwood.2");
    let fork = &g.fork;
    assert_eq!(
        u.upstream_oid,
        git(fork, &["rev-parse", "open-release/redwood.2^{commit}"]).trim()
    );
    // The last re-applied commit: the newest first-parent commit whose summary is on the old
    // branch (git log --format=%s).
    let old_subjects: BTreeSet<String> = git(
        fork,
        &[
            "log",
            "--format=%s",
            "open-release/redwood.1..acme/redwood.1",
        ],
    )
    .lines()
    .map(String::from)
    .collect();
    let reapplied: Vec<(String, String)> = git(
        fork,
        &[
            "log",
            "--first-parent",
            "--format=%H %s",
            "open-release/redwood.2..HEAD",
        ],
    )
    .lines()
    .filter_map(|l| l.split_once(' '))
    .filter(|(_, s)| old_subjects.contains(*s))
    .map(|(h, s)| (h.to_string(), s.to_string()))
    .collect();
    // Honor, navigation and the two "Tune devstack for Acme" commits (one subject, each paired
    // with its own original: neither counts as changed).
    assert_eq!(reapplied.len(), 4);
    assert_eq!(u.reapplied, 4);
    assert_eq!(u.merge.oid, reapplied[0].0);
    assert_eq!(u.merge.summary, "Tune devstack for Acme");
    // Changed while re-applied: the re-applied commits `git cherry` finds no patch-id
    // equivalent of on the old branch ("+").
    let rewritten: Vec<String> = git(
        fork,
        &["cherry", "acme/redwood.1", "HEAD", "open-release/redwood.2"],
    )
    .lines()
    .filter_map(|l| l.strip_prefix("+ "))
    .filter_map(|h| reapplied.iter().find(|(oid, _)| oid == h))
    .map(|(_, s)| s.clone())
    .collect();
    assert_eq!(
        rewritten,
        vec!["Enroll learners in honor mode by default".to_string()]
    );
    assert_eq!(summaries(&u.rewritten), rewritten);
    let api = "openedx/core/djangoapps/enrollments/api.py".to_string();
    assert_eq!(u.rewritten_files, vec![api.clone()]);
    // Both changed since redwood.1: the old branch and redwood.2 (git diff), one conflict.
    let both: BTreeSet<String> = changed(fork, "open-release/redwood.1", "acme/redwood.1")
        .intersection(&changed(
            fork,
            "open-release/redwood.1",
            "open-release/redwood.2",
        ))
        .cloned()
        .collect();
    assert_eq!(both, BTreeSet::from([api.clone()]));
    assert_eq!((u.both_changed, u.conflicted, u.conflict_hunks), (1, 1, 1));
    assert_eq!(u.resolved_by_hand, vec![api.clone()]);
    assert_eq!(
        summaries(&u.follow_ups),
        vec!["Fix honor-mode default after the redwood.2 merge".to_string()]
    );
    assert_eq!(u.followed_up_files, vec![api]);
    // From the first re-applied commit to the follow-up (committer dates).
    let time = |rev: &str| -> i64 {
        git(fork, &["log", "-1", "--format=%ct", rev])
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(
        u.calendar_seconds,
        time(&u.follow_ups[0].oid) - time(&reapplied[3].0)
    );
    assert_eq!(u.calendar_seconds, 28 * 3600);
    assert_eq!((cal.conflict_factor, cal.overlap_factor), (1.5, 1.0));
    // The last re-applied commit stands for the upgrade, but it is the fork's own work: not
    // an upstream import in the triage, and its files still count for the overlaps' features.
    let triage = r.triage.as_ref().expect("triage");
    let tip = triage
        .items
        .iter()
        .find(|i| i.commit == u.merge.oid)
        .expect("the tip is triaged");
    assert_ne!(tip.class.as_str(), "upstream-import");
    assert!(!tip.saving.is_zero(), "{:?}", tip.saving);
    let s = r.summary.expect("summary");
    assert!(
        s.calibration.starts_with(
            "calibrated from 1 past upgrade (open-release/redwood.2 (rebase: 4 commits \
             re-applied, 1 changed): 1 file changed on both sides, 1 conflicted (1 hunk), 1 \
             resolved by hand, 1 follow-up fix over 1.2 days)"
        ),
        "{}",
        s.calibration
    );
}

/// Without the pre-rebase branch, a rebase leaves no trace: the same fork is uncalibrated.
#[test]
fn a_rebase_without_its_old_commits_is_not_detected() {
    let g = shared(Scenario::Rebased);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("fork");
    git(
        dir.path(),
        &[
            "clone",
            "--quiet",
            g.fork.to_str().unwrap(),
            copy.to_str().unwrap(),
        ],
    );
    // The clone has origin/acme/redwood.1 and origin/acme/quince.2: drop them, keep
    // upstream's tags.
    for r in ["acme/redwood.1", "acme/quince.2"] {
        git(
            &copy,
            &["update-ref", "-d", &format!("refs/remotes/origin/{r}")],
        );
    }
    git(
        &copy,
        &["fetch", "--quiet", "--tags", g.upstream.to_str().unwrap()],
    );
    let (_ctx, r) = report(&copy);
    let cal = r.rebase.expect("a target").calibration;
    assert!(!cal.calibrated, "{:?}", cal.upgrades);
    assert!(r.summary.unwrap().calibration.starts_with("uncalibrated"));
}

/// A fork commit deleting a file the fork itself added earlier (together with other files) is
/// a net revert of the fork's own change, not "already upstream" because the target lacks the
/// file too: reported on a copy of `typical` with `config/lms.auth.json` deleted on top.
#[test]
fn deleting_a_file_the_fork_added_is_a_partial_revert_not_upstream() {
    let tmp = tempfile::tempdir().unwrap();
    let g =
        forkcheck_fixtures::copy_shared(Scenario::Typical, &tmp.path().join("typical")).unwrap();
    let added = git(
        &g.fork,
        &[
            "log",
            "--diff-filter=A",
            "--format=%H",
            "--",
            "config/lms.auth.json",
        ],
    );
    let added = added.trim().to_string();
    assert_eq!(added.lines().count(), 1, "one commit adds the file");
    git(&g.fork, &["rm", "-q", "config/lms.auth.json"]);
    git(
        &g.fork,
        &["commit", "-q", "-m", "Remove the committed LMS auth file"],
    );
    let delete = git(&g.fork, &["rev-parse", "HEAD"]).trim().to_string();

    let (_ctx, r) = report(&g.fork);
    let rb = r.rebase.as_ref().expect("a target");
    let replay = rb.commits.iter().find(|c| c.oid == delete).unwrap();
    assert!(replay.upstream.is_none(), "{replay:?}");
    assert!(replay.residue.is_empty());
    assert_eq!(
        replay.cancelled_by.as_ref().map(|c| c.oid.as_str()),
        Some(added.as_str())
    );
    assert!(replay.reverts_part);
    assert!(replay.cost.is_zero());
    // The commit that added the file still carries lms.env.json and the key: not cancelled.
    let earlier = rb.commits.iter().find(|c| c.oid == added).unwrap();
    assert!(earlier.cancelled_by.is_none());

    let triage = r.triage.as_ref().expect("triage");
    let item = triage.items.iter().find(|i| i.commit == delete).unwrap();
    assert_eq!(item.class.as_str(), "reverted", "{item:?}");
    assert!(item.saving.is_zero());
    assert!(
        item.reasons[0].contains("config/lms.auth.json"),
        "{:?}",
        item.reasons
    );
    let first = triage.items.iter().find(|i| i.commit == added).unwrap();
    assert_eq!(first.class.as_str(), "configuration");

    let rules: BTreeSet<&str> = r
        .findings
        .iter()
        .filter(|f| f.data.get("commit").and_then(|v| v.as_str()) == Some(delete.as_str()))
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(rules, BTreeSet::from(["FC707"]));
}

/// The summary counts a file the target deleted once: on the "port or drop" line, never also
/// among the files that need re-work. On `typical`, the fork edits one file sumac deletes
/// (`git diff --diff-filter=D BASE TARGET` ∩ `git diff BASE HEAD`).
#[test]
fn summary_counts_a_target_deleted_file_once() {
    let g = shared(Scenario::Typical);
    let (ctx, r) = report(&g.fork);
    let rb = r.rebase.as_ref().expect("a target");
    let base = ctx.base.rev.clone();
    let gone: BTreeSet<String> = git(
        &g.fork,
        &["diff", "--name-only", "--diff-filter=D", &base, &rb.target],
    )
    .lines()
    .map(String::from)
    .collect();
    let deleted: BTreeSet<String> = changed(&g.fork, &base, "HEAD")
        .intersection(&gone)
        .cloned()
        .collect();
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    let feature_files: BTreeSet<String> =
        rb.features.iter().flat_map(|f| f.files.clone()).collect();
    assert!(
        deleted.is_subset(&feature_files),
        "the deleted file is in a feature"
    );
    let s = r.summary.as_ref().expect("summary");
    let count = |key: &str| s.decisions.iter().find(|d| d.key == key).map(|d| d.count);
    assert_eq!(count("deleted"), Some(deleted.len()));
    assert_eq!(
        count("rework"),
        Some(feature_files.difference(&deleted).count())
    );
    let rework = &s.decisions.iter().find(|d| d.key == "rework").unwrap().text;
    assert!(!rework.contains("badges"), "{rework}");
}

/// A committed generated config file whose keys all repeat the base release's code default
/// (`lms/envs/common.py`) carries nothing: the config section marks its keys `default` and it
/// adds no per-release or one-time cost. On a copy of `typical` with such a file added on top,
/// the generated-config count stays at `typical`'s two files (`config/lms.env.json`,
/// `config/lms.auth.json`).
#[test]
fn generated_config_of_defaults_costs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let g =
        forkcheck_fixtures::copy_shared(Scenario::Typical, &tmp.path().join("typical")).unwrap();
    let (_ctx, before) = report(&g.fork);
    let text = "{\n    \"PLATFORM_NAME\": \"Your Platform Name Here\",\n    \"LMS_ENROLLMENT_API_PATH\": \"/api/enrollment/v1/\"\n}\n";
    std::fs::write(g.fork.join("config/lms.defaults.env.json"), text).unwrap();
    git(&g.fork, &["add", "config/lms.defaults.env.json"]);
    git(
        &g.fork,
        &["commit", "-q", "-m", "Commit the default LMS values"],
    );
    let (_ctx, r) = report(&g.fork);
    let file = r
        .config
        .as_ref()
        .expect("config section")
        .files
        .iter()
        .find(|f| f.path == "config/lms.defaults.env.json")
        .expect("the new file is analysed");
    assert_eq!(file.keys.len(), 2);
    assert!(file.keys.iter().all(|k| k.default), "{:?}", file.keys);
    let count = |r: &forkcheck_analyzers::Report, per: bool, what: &str| {
        let split = &r.rebase.as_ref().unwrap().cost_split;
        let items = if per {
            &split.per_release_items
        } else {
            &split.one_time_items
        };
        items.iter().find(|i| i.what == what).map(|i| i.count)
    };
    for (per, what) in [
        (true, "committed generated-config files"),
        (
            false,
            "committed config files to move to configuration management",
        ),
    ] {
        assert_eq!(count(&before, per, what), Some(2), "{what}");
        assert_eq!(count(&r, per, what), Some(2), "{what}");
    }
}
