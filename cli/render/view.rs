//! Shared, format-independent views of the report: findings grouped by file then rule, drift
//! tables, the trend series, the findings joined to settings. Every renderer builds on these so
//! the formats agree. All of them read the typed report model, never its serialized form.

use std::collections::HashMap;

use forkcheck_analyzers::report::{Finding, Severity};
use forkcheck_analyzers::Report;
use serde::Serialize;

use super::escape::short_oid;

/// Findings of one rule within one file.
#[derive(Debug, Serialize)]
pub struct RuleGroup<'a> {
    pub rule: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    #[serde(skip)]
    pub findings: Vec<&'a Finding>,
    /// The findings' positions in `report.findings` (templates look them up there rather than
    /// carry a second copy of every finding).
    pub indices: Vec<usize>,
}

/// All findings in one file.
#[derive(Debug, Serialize)]
pub struct FileGroup<'a> {
    pub path: &'a str,
    pub rules: Vec<RuleGroup<'a>>,
}

/// Group findings by file, then by rule: files with an error first, then those with a warning,
/// then the rest (each in the report's canonical path order), and within a file the rules by
/// severity (ties in order of first appearance). Linear in the number of findings (files are
/// found through an index; a file holds few rules) plus the sorts.
pub fn group_findings(report: &Report) -> Vec<FileGroup<'_>> {
    let mut files: Vec<FileGroup<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        let idx = *index.entry(f.path.as_str()).or_insert_with(|| {
            files.push(FileGroup {
                path: &f.path,
                rules: Vec::new(),
            });
            files.len() - 1
        });
        let rules = &mut files[idx].rules;
        match rules.iter_mut().find(|r| r.rule == f.rule) {
            Some(group) => {
                group.severity = group.severity.max(f.severity);
                group.findings.push(f);
                group.indices.push(i);
            }
            None => rules.push(RuleGroup {
                rule: &f.rule,
                name: &f.name,
                severity: f.severity,
                findings: vec![f],
                indices: vec![i],
            }),
        }
    }
    for file in &mut files {
        file.rules.sort_by_key(|r| std::cmp::Reverse(r.severity));
    }
    let worst = |f: &FileGroup<'_>| f.rules.iter().map(|r| r.severity).max();
    files.sort_by_key(|f| std::cmp::Reverse(worst(f)));
    files
}

/// Findings of one rule in one file listed one by one before every human format folds them
/// into one line ("FC202 × 120 in `lms.env.json`").
pub const FOLD_SAME: usize = 8;
/// Findings shown of such a folded group.
pub const FOLD_SAME_SHOW: usize = 3;
/// Files a rule may be raised on before every human format folds its findings into one block.
pub const FOLD_AT: usize = 25;
/// Findings shown of a rule folded across files.
pub const FOLD_SHOW: usize = 10;

/// One row of the findings as the Markdown and HTML reports list them: a single finding
/// (`index`), the findings of one rule in one file folded (`count` > [`FOLD_SAME`]), or a rule
/// raised on more than [`FOLD_AT`] files folded (`files` > 1, `path` empty). A folded row shows
/// its first findings (`shown`, positions in `report.findings`) and counts the rest (`more`).
#[derive(Debug, Clone, Serialize)]
pub struct FindingRow<'a> {
    pub severity: Severity,
    pub rule: &'a str,
    pub name: &'a str,
    pub path: &'a str,
    pub files: usize,
    pub count: usize,
    pub folded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub shown: Vec<usize>,
    pub more: usize,
    /// "FC202 × 120 in lms.env.json" or "FC103 × 40 findings in 40 files" (plain text; each
    /// format escapes it).
    pub title: String,
}

/// The findings of one file as rows, most severe first.
#[derive(Debug, Serialize)]
pub struct FoldedFile<'a> {
    pub path: &'a str,
    pub rows: Vec<FindingRow<'a>>,
}

