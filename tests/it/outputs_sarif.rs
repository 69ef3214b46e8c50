//! SARIF logs pass the SARIF 2.1.0 JSON schema with formats checked (`uri`, `uri-reference`), on
//! every fixture scenario and on a fork with hostile file names and commit subjects; and they
//! mean what they say: every location's URI decodes to a file of the tree its `uriBaseId`
//! names, repository-wide findings are run-level, secret rules are security rules.
//!
//! The validator is `scripts/validate-sarif.py` (jsonschema with rfc3987, in `.venv`), the schema
//! the one the npm package @microsoft/jest-sarif ships (in `.venv/sarif-schema`); both are
//! installed by `scripts/test.sh`. Without them these tests fail, naming that command.

use std::path::{Path, PathBuf};
use std::process::Command;

use forkcheck_analyzers::error::exit;
use forkcheck_fixtures::Scenario;
use serde_json::Value;

use crate::common::{forkcheck, run};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> PathBuf {
    let p = root().join(
        ".venv/sarif-schema/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json",
    );
    assert!(
        p.is_file(),
        "the SARIF 2.1.0 schema is not installed: run scripts/test.sh (it installs the npm package \
         @microsoft/jest-sarif into .venv/sarif-schema)"
    );
    p
}

/// Validate `files`: (exit code, output).
fn validate(files: &[&Path]) -> (i32, String) {
    let python = root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "no .venv: run scripts/test.sh (it creates it and installs jsonschema and rfc3987)"
    );
    let out = Command::new(python)
        .arg(root().join("scripts/validate-sarif.py"))
        .arg(schema())
        .args(files)
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(
        out.status.code(),
        Some(2),
        "the validator cannot run: {text}\nrun scripts/test.sh (it installs jsonschema and rfc3987 into .venv)"
    );
    (out.status.code().unwrap_or(-1), text)
}

