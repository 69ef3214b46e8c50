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

pub use base::{BaseInfo, BaseMethod, TargetInfo};
pub use finding::{Finding, FindingBuilder, Kind, Location, Replacement, Severity};
pub(crate) use rule::RULE_FILES;
pub use rule::{Rule, RuleId, UnknownRuleId};
