//! The upgrade review in every format, on fixture scenarios (issue 10):
//! - identical findings (one rule, one file, more than eight) are folded in the terminal,
//!   Markdown and HTML ("FC301 × 15 in `lms/envs/tutor/production.py`"), while JSON and SARIF
//!   keep every finding; errors come first, then warnings, then info, in every human format;
//! - the summary names what breaks at the target beyond the diff (`breaks`): one decision line
//!   with the counts by kind, and "breaks to fix" among the per-release cost's contributors, in
//!   the terminal, Markdown, HTML and the JSON summary;
//! - a rebased past upgrade (`rebased`) is named with its kind and raw figures everywhere.

use std::collections::BTreeMap;
use std::path::Path;

use forkcheck_fixtures::{shared, Scenario};

use crate::common::{forkcheck, run};

fn report(fork: &Path, format: &str) -> String {
    let r = run(forkcheck()
        .args(["report", "--fail-on", "never", "--format", format, "--repo"])
        .arg(fork));
    assert_eq!(r.code, 0, "{format}: {}", r.stderr);
    r.stdout
}

fn rank(severity: &str) -> u8 {
    match severity {
        "error" => 3,
        "warning" => 2,
        "info" => 1,
        other => panic!("unknown severity {other}"),
    }
}

/// (rule, path) → how many findings, from the JSON report (which never folds).
fn groups(json: &serde_json::Value) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for f in json["findings"].as_array().expect("findings") {
        let key = (
            f["rule"].as_str().unwrap().to_string(),
            f["path"].as_str().unwrap().to_string(),
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

#[test]
fn identical_findings_fold_in_markdown_and_html_and_never_in_json_or_sarif() {
    let g = shared(Scenario::Tutor);
    let json: serde_json::Value = serde_json::from_str(&report(&g.fork, "json")).unwrap();
    let all = json["findings"].as_array().unwrap().len();
    let big: Vec<((String, String), usize)> =
        groups(&json).into_iter().filter(|(_, n)| *n > 8).collect();
    // The Tutor-rendered settings modules: one FC301 per setting the fork's render sets.
    let paths: Vec<(&str, &str, usize)> = big
        .iter()
        .map(|((r, p), n)| (r.as_str(), p.as_str(), *n))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("FC301", "cms/envs/tutor/production.py", 14),
            ("FC301", "lms/envs/tutor/production.py", 15)
        ]
    );
    let sarif: serde_json::Value = serde_json::from_str(&report(&g.fork, "sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        all,
        "SARIF keeps every finding"
    );
    let md = report(&g.fork, "markdown");
    let html = report(&g.fork, "html");
    let term = report(&g.fork, "terminal");
    for ((rule, path), n) in &big {
        let line = format!("**{rule} × {n} in `{path}`**");
        assert_eq!(md.matches(&line).count(), 1, "{line} in:\n{md}");
        let h = format!(
            "{rule} × {n} in <code>{}</code>",
            path.replace('/', "&#x2F;")
        );
        assert_eq!(html.matches(&h).count(), 1, "{h} in:\n{html}");
        assert!(term.contains(&format!("{rule} × {n} in {path}")), "{term}");
        // Three shown, the rest counted.
        assert!(md.contains(&format!("… and {} more", n - 3)), "{md}");
        assert!(html.contains(&format!("… and {} more", n - 3)), "{html}");
    }
    // A folded group is one Markdown row, not one row per finding.
    let md_rows = md
        .lines()
        .filter(|l| {
            l.starts_with("| error |") || l.starts_with("| warning |") || l.starts_with("| info |")
        })
        .count();
    let folded: usize = big.iter().map(|(_, n)| n - 1).sum();
    assert_eq!(md_rows, all - folded, "{md}");
}

#[test]
fn errors_then_warnings_then_info_in_every_human_format() {
    for s in [Scenario::Tutor, Scenario::Typical, Scenario::Breaks] {
        let g = shared(s);
        // Markdown: file by file, the files with an error first, then those with a warning;
        // within a file, most severe first.
        let md = report(&g.fork, "markdown");
        let findings = md
            .split("file by file")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no findings list:\n{md}", s.name()));
        let findings = findings.split("</details>").next().unwrap();
        let mut worst = Vec::new();
        for file in findings.split("\n### ").skip(1) {
            let sev: Vec<u8> = file
                .lines()
                .filter_map(|l| l.strip_prefix("| "))
                .filter_map(|l| l.split(' ').next())
                .filter(|w| matches!(*w, "error" | "warning" | "info"))
                .map(rank)
                .collect();
            assert!(!sev.is_empty(), "{}: {file}", s.name());
            assert!(
                sev.windows(2).all(|w| w[0] >= w[1]),
                "{}: most severe first within {file}",
                s.name()
            );
            worst.push(sev[0]);
        }
        assert!(
            worst.windows(2).all(|w| w[0] >= w[1]),
            "{}: files with errors first: {worst:?}",
            s.name()
        );
        // HTML: one table, every row most severe first.
        let html = report(&g.fork, "html");
        let table = html
            .split("<th>Message</th>")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: no findings table", s.name()));
        let table = table.split("</table>").next().unwrap();
        let sev: Vec<u8> = table
            .split("<td data-sort=\"")
            .skip(1)
            .map(|t| t[..1].parse::<u8>().unwrap())
            .collect();
        let json: serde_json::Value = serde_json::from_str(&report(&g.fork, "json")).unwrap();
        let rows: usize = groups(&json)
            .values()
            .map(|&n| if n > 8 { 1 } else { n })
            .sum();
        assert_eq!(sev.len(), rows, "{}: one row per finding or fold", s.name());
        assert!(
            sev.windows(2).all(|w| w[0] >= w[1]),
            "{}: errors, then warnings, then info: {sev:?}",
            s.name()
        );
        // The terminal: the severity column of every file block, most severe first.
        let term = report(&g.fork, "terminal");
        let body = term.split("\nFindings").nth(1).expect("findings");
        let mut worst = Vec::new();
        for block in body.split("\n\n  ").skip(1) {
            let sev: Vec<u8> = block
                .lines()
                .filter_map(|l| l.strip_prefix("    "))
                .filter_map(|l| l.split(' ').next())
                .filter(|w| matches!(*w, "error" | "warning" | "info"))
                .map(rank)
                .collect();
            if let Some(&first) = sev.first() {
                assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{block}");
                worst.push(first);
            }
        }
        assert!(!worst.is_empty(), "{term}");
        assert!(worst.windows(2).all(|w| w[0] >= w[1]), "{worst:?}");
    }
}

/// Scenario `breaks`: the fork's migrations, pins and removed-API uses against sumac.2.
#[test]
fn the_summary_names_the_breaks_work() {
    let g = shared(Scenario::Breaks);
    let json: serde_json::Value = serde_json::from_str(&report(&g.fork, "json")).unwrap();
    let count = |prefix: &str, warn_up: bool| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with(prefix))
            .filter(|f| !warn_up || f["severity"] != "info")
            .count()
    };
    // The cost model's breaks: FC8xx and FC9xx of warning or error severity, every FC0xx.
    let (migrations, pins, apis) = (count("FC8", true), count("FC9", true), count("FC0", false));
    assert_eq!((migrations, pins, apis), (4, 7, 5));
    let decision = json["summary"]["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "breaks")
        .expect("a breaks decision")
        .clone();
    assert_eq!(decision["count"], 16);
    let text = "fix 16 breaks before the upgrade runs: 4 migration problems (FC801, FC802, \
                FC804, FC806), 7 dependency conflicts (FC901, FC902, FC904, FC906, FC908, FC909), \
                5 removed API uses (FC001, FC002)";
    assert_eq!(decision["text"], text);
    // Their cost is in the per-release estimate, by kind, and in the summary's contributors as
    // one line.
    let items = json["rebase"]["cost_split"]["per_release_items"]
        .as_array()
        .unwrap();
    let item = |what: &str| {
        items
            .iter()
            .find(|i| i["what"] == what)
            .unwrap_or_else(|| panic!("no item {what}: {items:?}"))
    };
    assert_eq!(item("migration problems")["count"], 4);
    assert_eq!(item("dependency conflicts")["count"], 7);
    assert_eq!(item("removed API uses")["count"], 5);
    // 4 × 0.5–3 h + 7 × 0.25–2 h + 5 × 0.1–0.5 h (rules/cost.toml).
    let top = json["summary"]["per_release"]["top"].as_array().unwrap();
    assert_eq!(top[0], "breaks to fix (16): 4.3–28.5 h", "{top:?}");
    let md = report(&g.fork, "markdown");
    let html = report(&g.fork, "html");
    let term = report(&g.fork, "terminal");
    assert!(term.contains(&format!("  • {text}\n")), "{term}");
    assert!(term.contains("breaks to fix (16): 4.3–28.5 h"), "{term}");
    assert!(
        md.contains("- fix 16 breaks before the upgrade runs: 4 migration problems"),
        "{md}"
    );
    assert!(md.contains("breaks to fix (16): 4.3–28.5 h"), "{md}");
    assert!(
        html.contains("<li>fix 16 breaks before the upgrade runs: 4 migration problems"),
        "{html}"
    );
    assert!(html.contains("breaks to fix (16): 4.3–28.5 h"), "{html}");
}

