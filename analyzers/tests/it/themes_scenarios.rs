//! The themes analysis on every fixture scenario, asserted exactly against
//! `fixtures/scenarios/<name>/themes.toml`: each FC4xx/FC5xx finding (rule, status, path,
//! original, line, key, rename, where it should live), the upstream change of stale overrides
//! (class, structural details, commits), the summary and the move plan.

use forkcheck_analyzers::report::Finding;
use forkcheck_analyzers::themes::{self, ThemesSection};
use forkcheck_analyzers::{Context, Error, NoProgress, OpenOptions};
use forkcheck_fixtures::{scenario_dir, shared, Scenario};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    scenario: String,
    expect_error: Option<String>,
    summary: Option<Summary>,
    #[serde(default)]
    findings: Vec<ExpFinding>,
    #[serde(default)]
    moves: Vec<ExpMove>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    themes: u64,
    overrides: u64,
    context_risks: u64,
    in_place: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpFinding {
    rule: String,
    status: String,
    path: String,
    original: Option<String>,
    line: Option<u32>,
    key: Option<String>,
    renamed_to: Option<String>,
    target_line: Option<u32>,
    should_live_at: Option<String>,
    theme_path: Option<String>,
    change: Option<String>,
    details: Option<Vec<String>>,
    commits: Option<Vec<String>>,
    /// The override's advice kind (`branding`, `i18n`, `rewrite`, `blocks`), on its status
    /// finding.
    advice: Option<String>,
    /// For `dead`: the last release that had the original and the one that removed it.
    last_release: Option<String>,
    removed_in: Option<String>,
    /// For `dead`: where the removed original's content is in the base, if anywhere.
    moved_to: Option<String>,
    /// For a static `addition` the service asks for: why it takes effect.
    served_because: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpMove {
    from: String,
    to: String,
    action: String,
}

fn expected(s: Scenario) -> Expected {
    let path = scenario_dir(s).join("themes.toml");
    let text = std::fs::read_to_string(&path).expect("themes.toml exists for every scenario");
    let exp: Expected = toml::from_str(&text).expect("themes.toml parses");
    assert_eq!(exp.scenario, s.name());
    exp
}

fn data_str(f: &Finding, key: &str) -> Option<String> {
    f.data.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

/// The actual findings in the expected-data shape.
fn actual(findings: &[Finding], section: &ThemesSection) -> Vec<ExpFinding> {
    let mut out: Vec<ExpFinding> = findings
        .iter()
        .map(|f| {
            let entry = section.overrides.iter().find(|o| o.path == f.path);
            let stale = entry
                .and_then(|o| o.staleness.as_ref())
                .filter(|_| f.status.as_deref() == Some("stale"));
            let target_loc = f.target_location.as_ref();
            let theme_override = f.rule.starts_with("FC4");
            ExpFinding {
                rule: f.rule.clone(),
                status: f.status.clone().unwrap_or_default(),
                path: f.path.clone(),
                original: f.original.clone(),
                line: f.line,
                key: f.key.clone(),
                renamed_to: f
                    .data
                    .get("renamed_to")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
                target_line: target_loc.and_then(|l| l.line).filter(|_| theme_override),
                should_live_at: target_loc
                    .filter(|l| theme_override && l.line.is_none())
                    .map(|l| l.path.clone()),
                theme_path: target_loc
                    .filter(|_| !theme_override)
                    .map(|l| l.path.clone()),
                change: stale.map(|s| s.change.as_str().to_string()),
                details: stale.map(|s| s.details.clone()),
                commits: stale.map(|s| s.commits.iter().map(|c| c.summary.clone()).collect()),
                advice: entry
                    .filter(|_| theme_override && f.rule != "FC407")
                    .and_then(|o| o.advice.clone()),
                last_release: data_str(f, "last_release"),
                removed_in: data_str(f, "removed_in"),
                moved_to: data_str(f, "moved_to"),
                served_because: data_str(f, "served_because"),
            }
        })
        .collect();
    out.sort();
    out
}

fn check(s: Scenario) {
    let exp = expected(s);
    let g = shared(s);
    let opened = Context::open(&OpenOptions::new(&g.fork));
    let result = opened.and_then(|ctx| {
        let mut findings = Vec::new();
        themes::analyze(&ctx, &NoProgress, &mut findings).map(|section| (section, findings))
    });
    if let Some(kind) = &exp.expect_error {
        let err = match result {
            Ok(_) => panic!("{s}: expected a {kind} error, the analysis succeeded"),
            Err(e) => e,
        };
        match (kind.as_str(), &err) {
            ("shallow", Error::Shallow { .. })
            | ("missing-objects", Error::MissingObject { .. }) => {}
            _ => panic!("{s}: expected a {kind} error, got: {err}"),
        }
        return;
    }
    let (section, findings) = result.unwrap_or_else(|e| panic!("{s}: analysis failed: {e}"));
    let section = section.expect("the themes section is produced");
    let mut want = exp.findings.clone();
    want.sort();
    assert_eq!(actual(&findings, &section), want, "{s}: findings differ");
    // Every finding of this analysis is FC4xx/FC5xx, carries a status, and FC4xx ones the
    // same status as their inventory entry (context changes aside).
    for f in &findings {
        assert!(
            f.rule.starts_with("FC4") || f.rule.starts_with("FC5"),
            "{}",
            f.rule
        );
        if f.rule.starts_with("FC4") && f.rule != "FC407" {
            let entry = section.overrides.iter().find(|o| o.path == f.path);
            assert_eq!(entry.map(|o| o.status.as_str()), f.status.as_deref());
        }
    }
    if let Some(sum) = &exp.summary {
        let got = &section.summary;
        assert_eq!(
            (got.themes, got.overrides, got.context_risks, got.in_place),
            (sum.themes, sum.overrides, sum.context_risks, sum.in_place),
            "{s}: summary differs"
        );
    }
    let moves: Vec<ExpMove> = section
        .move_plan
        .iter()
        .map(|m| ExpMove {
            from: m.from.clone(),
            to: m.to.clone(),
            action: m.action.clone(),
        })
        .collect();
    assert_eq!(moves, exp.moves, "{s}: move plan differs");
}

#[test]
fn typical() {
    check(Scenario::Typical);
}

#[test]
fn typical_covers_every_status() {
    let exp = expected(Scenario::Typical);
    let has = |rule: &str, status: &str| {
        exp.findings
            .iter()
            .any(|f| f.rule == rule && f.status == status)
    };
    for (rule, status) in [
        ("FC401", "redundant"),
        ("FC402", "diverged"),
        ("FC403", "stale"),
        ("FC404", "stale"),
        ("FC405", "orphaned"),
        ("FC406", "misplaced"),
        ("FC407", "context-change"),
        ("FC408", "addition"),
        ("FC409", "misplaced"),
        ("FC410", "dead"),
        ("FC501", "edited"),
    ] {
        assert!(has(rule, status), "typical lacks {rule} {status}");
    }
    // A fork-added app's template stays with the app (a plugin later): typical's acme_reports
    // ships one, and nothing tells it to move into a theme (the exact comparison in `typical`
    // holds the analyzer to this).
    assert!(!exp.findings.iter().any(|f| f.path.contains("acme_reports")));
    assert!(!exp.moves.iter().any(|m| m.from.contains("acme_reports")));
    assert!(exp.findings.iter().any(|f| f.rule == "FC407"
        && f.key.as_deref() == Some("homepage_overlay_html")
        && f.renamed_to.as_deref() == Some("homepage_overlay_content")));
    assert!(exp
        .findings
        .iter()
        .any(|f| f.path.contains("/static/") && f.original.is_some()));
}

#[test]
fn clean() {
    check(Scenario::Clean);
}

#[test]
fn squashed() {
    check(Scenario::Squashed);
}

#[test]
fn merged() {
    check(Scenario::Merged);
}

#[test]
fn shallow() {
    check(Scenario::Shallow);
}

#[test]
fn partial() {
    check(Scenario::Partial);
}
