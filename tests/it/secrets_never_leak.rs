//! "A secret value never leaves the program": every fixture scenario and a corpus of hostile
//! inputs go through every command in every format, and no secret value appears in standard
//! output, standard error or any written file.
//!
//! The secret values are found by a scanner written here, independent of forkcheck's own
//! detection: every planted secret contains a marker (`FAKE` in the fixtures' commits,
//! `PLANTED` in the corpus below), and the scanner collects every token holding a marker from
//! the files the fork changed and from the fork's commit messages. Each planted value sits where
//! a deployment really keeps one (nested compose `environment`, JWKs in Python dicts, URLs with
//! passwords, one password reused under five keys, commit messages, credential files, comments).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use forkcheck_fixtures::{copy_shared, git_command, prepare_git_home, Scenario};

const MARKERS: &[&str] = &["FAKE", "PLANTED"];

/// Tokens (runs of characters that can make up a password, key or token) holding a marker.
fn marked_tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let is_tok = |c: char| c.is_ascii_alphanumeric() || "-_+/=.$!%".contains(c);
    for tok in text.split(|c: char| !is_tok(c)) {
        let tok = tok.trim_matches(|c| c == '.' || c == '=');
        if MARKERS.iter().any(|m| tok.contains(m)) {
            out.insert(tok.to_string());
        }
    }
    out
}

