//! The rule registry. Rules are data: `rules/*.toml` at the workspace root, one file per family
//! (FC1xx `drift.toml` … FC7xx `triage.toml`), embedded at build time. `analyzers/build.rs`
//! turns their ids into [`RuleId`] (so the code cannot name a rule that does not exist) and
//! fails the build when a rule is in the wrong family's file. Each rule keeps its id, name, kind,
//! severity and its prose (summary, rationale, example, fix) together; `docs/rules.md` is
//! generated from them (`forkcheck rules --markdown`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
pub use crate::model::{Rule, RuleId, UnknownRuleId};
use crate::model::{Severity, RULE_FILES as FILES};

/// The embedded rule files: (file name, content).
pub const RULE_FILES: &[(&str, &str)] = FILES;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

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
        let mut slots: Vec<Option<Rule>> = vec![None; RuleId::ALL.len()];
        for (file, text) in RULE_FILES {
            let parsed: RuleFile = toml::from_str(text).map_err(|e| Error::Parse {
                path: (*file).to_string(),
                message: e.to_string(),
            })?;
            for rule in parsed.rules {
                // build.rs made a RuleId of every id in these files: a miss is a stale build.
                let id: RuleId = rule.id.parse().map_err(|e: UnknownRuleId| Error::Parse {
                    path: (*file).to_string(),
                    message: format!("{e}: not among the ids generated at build time"),
                })?;
                let slot = &mut slots[index(id)];
                if slot.is_some() {
                    return Err(Error::Parse {
                        path: (*file).to_string(),
                        message: format!("duplicate rule id `{id}`"),
                    });
                }
                *slot = Some(rule);
            }
        }
        let mut rules = Vec::with_capacity(slots.len());
        for (id, slot) in RuleId::ALL.iter().zip(slots) {
            rules.push(slot.ok_or_else(|| Error::Parse {
                path: id.file().to_string(),
                message: format!("rule `{id}` is missing"),
            })?);
        }
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
