//! `forkcheck check` (differential mode) and `forkcheck baseline`, end to end: pull requests
//! made as small commits on a private copy of the `typical` fixture fork, checked against the
//! fork's tip. Also several outputs from one run (`--json FILE --sarif FILE …`).

use std::path::Path;
use std::process::Command as Std;

use forkcheck_fixtures::Scenario;
use serde_json::Value;

use crate::common::{forkcheck, run, scenario};

/// Run git in `dir` with a fixed identity; panics with git's message on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Std::new("git")
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
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A private copy of `typical`, with a branch `pr` at its tip; returns (tempdir, fork path).
fn fork() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, generated) = scenario(Scenario::Typical);
    let fork = generated.fork;
    git(&fork, &["branch", "-f", "pr-base", "HEAD"]);
    git(&fork, &["checkout", "-q", "-b", "pr"]);
    (dir, fork)
}

/// Edit `path` in the work tree with `edit` and commit it as `message`.
fn commit_edit(fork: &Path, path: &str, message: &str, edit: impl FnOnce(String) -> String) {
    let full = fork.join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"));
    let new = edit(text.clone());
    assert_ne!(new, text, "the edit of {path} changes it");
    std::fs::write(&full, new).unwrap();
    git(fork, &["commit", "-q", "-am", message]);
}

/// `forkcheck check --base-ref pr-base` with the JSON report on standard output.
fn check_json(fork: &Path, extra: &[&str]) -> (i32, Value, String) {
    let r = run(forkcheck()
        .current_dir(fork)
        .args(["check", "--base-ref", "pr-base", "--format", "json"])
        .args(extra));
    let json: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}):\n{}\n{}", r.stdout, r.stderr));
    (r.code, json, r.stderr)
}

/// The findings of `json` at or above warning, as (rule, path, setting or key).
fn serious(json: &Value) -> Vec<(String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The info findings are only the triage's notes on the pull request's own commits.
fn assert_only_commit_notes(json: &Value, subject: &str) {
    for f in json["findings"].as_array().unwrap() {
        if f["severity"] == "info" {
            let msg = f["message"].as_str().unwrap();
            assert!(
                f["rule"].as_str().unwrap().starts_with("FC7") && msg.contains(subject),
                "unexpected new finding {f}"
            );
        }
    }
}

#[test]
fn a_settings_edit_fails_the_check_with_exactly_that_finding() {
    let (_dir, fork) = fork();
    commit_edit(
        &fork,
        "lms/envs/common.py",
        "Move the enrollment API path",
        |t| {
            t.replace(
                "LMS_ENROLLMENT_API_PATH = \"/api/enrollment/v1/\"",
                "LMS_ENROLLMENT_API_PATH = \"/api/acme-enrollment/v1/\"",
            )
        },
    );
    let (code, json, stderr) = check_json(&fork, &["--fail-on", "warning"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        serious(&json),
        vec![("FC301".to_string(), "lms/envs/common.py".to_string())]
    );
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "FC301")
        .unwrap();
    assert_eq!(f["setting"], "LMS_ENROLLMENT_API_PATH");
    assert_only_commit_notes(&json, "Move the enrollment API path");
    let check = &json["check"];
    assert_eq!(check["compared"]["source"], "revision");
    assert_eq!(check["compared"]["name"], "pr-base");
    assert_eq!(check["fixed"].as_array().map_or(0, Vec::len), 0);
    // One line replaced: two changed lines more than the base.
    assert_eq!(check["drift"]["lines_delta"], 2);
    assert!(check["unchanged"].as_u64().unwrap() > 10, "{check}");
    assert!(
        check["cost"]["delta_high"].as_f64().unwrap() > 0.0,
        "{check}"
    );
    assert!(
        stderr.contains("1 new finding at or above `warning`"),
        "{stderr}"
    );
    // The default `--fail-on error` lets a warning through.
    let (code, _, _) = check_json(&fork, &[]);
    assert_eq!(code, 0);
}

#[test]
fn an_env_json_edit_fails_the_check_with_exactly_that_finding() {
    let (_dir, fork) = fork();
    commit_edit(
        &fork,
        "lms/envs/bok_choy.env.json",
        "bok choy env: acme flag",
        |t| t.replacen('{', "{\n    \"ACME_DEBUG_TOOLBAR\": false,", 1),
    );
    let (code, json, stderr) = check_json(&fork, &["--fail-on", "warning"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        serious(&json),
        vec![(
            "FC201".to_string(),
            "lms/envs/bok_choy.env.json".to_string()
        )]
    );
    let msg = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "FC201")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("ACME_DEBUG_TOOLBAR"), "{msg}");
    assert_only_commit_notes(&json, "bok choy env: acme flag");
}

