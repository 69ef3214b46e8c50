//! The rule registry. Rules are data: `rules/*.toml` at the workspace root, embedded at build
//! time. Each rule keeps its id, name, kind, severity and its prose (summary, rationale, example,
//! fix) together; `docs/rules.md` is generated from them (`forkcheck rules --markdown`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::report::{Kind, Severity};

/// The embedded rule files: (file name, content).
pub const RULE_FILES: &[(&str, &str)] = &[
    ("rules/drift.toml", include_str!("../../rules/drift.toml")),
    ("rules/config.toml", include_str!("../../rules/config.toml")),
    ("rules/themes.toml", include_str!("../../rules/themes.toml")),
    ("rules/rebase.toml", include_str!("../../rules/rebase.toml")),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// `FC101`.
    pub id: String,
    /// `large-drift`: names the pattern flagged, not the fix.
    pub name: String,
    pub kind: Kind,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: String,
    /// One paragraph: why it costs the fork money.
    pub rationale: String,
    /// An example of what fires the rule.
    pub example: String,
    /// What to do instead.
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
pub struct Rules {
    rules: BTreeMap<String, Rule>,
}

impl Rules {
    /// The built-in rules, with severities overridden by `overrides` (rule id → severity).
    pub fn load(overrides: &BTreeMap<String, Severity>) -> Result<Rules> {
        let mut rules = BTreeMap::new();
        for (file, text) in RULE_FILES {
            let parsed: RuleFile = toml::from_str(text).map_err(|e| Error::Parse {
                path: (*file).to_string(),
                message: e.to_string(),
            })?;
            for rule in parsed.rules {
                if rules.contains_key(&rule.id) {
                    return Err(Error::Parse {
                        path: (*file).to_string(),
                        message: format!("duplicate rule id `{}`", rule.id),
                    });
                }
                rules.insert(rule.id.clone(), rule);
            }
        }
        for (id, severity) in overrides {
            match rules.get_mut(id) {
                Some(rule) => rule.severity = *severity,
                None => {
                    return Err(Error::BadConfig {
                        path: "forkcheck.toml".into(),
                        message: format!(
                            "`[severity]` names unknown rule `{id}` (see `forkcheck rules`)"
                        ),
                    })
                }
            }
        }
        Ok(Rules { rules })
    }

    /// A rule by id. An unknown id is a bug in forkcheck, reported as such.
    pub fn get(&self, id: &str) -> Result<&Rule> {
        self.rules.get(id).ok_or_else(|| {
            Error::Other(format!(
                "internal error: rule `{id}` is not defined in rules/*.toml"
            ))
        })
    }

    pub fn all(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }
}
