//! SARIF 2.1.0 for code scanning, built generically from `findings`: one `tool.driver.rules`
//! entry per rule that fired (with its prose from the rule registry), one result per finding.

use std::fmt::Write as _;

use forkcheck_analyzers::report::{Finding, Kind, Location, Severity};
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
/// Where the rule reference lives (`docs/rules.md`), for each rule's `helpUri`
/// (`<url>#fc101`): `FORKCHECK_RULES_URL` when set (the GitHub Action points it at the
/// action's own copy), else the package's repository at this version's tag, else none (a
/// `helpUri` must be an absolute URI; the rule's `help` text is there either way).
pub fn rules_url() -> Option<String> {
    if let Some(url) = std::env::var("FORKCHECK_RULES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        return Some(url.trim().to_string());
    }
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repo.is_empty()).then(|| format!("{repo}/blob/v{}/docs/rules.md", env!("CARGO_PKG_VERSION")))
}

/// The `uriBaseId` of locations in the analysed fork's work tree (the head).
pub const SRCROOT: &str = "%SRCROOT%";
/// The `uriBaseId` of locations in the target release's tree (not the head's files).
pub const TARGET: &str = "TARGET";
/// The `uriBaseId` of locations in the base release's tree.
pub const BASE: &str = "BASE";
/// The `uriBaseId` of a fixed finding's locations (check mode): the tree of the revision or
/// baseline the head was compared with.
pub const COMPARED: &str = "COMPARED";

/// Render the report; `lookup` gives a rule's registry entry by id (`None`: the finding's own
/// name stands in for the prose); `rules_url` is the address of docs/rules.md (see
/// [`rules_url`]).
pub fn render(
    report: &Report,
    lookup: &dyn Fn(&str) -> Option<Rule>,
    rules_url: Option<&str>,
) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&build(report, lookup, rules_url))
        .map_err(|e| anyhow::anyhow!("cannot serialize the SARIF log: {e}"))?;
    text.push('\n');
    Ok(text)
}

pub fn build(
    report: &Report,
    lookup: &dyn Fn(&str) -> Option<Rule>,
    rules_url: Option<&str>,
) -> Value {
    // Rules de-duplicated in order of first appearance; results point at them by index.
    // In check mode (`report.check`) the findings are the new ones and the section carries the
    // fixed ones: every result says which (`baselineState`), the fixed ones as `absent`.
    let fixed: &[Finding] = report
        .check
        .as_ref()
        .map(|c| c.fixed.as_slice())
        .unwrap_or_default();
    let all = || report.findings.iter().chain(fixed);
    let mut rule_ids: Vec<&str> = Vec::new();
    for f in all() {
        if !rule_ids.contains(&f.rule.as_str()) {
            rule_ids.push(&f.rule);
        }
    }
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let first = all().find(|f| f.rule == *id);
            rule_descriptor(id, first, lookup(id).as_ref(), rules_url)
        })
        .collect();
    let revs = Revs::of(report);
    let index = |f: &Finding| rule_ids.iter().position(|id| *id == f.rule).unwrap_or(0);
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut r = result(f, index(f), &revs);
            if report.check.is_some() {
                r["baselineState"] = json!("new");
            }
            r
        })
        .collect();
    results.extend(fixed.iter().map(|f| {
        // Gone from the head: a result that no longer fails (SARIF: any `kind` but `fail`
        // has level `none`), so that no consumer raises it as an alert.
        let mut r = result(f, index(f), &revs);
        // Its lines are those of the tree it was found in (what the check compared with),
        // never the head's.
        if let Some(locations) = r["locations"].as_array_mut() {
            for loc in locations {
                let base = &mut loc["physicalLocation"]["artifactLocation"]["uriBaseId"];
                if *base == SRCROOT {
                    *base = json!(COMPARED);
                }
            }
        }
        r["baselineState"] = json!("absent");
        r["kind"] = json!("pass");
        r["level"] = json!("none");
        r
    }));
    let mut bases = serde_json::Map::new();
    bases.insert(
        BASE.to_string(),
        json!({"description": {"text": format!(
            "The base release's tree: {} at commit {}",
            report.base.rev, report.base.oid
        )}}),
    );
    if let Some(t) = &report.target {
        bases.insert(
            TARGET.to_string(),
            json!({"description": {"text": format!(
                "The target release's tree: {} at commit {}",
                t.rev, t.oid
            )}}),
        );
    }
    if let Some(check) = &report.check {
        let at = check
            .compared
            .oid
            .as_deref()
            .map(|o| format!(" at commit {o}"))
            .unwrap_or_default();
        bases.insert(
            COMPARED.to_string(),
            json!({"description": {"text": format!(
                "The tree the check compared with (where fixed findings were): {} {}{at}",
                check.compared.source, check.compared.name
            )}}),
        );
    }
    let mut driver = json!({
        "name": report.tool.name,
        "version": report.tool.version,
        "semanticVersion": report.tool.version,
        "rules": rules,
    });
    if let Some(url) = rules_url {
        driver["informationUri"] = json!(url);
    }
    let mut run_properties = json!({
        "head": report.repo.head_oid,
        "base": report.base.rev,
        "baseRelease": report.base.release,
        "target": report.target.as_ref().map(|t| t.rev.as_str()),
    });
    if let Some(check) = &report.check {
        // How many findings the head shares with what it was compared with: not listed (the
        // check report keeps only their count), so no result is `unchanged`.
        run_properties["unchangedFindings"] = json!(check.unchanged);
        run_properties["comparedWith"] = json!(check.compared.name);
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": bases,
            "properties": run_properties,
            "results": results,
        }],
    })
}

