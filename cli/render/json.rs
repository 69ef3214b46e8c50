//! JSON: the report model itself, pretty-printed (schema in docs/report-schema.md).

use forkcheck_analyzers::Report;

pub fn render(report: &Report) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| anyhow::anyhow!("cannot serialize the report as JSON: {e}"))?;
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
