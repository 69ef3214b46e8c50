//! The output side of hostile repositories: a fork whose file names, commit subjects, authors,
//! trailers, config keys and values and settings values carry terminal escape sequences, CR, BEL,
//! newlines, bidi overrides, raw HTML, Markdown links, images, mentions, issue references,
//! backticks and pipes. Every command in every format must show them as text, and `-o` must
//! never replace or follow anything but a regular file.

use std::path::{Path, PathBuf};

use forkcheck_analyzers::error::exit;
use git2::{FileMode, Repository, Signature, Time};

use crate::common::{forkcheck, run, Run};

/// Everything a terminal or a Markdown renderer could act on, in one string. No `/` so that it
/// can also be a file name.
const NASTY: &str = "\x1b[2J\x1b[8mhidden\x1b[0m \x1b]8;;http:x\x07osc8\x1b]8;;\x07 a\rb\x07 \
                     `tick` ``two`` a|b <img src=x onerror=alert(1)> [phish](http:x) \
                     ![i](http:x.png) @mention #123 www.x.io \u{202e}gpj.exe \u{9b}31m \u{7f}";

/// A file name that tries to forge a line of output.
fn nasty_name(ext: &str) -> String {
    format!("{NASTY}\nerror FC999 forged {ext}")
}

/// A commit subject (one line: git folds the rest into the body).
fn nasty_subject() -> String {
    format!("fix: {NASTY} [phish](http://x) ![i](http://x/a.png) https://x.io")
}

/// The typical fixture fork plus one commit full of hostile names and values, in a temporary
/// directory removed with it.
pub(crate) struct Hostile {
    _dir: tempfile::TempDir,
    pub(crate) fork: PathBuf,
}

pub(crate) fn hostile() -> Hostile {
    let dir = tempfile::tempdir().expect("tempdir");
    let g = forkcheck_fixtures::copy_shared(
        forkcheck_fixtures::Scenario::Typical,
        &dir.path().join("typical"),
    )
    .expect("a copy of the typical fixture");
    add_hostile_commit(&g.fork);
    Hostile {
        _dir: dir,
        fork: g.fork,
    }
}