/// The rules raised on more than [`FOLD_AT`] files.
pub fn spread_rules<'a>(files: &[FileGroup<'a>]) -> std::collections::HashSet<&'a str> {
    let mut spread: HashMap<&str, usize> = HashMap::new();
    for file in files {
        for group in &file.rules {
            *spread.entry(group.rule).or_default() += 1;
        }
    }
    spread
        .into_iter()
        .filter(|(_, n)| *n > FOLD_AT)
        .map(|(r, _)| r)
        .collect()
}

/// Every finding, folded as the terminal folds them (JSON and SARIF never fold): per file
/// (files with an error first, then those with a warning, then the rest; within a file most
/// severe first), and the rules raised on more than [`FOLD_AT`] files, one row each.
pub fn fold_findings(report: &Report) -> (Vec<FoldedFile<'_>>, Vec<FindingRow<'_>>) {
    let groups = group_findings(report);
    let spread = spread_rules(&groups);
    let mut files = Vec::new();
    let mut by_rule: Vec<FindingRow<'_>> = Vec::new();
    for file in &groups {
        let mut rows = Vec::new();
        for group in &file.rules {
            if spread.contains(group.rule) {
                match by_rule.iter_mut().find(|r| r.rule == group.rule) {
                    Some(r) => {
                        r.severity = r.severity.max(group.severity);
                        r.files += 1;
                        r.count += group.indices.len();
                        r.shown.extend(group.indices.iter().copied());
                    }
                    None => by_rule.push(FindingRow {
                        severity: group.severity,
                        rule: group.rule,
                        name: group.name,
                        path: "",
                        files: 1,
                        count: group.indices.len(),
                        folded: true,
                        index: None,
                        shown: group.indices.clone(),
                        more: 0,
                        title: String::new(),
                    }),
                }
                continue;
            }
            if group.indices.len() > FOLD_SAME {
                rows.push(FindingRow {
                    severity: group.severity,
                    rule: group.rule,
                    name: group.name,
                    path: file.path,
                    files: 1,
                    count: group.indices.len(),
                    folded: true,
                    index: None,
                    shown: group.indices[..FOLD_SAME_SHOW].to_vec(),
                    more: group.indices.len() - FOLD_SAME_SHOW,
                    title: format!("{} × {} in {}", group.rule, group.indices.len(), file.path),
                });
                continue;
            }
            for (&i, f) in group.indices.iter().zip(&group.findings) {
                rows.push(FindingRow {
                    severity: f.severity,
                    rule: group.rule,
                    name: group.name,
                    path: file.path,
                    files: 1,
                    count: 1,
                    folded: false,
                    index: Some(i),
                    shown: vec![i],
                    more: 0,
                    title: String::new(),
                });
            }
        }
        if rows.is_empty() {
            continue;
        }
        // Stable: rules keep their order, a finding less severe than its rule moves down.
        rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
        files.push(FoldedFile {
            path: file.path,
            rows,
        });
    }
    for r in &mut by_rule {
        r.title = format!("{} × {} findings in {} files", r.rule, r.count, r.files);
        r.more = r.count.saturating_sub(FOLD_SHOW);
        r.shown.truncate(FOLD_SHOW);
    }
    (files, by_rule)
}

/// Every row, files' and spread rules', most severe first (stable: files keep their order, the
/// spread rules come after the files' rows of their severity): the HTML table.
pub fn sorted_rows<'a>(files: &[FoldedFile<'a>], spread: &[FindingRow<'a>]) -> Vec<FindingRow<'a>> {
    let mut rows: Vec<FindingRow<'a>> = files
        .iter()
        .flat_map(|f| f.rows.iter())
        .chain(spread.iter())
        .cloned()
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.severity));
    rows
}

/// Findings indexed once by what the settings section joins on (file, setting and line), so
/// that no renderer scans every finding for every row (config keys carry their replacement).
#[derive(Debug, Default)]
pub struct FindingIndex<'a> {
    /// path → setting → line → findings.
    by_setting: HashMap<&'a str, HashMap<&'a str, HashMap<u32, Vec<&'a Finding>>>>,
}

