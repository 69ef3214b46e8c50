//! Terminal rendering of the `config` and `settings` parts of the report: grouped by file, then
//! key or setting, each with its risks and the replacement that carries it in configuration
//! management. Secret values never reach the report, so none can be shown here. Strings from the
//! repository go through [`term`]; findings are joined to keys and settings through one index.

use std::fmt::Write as _;

use forkcheck_analyzers::report::Replacement;
use forkcheck_analyzers::Report;

use super::escape::{term, term_block};
use super::style::Style;
use super::terminal::severity;
use super::view::{carries_replacement, FindingIndex};

pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    if report.config.is_none() && report.settings.is_none() {
        return out;
    }
    let index = FindingIndex::new(report);
    if let Some(config) = &report.config {
        let _ = writeln!(
            out,
            "{}  {}",
            style.bold("Generated config and secrets"),
            style.dim(&format!(
                "{} secret{} committed (values never shown: rotate them, set them from a secret store)",
                config.secrets,
                if config.secrets == 1 { "" } else { "s" }
            ))
        );
        for file in &config.files {
            let _ = writeln!(
                out,
                "\n  {}  {}",
                style.bold(&term(&file.path)),
                style.dim(&term(&format!(
                    "{} {}, {}",
                    file.kind.as_str(),
                    file.status.as_str(),
                    file.format
                )))
            );
            if let Some(e) = &file.error {
                let _ = writeln!(out, "    {} {}", style.yellow("not compared:"), term(e));
            }
            for k in &file.keys {
                let value = if k.secret {
                    style.red("secret (not shown)")
                } else {
                    match (&k.old, &k.new) {
                        (Some(o), Some(n)) => {
                            format!("{} → {}", clip(&o.to_string()), clip(&n.to_string()))
                        }
                        (None, Some(n)) => clip(&n.to_string()),
                        (Some(o), None) => format!("was {}", clip(&o.to_string())),
                        (None, None) => String::new(),
                    }
                };
                let line = k.line.map(|l| l.to_string()).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {}  {}  {}  {}",
                    style.dim(&format!("{line:>5}")),
                    style.cyan(&term(&k.key)),
                    k.status.as_str(),
                    value
                );
                if k.default {
                    let _ = writeln!(
                        out,
                        "             {}",
                        style.dim("the default value: nothing to carry")
                    );
                }
                if let Some(r) = &k.replacement {
                    replacement(&mut out, r, style);
                }
            }
        }
        if !config.private_keys.is_empty() {
            let _ = writeln!(out);
            for k in &config.private_keys {
                let _ = writeln!(
                    out,
                    "  {}:{}  {} {}",
                    style.bold(&term(&k.path)),
                    k.line,
                    style.red(&term(&k.label)),
                    style.dim("(key material not shown)")
                );
            }
        }
    }
    if let Some(settings) = &report.settings {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", style.bold("Settings modules"));
        for file in &settings.files {
            let _ = writeln!(
                out,
                "\n  {}  {}",
                style.bold(&term(&file.path)),
                style.dim(file.status.as_str())
            );
            if let Some(first) = file.parse_errors.first() {
                let _ = writeln!(
                    out,
                    "    {} syntax error at line {first}; only what parsed was analysed",
                    style.yellow("warning:")
                );
            }
            for s in &file.settings {
                let what = if s.secret {
                    style.red("secret (not shown)")
                } else {
                    match (&s.old, &s.new) {
                        (Some(o), Some(n)) => format!("{} → {}", clip(o), clip(n)),
                        (None, Some(n)) => clip(n),
                        (Some(o), None) => format!("was {}", clip(o)),
                        (None, None) => String::new(),
                    }
                };
                let _ = writeln!(
                    out,
                    "    {}  {}  {} {}  {}",
                    style.dim(&format!("{:>5}", s.line)),
                    style.cyan(&term(&s.setting)),
                    s.status.as_str(),
                    style.dim(&format!("({})", s.op.as_str())),
                    what
                );
                let mine = index.setting(&file.path, &s.setting, s.line);
                for f in mine.iter().filter(|f| !carries_replacement(f)) {
                    let target = f
                        .target_location
                        .as_ref()
                        .map(|t| {
                            let line = t.line.map(|l| format!(":{l}")).unwrap_or_default();
                            format!(" → {}{line}", term(&t.path))
                        })
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "           {} {} {}{}",
                        severity(f.severity, style),
                        style.bold(&term(&f.rule)),
                        term(&f.message),
                        style.dim(&target)
                    );
                }
                if let Some(r) = mine
                    .iter()
                    .find(|f| carries_replacement(f))
                    .and_then(|f| f.replacement.as_ref())
                {
                    replacement(&mut out, r, style);
                }
            }
            for o in &file.other {
                let _ = writeln!(
                    out,
                    "    {}  {} {} {}",
                    style.dim(&format!("{:>5}", o.line)),
                    style.dim(&term(&o.category)),
                    o.status.as_str(),
                    clip(&o.text)
                );
            }
        }
    }
    out
}

fn replacement(out: &mut String, r: &Replacement, style: &Style) {
    for (label, value) in [
        ("tutor", &r.tutor),
        ("ansible", &r.ansible),
        ("yaml", &r.yaml),
        ("note", &r.note),
    ] {
        if let Some(v) = value {
            let _ = writeln!(
                out,
                "           {} {}",
                style.green(&format!("{label:>7}:")),
                term_block(v, "                    ")
            );
        }
    }
}

/// A value on one line (whitespace runs collapsed), at most 60 characters, escaped for the
/// terminal.
fn clip(text: &str) -> String {
    let one = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let clipped = if one.chars().count() > 60 {
        format!("{}…", one.chars().take(59).collect::<String>())
    } else {
        one
    };
    term(&clipped).into_owned()
}
