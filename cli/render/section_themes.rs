//! Terminal rendering of the `themes` part of the report (issue 4): the override inventory
//! (status, divergence from the base, upstream change up to the target), context risks,
//! suggestions, and the in-place template edits with their move plan. The terminal renderer
//! calls it after the findings and skips an empty result. Strings from the repository go through
//! [`term`].

use std::fmt::Write as _;

use forkcheck_analyzers::themes::{OverrideEntry, ThemesSection};
use forkcheck_analyzers::Report;

use super::escape::{short_oid, term};
use super::style::Style;
use super::table::Grid;

pub fn render(report: &Report, style: &Style) -> String {
    let Some(section) = &report.themes else {
        return String::new();
    };
    if section.themes.is_empty() && section.in_place.is_empty() {
        return String::new(); // nothing theme-related in this fork: stay quiet
    }
    let base = report
        .base
        .release
        .clone()
        .unwrap_or_else(|| report.base.rev.clone());
    let target = report
        .target
        .as_ref()
        .map(|t| t.release.clone().unwrap_or_else(|| t.rev.clone()));
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", style.bold("Themes"), headline(section));
    themes_line(&mut out, section, style);
    if !section.overrides.is_empty() {
        let _ = writeln!(out, "\n  {}", style.bold("Overrides"));
        out.push_str(&overrides_table(section, &base, target.as_deref(), style));
    }
    risks(&mut out, section, target.as_deref(), style);
    upstream_commits(&mut out, section, style);
    suggestions(&mut out, section, style);
    move_plan(&mut out, section, style);
    out
}

fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn headline(s: &ThemesSection) -> String {
    let sum = &s.summary;
    let mut parts = vec![plural(sum.overrides, "theme file")];
    if !sum.by_status.is_empty() {
        let order = [
            "orphaned",
            "stale",
            "misplaced",
            "dead",
            "redundant",
            "diverged",
            "addition",
        ];
        let by: Vec<String> = order
            .iter()
            .filter_map(|st| sum.by_status.get(*st).map(|n| format!("{n} {st}")))
            .collect();
        parts[0] = format!("{} ({})", parts[0], by.join(", "));
    }
    parts.push(plural(sum.context_risks, "context risk"));
    parts.push(plural(sum.in_place, "in-place template edit"));
    parts.join(", ")
}

fn themes_line(out: &mut String, s: &ThemesSection, style: &Style) {
    if s.themes.is_empty() {
        let roots = if s.roots.is_empty() {
            "-".to_string()
        } else {
            s.roots.join(", ")
        };
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!("no themes under {}", term(&roots)))
        );
        return;
    }
    let list: Vec<String> = s
        .themes
        .iter()
        .map(|t| {
            let mut d = format!("{} ({}", t.path, t.services.join("+"));
            if t.upstream {
                d.push_str(", upstream's example theme");
            }
            if t.fork_files > 0 {
                let _ = write!(d, ", {} fork files", t.fork_files);
            }
            if t.upstream_files > 0 {
                let _ = write!(d, ", {} upstream files", t.upstream_files);
            }
            d.push(')');
            d
        })
        .collect();
    let _ = writeln!(
        out,
        "  {}",
        style.dim(&format!("themes: {}", term(&list.join("; "))))
    );
}

/// The override inventory, worst first, the status coloured by severity.
fn overrides_table(s: &ThemesSection, base: &str, target: Option<&str>, style: &Style) -> String {
    let mut grid = Grid::new().header(vec![
        "status".into(),
        "theme file".into(),
        "original".into(),
        format!("vs {}", term(base)),
        format!("upstream → {}", term(target.unwrap_or("target"))),
    ]);
    for o in by_severity(&s.overrides) {
        let file = s
            .themes
            .iter()
            .find(|t| t.name == o.theme)
            .and_then(|t| o.path.strip_prefix(&format!("{}/", t.path)))
            .unwrap_or(&o.path)
            .to_string();
        let original = match (&o.original, &o.should_live_at) {
            (Some(orig), Some(_)) if o.rule == "FC409" => format!("{orig} (other directory)"),
            (Some(orig), Some(_)) => format!("{orig} (other service)"),
            (Some(orig), None) => orig.clone(),
            (None, _) => "-".into(),
        };
        grid.row(vec![
            style.severity(o.severity, &term(&o.status)),
            term(&format!("{}/{file}", o.theme)).into_owned(),
            term(&original).into_owned(),
            divergence_cell(o),
            upstream_cell(o, target.is_some()),
        ]);
    }
    grid.render(4, style)
}