impl<'a> FindingIndex<'a> {
    pub fn new(report: &'a Report) -> FindingIndex<'a> {
        let mut index = FindingIndex::default();
        for f in &report.findings {
            if let (Some(setting), Some(line)) = (&f.setting, f.line) {
                index
                    .by_setting
                    .entry(f.path.as_str())
                    .or_default()
                    .entry(setting.as_str())
                    .or_default()
                    .entry(line)
                    .or_default()
                    .push(f);
            }
        }
        index
    }

    /// The findings on `setting` assigned at `line` of `path`, in report order.
    pub fn setting(&self, path: &str, setting: &str, line: u32) -> &[&'a Finding] {
        self.by_setting
            .get(path)
            .and_then(|settings| settings.get(setting))
            .and_then(|lines| lines.get(&line))
            .map_or(&[], Vec::as_slice)
    }
}

/// The rules whose finding carries a setting's replacement (the edit itself); the other findings
/// on a setting are its risks.
pub fn carries_replacement(f: &Finding) -> bool {
    f.rule == "FC301" || f.rule == "FC211"
}

/// Finding counts per severity.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub total: usize,
}

pub fn counts(report: &Report) -> Counts {
    Counts {
        error: report.count(Severity::Error),
        warning: report.count(Severity::Warning),
        info: report.count(Severity::Info),
        total: report.findings.len(),
    }
}

/// "3 errors, 1 warning, 0 info".
pub fn counts_line(c: Counts) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "{}, {}, {} info",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        c.info
    )
}

/// The report's first line, in plain text (each format escapes it): what the next rebase costs
/// (or that there is no target), then the findings count. Says the most in the fewest words,
/// so that it survives any cut of a long report.
pub fn headline(report: &Report) -> String {
    let counts = counts_line(counts(report));
    let target = report.target.as_ref().map(|t| t.rev.as_str());
    let cost = match (&report.rebase, target) {
        (Some(r), Some(t)) => {
            let files = r.summary.conflicted_files;
            let conflicts = match files {
                0 => "no file conflicts".to_string(),
                1 => "1 file conflicts".to_string(),
                n => format!("{n} files conflict"),
            };
            format!(
                "rebasing onto {t} costs an estimated {} ({conflicts})",
                r.cost.display()
            )
        }
        (None, Some(t)) => format!(
            "drift of {} lines in {} files against {}; rebase onto {t} not estimated",
            thousands(report.drift.lines_added + report.drift.lines_removed),
            thousands(report.drift.files_changed),
            report.base.rev
        ),
        (_, None) => format!(
            "drift of {} lines in {} files against {}; no release after the base to rebase onto",
            thousands(report.drift.lines_added + report.drift.lines_removed),
            thousands(report.drift.files_changed),
            report.base.rev
        ),
    };
    format!("{cost}; {counts}")
}

/// `78142` → `78,142`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One row per rule that fired: the rule, its severity and how many findings it has, most
/// severe first (then by count, then by id).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleCount {
    pub rule: String,
    pub name: String,
    pub severity: Severity,
    pub count: usize,
}

pub fn rule_counts(report: &Report) -> Vec<RuleCount> {
    let mut by_rule: HashMap<&str, RuleCount> = HashMap::new();
    for f in &report.findings {
        let e = by_rule.entry(f.rule.as_str()).or_insert_with(|| RuleCount {
            rule: f.rule.clone(),
            name: f.name.clone(),
            severity: f.severity,
            count: 0,
        });
        e.count += 1;
        e.severity = e.severity.max(f.severity);
    }
    let mut out: Vec<RuleCount> = by_rule.into_values().collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then(a.rule.cmp(&b.rule))
    });
    out
}

/// A titled table of display strings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Per column: right-align (numbers).
    pub numeric: Vec<bool>,
}