fn add_hostile_commit(fork: &Path) {
    let repo = Repository::open(fork).expect("open fork");
    let head = repo.head().expect("head").peel_to_commit().expect("commit");
    let tree = head.tree().expect("tree");
    let blob = |bytes: &[u8]| repo.blob(bytes).expect("blob");
    let read = |path: &str| -> String {
        let entry = tree.get_path(Path::new(path)).expect(path);
        let b = repo.find_blob(entry.id()).expect("blob");
        String::from_utf8(b.content().to_vec()).expect("utf-8")
    };
    let mut update = git2::build::TreeUpdateBuilder::new();
    // File names: at the root (no known area), a new core template, a theme addition, a binary.
    let text = blob(b"hostile\n");
    update.upsert(nasty_name("root.txt"), text, FileMode::Blob);
    update.upsert(
        format!("lms/templates/{}", nasty_name("core.html")),
        text,
        FileMode::Blob,
    );
    update.upsert(
        format!("themes/acme/lms/templates/{}", nasty_name("theme.html")),
        text,
        FileMode::Blob,
    );
    update.upsert(
        format!("lms/static/images/{}", nasty_name("logo.png")),
        blob(b"\x89PNG\r\n\x1a\n\0\0\0binary"),
        FileMode::Blob,
    );
    // A settings value with every control character Python allows in a string literal.
    let mut common = read("lms/envs/common.py");
    common.push_str(&format!("\nHOSTILE_VALUE = \"\"\"{NASTY}\n{NASTY}\"\"\"\n"));
    update.upsert(
        "lms/envs/common.py",
        blob(common.as_bytes()),
        FileMode::Blob,
    );
    // Generated config: hostile keys and values; an auth key that tries to end a YAML comment.
    let mut env: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read("config/lms.env.json")).expect("env json");
    env.insert(nasty_name("KEY"), serde_json::Value::String(NASTY.into()));
    env.insert(
        "PLATFORM_NAME".into(),
        serde_json::Value::String(NASTY.into()),
    );
    let env = serde_json::to_string_pretty(&env).expect("json");
    update.upsert("config/lms.env.json", blob(env.as_bytes()), FileMode::Blob);
    let mut auth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read("config/lms.auth.json")).expect("auth json");
    auth.insert(
        "X_SECRET_KEY\ninjected_by_forkcheck_test: pwned".into(),
        serde_json::Value::String("s3cr3t".into()),
    );
    let auth = serde_json::to_string_pretty(&auth).expect("json");
    update.upsert(
        "config/lms.auth.json",
        blob(auth.as_bytes()),
        FileMode::Blob,
    );
    let new_tree = update.create_updated(&repo, &tree).expect("tree");
    let new_tree = repo.find_tree(new_tree).expect("tree");
    let when = Time::new(head.time().seconds() + 3600, 0);
    let author =
        Signature::new("Eve \x1b[31mRed\x1b[0m\x07", "eve@example.test", &when).expect("sig");
    let message = format!(
        "{}\n\nBody with {NASTY}\n\nUpstream: {NASTY} https://x.io/pull/1\nForwarded: [phish](http://x) @mention\n",
        nasty_subject()
    );
    let first = repo
        .commit(
            Some("HEAD"),
            &author,
            &author,
            &message,
            &new_tree,
            &[&head],
        )
        .expect("commit");
    // A commit the next release already has (replays as empty: `plan` lists it to drop).
    let first = repo.find_commit(first).expect("commit");
    let tree_of = |rev: &str| {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .expect(rev)
    };
    let (redwood, sumac) = (
        tree_of("open-release/redwood.2"),
        tree_of("open-release/sumac.1"),
    );
    // A file sumac changed that the fork leaves as redwood had it.
    let diff = repo
        .diff_tree_to_tree(Some(&redwood), Some(&sumac), None)
        .expect("diff");
    let (path, theirs) = diff
        .deltas()
        .filter(|d| d.status() == git2::Delta::Modified)
        .filter_map(|d| {
            let path = d.new_file().path()?.to_path_buf();
            let ours = new_tree.get_path(&path).ok()?.id();
            (ours == d.old_file().id()).then(|| (path, d.new_file().id()))
        })
        .next()
        .expect("a file sumac changes and the fork does not");
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(&path, theirs, FileMode::Blob);
    let tree = update.create_updated(&repo, &new_tree).expect("tree");
    let tree = repo.find_tree(tree).expect("tree");
    let when = Time::new(when.seconds() + 3600, 0);
    let author = Signature::new("Eve", "eve@example.test", &when).expect("sig");
    repo.commit(
        Some("HEAD"),
        &author,
        &author,
        &format!("{} (already upstream)\n", nasty_subject()),
        &tree,
        &[&first],
    )
    .expect("commit");
    // Configuration values reach the outputs too (here: a warning naming the remote).
    std::fs::write(
        fork.join("forkcheck.toml"),
        "[upstream]\nremote = \"up\\u202e\\u001b[2Jstream\\u0007\"\n",
    )
    .expect("forkcheck.toml");
}

// ---------------------------------------------------------------------------------------------
// Checks

/// Characters that must never reach a terminal or a Markdown source: every Unicode control but
/// `\n`, DEL, C1, bidi embeddings, overrides and isolates.
fn unsafe_chars(text: &str) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|(_, c)| {
            (c.is_control() && *c != '\n')
                || matches!(
                    c,
                    '\u{061C}'
                        | '\u{200E}'
                        | '\u{200F}'
                        | '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{2028}'
                        | '\u{2029}'
                )
        })
        .collect()
}

fn assert_no_controls(what: &str, text: &str) {
    let bad = unsafe_chars(text);
    if let Some((at, c)) = bad.first() {
        let from = text[..*at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what}: {} unsafe character(s), first {c:?} at byte {at}, after {:?}",
            bad.len(),
            &text[from..*at]
        );
    }
}

/// A character of Markdown source outside code spans, with whether a backslash escaped it.
#[derive(Clone, Copy)]
struct Live {
    c: char,
    escaped: bool,
}