/// Worst first, then by path (the section itself is in path order).
fn by_severity(overrides: &[OverrideEntry]) -> Vec<&OverrideEntry> {
    let mut v: Vec<&OverrideEntry> = overrides.iter().collect();
    v.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.path.cmp(&b.path)));
    v
}

fn divergence_cell(o: &OverrideEntry) -> String {
    match &o.divergence {
        Some(d) if d.binary && d.regions == 0 => "identical (binary)".into(),
        Some(d) if d.binary => "different (binary)".into(),
        Some(d) if d.regions == 0 => "identical".into(),
        Some(d) => format!(
            "+{} −{} in {}, {:.2}",
            d.lines_added,
            d.lines_removed,
            plural(d.regions, "region"),
            d.similarity
        ),
        None => "-".into(),
    }
}

fn upstream_cell(o: &OverrideEntry, has_target: bool) -> String {
    if !has_target {
        return "-".into();
    }
    match (o.status.as_str(), &o.staleness) {
        ("orphaned", _) => "removed".into(),
        (_, Some(st)) => format!(
            "{} +{} −{}, {}",
            st.change.as_str(),
            st.lines_added,
            st.lines_removed,
            plural(st.commits_total, "commit")
        ),
        ("misplaced" | "dead" | "addition", None) => "-".into(),
        (_, None) => "unchanged".into(),
    }
}

fn risks(out: &mut String, s: &ThemesSection, target: Option<&str>, style: &Style) {
    let with: Vec<&OverrideEntry> = s
        .overrides
        .iter()
        .filter(|o| !o.context_risks.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    let t = term(target.unwrap_or("target"));
    let _ = writeln!(out, "\n  {}", style.bold("Context risks"));
    for o in with {
        for r in &o.context_risks {
            let at = r.line.map(|l| format!(":{l}")).unwrap_or_default();
            let what = match (r.change.as_str(), &r.renamed_to) {
                ("renamed", Some(to)) => format!("`{}` renamed `{to}` in {t}", r.name),
                ("removed", _) => format!("`{}` no longer read by {t}'s original", r.name),
                ("added", _) => format!("`{}` newly read by {t}'s original", r.name),
                ("page-arg", _) => format!("new <%page> arg `{}` in {t}", r.name),
                _ => format!("`{}` no longer passed by the view", r.name),
            };
            let mut extra = Vec::new();
            if let Some(l) = r.target_line {
                extra.push(format!(
                    "{}:{l} in {t}",
                    o.original.as_deref().unwrap_or("original")
                ));
            }
            if let Some(v) = &r.view {
                extra.push(format!("view {v}"));
            }
            let extra = if extra.is_empty() {
                String::new()
            } else {
                format!("  {}", style.dim(&format!("({})", term(&extra.join("; ")))))
            };
            let _ = writeln!(
                out,
                "    {} {}{extra}",
                style.yellow(&format!("{}{at}", term(&o.path))),
                term(&what)
            );
        }
    }
}

fn upstream_commits(out: &mut String, s: &ThemesSection, style: &Style) {
    let stale: Vec<&OverrideEntry> = s
        .overrides
        .iter()
        .filter(|o| {
            o.staleness
                .as_ref()
                .is_some_and(|st| !st.commits.is_empty())
        })
        .collect();
    if stale.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n  {}",
        style.bold("Upstream changes to overridden files")
    );
    for o in stale {
        let Some(st) = &o.staleness else { continue };
        let original = o.original.as_deref().unwrap_or("?");
        let details = if st.details.is_empty() {
            String::new()
        } else {
            format!(": {}", term(&st.details.join(", ")))
        };
        let _ = writeln!(
            out,
            "    {} {}{details}",
            style.bold(&term(original)),
            style.dim(st.change.as_str())
        );
        for c in &st.commits {
            let _ = writeln!(
                out,
                "      {} {}",
                style.dim(&term(short_oid(&c.oid))),
                term(&c.summary)
            );
        }
        let more = st.commits_total.saturating_sub(st.commits.len() as u64);
        if more > 0 {
            let _ = writeln!(out, "      {}", style.dim(&format!("… and {more} more")));
        }
    }
}

fn suggestions(out: &mut String, s: &ThemesSection, style: &Style) {
    let with: Vec<&OverrideEntry> = s
        .overrides
        .iter()
        .filter(|o| o.suggestion.is_some())
        .collect();
    if with.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n  {}", style.bold("Suggestions"));
    for o in with {
        let _ = writeln!(
            out,
            "    {} {}",
            style.bold(&term(&o.path)),
            term(o.suggestion.as_deref().unwrap_or(""))
        );
    }
}

