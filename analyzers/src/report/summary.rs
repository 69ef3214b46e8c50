//! The summary that opens every report: base → target, one line per decision a release manager
//! has to make (re-work a feature, port edits to deleted files, rotate secrets, move config and
//! templates, drop commits), then the cost: per release and one-time, each with its top
//! contributors, and whether the fork's own past upgrades calibrated it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::cost::{finding_weight, HoursRange, Weight};
use crate::model::{Finding, Kind, RuleId};
use crate::rebase::RebaseSection;

/// Features listed one per line; the rest are counted.
const FEATURES_SHOWN: usize = 3;
/// Cost contributors named per range.
const TOP: usize = 3;

/// One decision: what to do, about how many things.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Stable key: `rework`, `deleted`, `secrets`, `config`, `templates`, `overrides`,
    /// `settings`, `settings-move`, `breaks`, `drop`.
    pub key: String,
    pub count: usize,
    /// The line as people read it.
    pub text: String,
}

/// A cost range and what makes it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostLine {
    pub cost: HoursRange,
    /// The largest items: `conflict hunks (3): 0.8–3 h`.
    pub top: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub decisions: Vec<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_release: Option<CostLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time: Option<CostLine>,
    /// `calibrated from …` or `uncalibrated: …`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub calibration: String,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count_rule(findings: &[Finding], ids: &[RuleId]) -> usize {
    findings
        .iter()
        .filter(|f| f.rule_id().is_some_and(|r| ids.contains(&r)))
        .count()
}

fn distinct_paths(findings: &[Finding], kind: Kind) -> usize {
    findings
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.path.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

/// The summary of a report's parts.
pub fn summarize(
    base: &str,
    target: Option<&str>,
    findings: &[Finding],
    rebase: Option<&RebaseSection>,
) -> Summary {
    let mut decisions = Vec::new();
    let mut push = |key: &str, count: usize, text: String| {
        if count > 0 {
            decisions.push(Decision {
                key: key.into(),
                count,
                text,
            });
        }
    };
    // Files the target deleted are decided on the "port or drop" line, not re-worked: a file
    // is counted once, on that line.
    let deleted_paths: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.rule_id() == Some(RuleId::FC602))
        .map(|f| f.path.as_str())
        .collect();
    if let Some(rb) = rebase {
        let features: Vec<(&crate::rebase::overlap::Feature, usize, usize)> = rb
            .features
            .iter()
            .filter_map(|f| {
                let gone = f
                    .files
                    .iter()
                    .filter(|p| deleted_paths.contains(p.as_str()))
                    .count();
                let kept = f.files.len() - gone;
                (kept > 0).then_some((f, kept, f.conflicts.saturating_sub(gone)))
            })
            .collect();
        let files: usize = features.iter().map(|(_, kept, _)| kept).sum();
        let mut lines = Vec::new();
        for &(f, kept, conflicts) in features.iter().take(FEATURES_SHOWN) {
            let mut parts = Vec::new();
            if f.overlaps > 0 {
                parts.push(plural(
                    f.overlaps,
                    "overlap with upstream",
                    "overlaps with upstream",
                ));
            }
            if conflicts > 0 {
                parts.push(plural(conflicts, "conflict", "conflicts"));
            }
            lines.push(format!(
                "\"{}\" ({}: {})",
                f.name,
                plural(kept, "file", "files"),
                parts.join(", ")
            ));
        }
        let more = features.len().saturating_sub(FEATURES_SHOWN);
        let mut text = format!(
            "{} need{} re-work: {}",
            plural(files, "file", "files"),
            if files == 1 { "s" } else { "" },
            lines.join("; ")
        );
        if more > 0 {
            text.push_str(&format!(
                " and {}",
                plural(more, "more feature", "more features")
            ));
        }
        push("rework", files, text);
    }
    let deleted = deleted_paths.len();
    push(
        "deleted",
        deleted,
        format!(
            "port or drop the fork's edits to {} the target deleted",
            plural(deleted, "file", "files")
        ),
    );
    let (breaks, text) = breaks_line(findings, target.is_some());
    push("breaks", breaks, text);
    let secrets = findings.iter().filter(|f| f.kind == Kind::Secret).count();
    push(
        "secrets",
        secrets,
        format!(
            "rotate {}",
            plural(secrets, "committed secret", "committed secrets")
        ),
    );
    let config = distinct_paths(findings, Kind::GeneratedConfig);
    push(
        "config",
        config,
        format!(
            "move {} to configuration management (`forkcheck replace`)",
            plural(config, "committed config file", "committed config files")
        ),
    );
    let templates = distinct_paths(findings, Kind::CoreTemplate);
    push(
        "templates",
        templates,
        format!(
            "move {} into the theme",
            plural(templates, "core template edit", "core template edits")
        ),
    );
    let overrides = count_rule(findings, &[RuleId::FC403, RuleId::FC404, RuleId::FC405]);
    push(
        "overrides",
        overrides,
        format!(
            "update {} the target changed",
            plural(overrides, "theme override", "theme overrides")
        ),
    );
    let risks = count_rule(
        findings,
        &[
            RuleId::FC304,
            RuleId::FC305,
            RuleId::FC306,
            RuleId::FC307,
            RuleId::FC308,
        ],
    );
    push(
        "settings",
        risks,
        format!(
            "check {} the target removes, renames, overrides or changes",
            plural(risks, "settings edit", "settings edits")
        ),
    );
    let edits = count_rule(findings, &[RuleId::FC301]);
    push(
        "settings-move",
        edits,
        format!(
            "move {} to configuration (`forkcheck replace`)",
            plural(edits, "settings-module edit", "settings-module edits")
        ),
    );
    let drop = count_rule(findings, &[RuleId::FC604]);
    push(
        "drop",
        drop,
        format!(
            "drop {} already upstream",
            plural(drop, "commit", "commits")
        ),
    );
    let line = |cost: HoursRange, items: &[crate::rebase::CostItem]| CostLine {
        cost,
        top: top_contributors(items),
    };
    let (per_release, one_time, calibration) = match rebase {
        Some(rb) => {
            let s = &rb.cost_split;
            (
                Some(line(s.per_release, &s.per_release_items)),
                (!s.one_time_items.is_empty()).then(|| line(s.one_time, &s.one_time_items)),
                calibration_line(rb),
            )
        }
        None => (None, None, String::new()),
    };
    Summary {
        base: base.into(),
        target: target.map(String::from),
        decisions,
        per_release,
        one_time,
        calibration,
    }
}

