//! Every rule fires on at least one fixture scenario (one fixture per rule, as ruff does it): all
//! analyses run on every scenario of `forkcheck-fixtures` that can be analysed, against the
//! scenarios' target `open-release/sumac.2`, plus two runs of `typical` for the rules that need
//! another target or setting (FC307: FEATURES flags become settings in ulmo; FC101: the small
//! fixture's drift is below the default `[drift] max_lines`). The rule ids of the findings
//! together must be exactly [`RuleId::ALL`]. A rule no fixture triggers is untested code or
//! dead: add fixture content that triggers it (`fixtures/src/content`), or remove the rule.

use std::collections::{BTreeMap, BTreeSet};

use forkcheck_analyzers::rules::RuleId;
use forkcheck_analyzers::{Analysis, Context, NoProgress, OpenOptions};
use forkcheck_fixtures::{expected, shared, Scenario};

/// One analysis run: scenario, target, `forkcheck.toml` text (none: defaults).
struct Run {
    scenario: Scenario,
    /// The target; empty: a copy of the scenario without later releases, so no target (FC807,
    /// FC003 are judged only then).
    to: String,
    config: Option<&'static str>,
}

fn runs() -> Vec<Run> {
    let mut runs = Vec::new();
    for scenario in Scenario::ALL {
        let facts = expected(scenario).expect("the scenario's expected facts");
        if facts.expect_error.is_some() {
            continue; // shallow and partial clones stop before any analysis, by design
        }
        runs.push(Run {
            scenario,
            to: facts.target.rev.clone(),
            config: None,
        });
    }
    runs.push(Run {
        scenario: Scenario::Typical,
        to: "ulmo".into(),
        config: None,
    });
    runs.push(Run {
        scenario: Scenario::Typical,
        to: "sumac".into(),
        config: Some("[drift]\nmax_lines = 100\n"),
    });
    // FC803: ulmo deletes the grades migration the breaks fork depends on.
    runs.push(Run {
        scenario: Scenario::Breaks,
        to: "ulmo".into(),
        config: None,
    });
    runs.push(Run {
        scenario: Scenario::Breaks,
        to: String::new(),
        config: None,
    });
    runs
}

#[test]
fn every_rule_fires_on_at_least_one_fixture() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut fired: BTreeMap<RuleId, BTreeSet<String>> = BTreeMap::new();
    let runs = runs();
    assert!(runs.len() >= 7, "too few runs");
    for (i, run) in runs.iter().enumerate() {
        let label = format!(
            "{} → {}{}",
            run.scenario,
            run.to,
            if run.config.is_some() {
                " (config)"
            } else {
                ""
            }
        );
        let generated = shared(run.scenario);
        let copy = run
            .to
            .is_empty()
            .then(|| crate::common::without_later_releases(run.scenario));
        let fork = copy.as_ref().map_or(&generated.fork, |(_, p)| p);
        let mut opts = OpenOptions::new(fork);
        opts.to = (!run.to.is_empty()).then(|| run.to.clone());
        opts.only = Some(Analysis::ALL.to_vec());
        if let Some(text) = run.config {
            let path = tmp.path().join(format!("forkcheck-{i}.toml"));
            std::fs::write(&path, text).expect("write config");
            opts.config_path = Some(path);
        }
        let ctx = Context::open(&opts).unwrap_or_else(|e| panic!("{label}: {e}"));
        let report =
            forkcheck_analyzers::run(&ctx, &NoProgress).unwrap_or_else(|e| panic!("{label}: {e}"));
        for f in &report.findings {
            let id = f
                .rule_id()
                .unwrap_or_else(|| panic!("{label}: finding with unknown rule `{}`", f.rule));
            fired.entry(id).or_default().insert(label.clone());
        }
    }
    let silent: Vec<&str> = RuleId::ALL
        .iter()
        .filter(|id| !fired.contains_key(id))
        .map(|id| id.as_str())
        .collect();
    assert!(
        silent.is_empty(),
        "rules that fire on no fixture scenario: {silent:?}; add fixture content that triggers \
         them (fixtures/src/content) or remove them. Fired: {fired:#?}"
    );
    let ids: BTreeSet<RuleId> = fired.keys().copied().collect();
    assert_eq!(ids, RuleId::ALL.iter().copied().collect::<BTreeSet<_>>());
}