/// The characters of `line` that Markdown interprets (outside code spans), CommonMark-style:
/// a backtick run opens a span closed by the next run of the same length on the line.
fn live_chars(line: &str) -> Vec<Live> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) {
            out.push(Live {
                c: chars[i + 1],
                escaped: true,
            });
            i += 2;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&x| x == '`').count();
            let mut j = i + run;
            let mut closed = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let r = chars[j..].iter().take_while(|&&x| x == '`').count();
                    if r == run {
                        closed = Some(j + r);
                        break;
                    }
                    j += r;
                } else {
                    j += 1;
                }
            }
            match closed {
                Some(end) => i = end,
                None => {
                    for _ in 0..run {
                        out.push(Live { c, escaped: false });
                    }
                    i += run;
                }
            }
            continue;
        }
        out.push(Live { c, escaped: false });
        i += 1;
    }
    out
}

/// The HTML forkcheck's own Markdown templates use.
const OWN_HTML: &[&str] = &["<br>", "<details>", "</details>", "<summary>", "</summary>"];

/// Problems in `md` a Markdown renderer (GitHub's) would turn into something live: links,
/// images, autolinks, mentions, issue references, raw HTML, table rows with extra cells.
fn markdown_issues(md: &str) -> Vec<String> {
    let mut issues = Vec::new();
    let mut table_pipes: Option<usize> = None;
    let lines: Vec<&str> = md.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let live = live_chars(line);
        let text: String = live
            .iter()
            .map(|l| if l.escaped { '\u{FFFD}' } else { l.c })
            .collect();
        let at = |what: &str| format!("line {}: {what}: {line}", n + 1);
        for (i, l) in live.iter().enumerate() {
            let next = live.get(i + 1).map(|x| x.c);
            // `#123` is a reference whether or not the `#` is backslash-escaped.
            if l.c == '#' && next.is_some_and(|c| c.is_ascii_digit()) {
                issues.push(at("live #123 reference"));
            }
            if l.escaped {
                continue;
            }
            match l.c {
                '[' => issues.push(at("unescaped `[` (link or image)")),
                '@' if next.is_some_and(|c| c.is_ascii_alphanumeric()) => {
                    issues.push(at("live @mention"));
                }
                '<' => {
                    let rest: String = text.chars().skip(i).take(12).collect();
                    let own = OWN_HTML.iter().any(|t| rest.starts_with(t));
                    if !own && next.is_some_and(|c| c.is_ascii_alphabetic() || "/!?".contains(c)) {
                        issues.push(at("raw HTML"));
                    }
                }
                _ => {}
            }
        }
        if text.contains("://") {
            issues.push(at("autolink (`://` outside code)"));
        }
        if text.to_ascii_lowercase().contains("www.") {
            issues.push(at("autolink (`www.` outside code)"));
        }
        // Tables: every row has as many unescaped pipes as the delimiter row.
        let pipes = |l: &str| {
            let b = l.as_bytes();
            (0..b.len())
                .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
                .count()
        };
        let is_delimiter = |l: &str| {
            l.starts_with('|') && l.chars().all(|c| "|-: ".contains(c)) && l.contains('-')
        };
        if line.starts_with('|') {
            if table_pipes.is_none() {
                if let Some(next) = lines.get(n + 1).filter(|l| is_delimiter(l)) {
                    table_pipes = Some(pipes(next));
                }
            }
            if let Some(expected) = table_pipes {
                if pipes(line) != expected {
                    issues.push(at(&format!(
                        "table row has {} cell separators, the table {expected}",
                        pipes(line)
                    )));
                }
            }
        } else {
            table_pipes = None;
        }
    }
    issues
}

fn assert_inert_markdown(what: &str, md: &str) {
    assert_no_controls(what, md);
    let issues = markdown_issues(md);
    assert!(
        issues.is_empty(),
        "{what}: live Markdown:\n{}",
        issues.join("\n")
    );
}