#[test]
fn a_theme_sass_change_passes() {
    let (_dir, fork) = fork();
    commit_edit(
        &fork,
        "themes/acme/lms/static/sass/partials/lms/theme/_variables.scss",
        "Theme: accent colour",
        |t| t + "$acme-accent: #ff6600;\n",
    );
    let (code, json, stderr) = check_json(&fork, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{stderr}\n{json}");
    assert!(serious(&json).is_empty(), "{json}");
    assert_only_commit_notes(&json, "Theme: accent colour");
    assert_eq!(json["check"]["drift"]["lines_delta"], 1);
}

#[test]
fn removing_a_committed_secret_reports_it_fixed() {
    let (_dir, fork) = fork();
    git(&fork, &["rm", "-q", "config/lms.auth.json"]);
    git(
        &fork,
        &["commit", "-q", "-m", "Remove the committed auth file"],
    );
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["check", "--base-ref", "pr-base"]));
    let (code, json, stderr) = check_json(&fork, &[]);
    assert_eq!(code, 0, "{stderr}");
    let fixed = json["check"]["fixed"].as_array().unwrap();
    let secret_keys: Vec<&str> = fixed
        .iter()
        .filter(|f| f["rule"] == "FC210")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(!secret_keys.is_empty(), "{fixed:?}");
    assert!(secret_keys.iter().all(|p| *p == "config/lms.auth.json"));
    assert!(fixed
        .iter()
        .any(|f| f["rule"] == "FC201" && f["path"] == "config/lms.auth.json"));
    // No new secret finding; the drift shrinks.
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["kind"] != "secret"));
    assert!(json["check"]["drift"]["lines_delta"].as_i64().unwrap() < 0);
    // The terminal says so, and no secret value of the removed file is printed anywhere.
    assert!(
        r.stdout.contains("shrinks the fork's rebase cost"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Fixed findings"), "{}", r.stdout);
    for out in [&r.stdout, &r.stderr, &json.to_string()] {
        assert!(!out.contains("acme-FAKE"), "a secret value leaked:\n{out}");
    }
}

#[test]
fn findings_moved_by_an_unrelated_edit_are_not_new() {
    // Lines inserted above every setting move them all; nothing is new or fixed.
    let (_dir, fork) = fork();
    commit_edit(&fork, "lms/envs/common.py", "Comment the settings", |t| {
        t.replacen(
            "PLATFORM_NAME",
            "# Acme: see the runbook.\n# Second line.\nPLATFORM_NAME",
            1,
        )
    });
    let (code, json, stderr) = check_json(&fork, &["--fail-on", "warning"]);
    assert_eq!(code, 0, "{stderr}\n{json}");
    assert!(serious(&json).is_empty(), "{json}");
    assert_eq!(json["check"]["fixed"].as_array().map_or(0, Vec::len), 0);
}

#[test]
fn budgets_fail_the_check_whatever_fail_on_says() {
    let (_dir, fork) = fork();
    commit_edit(
        &fork,
        "themes/acme/lms/static/sass/partials/lms/theme/_variables.scss",
        "Theme: accent colours",
        |t| t + "$acme-accent: #ff6600;\n$acme-muted: #777777;\n",
    );
    let config = fork.join("../check.toml");
    std::fs::write(
        &config,
        "[check]\nmax_drift_growth = 1\nalways_fail = [\"FC704\"]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let (code, json, stderr) = check_json(&fork, &["--fail-on", "never", "--config", &config]);
    assert_eq!(code, 1, "{stderr}");
    let budgets = json["check"]["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 2, "{budgets:?}");
    assert!(budgets.iter().all(|b| b["passed"] == false), "{budgets:?}");
    assert!(stderr.contains("budget exceeded"), "{stderr}");
    // Within budget: passes.
    std::fs::write(&config, "[check]\nmax_drift_growth = 2\n").unwrap();
    let (code, json, _) = check_json(&fork, &["--fail-on", "never", "--config", &config]);
    assert_eq!(code, 0, "{json}");
    // An unknown rule is a configuration error.
    std::fs::write(&config, "[check]\nalways_fail = [\"FC999\"]\n").unwrap();
    let r = run(forkcheck().current_dir(&fork).args([
        "check",
        "--base-ref",
        "pr-base",
        "--config",
        &config,
    ]));
    assert_eq!(r.code, 8, "{}", r.stderr);
    assert!(r.stderr.contains("FC999"), "{}", r.stderr);
}

#[test]
fn a_baseline_accepts_todays_findings() {
    let (dir, fork) = fork();
    let baseline = dir.path().join("baseline.json");
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["baseline", "--quiet", "-o"])
        .arg(&baseline));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        !text.contains("acme-FAKE"),
        "a secret value in the baseline"
    );
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored["baseline_version"], 1);
    assert!(stored["findings"].as_array().unwrap().len() > 10);
    // Nothing changed since: nothing new, nothing fixed, exit 0 even on info.
    let b = baseline.to_str().unwrap();
    let r = run(forkcheck().current_dir(&fork).args([
        "check",
        "--baseline",
        b,
        "--fail-on",
        "info",
        "-f",
        "json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);
    assert_eq!(json["check"]["compared"]["source"], "baseline");
    // A settings edit after the baseline is new.
    commit_edit(&fork, "lms/envs/common.py", "Paths", |t| {
        t.replace("\"/api/enrollment/v1/\"", "\"/api/v2/enrollment/\"")
    });
    let r = run(forkcheck().current_dir(&fork).args([
        "check",
        "--baseline",
        b,
        "--fail-on",
        "warning",
        "-f",
        "json",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        serious(&json),
        vec![("FC301".to_string(), "lms/envs/common.py".to_string())]
    );
    // A JSON report is a baseline too.
    let report = dir.path().join("report.json");
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["report", "--quiet", "--fail-on", "never", "--json"])
        .arg(&report));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "only --json given: nothing on stdout");
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["check", "--fail-on", "info", "--baseline"])
        .arg(&report));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Not a baseline: a usage error naming the file.
    std::fs::write(&report, "{\"x\": 1}").unwrap();
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["check", "--baseline"])
        .arg(&report));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("report.json"), "{}", r.stderr);
}

