//! `forkcheck report` on the typical fixture: the themes section in every format — the move
//! plan of in-place template edits, the context rename, the override inventory — agrees with
//! the expected data in `fixtures/scenarios/typical/themes.toml`.

use crate::common::{forkcheck, run};
use forkcheck_fixtures::{scenario_dir, shared, Scenario};

#[derive(serde::Deserialize)]
struct Expected {
    moves: Vec<Move>,
}

#[derive(serde::Deserialize)]
struct Move {
    from: String,
    to: String,
    action: String,
}

fn expected_moves() -> Vec<Move> {
    let text = std::fs::read_to_string(scenario_dir(Scenario::Typical).join("themes.toml"))
        .expect("expected data");
    // the other keys of the file (findings, summary) are ignored here
    let exp: Expected = toml::from_str(&text).expect("themes.toml parses");
    assert!(!exp.moves.is_empty());
    exp.moves
}

fn report(format: &str) -> String {
    let fork = &shared(Scenario::Typical).fork;
    let out = run(forkcheck()
        .args(["report", "--fail-on", "never", "--format", format, "--repo"])
        .arg(fork));
    assert_eq!(out.code, 0, "{format}: {}", out.stderr);
    out.stdout
}

#[test]
fn json_themes_section_matches_the_expected_move_plan() {
    let value: serde_json::Value = serde_json::from_str(&report("json")).expect("json");
    let themes = &value["themes"];
    let plan = themes["move_plan"].as_array().expect("move plan");
    let moves = expected_moves();
    assert_eq!(plan.len(), moves.len());
    for (got, want) in plan.iter().zip(&moves) {
        assert_eq!(got["from"], want.from.as_str());
        assert_eq!(got["to"], want.to.as_str());
        assert_eq!(got["action"], want.action.as_str());
    }
    // every theme-override finding carries a status; overrides of upstream files their original
    for f in value["findings"].as_array().expect("findings") {
        if f["kind"] == "theme-override" {
            assert!(f["status"].is_string(), "{f}");
            if f["status"] != "addition" {
                assert!(f["original"].is_string(), "{f}");
            }
        }
    }
    let risk = themes["overrides"]
        .as_array()
        .expect("overrides")
        .iter()
        .flat_map(|o| o["context_risks"].as_array().cloned().unwrap_or_default())
        .find(|r| r["name"] == "homepage_overlay_html")
        .expect("the context rename is reported");
    assert_eq!(risk["renamed_to"], "homepage_overlay_content");
}

#[test]
fn terminal_and_markdown_print_the_move_plan_and_the_rename() {
    let moves = expected_moves();
    let terminal = report("terminal");
    assert!(
        terminal.contains("Move plan for in-place template edits"),
        "{terminal}"
    );
    for m in &moves {
        let line = terminal
            .lines()
            .find(|l| l.trim_start().starts_with(&m.from) && l.contains(" →  "))
            .unwrap_or_else(|| panic!("no move line for {}:\n{terminal}", m.from));
        assert!(line.contains(&m.to), "{line}");
    }
    assert!(terminal.contains(
        "themes/acme/lms/templates/index.html:17 `homepage_overlay_html` renamed `homepage_overlay_content`"
    ));

    let markdown = report("markdown");
    assert!(markdown.contains("## Themes"));
    for m in &moves {
        assert!(
            markdown.contains(&format!("`{}` → `{}`", m.from, m.to)),
            "{}\n{markdown}",
            m.from
        );
    }
    let html = report("html");
    assert!(html.contains("<h2>Themes</h2>"));
    assert!(html.contains("<h3>In-place template edits and move plan</h3>"));
}

/// Only upstream's template directories hold in-place template edits: a template added to
/// `lms/templates` (upstream's) is FC502, while the templates of an app the fork added and a
/// vendored library's `templates` folder (seen in a real fork's bower components) are not.
#[test]
fn in_place_additions_only_in_upstream_template_directories() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = crate::common::TinyRepo::init(dir.path());
    r.commit(
        "upstream release",
        &[
            ("lms/templates/header.html", "<header>${title}</header>\n"),
            ("lms/envs/common.py", "PLATFORM_NAME = \"Platform\"\n"),
        ],
    );
    r.tag("open-release/redwood.2");
    r.commit(
        "fork: a banner, a reports app, a vendored editor",
        &[
            ("lms/templates/acme_banner.html", "<div>Acme</div>\n"),
            (
                "lms/djangoapps/acme_reports/templates/acme_reports/index.html",
                "<h1>Reports</h1>\n",
            ),
            (
                "common/static/vendor/editor/plugins/templates/dialogs/templates.js",
                "var t = 1;\n",
            ),
        ],
    );
    let out = run(forkcheck()
        .args([
            "report",
            "--format",
            "json",
            "--base",
            "open-release/redwood.2",
            "--repo",
        ])
        .arg(dir.path()));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stderr);
    let fc502: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "FC502")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(fc502, ["lms/templates/acme_banner.html"], "{}", out.stdout);
}

/// A theme-only fork (clean: every change under `themes/acme`) is said to be one at the top of
/// the drift section, in every text format, and the typical fork is not.
#[test]
fn theme_only_fork_is_said_first() {
    let report_of = |s: Scenario, format: &str| {
        let out = run(forkcheck()
            .args(["report", "--fail-on", "never", "--format", format, "--repo"])
            .arg(&shared(s).fork));
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        out.stdout
    };
    for format in ["terminal", "markdown", "html"] {
        let clean = report_of(Scenario::Clean, format);
        let note = clean
            .find("Theme-only fork")
            .unwrap_or_else(|| panic!("{format}: no theme-only note:\n{clean}"));
        assert!(clean[note..].contains("acme)"), "{format}");
        // said before any finding
        let findings = clean
            .find("FC4")
            .expect("the clean fork has theme findings");
        assert!(note < findings, "{format}");
        assert!(
            !report_of(Scenario::Typical, format).contains("Theme-only fork"),
            "{format}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&report_of(Scenario::Clean, "json")).expect("json");
    assert_eq!(json["drift"]["theme_only"], true);
    assert_eq!(json["drift"]["own_themes"][0], "themes/acme");
}