fn assert_escaped_html(what: &str, html: &str) {
    // The page's own markup: one inline script (table sorting) at the end, and links to its
    // own sections (`<a href="#…">`, the table of contents). Nothing else may be live.
    assert!(
        html.matches("<script").count() <= 1,
        "{what}: more than one script"
    );
    if let Some(at) = html.find("<script") {
        assert!(
            html[at..].starts_with("<script>"),
            "{what}: a script with attributes"
        );
        assert!(
            html[at..].contains("</script>\n</body>"),
            "{what}: the script is not the page's own"
        );
    }
    let html = html.replace("<a href=\"#", "");
    let html = match html.find("<script>") {
        Some(at) => &html[..at],
        None => &html[..],
    };
    for raw in ["<img", "<script", "onerror=alert(1)>", "<a "] {
        assert!(!html.contains(raw), "{what}: raw `{raw}` in the HTML");
    }
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{what}: hostile text missing"
    );
}

/// Run forkcheck on the hostile fork; it must succeed (`--fail-on never`, where it applies).
fn on_fork(fork: &Path, args: &[&str]) -> Run {
    let out = run(forkcheck().args(args).arg("--repo").arg(fork));
    assert_eq!(out.code, 0, "forkcheck {args:?} failed: {}", out.stderr);
    assert_no_controls(&format!("stderr of {args:?}"), &out.stderr);
    out
}

