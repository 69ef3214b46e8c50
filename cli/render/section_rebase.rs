//! Terminal rendering of the `rebase` and `triage` sections: the predicted conflicts, every fork
//! commit's replay outcome, the cost, and the triage ranking. Plain functions of the report;
//! strings from the repository go through [`term`].

use std::fmt::Write as _;

use forkcheck_analyzers::rebase::{FileConflict, Outcome, RebaseSection};
use forkcheck_analyzers::Report;

use super::escape::{short_oid, term};
use super::style::Style;
use super::table::Grid;

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let target = report
        .target
        .as_ref()
        .map(|t| term(&t.rev).into_owned())
        .unwrap_or_else(|| "the target".into());
    if let Some(r) = &report.rebase {
        rebase(&mut out, r, &target, style);
    }
    if let Some(t) = &report.triage {
        out.push_str(&super::triage::section(t, style));
    }
    out
}

fn outcome(o: Outcome, style: &Style) -> String {
    let label = o.as_str();
    match o {
        Outcome::Clean => style.green(label),
        Outcome::Conflict => style.red(label),
        Outcome::TargetDeleted => style.red(label),
        Outcome::Empty => style.dim(label),
    }
}

fn conflict_line(c: &FileConflict) -> String {
    let mut s = format!("{} ({}", term(&c.path), c.kind.as_str());
    if !c.hunks.is_empty() {
        let lines: Vec<String> = c
            .hunks
            .iter()
            .map(|h| {
                if h.lines.fork.is_empty() || h.lines.fork.start == h.lines.fork.end {
                    h.lines.fork.start.to_string()
                } else {
                    format!("{}–{}", h.lines.fork.start, h.lines.fork.end)
                }
            })
            .collect();
        let _ = write!(s, ", fork lines {}", lines.join(", "));
    }
    s.push(')');
    s
}

fn rebase(out: &mut String, r: &RebaseSection, target: &str, style: &Style) {
    let s = &r.summary;
    let _ = writeln!(out, "\n{}", style.bold(&format!("Rebase onto {target}")));
    let _ = writeln!(
        out,
        "  {} commits: {} clean, {} conflict, {} target-deleted, {} empty; {} already upstream. Estimated effort {}.",
        s.commits,
        s.clean,
        s.conflict,
        s.target_deleted,
        s.empty,
        s.already_upstream,
        style.bold(&r.cost.display())
    );
    let (fork, release): (Vec<&FileConflict>, Vec<&FileConflict>) =
        r.conflicts.iter().partition(|c| c.fork_changed);
    if !fork.is_empty() {
        let _ = writeln!(
            out,
            "  Conflicting files (merge of the fork onto {target}):"
        );
        for c in fork {
            let _ = writeln!(out, "    {} {}", style.red("✗"), conflict_line(c));
            let mut seen = Vec::new();
            for h in &c.hunks {
                for u in &h.upstream_commits {
                    if seen.contains(&&u.oid) {
                        continue;
                    }
                    seen.push(&u.oid);
                    let _ = writeln!(
                        out,
                        "        {} {} {}",
                        style.dim("upstream"),
                        term(short_oid(&u.oid)),
                        term(&u.summary)
                    );
                }
            }
            if let Some(d) = &c.deleted_in {
                let _ = writeln!(
                    out,
                    "        {} {} {}",
                    style.dim("deleted in"),
                    term(short_oid(&d.oid)),
                    term(&d.summary)
                );
            }
        }
    }
    if !release.is_empty() {
        let names: Vec<String> = release.iter().map(|c| term(&c.path).into_owned()).collect();
        let _ = writeln!(
            out,
            "  {}",
            style.dim(&format!(
                "Also conflicting in a plain merge, from the base release's own branch (no fork commit touches them; `git rebase --onto` avoids them): {}",
                names.join(", ")
            ))
        );
    }
    if !r.commits.is_empty() {
        let _ = writeln!(out, "  Commit by commit:");
        let mut grid = Grid::new().right(3);
        for c in &r.commits {
            let mut extra = Vec::new();
            if !c.conflicts.is_empty() {
                let files: Vec<&str> = c.conflicts.iter().map(|f| f.path.as_str()).collect();
                extra.push(term(&files.join(", ")).into_owned());
            }
            if !c.target_deleted.is_empty() {
                extra.push(format!(
                    "deleted upstream: {}",
                    term(&c.target_deleted.join(", "))
                ));
            }
            if let Some(m) = &c.upstream {
                extra.push(match &m.commit {
                    Some(u) => format!("upstream as {} (patch-id)", term(short_oid(&u.oid))),
                    None => "upstream (same content)".into(),
                });
            }
            if !c.residue.is_empty() {
                extra.push(format!("residue: {}", term(&c.residue.join(", "))));
            }
            grid.row(vec![
                style.dim(&term(short_oid(&c.oid))),
                outcome(c.outcome, style),
                truncate(&term(&c.summary), 52),
                c.cost.display(),
                if extra.is_empty() {
                    String::new()
                } else {
                    style.dim(&extra.join("; "))
                },
            ]);
        }
        out.push_str(&grid.render(4, style));
    }
}

/// `s` cut to `n` characters, `…` marking the cut.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{t}…")
    }
}