#[test]
fn a_missing_base_revision_names_the_fetch() {
    let (_dir, fork) = fork();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["check", "--base-ref", sha]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "help: fetch it: `git fetch --no-tags origin {sha}`"
        )),
        "{}",
        r.stderr
    );
    // Neither --base-ref nor --baseline: usage.
    let r = run(forkcheck().current_dir(&fork).arg("check"));
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_shallow_checkout_with_both_commits_is_checked() {
    // The pull request's checkout: a shallow clone holding the head, its base commit and the
    // release tags, but not the history between.
    let (dir, fork) = fork();
    commit_edit(
        &fork,
        "lms/envs/common.py",
        "Move the enrollment API path",
        |t| t.replace("\"/api/enrollment/v1/\"", "\"/api/acme/v1/\""),
    );
    let shallow = dir.path().join("shallow");
    let url = format!("file://{}", fork.display());
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth=1",
            "--branch",
            "pr",
            &url,
            shallow.to_str().unwrap(),
        ],
    );
    let base = git(&fork, &["rev-parse", "pr-base"]);
    // Without the base commit: the exact fetch, shallow.
    let r = run(forkcheck()
        .current_dir(&shallow)
        .args(["check", "--base-ref", &base]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("`git fetch --no-tags --depth=1 origin {base}`")),
        "{}",
        r.stderr
    );
    git(
        &shallow,
        &["fetch", "-q", "--no-tags", "--depth=1", "origin", &base],
    );
    git(
        &shallow,
        &[
            "fetch",
            "-q",
            "--no-tags",
            "origin",
            "+refs/tags/open-release/*:refs/tags/open-release/*",
        ],
    );
    let r = run(forkcheck().current_dir(&shallow).args([
        "check",
        "--base-ref",
        &base,
        "--quiet",
        "--fail-on",
        "warning",
        "-f",
        "json",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        serious(&json).contains(&("FC301".to_string(), "lms/envs/common.py".to_string())),
        "{json}"
    );
    assert!(
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("shallow")),
        "{json}"
    );
}

