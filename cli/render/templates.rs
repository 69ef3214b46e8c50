//! The tera templates behind the Markdown and HTML reports, embedded at build time, and the
//! context they are rendered with: `report` (the serialized report, every optional section key
//! present, `null` when the analysis did not run) and `view` (shared, precomputed views).
//! Section partials (`sections/<name>.{md,html}.tera`) belong to the analysis owners.

use forkcheck_analyzers::report::BaseMethod;
use forkcheck_analyzers::Report;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use tera::Tera;

use super::view::{self, Counts, FileGroup, Table};

/// The optional sections of the report, in the order the reports show them.
pub const SECTIONS: &[&str] = &["config", "settings", "themes", "rebase", "triage"];

macro_rules! template {
    ($name:literal) => {
        ($name, include_str!(concat!("../templates/", $name)))
    };
}

const TEMPLATES: &[(&str, &str)] = &[
    template!("report.md.tera"),
    template!("report.html.tera"),
    template!("sections/config.md.tera"),
    template!("sections/settings.md.tera"),
    template!("sections/themes.md.tera"),
    template!("sections/rebase.md.tera"),
    template!("sections/triage.md.tera"),
    template!("sections/config.html.tera"),
    template!("sections/settings.html.tera"),
    template!("sections/themes.html.tera"),
    template!("sections/rebase.html.tera"),
    template!("sections/triage.html.tera"),
];

/// Precomputed views for the templates.
#[derive(Serialize)]
struct View<'a> {
    counts: Counts,
    counts_line: String,
    findings_by_file: Vec<FileGroup<'a>>,
    drift_tables: Vec<Table>,
    drift_extras: Vec<String>,
    trend: Option<Table>,
    sparkline: String,
    base_method: &'static str,
    base_confidence: String,
    base_short: &'a str,
    target_short: Option<&'a str>,
    head_short: &'a str,
}

/// A tera instance with every template loaded and autoescaping on for HTML templates.
pub fn tera() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html.tera"]);
    tera.register_filter("md_cell", md_cell);
    tera.register_filter("md_code", md_code);
    tera.register_filter("html_code", html_code);
    tera.add_raw_templates(TEMPLATES.to_vec())
        .map_err(|e| anyhow::anyhow!("internal error: a report template is invalid: {e:?}"))?;
    Ok(tera)
}

/// Render template `name` for `report`.
pub fn render(name: &str, report: &Report) -> anyhow::Result<String> {
    let tera = tera()?;
    let ctx = context(report);
    tera.render(name, &ctx).map_err(|e| {
        // Tera puts the useful part (which variable, which template) in the source chain.
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        anyhow::anyhow!("internal error: cannot render `{name}`: {msg}")
    })
}

pub fn context(report: &Report) -> tera::Context {
    let mut value = view::report_value(report);
    if let Value::Object(map) = &mut value {
        for section in SECTIONS {
            map.entry(*section).or_insert(Value::Null);
        }
        map.entry("warnings").or_insert(Value::Array(Vec::new()));
    }
    attach_findings(report, &mut value);
    let values = view::trend_values(&value);
    let v = View {
        counts: view::counts(report),
        counts_line: view::counts_line(view::counts(report)),
        findings_by_file: view::group_findings(report),
        drift_tables: view::drift_tables(&value),
        drift_extras: view::drift_extras(report),
        trend: view::trend_table(&value),
        sparkline: view::sparkline(&values),
        base_method: match report.base.method {
            BaseMethod::History => "history",
            BaseMethod::Content => "content (no shared history)",
            BaseMethod::Explicit => "given with --base",
        },
        base_confidence: view::percent(report.base.confidence),
        base_short: view::short_oid(&report.base.oid),
        target_short: report.target.as_ref().map(|t| view::short_oid(&t.oid)),
        head_short: view::short_oid(&report.repo.head_oid),
    };
    // One object moved into the context: the report is not copied again.
    let mut root = serde_json::Map::new();
    root.insert("view".into(), to_value(&v));
    root.insert("report".into(), value);
    tera::Context::from_value(Value::Object(root)).unwrap_or_default()
}

