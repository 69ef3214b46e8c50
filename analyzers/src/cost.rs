//! The rebase cost model: `rules/cost.toml` (embedded) with coefficient overrides from
//! `forkcheck.toml`'s `[cost]` table. Hours are a low–high range.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize, Serializer};

use crate::config::{Config, MAX_COST_HOURS};
use crate::error::{Error, Result};
use crate::model::{Finding, Kind, RuleId, Severity};

pub const COST_FILE: &str = include_str!("../../rules/cost.toml");

/// A range of hours. Serialized rounded to two decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct HoursRange {
    pub low: f64,
    pub high: f64,
}

impl Serialize for HoursRange {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("HoursRange", 2)?;
        st.serialize_field("low", &round2(self.low))?;
        st.serialize_field("high", &round2(self.high))?;
        st.end()
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl HoursRange {
    pub const ZERO: HoursRange = HoursRange {
        low: 0.0,
        high: 0.0,
    };
    pub fn times(self, n: f64) -> HoursRange {
        HoursRange {
            low: self.low * n,
            high: self.high * n,
        }
    }
    pub fn is_zero(&self) -> bool {
        self.low == 0.0 && self.high == 0.0
    }
    /// `1.5–4 h`, as people read it; `2 h` when both ends round alike, `< 0.1 h` for a
    /// range that rounds to nothing but is not zero, `0 h` for none (never `0–0 h`).
    pub fn display(&self) -> String {
        let (low, high) = (fmt_hours(self.low), fmt_hours(self.high));
        if high == "0" {
            if self.high > 0.0 {
                "< 0.1 h".into()
            } else {
                "0 h".into()
            }
        } else if low == high {
            format!("{high} h")
        } else {
            format!("{low}–{high} h")
        }
    }
}

fn fmt_hours(h: f64) -> String {
    let r = (h * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

impl std::ops::Add for HoursRange {
    type Output = HoursRange;
    fn add(self, o: HoursRange) -> HoursRange {
        HoursRange {
            low: self.low + o.low,
            high: self.high + o.high,
        }
    }
}

impl std::ops::AddAssign for HoursRange {
    fn add_assign(&mut self, o: HoursRange) {
        *self = *self + o;
    }
}

impl std::iter::Sum for HoursRange {
    fn sum<I: Iterator<Item = HoursRange>>(iter: I) -> HoursRange {
        iter.fold(HoursRange::ZERO, |a, b| a + b)
    }
}

/// A cost-model coefficient of `rules/cost.toml`. Code names weights by variant, so a misspelt
/// weight does not compile; the file and `forkcheck.toml`'s `[cost]` are checked against this
/// list when the model loads (an unknown or missing weight is an error, never a silent zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weight {
    PerCleanCommit,
    PerCleanMergeFile,
    PerConfigMove,
    PerConflictHunk,
    PerConflictedFile,
    PerDependencyConflict,
    PerEmptyCommit,
    PerGeneratedConfigEdit,
    PerKlocDrift,
    PerMigrationProblem,
    PerOrphanedOverride,
    PerOverlapNear,
    PerOverlapSameFunction,
    PerRemovedApiUse,
    PerSecretRotation,
    PerSettingsMove,
    PerSettingsRisk,
    PerStaleOverride,
    PerTargetDeletedCommit,
    PerTemplateMove,
}

impl Weight {
    /// Every weight, in name order.
    pub const ALL: &'static [Weight] = &[
        Weight::PerCleanCommit,
        Weight::PerCleanMergeFile,
        Weight::PerConfigMove,
        Weight::PerConflictHunk,
        Weight::PerConflictedFile,
        Weight::PerDependencyConflict,
        Weight::PerEmptyCommit,
        Weight::PerGeneratedConfigEdit,
        Weight::PerKlocDrift,
        Weight::PerMigrationProblem,
        Weight::PerOrphanedOverride,
        Weight::PerOverlapNear,
        Weight::PerOverlapSameFunction,
        Weight::PerRemovedApiUse,
        Weight::PerSecretRotation,
        Weight::PerSettingsMove,
        Weight::PerSettingsRisk,
        Weight::PerStaleOverride,
        Weight::PerTargetDeletedCommit,
        Weight::PerTemplateMove,
    ];

    /// The name in `rules/cost.toml` and `[cost]` (`per_conflict_hunk`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Weight::PerCleanCommit => "per_clean_commit",
            Weight::PerCleanMergeFile => "per_clean_merge_file",
            Weight::PerConfigMove => "per_config_move",
            Weight::PerConflictHunk => "per_conflict_hunk",
            Weight::PerConflictedFile => "per_conflicted_file",
            Weight::PerDependencyConflict => "per_dependency_conflict",
            Weight::PerEmptyCommit => "per_empty_commit",
            Weight::PerGeneratedConfigEdit => "per_generated_config_edit",
            Weight::PerKlocDrift => "per_kloc_drift",
            Weight::PerMigrationProblem => "per_migration_problem",
            Weight::PerOrphanedOverride => "per_orphaned_override",
            Weight::PerOverlapNear => "per_overlap_near",
            Weight::PerOverlapSameFunction => "per_overlap_same_function",
            Weight::PerRemovedApiUse => "per_removed_api_use",
            Weight::PerSecretRotation => "per_secret_rotation",
            Weight::PerSettingsMove => "per_settings_move",
            Weight::PerSettingsRisk => "per_settings_risk",
            Weight::PerStaleOverride => "per_stale_override",
            Weight::PerTargetDeletedCommit => "per_target_deleted_commit",
            Weight::PerTemplateMove => "per_template_move",
        }
    }

    fn index(self) -> usize {
        Weight::ALL
            .iter()
            .position(|w| *w == self)
            .unwrap_or_default()
    }
}

