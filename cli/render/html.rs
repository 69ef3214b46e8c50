//! One self-contained HTML page (inline CSS, no scripts, no external assets), from
//! `templates/report.html.tera` and the section partials, with autoescaping on.

use forkcheck_analyzers::Report;

pub fn render(report: &Report) -> anyhow::Result<String> {
    super::templates::render("report.html.tera", report)
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
        assert!(!out.contains("<script>"), "finding text must be escaped");
        assert!(out.contains("&lt;script&gt;"));
        for external in ["src=\"http", "href=\"http", "<link", "<script", "@import"] {
            assert!(!out.contains(external), "external asset: {external}");
        }
    }
}
