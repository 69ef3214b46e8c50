//! The config and settings analyses on every fixture scenario: findings equal
//! `fixtures/scenarios/<name>/config.toml` exactly (rule, path, setting/key, line, target
//! location) — no extra, none missing.
//!
//! An expectation file describes the correct behaviour. Where the analyzer is known to disagree,
//! the file says so: an expected finding or replacement marked `pending = "why"` is not reported
//! (correctly) yet, and each `[[known_wrong]]` entry is what is reported instead. The test
//! asserts the current output exactly, so a fix of the analyzer makes it fail until the markers
//! are removed.

use std::collections::BTreeMap;

use forkcheck_analyzers::report::Kind;
use forkcheck_analyzers::{Analysis, Context, NoProgress, OpenOptions};
use forkcheck_fixtures::{scenario_dir, shared, Scenario};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFile {
    scenario: String,
    /// `shallow` / `missing-objects`: the analysis cannot run.
    #[serde(default)]
    expect_error: Option<String>,
    #[serde(default)]
    findings: Vec<ExpectedFinding>,
    /// Findings the analyzer reports today although they are wrong (see the module docs).
    #[serde(default)]
    known_wrong: Vec<ExpectedFinding>,
    #[serde(default)]
    replacements: BTreeMap<String, ExpectedReplacement>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    rule: String,
    path: String,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    setting: Option<String>,
    #[serde(default)]
    key: Option<String>,
    /// `path:line` of the target location (risks).
    #[serde(default)]
    target: Option<String>,
    /// Expected but not reported yet (`[[findings]]`), or why it is wrong (`[[known_wrong]]`).
    #[serde(default)]
    pending: Option<String>,
}

impl ExpectedFinding {
    /// The finding without its annotation, as compared with the report.
    fn bare(&self) -> ExpectedFinding {
        ExpectedFinding {
            pending: None,
            ..self.clone()
        }
    }
}

/// Selected replacements, keyed by `path|setting-or-key`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedReplacement {
    #[serde(default)]
    yaml: Option<String>,
    #[serde(default)]
    ansible: Option<String>,
    #[serde(default)]
    tutor: Option<String>,
    /// The analyzer does not give this replacement yet: why.
    #[serde(default)]
    pending: Option<String>,
}

fn load(scenario: Scenario) -> ExpectedFile {
    let path = scenario_dir(scenario).join("config.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let parsed: ExpectedFile =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    assert_eq!(parsed.scenario, scenario.name());
    parsed
}

fn open(scenario: Scenario) -> forkcheck_analyzers::Result<Context> {
    let generated = shared(scenario);
    let mut opts = OpenOptions::new(&generated.fork);
    opts.only = Some(vec![Analysis::Config, Analysis::Settings]);
    Context::open(&opts)
}

fn check(scenario: Scenario) {
    let expected = load(scenario);
    let outcome = open(scenario).and_then(|ctx| forkcheck_analyzers::run(&ctx, &NoProgress));
    let report = match (outcome, &expected.expect_error) {
        (Err(e), Some(kind)) => {
            let want = match kind.as_str() {
                "shallow" => 6,
                "missing-objects" => 7,
                other => panic!("unknown expect_error {other}"),
            };
            assert_eq!(e.exit_code(), want, "{scenario:?}: {e}");
            return;
        }
        (Ok(_), Some(kind)) => panic!("{scenario:?}: expected error {kind}"),
        (Err(e), None) => panic!("{scenario:?}: {e}"),
        (Ok(report), None) => report,
    };
    let mine: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                Kind::GeneratedConfig | Kind::Secret | Kind::Settings
            )
        })
        .collect();
    let mut actual: Vec<ExpectedFinding> = mine
        .iter()
        .map(|f| ExpectedFinding {
            rule: f.rule.clone(),
            path: f.path.clone(),
            line: f.line,
            setting: f.setting.clone(),
            key: f.key.clone(),
            target: f.target_location.as_ref().map(|l| match l.line {
                Some(n) => format!("{}:{n}", l.path),
                None => l.path.clone(),
            }),
            pending: None,
        })
        .collect();
    actual.sort();
    // What is reported today: the expected findings that are not pending, plus the known wrong.
    let mut want: Vec<ExpectedFinding> = expected
        .findings
        .iter()
        .filter(|f| f.pending.is_none())
        .chain(expected.known_wrong.iter())
        .map(ExpectedFinding::bare)
        .collect();
    want.sort();
    for w in &expected.known_wrong {
        assert!(
            w.pending.is_some(),
            "{scenario:?}: [[known_wrong]] entries say why they are wrong: {w:?}"
        );
    }
    let mut correct: Vec<ExpectedFinding> = expected
        .findings
        .iter()
        .map(ExpectedFinding::bare)
        .collect();
    correct.sort();
    if actual != want && actual == correct {
        panic!(
            "{scenario:?}: the analyzer now reports exactly the expected findings: remove the `pending` markers and the [[known_wrong]] entries from config.toml"
        );
    }
    if actual != want {
        let mut dump = String::new();
        for f in &actual {
            dump.push_str(&format!(
                "[[findings]]\nrule = \"{}\"\npath = \"{}\"\n",
                f.rule, f.path
            ));
            if let Some(l) = f.line {
                dump.push_str(&format!("line = {l}\n"));
            }
            if let Some(s) = &f.setting {
                dump.push_str(&format!("setting = {}\n", toml_str(s)));
            }
            if let Some(k) = &f.key {
                dump.push_str(&format!("key = {}\n", toml_str(k)));
            }
            if let Some(t) = &f.target {
                dump.push_str(&format!("target = \"{t}\"\n"));
            }
            dump.push('\n');
        }
        let missing: Vec<_> = want.iter().filter(|w| !actual.contains(w)).collect();
        let extra: Vec<_> = actual.iter().filter(|a| !want.contains(a)).collect();
        panic!(
            "{scenario:?}: findings differ\nmissing: {missing:#?}\nextra: {extra:#?}\nactual:\n{dump}"
        );
    }
    for (id, want) in &expected.replacements {
        let (path, subject) = id.split_once('|').expect("path|setting");
        // Settings edits carry their replacement on the finding; keys of committed config files
        // in the config section (one finding per file, not one per key).
        let from_finding = mine
            .iter()
            .find(|f| {
                f.path == path
                    && (f.setting.as_deref() == Some(subject) || f.key.as_deref() == Some(subject))
                    && f.replacement.is_some()
            })
            .and_then(|f| f.replacement.clone());
        let from_section = report.config.as_ref().and_then(|c| {
            c.files
                .iter()
                .filter(|f| f.path == path)
                .flat_map(|f| f.keys.iter())
                .find(|k| k.key == subject)
                .and_then(|k| k.replacement.clone())
        });
        let r = from_finding.or(from_section);
        if let Some(why) = &want.pending {
            let fixed = r.as_ref().is_some_and(|r| {
                (&r.yaml, &r.ansible, &r.tutor) == (&want.yaml, &want.ansible, &want.tutor)
            });
            assert!(
                !fixed,
                "{scenario:?}: replacement {id} is now as expected: remove its `pending` ({why})"
            );
            continue;
        }
        let r = r.unwrap_or_else(|| panic!("{scenario:?}: no replacement for {id}"));
        let r = &r;
        assert_eq!(r.yaml, want.yaml, "{id} yaml");
        assert_eq!(r.ansible, want.ansible, "{id} ansible");
        assert_eq!(r.tutor, want.tutor, "{id} tutor");
    }
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn typical() {
    check(Scenario::Typical);
}

