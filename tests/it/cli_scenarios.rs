//! The CLI on every fixture scenario: base, target and head as the scenario's expected data says,
//! every format renders, and the shallow and partial clones stop with their documented codes.

use crate::common::{expected, forkcheck, redact, run, scenario};
use forkcheck_analyzers::error::exit;
use forkcheck_fixtures::Scenario;

fn report_json(repo: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = run(forkcheck()
        .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
        .arg(repo)
        .args(extra));
    let value = serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.code, value, out.stderr)
}

#[test]
fn full_scenarios_report_the_expected_base_target_and_head() {
    for s in [
        Scenario::Typical,
        Scenario::Clean,
        Scenario::Squashed,
        Scenario::Merged,
    ] {
        let want = expected(s);
        assert!(want.get("expect_error").is_none());
        let (_dir, g) = scenario(s);
        let (code, report, stderr) = report_json(&g.fork, &[]);
        assert_eq!(code, 0, "{}: {stderr}", s.name());
        for field in ["release", "rev", "method", "oid"] {
            assert_eq!(
                report["base"][field].as_str(),
                want["base"][field].as_str(),
                "{}: base.{field}",
                s.name()
            );
        }
        if let Some(ahead) = want["base"].get("commits_ahead") {
            assert_eq!(report["base"]["distance"].as_i64(), ahead.as_integer());
        }
        for field in ["release", "rev", "oid"] {
            assert_eq!(
                report["target"][field].as_str(),
                want["target"][field].as_str(),
                "{}: target.{field}",
                s.name()
            );
        }
        assert_eq!(
            report["repo"]["head_oid"].as_str(),
            want["head"]["oid"].as_str()
        );

        // Every other format renders and names the same base.
        let base_rev = want["base"]["rev"].as_str().unwrap_or_default();
        for format in ["terminal", "markdown", "html", "sarif"] {
            let out = run(forkcheck()
                .args(["report", "--fail-on", "never", "--format", format, "--repo"])
                .arg(&g.fork));
            assert_eq!(out.code, 0, "{} {format}: {}", s.name(), out.stderr);
            let shown = if format == "html" {
                base_rev.replace('/', "&#x2F;")
            } else {
                base_rev.to_string()
            };
            assert!(out.stdout.contains(&shown), "{} {format}", s.name());
        }

        // `releases` agrees with `report`.
        let rel = run(forkcheck()
            .args(["releases", "--format", "json", "--repo"])
            .arg(&g.fork));
        assert_eq!(rel.code, 0, "{}", rel.stderr);
        let rel: serde_json::Value = serde_json::from_str(&rel.stdout).unwrap();
        // The report's base also carries the era its settings analysis inferred.
        let mut report_base = report["base"].clone();
        if let Some(b) = report_base.as_object_mut() {
            b.remove("era");
        }
        assert_eq!(rel["base"], report_base, "{}", s.name());
        assert_eq!(rel["target"], report["target"], "{}", s.name());
        let names: Vec<&str> = rel["releases"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["release"].as_str())
            .collect();
        assert_eq!(
            names,
            ["ulmo", "teak", "sumac", "redwood", "quince", "palm"]
        );
    }
}

#[test]
fn typical_terminal_report() {
    let (dir, g) = scenario(Scenario::Typical);
    let out = run(forkcheck()
        .args(["report", "--fail-on", "never", "--repo"])
        .arg(&g.fork));
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(redact(&out.stdout, dir.path()));
}

#[test]
fn shallow_clone_stops_unless_allowed() {
    let (dir, g) = scenario(Scenario::Shallow);
    assert_eq!(
        expected(Scenario::Shallow)["expect_error"].as_str(),
        Some("shallow")
    );
    for cmd in ["report", "releases"] {
        let out = run(forkcheck().args([cmd, "--repo"]).arg(&g.fork));
        assert_eq!(out.code, i32::from(exit::SHALLOW), "{cmd}: {}", out.stderr);
        insta::assert_snapshot!(format!("shallow_{cmd}"), redact(&out.stderr, dir.path()));
    }
    let (code, report, stderr) = report_json(&g.fork, &["--allow-shallow"]);
    assert!(
        code == 0 || code == i32::from(exit::MISSING_OBJECTS),
        "--allow-shallow: {code} {stderr}"
    );
    if code == 0 {
        let warnings = report["warnings"].to_string();
        assert!(warnings.contains("shallow"), "{warnings}");
    }
}

