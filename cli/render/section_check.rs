//! The `check` section (differential mode, `forkcheck check`) in the terminal, and the sentences
//! the Markdown and HTML templates show for it.

use std::fmt::Write as _;

use forkcheck_analyzers::check::CheckSection;
use forkcheck_analyzers::Report;

use super::escape::{short_oid, term};
use super::style::Style;
use super::terminal::severity;

/// A signed number of lines: `+12`, `-3`, `0`.
fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

/// A signed number of hours, two decimals at most: `+0.4`, `-1.25`, `0`.
fn hours(h: f64) -> String {
    let text = format!("{:.2}", h.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if text.is_empty() { "0" } else { text };
    if h > 0.0 {
        format!("+{text}")
    } else if h < 0.0 {
        format!("-{text}")
    } else {
        text.to_string()
    }
}

/// The first line of a differential report: does the pull request grow or shrink the fork's
/// rebase cost, by how much, and how many findings it adds and fixes. Plain text (no value
/// from the repository in it).
pub fn headline(check: &CheckSection) -> String {
    let verb = match check.direction() {
        "grows" => "grows",
        "shrinks" => "shrinks",
        _ => "does not change",
    };
    let mut s = format!(
        "This change {verb} the fork's rebase cost: {} lines of drift",
        signed(check.drift.lines_delta)
    );
    if let Some(cost) = &check.cost {
        let _ = write!(
            s,
            ", {} to {} h per release",
            hours(cost.delta_low),
            hours(cost.delta_high)
        );
    }
    let _ = write!(
        s,
        "; {} new finding{}, {} fixed.",
        check.new,
        if check.new == 1 { "" } else { "s" },
        check.fixed.len()
    );
    s
}

/// What the head was compared with, for people.
pub fn compared(check: &CheckSection) -> String {
    let c = &check.compared;
    match (c.source.as_str(), &c.oid) {
        ("baseline", Some(oid)) => {
            format!("baseline {} (written at {})", term(&c.name), short_oid(oid))
        }
        ("baseline", None) => format!("baseline {}", term(&c.name)),
        (_, Some(oid)) if *oid == c.name => short_oid(oid).to_string(),
        (_, Some(oid)) => format!("{} ({})", term(&c.name), short_oid(oid)),
        (_, None) => term(&c.name).into_owned(),
    }
}

/// The terminal's check section: the headline, the deltas, the budgets and the fixed findings.
pub fn render(report: &Report, style: &Style) -> String {
    let Some(check) = &report.check else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&headline(check)));
    let _ = writeln!(out, "  compared with   {}", compared(check));
    let d = &check.drift;
    let _ = writeln!(
        out,
        "  drift           {} → {} changed lines ({}), {} → {} files",
        d.lines_before,
        d.lines_after,
        signed(d.lines_delta),
        d.files_before,
        d.files_after
    );
    if let Some(c) = &check.cost {
        let _ = writeln!(
            out,
            "  rebase estimate {} → {}",
            c.before.display(),
            c.after.display()
        );
    }
    let _ = writeln!(
        out,
        "  findings        {} new, {} fixed, {} unchanged",
        check.new,
        check.fixed.len(),
        check.unchanged
    );
    for b in &check.budgets {
        let mark = if b.passed {
            style.green("within budget")
        } else {
            style.red("over budget")
        };
        let _ = writeln!(out, "  {mark}   {}", term(&b.message));
    }
    if !check.fixed.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Fixed findings"));
        for f in &check.fixed {
            let loc = match f.line {
                Some(l) => format!("{}:{l}", f.path),
                None => f.path.clone(),
            };
            let _ = writeln!(
                out,
                "  {} {} {}  {}",
                severity(f.severity, style),
                style.bold(&term(&f.rule)),
                term(&loc),
                term(&f.message)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_signed_and_short() {
        assert_eq!(hours(0.4), "+0.4");
        assert_eq!(hours(-1.25), "-1.25");
        assert_eq!(hours(0.0), "0");
        assert_eq!(signed(12), "+12");
        assert_eq!(signed(-3), "-3");
        assert_eq!(signed(0), "0");
    }
}