/// `forkcheck report --format sarif` on `fork` into `out`: the exit code.
fn sarif(fork: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> i32 {
    let mut cmd = forkcheck();
    cmd.args([
        "report",
        "--format",
        "sarif",
        "--fail-on",
        "never",
        "--repo",
    ])
    .arg(fork)
    .arg("-o")
    .arg(out)
    .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let r = run(&mut cmd);
    if r.code != 0 {
        eprintln!("{}", r.stderr);
    }
    r.code
}

fn load(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Percent-decoding of a URI path (what a SARIF consumer does).
fn decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Every location of every result: the file it decodes to exists in the tree its `uriBaseId`
/// names (head, base or target); no location is the directory `.`. Returns how many were
/// checked.
fn locations_name_real_files(fork: &Path, log: &Value) -> usize {
    let repo = git2::Repository::open(fork).unwrap();
    let run = &log["runs"][0];
    let tree_of = |rev: &str| {
        repo.revparse_single(rev)
            .unwrap_or_else(|e| panic!("{rev}: {e}"))
            .peel_to_tree()
            .unwrap()
    };
    let head = tree_of(run["properties"]["head"].as_str().unwrap());
    let base = tree_of(run["properties"]["base"].as_str().unwrap());
    let target = run["properties"]["target"].as_str().map(tree_of);
    let mut checked = 0;
    for r in run["results"].as_array().unwrap() {
        let locs = r["locations"].as_array().into_iter().flatten();
        let related = r["relatedLocations"].as_array().into_iter().flatten();
        for (loc, primary) in locs.map(|l| (l, true)).chain(related.map(|l| (l, false))) {
            let art = &loc["physicalLocation"]["artifactLocation"];
            let uri = art["uri"].as_str().unwrap();
            assert!(uri != "." && !uri.is_empty(), "{r}");
            let path = decode(uri);
            let in_tree = |t: &git2::Tree| t.get_path(Path::new(&path)).is_ok();
            let ok = match art["uriBaseId"].as_str().unwrap() {
                // A finding on a file the fork deleted (or that upstream deleted under an edit)
                // names a path of the base or target; a related head location may be a
                // proposal (where a theme override would take effect), said in its message.
                "%SRCROOT%" if primary => {
                    in_tree(&head) || in_tree(&base) || target.as_ref().is_some_and(in_tree)
                }
                "%SRCROOT%" => in_tree(&head) || loc["message"]["text"].is_string(),
                // A line is that tree's line: the file must be there. (FC304 names the fork's
                // own settings module "at the target" without a line, where the setting is
                // missing: no region, nothing to misplace.)
                "BASE" => in_tree(&base) || loc["physicalLocation"]["region"].is_null(),
                "TARGET" => {
                    in_tree(target.as_ref().expect("a target tree"))
                        || loc["physicalLocation"]["region"].is_null()
                }
                other => panic!("unknown uriBaseId {other}"),
            };
            assert!(
                ok,
                "{uri} decodes to {path:?}, not in the {} tree",
                art["uriBaseId"]
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_scenario_s_sarif_validates_against_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for s in Scenario::ALL {
        let fork = forkcheck_fixtures::shared(s).fork.clone();
        let out = tmp.path().join(format!("{}.sarif", s.name()));
        let code = sarif(&fork, &out, &["--allow-shallow"], &[]);
        if code == i32::from(exit::MISSING_OBJECTS) {
            // A partial clone may stop before any report (tests/it/cli_scenarios.rs).
            assert_eq!(s, Scenario::Partial, "{}: missing objects", s.name());
            continue;
        }
        assert_eq!(code, 0, "{}", s.name());
        let log = load(&out);
        locations_name_real_files(&fork, &log);
        files.push(out);
    }
    assert!(files.len() >= 6, "{} scenarios rendered", files.len());
    let paths: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (code, text) = validate(&paths);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn hostile_names_and_subjects_still_make_a_valid_log_that_names_the_right_files() {
    let h = crate::hostile::output::hostile();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("hostile.sarif");
    assert_eq!(sarif(&h.fork, &out, &[], &[]), 0);
    let (code, text) = validate(&[&out]);
    assert_eq!(code, 0, "{text}");
    let log = load(&out);
    let n = locations_name_real_files(&h.fork, &log);
    assert!(n > 10, "{n} locations checked");
    // The hostile names (a space, `<`, `#`, `%`-free but `?`-free, newlines, escapes) are there,
    // encoded.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("%0Aerror%20FC999%20forged%20root.txt"),
        "{text}"
    );
}

#[test]
fn repository_wide_findings_are_run_level_and_secret_rules_are_security_rules() {
    let fork = forkcheck_fixtures::shared(Scenario::Typical).fork.clone();
    let tmp = tempfile::tempdir().unwrap();
    // A drift limit the typical fork exceeds: FC101, a finding on the repository as a whole.
    let config = tmp.path().join("forkcheck.toml");
    std::fs::write(&config, "[drift]\nmax_lines = 10\n").unwrap();
    let out = tmp.path().join("typical.sarif");
    let url = "https://example.test/forkcheck/blob/v1/docs/rules.md";
    let code = sarif(
        &fork,
        &out,
        &["--config", config.to_str().unwrap()],
        &[("FORKCHECK_RULES_URL", url)],
    );
    assert_eq!(code, 0);
    let (code, text) = validate(&[&out]);
    assert_eq!(code, 0, "{text}");
    let log = load(&out);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let drift = results
        .iter()
        .find(|r| r["ruleId"] == "FC101")
        .expect("FC101 fires with max_lines = 10");
    assert!(drift.get("locations").is_none(), "{drift}");
    // Target-release lines sit under TARGET, never on the head file.
    let renamed = results
        .iter()
        .find(|r| r["ruleId"] == "FC305")
        .expect("typical renames a setting in the target");
    let related = renamed["relatedLocations"].as_array().unwrap();
    assert!(related
        .iter()
        .any(|l| l["physicalLocation"]["artifactLocation"]["uriBaseId"] == "TARGET"));
    let docs = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let mut secret_rules = 0;
    for d in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        // helpUri: the rule's section in docs/rules.md (`## FC101` → `#fc101`).
        assert_eq!(d["helpUri"], format!("{url}#{}", id.to_ascii_lowercase()));
        assert!(
            docs.contains(&format!("\n## {id}\n")),
            "{id} has no section"
        );
        let tags: Vec<&str> = d["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        if tags.contains(&"secret") {
            secret_rules += 1;
            assert!(tags.contains(&"security"), "{d}");
            let sev: f64 = d["properties"]["security-severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((0.0..=10.0).contains(&sev), "{d}");
        } else {
            assert!(!tags.contains(&"security"), "{d}");
        }
    }
    assert!(secret_rules >= 2, "typical commits secrets");
}

#[test]
fn the_validator_rejects_an_unencoded_uri() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.sarif");
    let log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "x"}},
            "results": [{
                "message": {"text": "m"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b<c>.py"}}}],
            }],
        }],
    });
    std::fs::write(&bad, log.to_string()).unwrap();
    let (code, text) = validate(&[&bad]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("uri-reference"), "{text}");
}

