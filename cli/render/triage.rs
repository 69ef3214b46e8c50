//! The triage ranking (`forkcheck triage`, and the report's triage section): for the terminal,
//! as Markdown (the report's own partial, `templates/sections/triage.md.tera`) and as JSON.

use std::fmt::Write as _;

use forkcheck_analyzers::triage::TriageSection;

use super::escape::{short_oid, term};
use super::section_rebase::truncate;
use super::style::Style;

pub fn json(t: &TriageSection) -> anyhow::Result<String> {
    super::json::pretty(t)
}

/// The ranking as a Markdown document.
pub fn markdown(t: &TriageSection) -> anyhow::Result<String> {
    if t.items.is_empty() {
        return Ok("# Triage\n\nNo fork commits since the base.\n".into());
    }
    let text = super::templates::render_triage(t)?;
    Ok(text.trim_start().to_string())
}

/// The ranking for the terminal (`forkcheck triage`).
pub fn terminal(t: &TriageSection, style: &Style) -> String {
    if t.items.is_empty() {
        return "No fork commits since the base.\n".into();
    }
    section(t, style).trim_start().to_string()
}

/// The report's triage section for the terminal, starting with a blank line; empty when there
/// is nothing to rank.
pub fn section(t: &TriageSection, style: &Style) -> String {
    let mut out = String::new();
    if t.items.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n{}",
        style.bold("Triage (largest saving per release first)")
    );
    for i in &t.items {
        let _ = writeln!(
            out,
            "  {} {} {:<48} saves {}",
            style.dim(&term(short_oid(&i.commit))),
            style.cyan(&format!("{:<19}", i.class.as_str())),
            truncate(&term(&i.summary), 48),
            i.saving.display()
        );
        let _ = writeln!(out, "      {} {}", style.dim("→"), term(&i.action));
        if !i.reasons.is_empty() {
            let _ = writeln!(out, "      {}", style.dim(&term(&i.reasons.join("; "))));
        }
        for tr in &i.trailers {
            let _ = writeln!(
                out,
                "      {}",
                style.dim(&term(&format!("{}: {}", tr.key, tr.value)))
            );
        }
    }
    let _ = writeln!(
        out,
        "  Moving every non-fork-specific commit out of the fork saves about {} per release.",
        t.total_saving.display()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TriageSection {
        serde_json::from_value(serde_json::json!({
            "items": [{
                "commit": "0123456789abcdef",
                "summary": "brand | the <platform>",
                "author": "a",
                "class": "configuration",
                "reasons": ["edits `PLATFORM_NAME`"],
                "files": ["lms/envs/common.py"],
                "trailers": [{"key": "Forwarded", "value": "no"}],
                "saving": {"low": 1.0, "high": 2.5},
                "action": "move it to YAML",
            }],
            "counts": {"configuration": 1},
            "total_saving": {"low": 1.0, "high": 2.5},
        }))
        .unwrap()
    }

    #[test]
    fn markdown_is_the_report_partial_under_a_top_heading() {
        let out = markdown(&sample()).unwrap();
        assert!(out.starts_with("# Triage\n"), "{out}");
        assert!(out.contains("| `0123456789` | configuration | brand \\| the &lt;platform&gt;<br>Forwarded: no |"), "{out}");
        assert!(out.contains("`PLATFORM_NAME`"), "{out}");
        let empty = TriageSection::default();
        assert_eq!(
            markdown(&empty).unwrap(),
            "# Triage\n\nNo fork commits since the base.\n"
        );
    }

    #[test]
    fn terminal_ranks_without_a_leading_blank_line() {
        let out = terminal(&sample(), &Style::plain());
        assert!(
            out.starts_with("Triage (largest saving per release first)\n"),
            "{out}"
        );
        assert!(out.contains("0123456789 configuration "), "{out}");
        assert!(out.contains("Forwarded: no"), "{out}");
        assert!(section(&TriageSection::default(), &Style::plain()).is_empty());
    }
}