/// What breaks at the target beyond the diff and costs work at the upgrade (the findings the
/// cost model weighs as migration problems, dependency conflicts and removed-API uses): how
/// many, and the decision line naming them by kind with their rules.
fn breaks_line(findings: &[Finding], has_target: bool) -> (usize, String) {
    let mut parts = Vec::new();
    let mut total = 0;
    for (what, one, weight) in [
        (
            "migration problems",
            "migration problem",
            Weight::PerMigrationProblem,
        ),
        (
            "dependency conflicts",
            "dependency pin conflict",
            Weight::PerDependencyConflict,
        ),
        (
            "removed API uses",
            "removed API use",
            Weight::PerRemovedApiUse,
        ),
    ] {
        let of_kind: Vec<&Finding> = findings
            .iter()
            .filter(|f| finding_weight(f) == Some(weight))
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        total += of_kind.len();
        let rules: BTreeSet<&str> = of_kind.iter().map(|f| f.rule.as_str()).collect();
        parts.push(format!(
            "{} ({})",
            plural(of_kind.len(), one, what),
            rules.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    // Without a target, the deprecations are judged against the releases that remove what
    // the fork uses: a later upgrade, not "the" upgrade.
    let text = format!(
        "fix {} before {} upgrade runs: {}",
        plural(total, "break", "breaks"),
        if has_target { "the" } else { "a later" },
        parts.join(", ")
    );
    (total, text)
}

/// The largest items of a cost, what breaks beyond the diff added up as one ("breaks to fix"),
/// which is named even when it is not among the largest.
fn top_contributors(items: &[crate::rebase::CostItem]) -> Vec<String> {
    let is_break = |i: &crate::rebase::CostItem| {
        crate::rebase::BREAK_ITEMS
            .iter()
            .any(|(_, w)| w.as_str() == i.weight)
    };
    let mut rows: Vec<(String, usize, HoursRange)> = items
        .iter()
        .filter(|i| !is_break(i))
        .map(|i| (i.what.clone(), i.count, i.cost))
        .collect();
    let breaks: Vec<&crate::rebase::CostItem> = items.iter().filter(|i| is_break(i)).collect();
    if !breaks.is_empty() {
        rows.push((
            "breaks to fix".into(),
            breaks.iter().map(|i| i.count).sum(),
            breaks.iter().map(|i| i.cost).sum(),
        ));
    }
    rows.retain(|r| !r.2.is_zero());
    rows.sort_by(|a, b| {
        b.2.high
            .total_cmp(&a.2.high)
            .then(b.2.low.total_cmp(&a.2.low))
            .then(a.0.cmp(&b.0))
    });
    let mut top: Vec<&(String, usize, HoursRange)> = rows.iter().take(TOP).collect();
    if let Some(b) = rows.iter().skip(TOP).find(|r| r.0 == "breaks to fix") {
        top.push(b);
    }
    top.into_iter()
        .map(|(what, n, cost)| format!("{what} ({n}): {}", cost.display()))
        .collect()
}

fn calibration_line(rb: &RebaseSection) -> String {
    let c = &rb.calibration;
    if !c.calibrated {
        return "uncalibrated: the fork's history has no merge of an upstream release or \
                snapshot, and no pre-rebase copy of its commits, to measure (forkcheck's default \
                weights)"
            .into();
    }
    let parts: Vec<String> = c
        .upgrades
        .iter()
        .map(|u| {
            let days = u.calendar_seconds as f64 / 86_400.0;
            let how = if u.kind == "rebase" {
                format!(
                    " (rebase: {} re-applied, {} changed)",
                    plural(u.reapplied, "commit", "commits"),
                    u.rewritten.len()
                )
            } else {
                " (merge)".to_string()
            };
            format!(
                "{}{how}: {} changed on both sides, {} conflicted ({}), {} resolved by hand, {} over {:.1} days",
                u.upstream,
                plural(u.both_changed, "file", "files"),
                u.conflicted,
                plural(u.conflict_hunks, "hunk", "hunks"),
                u.resolved_by_hand.len(),
                plural(u.follow_ups.len(), "follow-up fix", "follow-up fixes"),
                days
            )
        })
        .collect();
    let narrowed = |m: usize, rate: f64, what: &str, share: &str| {
        if m == 0 {
            String::new()
        } else {
            format!(
                ", ranges narrowed on {} ({:.0} % {share})",
                plural(m, what, &format!("{what}s")),
                rate * 100.0
            )
        }
    };
    format!(
        "calibrated from {} ({}): conflict weights ×{}{}, overlap weights ×{}{}",
        plural(c.upgrades.len(), "past upgrade", "past upgrades"),
        parts.join("; "),
        c.conflict_factor,
        narrowed(
            c.conflict_evidence,
            c.conflict_rate,
            "conflicted file",
            "followed up"
        ),
        c.overlap_factor,
        narrowed(
            c.overlap_evidence,
            c.overlap_rate,
            "clean both-changed file",
            "needed work"
        )
    )
}