/// SARIF's `security-severity` (0.0–10.0; GitHub reads 9.0+ as critical, 7.0+ as high, 4.0+
/// as medium) of a secret rule at `severity`.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "9.0",
        Severity::Warning => "7.0",
        Severity::Info => "4.0",
    }
}

fn rule_descriptor(
    id: &str,
    first: Option<&Finding>,
    rule: Option<&Rule>,
    rules_url: Option<&str>,
) -> Value {
    let name = rule
        .map(|r| r.name.as_str())
        .or(first.map(|f| f.name.as_str()))
        .unwrap_or(id);
    let severity = rule
        .map(|r| r.severity)
        .or(first.map(|f| f.severity))
        .unwrap_or(Severity::Warning);
    let kind = rule.map(|r| r.kind).or(first.map(|f| f.kind));
    let mut tags: Vec<&str> = kind.map(|k| vec![k.as_str()]).unwrap_or_default();
    let mut properties = json!({});
    if kind == Some(Kind::Secret) {
        // Code scanning files results of rules tagged `security` under security alerts, ranked
        // by `security-severity`.
        tags.insert(0, "security");
        properties["security-severity"] = json!(security_severity(severity));
    }
    properties["tags"] = json!(tags);
    let mut d = json!({
        "id": id,
        "name": name,
        "defaultConfiguration": {"level": Level::from(severity).as_str()},
        "properties": properties,
    });
    if let Some(url) = rules_url {
        // docs/rules.md has one `## FC101` heading per rule: GitHub's anchor is its lower case.
        d["helpUri"] = json!(format!("{url}#{}", id.to_ascii_lowercase()));
    }
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

/// The revisions a location can name, to pick its `uriBaseId`.
struct Revs<'a> {
    base: [&'a str; 3],
    target: [&'a str; 3],
}

impl<'a> Revs<'a> {
    fn of(report: &'a Report) -> Revs<'a> {
        let base = [
            "base",
            report.base.rev.as_str(),
            report.base.release.as_deref().unwrap_or("base"),
        ];
        let target = match &report.target {
            Some(t) => [
                "target",
                t.rev.as_str(),
                t.release.as_deref().unwrap_or("target"),
            ],
            None => ["target"; 3],
        };
        Revs { base, target }
    }

    /// `uriBaseId` of a location at `rev` (`None` and `head`: the fork's tree).
    fn base_id(&self, rev: Option<&str>) -> &'static str {
        match rev {
            None | Some("head") | Some("HEAD") => SRCROOT,
            Some(r) if self.target.contains(&r) => TARGET,
            Some(r) if self.base.contains(&r) => BASE,
            // Another revision: not the head's file either; say which in the message.
            Some(_) => TARGET,
        }
    }
}

/// A finding about the repository as a whole (the drift size, a commit that touches no file):
/// a run-level result, with no location.
fn repository_wide(path: &str) -> bool {
    path.is_empty() || path == "." || path == "./"
}

fn result(f: &Finding, rule_index: usize, revs: &Revs<'_>) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": Level::from(f.severity).as_str(),
        "kind": "fail",
        "message": {"text": f.message},
        "partialFingerprints": {"forkcheck/v1": f.fingerprint},
    });
    if !repository_wide(&f.path) {
        let mut physical = json!({"artifactLocation": {"uri": uri(&f.path), "uriBaseId": SRCROOT}});
        // Finding lines are already 1-based, as SARIF wants; a file-level finding has no region.
        if let Some(line) = f.line.filter(|l| *l >= 1) {
            physical["region"] = json!({"startLine": line});
        }
        r["locations"] = json!([{"physicalLocation": physical}]);
    }
    let related: Vec<Value> = f
        .target_location
        .iter()
        .map(|loc| (loc, true))
        .chain(f.related.iter().map(|loc| (loc, false)))
        .enumerate()
        .map(|(i, (loc, in_target))| related_location(i, loc, in_target, revs))
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    r
}

