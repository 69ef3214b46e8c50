//! Shared, format-independent views of the report: findings grouped by file then rule, drift
//! tables, the trend series. Every renderer builds on these so the formats agree.
//!
//! The drift breakdowns (`by_area`, `by_app`, `trend`) are read from the serialized report, so a
//! renderer keeps working whatever exact shape the drift analysis gives them (a list of objects,
//! or a map keyed by area): each becomes a plain table of strings.

use std::collections::HashMap;

use forkcheck_analyzers::report::{Finding, Severity};
use forkcheck_analyzers::Report;
use serde::Serialize;
use serde_json::Value;

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

/// Group findings by file, then by rule, keeping the report's canonical order of files and the
/// order of first appearance of rules within a file. Linear in the number of findings (files are
/// found through an index; a file holds few rules).
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
    files
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

/// A titled table of display strings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Per column: right-align (numbers).
    pub numeric: Vec<bool>,
}

/// The report serialized to JSON, for views of parts renderers read generically.
pub fn report_value(report: &Report) -> Value {
    // Serializing plain data structs (no maps with non-string keys) cannot fail; if it ever did,
    // the generic views would simply be empty.
    serde_json::to_value(report).unwrap_or(Value::Null)
}

/// `by_area` and `by_app` of the drift, as tables (absent or empty breakdowns are skipped).
pub fn drift_tables(report: &Value) -> Vec<Table> {
    let drift = &report["drift"];
    let mut out = Vec::new();
    for (field, title, key_name) in [("by_area", "By area", "area"), ("by_app", "By app", "app")] {
        if let Some(table) = table_from(&drift[field], title, key_name) {
            out.push(table);
        }
    }
    out
}

/// The drift trend (size after each first-parent fork commit), as a table.
pub fn trend_table(report: &Value) -> Option<Table> {
    let mut table = table_from(&report["drift"]["trend"], "Trend", "step")?;
    if let Some(col) = table.headers.iter().position(|h| h == "commit") {
        for row in &mut table.rows {
            if let Some(cell) = row.get_mut(col) {
                *cell = short_oid(cell).to_string();
            }
        }
    }
    Some(table)
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

/// One number per trend point: total changed lines when the points carry line counts, else
/// changed files, else the first number in the point.
pub fn trend_values(report: &Value) -> Vec<f64> {
    let Some(points) = report["drift"]["trend"].as_array() else {
        return Vec::new();
    };
    points
        .iter()
        .filter_map(|p| {
            let num = |k: &str| p.get(k).and_then(Value::as_f64);
            if let (Some(a), Some(r)) = (num("lines_added"), num("lines_removed")) {
                return Some(a + r);
            }
            for key in ["lines", "lines_changed", "files_changed", "files"] {
                if let Some(v) = num(key) {
                    return Some(v);
                }
            }
            match p {
                Value::Number(n) => n.as_f64(),
                Value::Object(o) => o.values().find_map(Value::as_f64),
                _ => None,
            }
        })
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

/// Build a table from a list of objects (columns: union of keys, in order of appearance), a map
/// of objects (first column: the map key) or a map of scalars (two columns).
fn table_from(value: &Value, title: &str, key_name: &str) -> Option<Table> {
    let rows_src: Vec<(Option<String>, &Value)> = match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(|v| (None, v)).collect(),
        Value::Object(map) if !map.is_empty() => {
            map.iter().map(|(k, v)| (Some(k.clone()), v)).collect()
        }
        _ => return None,
    };
    let keyed = rows_src.iter().any(|(k, _)| k.is_some());
    let mut headers: Vec<String> = Vec::new();
    if keyed {
        headers.push(key_name.to_string());
    }
    for (_, v) in &rows_src {
        match v {
            Value::Object(o) => {
                for k in o.keys() {
                    if !headers.iter().any(|h| h == k) {
                        headers.push(k.clone());
                    }
                }
            }
            _ => {
                if !headers.iter().any(|h| h == "value") {
                    headers.push("value".into());
                }
            }
        }
    }
    let mut numeric = vec![true; headers.len()];
    let mut rows = Vec::new();
    for (key, v) in &rows_src {
        let mut row = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let cell = if keyed && i == 0 {
                numeric[i] = false;
                key.clone().unwrap_or_default()
            } else {
                let cell = match v {
                    Value::Object(o) => o.get(h).cloned().unwrap_or(Value::Null),
                    other if h == "value" => (*other).clone(),
                    _ => Value::Null,
                };
                if !(cell.is_number() || cell.is_null()) {
                    numeric[i] = false;
                }
                scalar(&cell)
            };
            row.push(cell);
        }
        rows.push(row);
    }
    Some(Table {
        title: title.to_string(),
        headers: headers.iter().map(|h| h.replace('_', " ")).collect(),
        rows,
        numeric,
    })
}

/// A JSON value as a short display string.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:.2}"),
            _ => n.to_string(),
        },
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => String::new(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

/// `0.93` → `93%`.
pub fn percent(confidence: f64) -> String {
    format!("{:.0}%", (confidence * 100.0).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_from_list_and_map_shapes() {
        let list = json!({"drift": {"by_area": [
            {"area": "settings", "files": 2, "lines_added": 30},
            {"area": "themes", "files": 9, "lines_added": 400}
        ]}});
        let t = &drift_tables(&list)[0];
        assert_eq!(t.headers, ["area", "files", "lines added"]);
        assert_eq!(t.rows[1], ["themes", "9", "400"]);
        assert_eq!(t.numeric, [false, true, true]);

        let map = json!({"drift": {"by_app": {"lms": {"files": 3}, "cms": {"files": 1}}}});
        let t = &drift_tables(&map)[0];
        assert_eq!(t.title, "By app");
        assert_eq!(t.headers, ["app", "files"]);
        assert_eq!(t.rows, [["lms", "3"], ["cms", "1"]]);

        let scalars = json!({"drift": {"by_area": {"docs": 4}}});
        assert_eq!(drift_tables(&scalars)[0].rows, [["docs", "4"]]);
        assert!(drift_tables(&json!({"drift": {"by_area": []}})).is_empty());
    }

    #[test]
    fn trend_prefers_line_totals_then_files() {
        let r = json!({"drift": {"trend": [
            {"commit": "a", "lines_added": 3, "lines_removed": 1},
            {"commit": "b", "lines_added": 10, "lines_removed": 0}
        ]}});
        assert_eq!(trend_values(&r), [4.0, 10.0]);
        let r = json!({"drift": {"trend": [{"commit": "a", "files_changed": 7}]}});
        assert_eq!(trend_values(&r), [7.0]);
    }

    #[test]
    fn sparkline_spans_min_to_max() {
        assert_eq!(sparkline(&[0.0, 7.0, 14.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▅▅");
        assert_eq!(sparkline(&[]), "");
    }
}