/// Join the findings to the rows of the config and settings sections once, here, so the
/// templates never loop over every finding for every row: each `config.files[].keys[]` gets
/// `view_replacements` (the replacements of the findings on that key), each
/// `settings.files[].settings[]` gets `view_risks` (its findings other than the edit itself) and
/// `view_replacements` (the edit's replacement).
fn attach_findings(report: &Report, value: &mut Value) {
    let index = view::FindingIndex::new(report);
    if let Some(config) = &report.config {
        let files = value["config"]["files"].as_array_mut();
        for (file, fv) in config.files.iter().zip(files.into_iter().flatten()) {
            let keys = fv["keys"].as_array_mut();
            for (k, kv) in file.keys.iter().zip(keys.into_iter().flatten()) {
                let replacements: Vec<Value> = index
                    .key(&file.path, &k.key)
                    .iter()
                    .filter_map(|f| f.replacement.as_ref())
                    .map(to_value)
                    .collect();
                kv["view_replacements"] = Value::Array(replacements);
            }
        }
    }
    if let Some(settings) = &report.settings {
        let files = value["settings"]["files"].as_array_mut();
        for (file, fv) in settings.files.iter().zip(files.into_iter().flatten()) {
            let entries = fv["settings"].as_array_mut();
            for (s, sv) in file.settings.iter().zip(entries.into_iter().flatten()) {
                let mine = index.setting(&file.path, &s.setting, s.line);
                let risks: Vec<Value> = mine
                    .iter()
                    .filter(|f| !view::carries_replacement(f))
                    .map(|f| to_value(*f))
                    .collect();
                let replacements: Vec<Value> = mine
                    .iter()
                    .filter(|f| view::carries_replacement(f))
                    .filter_map(|f| f.replacement.as_ref())
                    .map(to_value)
                    .collect();
                sv["view_risks"] = Value::Array(risks);
                sv["view_replacements"] = Value::Array(replacements);
            }
        }
    }
}

/// A model part as a template value (serializing plain data cannot fail; if it did, the part
/// would be shown empty).
fn to_value<T: Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Markdown table cell: no line breaks, pipes escaped, no raw HTML.
fn md_cell(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => view::scalar(other),
    };
    Ok(Value::String(escape_md(&text)))
}

/// Inline code span that survives any backticks in the text.
fn md_code(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => view::scalar(other),
    };
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    Ok(Value::String(format!("{fence}{pad}{text}{pad}{fence}")))
}

pub fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_are_escaped() {
        assert_eq!(escape_md("a|b\n<c>&"), "a\\|b &lt;c&gt;&amp;");
        let code = md_code(&Value::from("x`y"), &HashMap::new()).unwrap();
        assert_eq!(code, Value::from("``x`y``"));
    }

    #[test]
    fn empty_and_absent_sections_render() {
        // Sections are absent in the sample report and the partials are empty or owner-written:
        // both formats must still render.
        let report = crate::render::tests::sample_report();
        assert!(render("report.md.tera", &report).is_ok());
        assert!(render("report.html.tera", &report).is_ok());
        // Optional fields absent: no distance, no target, no warnings.
        let mut sparse = report.clone();
        sparse.base.distance = None;
        sparse.target = None;
        sparse.warnings.clear();
        let md = render("report.md.tera", &sparse).unwrap();
        assert!(md.contains("none after the base"));
        assert!(!md.contains("## Warnings"));
        assert!(render("report.html.tera", &sparse).is_ok());
        let ctx = context(&report);
        for s in SECTIONS {
            assert!(ctx.get("report").unwrap().get(*s).is_some(), "{s}");
        }
    }
}

/// HTML text with Markdown code spans: escapes the text, then turns each `` `x` `` pair into
/// `<code>x</code>`. Its output is safe HTML (use it as `{{ x | html_code | safe }}`).
fn html_code(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let escaped = tera::escape_html(&text);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        if inside && parts.peek().is_none() {
            // An unpaired backtick: keep it as text.
            out.push('`');
            out.push_str(part);
            break;
        }
        match inside {
            true => {
                out.push_str("<code>");
                out.push_str(part);
                out.push_str("</code>");
            }
            false => out.push_str(part),
        }
        inside = !inside;
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod html_code_tests {
    use super::*;

    fn run(s: &str) -> String {
        html_code(&Value::String(s.into()), &HashMap::new())
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn code_spans_and_escaping() {
        assert_eq!(
            run("secret `A<b>` in `x`"),
            "secret <code>A&lt;b&gt;</code> in <code>x</code>"
        );
        assert_eq!(run("odd ` tick"), "odd ` tick");
        assert_eq!(run("<script>"), "&lt;script&gt;");
    }
}
