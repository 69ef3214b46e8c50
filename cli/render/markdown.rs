//! Markdown (GitHub-flavoured), from `templates/report.md.tera` and the section partials.

use forkcheck_analyzers::Report;

pub fn render(report: &Report) -> anyhow::Result<String> {
    super::templates::render("report.md.tera", report)
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
    fn table_cells_cannot_break_the_table() {
        let out = render(&sample_report()).unwrap();
        // The sample message holds `|` and `<script>`: escaped, never raw.
        assert!(!out.contains("<script>"));
        assert!(out.contains("a \\| b"));
    }
}
