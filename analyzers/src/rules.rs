//! The rule registry. Rules are data: `rules/*.toml` at the workspace root, one file per family
//! (FC1xx `drift.toml` … FC7xx `triage.toml`), embedded at build time. `analyzers/build.rs`
//! turns their ids into [`RuleId`] (so the code cannot name a rule that does not exist) and
//! fails the build when a rule is in the wrong family's file. Each rule keeps its id, name, kind,
//! severity and its prose (summary, rationale, example, fix) together; `docs/rules.md` is
//! generated from them (`forkcheck rules --markdown`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{Kind, RuleText, Severity, RULE_FILES as FILES, RULE_TEXTS};
pub use crate::model::{Rule, RuleId, UnknownRuleId};

/// The embedded rule files: (file name, content).
pub const RULE_FILES: &[(&str, &str)] = FILES;

/// Every rule, indexed by [`RuleId`] (the build guarantees each id has its rule).
#[derive(Debug, Clone)]
pub struct Rules {
    /// In [`RuleId::ALL`] order.
    rules: Vec<Rule>,
}

impl Rules {
    /// The built-in rules, with severities overridden by `overrides` (rule id → severity, from
    /// `forkcheck.toml`'s `[severity]`: an unknown id is [`Error::BadConfig`] naming it).
    pub fn load(overrides: &BTreeMap<String, Severity>) -> Result<Rules> {
        // build.rs parsed the files (every field there, and nothing else) and made a RuleId
        // and a RuleText of each rule, both in id order.
        let rules = RULE_TEXTS
            .iter()
            .zip(RuleId::ALL)
            .map(|(text, id)| rule_of(text, *id))
            .collect::<Result<Vec<Rule>>>()?;
        let mut rules = Rules { rules };
        let unknown: Vec<&str> = overrides
            .keys()
            .filter(|id| id.parse::<RuleId>().is_err())
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(Error::BadConfig {
                path: "forkcheck.toml".into(),
                message: format!(
                    "`[severity]` names unknown rule{} {} (see `forkcheck rules`)",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown
                        .iter()
                        .map(|id| format!("`{id}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        for (id, severity) in overrides {
            if let Ok(id) = id.parse::<RuleId>() {
                rules.rules[index(id)].severity = *severity;
            }
        }
        Ok(rules)
    }

    /// The rule `id` (with its configured severity).
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[index(id)]
    }

    /// A rule by an id read from outside the code (a report, the command line); `None` for a
    /// string that names no rule. Analyses use [`Rules::rule`].
    pub fn find(&self, id: &str) -> Option<&Rule> {
        id.parse().ok().map(|id| self.rule(id))
    }

    /// Every rule, in id order.
    pub fn all(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }
}

/// A rule from its fields as written; a `kind` or `severity` that names none is the rule
/// file's error.
fn rule_of(text: &RuleText, id: RuleId) -> Result<Rule> {
    use serde::de::{value::Error as ValueError, value::StrDeserializer, Deserialize};
    let bad = |field: &str, e: ValueError| Error::Parse {
        path: id.file().to_string(),
        message: format!("rule {}: `{field}`: {e}", text.id),
    };
    if text.id != id.as_str() {
        return Err(Error::Parse {
            path: id.file().to_string(),
            message: format!("rule {} is out of order (a stale build?)", text.id),
        });
    }
    Ok(Rule {
        id: text.id.to_string(),
        name: text.name.to_string(),
        kind: Kind::deserialize(StrDeserializer::<ValueError>::new(text.kind))
            .map_err(|e| bad("kind", e))?,
        severity: Severity::deserialize(StrDeserializer::<ValueError>::new(text.severity))
            .map_err(|e| bad("severity", e))?,
        summary: text.summary.to_string(),
        rationale: text.rationale.to_string(),
        example: text.example.to_string(),
        fix: text.fix.to_string(),
        references: text.references.iter().map(|r| r.to_string()).collect(),
    })
}

/// `id`'s position in [`RuleId::ALL`] (and in [`Rules::rules`]).
fn index(id: RuleId) -> usize {
    RuleId::ALL.binary_search(&id).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_its_rule() {
        let rules = Rules::load(&BTreeMap::new()).unwrap();
        assert_eq!(rules.all().count(), RuleId::ALL.len());
        for id in RuleId::ALL {
            assert_eq!(rules.rule(*id).id, id.as_str());
        }
        assert_eq!(rules.find("FC301").map(|r| r.id.as_str()), Some("FC301"));
        assert!(rules.find("FC999").is_none());
    }

    /// The rules as build.rs wrote them equal the rule files parsed here (serde, unknown
    /// fields refused), field by field.
    #[test]
    fn build_time_rules_equal_the_parsed_files() {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RuleFile {
            #[serde(default)]
            rules: Vec<Rule>,
        }
        let mut parsed: Vec<Rule> = Vec::new();
        for (file, text) in RULE_FILES {
            let f: RuleFile = toml::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
            parsed.extend(f.rules);
        }
        parsed.sort_by(|a, b| a.id.cmp(&b.id));
        let loaded = Rules::load(&BTreeMap::new()).unwrap();
        assert_eq!(parsed.len(), loaded.all().count());
        for (p, l) in parsed.iter().zip(loaded.all()) {
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::to_value(l).unwrap(),
                "{}",
                p.id
            );
        }
    }

    #[test]
    fn severity_overrides_apply_and_unknown_ids_are_named() {
        let mut o = BTreeMap::new();
        o.insert("FC301".to_string(), Severity::Error);
        let rules = Rules::load(&o).unwrap();
        assert_eq!(rules.rule(RuleId::FC301).severity, Severity::Error);
        o.insert("FC399".to_string(), Severity::Info);
        o.insert("fc101".to_string(), Severity::Info);
        let err = Rules::load(&o).unwrap_err();
        assert!(matches!(err, Error::BadConfig { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("`FC399`") && text.contains("`fc101`"),
            "{text}"
        );
    }
}