fn git_out(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .expect("git");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The independent scanner: marked tokens in every file the fork changed (both sides) and in
/// every commit message since the base.
fn planted_secrets(repo: &Path, base: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let diff = git_out(repo, &["diff", "--no-color", "--no-ext-diff", base, "HEAD"]);
    found.extend(marked_tokens(&diff));
    let log = git_out(repo, &["log", "--format=%B", &format!("{base}..HEAD")]);
    found.extend(marked_tokens(&log));
    found
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// One password reused under five keys, as operators do.
const REUSED: &str = "PLANTED-reused-Pa55w0rd";

fn hostile_corpus(tmp: &Path) -> PathBuf {
    let generated = copy_shared(Scenario::Clean, &tmp.join("gen")).expect("copy of clean");
    let fork = generated.fork.clone();
    let home = tmp.join("home");
    prepare_git_home(&home).expect("git home");
    let commit = |message: &str| {
        for args in [vec!["add", "-A"], vec!["commit", "-q", "-m", message]] {
            let st = git_command(&fork, &home).args(&args).status().expect("git");
            assert!(st.success(), "git {args:?}");
        }
    };
    // A committed Tutor environment: compose services with nested environments.
    write(
        &fork,
        "ops/env/local/docker-compose.yml",
        &format!(
            "services:\n  mysql:\n    image: docker.io/mysql:8.4\n    environment:\n      MYSQL_ROOT_PASSWORD: \"{REUSED}\"\n  minio:\n    image: minio/minio\n    environment:\n      MINIO_ROOT_USER: admin\n      MINIO_ROOT_PASSWORD: PLANTED-minio-root-77\n  lms:\n    image: openedx:18.1.3\n    environment:\n      SETTINGS: lms.envs.tutor.production\n      DATABASE_URL: mysql://openedx:PLANTED-dburl-pw-1@mysql:3306/openedx\n"
        ),
    );
    write(
        &fork,
        "ops/config.yml",
        &format!(
            "LMS_HOST: learn.planted.example\nCMS_HOST: studio.learn.planted.example\nPLATFORM_NAME: Planted\nDOCKER_IMAGE_OPENEDX: docker.io/overhangio/openedx:18.1.3\nMOUNTS:\n- /home/ops/edx-platform\nPLUGINS:\n- minio\nMYSQL_ROOT_PASSWORD: {REUSED}\nOPENEDX_MYSQL_PASSWORD: PLANTED-openedx-mysql-2\nOPENEDX_SECRET_KEY: PLANTED-tutor-secret-key-3\nID: 0a1b2c3d4e5f60718293\n"
        ),
    );
    write(
        &fork,
        "ops/env/apps/caddy/Caddyfile",
        "learn.planted.example {\n    basicauth /admin/* {\n        ops JDJhJDE0JFBMQU5URURoYXNo\n    }\n    reverse_proxy lms:8000\n}\n",
    );
    // Django settings data with a secret sibling of an ordinary key, URL passwords, a JWK.
    write(
        &fork,
        "deploy/lms.yml",
        &format!(
            "PLATFORM_NAME: Planted\nTIME_ZONE: America/New_York\nDATABASES:\n  default:\n    ENGINE: django.db.backends.mysql\n    HOST: db.internal\n    PASSWORD: \"{REUSED}\"\nCONTENTSTORE:\n  DOC_STORE_CONFIG:\n    host: mongo\n    password: {REUSED}\nOAUTH2_PROVIDER_APPLICATION:\n  client_id: lms\n  client_secret: PLANTED-oauth-client-secret-4\nCELERY_BROKER_URL: amqp://celery:PLANTED-broker-pw-5@mq:5672//\nBROKER_URL: redis://:PLANTED-redis-pw-6@redis:6379/0\nCACHES:\n  default:\n    LOCATION: redis://:{REUSED}@redis:6379/1\nSENTRY_DSN: https://pubkey:PLANTED-sentry-secret-7@sentry.io/1\nELASTICSEARCH_HTTP_AUTH: \"elastic:PLANTED-es-pw-8\"\nSOCIAL_AUTH_OAUTH_SECRETS:\n  google-oauth2: PLANTED-google-9\n  github: PLANTED-github-10\nJWT_AUTH:\n  JWT_ISSUER: https://learn.planted.example/oauth2\n  JWT_PRIVATE_SIGNING_JWK: '{{\"kty\": \"RSA\", \"e\": \"AQAB\", \"n\": \"PLANTEDmodulus11\", \"d\": \"PLANTEDprivexp12\", \"p\": \"PLANTEDprime13\", \"q\": \"PLANTEDprime14\"}}'\n"
        ),
    );
    write(
        &fork,
        "deploy/cms.env.json",
        "{\n  \"PLATFORM_NAME\": \"Planted\",\n  \"MONGODB_URI\": \"mongodb://admin:PLANTED-mongo-uri-15@mongo:27017/edxapp\",\n  \"http_auth\": \"ops:PLANTED-http-auth-16\"\n}\n",
    );
    // Settings modules: a JWK in a Python dict, a secret beside ordinary keys, a comment.
    let settings = fork.join("lms/envs/production.py");
    let mut text = std::fs::read_to_string(&settings).expect("production.py");
    text.push_str(&format!(
        "\n# the db password is PLANTED-comment-pw-17\nJWT_AUTH.update({{\n    \"JWT_ISSUER\": \"https://learn.planted.example/oauth2\",\n    \"JWT_PRIVATE_SIGNING_JWK\": {{\"kty\": \"RSA\", \"d\": \"PLANTEDjwkd18\", \"p\": \"PLANTEDjwkp19\"}},\n    \"JWT_SECRET_KEY\": \"PLANTED-jwt-secret-20\",\n}})\nEMAIL_HOST_PASSWORD = \"{REUSED}\"\nCELERY_BROKER_URL = \"redis://celery:PLANTED-py-broker-21@redis:6379/0\"\n"
    ));
    std::fs::write(&settings, text).expect("write production.py");
    write(
        &fork,
        "lms/envs/tutor/production.py",
        "from lms.envs.production import *\nPLATFORM_NAME = \"Planted\"\nSECRET_KEY = \"PLANTED-tutor-rendered-22\"\nJWT_AUTH[\"JWT_SECRET_KEY\"] = \"PLANTED-tutor-jwt-23\"\n",
    );
    // Credential files.
    write(
        &fork,
        ".transifexrc",
        "[https://www.transifex.com]\nhostname = https://www.transifex.com\nusername = api\npassword = PLANTED-transifex-24\n",
    );
    write(
        &fork,
        "ops/.netrc",
        "machine git.planted.example login ops password PLANTED-netrc-25\n",
    );
    write(
        &fork,
        "ops/.env",
        &format!("DEBUG=0\nDB_PASSWORD={REUSED}\nAPI_TOKEN=PLANTED-env-token-26\n"),
    );
    // Terms of service prose with the word "password": no finding, nothing to hide.
    write(
        &fork,
        "lms/templates/tos-planted.html",
        "<p>Never share your password with anyone.</p>\n",
    );
    commit("Deploy settings\n\nSECRET_KEY=PLANTED-in-commit-message-27 (rotate later)");
    commit_more(&fork, &home);
    fork
}

/// A second commit whose subject itself carries a secret.
fn commit_more(fork: &Path, home: &Path) {
    write(fork, "ops/notes.txt", "rotated\n");
    for args in [
        vec!["add", "-A"],
        vec![
            "commit",
            "-q",
            "-m",
            "Set EMAIL_HOST_PASSWORD=PLANTED-subject-28 for smtp",
        ],
    ] {
        let st = git_command(fork, home).args(&args).status().expect("git");
        assert!(st.success(), "git {args:?}");
    }
}

/// Every command in every format; stdout and stderr of each, plus every file it wrote.
fn all_outputs(fork: &Path, out_dir: &Path) -> Vec<(String, String)> {
    all_outputs_with(fork, out_dir, &[])
}

/// [`all_outputs`] with `extra` arguments on every command (`--base` for a fork without tags).
fn all_outputs_with(fork: &Path, out_dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut runs: Vec<Vec<String>> = Vec::new();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for f in ["terminal", "json", "markdown", "html", "sarif"] {
        runs.push(s(&["report", "--fail-on", "never", "--format", f]));
    }
    for f in ["tutor-plugin", "ansible", "yaml"] {
        runs.push(s(&["replace", "--format", f]));
        let dir = out_dir.join(format!("replace-{f}"));
        runs.push(vec![
            "replace".into(),
            "--format".into(),
            f.into(),
            "-o".into(),
            dir.display().to_string(),
        ]);
    }
    for f in ["terminal", "json", "markdown"] {
        runs.push(s(&["plan", "--to", "sumac", "--format", f]));
        runs.push(s(&["triage", "--format", f]));
    }
    for f in ["terminal", "json"] {
        runs.push(s(&["releases", "--format", f]));
    }
    runs.push(vec![
        "report".into(),
        "--fail-on".into(),
        "never".into(),
        "--format".into(),
        "html".into(),
        "-o".into(),
        out_dir.join("report.html").display().to_string(),
    ]);
    let mut outputs = Vec::new();
    for args in runs {
        let out = Command::cargo_bin("forkcheck")
            .expect("binary")
            .args(&args)
            .args(if args[0] == "releases" {
                &[][..]
            } else {
                extra
            })
            .arg("--repo")
            .arg(fork)
            .env("NO_COLOR", "1")
            .output()
            .expect("run forkcheck");
        let name = args.join(" ");
        outputs.push((
            format!("{name} (stdout)"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ));
        outputs.push((
            format!("{name} (stderr)"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    for entry in walk(out_dir) {
        let text = std::fs::read(&entry).map(|b| String::from_utf8_lossy(&b).into_owned());
        outputs.push((entry.display().to_string(), text.unwrap_or_default()));
    }
    outputs
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn assert_no_leak(fork: &Path, base: &str, what: &str) -> usize {
    let secrets = planted_secrets(fork, base);
    let tmp = tempfile::tempdir().expect("tempdir");
    let outputs = all_outputs(fork, tmp.path());
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for s in &secrets {
            if text.contains(s.as_str()) {
                leaks.push(format!("{name}: `{s}`"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{what}: {} secret value(s) printed:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    secrets.len()
}

#[test]
fn no_planted_secret_in_any_output_of_any_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fork = hostile_corpus(tmp.path());
    let n = assert_no_leak(&fork, "open-release/redwood.2", "hostile corpus");
    assert!(n >= 28, "the scanner found only {n} planted values");

    // The findings name the keys (so the test fails when detection, not only redaction, breaks).
    let out = Command::cargo_bin("forkcheck")
        .expect("binary")
        .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
        .arg(&fork)
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    let has = |rule: &str, path: &str, key: &str| {
        findings.iter().any(|f| {
            f["rule"] == rule && f["path"] == path && (f["key"] == key || f["setting"] == key)
        })
    };
    for (rule, path, key) in [
        (
            "FC210",
            "ops/env/local/docker-compose.yml",
            "services.mysql.environment.MYSQL_ROOT_PASSWORD",
        ),
        (
            "FC210",
            "ops/env/local/docker-compose.yml",
            "services.minio.environment.MINIO_ROOT_PASSWORD",
        ),
        (
            "FC210",
            "ops/env/local/docker-compose.yml",
            "services.lms.environment.DATABASE_URL",
        ),
        ("FC210", "ops/config.yml", "MYSQL_ROOT_PASSWORD"),
        ("FC210", "ops/config.yml", "OPENEDX_SECRET_KEY"),
        ("FC210", "deploy/lms.yml", "DATABASES.default.PASSWORD"),
        (
            "FC210",
            "deploy/lms.yml",
            "CONTENTSTORE.DOC_STORE_CONFIG.password",
        ),
        (
            "FC210",
            "deploy/lms.yml",
            "OAUTH2_PROVIDER_APPLICATION.client_secret",
        ),
        ("FC210", "deploy/lms.yml", "CELERY_BROKER_URL"),
        ("FC210", "deploy/lms.yml", "SENTRY_DSN"),
        ("FC210", "deploy/lms.yml", "ELASTICSEARCH_HTTP_AUTH"),
        (
            "FC210",
            "deploy/lms.yml",
            "SOCIAL_AUTH_OAUTH_SECRETS.github",
        ),
        (
            "FC210",
            "deploy/lms.yml",
            "JWT_AUTH.JWT_PRIVATE_SIGNING_JWK",
        ),
        ("FC210", "deploy/cms.env.json", "MONGODB_URI"),
        ("FC210", "deploy/cms.env.json", "http_auth"),
        ("FC211", "lms/envs/tutor/production.py", "SECRET_KEY"),
        ("FC213", ".transifexrc", "password"),
        (
            "FC213",
            "ops/.netrc",
            "machine git.planted.example password",
        ),
        ("FC213", "ops/.env", "DB_PASSWORD"),
        ("FC204", "ops/config.yml", ""),
        ("FC205", "ops/env/local/docker-compose.yml", ""),
        ("FC205", "ops/env/apps/caddy/Caddyfile", ""),
    ] {
        let ok = if key.is_empty() {
            findings
                .iter()
                .any(|f| f["rule"] == rule && f["path"] == path)
        } else {
            has(rule, path, key)
        };
        assert!(ok, "missing {rule} {path} {key}");
    }
    // A key that repeats the base release's code default needs nothing carried.
    let lms_yml = report["config"]["files"]
        .as_array()
        .expect("config files")
        .iter()
        .find(|f| f["path"] == "deploy/lms.yml")
        .expect("deploy/lms.yml");
    let tz = lms_yml["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["key"] == "TIME_ZONE")
        .expect("TIME_ZONE listed");
    assert_eq!(tz["default"], true, "{tz}");
    assert!(tz.get("spec").is_none(), "{tz}");
    // Secret settings in Python name the member, never the value.
    assert!(findings.iter().any(|f| f["rule"] == "FC211"
        && f["path"] == "lms/envs/production.py"
        && f["data"]["secret_members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|x| x == "JWT_AUTH[\"JWT_SECRET_KEY\"]"))));
    // Prose is not a credential; compose/Tutor keys are not Django settings.
    assert!(!findings
        .iter()
        .any(|f| f["kind"] == "secret" && f["path"] == "lms/templates/tos-planted.html"));
    for f in findings {
        let msg = f["message"].as_str().unwrap_or_default();
        assert!(
            !(f["path"] == "ops/env/local/docker-compose.yml" && f["rule"] == "FC201"),
            "compose treated as settings data: {msg}"
        );
    }
}

#[test]
fn no_fixture_secret_in_any_output_of_any_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for scenario in [
        Scenario::Typical,
        Scenario::Squashed,
        Scenario::Merged,
        Scenario::Tutor,
    ] {
        let generated = forkcheck_fixtures::shared(scenario);
        let base = match scenario {
            Scenario::Merged => "open-release/redwood.1",
            _ => "open-release/redwood.2",
        };
        let repo = tmp.path().join(scenario.name());
        // A scratch clone, so nothing the test does can touch the shared repository.
        let st = Command::new("git")
            .args(["clone", "-q", "--no-local"])
            .arg(&generated.fork)
            .arg(&repo)
            .status()
            .expect("git clone");
        assert!(st.success());
        let st = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["fetch", "-q", "origin", "+refs/tags/*:refs/tags/*"])
            .status()
            .expect("git fetch");
        assert!(st.success());
        let n = match scenario {
            Scenario::Squashed => {
                // One root commit: every file is the fork's.
                let secrets = marked_tokens(&git_out(&repo, &["show", "--no-color", "HEAD"]));
                let outputs = all_outputs(&repo, &tmp.path().join("out-squashed"));
                for (name, text) in &outputs {
                    for s in &secrets {
                        assert!(!text.contains(s.as_str()), "squashed: {name} leaks `{s}`");
                    }
                }
                secrets.len()
            }
            _ => assert_no_leak(&repo, base, scenario.name()),
        };
        if scenario == Scenario::Typical {
            assert!(n >= 4, "typical: the scanner found only {n} secret values");
        }
        if scenario == Scenario::Tutor {
            assert!(n >= 10, "tutor: the scanner found only {n} secret values");
        }
    }
}

/// The Era A fork (no release tag, JSON env/auth files read by aws.py) is not a `Scenario`:
/// generated here, analysed from its `upstream/base`.
#[test]
fn no_era_a_secret_in_any_output_of_any_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let era_a = forkcheck_fixtures::era_a::generate(&tmp.path().join("gen")).expect("era A");
    let secrets = planted_secrets(&era_a.fork, era_a.base);
    assert!(
        secrets.len() >= 2,
        "era A: the scanner found only {secrets:?}"
    );
    let out_dir = tmp.path().join("out");
    let mut leaks = Vec::new();
    for (name, text) in all_outputs_with(&era_a.fork, &out_dir, &["--base", era_a.base]) {
        for s in &secrets {
            if text.contains(s.as_str()) {
                leaks.push(format!("{name}: `{s}`"));
            }
        }
    }
    assert!(leaks.is_empty(), "era A leaks:\n{}", leaks.join("\n"));
}
