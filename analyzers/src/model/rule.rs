//! A rule's definition (data from `rules/*.toml`) and its id, generated at build time by
//! `analyzers/build.rs`: naming a rule that is not in the rule files does not compile.

use serde::{Deserialize, Serialize};

use super::finding::{Kind, Severity};

include!(concat!(env!("OUT_DIR"), "/rule_ids.rs"));

/// One rule's fields as its file writes them ([`RULE_TEXTS`], made by `build.rs`).
#[derive(Debug)]
pub struct RuleText {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub severity: &'static str,
    pub summary: &'static str,
    pub rationale: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
    pub references: &'static [&'static str],
}

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

/// A string that names no rule (`forkcheck.toml`'s `[severity]`, a report read back).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}` (see `forkcheck rules`)")]
pub struct UnknownRuleId(pub String);

impl std::str::FromStr for RuleId {
    type Err = UnknownRuleId;
    /// Exact id (`FC301`); `forkcheck rules` accepts any case on its own.
    fn from_str(s: &str) -> Result<RuleId, UnknownRuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| UnknownRuleId(s.to_string()))
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<RuleId> for str {
    fn eq(&self, other: &RuleId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<RuleId> for String {
    fn eq(&self, other: &RuleId) -> bool {
        self == other.as_str()
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RuleId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_fail() {
        for id in RuleId::ALL {
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(*id));
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
        }
        assert_eq!(
            "FC999".parse::<RuleId>(),
            Err(UnknownRuleId("FC999".into()))
        );
        assert!("fc301".parse::<RuleId>().is_err());
    }

    #[test]
    fn each_family_lives_in_its_own_file() {
        for id in RuleId::ALL {
            let family = &id.as_str()[2..3];
            let file = id.file();
            let expected = match family {
                "1" => "rules/drift.toml",
                "2" => "rules/config.toml",
                "3" => "rules/settings.toml",
                "4" => "rules/themes.toml",
                "5" => "rules/templates.toml",
                "6" => "rules/rebase.toml",
                "7" => "rules/triage.toml",
                "8" => "rules/migrations.toml",
                "9" => "rules/dependencies.toml",
                "0" => "rules/deprecations.toml",
                other => panic!("{id}: no family {other}"),
            };
            assert_eq!(file, expected, "{id}");
        }
        assert_eq!(RULE_FILES.len(), 10);
    }
}
