//! No secret value leaks: a fork commit carrying a corpus of secrets (auth.json values,
//! credential-like keys in JSON/YAML config, credential settings in a settings module, PEM private
//! keys in several files) goes through every renderer of the built binary (terminal, JSON,
//! Markdown, HTML, SARIF) and every `replace` format; none of the values appears in any output,
//! while the secret findings naming the keys are there. Also: a YAML alias bomb is refused with a
//! finding, not a crash.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use forkcheck_fixtures::{copy_shared, git_command, prepare_git_home, Scenario};
use serde_json::Value;

/// Every secret value of the corpus (and distinctive pieces of the key material).
const SECRETS: &[&str] = &[
    "corpus-auth-secret-key-9f8e7d",
    "corpus-db-password-1a2b3c",
    "corpus-db-host-internal",
    "corpus-aws-secret-QWERTY123",
    "corpus-smtp-pass-zz9",
    "corpus-jwt-secret-0x77",
    "corpus-fernet-key-A",
    "corpus-fernet-key-B",
    "corpus-settings-password-44",
    "corpus-settings-secret-key-55",
    "MIIcorpusRSAkeyMaterialLine1",
    "MIIcorpusECkeyMaterialLine1",
    "MIIcorpusInlineJwtKeyMaterial",
    "corpus-tutor-secret-k",
];

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn corpus_fork(tmp: &Path) -> std::path::PathBuf {
    let generated = copy_shared(Scenario::Clean, &tmp.join("gen")).expect("copy of clean");
    let fork = generated.fork.clone();
    write(
        &fork,
        "config/lms.auth.json",
        r#"{
  "SECRET_KEY": "corpus-auth-secret-key-9f8e7d",
  "DATABASES": {"default": {"PASSWORD": "corpus-db-password-1a2b3c", "HOST": "corpus-db-host-internal"}},
  "AWS_SECRET_ACCESS_KEY": "corpus-aws-secret-QWERTY123",
  "JWT_PRIVATE_SIGNING_KEY": "-----BEGIN RSA PRIVATE KEY-----\nMIIcorpusInlineJwtKeyMaterial\n-----END RSA PRIVATE KEY-----\n",
  "EMPTY_PASSWORD": ""
}
"#,
    );
    write(
        &fork,
        "deploy/studio.yml",
        "PLATFORM_NAME: Corpus\nEMAIL_HOST_PASSWORD: corpus-smtp-pass-zz9\nJWT_AUTH:\n  JWT_SECRET_KEY: corpus-jwt-secret-0x77\nFERNET_KEYS:\n  - corpus-fernet-key-A\n  - corpus-fernet-key-B\nKEY_PREFIX: not-a-secret-prefix\n",
    );
    write(
        &fork,
        "tutor/config.yml",
        "LMS_HOST: corpus.example\nOPENEDX_SECRET_KEY: corpus-tutor-secret-k\n",
    );
    write(
        &fork,
        "deploy/tls.key",
        "-----BEGIN EC PRIVATE KEY-----\nMIIcorpusECkeyMaterialLine1\nMIIcorpusECkeyMaterialLine2\n-----END EC PRIVATE KEY-----\n",
    );
    write(
        &fork,
        "config/jwt.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIcorpusRSAkeyMaterialLine1\n-----END RSA PRIVATE KEY-----\n",
    );
    // A YAML alias bomb: refused, reported, no crash.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        bomb.push_str(&format!(
            "{n}: &{n} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
        prev = n.to_string();
    }
    write(&fork, "config/lms.yml", &bomb);
    let prod = fork.join("lms/envs/production.py");
    let mut text = std::fs::read_to_string(&prod).expect("production.py");
    text.push_str(
        "\nEMAIL_HOST_PASSWORD = \"corpus-settings-password-44\"\nSECRET_KEY = 'corpus-settings-secret-key-55'\nAWS_SECRET_ACCESS_KEY = os.environ.get('AWS_SECRET')\n",
    );
    std::fs::write(&prod, text).expect("write production.py");

    let home = tmp.join("home");
    prepare_git_home(&home).expect("git home");
    for args in [
        vec!["add", "-A"],
        vec!["commit", "-q", "-m", "Add the secret corpus"],
    ] {
        let st = git_command(&fork, &home).args(&args).status().expect("git");
        assert!(st.success(), "git {args:?}");
    }
    fork
}

