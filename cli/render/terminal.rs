//! Text for people: a summary header (base, target, drift), findings grouped by file then rule,
//! then each analysis section (rendered by its owner's `section_*` module) and warnings. Every
//! string from the repository goes through [`term`]: one line per field, no control characters.

use std::fmt::Write as _;

use forkcheck_analyzers::report::{BaseMethod, Finding, Severity};
use forkcheck_analyzers::Report;

use super::escape::{short_oid, term};
use super::style::Style;
use super::table::Grid;
use super::view::{self, Table, FOLD_AT, FOLD_SAME, FOLD_SAME_SHOW, FOLD_SHOW};
use super::{
    section_breaks, section_check, section_config, section_rebase, section_summary, section_themes,
};

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    header(&mut out, report, style);
    if report.check.is_some() {
        // Differential mode: what the change does, its new findings, its fixed ones.
        out.push('\n');
        out.push_str(&section_check::render(report, style));
        findings(&mut out, report, style);
        warnings(&mut out, report, style);
        return out;
    }
    let summary = section_summary::render(report, style);
    if !summary.is_empty() {
        out.push('\n');
        out.push_str(&summary);
    }
    drift(&mut out, report, style);
    findings(&mut out, report, style);
    for section in [
        section_config::render(report, style),
        section_themes::render(report, style),
        section_rebase::render(report, style),
        section_breaks::render(report, style),
    ] {
        if !section.trim().is_empty() {
            out.push('\n');
            out.push_str(section.trim_end());
            out.push('\n');
        }
    }
    warnings(&mut out, report, style);
    out
}

fn warnings(out: &mut String, report: &Report, style: &Style) {
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Warnings"));
        for w in &report.warnings {
            let _ = writeln!(out, "  {} {}", style.yellow("warning:"), term(w));
        }
    }
}

/// Severity label, coloured, padded to the width of the longest.
pub fn severity(sev: Severity, style: &Style) -> String {
    style.severity(sev, &format!("{:<7}", sev.as_str()))
}

fn header(out: &mut String, report: &Report, style: &Style) {
    let _ = writeln!(
        out,
        "{} {} — {} at {} ({})",
        style.bold(&term(&report.tool.name)),
        term(&report.tool.version),
        term(&report.repo.path),
        term(&report.repo.head_rev),
        term(short_oid(&report.repo.head_oid))
    );
    let base = &report.base;
    let method = match base.method {
        BaseMethod::History => "found by history",
        BaseMethod::Content => "found by content (no shared history)",
        BaseMethod::Explicit => "given with --base",
    };
    let mut how = format!("{method}, confidence {}", view::percent(base.confidence));
    if let Some(d) = base.distance {
        let _ = write!(how, ", {d} fork commit{}", if d == 1 { "" } else { "s" });
    }
    let _ = writeln!(
        out,
        "\n  {}  {} {} ({})  {}",
        style.bold("base  "),
        style.green(&term(base.release.as_deref().unwrap_or("-"))),
        term(&base.rev),
        term(short_oid(&base.oid)),
        style.dim(&how)
    );
    if !base.detail.is_empty() {
        let _ = writeln!(out, "          {}", style.dim(&term(&base.detail)));
    }
    match &report.target {
        Some(t) => {
            let _ = writeln!(
                out,
                "  {}  {} {} ({})",
                style.bold("target"),
                style.green(&term(t.release.as_deref().unwrap_or("-"))),
                term(&t.rev),
                term(short_oid(&t.oid))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  {}  {}",
                style.bold("target"),
                style.dim("none (no release after the base; pass --to)")
            );
        }
    }
}

fn drift(out: &mut String, report: &Report, style: &Style) {
    let d = &report.drift;
    let _ = writeln!(
        out,
        "\n{}  {} files changed, {} insertions(+), {} deletions(-)",
        style.bold("Drift"),
        d.files_changed,
        style.green(&d.lines_added.to_string()),
        style.red(&d.lines_removed.to_string()),
    );
    if let Some(note) = view::theme_only_note(report) {
        let _ = writeln!(out, "  {}", style.bold(&term(&note)));
    }
    let extras = view::drift_extras(report);
    if !extras.is_empty() {
        let _ = writeln!(out, "  {}", style.dim(&term(&extras.join(", "))));
    }
    for table in view::drift_tables(report) {
        let _ = writeln!(out, "\n  {}", style.bold(&term(&table.title)));
        write_table(out, &table, style);
    }
    let values = view::trend_values(report);
    if !values.is_empty() {
        let first = values.first().copied().unwrap_or_default();
        let last = values.last().copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "\n  {}  {}  {} → {} after {} fork commit{}",
            style.bold("Trend"),
            style.cyan(&view::sparkline(&values)),
            first,
            last,
            values.len(),
            if values.len() == 1 { "" } else { "s" }
        );
    }
}