impl std::str::FromStr for Weight {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Weight, String> {
        Weight::ALL
            .iter()
            .copied()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown cost coefficient `{s}` (known: {})",
                    Weight::ALL
                        .iter()
                        .map(|w| w.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl std::fmt::Display for Weight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightDef {
    low: f64,
    high: f64,
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CostFile {
    weights: BTreeMap<String, WeightDef>,
}

/// The weights, one per [`Weight`].
#[derive(Debug, Clone)]
pub struct CostModel {
    /// In [`Weight::ALL`] order: (hours per unit, unit).
    weights: Vec<(HoursRange, String)>,
}

impl CostModel {
    /// The built-in model with `config.cost` overrides applied. A weight missing from or unknown
    /// to `rules/cost.toml` is [`Error::Parse`]; unknown `[cost]` keys and negative or inverted
    /// ranges are [`Error::BadConfig`].
    pub fn load(config: &Config) -> Result<CostModel> {
        Self::load_from(COST_FILE, config)
    }

    fn load_from(text: &str, config: &Config) -> Result<CostModel> {
        let parse_error = |message: String| Error::Parse {
            path: "rules/cost.toml".into(),
            message,
        };
        let file: CostFile = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
        let mut slots: Vec<Option<(HoursRange, String)>> = vec![None; Weight::ALL.len()];
        for (name, w) in file.weights {
            let weight: Weight = name
                .parse()
                .map_err(|e: String| parse_error(format!("[weights.{name}]: {e}")))?;
            slots[weight.index()] = Some((
                HoursRange {
                    low: w.low,
                    high: w.high,
                },
                w.unit,
            ));
        }
        let mut weights = Vec::with_capacity(slots.len());
        for (weight, slot) in Weight::ALL.iter().zip(slots) {
            weights.push(slot.ok_or_else(|| {
                parse_error(format!("no [weights.{weight}]: every weight needs a value"))
            })?);
        }
        let bad = |message: String| Error::BadConfig {
            path: PathBuf::from("forkcheck.toml"),
            message,
        };
        for (key, &value) in &config.cost {
            // `Config::parse` checks this already; a `Config` built in code is checked here.
            if !value.is_finite() || !(0.0..=MAX_COST_HOURS).contains(&value) {
                return Err(bad(format!(
                    "`[cost] {key}` must be a number of hours from 0 to {MAX_COST_HOURS}"
                )));
            }
            let (name, bound) = if let Some(n) = key.strip_suffix("_low") {
                (n, Some(false))
            } else if let Some(n) = key.strip_suffix("_high") {
                (n, Some(true))
            } else {
                (key.as_str(), None)
            };
            let Ok(weight) = name.parse::<Weight>() else {
                let known: Vec<&str> = Weight::ALL.iter().map(|w| w.as_str()).collect();
                return Err(bad(format!(
                    "`[cost]` names unknown coefficient `{key}` (known: {}; each also with `_low`/`_high`)",
                    known.join(", ")
                )));
            };
            let (w, _) = &mut weights[weight.index()];
            match bound {
                Some(false) => w.low = value,
                Some(true) => w.high = value,
                None => {
                    let spread = if w.low > 0.0 { w.high / w.low } else { 1.0 };
                    w.low = value;
                    w.high = value * spread;
                }
            }
        }
        for (name, (w, _)) in Weight::ALL.iter().zip(&weights) {
            if w.low > w.high {
                return Err(bad(format!(
                    "`[cost]` makes `{name}` an inverted range ({} > {})",
                    w.low, w.high
                )));
            }
        }
        Ok(CostModel { weights })
    }

    /// The weight `weight`, in hours per unit.
    pub fn weight(&self, weight: Weight) -> HoursRange {
        self.weights
            .get(weight.index())
            .map(|(w, _)| *w)
            .unwrap_or(HoursRange::ZERO)
    }

    /// `count` units of `weight`.
    pub fn of(&self, weight: Weight, count: usize) -> HoursRange {
        self.weight(weight).times(count as f64)
    }

    /// All weights with their units, in name order, for documentation.
    pub fn weights(&self) -> impl Iterator<Item = (&str, HoursRange, &str)> {
        Weight::ALL
            .iter()
            .zip(&self.weights)
            .map(|(k, (w, u))| (k.as_str(), *w, u.as_str()))
    }
}

/// An FC201 finding whose file changes keys that all equal the base release's code default
/// (data `keys` and `default_keys`, written by the generated-config analysis).
fn only_defaults(f: &Finding) -> bool {
    let keys = f
        .data
        .get("keys")
        .and_then(|k| k.as_array())
        .map_or(0, Vec::len);
    let defaults = f
        .data
        .get("default_keys")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    keys > 0 && defaults as usize == keys
}

/// What another analysis's finding costs at rebase time, and under which weight.
pub fn finding_weight(f: &Finding) -> Option<Weight> {
    // By typed rule id (a theme override is stale under FC403/FC404 and orphaned under FC405),
    // so no status or rule-name string is matched.
    match (f.kind, f.rule_id()) {
        (_, Some(RuleId::FC405)) => Some(Weight::PerOrphanedOverride),
        (_, Some(RuleId::FC403 | RuleId::FC404)) => Some(Weight::PerStaleOverride),
        // A settings edit as such merges like any line (its conflicts are counted as
        // conflicts); what the target does to the setting is the per-release risk.
        (_, Some(RuleId::FC301 | RuleId::FC302)) => None,
        (Kind::Settings, _) if f.severity >= Severity::Warning => Some(Weight::PerSettingsRisk),
        // A committed file whose every key repeats the code default carries nothing.
        (Kind::GeneratedConfig, Some(RuleId::FC201)) if only_defaults(f) => None,
        (Kind::GeneratedConfig, _) => Some(Weight::PerGeneratedConfigEdit),
        // What breaks beyond the diff (rules/migrations.toml, dependencies.toml,
        // deprecations.toml): a warning or worse is work at the upgrade.
        (Kind::Migration, _) if f.severity >= Severity::Warning => {
            Some(Weight::PerMigrationProblem)
        }
        (Kind::Dependency, _) if f.severity >= Severity::Warning => {
            Some(Weight::PerDependencyConflict)
        }
        (Kind::Deprecation, _) => Some(Weight::PerRemovedApiUse),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_file() {
        let m = CostModel::load(&Config::default()).unwrap();
        let names: Vec<&str> = m.weights().map(|(n, _, _)| n).collect();
        let all: Vec<&str> = Weight::ALL.iter().map(|w| w.as_str()).collect();
        assert_eq!(names, all);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, all, "Weight::ALL is in name order");
        for w in Weight::ALL {
            assert_eq!(w.as_str().parse::<Weight>(), Ok(*w));
        }
        for (_, w, _) in m.weights() {
            assert!(w.low <= w.high && w.low >= 0.0);
        }
    }

    #[test]
    fn overrides_apply_and_unknown_keys_fail() {
        let mut c = Config::default();
        c.cost.insert("per_conflict_hunk".into(), 0.5);
        c.cost.insert("per_kloc_drift_high".into(), 3.0);
        let m = CostModel::load(&c).unwrap();
        assert_eq!(m.weight(Weight::PerConflictHunk).low, 0.5);
        assert_eq!(m.weight(Weight::PerConflictHunk).high, 2.0);
        assert_eq!(m.weight(Weight::PerKlocDrift).high, 3.0);
        c.cost.insert("per_typo".into(), 1.0);
        let err = CostModel::load(&c).unwrap_err();
        assert!(matches!(err, Error::BadConfig { .. }), "{err}");
        assert!(err.to_string().contains("per_typo"));
    }

    #[test]
    fn huge_costs_fail_instead_of_overflowing() {
        let mut c = Config::default();
        c.cost.insert("per_conflict_hunk".into(), 1e308);
        let err = CostModel::load(&c).unwrap_err();
        assert!(err.to_string().contains("per_conflict_hunk"), "{err}");
        c.cost.insert("per_conflict_hunk".into(), MAX_COST_HOURS);
        let m = CostModel::load(&c).unwrap();
        let h = m.of(Weight::PerConflictHunk, 1_000_000);
        assert!(h.low.is_finite() && h.high.is_finite());
    }

    #[test]
    fn a_misspelt_or_missing_weight_in_the_file_fails_to_load() {
        let c = Config::default();
        let typo = COST_FILE.replace(
            "[weights.per_conflict_hunk]",
            "[weights.per_conflict_hunks]",
        );
        let err = CostModel::load_from(&typo, &c).unwrap_err();
        assert!(matches!(err, Error::Parse { .. }), "{err}");
        assert!(err.to_string().contains("per_conflict_hunks"), "{err}");
        let start = COST_FILE.find("[weights.per_empty_commit]").unwrap();
        let end = start + COST_FILE[start..].find("\n\n").unwrap();
        let missing = format!("{}{}", &COST_FILE[..start], &COST_FILE[end..]);
        let err = CostModel::load_from(&missing, &c).unwrap_err();
        assert!(err.to_string().contains("per_empty_commit"), "{err}");
    }

    #[test]
    fn theme_findings_are_weighed_by_rule() {
        let rules = crate::rules::Rules::load(&Default::default()).unwrap();
        let f = |id| Finding::new(rules.rule(id), "themes/a/lms/templates/x.html", "m").build();
        assert_eq!(
            finding_weight(&f(RuleId::FC405)),
            Some(Weight::PerOrphanedOverride)
        );
        assert_eq!(
            finding_weight(&f(RuleId::FC403)),
            Some(Weight::PerStaleOverride)
        );
        assert_eq!(
            finding_weight(&f(RuleId::FC404)),
            Some(Weight::PerStaleOverride)
        );
        assert_eq!(finding_weight(&f(RuleId::FC401)), None);
        assert_eq!(
            finding_weight(&f(RuleId::FC201)),
            Some(Weight::PerGeneratedConfigEdit)
        );
    }

    #[test]
    fn inverted_range_fails() {
        let mut c = Config::default();
        c.cost.insert("per_conflict_hunk_low".into(), 9.0);
        assert!(matches!(CostModel::load(&c), Err(Error::BadConfig { .. })));
    }

    #[test]
    fn display_reads_well() {
        let h = HoursRange {
            low: 1.25,
            high: 4.0,
        };
        assert_eq!(h.display(), "1.3–4 h");
        assert_eq!(HoursRange::ZERO.display(), "0 h");
        let tiny = HoursRange {
            low: 0.0,
            high: 0.04,
        };
        assert_eq!(tiny.display(), "< 0.1 h");
        let same = HoursRange {
            low: 2.0,
            high: 2.04,
        };
        assert_eq!(same.display(), "2 h");
    }
}