#[test]
fn partial_clone_is_reported_or_stops_with_missing_objects() {
    let (_dir, g) = scenario(Scenario::Partial);
    assert_eq!(
        expected(Scenario::Partial)["expect_error"].as_str(),
        Some("missing-objects")
    );
    let (code, report, stderr) = report_json(&g.fork, &[]);
    if code == i32::from(exit::MISSING_OBJECTS) {
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("help: "), "{stderr}");
        assert!(stderr.contains("partial clone"), "{stderr}");
    } else {
        // Nothing needed a missing object yet: the report says it is a partial clone.
        assert_eq!(code, 0, "{stderr}");
        assert!(report["warnings"].to_string().contains("partial clone"));
    }
}

#[test]
fn demo_reports_on_the_typical_scenario() {
    let keep = tempfile::tempdir().unwrap();
    let dir = keep.path().join("demo");
    let out = run(forkcheck()
        .args(["demo", "--format", "json", "--keep"])
        .arg(&dir));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let want = expected(Scenario::Typical);
    assert_eq!(
        report["repo"]["head_oid"].as_str(),
        want["head"]["oid"].as_str()
    );
    assert_eq!(report["base"]["rev"].as_str(), want["base"]["rev"].as_str());
    assert!(
        dir.join("fork/.git").is_dir(),
        "--keep keeps the repositories"
    );
    // A non-empty --keep directory is refused, and left as it was.
    let again = run(forkcheck().args(["demo", "--keep"]).arg(&dir));
    assert_eq!(again.code, i32::from(exit::IO), "{}", again.stderr);
    assert!(again.stderr.contains("help: "), "{}", again.stderr);
    // Without --keep nothing is left behind in the temporary directory.
    let tmp = tempfile::tempdir().unwrap();
    let out = run(forkcheck()
        .args(["demo", "--quiet", "--format", "json"])
        .env("TMPDIR", tmp.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// The drift alone (`FORKCHECK_ONLY=drift`) is the base → head diff: the same totals, areas and
/// files as with its trend, and no trend; with `trend` the trend has one point per first-parent
/// fork commit (`git rev-list --first-parent --count BASE..HEAD`), the last equal to the totals.
#[test]
fn the_trend_is_an_analysis_of_its_own() {
    let (_dir, g) = scenario(Scenario::Typical);
    let drift = |only: &str| {
        let out = run(forkcheck()
            .env("FORKCHECK_ONLY", only)
            .args([
                "report",
                "--format",
                "json",
                "--quiet",
                "--fail-on",
                "never",
                "--repo",
            ])
            .arg(&g.fork));
        assert_eq!(out.code, 0, "{only}: {}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        report["drift"].clone()
    };
    let (alone, with) = (drift("drift"), drift("drift,trend"));
    assert_eq!(alone["trend"].as_array().map(Vec::len), Some(0));
    let base = expected(Scenario::Typical)["base"]["rev"]
        .as_str()
        .unwrap()
        .to_string();
    let count = std::process::Command::new("git")
        .args(["rev-list", "--first-parent", "--count"])
        .arg(format!("{base}..HEAD"))
        .current_dir(&g.fork)
        .output()
        .unwrap();
    let count: usize = String::from_utf8_lossy(&count.stdout)
        .trim()
        .parse()
        .unwrap();
    let trend = with["trend"].as_array().unwrap();
    assert_eq!(trend.len(), count);
    let last = trend.last().unwrap();
    for field in ["files_changed", "lines_added", "lines_removed"] {
        assert_eq!(alone[field], with[field], "{field}");
        assert_eq!(last[field], with[field], "last trend point: {field}");
    }
    for field in ["by_area", "files", "by_app", "counts"] {
        assert_eq!(alone[field], with[field], "{field}");
    }
}