fn move_plan(out: &mut String, s: &ThemesSection, style: &Style) {
    if s.move_plan.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n  {}  {}",
        style.bold("Move plan for in-place template edits"),
        style.dim("(forkcheck never moves files)")
    );
    let mut grid = Grid::new();
    for m in &s.move_plan {
        let how = if m.action == "move" {
            "move"
        } else {
            "copy, then restore upstream's file"
        };
        grid.row(vec![
            term(&m.from).into_owned(),
            "→".into(),
            term(&m.to).into_owned(),
            style.dim(&format!("({how})")),
        ]);
    }
    out.push_str(&grid.render(4, style));
}

#[cfg(test)]
mod tests {
    use super::*;
    use forkcheck_analyzers::report::Severity;
    use forkcheck_analyzers::themes::{
        ContextRisk, MoveStep, Staleness, ThemeInfo, ThemesSummary, UpstreamCommit,
    };

    fn entry(path: &str, status: &str, severity: Severity) -> OverrideEntry {
        OverrideEntry {
            theme: "acme".into(),
            service: "lms".into(),
            path: format!("themes/acme/lms/templates/{path}"),
            kind: "template".into(),
            language: Some("mako".into()),
            status: status.into(),
            rule: "FC403".into(),
            severity,
            original: Some(format!("lms/templates/{path}")),
            should_live_at: None,
            divergence: None,
            copied_from: None,
            staleness: None,
            context_risks: Vec::new(),
            suggestion: None,
            advice: None,
        }
    }

    fn section() -> ThemesSection {
        let mut stale = entry("index.html", "stale", Severity::Warning);
        stale.staleness = Some(Staleness {
            change: forkcheck_analyzers::themes::noise::ChangeClass::Structural,
            lines_added: 2,
            lines_removed: 2,
            details: vec!["context name `b` added".into()],
            commits: vec![UpstreamCommit {
                oid: "0123456789abcdef0123456789abcdef01234567".into(),
                summary: "refactor: rename a to b".into(),
            }],
            commits_total: 3,
            target_original: None,
        });
        stale.context_risks = vec![ContextRisk {
            name: "a".into(),
            change: "renamed".into(),
            renamed_to: Some("b".into()),
            line: Some(17),
            target_line: Some(18),
            view: Some("lms/djangoapps/branding/views.py".into()),
        }];
        stale.suggestion = Some("keep only the blocks".into());
        let orphan = entry("press.html", "orphaned", Severity::Error);
        ThemesSection {
            roots: vec!["themes".into()],
            themes: vec![ThemeInfo {
                name: "acme".into(),
                path: "themes/acme".into(),
                services: vec!["lms".into()],
                files: 2,
                fork_files: 2,
                upstream_files: 0,
                upstream: false,
            }],
            overrides: vec![stale, orphan],
            in_place: Vec::new(),
            move_plan: vec![MoveStep {
                from: "lms/templates/dashboard.html".into(),
                to: "themes/acme/lms/templates/dashboard.html".into(),
                action: "copy-and-restore".into(),
            }],
            summary: ThemesSummary {
                themes: 1,
                overrides: 2,
                by_status: [("stale".to_string(), 1), ("orphaned".to_string(), 1)]
                    .into_iter()
                    .collect(),
                context_risks: 1,
                in_place: 1,
            },
        }
    }

    #[test]
    fn no_section_renders_nothing() {
        let mut report = crate::render::tests::sample_report();
        report.themes = None;
        assert!(render(&report, &Style::plain()).is_empty());
    }

    #[test]
    fn renders_inventory_risks_commits_and_move_plan() {
        let mut report = crate::render::tests::sample_report();
        report.themes = Some(section());
        let out = render(&report, &Style::plain());
        assert!(out.contains("2 theme files (1 orphaned, 1 stale)"), "{out}");
        assert!(out.contains("acme/lms/templates/index.html"), "{out}");
        assert!(out.contains("structural +2 −2, 3 commits"), "{out}");
        assert!(out.contains("removed"), "{out}");
        assert!(
            out.contains("themes/acme/lms/templates/index.html:17 `a` renamed `b`"),
            "{out}"
        );
        assert!(out.contains("0123456789 refactor: rename a to b"), "{out}");
        assert!(out.contains("… and 2 more"), "{out}");
        assert!(
            out.contains(
                "lms/templates/dashboard.html  →  themes/acme/lms/templates/dashboard.html"
            ),
            "{out}"
        );
        assert!(!out.contains('\x1b'));
        let coloured = render(&report, &Style { color: true });
        assert!(coloured.contains("\x1b[31morphaned"), "{coloured}");
    }
}
