//! Tutor round trip: the plugin `forkcheck replace --format tutor-plugin` writes for the typical
//! fixture is enabled in a real Tutor (pinned, installed by `scripts/install-tutor.sh` into
//! `.venv`), `tutor config save` renders the environment, and every replaced setting shows up in
//! the rendered `env/apps/openedx/config/*.env.yml` or settings modules, which must compile.
//!
//! This test FAILS (never skips) when Tutor is missing: run `scripts/install-tutor.sh` first
//! (`scripts/test.sh` does), or point `FORKCHECK_TUTOR` at a `tutor` executable whose directory
//! also holds the `python` it runs with.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use forkcheck_fixtures::{shared, Scenario};
use serde_json::Value;

fn tutor_bin() -> PathBuf {
    let path = std::env::var_os("FORKCHECK_TUTOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/tutor"));
    assert!(
        path.is_file(),
        "Tutor is not installed at {}: run scripts/install-tutor.sh (or set FORKCHECK_TUTOR)",
        path.display()
    );
    path
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Parse a YAML file with the PyYAML that Tutor itself uses (same interpretation as Tutor).
fn load_yaml(python: &Path, file: &Path) -> Value {
    let text = run(
        Command::new(python).args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
            &file.to_string_lossy(),
        ]),
        "python yaml",
    );
    serde_json::from_str(&text).expect("yaml as json")
}

