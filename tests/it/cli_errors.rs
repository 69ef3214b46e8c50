//! Error cases: each stops with its documented exit code and a cargo-shaped message that names
//! the failing thing and ends with an actionable `help:` line. Never a panic.

use crate::common::{forkcheck, redact, release_repo, run, TinyRepo};
use forkcheck_analyzers::error::exit;

fn assert_shape(stderr: &str) {
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(forkcheck().args(["report", "--repo"]).arg(dir.path()));
    assert_eq!(out.code, i32::from(exit::NOT_A_REPO), "{}", out.stderr);
    assert_shape(&out.stderr);
    let stderr = redact(&out.stderr, dir.path());
    assert!(
        stderr.contains("`[ROOT]` is not a git repository"),
        "{stderr}"
    );
    assert!(stderr.contains("\nhelp: "), "{stderr}");
    // git2's own wording is not ours to snapshot; the first and last lines are.
    let first = stderr.lines().next().unwrap_or_default();
    let help = stderr.lines().last().unwrap_or_default();
    insta::assert_snapshot!(format!("{first}\n…\n{help}"));
}

#[test]
fn no_release_refs() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = TinyRepo::init(dir.path());
    r.commit("one", &[("a.txt", "a\n")]);
    for cmd in ["report", "releases"] {
        let out = run(forkcheck().args([cmd, "--repo"]).arg(dir.path()));
        assert_eq!(out.code, i32::from(exit::NO_RELEASE_REFS), "{}", out.stderr);
        assert_shape(&out.stderr);
        insta::assert_snapshot!(
            format!("no_release_refs_{cmd}"),
            redact(&out.stderr, dir.path())
        );
    }
}

#[test]
fn unknown_release_and_revision() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    for (flag, value) in [
        ("--to", "nosuchrelease"),
        ("--base", "deadbeef0000"),
        ("--head", "nope"),
    ] {
        let out = run(forkcheck()
            .args(["report", "--repo"])
            .arg(dir.path())
            .args([flag, value]));
        assert_eq!(
            out.code,
            i32::from(exit::UNKNOWN_REVISION),
            "{flag}: {}",
            out.stderr
        );
        assert_shape(&out.stderr);
        assert!(out.stderr.contains(&format!("`{value}`")), "{}", out.stderr);
        assert!(out.stderr.contains("\nhelp: "), "{}", out.stderr);
    }
    // A release name that is in the catalog but has no refs here.
    let out = run(forkcheck()
        .args(["report", "--repo"])
        .arg(dir.path())
        .args(["--to", "teak"]));
    assert_eq!(
        out.code,
        i32::from(exit::UNKNOWN_REVISION),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!(redact(&out.stderr, dir.path()));
}

#[test]
fn bad_config_names_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let config = dir.path().join("forkcheck.toml");
    std::fs::write(&config, "[upstream]\nremotee = \"upstream\"\n").unwrap();
    let out = run(forkcheck().args(["report", "--repo"]).arg(dir.path()));
    assert_eq!(out.code, i32::from(exit::BAD_CONFIG), "{}", out.stderr);
    assert_shape(&out.stderr);
    let stderr = redact(&out.stderr, dir.path());
    assert!(stderr.contains("remotee"), "{stderr}");
    assert!(stderr.contains("[ROOT]/forkcheck.toml"), "{stderr}");
    insta::assert_snapshot!(stderr);

    // The same through --config, and a [severity] entry naming an unknown rule.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "[severity]\nFC999 = \"error\"\n").unwrap();
    let out = run(forkcheck()
        .args(["releases", "--repo"])
        .arg(dir.path())
        .arg("--config")
        .arg(&other));
    assert_eq!(out.code, i32::from(exit::BAD_CONFIG), "{}", out.stderr);
    let stderr = redact(&out.stderr, dir.path());
    assert!(stderr.contains("FC999"), "{stderr}");
    assert!(stderr.contains("[ROOT]/other.toml"), "{stderr}");
}

#[test]
fn missing_config_file() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let out = run(forkcheck()
        .args(["report", "--repo"])
        .arg(dir.path())
        .args(["--config", "does-not-exist.toml"]));
    assert_eq!(out.code, i32::from(exit::BAD_CONFIG), "{}", out.stderr);
    assert!(out.stderr.contains("does-not-exist.toml"), "{}", out.stderr);
}

