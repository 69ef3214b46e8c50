//! Differential mode (`forkcheck check`): compare the report of a pull request's head with the
//! report of its base (or a stored baseline) and keep only what the pull request changes: the
//! findings it introduces, those it fixes, and the drift and cost deltas. Findings are matched by
//! fingerprint (rule + path + subject, never the line), as a multiset: two findings with one
//! fingerprint on the base and three on the head make one new finding.
//!
//! The result is an ordinary [`Report`] (so every renderer works on it) whose `findings` are the
//! new findings only and whose `check` section carries the rest. It is redacted again with the
//! secret values of both runs: a fixed finding comes from the base's run, whose secrets the head
//! run may not know.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::config::CheckConfig;
use crate::cost::HoursRange;
use crate::error::{Error, Result};
use crate::model::{Finding, Severity};
use crate::report::Report;
use crate::rules::Rules;

/// Version of the baseline file format (`forkcheck baseline`).
pub const BASELINE_VERSION: u32 = 1;

/// Largest baseline file read.
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// What the head is compared with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Compared {
    /// `revision` (the base was analysed from a revision) or `baseline` (read from a file).
    pub source: String,
    /// The revision as given (`--base-ref`), or the baseline file's path.
    pub name: String,
    /// The commit analysed (for a baseline: the commit it was written at, if it says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}

/// Drift before and after, and the difference.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DriftDelta {
    pub files_before: u64,
    pub files_after: u64,
    pub lines_before: u64,
    pub lines_after: u64,
    /// `lines_after - lines_before` (changed lines: added + removed against the base release).
    pub lines_delta: i64,
    pub files_delta: i64,
}

/// Estimated rebase effort at the next release, before and after.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CostDelta {
    pub before: HoursRange,
    pub after: HoursRange,
    /// `after.low - before.low`, rounded to two decimals.
    pub delta_low: f64,
    /// `after.high - before.high`, rounded to two decimals.
    pub delta_high: f64,
}

/// One budget of `[check]` and whether the pull request stays within it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Budget {
    /// `max_drift_growth` or `always_fail`.
    pub name: String,
    pub passed: bool,
    pub message: String,
}

/// The `check` section of a differential report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckSection {
    pub compared: Compared,
    /// Findings the pull request introduces (they are the report's `findings`).
    pub new: usize,
    /// Findings present on both sides.
    pub unchanged: usize,
    /// Findings of the base that the head no longer has.
    pub fixed: Vec<Finding>,
    pub drift: DriftDelta,
    /// Absent when either side has no rebase estimate (no target release, or a baseline
    /// without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostDelta>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<Budget>,
}

impl CheckSection {
    /// True when a budget of `[check]` is exceeded (the run fails whatever `--fail-on` says).
    pub fn over_budget(&self) -> bool {
        self.budgets.iter().any(|b| !b.passed)
    }

    /// `grows`, `shrinks` or `keeps`: what the pull request does to the fork's rebase cost (by
    /// the cost estimate when both sides have one, else by the drift).
    pub fn direction(&self) -> &'static str {
        let sign = match &self.cost {
            Some(c) if c.delta_low != 0.0 || c.delta_high != 0.0 => {
                if c.delta_low + c.delta_high > 0.0 {
                    1
                } else {
                    -1
                }
            }
            _ => self.drift.lines_delta.signum(),
        };
        match sign {
            1 => "grows",
            -1 => "shrinks",
            _ => "keeps",
        }
    }
}

/// What a baseline holds: the findings and totals of a run. A JSON report
/// (`forkcheck report --format json`) reads as one too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    /// [`BASELINE_VERSION`] in a file `forkcheck baseline` wrote; absent in a JSON report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_oid: Option<String>,
    pub drift: BaselineDrift,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<HoursRange>,
    pub findings: Vec<Finding>,
}

/// The drift totals a baseline keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BaselineDrift {
    pub files_changed: u64,
    pub lines_added: u64,
    pub lines_removed: u64,
}

