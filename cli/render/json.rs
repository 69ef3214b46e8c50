//! JSON: the model itself, pretty-printed (the report's schema is in docs/report-schema.md; the
//! other commands' JSON is their part of the model).

use forkcheck_analyzers::Report;
use serde::Serialize;

pub fn render(report: &Report) -> anyhow::Result<String> {
    pretty(report)
}

/// `value` pretty-printed, with a final newline.
pub fn pretty<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| anyhow::anyhow!("internal error: cannot serialize the output as JSON: {e}"))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn round_trips_through_the_model() {
        let report = sample_report();
        let text = render(&report).unwrap();
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back.findings.len(), report.findings.len());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value["schema_version"],
            forkcheck_analyzers::report::SCHEMA_VERSION
        );
        assert_eq!(
            value["findings"][0]["rule"],
            report.findings[0].rule.as_str()
        );
    }
}