#[test]
fn output_into_a_missing_directory_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let target = dir.path().join("no/such/dir/report.json");
    let out = run(forkcheck()
        .args(["report", "--format", "json", "--repo"])
        .arg(dir.path())
        .arg("-o")
        .arg(&target));
    assert_eq!(out.code, i32::from(exit::IO), "{}", out.stderr);
    assert_shape(&out.stderr);
    assert!(out.stderr.contains("report.json"), "{}", out.stderr);
    assert!(!target.exists());
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["report", "--format", "xml"][..],
        &["report", "--fail-on", "sometimes"],
        &["nosuchcommand"],
        &["rules", "FC999"],
    ] {
        let out = run(forkcheck().args(args));
        assert_eq!(out.code, i32::from(exit::USAGE), "{args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    }
}

/// The `help:` line of a forkcheck error (the last line of standard error).
fn help_line(stderr: &str) -> &str {
    stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("help: "))
        .unwrap_or_else(|| panic!("no `help:` line in {stderr}"))
}

#[test]
fn plan_without_a_later_release_is_a_user_error() {
    // The base (sumac) is the newest release in the repository and `--to` is not given.
    let dir = tempfile::tempdir().unwrap();
    let mut r = TinyRepo::init(dir.path());
    r.commit("upstream sumac", &[("README.rst", "edx-platform\n")]);
    r.tag("open-release/sumac.1");
    r.commit("fork: notes", &[("docs/acme.rst", "Acme\n")]);
    for format in ["terminal", "json", "markdown"] {
        let out = run(forkcheck()
            .args(["plan", "--quiet", "--format", format, "--repo"])
            .arg(dir.path()));
        assert_eq!(out.code, i32::from(exit::NO_TARGET), "{}", out.stderr);
        assert_shape(&out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            out.stderr
                .contains("no release after the base `sumac` was found"),
            "{}",
            out.stderr
        );
        let help = help_line(&out.stderr);
        assert!(help.contains("--to RELEASE"), "{help}");
        assert!(help.contains("forkcheck releases"), "{help}");
    }
    // With a target it plans.
    let out = run(forkcheck()
        .args(["plan", "--quiet", "--format", "json", "--to"])
        .arg("HEAD")
        .arg("--repo")
        .arg(dir.path()));
    assert_ne!(out.code, i32::from(exit::INTERNAL), "{}", out.stderr);
    assert_ne!(out.code, i32::from(exit::NO_TARGET), "{}", out.stderr);
}

#[test]
fn triage_left_out_by_forkcheck_only_is_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    for format in ["terminal", "json", "markdown"] {
        let out = run(forkcheck()
            .env("FORKCHECK_ONLY", "drift,rebase")
            .args(["triage", "--quiet", "--format", format, "--repo"])
            .arg(dir.path()));
        assert_eq!(out.code, i32::from(exit::USAGE), "{}", out.stderr);
        assert_shape(&out.stderr);
        assert!(
            out.stderr.contains("leaves out the triage"),
            "{}",
            out.stderr
        );
        let help = help_line(&out.stderr);
        assert!(help.contains("add `triage` to FORKCHECK_ONLY"), "{help}");
    }
    // Kept in the list, the triage runs.
    let out = run(forkcheck()
        .env("FORKCHECK_ONLY", "drift,triage")
        .args(["triage", "--quiet", "--format", "json", "--repo"])
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"items\""), "{}", out.stdout);
}

#[test]
fn an_unknown_analysis_in_forkcheck_only_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let out = run(forkcheck()
        .env("FORKCHECK_ONLY", "drift,nosuch")
        .args(["report", "--quiet", "--repo"])
        .arg(dir.path()));
    assert_eq!(out.code, i32::from(exit::USAGE), "{}", out.stderr);
    assert_shape(&out.stderr);
    assert!(
        out.stderr.contains("unknown analysis `nosuch`"),
        "{}",
        out.stderr
    );
    assert!(
        help_line(&out.stderr).contains("unset it"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_tutor_plugin_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let out = run(forkcheck()
        .args(["replace", "--quiet", "--name", "Bad Name", "--repo"])
        .arg(dir.path()));
    assert_eq!(out.code, i32::from(exit::USAGE), "{}", out.stderr);
    assert_shape(&out.stderr);
    assert!(
        help_line(&out.stderr).contains("lower case letters"),
        "{}",
        out.stderr
    );
}

#[test]
fn demo_without_a_writable_temporary_directory_is_an_io_error() {
    let out = run(forkcheck()
        .env("TMPDIR", "/nonexistent/forkcheck-test")
        .args(["demo", "--quiet"]));
    assert_eq!(out.code, i32::from(exit::IO), "{}", out.stderr);
    assert_shape(&out.stderr);
    assert!(help_line(&out.stderr).contains("TMPDIR"), "{}", out.stderr);
}