/// The shape of a JSON report, as far as a baseline needs it.
#[derive(Deserialize)]
struct ReportShape {
    schema_version: u32,
    repo: ReportRepo,
    drift: BaselineDrift,
    #[serde(default)]
    rebase: Option<ReportRebase>,
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct ReportRepo {
    head_oid: String,
}

#[derive(Deserialize)]
struct ReportRebase {
    cost: HoursRange,
}

impl Baseline {
    /// The baseline of `report` (which is redacted: it holds no secret value).
    pub fn of(report: &Report) -> Baseline {
        Baseline {
            baseline_version: Some(BASELINE_VERSION),
            head_oid: Some(report.repo.head_oid.clone()),
            drift: BaselineDrift {
                files_changed: report.drift.files_changed,
                lines_added: report.drift.lines_added,
                lines_removed: report.drift.lines_removed,
            },
            cost: report.rebase.as_ref().map(|r| r.cost),
            findings: report.findings.clone(),
        }
    }

    /// Parse a baseline file or a JSON report; `name` is the file's name for messages.
    pub fn parse(text: &str, name: &str) -> Result<Baseline> {
        let bad = |message: String| Error::Parse {
            path: name.to_string(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        if value.get("baseline_version").is_some() {
            let b: Baseline = serde_json::from_value(value)
                .map_err(|e| bad(format!("not a forkcheck baseline: {e}")))?;
            if b.baseline_version != Some(BASELINE_VERSION) {
                return Err(bad(format!(
                    "baseline version {} (this forkcheck reads version {BASELINE_VERSION})",
                    b.baseline_version.unwrap_or_default()
                )));
            }
            return Ok(b);
        }
        let r: ReportShape = serde_json::from_value(value).map_err(|e| {
            bad(format!(
                "neither a forkcheck baseline nor a JSON report: {e}"
            ))
        })?;
        if r.schema_version != crate::report::SCHEMA_VERSION {
            return Err(bad(format!(
                "report schema {} (this forkcheck reads schema {})",
                r.schema_version,
                crate::report::SCHEMA_VERSION
            )));
        }
        Ok(Baseline {
            baseline_version: None,
            head_oid: Some(r.repo.head_oid),
            drift: r.drift,
            cost: r.rebase.map(|r| r.cost),
            findings: r.findings,
        })
    }

    fn lines(&self) -> u64 {
        self.drift.lines_added + self.drift.lines_removed
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Compare `head` with `base`, the report of the base revision (see [`compare`]).
pub fn compare_reports(
    head: Report,
    base: Report,
    compared: Compared,
    budgets: &CheckConfig,
    rules: &Rules,
) -> Result<Report> {
    let baseline = Baseline::of(&base);
    compare(head, &baseline, compared, budgets, rules, base.secrets)
}

/// Compare `head` with a baseline read from a file (which holds no secret value).
pub fn compare_baseline(
    head: Report,
    base: &Baseline,
    compared: Compared,
    budgets: &CheckConfig,
    rules: &Rules,
) -> Result<Report> {
    compare(head, base, compared, budgets, rules, Default::default())
}

/// Compare `head` (a full report) with `base` and build the differential report: `findings`
/// holds the new findings, `check` the fixed ones, the deltas and the budgets of `budgets`.
/// `base_secrets` are the base run's secret values.
fn compare(
    head: Report,
    base: &Baseline,
    compared: Compared,
    budgets: &CheckConfig,
    rules: &Rules,
    base_secrets: crate::secrets::SecretValues,
) -> Result<Report> {
    let mut remaining: HashMap<&str, usize> = HashMap::new();
    for f in &base.findings {
        *remaining.entry(f.fingerprint.as_str()).or_default() += 1;
    }
    let mut new = Vec::new();
    let mut unchanged = 0;
    for f in &head.findings {
        match remaining.get_mut(f.fingerprint.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                unchanged += 1;
            }
            _ => new.push(f.clone()),
        }
    }
    let mut fixed = Vec::new();
    for f in &base.findings {
        if let Some(n) = remaining.get_mut(f.fingerprint.as_str()) {
            if *n > 0 {
                *n -= 1;
                fixed.push(f.clone());
            }
        }
    }
    let lines_after = head.drift.lines_added + head.drift.lines_removed;
    let drift = DriftDelta {
        files_before: base.drift.files_changed,
        files_after: head.drift.files_changed,
        lines_before: base.lines(),
        lines_after,
        lines_delta: lines_after as i64 - base.lines() as i64,
        files_delta: head.drift.files_changed as i64 - base.drift.files_changed as i64,
    };
    let cost = match (base.cost, head.rebase.as_ref().map(|r| r.cost)) {
        (Some(before), Some(after)) => Some(CostDelta {
            before,
            after,
            delta_low: round2(after.low - before.low),
            delta_high: round2(after.high - before.high),
        }),
        _ => None,
    };
    let mut section = CheckSection {
        compared,
        new: new.len(),
        unchanged,
        fixed,
        drift,
        cost,
        budgets: Vec::new(),
    };
    section.budgets = evaluate(budgets, rules, &section, &new)?;
    let mut report = head;
    let mut secrets = report.secrets.clone();
    secrets.extend(base_secrets);
    report.findings = new;
    report.check = Some(section);
    // The whole-fork sections describe the head, not the change: a differential report keeps
    // the drift totals and areas (where the fork stands after the change) and leaves the rest
    // to `forkcheck report`.
    report.settings = None;
    report.config = None;
    report.themes = None;
    report.rebase = None;
    report.triage = None;
    report.breaks = Default::default();
    report.summary = None;
    report.drift.trend.clear();
    report.drift.trend_truncated = false;
    report.drift.files.clear();
    report.drift.by_app.clear();
    report.sort_findings();
    report.redact(secrets)
}

/// The budgets of `[check]` against this comparison (in the order of the configuration).
fn evaluate(
    config: &CheckConfig,
    rules: &Rules,
    section: &CheckSection,
    new: &[Finding],
) -> Result<Vec<Budget>> {
    let mut out = Vec::new();
    if let Some(max) = config.max_drift_growth {
        let growth = section.drift.lines_delta;
        let passed = growth <= max as i64;
        out.push(Budget {
            name: "max_drift_growth".into(),
            passed,
            message: format!(
                "the drift grows by {growth} changed lines (budget: {max}, `[check] max_drift_growth`)"
            ),
        });
    }
    for id in &config.always_fail {
        let rule = rules
            .find(&id.to_ascii_uppercase())
            .or_else(|| rules.all().find(|r| r.name == *id));
        let Some(rule) = rule else {
            return Err(Error::BadConfig {
                path: crate::config::FILE_NAME.into(),
                message: format!("`[check] always_fail`: unknown rule `{id}`"),
            });
        };
        let n = new.iter().filter(|f| f.rule == rule.id).count();
        out.push(Budget {
            name: "always_fail".into(),
            passed: n == 0,
            message: format!(
                "{n} new {} {} finding{} (`[check] always_fail`)",
                rule.id,
                rule.name,
                if n == 1 { "" } else { "s" }
            ),
        });
    }
    Ok(out)
}

/// New findings at or above `threshold`.
pub fn failing(report: &Report, threshold: Severity) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= threshold)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BaseInfo, BaseMethod, RuleId};
    use crate::report::{RepoInfo, ToolInfo};

