//! The plain model at the bottom of the crate: findings, severities and kinds, the rule
//! definition and its generated [`RuleId`], and what base and target a run compares. It imports
//! nothing from the analyses, from [`crate::rules`] or from [`crate::report`]; they all import it.
//!
//! ```text
//! model  ←  rules  ←  analyses (drift, settings, themes, …)  ←  report
//! ```

mod base;
mod finding;
mod rule;

pub use base::{BaseInfo, BaseMethod, EraInfo, TargetInfo};
pub use finding::{Finding, FindingBuilder, Kind, Location, Replacement, Severity};
pub use rule::{Rule, RuleId, UnknownRuleId};
pub(crate) use rule::{RuleText, RULE_FILES, RULE_TEXTS};

#[cfg(test)]
mod tests {
    /// The layering stays as documented: the model imports nothing from the rest of the crate,
    /// and `rules` imports only the model (and the error type).
    #[test]
    fn the_model_is_the_bottom_layer() {
        // Spelt in two pieces so that this test's own lines do not match.
        let needle = concat!("crate", "::");
        let model = [
            ("model/mod.rs", include_str!("mod.rs")),
            ("model/base.rs", include_str!("base.rs")),
            ("model/finding.rs", include_str!("finding.rs")),
            ("model/rule.rs", include_str!("rule.rs")),
        ];
        for (file, text) in model {
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                assert!(
                    !line.contains(needle),
                    "{file}: `{line}`: the model imports nothing from the rest of the crate"
                );
            }
        }
        let rules = include_str!("../rules.rs");
        for line in rules.lines().filter(|l| l.contains(needle)) {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            assert!(
                line.contains(&format!("{needle}model"))
                    || line.contains(&format!("{needle}error")),
                "rules.rs: `{line}`: rules imports only the model and the error type"
            );
        }
    }
}
