//! Renderers: every output forkcheck writes, as pure functions of the library's typed model
//! (the report, the plan, the triage, the release list, the rules). They never touch git, and
//! commands do no formatting of their own. One module per report format (`terminal`, `json`,
//! `markdown`, `html`, `sarif`), one per other command (`plan`, `triage`, `releases`, `rules`, `replace`);
//! section owners render their part of the terminal report in `section_<x>.rs` and of
//! Markdown/HTML in `templates/sections/`. One layer each for escaping (`escape.rs`: every
//! string from the analysed repository goes through the escaper of its format), colours
//! (`style.rs`) and terminal tables (`table.rs`).

pub mod charts;
pub mod escape;
pub mod html;
pub mod json;
pub mod markdown;
pub mod plan;
pub mod releases;
pub mod replace;
pub mod rules;
pub mod sarif;
pub mod section_breaks;
pub mod section_check;
pub mod section_config;
pub mod section_rebase;
pub mod section_summary;
pub mod section_themes;
pub mod style;
pub mod table;
pub mod templates;
pub mod terminal;
pub mod triage;
pub mod view;

use forkcheck_analyzers::rules::Rules;
use forkcheck_analyzers::Report;

use crate::args::Format;
use style::Style;

/// Render `report` in `format`. `style` only matters for the terminal format.
pub fn render(
    report: &Report,
    format: Format,
    rules: &Rules,
    style: &Style,
) -> anyhow::Result<String> {
    match format {
        Format::Terminal => Ok(terminal::render(report, style)),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Sarif => sarif::render(
            report,
            &|id| rules.find(id).cloned(),
            sarif::rules_url().as_deref(),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! A hand-built report exercising every part the renderers show.

    use forkcheck_analyzers::drift::{AreaStat, Drift, StatusCounts, TrendPoint};
    use forkcheck_analyzers::report::{
        BaseInfo, BaseMethod, Finding, Kind, Location, RepoInfo, Severity, TargetInfo, ToolInfo,
    };
    use forkcheck_analyzers::rules::Rule;
    use forkcheck_analyzers::Report;

    pub fn rule(id: &str, name: &str, kind: Kind, severity: Severity) -> Rule {
        Rule {
            id: id.into(),
            name: name.into(),
            kind,
            severity,
            summary: format!("{name} summary"),
            rationale: format!("Why {name} costs money."),
            example: format!("An example of {name}."),
            fix: format!("How to fix {name}."),
            references: Vec::new(),
        }
    }

    pub fn sample_rules() -> Vec<Rule> {
        vec![
            rule("FC101", "large-drift", Kind::Drift, Severity::Info),
            rule(
                "FC201",
                "generated-config-committed",
                Kind::GeneratedConfig,
                Severity::Warning,
            ),
            rule(
                "FC301",
                "settings-module-edit",
                Kind::Settings,
                Severity::Warning,
            ),
            rule(
                "FC302",
                "setting-renamed-in-target",
                Kind::Settings,
                Severity::Error,
            ),
        ]
    }

    pub fn sample_report() -> Report {
        let rules = sample_rules();
        let mut findings = vec![
            Finding::new(
                &rules[2],
                "lms/envs/common.py",
                "`PLATFORM_NAME` changed in code",
            )
            .line(12)
            .setting("PLATFORM_NAME")
            .build(),
            Finding::new(
                &rules[3],
                "lms/envs/common.py",
                "`COURSE_ABOUT_VISIBILITY_LEGACY` is renamed in the target",
            )
            .line(40)
            .setting("COURSE_ABOUT_VISIBILITY_LEGACY")
            .target_location(Location {
                path: "lms/envs/common.py".into(),
                line: Some(41),
                rev: Some("open-release/sumac.1".into()),
                note: None,
            })
            .build(),
            Finding::new(
                &rules[2],
                "lms/envs/common.py",
                "`TIME_ZONE` changed in code",
            )
            .line(30)
            .setting("TIME_ZONE")
            .build(),
            Finding::new(
                &rules[1],
                "config/lms.env.json",
                "edited key `a | b` holds <script>alert(1)</script>",
            )
            .key("FEATURES")
            .build(),
            Finding::new(&rules[0], ".", "the fork changes 1290 lines").build(),
        ];
        findings[0].severity = Severity::Warning;
        let mut report = Report {
            schema_version: forkcheck_analyzers::report::SCHEMA_VERSION,
            tool: ToolInfo {
                name: "forkcheck".into(),
                version: "0.0.0-test".into(),
            },
            repo: RepoInfo {
                path: "[REPO]".into(),
                head_rev: "HEAD".into(),
                head_oid: "1111111111222222222233333333334444444444".into(),
            },
            base: BaseInfo {
                release: Some("redwood".into()),
                rev: "open-release/redwood.2".into(),
                oid: "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd".into(),
                method: BaseMethod::History,
                confidence: 1.0,
                distance: Some(10),
                detail: "newest release tag in HEAD's history".into(),
                era: None,
            },
            target: Some(TargetInfo {
                release: Some("sumac".into()),
                rev: "open-release/sumac.1".into(),
                oid: "eeeeeeeeeeffffffffff00000000001111111111".into(),
            }),
            summary: None,
            drift: Drift {
                files_changed: 42,
                lines_added: 1234,
                lines_removed: 56,
                binary_files: vec!["lms/static/images/logo.png".into()],
                counts: StatusCounts {
                    added: 30,
                    modified: 12,
                    ..StatusCounts::default()
                },
                by_area: vec![
                    AreaStat {
                        area: "settings".into(),
                        files: 2,
                        lines_added: 30,
                        lines_removed: 4,
                    },
                    AreaStat {
                        area: "themes".into(),
                        files: 40,
                        lines_added: 1204,
                        lines_removed: 52,
                    },
                ],
                trend: vec![
                    TrendPoint {
                        commit: "c1".into(),
                        summary: "settings: brand | the platform".into(),
                        files_changed: 2,
                        lines_added: 30,
                        lines_removed: 4,
                    },
                    TrendPoint {
                        commit: "c2".into(),
                        summary: "theme <acme>".into(),
                        files_changed: 42,
                        lines_added: 1234,
                        lines_removed: 56,
                    },
                ],
                ..Drift::default()
            },
            findings,
            settings: None,
            config: None,
            themes: None,
            rebase: None,
            triage: None,
            breaks: Default::default(),
            check: None,
            warnings: vec!["history is shallow: base detection may be off".into()],
            secrets: Default::default(),
        };
        report.sort_findings();
        report
    }
}
