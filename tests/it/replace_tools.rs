//! The files `forkcheck replace` writes, checked by the tools that consume them, on every fixture
//! scenario that has a report (typical, clean, squashed, merged, tutor, lists) and on the Era A
//! fork (`forkcheck_fixtures::era_a`, no release tags, JSON env files read by `aws.py`):
//!
//! - Ansible: `ansible localhost -m debug -e @edxapp-vars.yml -a var=[…]` (ansible-core from
//!   PyPI, installed into `.venv` by `scripts/test.sh`) gives back every `EDXAPP_*` value of
//!   every replacement with its type.
//! - YAML: the `lms.yml` / `studio.yml` snippets (Era A: `lms.env.json` / `cms.env.json`) parse
//!   with PyYAML and, merged the way production.py merges (FEATURES key by key) into the
//!   fixture release's own YAML file (`lms/envs/minimal.yml`), give the fork's values.
//! - Tutor: the plugin is enabled in a temporary `TUTOR_ROOT` (the pinned Tutor); `tutor config
//!   save`, `tutor config printvalue KEY` for each config key it sets and `tutor mounts list`
//!   succeed; every YAML patch value is read back, typed, from the rendered
//!   `config/*.env.yml`; every Python patch is found in the rendered settings, and run on the
//!   base's value (a list delta must give exactly the fork's list); every rendered module
//!   compiles.
//!
//! These tests FAIL (never skip) when a tool is missing: `scripts/test.sh` installs them.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use forkcheck_fixtures::{shared, Scenario};
use serde_json::{json, Value};

fn venv_bin(name: &str, install: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(name);
    assert!(
        path.is_file(),
        "{name} is not installed at {}: run scripts/test.sh (it runs `{install}`)",
        path.display()
    );
    path
}

fn python() -> PathBuf {
    venv_bin("python", "python3 -m venv .venv")
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

/// A fork to check: its path and `--base`, when not detected.
struct Case {
    name: String,
    fork: PathBuf,
    base: Option<&'static str>,
    _keep: Option<tempfile::TempDir>,
}

fn cases() -> Vec<Case> {
    let mut out: Vec<Case> = [
        Scenario::Typical,
        Scenario::Clean,
        Scenario::Squashed,
        Scenario::Merged,
        Scenario::Tutor,
        Scenario::Lists,
    ]
    .into_iter()
    .map(|s| Case {
        name: s.name().to_string(),
        fork: shared(s).fork.clone(),
        base: None,
        _keep: None,
    })
    .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let era_a = forkcheck_fixtures::era_a::generate(dir.path()).expect("era A fork");
    out.push(Case {
        name: "era-a".into(),
        fork: era_a.fork,
        base: Some(era_a.base),
        _keep: Some(dir),
    });
    out
}

fn forkcheck(case: &Case, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("forkcheck").expect("binary");
    c.args(args).arg("--repo").arg(&case.fork);
    if let Some(b) = case.base {
        c.args(["--base", b]);
    }
    c.env("NO_COLOR", "1");
    c
}

fn report(case: &Case) -> Value {
    let text = run(
        &mut forkcheck(
            case,
            &["report", "-q", "--format", "json", "--fail-on", "never"],
        ),
        "forkcheck report",
    );
    serde_json::from_str(&text).expect("report json")
}

/// Every replacement spec of a report, as `forkcheck replace` reads them.
fn specs(report: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = report["config"]["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["keys"].as_array().into_iter().flatten())
        .filter_map(|k| k.get("spec").cloned())
        .collect();
    out.extend(
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["data"].get("replacement").cloned()),
    );
    out
}

fn replace(case: &Case, format: &str, dir: &Path) {
    run(
        forkcheck(case, &["replace", "-q", "--format", format])
            .arg("-o")
            .arg(dir),
        &format!("forkcheck replace --format {format} ({})", case.name),
    );
}

/// Does `got` hold `want` (objects: every key of `want`; arrays: every item; scalars: equal,
/// with the same JSON type)?
fn holds(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            w.iter().all(|(k, v)| g.get(k).is_some_and(|x| holds(x, v)))
        }
        (Value::Array(g), Value::Array(w)) => w.iter().all(|v| g.iter().any(|x| x == v)),
        (g, w) => g == w,
    }
}