    fn report(findings: Vec<Finding>, lines: u64) -> Report {
        Report {
            schema_version: crate::report::SCHEMA_VERSION,
            tool: ToolInfo::default(),
            repo: RepoInfo {
                path: ".".into(),
                head_rev: "HEAD".into(),
                head_oid: "1".repeat(40),
            },
            base: BaseInfo {
                release: Some("redwood".into()),
                rev: "open-release/redwood.2".into(),
                oid: "2".repeat(40),
                method: BaseMethod::History,
                confidence: 1.0,
                distance: None,
                detail: String::new(),
                era: None,
            },
            target: None,
            summary: None,
            drift: crate::drift::Drift {
                lines_added: lines,
                ..Default::default()
            },
            findings,
            settings: None,
            config: None,
            themes: None,
            rebase: None,
            triage: None,
            breaks: Default::default(),
            check: None,
            warnings: Vec::new(),
            secrets: Default::default(),
        }
    }

    fn compared() -> Compared {
        Compared {
            source: "revision".into(),
            name: "base".into(),
            oid: None,
        }
    }

    #[test]
    fn findings_match_by_fingerprint_as_a_multiset() {
        let rules = Rules::load(&Default::default()).unwrap();
        let edit = |setting: &str, line: u32| {
            Finding::new(rules.rule(RuleId::FC301), "lms/envs/common.py", "edit")
                .line(line)
                .setting(setting)
                .build()
        };
        let code = |line: u32| {
            Finding::new(rules.rule(RuleId::FC302), "lms/envs/common.py", "code")
                .line(line)
                .build()
        };
        // Base: A (line 3), B, one code edit. Head: A moved to line 9, C, two code edits.
        let base = report(vec![edit("A", 3), edit("B", 5), code(7)], 10);
        let head = report(vec![edit("A", 9), edit("C", 11), code(12), code(20)], 25);
        let out = compare_reports(head, base, compared(), &CheckConfig::default(), &rules).unwrap();
        let new: Vec<(&str, Option<&str>)> = out
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.setting.as_deref()))
            .collect();
        assert_eq!(new, vec![("FC301", Some("C")), ("FC302", None)]);
        let check = out.check.as_ref().unwrap();
        assert_eq!(check.new, 2);
        assert_eq!(check.unchanged, 2);
        assert_eq!(check.fixed.len(), 1);
        assert_eq!(check.fixed[0].setting.as_deref(), Some("B"));
        assert_eq!(check.drift.lines_delta, 15);
        assert_eq!(check.direction(), "grows");
        assert!(!check.over_budget());
    }

    #[test]
    fn budgets_are_judged_on_the_new_findings_and_the_growth() {
        let rules = Rules::load(&Default::default()).unwrap();
        let secret = Finding::new(rules.rule(RuleId::FC210), "lms.auth.json", "secret")
            .key("SECRET_KEY")
            .build();
        let budgets = CheckConfig {
            max_drift_growth: Some(5),
            always_fail: vec!["secret-in-config".into()],
        };
        let out = compare_reports(
            report(vec![secret.clone()], 10),
            report(vec![secret.clone()], 4),
            compared(),
            &budgets,
            &rules,
        )
        .unwrap();
        let check = out.check.unwrap();
        // Growth 6 > 5; the secret is old, so `always_fail` passes.
        assert_eq!(
            check.budgets.iter().map(|b| b.passed).collect::<Vec<_>>(),
            vec![false, true]
        );
        let out = compare_reports(
            report(vec![secret], 4),
            report(vec![], 4),
            compared(),
            &budgets,
            &rules,
        )
        .unwrap();
        let check = out.check.unwrap();
        assert_eq!(
            check.budgets.iter().map(|b| b.passed).collect::<Vec<_>>(),
            vec![true, false]
        );
        assert_eq!(check.direction(), "keeps");
    }

    #[test]
    fn a_baseline_reads_back_and_rejects_other_json() {
        let rules = Rules::load(&Default::default()).unwrap();
        let f = Finding::new(rules.rule(RuleId::FC301), "a.py", "m")
            .setting("X")
            .build();
        let r = report(vec![f], 3);
        let text = serde_json::to_string(&Baseline::of(&r)).unwrap();
        let b = Baseline::parse(&text, "b.json").unwrap();
        assert_eq!(b.findings.len(), 1);
        assert_eq!(b.findings[0].fingerprint, r.findings[0].fingerprint);
        let report_json = serde_json::to_string(&r).unwrap();
        assert_eq!(Baseline::parse(&report_json, "r.json").unwrap().lines(), 3);
        for bad in ["[]", "{\"x\":1}", "not json", "{\"baseline_version\": 9, \"drift\": {\"files_changed\":0,\"lines_added\":0,\"lines_removed\":0}, \"findings\": []}"] {
            let e = Baseline::parse(bad, "bad.json").unwrap_err().to_string();
            assert!(e.contains("bad.json"), "{e}");
        }
    }
}
