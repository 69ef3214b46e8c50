//! The tera templates behind the Markdown and HTML reports, embedded at build time, and the
//! context they are rendered with, built from typed structs: `report` (the report model as it
//! serializes; a section that did not run is absent, which templates test with `if`) and `view`
//! (shared, precomputed views, among them the findings joined to the rows of the settings
//! section). Section partials (`sections/<name>.{md,html}.tera`) belong to the analysis owners.

use forkcheck_analyzers::report::{BaseMethod, Finding, Replacement};
use forkcheck_analyzers::triage::TriageSection;
use forkcheck_analyzers::Report;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use tera::Tera;

use super::escape;
use super::view::{self, Counts, Table};

macro_rules! template {
    ($name:literal) => {
        ($name, include_str!(concat!("../templates/", $name)))
    };
}

const TEMPLATES: &[(&str, &str)] = &[
    template!("report.md.tera"),
    template!("report.html.tera"),
    template!("style.html.tera"),
    template!("plan.html.tera"),
    template!("sections/summary.md.tera"),
    template!("sections/summary.html.tera"),
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
    template!("sections/breaks.md.tera"),
    template!("sections/breaks.html.tera"),
    template!("sections/check.md.tera"),
    template!("sections/check.html.tera"),
];

/// Precomputed views for the templates.
#[derive(Serialize)]
struct View<'a> {
    headline: String,
    /// Inline SVG charts (HTML only; safe markup, labels escaped).
    charts: super::charts::Charts,
    rule_counts: Vec<view::RuleCount>,
    counts: Counts,
    counts_line: String,
    /// The findings file by file, identical ones folded (Markdown).
    findings_by_file: Vec<view::FoldedFile<'a>>,
    /// The rules raised on many files, one folded row each (Markdown, after the files).
    findings_spread: Vec<view::FindingRow<'a>>,
    /// Every row, most severe first (the HTML table).
    findings_rows: Vec<view::FindingRow<'a>>,
    drift_tables: Vec<Table>,
    drift_extras: Vec<String>,
    theme_only: Option<String>,
    trend: Option<Table>,
    sparkline: String,
    base_method: &'static str,
    base_confidence: String,
    base_short: &'a str,
    target_short: Option<&'a str>,
    head_short: &'a str,
    /// Per settings file, per setting (the order of `report.settings`): its findings.
    setting_links: Vec<Vec<SettingLinks<'a>>>,
    /// Differential mode (`report.check`): the first line and what was compared.
    check_headline: Option<String>,
    check_compared: Option<String>,
}

/// The findings on one setting of the settings section: its risks (every finding but the edit
/// itself) and the replacement the edit carries.
#[derive(Serialize)]
struct SettingLinks<'a> {
    risks: Vec<&'a Finding>,
    replacements: Vec<&'a Replacement>,
}

/// The whole context of the report templates.
#[derive(Serialize)]
struct ReportContext<'a> {
    report: &'a Report,
    view: View<'a>,
}

/// The context of the triage partial rendered on its own (`forkcheck triage --format
/// markdown`): a report holding only the triage section, under a top-level heading.
#[derive(Serialize)]
struct TriageContext<'a> {
    report: TriageOnly<'a>,
    heading: &'static str,
}

#[derive(Serialize)]
struct TriageOnly<'a> {
    triage: &'a TriageSection,
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
    // `{{ cost | hours }}`: an hours range as people read it (`1.5–4 h`, `2 h`, never `0–0 h`).
    tera.register_filter(
        "hours",
        |v: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
            let end = |k: &str| v.get(k).and_then(tera::Value::as_f64).unwrap_or(0.0);
            let range = forkcheck_analyzers::cost::HoursRange {
                low: end("low"),
                high: end("high"),
            };
            Ok(tera::Value::String(range.display()))
        },
    );
    tera.add_raw_templates(TEMPLATES.to_vec())
        .map_err(|e| anyhow::anyhow!("internal error: a report template is invalid: {e:?}"))?;
    Ok(tera)
}

/// Render template `name` for `report`.
pub fn render(name: &str, report: &Report) -> anyhow::Result<String> {
    render_with(name, &context(report)?)
}

/// A page from template `name` and any serializable context (the plan's page).
pub fn render_page(name: &str, ctx: &impl Serialize) -> anyhow::Result<String> {
    let ctx = tera::Context::from_serialize(ctx)
        .map_err(|e| anyhow::anyhow!("internal error: cannot build the template context: {e}"))?;
    render_with(name, &ctx)
}

/// The triage partial alone, as a Markdown document.
pub fn render_triage(triage: &TriageSection) -> anyhow::Result<String> {
    let ctx = TriageContext {
        report: TriageOnly { triage },
        heading: "#",
    };
    let ctx = tera::Context::from_serialize(&ctx)
        .map_err(|e| anyhow::anyhow!("internal error: cannot build the template context: {e}"))?;
    render_with("sections/triage.md.tera", &ctx)
}

