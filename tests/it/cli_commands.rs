//! `report` in every format, `releases`, `rules`, `init` on real repositories.

use crate::common;

use crate::common::{forkcheck, redact, release_repo, run};
use forkcheck_analyzers::error::exit;

#[test]
fn report_in_every_format_agrees_with_the_json_model() {
    let dir = tempfile::tempdir().unwrap();
    let repo = release_repo(dir.path());
    let json = run(forkcheck()
        .args(["report", "--format", "json", "--repo"])
        .arg(dir.path()));
    assert_eq!(json.code, 0, "{}", json.stderr);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let head = repo.repo.head().unwrap().target().unwrap().to_string();
    assert_eq!(report["repo"]["head_oid"], head.as_str());
    assert_eq!(report["base"]["rev"], "open-release/redwood.2");
    assert_eq!(report["base"]["method"], "history");
    assert_eq!(report["target"]["rev"], "open-release/sumac.1");

    for (format, marker) in [
        ("terminal", "base    redwood open-release/redwood.2"),
        (
            "markdown",
            "| **Base** | redwood | `open-release/redwood.2` |",
        ),
        ("html", "<code>open-release&#x2F;redwood.2</code>"),
        ("sarif", "\"version\": \"2.1.0\""),
    ] {
        let out = run(forkcheck()
            .args(["report", "--format", format, "--repo"])
            .arg(dir.path()));
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{format}:\n{}", out.stdout);
        assert!(!out.stdout.contains('\x1b'), "NO_COLOR is set");
        if format == "sarif" {
            let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            let results = sarif["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
        }
    }
    let md = run(forkcheck()
        .args(["report", "--format", "markdown", "--repo"])
        .arg(dir.path()));
    insta::assert_snapshot!(redact(&md.stdout, dir.path()));
}

#[test]
fn report_to_a_file_equals_stdout() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let out_dir = tempfile::tempdir().unwrap();
    for format in ["json", "markdown", "html", "sarif", "terminal"] {
        let path = out_dir.path().join(format!("report.{format}"));
        let to_file = run(forkcheck()
            .args(["report", "--format", format, "--repo"])
            .arg(dir.path())
            .arg("-o")
            .arg(&path));
        assert_eq!(to_file.code, 0, "{}", to_file.stderr);
        assert_eq!(to_file.stdout, "", "nothing on stdout with -o");
        let stdout = run(forkcheck()
            .args(["report", "--format", format, "--repo"])
            .arg(dir.path()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout.stdout);
    }
    // Only the reports: no temporary files left behind.
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 5);
}

#[test]
fn fail_on_turns_findings_into_exit_1() {
    let (_dir, g) = common::scenario(forkcheck_fixtures::Scenario::Typical);
    let repo = g.fork.as_path();
    let report = run(forkcheck()
        .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
        .arg(repo));
    assert_eq!(report.code, 0);
    let value: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    let severities: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["severity"].as_str())
        .collect();
    let rank = |s: &str| ["info", "warning", "error"].iter().position(|x| *x == s);
    let max = severities.iter().filter_map(|s| rank(s)).max();
    assert!(max.is_some(), "the typical scenario has findings");
    for (level, idx) in [("info", 0), ("warning", 1), ("error", 2)] {
        let out = run(forkcheck()
            .args(["report", "--format", "json", "--fail-on", level, "--repo"])
            .arg(repo));
        let expected = if max.is_some_and(|m| m >= idx) {
            exit::FINDINGS
        } else {
            exit::OK
        };
        assert_eq!(
            out.code,
            i32::from(expected),
            "--fail-on {level}: {}",
            out.stderr
        );
        // The report is written in full either way.
        assert_eq!(out.stdout, report.stdout);
    }
}

#[test]
fn releases_lists_refs_base_and_target() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let out = run(forkcheck().args(["releases", "--repo"]).arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
    let json = run(forkcheck()
        .args(["releases", "--format", "json", "--repo"])
        .arg(dir.path()));
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let names: Vec<&str> = v["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["release"].as_str())
        .collect();
    assert_eq!(names, ["sumac", "redwood"]);
    assert_eq!(v["base"]["release"], "redwood");
    assert_eq!(v["target"]["release"], "sumac");
}

#[test]
fn rules_table_explanation_and_markdown() {
    let table = run(forkcheck().arg("rules"));
    assert_eq!(table.code, 0, "{}", table.stderr);
    let rules = forkcheck_analyzers::rules::Rules::load(&Default::default()).unwrap();
    for rule in rules.all() {
        assert!(table.stdout.contains(&rule.id), "{} missing", rule.id);
        let one = run(forkcheck().args(["rules", &rule.id]));
        assert_eq!(one.code, 0);
        for part in [&rule.name, &rule.fix] {
            assert!(one
                .stdout
                .contains(part.trim().lines().next().unwrap_or("")));
        }
        let by_name = run(forkcheck().args(["rules", &rule.name]));
        assert_eq!(by_name.stdout, one.stdout);
    }
    let md = run(forkcheck().args(["rules", "--markdown"]));
    assert!(md.stdout.starts_with("# forkcheck rules\n"));
}

#[test]
fn init_writes_once_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forkcheck.toml");
    let first = run(forkcheck().arg("init").arg("-o").arg(&path));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written,
        forkcheck_analyzers::config::Config::commented_default()
    );
    std::fs::write(&path, "# mine\n").unwrap();
    let again = run(forkcheck().arg("init").arg("-o").arg(&path));
    assert_eq!(again.code, i32::from(exit::IO));
    insta::assert_snapshot!(redact(&again.stderr, dir.path()));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");
    let forced = run(forkcheck().args(["init", "--force", "-o"]).arg(&path));
    assert_eq!(forced.code, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    // Default location: the current directory.
    let cwd = tempfile::tempdir().unwrap();
    let out = run(forkcheck().arg("init").current_dir(cwd.path()));
    assert_eq!(out.code, 0);
    assert!(cwd.path().join("forkcheck.toml").is_file());
}
