//! Terminal rendering of what breaks at the target beyond the diff: the `migrations`,
//! `dependencies` and `deprecations` sections. The findings (with their fixes) are listed with
//! every other finding; these tables give the whole picture per migration, package and use.
//! Strings from the repository go through [`term`].

use std::fmt::Write as _;

use forkcheck_analyzers::Report;

use super::escape::term;
use super::style::Style;

fn against(rev: &Option<String>) -> String {
    match rev {
        Some(r) => format!("against {}", term(r)),
        None => "no target release in the repository".to_string(),
    }
}

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let b = &report.breaks;
    if let Some(m) = b.migrations.as_ref().filter(|m| !m.migrations.is_empty()) {
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold("Migrations"),
            style.dim(&against(&m.against))
        );
        for x in &m.migrations {
            let verdict = x.verdicts.join(", ");
            let painted = if x.verdicts.iter().any(|v| v == "ok" || v == "unknown") {
                style.dim(&verdict)
            } else {
                style.yellow(&verdict)
            };
            let _ = writeln!(
                out,
                "  {}  {} {}  {}",
                style.cyan(&term(&x.path)),
                x.status,
                if x.upstream_app {
                    "(upstream app)"
                } else {
                    "(fork app)"
                },
                painted
            );
        }
    }
    if let Some(d) = b
        .dependencies
        .as_ref()
        .filter(|d| !d.packages.is_empty() || !d.entry_points.is_empty())
    {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold("Dependency pins"),
            style.dim(&against(&d.against))
        );
        for p in &d.packages {
            let target = match (&p.target, &p.target_constraint) {
                (Some(t), Some(c)) => format!("target {} (constraint {})", term(t), term(c)),
                (Some(t), None) => format!("target {}", term(t)),
                (None, Some(c)) => format!("target constraint {}", term(c)),
                (None, None) if d.against.is_some() => "not in the target".to_string(),
                (None, None) => String::new(),
            };
            let target = match (&p.fork_resolved, &p.target_resolved) {
                (None, None) => target,
                (f, t) => format!(
                    "{target}  lock {} → {}",
                    f.as_deref().map(term).unwrap_or_else(|| "-".into()),
                    t.as_deref().map(term).unwrap_or_else(|| "-".into())
                ),
            };
            let _ = writeln!(
                out,
                "  {}:{}  {} {} {}{}  {}",
                term(&p.path),
                p.line,
                style.cyan(&term(&p.package)),
                p.action,
                p.base
                    .as_deref()
                    .map(|b| format!("{} → ", term(b)))
                    .unwrap_or_default(),
                term(&p.fork),
                style.dim(&target)
            );
        }
        for e in &d.entry_points {
            let _ = writeln!(
                out,
                "  {}:{}  entry point {} {} = {}  {}  {}",
                term(&e.path),
                e.line,
                term(&e.group),
                style.cyan(&term(&e.name)),
                term(&e.value),
                e.action,
                style.dim(&e.verdicts.join(", "))
            );
        }
    }
    if let Some(r) = b.deprecations.as_ref().filter(|r| !r.uses.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        let django = r
            .target_django
            .as_deref()
            .map(|v| format!(", Django {}", term(v)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold("Removed APIs"),
            style.dim(&format!("{}{django}", against(&r.against)))
        );
        for u in &r.uses {
            let first = u
                .release
                .as_deref()
                .map(|rel| format!(", first release: {}", term(rel)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}:{}  {}  {}{}{}{}",
                term(&u.path),
                u.line,
                style.cyan(&term(&u.api)),
                term(&u.removed_in),
                first,
                if u.already_broken {
                    " (already at the base)"
                } else {
                    ""
                },
                if u.theme { " [theme]" } else { "" }
            );
        }
    }
    out
}
