//! Terminal rendering of the `rebase` part of the report. Owned by the rebase (issue 5) engineer, who
//! replaces this placeholder; the terminal renderer calls it after the findings and skips an
//! empty result.

use forkcheck_analyzers::Report;

use super::style::Style;

pub fn render(_report: &Report, _style: &Style) -> String {
    String::new()
}