#[test]
fn clean() {
    check(Scenario::Clean);
}

#[test]
fn squashed() {
    check(Scenario::Squashed);
}

#[test]
fn merged() {
    check(Scenario::Merged);
}

#[test]
fn shallow() {
    check(Scenario::Shallow);
}

#[test]
fn partial() {
    check(Scenario::Partial);
}

#[test]
fn tutor() {
    check(Scenario::Tutor);
}

/// List settings edited in place are carried as deltas: no replacement of the `lists` fork
/// holds an entry the fork did not touch (the base's own apps and middleware).
#[test]
fn lists() {
    check(Scenario::Lists);
    let report = open(Scenario::Lists)
        .and_then(|ctx| forkcheck_analyzers::run(&ctx, &NoProgress))
        .expect("report");
    let specs = forkcheck_analyzers::replace::specs(&report);
    assert_eq!(specs.len(), 4, "{specs:#?}");
    for spec in &specs {
        let text = serde_json::to_string(spec).expect("json");
        for untouched in [
            "django.contrib.auth",
            "SessionMiddleware",
            "lms.djangoapps.courseware\"",
            "VEM_S3_BUCKET",
        ] {
            assert!(!text.contains(untouched), "{untouched} carried: {text}");
        }
    }
    let era = report.base.era.as_ref().expect("era");
    assert_eq!(era.era, "B");
    assert!(era.rules_from.contains("lms/envs/production.py"), "{era:?}");
}

/// With Ulmo as the target, the FEATURES flag the fork sets is read as a top-level setting
/// (FC307); the other risks follow the Ulmo files (teak rewrote production.py, `_YAML_TOKENS`).
#[test]
fn typical_to_ulmo_risks() {
    let generated = shared(Scenario::Typical);
    let mut opts = OpenOptions::new(&generated.fork);
    opts.only = Some(vec![Analysis::Settings]);
    opts.to = Some("ulmo".into());
    let ctx = Context::open(&opts).expect("open");
    let report = forkcheck_analyzers::run(&ctx, &NoProgress).expect("run");
    let mut risks: Vec<(String, String, Option<u32>, String)> = report
        .findings
        .iter()
        .filter(|f| ["FC304", "FC305", "FC306", "FC307", "FC308"].contains(&f.rule.as_str()))
        .map(|f| {
            let t = f.target_location.as_ref().expect("target location");
            (
                f.rule.clone(),
                f.setting.clone().unwrap_or_default(),
                f.line,
                format!("{}:{}", t.path, t.line.unwrap_or(0)),
            )
        })
        .collect();
    risks.sort();
    let want = vec![
        (
            "FC305".to_string(),
            "COURSE_ABOUT_VISIBILITY_LEGACY".to_string(),
            Some(98),
            "lms/envs/common.py:104".to_string(),
        ),
        (
            "FC306".into(),
            "TIME_ZONE".into(),
            Some(82),
            "lms/envs/production.py:57".into(),
        ),
        (
            "FC307".into(),
            "FEATURES[\"ENABLE_SPECIAL_EXAMS\"]".into(),
            Some(56),
            "lms/envs/common.py:67".into(),
        ),
        (
            "FC308".into(),
            "PLATFORM_NAME".into(),
            Some(29),
            "lms/envs/common.py:30".into(),
        ),
    ];
    assert_eq!(risks, want);
}