/// `git` in `dir` with a fixed identity; panics with git's message on failure.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Reviewer")
        .env("GIT_AUTHOR_EMAIL", "reviewer@example.test")
        .env("GIT_COMMITTER_NAME", "Reviewer")
        .env("GIT_COMMITTER_EMAIL", "reviewer@example.test")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_mode_results_carry_their_baseline_state() {
    // A pull request on a copy of `typical` that edits a setting (new findings) and removes the
    // committed auth file (fixed findings, its secrets among them).
    let (dir, generated) = crate::common::scenario(Scenario::Typical);
    let fork = generated.fork;
    git(&fork, &["branch", "-f", "pr-base", "HEAD"]);
    let settings = fork.join("lms/envs/common.py");
    let text = std::fs::read_to_string(&settings).unwrap();
    let edited = text.replace("\"/api/enrollment/v1/\"", "\"/api/acme/v1/\"");
    assert_ne!(edited, text);
    std::fs::write(&settings, edited).unwrap();
    git(&fork, &["rm", "-q", "config/lms.auth.json"]);
    git(
        &fork,
        &[
            "commit",
            "-q",
            "-am",
            "Move the enrollment API, drop the auth file",
        ],
    );
    let out = dir.path().join("check.sarif");
    let json = dir.path().join("check.json");
    let r = run(forkcheck()
        .current_dir(&fork)
        .args([
            "check",
            "--base-ref",
            "pr-base",
            "--quiet",
            "--fail-on",
            "never",
        ])
        .arg("--sarif")
        .arg(&out)
        .arg("--json")
        .arg(&json));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, text) = validate(&[&out]);
    assert_eq!(code, 0, "{text}");
    let log = load(&out);
    let report = load(&json);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let state =
        |s: &str| -> Vec<&Value> { results.iter().filter(|r| r["baselineState"] == s).collect() };
    // Every result says where it stands; the new ones are the report's findings, the absent
    // ones its fixed findings, one for one.
    assert!(results.iter().all(|r| r["baselineState"].is_string()));
    let new = state("new");
    let absent = state("absent");
    assert_eq!(new.len(), report["findings"].as_array().unwrap().len());
    assert_eq!(
        absent.len(),
        report["check"]["fixed"].as_array().unwrap().len()
    );
    assert_eq!(new.len() + absent.len(), results.len());
    assert!(new
        .iter()
        .any(|r| r["ruleId"] == "FC301" && r["level"] == "warning" && r["kind"] == "fail"));
    let uri = |r: &Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    for rule in ["FC201", "FC210"] {
        assert!(
            absent
                .iter()
                .any(|r| r["ruleId"] == rule && uri(r) == "config/lms.auth.json"),
            "{rule} fixed in {absent:?}"
        );
    }
    // A fixed finding no longer fails: no alert from it; its lines are the compared tree's.
    assert!(run["originalUriBaseIds"]["COMPARED"]["description"]["text"]
        .as_str()
        .unwrap()
        .contains("pr-base"));
    for r in &absent {
        if let Some(locs) = r["locations"].as_array() {
            for l in locs {
                assert_eq!(
                    l["physicalLocation"]["artifactLocation"]["uriBaseId"], "COMPARED",
                    "{r}"
                );
            }
        }
        assert_eq!(r["kind"], "pass", "{r}");
        assert_eq!(r["level"], "none", "{r}");
    }
    // Every result's rule is described, the fixed ones' too.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    assert_eq!(
        run["properties"]["unchangedFindings"],
        report["check"]["unchanged"]
    );
    assert!(run["properties"]["unchangedFindings"].as_u64().unwrap() > 0);
    // A secret value of the removed file is nowhere in the log.
    assert!(!std::fs::read_to_string(&out).unwrap().contains("acme-FAKE"));
    // Outside check mode no result has a baseline state.
    let plain = dir.path().join("report.sarif");
    assert_eq!(sarif(&fork, &plain, &[], &[]), 0);
    assert!(load(&plain)["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.get("baselineState").is_none()));
}
