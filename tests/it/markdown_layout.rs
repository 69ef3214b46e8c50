//! Markdown layout: no Markdown output (`report`, `plan`, `triage`) of any fixture scenario, nor
//! of one without a target release, has two consecutive blank lines (each section partial starts
//! with exactly one). Cut reports: cli/render/markdown.rs's tests.

use forkcheck_fixtures::{shared, Scenario};

/// 1-based numbers of the lines that are the second of two consecutive blank lines.
fn double_blanks(text: &str) -> Vec<usize> {
    let lines: Vec<&str> = text.lines().collect();
    (1..lines.len())
        .filter(|&i| lines[i].trim().is_empty() && lines[i - 1].trim().is_empty())
        .map(|i| i + 1)
        .collect()
}

#[test]
fn double_blank_detector_sees_them() {
    assert_eq!(double_blanks("a\n\nb\n"), Vec::<usize>::new());
    assert_eq!(double_blanks("a\n\n\nb\n"), vec![3]);
    assert_eq!(double_blanks("a\n \n\n## b\n"), vec![3]);
}

#[test]
fn no_markdown_output_of_any_scenario_has_two_consecutive_blank_lines() {
    let mut rendered = 0;
    for s in Scenario::ALL {
        let fork = shared(s).fork.clone();
        for command in [
            &["report", "--fail-on", "never"][..],
            &["plan"][..],
            &["triage"][..],
        ] {
            let out = crate::common::run(
                crate::common::forkcheck()
                    .args(command)
                    .args(["--allow-shallow", "--format", "markdown", "--repo"])
                    .arg(&fork),
            );
            if out.code != 0 {
                // A partial clone stops before any report (tests/it/cli_scenarios.rs).
                assert_eq!(
                    s,
                    Scenario::Partial,
                    "{} {command:?}: {}",
                    s.name(),
                    out.stderr
                );
                continue;
            }
            let doubles = double_blanks(&out.stdout);
            assert!(
                doubles.is_empty(),
                "{} {command:?}: two blank lines ending at lines {doubles:?}:\n{}",
                s.name(),
                out.stdout
            );
            rendered += 1;
        }
    }
    assert!(rendered >= 27, "{rendered} Markdown outputs checked");
}

#[test]
fn no_markdown_output_without_a_target_has_two_consecutive_blank_lines() {
    // No release after the base: the summary has no per-release cost, the breaks sections say
    // what to check at the upgrade.
    let (_tmp, fork) = crate::common::without_later_releases(Scenario::Breaks);
    for command in [&["report", "--fail-on", "never"][..], &["triage"][..]] {
        let out = crate::common::run(
            crate::common::forkcheck()
                .args(command)
                .args(["--format", "markdown", "--repo"])
                .arg(&fork),
        );
        assert_eq!(out.code, 0, "{command:?}: {}", out.stderr);
        if command[0] == "report" {
            assert!(out.stdout.contains("## Migrations"), "{}", out.stdout);
        }
        let doubles = double_blanks(&out.stdout);
        assert!(
            doubles.is_empty(),
            "{command:?}: two blank lines ending at lines {doubles:?}:\n{}",
            out.stdout
        );
    }
}