/// A related location: in the fork's tree (`%SRCROOT%`), or in the target's or base's tree
/// (`TARGET`, `BASE`), whose line numbers are that tree's and never the head file's.
fn related_location(id: usize, loc: &Location, in_target: bool, revs: &Revs<'_>) -> Value {
    let base_id = if in_target && loc.rev.is_none() {
        TARGET
    } else {
        revs.base_id(loc.rev.as_deref())
    };
    let mut physical = json!({"artifactLocation": {"uri": uri(&loc.path), "uriBaseId": base_id}});
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
    if let Some(rev) = &loc.rev {
        v["properties"] = json!({"revision": rev});
    }
    v
}

/// A repository path as a relative URI reference (RFC 3986): every byte but the unreserved
/// characters and `/` percent-encoded (UTF-8), so that a space, `<`, `%`, `#`, `?` or a
/// control character names the file itself and never a query, a fragment, a scheme or another
/// file. A leading `/` is dropped (paths are relative to the tree).
pub fn uri(path: &str) -> String {
    let path = path.trim_start_matches('/');
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
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
        let log = build(&report, &lookup, Some("https://example.test/docs/rules.md"));
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
    fn uris_are_percent_encoded_relative_references() {
        assert_eq!(uri("lms/envs/common.py"), "lms/envs/common.py");
        assert_eq!(uri("x y#z"), "x%20y%23z");
        assert_eq!(uri("a<b>%c?d"), "a%3Cb%3E%25c%3Fd");
        assert_eq!(uri("c:/x"), "c%3A/x");
        assert_eq!(uri("/abs"), "abs");
        assert_eq!(uri("é\n"), "%C3%A9%0A");
    }

    #[test]
    fn repository_wide_findings_are_run_level_and_target_lines_are_not_head_lines() {
        let report = sample_report();
        let rules = sample_rules();
        let lookup = |id: &str| rules.iter().find(|r| r.id == id).cloned();
        let log = build(&report, &lookup, None);
        let results = log["runs"][0]["results"].as_array().unwrap();
        let drift = results.iter().find(|r| r["ruleId"] == "FC101").unwrap();
        assert!(drift.get("locations").is_none(), "{drift}");
        let renamed = results.iter().find(|r| r["ruleId"] == "FC302").unwrap();
        let head = &renamed["locations"][0]["physicalLocation"];
        assert_eq!(head["artifactLocation"]["uriBaseId"], SRCROOT);
        assert_eq!(head["region"]["startLine"], 40);
        let target = &renamed["relatedLocations"][0]["physicalLocation"];
        assert_eq!(target["artifactLocation"]["uriBaseId"], TARGET);
        assert_eq!(target["region"]["startLine"], 41);
        assert!(
            log["runs"][0]["originalUriBaseIds"][TARGET]["description"]["text"]
                .as_str()
                .unwrap()
                .contains("open-release/sumac.1")
        );
        // No helpUri without an address for docs/rules.md.
        assert!(log["runs"][0]["tool"]["driver"]["rules"][0]
            .get("helpUri")
            .is_none());
    }

    #[test]
    fn secret_rules_are_security_rules_with_a_severity_and_every_rule_links_its_doc() {
        let mut report = sample_report();
        let mut rules = sample_rules();
        rules.push(crate::render::tests::rule(
            "FC210",
            "secret-in-config",
            Kind::Secret,
            Severity::Error,
        ));
        report.findings.push(
            Finding::new(&rules[4], "lms.auth.json", "secret `SECRET_KEY` committed").build(),
        );
        let lookup = |id: &str| rules.iter().find(|r| r.id == id).cloned();
        let log = build(&report, &lookup, Some("https://example.test/docs/rules.md"));
        let driver = &log["runs"][0]["tool"]["driver"];
        for d in driver["rules"].as_array().unwrap() {
            let id = d["id"].as_str().unwrap().to_ascii_lowercase();
            assert_eq!(
                d["helpUri"],
                format!("https://example.test/docs/rules.md#{id}")
            );
            let tags = d["properties"]["tags"].as_array().unwrap();
            if d["id"] == "FC210" {
                assert_eq!(tags[0], "security");
                assert_eq!(d["properties"]["security-severity"], "9.0");
            } else {
                assert!(!tags.iter().any(|t| t == "security"), "{d}");
                assert!(d["properties"].get("security-severity").is_none());
            }
        }
        assert_eq!(
            driver["informationUri"],
            "https://example.test/docs/rules.md"
        );
    }

    #[test]
    fn snapshot() {
        let rules = sample_rules();
        let lookup = |id: &str| rules.iter().find(|r| r.id == id).cloned();
        insta::assert_snapshot!(render(&sample_report(), &lookup, None).unwrap());
    }
}
