//! SARIF 2.1.0 for code scanning, built generically from `findings`: one `tool.driver.rules`
//! entry per rule that fired (with its prose from the rule registry), one result per finding.

use forkcheck_analyzers::report::{Finding, Location, Severity};
use forkcheck_analyzers::rules::Rule;
use forkcheck_analyzers::Report;
use serde_json::{json, Value};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF result level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// The one mapping from forkcheck severities to SARIF levels.
impl From<Severity> for Level {
    fn from(s: Severity) -> Level {
        match s {
            Severity::Info => Level::Note,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Error,
        }
    }
}

/// Render the report; `lookup` gives a rule's registry entry by id (`None`: the finding's own
/// name stands in for the prose).
pub fn render(report: &Report, lookup: &dyn Fn(&str) -> Option<Rule>) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&build(report, lookup))
        .map_err(|e| anyhow::anyhow!("cannot serialize the SARIF log: {e}"))?;
    text.push('\n');
    Ok(text)
}

pub fn build(report: &Report, lookup: &dyn Fn(&str) -> Option<Rule>) -> Value {
    // Rules de-duplicated in order of first appearance; results point at them by index.
    let mut rule_ids: Vec<&str> = Vec::new();
    for f in &report.findings {
        if !rule_ids.contains(&f.rule.as_str()) {
            rule_ids.push(&f.rule);
        }
    }
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let first = report.findings.iter().find(|f| f.rule == *id);
            rule_descriptor(id, first, lookup(id).as_ref())
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = rule_ids.iter().position(|id| *id == f.rule).unwrap_or(0);
            result(f, index)
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "properties": {
                "head": report.repo.head_oid,
                "base": report.base.rev,
                "baseRelease": report.base.release,
                "target": report.target.as_ref().map(|t| t.rev.as_str()),
            },
            "results": results,
        }],
    })
}

fn rule_descriptor(id: &str, first: Option<&Finding>, rule: Option<&Rule>) -> Value {
    let name = rule
        .map(|r| r.name.as_str())
        .or(first.map(|f| f.name.as_str()))
        .unwrap_or(id);
    let severity = rule
        .map(|r| r.severity)
        .or(first.map(|f| f.severity))
        .unwrap_or(Severity::Warning);
    let kind = rule.map(|r| r.kind).or(first.map(|f| f.kind));
    let mut d = json!({
        "id": id,
        "name": name,
        "defaultConfiguration": {"level": Level::from(severity).as_str()},
        "properties": {"tags": kind.map(|k| vec![k.as_str()]).unwrap_or_default()},
    });
    if let Some(r) = rule {
        d["shortDescription"] = json!({"text": r.summary});
        d["fullDescription"] = json!({"text": r.rationale});
        d["help"] = json!({
            "text": format!("{}\n\nExample: {}\n\nFix: {}", r.rationale, r.example, r.fix),
            "markdown": format!(
                "{}\n\n**Example**\n\n{}\n\n**Fix**\n\n{}",
                r.rationale, r.example, r.fix
            ),
        });
    } else {
        d["shortDescription"] = json!({"text": name});
    }
    d
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut region = json!({});
    // Finding lines are already 1-based, as SARIF wants; a file-level finding has no region.
    if let Some(line) = f.line.filter(|l| *l >= 1) {
        region = json!({"startLine": line});
    }
    let mut physical = json!({"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"}});
    if region.as_object().is_some_and(|o| !o.is_empty()) {
        physical["region"] = region;
    }
    let mut related: Vec<Value> = Vec::new();
    for (i, loc) in f.target_location.iter().chain(f.related.iter()).enumerate() {
        related.push(related_location(i, loc));
    }
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": Level::from(f.severity).as_str(),
        "kind": "fail",
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"forkcheck/v1": f.fingerprint},
    });
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    r
}

fn related_location(id: usize, loc: &Location) -> Value {
    let mut physical = json!({"artifactLocation": {"uri": loc.path}});
    if let Some(line) = loc.line.filter(|l| *l >= 1) {
        physical["region"] = json!({"startLine": line});
    }
    let mut text = loc.rev.as_deref().unwrap_or("").to_string();
    if let Some(note) = &loc.note {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(note);
    }
    let mut v = json!({"id": id, "physicalLocation": physical});
    if !text.is_empty() {
        v["message"] = json!({"text": text});
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{sample_report, sample_rules};

    #[test]
    fn severity_maps_to_level() {
        assert_eq!(Level::from(Severity::Info), Level::Note);
        assert_eq!(Level::from(Severity::Warning), Level::Warning);
        assert_eq!(Level::from(Severity::Error), Level::Error);
        assert_eq!(Level::from(Severity::Info).as_str(), "note");
    }

    #[test]
    fn rules_are_deduplicated_and_results_point_at_them() {
        let report = sample_report();
        let rules = sample_rules();
        let lookup = |id: &str| rules.iter().find(|r| r.id == id).cloned();
        let log = build(&report, &lookup);
        let run = &log["runs"][0];
        let driver_rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let mut ids: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        ids.dedup();
        ids.sort();
        ids.dedup();
        assert_eq!(driver_rules.len(), ids.len());
        for (f, r) in report
            .findings
            .iter()
            .zip(run["results"].as_array().unwrap())
        {
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(driver_rules[idx]["id"], f.rule.as_str());
            assert_eq!(r["ruleId"], f.rule.as_str());
            assert_eq!(
                r["partialFingerprints"]["forkcheck/v1"],
                f.fingerprint.as_str()
            );
            assert_eq!(r["level"], Level::from(f.severity).as_str());
            let region = &r["locations"][0]["physicalLocation"]["region"];
            match f.line {
                Some(l) => assert_eq!(region["startLine"], l),
                None => assert!(region.is_null()),
            }
        }
        let with_prose = driver_rules.iter().find(|r| r["id"] == "FC301").unwrap();
        assert!(with_prose["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**Fix**"));
    }

    #[test]
    fn snapshot() {
        let rules = sample_rules();
        let lookup = |id: &str| rules.iter().find(|r| r.id == id).cloned();
        insta::assert_snapshot!(render(&sample_report(), &lookup).unwrap());
    }
}
