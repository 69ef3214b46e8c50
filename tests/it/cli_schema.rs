//! docs/report-schema.md documents every field of the base report model: every key the JSON
//! report of the typical scenario carries (analysis sections and `data` aside: their owners
//! document those), plus every optional field of a finding.

use crate::common;

use std::collections::BTreeSet;

use forkcheck_analyzers::report::{Finding, Location, Replacement};
use serde_json::Value;

const SECTIONS: &[&str] = &[
    "config",
    "settings",
    "themes",
    "rebase",
    "triage",
    "plan",
    "migrations",
    "dependencies",
    "deprecations",
];

fn keys(value: &Value, path: &str, out: &mut BTreeSet<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if path.is_empty() && SECTIONS.contains(&k.as_str()) {
                    continue;
                }
                out.insert((path.to_string(), k.clone()));
                if k != "data" {
                    keys(v, &format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                keys(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_base_model_field_is_documented() {
    let (_dir, g) = common::scenario(forkcheck_fixtures::Scenario::Typical);
    let out = common::run(
        common::forkcheck()
            .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
            .arg(&g.fork),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut report: Value = serde_json::from_str(&out.stdout).unwrap();

    // A finding with every optional field set, so optional fields are checked too.
    let rules = forkcheck_analyzers::rules::Rules::load(&Default::default()).unwrap();
    let rule = rules.all().next().expect("at least one rule");
    let location = Location {
        path: "lms/envs/common.py".into(),
        line: Some(3),
        rev: Some("target".into()),
        note: Some("here".into()),
    };
    let full = Finding::new(rule, "a.py", "message")
        .line(1)
        .setting("S")
        .key("K")
        .status("stale")
        .original("o.html")
        .replacement(Replacement {
            yaml: Some("y".into()),
            ansible: Some("a".into()),
            tutor: Some("t".into()),
            note: Some("n".into()),
        })
        .target_location(location.clone())
        .related(location)
        .data("x", 1)
        .build();
    report["findings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::to_value(full).unwrap());
    if report["warnings"].is_null() {
        report["warnings"] = Value::Array(vec![]);
    }

    let mut found = BTreeSet::new();
    keys(&report, "", &mut found);
    assert!(found.len() > 40, "too few keys: {found:?}");
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-schema.md"),
    )
    .unwrap();
    let missing: Vec<String> = found
        .iter()
        .filter(|(_, k)| !doc.contains(&format!("`{k}`")))
        .map(|(p, k)| format!("{p}.{k}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/report-schema.md does not document: {missing:?}"
    );
}
