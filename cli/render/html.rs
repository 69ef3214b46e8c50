//! One self-contained HTML page (inline CSS, inline SVG charts, one small inline script that
//! sorts tables, no external assets), from `templates/report.html.tera` and the section
//! partials, with autoescaping on. After rendering, the page is finished generically, so that a
//! new section partial gets the same treatment without touching this file:
//!
//! - every `<h2>` gets an anchor before it and an entry in the table of contents (which replaces
//!   the `<!--toc-->` marker);
//! - every `<table>` is wrapped in a box that scrolls sideways, so a wide table never makes the
//!   page wider than the screen.
//!
//! Repository text never holds a raw `<` (autoescaping), so the tags found here are the
//! templates' own.

use forkcheck_analyzers::Report;

pub fn render(report: &Report) -> anyhow::Result<String> {
    let page = super::templates::render("report.html.tera", report)?;
    Ok(finish(&page))
}

/// The marker the template leaves where the table of contents goes.
const TOC_MARKER: &str = "<!--toc-->";

/// Anchors and table of contents for the `<h2>` headings, scroll boxes around tables.
pub fn finish(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 4096);
    let mut toc: Vec<(String, String)> = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<h2>") {
        let Some(end) = rest[at..].find("</h2>") else {
            break;
        };
        let inner = &rest[at + 4..at + end];
        let title = text_of(inner);
        let mut id = slug(&title);
        if id.is_empty() {
            id = "section".into();
        }
        let base = id.clone();
        let mut k = 2;
        while toc.iter().any(|(i, _)| *i == id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        out.push_str(&rest[..at]);
        out.push_str(&format!("<div class=\"anchor\" id=\"{id}\"></div>"));
        out.push_str(&rest[at..at + end + 5]);
        toc.push((id, inner.to_string()));
        rest = &rest[at + end + 5..];
    }
    out.push_str(rest);
    let mut nav = String::new();
    if !toc.is_empty() {
        nav.push_str("<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong><ol>");
        for (id, inner) in &toc {
            // `inner` is the heading's own (escaped) markup: code spans stay code spans.
            nav.push_str(&format!("<li><a href=\"#{id}\">{inner}</a></li>"));
        }
        nav.push_str("</ol></nav>");
    }
    out.replacen(TOC_MARKER, &nav, 1)
        .replace("<table", "<div class=\"table-wrap\"><table")
        .replace("</table>", "</table></div>")
}

/// The text of escaped inline HTML: tags dropped, the five entities tera writes decoded.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// An id from a heading: lower-case ASCII letters and digits, other runs as one `-`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&sample_report()).unwrap());
    }

    #[test]
    fn escapes_and_stays_self_contained() {
        let out = render(&sample_report()).unwrap();
        assert!(
            !out.contains("<script>alert"),
            "finding text must be escaped"
        );
        assert!(out.contains("&lt;script&gt;"));
        for external in ["src=", "href=\"http", "<link", "@import", "url("] {
            assert!(!out.contains(external), "external asset: {external}");
        }
        // One script: the page's own, inline.
        assert_eq!(out.matches("<script").count(), 1);
        assert!(out.contains("<script>\n// Sortable tables"));
    }

    #[test]
    fn headings_get_anchors_and_a_table_of_contents_and_tables_scroll() {
        let out = render(&sample_report()).unwrap();
        let toc_at = out.find("<nav class=\"toc\"").unwrap();
        for (id, title) in [
            ("drift", "Drift"),
            ("findings", "Findings"),
            ("warnings", "Warnings"),
        ] {
            assert!(
                out.contains(&format!("<li><a href=\"#{id}\">{title}</a></li>")),
                "{id}"
            );
            let anchor = out
                .find(&format!(
                    "<div class=\"anchor\" id=\"{id}\"></div><h2>{title}</h2>"
                ))
                .unwrap();
            assert!(toc_at < anchor);
        }
        assert!(!out.contains(TOC_MARKER));
        assert_eq!(
            out.matches("<table").count(),
            out.matches("<div class=\"table-wrap\"><table").count()
        );
        assert_eq!(
            out.matches("</table></div>").count(),
            out.matches("<table").count()
        );
    }

    #[test]
    fn finish_makes_unique_ids_and_keeps_heading_markup() {
        let page = "<!--toc--><h2>A &amp; <code>b</code></h2><h2>A &amp; b</h2><h2>!!</h2>";
        let out = finish(page);
        assert!(out.contains("<li><a href=\"#a-b\">A &amp; <code>b</code></a></li>"));
        assert!(out.contains("id=\"a-b-2\""));
        assert!(out.contains("id=\"section\""));
    }

    #[test]
    fn charts_and_sortable_tables_are_in_the_page() {
        let out = render(&sample_report()).unwrap();
        assert!(out.contains("<svg class=\"chart\""));
        assert!(out.contains("aria-label=\"Drift by area (lines changed)\""));
        assert!(out.contains("aria-label=\"Drift after each fork commit (lines changed)\""));
        assert!(out.contains("<table class=\"sortable findings\">"));
        // Backticks in prose become code, never literal.
        assert!(!out.contains("`PLATFORM_NAME`"));
        assert!(out.contains("<code>PLATFORM_NAME</code>"));
    }
}