/// Load YAML/JSON files with PyYAML (what Tutor, Ansible and production.py use).
fn load_yaml(path: &Path) -> Value {
    let text = run(
        Command::new(python()).args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])) or {}))",
            &path.to_string_lossy(),
        ]),
        "python yaml",
    );
    serde_json::from_str(&text).expect("yaml as json")
}

#[test]
fn ansible_loads_every_variable_with_its_type() {
    let ansible = venv_bin("ansible", "scripts/install-ansible.sh");
    let mut total = 0;
    for case in cases() {
        let report = report(&case);
        let want: Vec<(String, Value, bool)> = specs(&report)
            .iter()
            .filter(|s| s["secret"].as_bool() != Some(true))
            .filter_map(|s| s.get("ansible"))
            .map(|a| {
                (
                    a["var"].as_str().expect("var").to_string(),
                    a["value"].clone(),
                    a["merge"].as_bool() == Some(true),
                )
            })
            .collect();
        let tmp = tempfile::tempdir().expect("tempdir");
        replace(&case, "ansible", tmp.path());
        let vars = tmp.path().join("edxapp-vars.yml");
        assert!(vars.is_file(), "{}: no vars file", case.name);
        let mut names: Vec<&str> = want.iter().map(|(v, _, _)| v.as_str()).collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            continue;
        }
        let expr = format!("[{}]", names.join(","));
        let home = tmp.path().join("ansible-home");
        let out = run(
            Command::new(&ansible)
                .args(["localhost", "-m", "debug", "-e"])
                .arg(format!("@{}", vars.display()))
                .arg("-a")
                .arg(format!("var={expr}"))
                .env("ANSIBLE_HOME", &home)
                .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
                .env("ANSIBLE_LOCALHOST_WARNING", "False")
                .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "False")
                .env("ANSIBLE_DEPRECATION_WARNINGS", "False")
                .env("ANSIBLE_NOCOLOR", "1")
                .env("ANSIBLE_FORCE_COLOR", "0"),
            &format!("ansible debug ({})", case.name),
        );
        let json_text = out
            .split_once("=> ")
            .map(|(_, j)| j)
            .unwrap_or_else(|| panic!("{}: ansible output: {out}", case.name));
        let result: Value = serde_json::from_str(json_text.trim())
            .unwrap_or_else(|e| panic!("{}: {e}: {json_text}", case.name));
        let values = result[&expr]
            .as_array()
            .unwrap_or_else(|| panic!("{}: {result}", case.name));
        for (j, (var, value, merge)) in want.iter().enumerate() {
            let i = names.iter().position(|n| n == var).expect("name");
            let got = &values[i];
            // Two edits of one setting (a later commit, another file): the last one is written.
            if want[j + 1..].iter().any(|(v, _, m)| v == var && !m) {
                continue;
            }
            if *merge {
                assert!(
                    holds(got, value),
                    "{}: {var} = {got}, lacks {value}",
                    case.name
                );
            } else {
                assert_eq!(got, value, "{}: {var}", case.name);
            }
            total += 1;
        }
    }
    assert!(total >= 15, "only {total} Ansible variables checked");
}

/// production.py's merge of a config file into another: FEATURES (and the other merged keys)
/// key by key, everything else replaced.
fn merge_config(base: &mut Value, snippet: &Value) {
    let (Some(b), Some(s)) = (base.as_object_mut(), snippet.as_object()) else {
        panic!("not mappings: {base} / {snippet}");
    };
    for (k, v) in s {
        match (b.get_mut(k), v) {
            (Some(Value::Object(old)), Value::Object(new))
                if ["FEATURES", "JWT_AUTH", "MKTG_URL_LINK_MAP"].contains(&k.as_str()) =>
            {
                for (fk, fv) in new {
                    old.insert(fk.clone(), fv.clone());
                }
            }
            _ => {
                b.insert(k.clone(), v.clone());
            }
        }
    }
}