/// `by_area` and `by_app` of the drift, as tables (empty breakdowns are skipped).
pub fn drift_tables(report: &Report) -> Vec<Table> {
    let d = &report.drift;
    let mut out = Vec::new();
    if !d.by_area.is_empty() {
        out.push(Table {
            title: "By area".into(),
            headers: headers(&["area", "files", "lines added", "lines removed"]),
            rows: d
                .by_area
                .iter()
                .map(|a| {
                    vec![
                        a.area.clone(),
                        a.files.to_string(),
                        a.lines_added.to_string(),
                        a.lines_removed.to_string(),
                    ]
                })
                .collect(),
            numeric: vec![false, true, true, true],
        });
    }
    if !d.by_app.is_empty() {
        out.push(Table {
            title: "By app".into(),
            headers: headers(&["app", "new", "files", "lines added", "lines removed"]),
            rows: d
                .by_app
                .iter()
                .map(|a| {
                    vec![
                        a.app.clone(),
                        if a.new { "yes".into() } else { String::new() },
                        a.files.to_string(),
                        a.lines_added.to_string(),
                        a.lines_removed.to_string(),
                    ]
                })
                .collect(),
            numeric: vec![false, false, true, true, true],
        });
    }
    out
}

/// The drift trend (size after each first-parent fork commit), as a table.
pub fn trend_table(report: &Report) -> Option<Table> {
    let trend = &report.drift.trend;
    if trend.is_empty() {
        return None;
    }
    Some(Table {
        title: "Trend".into(),
        headers: headers(&[
            "commit",
            "summary",
            "files changed",
            "lines added",
            "lines removed",
        ]),
        rows: trend
            .iter()
            .map(|p| {
                vec![
                    short_oid(&p.commit).to_string(),
                    p.summary.clone(),
                    p.files_changed.to_string(),
                    p.lines_added.to_string(),
                    p.lines_removed.to_string(),
                ]
            })
            .collect(),
        numeric: vec![false, false, true, true, true],
    })
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|h| h.to_string()).collect()
}

/// The drift's secondary totals, for the line under the headline: changed files per status,
/// binary files, files left out by `[drift] ignore`, a cut trend. Zero counts are left out.
pub fn drift_extras(report: &Report) -> Vec<String> {
    let d = &report.drift;
    let mut out = Vec::new();
    for (label, n) in [
        ("added", d.counts.added),
        ("modified", d.counts.modified),
        ("deleted", d.counts.deleted),
        ("renamed", d.counts.renamed),
        ("type changed", d.counts.type_changed),
        ("binary", d.binary_files.len() as u64),
        ("ignored", d.ignored_files),
    ] {
        if n > 0 {
            out.push(format!("{n} {label}"));
        }
    }
    if d.trend_truncated {
        out.push(format!("trend cut to the newest {} commits", d.trend.len()));
    }
    out
}

/// The first thing the drift section says of a theme-only fork.
pub fn theme_only_note(report: &Report) -> Option<String> {
    let d = &report.drift;
    d.theme_only.then(|| {
        format!(
            "Theme-only fork: every changed file is under the fork's own theme ({}); no upstream \
             code is changed, so the size of the drift is no upgrade risk (FC101 does not apply).",
            d.own_themes.join(", ")
        )
    })
}

/// One number per trend point: the changed lines (added + removed) after that commit.
pub fn trend_values(report: &Report) -> Vec<f64> {
    report
        .drift
        .trend
        .iter()
        .map(|p| (p.lines_added + p.lines_removed) as f64)
        .collect()
}

/// A Unicode block sparkline of `values` (empty for no values).
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().cloned().fold(f64::MIN, f64::max);
    let min = values.iter().cloned().fold(f64::MAX, f64::min);
    values
        .iter()
        .map(|v| {
            if max <= min {
                BARS[BARS.len() / 2]
            } else {
                let idx = ((v - min) / (max - min) * (BARS.len() - 1) as f64).round();
                BARS[(idx.max(0.0) as usize).min(BARS.len() - 1)]
            }
        })
        .collect()
}

