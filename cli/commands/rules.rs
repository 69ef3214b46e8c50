//! `forkcheck rules [ID]`: the rule table, one rule's full explanation, or (`--markdown`) the
//! rule reference that `docs/rules.md` holds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::rules::{Rule, Rules};

use crate::args::RulesArgs;
use crate::failure::Failure;
use crate::output;
use crate::render::escape::{md_code, md_message, term};
use crate::render::style::Style;
use crate::render::terminal;

pub fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let rules = Rules::load(&BTreeMap::new()).context("cannot load the built-in rules")?;
    let style = Style::detect();
    let text = if args.markdown {
        markdown(&rules)
    } else if let Some(id) = &args.id {
        let rule = find(&rules, id).ok_or_else(|| {
            Failure::new(exit::USAGE, format!("no rule `{id}`"))
                .help("`forkcheck rules` lists every rule id and name")
        })?;
        explain(rule, &style)
    } else {
        table(&rules, &style)
    };
    output::write_stdout(&text)?;
    Ok(exit::OK)
}

/// A rule by id (any case) or name.
fn find<'a>(rules: &'a Rules, id: &str) -> Option<&'a Rule> {
    rules
        .all()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}

fn table(rules: &Rules, style: &Style) -> String {
    let mut out = String::new();
    let name_width = rules.all().map(|r| r.name.len()).max().unwrap_or(4);
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{:<6} {:<7} {:<name_width$}  summary",
            "id", "default", "name"
        ))
    );
    for r in rules.all() {
        let _ = writeln!(
            out,
            "{} {} {:<name_width$}  {}",
            style.bold(&format!("{:<6}", term(&r.id))),
            terminal::severity(r.severity, style),
            term(&r.name),
            term(&r.summary)
        );
    }
    if rules.all().next().is_none() {
        let _ = writeln!(out, "no rules");
    }
    let _ = writeln!(
        out,
        "\n{}",
        style.dim("`forkcheck rules ID` explains one rule.")
    );
    out
}

fn explain(r: &Rule, style: &Style) -> String {
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
        terminal::severity(r.severity, style).trim_end()
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
            summary = cell(&r.summary)
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

/// A rule's summary in the table: its code spans kept, everything else escaped.
fn cell(text: &str) -> String {
    md_message(text.trim())
}