fn forkcheck(args: &[&str], fork: &Path) -> String {
    let out = Command::cargo_bin("forkcheck")
        .expect("binary")
        .args(args)
        .arg("--repo")
        .arg(fork)
        .env("NO_COLOR", "1")
        .output()
        .expect("run forkcheck");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "forkcheck {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn no_secret_value_in_any_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fork = corpus_fork(tmp.path());
    let mut outputs = Vec::new();
    for format in ["terminal", "json", "markdown", "html", "sarif"] {
        outputs.push((
            format.to_string(),
            forkcheck(&["report", "-q", "--format", format], &fork),
        ));
    }
    for format in ["tutor-plugin", "ansible", "yaml"] {
        outputs.push((
            format!("replace {format}"),
            forkcheck(&["replace", "-q", "--format", format], &fork),
        ));
    }
    for (name, text) in &outputs {
        assert!(
            text.len() > 200,
            "{name}: suspiciously short output:\n{text}"
        );
        for secret in SECRETS {
            assert!(!text.contains(secret), "{name} leaks `{secret}`");
        }
    }

    // The findings name the keys (so the test fails if detection breaks).
    let json = &outputs[1].1;
    let report: Value = serde_json::from_str(json).expect("json report");
    let findings = report["findings"].as_array().expect("findings");
    let has = |rule: &str, path: &str, subject: &str| {
        findings.iter().any(|f| {
            f["rule"] == rule
                && f["path"] == path
                && (f["key"] == subject || f["setting"] == subject)
        })
    };
    for (rule, path, subject) in [
        ("FC210", "config/lms.auth.json", "SECRET_KEY"),
        (
            "FC210",
            "config/lms.auth.json",
            "DATABASES.default.PASSWORD",
        ),
        ("FC210", "config/lms.auth.json", "DATABASES.default.HOST"),
        ("FC210", "config/lms.auth.json", "JWT_PRIVATE_SIGNING_KEY"),
        ("FC210", "deploy/studio.yml", "EMAIL_HOST_PASSWORD"),
        ("FC210", "deploy/studio.yml", "JWT_AUTH.JWT_SECRET_KEY"),
        ("FC210", "deploy/studio.yml", "FERNET_KEYS"),
        ("FC210", "tutor/config.yml", "OPENEDX_SECRET_KEY"),
        ("FC211", "lms/envs/production.py", "EMAIL_HOST_PASSWORD"),
        ("FC211", "lms/envs/production.py", "SECRET_KEY"),
        ("FC212", "deploy/tls.key", "EC PRIVATE KEY"),
        ("FC212", "config/jwt.pem", "RSA PRIVATE KEY"),
        ("FC212", "config/lms.auth.json", "RSA PRIVATE KEY"),
        ("FC301", "lms/envs/production.py", "AWS_SECRET_ACCESS_KEY"),
    ] {
        assert!(has(rule, path, subject), "missing {rule} {path} {subject}");
    }
    // A key that only looks like one is listed with its value, not as a secret.
    let studio = report["config"]["files"]
        .as_array()
        .expect("config files")
        .iter()
        .find(|f| f["path"] == "deploy/studio.yml")
        .expect("deploy/studio.yml in the config section");
    assert!(studio["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .any(|k| k["key"] == "KEY_PREFIX"
            && k["secret"] == false
            && k["new"] == "not-a-secret-prefix"));
    // An empty password is not a secret finding; the bomb is refused with a finding.
    assert!(!has("FC210", "config/lms.auth.json", "EMPTY_PASSWORD"));
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "FC203" && f["path"] == "config/lms.yml"));
}

/// Every file below `dir` (recursively) with its text.
fn files_below(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read output dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text =
                    String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
                out.push((path, text));
            }
        }
    }
    out
}

