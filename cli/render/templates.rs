//! The tera templates behind the Markdown and HTML reports, embedded at build time, and the
//! context they are rendered with: `report` (the serialized report, every optional section key
//! present, `null` when the analysis did not run) and `view` (shared, precomputed views).
//! Section partials (`sections/<name>.{md,html}.tera`) belong to the analysis owners.

use forkcheck_analyzers::report::BaseMethod;
use forkcheck_analyzers::Report;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use tera::Tera;

use super::escape;
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

/// A tera instance with every template loaded and autoescaping on for HTML templates. The
/// Markdown filters are the Markdown escaper of `escape.rs`: `md_text` (any untrusted text),
/// `md_code` (names, paths, values: a code span), `md_message` (prose with code spans); `short`
/// shortens an object id; `html_code` is the HTML twin of `md_message`.
pub fn tera() -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html.tera"]);
    tera.register_filter("md_text", string_filter(escape::md_text));
    tera.register_filter("md_code", string_filter(escape::md_code));
    tera.register_filter("md_message", string_filter(escape::md_message));
    tera.register_filter("short", string_filter(|s| escape::short_oid(s).to_string()));
    tera.register_filter("html_code", string_filter(escape::html_message));
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
        base_short: escape::short_oid(&report.base.oid),
        target_short: report.target.as_ref().map(|t| escape::short_oid(&t.oid)),
        head_short: escape::short_oid(&report.repo.head_oid),
    };
    // One object moved into the context: the report is not copied again.
    let mut root = serde_json::Map::new();
    root.insert("view".into(), to_value(&v));
    root.insert("report".into(), value);
    tera::Context::from_value(Value::Object(root)).unwrap_or_default()
}

/// Join the findings to the rows of the settings section once, here, so the templates never
/// loop over every finding for every row: each `settings.files[].settings[]` gets `view_risks`
/// (its findings other than the edit itself) and `view_replacements` (the edit's replacement).
/// Config keys carry their own `replacement`.
fn attach_findings(report: &Report, value: &mut Value) {
    let index = view::FindingIndex::new(report);
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

/// A tera filter applying `f` to a string value (numbers and other scalars are shown as
/// strings first; null is the empty string).
fn string_filter(
    f: impl Fn(&str) -> String + Sync + Send + 'static,
) -> impl tera::Filter + 'static {
    move |value: &Value, _: &HashMap<String, Value>| -> tera::Result<Value> {
        let text = match value {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Null => Cow::Borrowed(""),
            other => Cow::Owned(view::scalar(other)),
        };
        Ok(Value::String(f(&text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(name: &str, text: &str) -> String {
        let tera = tera().unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("x", text);
        let mut t = tera.clone();
        t.add_raw_template("t", &format!("{{{{ x | {name} }}}}"))
            .unwrap();
        t.render("t", &ctx).unwrap()
    }

    #[test]
    fn filters_are_the_escape_layer() {
        assert_eq!(filter("md_text", "a|b\n<c>&"), escape::md_text("a|b\n<c>&"));
        assert_eq!(filter("md_code", "x`y"), "``x`y``");
        assert_eq!(filter("md_message", "`k` [x](y)"), "`k` \\[x\\](y)");
        assert_eq!(filter("short", "0123456789abcdef"), "0123456789");
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