fn findings(out: &mut String, report: &Report, style: &Style) {
    let counts = view::counts(report);
    let _ = writeln!(
        out,
        "\n{}  {}",
        style.bold(if report.check.is_some() {
            "New findings"
        } else {
            "Findings"
        }),
        if counts.total == 0 {
            "none".to_string()
        } else {
            view::counts_line(counts)
        }
    );
    let files = view::group_findings(report);
    // A rule raised on many files (a vendored import: thousands of binary files) is listed
    // once, folded, after the files: its first few findings and how many more there are.
    let spread = view::spread_rules(&files);
    let folded = |rule: &str| spread.contains(rule);
    for file in &files {
        if file.rules.iter().all(|g| folded(g.rule)) {
            continue;
        }
        let _ = writeln!(out, "\n  {}", style.bold(&term(file.path)));
        for group in file.rules.iter().filter(|g| !folded(g.rule)) {
            let _ = writeln!(
                out,
                "    {} {} {}",
                severity(group.severity, style),
                style.bold(&term(group.rule)),
                style.dim(&term(group.name))
            );
            let fold = group.findings.len() > FOLD_SAME;
            if fold {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.bold(&format!(
                        "{} × {} in {}",
                        term(group.rule),
                        group.findings.len(),
                        term(file.path)
                    ))
                );
            }
            let shown = if fold { FOLD_SAME_SHOW } else { usize::MAX };
            for f in group.findings.iter().take(shown) {
                let loc = f.line.map(|l| format!("{l}:")).unwrap_or_default();
                let sev = if f.severity == group.severity {
                    String::new()
                } else {
                    format!("[{}] ", f.severity.as_str())
                };
                let _ = writeln!(
                    out,
                    "      {} {sev}{}",
                    style.dim(&format!("{loc:>6}")),
                    term(&f.message)
                );
                if let Some(t) = &f.target_location {
                    let line = t.line.map(|l| format!(":{l}")).unwrap_or_default();
                    let rev = term(t.rev.as_deref().unwrap_or("target"));
                    let _ = writeln!(
                        out,
                        "             {}",
                        style.dim(&format!("→ {}{line} ({rev})", term(&t.path)))
                    );
                }
            }
            if fold {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.dim(&format!(
                        "… and {} more (every finding: --format json or sarif)",
                        group.findings.len() - FOLD_SAME_SHOW
                    ))
                );
            }
        }
    }
    folded_findings(out, &files, style);
}

/// The rules raised on more than [`FOLD_AT`] files (the same fold as
/// [`view::fold_findings`]), each as one block: the first [`FOLD_SHOW`] findings and a count
/// of the rest.
fn folded_findings(out: &mut String, files: &[view::FileGroup<'_>], style: &Style) {
    let mut by_rule: Vec<(&str, &str, Severity, Vec<&Finding>)> = Vec::new();
    for file in files {
        for group in &file.rules {
            match by_rule.iter_mut().find(|r| r.0 == group.rule) {
                Some(r) => {
                    r.2 = r.2.max(group.severity);
                    r.3.extend(group.findings.iter().copied());
                }
                None => by_rule.push((
                    group.rule,
                    group.name,
                    group.severity,
                    group.findings.clone(),
                )),
            }
        }
    }
    for (rule, name, severity_of, found) in by_rule {
        let files: std::collections::BTreeSet<&str> =
            found.iter().map(|f| f.path.as_str()).collect();
        if files.len() <= FOLD_AT {
            continue;
        }
        let _ = writeln!(
            out,
            "\n  {} {} {} {}",
            severity(severity_of, style),
            style.bold(&term(rule)),
            style.dim(&term(name)),
            style.bold(&format!(
                "× {} findings in {} files",
                found.len(),
                files.len()
            ))
        );
        for f in found.iter().take(FOLD_SHOW) {
            let _ = writeln!(out, "      {}: {}", term(&f.path), term(&f.message));
        }
        let _ = writeln!(
            out,
            "      {}",
            style.dim(&format!(
                "… and {} more (every finding: --format json or sarif)",
                found.len().saturating_sub(FOLD_SHOW)
            ))
        );
    }
}

/// A view table as aligned columns (numbers right-aligned), indented four spaces. Cells and
/// headers are escaped for the terminal here.
pub fn write_table(out: &mut String, table: &Table, style: &Style) {
    let escaped =
        |cells: &[String]| -> Vec<String> { cells.iter().map(|c| term(c).into_owned()).collect() };
    let mut grid = Grid::new().header(escaped(&table.headers));
    for (i, numeric) in table.numeric.iter().enumerate() {
        if *numeric {
            grid = grid.right(i);
        }
    }
    for row in &table.rows {
        grid.row(escaped(row));
    }
    out.push_str(&grid.render(4, style));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn plain_text_has_header_drift_and_grouped_findings() {
        let out = render(&sample_report(), &Style::plain());
        insta::assert_snapshot!(out);
    }

    #[test]
    fn colours_only_when_asked() {
        let report = sample_report();
        assert!(!render(&report, &Style::plain()).contains('\x1b'));
        assert!(render(&report, &Style { color: true }).contains("\x1b[31m"));
    }
}

#[cfg(test)]
mod fold_tests {
    use super::*;
    use crate::render::tests::sample_report;

    /// A rule raised on more files than [`FOLD_AT`] is one block with [`FOLD_SHOW`] findings
    /// and a count; a rule on few files is still listed under each file.
    #[test]
    fn a_rule_on_many_files_is_folded() {
        let mut report = sample_report();
        let template = report.findings[0].clone();
        let few: Vec<String> = report.findings.iter().map(|f| f.path.clone()).collect();
        for i in 0..40 {
            let mut f = template.clone();
            f.rule = "FC103".into();
            f.name = "binary-core-change".into();
            f.path = format!("common/static/vendor/img{i:02}.png");
            f.message = format!("binary file img{i:02}.png added");
            report.findings.push(f);
        }
        let out = render(&report, &Style::plain());
        assert!(
            out.contains("FC103 binary-core-change × 40 findings in 40 files"),
            "{out}"
        );
        assert!(out.contains("… and 30 more"), "{out}");
        assert!(out.contains("img09.png added"), "{out}");
        assert!(!out.contains("img10.png added"), "{out}");
        for path in few {
            assert!(out.contains(&path), "{path} is listed: {out}");
        }
    }
}