/// Scenario `rebased`: the calibration line names the past upgrade's kind and its raw figures
/// in every human format, and the JSON keeps them field by field.
#[test]
fn a_rebased_past_upgrade_is_shown_with_its_kind_and_figures() {
    let g = shared(Scenario::Rebased);
    let line = "calibrated from 1 past upgrade (open-release/redwood.2 (rebase: 4 commits \
                re-applied, 1 changed): 1 file changed on both sides, 1 conflicted (1 hunk), 1 \
                resolved by hand, 1 follow-up fix over 1.2 days): conflict weights ×1.5, ranges \
                narrowed on 1 conflicted file (100 % followed up), overlap weights ×1";
    let json: serde_json::Value = serde_json::from_str(&report(&g.fork, "json")).unwrap();
    assert_eq!(json["summary"]["calibration"], line);
    let u = &json["rebase"]["calibration"]["upgrades"][0];
    assert_eq!(u["kind"], "rebase");
    assert_eq!(u["reapplied"], 4);
    assert_eq!(
        u["rewritten_files"][0],
        "openedx/core/djangoapps/enrollments/api.py"
    );
    assert!(report(&g.fork, "terminal").contains(line));
    assert!(report(&g.fork, "markdown").contains(line));
    // HTML escapes the slash of the release ref.
    assert!(report(&g.fork, "html").contains(&line.replace('/', "&#x2F;")));
}