/// The `tutor` fixture scenario (a committed Tutor root, Tutor-rendered settings modules, a
/// secret in a commit message, old secrets left in history) through every command and format of
/// the built binary, to standard output and with `-o`: none of its secret values appears in any
/// stdout, stderr or written file.
#[test]
fn tutor_scenario_secrets_never_leak() {
    let generated = forkcheck_fixtures::shared(Scenario::Tutor);
    let fork = &generated.fork;
    let out_dir = tempfile::tempdir().expect("tempdir");
    let mut runs: Vec<(Vec<String>, Option<std::path::PathBuf>)> = Vec::new();
    let mut add = |args: &[&str], output: Option<&str>| {
        let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let path = output.map(|o| out_dir.path().join(o));
        if let Some(p) = &path {
            v.push("-o".into());
            v.push(p.display().to_string());
        }
        runs.push((v, path));
    };
    for format in ["terminal", "json", "markdown", "html", "sarif"] {
        add(&["report", "--format", format], None);
        add(
            &["report", "--format", format],
            Some(&format!("report.{format}")),
        );
    }
    for format in ["tutor-plugin", "ansible", "yaml"] {
        add(&["replace", "--format", format], None);
        add(
            &["replace", "--format", format],
            Some(&format!("replace-{format}")),
        );
    }
    for format in ["terminal", "json", "markdown"] {
        add(&["plan", "--to", "sumac", "--format", format], None);
        add(
            &["plan", "--to", "sumac", "--format", format],
            Some(&format!("plan.{format}")),
        );
        add(&["triage", "--format", format], None);
        add(
            &["triage", "--format", format],
            Some(&format!("triage.{format}")),
        );
    }
    for format in ["terminal", "json"] {
        add(&["releases", "--format", format], None);
    }

    let mut report_json = None;
    for (args, output) in &runs {
        let out = Command::cargo_bin("forkcheck")
            .expect("binary")
            .args(args)
            .arg("--repo")
            .arg(fork)
            .env("NO_COLOR", "1")
            .output()
            .expect("run forkcheck");
        let name = args.join(" ");
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "forkcheck {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut texts = vec![
            (
                "stdout".to_string(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ),
            (
                "stderr".to_string(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
        ];
        if let Some(path) = output {
            let written = if path.is_dir() {
                files_below(path)
            } else {
                vec![(
                    path.clone(),
                    std::fs::read_to_string(path).expect("written file"),
                )]
            };
            assert!(!written.is_empty(), "{name}: wrote nothing");
            for (p, text) in written {
                texts.push((p.display().to_string(), text));
            }
        }
        let total: usize = texts.iter().map(|(_, t)| t.len()).sum();
        assert!(total > 200, "{name}: suspiciously short output");
        for (what, text) in &texts {
            for secret in forkcheck_fixtures::TUTOR_SECRETS {
                assert!(
                    !text.contains(secret),
                    "forkcheck {name}: {what} leaks `{secret}`"
                );
            }
        }
        if output.is_none() && args[..3] == ["report", "--format", "json"] {
            report_json = Some(texts[0].1.clone());
        }
    }

    // The secrets were found (so the test fails if detection breaks), by key.
    let report: Value =
        serde_json::from_str(&report_json.expect("report json")).expect("json report");
    let findings = report["findings"].as_array().expect("findings");
    for (rule, path, key) in [
        ("FC210", "deploy/tutor/config.yml", "OPENEDX_SECRET_KEY"),
        ("FC210", "deploy/tutor/config.yml", "MYSQL_ROOT_PASSWORD"),
        (
            "FC210",
            "deploy/tutor/env/local/docker-compose.yml",
            "services.minio.environment.MINIO_ROOT_PASSWORD",
        ),
        (
            "FC211",
            "lms/envs/tutor/production.py",
            "JWT_AUTH[\"JWT_SECRET_KEY\"]",
        ),
        (
            "FC211",
            "cms/envs/tutor/production.py",
            "DATABASES[\"default\"][\"PASSWORD\"]",
        ),
        ("FC212", "deploy/tutor/config.yml", "RSA PRIVATE KEY"),
        ("FC213", ".transifexrc", "password"),
    ] {
        assert!(
            findings
                .iter()
                .any(|f| f["rule"] == rule && f["path"] == path && f["key"] == key),
            "missing {rule} {path} {key}"
        );
    }
}