/// The hostile content reached the output (so the checks above checked something).
fn assert_reached(what: &str, text: &str) {
    assert!(
        text.contains("onerror") && text.contains("mention"),
        "{what}: the hostile names and subjects are not in the output:\n{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Every command × every format

#[test]
fn report_in_every_format_shows_hostile_text_as_text() {
    let h = hostile();
    let fork = h.fork.as_path();
    let terminal = on_fork(fork, &["report", "--fail-on", "never"]);
    assert_no_controls("report (terminal)", &terminal.stdout);
    assert_reached("report (terminal)", &terminal.stdout);
    assert!(terminal.stdout.contains("\\x1b[2J"), "visible escapes");
    assert!(
        terminal.stdout.contains("\\u{202e}"),
        "visible bidi escapes"
    );
    // The forged line never starts a line.
    for line in terminal.stdout.lines() {
        assert!(!line.starts_with("error FC999"), "forged line: {line}");
    }

    let md = on_fork(
        fork,
        &["report", "--fail-on", "never", "--format", "markdown"],
    );
    assert_inert_markdown("report (markdown)", &md.stdout);
    assert_reached("report (markdown)", &md.stdout);

    let html = on_fork(fork, &["report", "--fail-on", "never", "--format", "html"]);
    assert_escaped_html("report (html)", &html.stdout);

    let json = on_fork(fork, &["report", "--fail-on", "never", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON parses");
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(
        paths.contains(&nasty_name("root.txt").as_str()),
        "the JSON keeps the exact hostile path: {paths:?}"
    );

    let sarif = on_fork(fork, &["report", "--fail-on", "never", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF parses");
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
}

#[test]
fn triage_in_every_format_shows_hostile_text_as_text() {
    let h = hostile();
    let fork = h.fork.as_path();
    let terminal = on_fork(fork, &["triage"]);
    assert_no_controls("triage (terminal)", &terminal.stdout);
    assert_reached("triage (terminal)", &terminal.stdout);
    let md = on_fork(fork, &["triage", "--format", "markdown"]);
    assert_inert_markdown("triage (markdown)", &md.stdout);
    assert_reached("triage (markdown)", &md.stdout);
    let json = on_fork(fork, &["triage", "--format", "json"]);
    let triage: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON parses");
    assert!(json.stdout.contains("\\u001b[2J"), "JSON escapes ESC");
    assert!(triage["items"].as_array().is_some_and(|i| !i.is_empty()));
}

#[test]
fn plan_in_every_format_shows_hostile_text_as_text() {
    let h = hostile();
    let fork = h.fork.as_path();
    let terminal = on_fork(fork, &["plan", "--to", "teak"]);
    assert_no_controls("plan (terminal)", &terminal.stdout);
    assert_reached("plan (terminal)", &terminal.stdout);
    let md = on_fork(fork, &["plan", "--to", "teak", "--format", "markdown"]);
    assert_inert_markdown("plan (markdown)", &md.stdout);
    assert_reached("plan (markdown)", &md.stdout);
    let json = on_fork(fork, &["plan", "--to", "teak", "--format", "json"]);
    let _: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON parses");
}

#[test]
fn releases_and_rules_stay_clean() {
    let h = hostile();
    let fork = h.fork.as_path();
    let terminal = on_fork(fork, &["releases"]);
    assert_no_controls("releases (terminal)", &terminal.stdout);
    assert!(
        terminal.stdout.contains("up\\u{202e}\\x1b[2Jstream\\x07"),
        "the configured remote, escaped: {}",
        terminal.stdout
    );
    let json = on_fork(fork, &["releases", "--format", "json"]);
    let _: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON parses");
    for args in [
        &["rules"][..],
        &["rules", "FC102"],
        &["rules", "--markdown"],
    ] {
        let out = run(forkcheck().args(args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_no_controls(&format!("{args:?}"), &out.stdout);
    }
}

#[test]
fn replace_comments_cannot_be_broken_by_newlines_in_keys() {
    let h = hostile();
    let fork = h.fork.as_path();
    for format in ["tutor-plugin", "ansible", "yaml"] {
        let out = on_fork(fork, &["replace", "--format", format]);
        assert_no_controls(&format!("replace --format {format}"), &out.stdout);
        // Each file (`# --- name ---` separates several) parses, and nothing the repository
        // holds became a key of its own.
        for doc in out.stdout.split("# --- ") {
            let docs = yaml_rust2::YamlLoader::load_from_str(doc)
                .unwrap_or_else(|e| panic!("replace --format {format}: invalid YAML: {e}\n{doc}"));
            for d in &docs {
                if let Some(map) = d.as_hash() {
                    for key in map.keys() {
                        let key = key.as_str().unwrap_or_default();
                        assert!(
                            !key.contains("injected_by_forkcheck_test"),
                            "replace --format {format}: injected key {key:?}"
                        );
                    }
                }
            }
            for line in doc.lines() {
                assert!(
                    !line.starts_with("injected_by_forkcheck_test"),
                    "replace --format {format}: injected line {line:?}"
                );
            }
        }
    }
}

#[test]
fn errors_quoting_the_repository_are_escaped() {
    let h = hostile();
    let fork = h.fork.as_path();
    let out = run(forkcheck()
        .args(["report", "--base", "no\x1b[2Jsuch\rrev", "--repo"])
        .arg(fork));
    assert_eq!(
        out.code,
        i32::from(exit::UNKNOWN_REVISION),
        "{}",
        out.stderr
    );
    assert_no_controls("error message", &out.stderr);
    assert!(
        out.stderr.contains("no\\x1b[2Jsuch\\rrev"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// `-o`

fn report_to(fork: &Path, target: &Path) -> Run {
    run(forkcheck()
        .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
        .arg(fork)
        .arg("-o")
        .arg(target))
}

fn assert_refused(out: &Run, target: &Path) {
    assert_eq!(out.code, i32::from(exit::IO), "{}", out.stderr);
    assert!(
        out.stderr.contains(&target.display().to_string()),
        "the error names the user's path: {}",
        out.stderr
    );
    assert!(out.stderr.contains("\nhelp: "), "{}", out.stderr);
    assert!(
        !out.stderr.contains(".forkcheck-"),
        "no temporary file: {}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn output_refuses_fifos_symlinks_and_devices_and_leaves_them_as_they_were() {
    let h = hostile();
    let fork = h.fork.as_path();
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();

    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let out = report_to(fork, &fifo);
    assert_refused(&out, &fifo);
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    let victim = dir.path().join("victim.json");
    std::fs::write(&victim, "keep").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = report_to(fork, &link);
    assert_refused(&out, &link);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), victim);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");

    // A device: through a symbolic link, and named directly (forkcheck never opens it).
    let null_link = dir.path().join("null.json");
    std::os::unix::fs::symlink("/dev/null", &null_link).unwrap();
    let out = report_to(fork, &null_link);
    assert_refused(&out, &null_link);
    assert_eq!(
        std::fs::read_link(&null_link).unwrap(),
        Path::new("/dev/null")
    );
    let out = report_to(fork, Path::new("/dev/null"));
    assert_refused(&out, Path::new("/dev/null"));
    assert!(std::fs::symlink_metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    // A directory is refused, not written into.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert_refused(&report_to(fork, &sub), &sub);
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 0);

    // Nothing left behind: fifo, victim, link, null.json, sub.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 5);

    // The same rules for the other commands' `-o`.
    for args in [&["triage"][..], &["plan", "--to", "sumac"]] {
        let out = run(forkcheck()
            .args(args)
            .arg("--repo")
            .arg(fork)
            .arg("-o")
            .arg(&link));
        assert_refused(&out, &link);
    }
    let out = run(forkcheck().args(["init", "--force", "-o"]).arg(&link));
    assert_refused(&out, &link);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let out = run(forkcheck()
        .args(["replace", "--repo"])
        .arg(fork)
        .arg("-o")
        .arg(&link));
    assert_refused(&out, &link);
}

#[test]
fn output_dash_is_standard_output() {
    let h = hostile();
    let fork = h.fork.as_path();
    let dir = tempfile::tempdir().unwrap();
    let out = run(forkcheck()
        .current_dir(dir.path())
        .args([
            "report",
            "--format",
            "json",
            "--fail-on",
            "never",
            "-o",
            "-",
            "--repo",
        ])
        .arg(fork));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let _: serde_json::Value = serde_json::from_str(&out.stdout).expect("the report on stdout");
    for args in [&["triage", "-o", "-"][..], &["replace", "-o", "-"]] {
        let out = run(forkcheck()
            .current_dir(dir.path())
            .args(args)
            .arg("--repo")
            .arg(fork));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let out = run(forkcheck()
        .current_dir(dir.path())
        .args(["init", "-o", "-"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("[drift]"), "{}", out.stdout);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file named `-`"
    );
}

#[cfg(unix)]
#[test]
fn output_files_get_the_umask_mode_and_keep_an_existing_mode() {
    let h = hostile();
    let fork = h.fork.as_path();
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("forkcheck");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    for (umask, expected) in [("022", 0o644), ("027", 0o640), ("077", 0o600)] {
        let target = dir.path().join(format!("report-{umask}.md"));
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(&bin)
            .args([
                "report",
                "--format",
                "markdown",
                "--fail-on",
                "never",
                "--quiet",
            ])
            .arg("--repo")
            .arg(fork)
            .arg("-o")
            .arg(&target)
            .env("NO_COLOR", "1")
            .status()
            .expect("sh runs");
        assert!(status.success());
        assert_eq!(mode(&target), expected, "umask {umask}");
    }
    // Replacing a file keeps its mode, whatever the umask.
    let kept = dir.path().join("report-022.md");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o604)).unwrap();
    let out = report_to(fork, &kept);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&kept), 0o604);
    // Only the reports: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

#[test]
fn output_errors_name_the_users_path_and_say_what_to_do() {
    let h = hostile();
    let fork = h.fork.as_path();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing/report.json");
    let out = report_to(fork, &target);
    assert_refused(&out, &target);
    assert!(!target.exists());
}

// ---------------------------------------------------------------------------------------------
// The checker itself

#[test]
fn the_markdown_checker_finds_live_markup() {
    for live in [
        "see [phish](http:x)",
        "![i](x.png)",
        "hi @octocat",
        "fixes #12",
        "<img src=x>",
        "go to https:\u{200D}//x but also http://y",
        "www.example.com",
        "| a | b |\n|---|---|\n| c | d | e |",
        "`code` then [x](y)",
    ] {
        assert!(!markdown_issues(live).is_empty(), "not caught: {live:?}");
    }
    for inert in [
        "see \\[phish\\](http:\u{200D}//x)",
        "hi @\u{200D}octocat",
        "fixes \\#\u{200D}12",
        "&lt;img src=x&gt;",
        "`[x](http://y) @me <b>`",
        "``a`|`b``",
        "| a | b |\n|---|---|\n| c\\|d | `e\\|f` |",
        "<details><summary>x</summary>",
    ] {
        assert!(
            markdown_issues(inert).is_empty(),
            "false alarm on {inert:?}: {:?}",
            markdown_issues(inert)
        );
    }
}
