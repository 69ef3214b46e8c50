//! `forkcheck rules`: the rule table, one rule's full explanation (terminal), and the rule
//! reference that `docs/rules.md` holds (Markdown).

use std::fmt::Write as _;

use forkcheck_analyzers::rules::{Rule, Rules};

use super::escape::{md_code, md_message, term};
use super::style::Style;
use super::table::Grid;

/// One line per rule: id, default severity, name and summary.
pub fn table(rules: &Rules, style: &Style) -> String {
    let mut out = String::new();
    let mut grid = Grid::new().header(vec![
        "id".into(),
        "default".into(),
        "name".into(),
        "summary".into(),
    ]);
    for r in rules.all() {
        grid.row(vec![
            style.bold(&term(&r.id)),
            style.severity(r.severity, r.severity.as_str()),
            term(&r.name).into_owned(),
            term(&r.summary).into_owned(),
        ]);
    }
    if grid.is_empty() {
        let _ = writeln!(out, "no rules");
    } else {
        out.push_str(&grid.render(0, style));
    }
    let _ = writeln!(
        out,
        "\n{}",
        style.dim("`forkcheck rules ID` explains one rule.")
    );
    out
}

/// One rule in full: what it finds, why it costs, an example, the fix.
pub fn explain(r: &Rule, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        style.bold(&term(&r.id)),
        style.bold(&term(&r.name))
    );
    let _ = writeln!(
        out,
        "kind: {}   default severity: {}\n",
        r.kind.as_str(),
        style.severity(r.severity, r.severity.as_str())
    );
    let _ = writeln!(out, "{}\n", term(r.summary.trim()));
    for (title, body) in [
        ("Why", &r.rationale),
        ("Example", &r.example),
        ("Fix", &r.fix),
    ] {
        let _ = writeln!(out, "{}", style.bold(title));
        for line in body.trim().lines() {
            let _ = writeln!(out, "  {}", term(line));
        }
        out.push('\n');
    }
    if !r.references.is_empty() {
        let _ = writeln!(out, "{}", style.bold("References"));
        for reference in &r.references {
            let _ = writeln!(out, "  {}", term(reference));
        }
    }
    out.trim_end().to_string() + "\n"
}

/// The rule reference, as committed in `docs/rules.md`.
pub fn markdown(rules: &Rules) -> String {
    let mut out = String::from(
        "# forkcheck rules\n\n\
         <!-- Generated from rules/*.toml by `forkcheck rules --markdown > docs/rules.md`. \
         Do not edit by hand: edit the TOML and regenerate. -->\n\n\
         Each rule has an id, a name (the pattern it flags), a kind and a default severity \
         (override it under `[severity]` in forkcheck.toml).\n\n",
    );
    out.push_str("| Id | Name | Kind | Severity | Summary |\n|---|---|---|---|---|\n");
    for r in rules.all() {
        let _ = writeln!(
            out,
            "| [{id}](#{anchor}) | {name} | {kind} | {sev} | {summary} |",
            id = r.id,
            anchor = r.id.to_lowercase(),
            name = md_code(&r.name),
            kind = r.kind.as_str(),
            sev = r.severity.as_str(),
            summary = md_message(r.summary.trim())
        );
    }
    for r in rules.all() {
        let _ = write!(
            out,
            "\n## {id}\n\n{name} · kind `{kind}` · default severity `{sev}`\n\n{summary}\n\n\
             ### Why\n\n{why}\n\n### Example\n\n{example}\n\n### Fix\n\n{fix}\n",
            id = r.id,
            name = md_code(&r.name),
            kind = r.kind.as_str(),
            sev = r.severity.as_str(),
            summary = r.summary.trim(),
            why = r.rationale.trim(),
            example = r.example.trim(),
            fix = r.fix.trim(),
        );
        if !r.references.is_empty() {
            out.push_str("\n### References\n\n");
            for reference in &r.references {
                let _ = writeln!(out, "- {reference}");
            }
        }
    }
    out
}
