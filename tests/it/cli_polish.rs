//! `--color`, `forkcheck completions SHELL` and `forkcheck man`: colours follow the flag (over
//! `NO_COLOR` and the terminal test) but never reach a file; every shell gets a completion script
//! and bash's really completes; the man pages render with groff without a warning.
//! scripts/test.sh installs groff and man (Debian); without them these tests fail.

use std::process::Command;

use forkcheck_fixtures::Scenario;

use crate::common::{forkcheck, run};

const ESC: &str = "\x1b[";

#[test]
fn color_always_never_and_auto() {
    // `forkcheck()` sets NO_COLOR=1 and standard output is a pipe: auto means no colour.
    let auto = run(forkcheck().args(["rules"]));
    assert_eq!(auto.code, 0);
    assert!(!auto.stdout.contains(ESC));
    let always = run(forkcheck().args(["--color", "always", "rules"]));
    assert_eq!(always.code, 0, "{}", always.stderr);
    assert!(always.stdout.contains(ESC), "{}", always.stdout);
    // The flag is global: after the subcommand too.
    let after = run(forkcheck().args(["rules", "--color=always"]));
    assert!(after.stdout.contains(ESC));
    let never = run(forkcheck()
        .args(["--color", "never", "rules"])
        .env_remove("NO_COLOR"));
    assert!(!never.stdout.contains(ESC));
    // Without the colour codes, always and never print the same text.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find(ESC) {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('m').map_or(rest.len(), |e| at + e + 1);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    };
    assert_eq!(strip(&always.stdout), never.stdout);
    let bad = run(forkcheck().args(["--color", "sometimes", "rules"]));
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    // clap's own help follows the flag too.
    let help = run(forkcheck()
        .args(["--color=always", "report", "--help"])
        .env_remove("NO_COLOR"));
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains(ESC), "{}", help.stdout);
    let help = run(forkcheck()
        .args(["report", "--help", "--color", "never"])
        .env_remove("NO_COLOR"));
    assert!(!help.stdout.contains(ESC) && help.stdout.contains("--fail-on"));
}

#[test]
fn color_always_colours_the_terminal_report_but_never_a_file() {
    let fork = &forkcheck_fixtures::shared(Scenario::Typical).fork;
    let shown = run(forkcheck()
        .args([
            "--color",
            "always",
            "report",
            "--fail-on",
            "never",
            "--repo",
        ])
        .arg(fork));
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains(ESC));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.txt");
    let written = run(forkcheck()
        .args([
            "--color",
            "always",
            "report",
            "--fail-on",
            "never",
            "--repo",
        ])
        .arg(fork)
        .arg("-o")
        .arg(&file));
    assert_eq!(written.code, 0, "{}", written.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(ESC) && text.contains("Findings"), "{text}");
    let md = run(forkcheck()
        .args([
            "--color",
            "always",
            "report",
            "--fail-on",
            "never",
            "-f",
            "markdown",
            "--repo",
        ])
        .arg(fork));
    assert!(!md.stdout.contains(ESC));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(forkcheck().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in ["report", "triage", "completions", "fail-on"] {
            assert!(out.stdout.contains(word), "{shell}: no `{word}`");
        }
    }
    let bad = run(forkcheck().args(["completions", "tcsh"]));
    assert_eq!(bad.code, 2);
}

/// What bash's completion offers for `words` (the last one is being completed).
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        "source {script}; COMP_WORDS=({line}); COMP_CWORD={cword}; COMP_LINE='{line}'; \
         COMP_POINT=${{#COMP_LINE}}; _forkcheck forkcheck '{cur}' '{prev}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script = script.display(),
        cword = words.len() - 1,
        cur = words.last().unwrap(),
        prev = words[words.len() - 2],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completion_completes_commands_flags_and_values() {
    let out = run(forkcheck().args(["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("forkcheck.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(syntax.success());
    assert_eq!(bash_complete(&script, &["forkcheck", "repo"]), ["report"]);
    let mut rep = bash_complete(&script, &["forkcheck", "rep"]);
    rep.sort();
    assert_eq!(rep, ["replace", "report"]);
    let flags = bash_complete(&script, &["forkcheck", "report", "--fa"]);
    assert_eq!(flags, ["--fail-on"]);
    let formats = bash_complete(&script, &["forkcheck", "report", "--format", "s"]);
    assert_eq!(formats, ["sarif"]);
    let colors = bash_complete(&script, &["forkcheck", "--color", "n"]);
    assert_eq!(colors, ["never"]);
}

fn groff_clean(page: &str, what: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.1");
    std::fs::write(&file, page).unwrap();
    let check = Command::new("groff")
        .args(["-k", "-z", "-ww", "-man", "-Tutf8"])
        .arg(&file)
        .output()
        .expect("groff is installed (scripts/test.sh installs it: `apt-get install groff-base`)");
    assert!(check.status.success(), "{what}");
    assert_eq!(
        String::from_utf8_lossy(&check.stderr),
        "",
        "{what}: groff warnings"
    );
    let text = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .expect("man is installed (scripts/test.sh installs it: `apt-get install man-db`)");
    assert!(text.status.success(), "{what}");
    String::from_utf8_lossy(&text.stdout).into_owned()
}

#[test]
fn man_page_on_standard_output_renders() {
    let out = run(forkcheck().arg("man"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(".TH forkcheck 1"), "{}", out.stdout);
    let text = groff_clean(&out.stdout, "forkcheck.1");
    for word in [
        "NAME",
        "forkcheck",
        "SUBCOMMANDS",
        "report",
        "--color",
        "completions",
    ] {
        assert!(text.contains(word), "no `{word}` in\n{text}");
    }
}

#[test]
fn man_pages_for_every_command_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let out = run(forkcheck().arg("man").arg("--dir").arg(&target));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    for cmd in [
        "report",
        "releases",
        "rules",
        "init",
        "demo",
        "replace",
        "plan",
        "triage",
        "completions",
        "man",
    ] {
        let file = target.join(format!("forkcheck-{cmd}.1"));
        let page = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{cmd}: {e}"));
        let text = groff_clean(&page, cmd);
        assert!(text.contains(&format!("forkcheck-{cmd}")), "{cmd}: {text}");
    }
    let report = std::fs::read_to_string(target.join("forkcheck-report.1")).unwrap();
    assert!(report.contains("fail\\-on"));
    assert!(target.join("forkcheck.1").is_file());
    // A file where the directory should be: an I/O error with a help line.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let bad = run(forkcheck().arg("man").arg("--dir").arg(&file));
    assert_eq!(bad.code, 9, "{}", bad.stderr);
    assert!(bad.stderr.contains("help: "), "{}", bad.stderr);
}