/// `0.93` → `93%`.
pub fn percent(confidence: f64) -> String {
    format!("{:.0}%", (confidence * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(78142), "78,142");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn the_headline_says_the_rebase_cost_or_why_there_is_none() {
        let mut report = sample_report();
        let h = headline(&report);
        assert_eq!(
            h,
            "drift of 1,290 lines in 42 files against open-release/redwood.2; rebase onto \
             open-release/sumac.1 not estimated; 1 error, 3 warnings, 1 info"
        );
        report.rebase = Some(forkcheck_analyzers::rebase::RebaseSection {
            cost: forkcheck_analyzers::cost::HoursRange {
                low: 1.5,
                high: 4.0,
            },
            summary: forkcheck_analyzers::rebase::RebaseSummary {
                conflicted_files: 2,
                ..Default::default()
            },
            ..Default::default()
        });
        assert!(headline(&report).starts_with(
            "rebasing onto open-release/sumac.1 costs an estimated 1.5–4 h (2 files conflict); "
        ));
        report.target = None;
        assert!(headline(&report).contains("no release after the base"));
    }

    #[test]
    fn drift_tables_from_the_model() {
        let report = sample_report();
        let tables = drift_tables(&report);
        assert_eq!(tables.len(), 1, "no app breakdown in the sample");
        let t = &tables[0];
        assert_eq!(t.headers, ["area", "files", "lines added", "lines removed"]);
        assert_eq!(t.rows[1], ["themes", "40", "1204", "52"]);
        assert_eq!(t.numeric, [false, true, true, true]);
        let mut empty = report.clone();
        empty.drift.by_area.clear();
        assert!(drift_tables(&empty).is_empty());
    }

    #[test]
    fn trend_is_changed_lines_per_commit() {
        let report = sample_report();
        assert_eq!(trend_values(&report), [34.0, 1290.0]);
        let t = trend_table(&report).unwrap();
        assert_eq!(t.rows[0][0], "c1");
        assert_eq!(t.numeric, [false, false, true, true, true]);
    }

    #[test]
    fn sparkline_spans_min_to_max() {
        assert_eq!(sparkline(&[0.0, 7.0, 14.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▅▅");
        assert_eq!(sparkline(&[]), "");
    }
}

#[cfg(test)]
mod fold_tests {
    use super::*;
    use crate::render::tests::sample_report;

    /// A rule on more files than [`FOLD_AT`] is one row in Markdown and HTML, as in the
    /// terminal; one rule's findings in one file past [`FOLD_SAME`] are one row; the rest stay
    /// one row per finding, and every finding is counted once.
    #[test]
    fn markdown_and_html_fold_like_the_terminal() {
        let mut report = sample_report();
        let before = report.findings.len();
        let template = report.findings[0].clone();
        for i in 0..40 {
            let mut f = template.clone();
            f.rule = "FC103".into();
            f.name = "binary-core-change".into();
            f.severity = Severity::Info;
            f.path = format!("common/static/vendor/img{i:02}.png");
            f.message = format!("binary file img{i:02}.png added");
            report.findings.push(f);
        }
        for i in 0..12 {
            let mut f = template.clone();
            f.rule = "FC202".into();
            f.name = "generated-config-key".into();
            f.severity = Severity::Warning;
            f.path = "lms.env.json".into();
            f.message = format!("key {i} changed");
            report.findings.push(f);
        }
        let (files, spread) = fold_findings(&report);
        assert_eq!(spread.len(), 1);
        assert_eq!(spread[0].title, "FC103 × 40 findings in 40 files");
        assert_eq!((spread[0].shown.len(), spread[0].more), (FOLD_SHOW, 30));
        let env = files.iter().find(|f| f.path == "lms.env.json").unwrap();
        assert_eq!(env.rows.len(), 1);
        assert!(env.rows[0].folded);
        assert_eq!((env.rows[0].count, env.rows[0].more), (12, 9));
        let counted: usize = files
            .iter()
            .flat_map(|f| &f.rows)
            .chain(&spread)
            .map(|r| r.count)
            .sum();
        assert_eq!(counted, before + 52);
        let rows = sorted_rows(&files, &spread);
        assert!(rows.windows(2).all(|w| w[0].severity >= w[1].severity));
        let md = crate::render::markdown::render(&report).unwrap();
        assert!(md.contains("### FC103 × 40 findings in 40 files"), "{md}");
        assert!(md.contains("**FC202 × 12 in `lms.env.json`**"), "{md}");
        assert!(!md.contains("img10.png added"), "{md}");
        let html = crate::render::html::render(&report).unwrap();
        assert!(html.contains("FC103 × 40 findings in 40 files"), "{html}");
        assert!(html.contains("… and 30 more"), "{html}");
    }
}