#[test]
fn one_run_writes_every_format() {
    let (dir, fork) = fork();
    commit_edit(
        &fork,
        "lms/envs/common.py",
        "Move the enrollment API path",
        |t| t.replace("\"/api/enrollment/v1/\"", "\"/api/acme/v1/\""),
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
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
        .arg("--json")
        .arg(out.join("c.json"))
        .arg("--sarif")
        .arg(out.join("c.sarif"))
        .arg("--markdown")
        .arg(out.join("c.md"))
        .arg("--html")
        .arg(out.join("c.html"))
        .args(["-f", "terminal"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("grows the fork's rebase cost"),
        "{}",
        r.stdout
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("c.json")).unwrap()).unwrap();
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("c.sarif")).unwrap()).unwrap();
    let md = std::fs::read_to_string(out.join("c.md")).unwrap();
    let html = std::fs::read_to_string(out.join("c.html")).unwrap();
    // The same new findings everywhere.
    let n = json["findings"].as_array().unwrap().len();
    let sarif_new = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["baselineState"] == "new")
        .count();
    assert_eq!(sarif_new, n);
    assert!(
        md.starts_with("# forkcheck: This change grows the fork's rebase cost"),
        "{md}"
    );
    assert!(md.contains("## Change"), "{md}");
    assert!(md.contains("LMS\\_ENROLLMENT\\_API\\_PATH") || md.contains("LMS_ENROLLMENT_API_PATH"));
    assert!(html.contains("<h2 id=\"change\">Change</h2>"));
    // `report` too, with repeated -f/-o pairs.
    let r = run(forkcheck()
        .current_dir(&fork)
        .args([
            "report",
            "--quiet",
            "--fail-on",
            "never",
            "-f",
            "json",
            "-o",
        ])
        .arg(out.join("r.json"))
        .args(["-f", "markdown", "-o"])
        .arg(out.join("r.md")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("r.json")).unwrap()).unwrap();
    assert!(report.get("check").is_none());
    assert!(std::fs::read_to_string(out.join("r.md"))
        .unwrap()
        .starts_with("# forkcheck: "));
    // Unpaired -f/-o and two outputs to one file are usage errors, before any analysis.
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["report", "-f", "json", "-f", "html", "-o", "x.json"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(forkcheck()
        .current_dir(&fork)
        .args(["report", "--json", "same", "--sarif", "same"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("two outputs"), "{}", r.stderr);
    assert!(!fork.join("same").exists());
}

/// What a check cannot fold, the fixed findings it lists, still goes through the cap: a pull
/// request removing 1500 settings the base had.
#[test]
fn a_large_check_markdown_is_capped_like_the_report() {
    let (dir, fork) = fork();
    let path = "lms/envs/common.py";
    let original = std::fs::read_to_string(fork.join(path)).unwrap();
    commit_edit(&fork, path, "Add the Acme feature settings", |mut t| {
        for i in 0..1500 {
            t.push_str(&format!(
                "\nACME_FEATURE_SETTING_NUMBER_{i} = \"a long enough value for setting {i}\"\n"
            ));
        }
        t
    });
    git(&fork, &["branch", "-f", "pr-base", "HEAD"]);
    commit_edit(&fork, path, "Remove the Acme feature settings", |_| {
        original.clone()
    });
    let md_path = dir.path().join("check.md");
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
        .arg("--markdown")
        .arg(&md_path));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(&md_path).unwrap();
    // Capped under the limit, the headline first, the check's own section kept, and the note
    // says what was cut and how to get every finding with `forkcheck check`.
    let chars = md.chars().count();
    assert!(chars <= 60_000, "{chars} characters");
    assert!(
        md.starts_with("# forkcheck: This change ") && md.contains("1502 fixed."),
        "{}",
        &md[..200.min(md.len())]
    );
    assert!(
        md.contains("## Change"),
        "the check section survives the cut"
    );
    assert!(
        md.contains("Fixed findings (15"),
        "{}",
        &md[..3000.min(md.len())]
    );
    assert!(
        md.contains("This report was cut from"),
        "{}",
        &md[md.len() - 600..]
    );
    let note = &md[md.rfind("This report was cut from").unwrap()..];
    assert!(note.contains("`forkcheck check"), "{note}");
    assert!(!note.contains("forkcheck report"), "{note}");
}

#[test]
fn a_large_check_markdown_folds_its_identical_findings_under_the_limit() {
    // A pull request that adds hundreds of settings: its Markdown would be far over GitHub's
    // 65,536-character comment limit.
    let (dir, fork) = fork();
    commit_edit(
        &fork,
        "lms/envs/common.py",
        "Add the Acme feature settings",
        |mut t| {
            for i in 0..1500 {
                t.push_str(&format!(
                    "\nACME_FEATURE_SETTING_NUMBER_{i} = \"a long enough value for setting {i}\"\n"
                ));
            }
            t
        },
    );
    let md_path = dir.path().join("check.md");
    let json_path = dir.path().join("check.json");
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
        .arg("--markdown")
        .arg(&md_path)
        .arg("--json")
        .arg(&json_path));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(&md_path).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let new = json["findings"].as_array().unwrap();
    assert!(
        new.iter()
            .filter(|f| f["setting"]
                .as_str()
                .is_some_and(|s| s.starts_with("ACME_FEATURE_SETTING_NUMBER_")))
            .count()
            >= 1500,
        "every added setting is a new finding"
    );
    // The 1500 identical findings fold into one row ("FC301 × 1500 in `lms/envs/common.py`"),
    // so the Markdown stays under the limit whole: the headline first, the check's own section
    // and nothing cut (the cut itself: `render::markdown` unit tests).
    let chars = md.chars().count();
    assert!(chars <= 60_000, "{chars} characters");
    assert!(
        md.starts_with("# forkcheck: This change grows the fork's rebase cost"),
        "{}",
        &md[..200.min(md.len())]
    );
    assert!(md.contains("## Change"), "the check section is there");
    assert!(
        md.contains("**FC301 × 1500 in `lms/envs/common.py`**"),
        "{md}"
    );
    assert!(md.contains("… and 1497 more"), "{md}");
    assert!(!md.contains("This report was cut from"), "{md}");
}