#[test]
fn tutor_plugin_round_trip() {
    let tutor = tutor_bin();
    let python = tutor.with_file_name("python");
    let fork = &shared(Scenario::Typical).fork;
    let tmp = tempfile::tempdir().expect("tempdir");
    let plugins = tmp.path().join("plugins");
    let root = tmp.path().join("tutor-root");

    // The replacements, as the report states them, and the plugin file.
    let json = run(
        Command::cargo_bin("forkcheck")
            .expect("binary")
            .args([
                "report",
                "-q",
                "--format",
                "json",
                "--fail-on",
                "never",
                "--repo",
            ])
            .arg(fork),
        "forkcheck report",
    );
    let report: Value = serde_json::from_str(&json).expect("report json");
    run(
        Command::cargo_bin("forkcheck")
            .expect("binary")
            .args(["replace", "-q", "--format", "tutor-plugin", "--repo"])
            .arg(fork)
            .arg("-o")
            .arg(&plugins),
        "forkcheck replace",
    );
    let plugin_text = std::fs::read_to_string(plugins.join("forkcheck.yml")).expect("plugin");
    assert!(
        !plugin_text.contains("FAKE"),
        "secret in plugin:\n{plugin_text}"
    );

    let tutor_cmd = |args: &[&str]| {
        let mut c = Command::new(&tutor);
        c.args(args)
            .env("TUTOR_ROOT", &root)
            .env("TUTOR_PLUGINS_ROOT", &plugins)
            .env_remove("TUTOR_PLUGINS");
        c
    };
    run(
        &mut tutor_cmd(&["plugins", "enable", "forkcheck"]),
        "tutor plugins enable",
    );
    run(&mut tutor_cmd(&["config", "save"]), "tutor config save");

    let env = root.join("env/apps/openedx");
    let lms_yml = load_yaml(&python, &env.join("config/lms.env.yml"));
    let cms_yml = load_yaml(&python, &env.join("config/cms.env.yml"));
    let settings_text = |svc: &str| -> String {
        ["production.py", "development.py"]
            .iter()
            .map(|f| {
                std::fs::read_to_string(env.join("settings").join(svc).join(f)).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (lms_py, cms_py) = (settings_text("lms"), settings_text("cms"));

    let mut checked = Vec::new();
    // Settings edits carry their spec on the finding; committed config keys in the config
    // section.
    let mut specs: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["data"].get("replacement"))
        .collect();
    for file in report["config"]["files"].as_array().into_iter().flatten() {
        specs.extend(
            file["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.get("spec")),
        );
    }
    for spec in specs {
        if spec["secret"].as_bool() == Some(true) {
            continue;
        }
        let Some(t) = spec.get("tutor") else { continue };
        let svc = spec["service"].as_str().unwrap_or("lms");
        let (yml, py) = if svc == "cms" {
            (&cms_yml, &cms_py)
        } else {
            (&lms_yml, &lms_py)
        };
        let setting = spec["setting"].as_str().unwrap_or_default().to_string();
        match t["type"].as_str() {
            Some("config") => {
                let key = t["key"].as_str().expect("key");
                let printed = run(&mut tutor_cmd(&["config", "printvalue", key]), "printvalue");
                let want = match &t["value"] {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                assert_eq!(printed.trim(), want, "tutor config {key}");
                // The Django setting it drives, rendered in lms.env.yml.
                let django = setting.split(['.', '[']).next().unwrap_or_default();
                assert_eq!(yml[django], t["value"], "{django} in the rendered env.yml");
            }
            Some("yaml") => {
                let patch = t["patch"].as_str().expect("patch");
                let key = t["key"].as_str().expect("key");
                let got = if patch.ends_with("-features") {
                    &yml["FEATURES"][key]
                } else {
                    &yml[key]
                };
                match t["mode"].as_str() {
                    Some("append") => {
                        for item in t["value"].as_array().expect("items") {
                            assert!(
                                got.as_array().is_some_and(|a| a.contains(item)),
                                "{key} lacks {item} in the rendered env.yml: {got}"
                            );
                        }
                    }
                    _ => assert_eq!(got, &t["value"], "{key} in the rendered env.yml ({patch})"),
                }
            }
            Some("python") => {
                let code = t["code"].as_str().expect("code");
                assert!(
                    py.contains(code),
                    "`{code}` not in the rendered {svc} settings"
                );
            }
            other => panic!("unknown tutor entry {other:?}"),
        }
        checked.push(setting);
    }
    // Every non-secret settings/config finding of the typical fork has a Tutor replacement, and
    // each was found in the rendered environment.
    for must in [
        "PLATFORM_NAME",
        "FEATURES[\"ENABLE_SPECIAL_EXAMS\"]",
        "TIME_ZONE",
        "COURSE_ABOUT_VISIBILITY_LEGACY",
        "VIDEO_UPLOAD_PIPELINE[\"BUCKET\"]",
        "INSTALLED_APPS",
        "FEATURES[\"ENABLE_ACME_REPORTS\"]",
        "LMS_BASE",
        "FEATURES.ENABLE_SPECIAL_EXAMS",
    ] {
        assert!(
            checked.iter().any(|c| c == must),
            "{must} not checked: {checked:?}"
        );
    }

    // Rendered Python settings modules compile; no secret reached the environment.
    let mut compiled = 0;
    for svc in ["lms", "cms"] {
        for entry in std::fs::read_dir(env.join("settings").join(svc)).expect("settings dir") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) == Some("py") {
                run(
                    Command::new(&python).args(["-m", "py_compile"]).arg(&path),
                    &format!("py_compile {}", path.display()),
                );
                let text = std::fs::read_to_string(&path).expect("read");
                assert!(!text.contains("FAKE"), "secret in {}", path.display());
                compiled += 1;
            }
        }
    }
    assert!(compiled >= 6, "only {compiled} settings modules rendered");
    for f in ["config/lms.env.yml", "config/cms.env.yml"] {
        let text = std::fs::read_to_string(env.join(f)).expect("env yml");
        assert!(!text.contains("FAKE"), "secret in {f}");
    }
}

/// The Tutor defaults forkcheck relies on (a committed `config.yml` value equal to its default
/// is not carried) are the pinned Tutor's own: `tutor config printvalue` on a fresh root.
#[test]
fn tutor_defaults_in_rules_are_tutors() {
    let tutor = tutor_bin();
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("tutor-root");
    let cmd = |args: &[&str]| {
        let mut c = Command::new(&tutor);
        c.args(args)
            .env("TUTOR_ROOT", &root)
            .env("TUTOR_PLUGINS_ROOT", tmp.path().join("no-plugins"))
            .env_remove("TUTOR_PLUGINS");
        c
    };
    run(&mut cmd(&["config", "save"]), "tutor config save");
    let rules: toml::Value =
        toml::from_str(include_str!("../../rules/tutor.toml")).expect("rules/tutor.toml");
    let defaults = rules["config_yml"]["defaults"]
        .as_table()
        .expect("[config_yml.defaults]");
    assert!(defaults.len() >= 10);
    for (key, want) in defaults {
        let out = run(
            &mut cmd(&["config", "printvalue", key]),
            "tutor config printvalue",
        );
        let got = out.lines().last().unwrap_or_default().trim().to_string();
        let want = match want {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(got, want, "Tutor's default for {key}");
    }
}