fn render_with(name: &str, ctx: &tera::Context) -> anyhow::Result<String> {
    let tera = tera()?;
    tera.render(name, ctx).map_err(|e| {
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

pub fn context(report: &Report) -> anyhow::Result<tera::Context> {
    let folded = view::fold_findings(report);
    let findings_rows = view::sorted_rows(&folded.0, &folded.1);
    let ctx = ReportContext {
        report,
        view: View {
            headline: view::headline(report),
            charts: super::charts::of(report),
            rule_counts: view::rule_counts(report),
            counts: view::counts(report),
            counts_line: view::counts_line(view::counts(report)),
            findings_by_file: folded.0,
            findings_spread: folded.1,
            findings_rows,
            drift_tables: view::drift_tables(report),
            drift_extras: view::drift_extras(report),
            theme_only: view::theme_only_note(report),
            trend: view::trend_table(report),
            sparkline: view::sparkline(&view::trend_values(report)),
            base_method: match report.base.method {
                BaseMethod::History => "history",
                BaseMethod::Content => "content (no shared history)",
                BaseMethod::Explicit => "given with --base",
            },
            base_confidence: view::percent(report.base.confidence),
            base_short: escape::short_oid(&report.base.oid),
            target_short: report.target.as_ref().map(|t| escape::short_oid(&t.oid)),
            head_short: escape::short_oid(&report.repo.head_oid),
            setting_links: setting_links(report),
            check_headline: report.check.as_ref().map(super::section_check::headline),
            check_compared: report.check.as_ref().map(super::section_check::compared),
        },
    };
    tera::Context::from_serialize(&ctx)
        .map_err(|e| anyhow::anyhow!("internal error: cannot build the template context: {e}"))
}

/// Join the findings to the rows of the settings section once, here, so that the templates never
/// loop over every finding for every row. Config keys carry their own `replacement`.
fn setting_links(report: &Report) -> Vec<Vec<SettingLinks<'_>>> {
    let Some(settings) = &report.settings else {
        return Vec::new();
    };
    let index = view::FindingIndex::new(report);
    settings
        .files
        .iter()
        .map(|file| {
            file.settings
                .iter()
                .map(|s| {
                    let mine = index.setting(&file.path, &s.setting, s.line);
                    SettingLinks {
                        risks: mine
                            .iter()
                            .copied()
                            .filter(|f| !view::carries_replacement(f))
                            .collect(),
                        replacements: mine
                            .iter()
                            .filter(|f| view::carries_replacement(f))
                            .filter_map(|f| f.replacement.as_ref())
                            .collect(),
                    }
                })
                .collect()
        })
        .collect()
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
            other => Cow::Owned(scalar(other)),
        };
        Ok(Value::String(f(&text)))
    }
}

/// A non-string template value as text: numbers as JSON writes them, `true` as `yes`.
fn scalar(v: &Value) -> String {
    match v {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "yes".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
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
        // A report with every section absent renders too.
        let bare = forkcheck_analyzers::Report {
            findings: Vec::new(),
            ..report.clone()
        };
        assert!(render("report.md.tera", &bare)
            .unwrap()
            .contains("No findings."));
    }

    #[test]
    fn settings_rows_show_their_risks_and_the_edit_s_replacement() {
        let mut report = crate::render::tests::sample_report();
        let edit = report
            .findings
            .iter_mut()
            .find(|f| f.rule == "FC301" && f.setting.as_deref() == Some("PLATFORM_NAME"))
            .unwrap();
        edit.replacement = Some(Replacement {
            yaml: None,
            ansible: None,
            tutor: Some("tutor config save --set PLATFORM_NAME=Acme".into()),
            note: None,
        });
        let entry = |setting: &str, line: u32| {
            serde_json::json!({"setting": setting, "op": "assign", "status": "changed",
                               "line": line, "old": "\"a\"", "new": "\"b\"",
                               "literal": true, "secret": false})
        };
        report.settings = Some(
            serde_json::from_value(serde_json::json!({"files": [{
                "path": "lms/envs/common.py",
                "status": "modified",
                "settings": [entry("PLATFORM_NAME", 12), entry("COURSE_ABOUT_VISIBILITY_LEGACY", 40)],
            }]}))
            .unwrap(),
        );
        let md = render("report.md.tera", &report).unwrap();
        let section = &md[md.find("## Settings modules").unwrap()..];
        let platform = section.find("**`PLATFORM_NAME`**").unwrap();
        let course = section
            .find("**`COURSE_ABOUT_VISIBILITY_LEGACY`**")
            .unwrap();
        let tutor = section
            .find("  - Tutor: `tutor config save --set PLATFORM_NAME=Acme`")
            .unwrap();
        let risk = section.find("  - error FC302").unwrap();
        assert!(
            platform < tutor && tutor < course && course < risk,
            "{section}"
        );
        // The edit itself is not listed as a risk of its own setting.
        assert!(!section.contains("FC301"), "{section}");
        let html = render("report.html.tera", &report).unwrap();
        assert!(html
            .contains("<li>Tutor: <code>tutor config save --set PLATFORM_NAME=Acme</code></li>"));
    }
}