#[test]
fn yaml_snippets_merge_into_the_release_yaml() {
    let mut checked = 0;
    for case in cases() {
        let report = report(&case);
        let base_oid = report["base"]["oid"]
            .as_str()
            .expect("base oid")
            .to_string();
        let era_a = report["base"]["era"]["era"].as_str() == Some("A");
        let tmp = tempfile::tempdir().expect("tempdir");
        replace(&case, "yaml", tmp.path());
        // The release's own YAML file (Era A: none, the env file starts empty).
        let base_file = tmp.path().join("base.yml");
        let shown = Command::new("git")
            .arg("-C")
            .arg(&case.fork)
            .args(["show", &format!("{base_oid}:lms/envs/minimal.yml")])
            .output()
            .expect("git show");
        std::fs::write(
            &base_file,
            if shown.status.success() {
                shown.stdout
            } else {
                b"{}\n".to_vec()
            },
        )
        .expect("write base");
        let base = load_yaml(&base_file);
        assert!(
            era_a || base.get("SECRET_KEY").is_some(),
            "{}: the release YAML was not found",
            case.name
        );
        let (lms_file, cms_file) = if era_a {
            ("lms.env.json", "cms.env.json")
        } else {
            ("lms.yml", "studio.yml")
        };
        for (file, service) in [(lms_file, "lms"), (cms_file, "cms")] {
            let path = tmp.path().join(file);
            let mine: Vec<Value> = specs(&report)
                .into_iter()
                .filter(|s| s["secret"].as_bool() != Some(true))
                .filter(|s| s["service"] == service || s["service"] == "both")
                .filter(|s| s.get("yaml").is_some())
                .collect();
            if mine.is_empty() {
                continue;
            }
            assert!(path.is_file(), "{}: {file} not written", case.name);
            if era_a {
                let text = std::fs::read_to_string(&path).expect("read");
                serde_json::from_str::<Value>(&text)
                    .unwrap_or_else(|e| panic!("{}: {file} is not JSON: {e}", case.name));
            }
            let snippet = load_yaml(&path);
            let mut merged = base.clone();
            merge_config(&mut merged, &snippet);
            for (k, v) in base.as_object().into_iter().flatten() {
                if snippet.get(k).is_none() {
                    assert_eq!(&merged[k], v, "{}: base key {k} lost", case.name);
                }
            }
            for (j, spec) in mine.iter().enumerate() {
                let y = &spec["yaml"];
                let key = y["key"].as_str().expect("key");
                let later = mine[j + 1..]
                    .iter()
                    .any(|s| s["yaml"]["key"] == key && s["yaml"]["mode"] != "append");
                if later && key != "FEATURES" {
                    continue;
                }
                let got = &merged[key];
                let ok = match (y["mode"].as_str(), key) {
                    (Some("append"), _) | (_, "FEATURES") => holds(got, &y["value"]),
                    _ => got == &y["value"],
                };
                assert!(
                    ok,
                    "{}: {file} {key} = {got}, want {}",
                    case.name, y["value"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} YAML keys checked");
}

/// Runs Python patch code on the base's value of the setting and prints the result as JSON.
const RUN_PATCH: &str = r#"
import json, sys
spec = json.load(sys.stdin)
ns = {}
if spec["seed"] is not None:
    ns[spec["root"]] = spec["seed"]
exec(compile(spec["code"], "<patch>", "exec"), {}, ns)
print(json.dumps(ns.get(spec["root"])))
"#;

#[test]
fn tutor_accepts_every_plugin() {
    let tutor = venv_bin("tutor", "scripts/install-tutor.sh");
    let py = python();
    let mut checked = 0;
    for case in cases() {
        let report = report(&case);
        let tmp = tempfile::tempdir().expect("tempdir");
        let plugins = tmp.path().join("plugins");
        let root = tmp.path().join("tutor-root");
        replace(&case, "tutor-plugin", &plugins);
        let tutor_cmd = |args: &[&str]| {
            let mut c = Command::new(&tutor);
            c.args(args)
                .env("TUTOR_ROOT", &root)
                .env("TUTOR_PLUGINS_ROOT", &plugins)
                .env_remove("TUTOR_PLUGINS");
            c
        };
        let what = |w: &str| format!("{w} ({})", case.name);
        run(
            &mut tutor_cmd(&["plugins", "enable", "forkcheck"]),
            &what("tutor plugins enable"),
        );
        run(
            &mut tutor_cmd(&["config", "save"]),
            &what("tutor config save"),
        );
        run(
            &mut tutor_cmd(&["mounts", "list"]),
            &what("tutor mounts list"),
        );
        let env = root.join("env/apps/openedx");
        let yml = |svc: &str| load_yaml(&env.join(format!("config/{svc}.env.yml")));
        let (lms_yml, cms_yml) = (yml("lms"), yml("cms"));
        let rendered: String = ["lms", "cms"]
            .iter()
            .flat_map(|svc| {
                std::fs::read_dir(env.join("settings").join(svc))
                    .expect("settings dir")
                    .map(|e| e.expect("entry").path())
            })
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("py"))
            .map(|p| {
                run(
                    Command::new(&py).args(["-m", "py_compile"]).arg(&p),
                    &format!("py_compile {}", p.display()),
                );
                std::fs::read_to_string(&p).expect("read")
            })
            .collect();
        // The settings entries (base source, fork value) by path and setting, to run patches on.
        let entries: Vec<(&str, &Value)> = report["settings"]["files"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| {
                let path = f["path"].as_str().unwrap_or_default();
                f["settings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |e| (path, e))
            })
            .collect();
        let all: Vec<Value> = specs(&report)
            .into_iter()
            .filter(|s| s["secret"].as_bool() != Some(true) && s.get("tutor").is_some())
            .collect();
        for (j, spec) in all.iter().enumerate() {
            let t = &spec["tutor"];
            // Two edits of one key: the last one is written.
            let later = all[j + 1..].iter().any(|s| {
                let u = &s["tutor"];
                u["type"] == t["type"]
                    && u["type"] != "python"
                    && u["key"] == t["key"]
                    && u["patch"] == t["patch"]
                    && u["mode"] != "append"
            });
            if later {
                continue;
            }
            let spec = spec.clone();
            let setting = spec["setting"].as_str().unwrap_or_default();
            let yml = if spec["service"] == "cms" {
                &cms_yml
            } else {
                &lms_yml
            };
            match t["type"].as_str() {
                Some("config") => {
                    let key = t["key"].as_str().expect("key");
                    let printed = run(
                        &mut tutor_cmd(&["config", "printvalue", key]),
                        &what("tutor config printvalue"),
                    );
                    let f = tmp.path().join("printed.yml");
                    std::fs::write(&f, &printed).expect("write");
                    let got = load_yaml(&f);
                    let want = &t["value"];
                    // printvalue prints strings bare: YAML may read "1.0" back as a number.
                    let same = &got == want || want.as_str() == Some(printed.trim());
                    assert!(
                        same,
                        "{}: tutor config {key} = {got}, want {want}",
                        case.name
                    );
                }
                Some("yaml") => {
                    let key = t["key"].as_str().expect("key");
                    let patch = t["patch"].as_str().expect("patch");
                    let got = if patch.ends_with("-features") {
                        &yml["FEATURES"][key]
                    } else {
                        &yml[key]
                    };
                    let ok = match t["mode"].as_str() {
                        Some("append") => holds(got, &t["value"]),
                        _ => got == &t["value"],
                    };
                    assert!(
                        ok,
                        "{}: {key} = {got} in the rendered env.yml, want {}",
                        case.name, t["value"]
                    );
                }
                Some("python") => {
                    let code = t["code"].as_str().expect("code");
                    for line in code.lines() {
                        assert!(
                            rendered.contains(line),
                            "{}: `{line}` not in the rendered settings",
                            case.name
                        );
                    }
                    check_python(&py, &case.name, &spec, code, &entries);
                }
                other => panic!("unknown tutor entry {other:?}"),
            }
            checked += 1;
            let _ = setting;
        }
    }
    assert!(checked >= 15, "only {checked} Tutor replacements checked");
}

/// Run a Python patch on the base value and compare with the fork's value, when both are
/// literals: a list delta must rebuild the fork's list exactly; `X = v` and `X["k"] = v` must
/// set `v` with its type.
fn check_python(py: &Path, case: &str, spec: &Value, code: &str, entries: &[(&str, &Value)]) {
    let setting = spec["setting"].as_str().unwrap_or_default();
    let service = spec["service"].as_str().unwrap_or_default();
    let Some((_, entry)) = entries.iter().rev().find(|(path, e)| {
        e["setting"] == setting && e.get("value").is_some() && path.starts_with(service)
    }) else {
        return;
    };
    let fork_value = &entry["value"];
    let mut root = setting.split('[').next().unwrap_or(setting);
    // A setting the target renames is patched under its new name.
    if !code.contains(root) {
        root = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .unwrap_or(root);
    }
    let seed = if setting.contains('[') {
        json!({})
    } else if fork_value.is_array() {
        // The base's list, from its source text (a Python literal).
        let Some(old) = entry["old"].as_str() else {
            return;
        };
        let text = run(
            Command::new(py).args([
                "-c",
                "import ast, json, sys; print(json.dumps(list(ast.literal_eval(sys.argv[1]))))",
                old,
            ]),
            "python literal",
        );
        serde_json::from_str(&text).expect("base list")
    } else {
        Value::Null
    };
    let input = json!({"root": root, "seed": seed, "code": code}).to_string();
    let mut child = Command::new(py)
        .args(["-c", RUN_PATCH])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python output");
    if !out.status.success() {
        // Expressions that name other settings cannot run alone; they were compiled above.
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("NameError"), "{case}: {setting}: {err}");
        return;
    }
    let got: Value = serde_json::from_slice(&out.stdout).expect("patch result");
    let got = if setting.contains('[') {
        // Walk the subscripts of `ROOT["a"]["b"]`.
        let mut cur = &got;
        for part in setting
            .split('[')
            .skip(1)
            .map(|p| p.trim_end_matches(']').trim_matches('"'))
        {
            cur = &cur[part];
        }
        cur.clone()
    } else {
        got
    };
    assert_eq!(
        &got, fork_value,
        "{case}: {setting}: the patch gives {got}, the fork has {fork_value}"
    );
}

/// A committed Tutor `config.yml` (scenario `tutor`: `DOCKER_IMAGE_OPENEDX: …:17.0.1-acme`) names
/// the Tutor major it was deployed with: the report's `base.era` says which release that is, and
/// the image pinned to that older Tutor is never carried into the plugin.
#[test]
fn tutor_config_gives_the_deployed_release_and_its_image_is_not_carried() {
    let case = Case {
        name: "tutor".into(),
        fork: shared(Scenario::Tutor).fork.clone(),
        base: None,
        _keep: None,
    };
    let r = report(&case);
    let reasons = r["base"]["era"]["reasons"].as_array().expect("era reasons");
    assert!(
        reasons
            .iter()
            .any(|x| x.as_str().is_some_and(|s| s.contains("config.yml")
                && s.contains("DOCKER_IMAGE_OPENEDX tag 17.0.1-acme: Tutor v17")
                && s.contains("Quince"))),
        "{reasons:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    replace(&case, "tutor-plugin", dir.path());
    let plugin = std::fs::read_to_string(dir.path().join("forkcheck.yml")).expect("plugin");
    assert!(!plugin.contains("DOCKER_IMAGE"), "{plugin}");
    assert!(!plugin.contains("17.0.1"), "{plugin}");
}
