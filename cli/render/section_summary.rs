//! The summary that opens the terminal report: one line per decision, then the cost per
//! release and one-time with their top contributors, and the calibration.

use std::fmt::Write as _;

use forkcheck_analyzers::Report;

use super::escape::term;
use super::style::Style;

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    let Some(s) = &report.summary else {
        return out;
    };
    let target = s.target.as_deref().unwrap_or("no target");
    let _ = writeln!(
        out,
        "{}  {} → {}",
        style.bold("Summary"),
        term(&s.base),
        term(target)
    );
    if s.decisions.is_empty() {
        let _ = writeln!(out, "  {}", style.dim("nothing to decide"));
    }
    for d in &s.decisions {
        let _ = writeln!(out, "  • {}", term(&d.text));
    }
    if let Some(c) = &s.per_release {
        let _ = writeln!(
            out,
            "  {} {}{}",
            style.bold("per release:"),
            c.cost.display(),
            top(&c.top)
        );
    }
    if let Some(c) = &s.one_time {
        let _ = writeln!(
            out,
            "  {} {}{}",
            style.bold("one-time:   "),
            c.cost.display(),
            top(&c.top)
        );
    }
    if !s.calibration.is_empty() {
        let _ = writeln!(out, "  {}", style.dim(&term(&s.calibration)));
    }
    out
}

fn top(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(" ({})", term(&items.join(", ")))
    }
}
