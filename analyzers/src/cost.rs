//! The rebase cost model: `rules/cost.toml` (embedded) with coefficient overrides from
//! `forkcheck.toml`'s `[cost]` table. Hours are a low–high range.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize, Serializer};

use crate::config::{Config, MAX_COST_HOURS};
use crate::error::{Error, Result};
use crate::report::{Finding, Kind, Severity};

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
    /// `1.5–4 h`, as people read it.
    pub fn display(&self) -> String {
        format!("{}–{} h", fmt_hours(self.low), fmt_hours(self.high))
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

/// The weights, by name (`per_conflict_hunk`, …).
#[derive(Debug, Clone)]
pub struct CostModel {
    weights: BTreeMap<String, (HoursRange, String)>,
}

impl CostModel {
    /// The built-in model with `config.cost` overrides applied. Unknown keys and negative or
    /// inverted ranges are [`Error::BadConfig`].
    pub fn load(config: &Config) -> Result<CostModel> {
        let file: CostFile = toml::from_str(COST_FILE).map_err(|e| Error::Parse {
            path: "rules/cost.toml".into(),
            message: e.to_string(),
        })?;
        let mut weights: BTreeMap<String, (HoursRange, String)> = file
            .weights
            .into_iter()
            .map(|(k, w)| {
                (
                    k,
                    (
                        HoursRange {
                            low: w.low,
                            high: w.high,
                        },
                        w.unit,
                    ),
                )
            })
            .collect();
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
            let Some((w, _)) = weights.get_mut(name) else {
                let known: Vec<&str> = COST_NAMES.to_vec();
                return Err(bad(format!(
                    "`[cost]` names unknown coefficient `{key}` (known: {}; each also with `_low`/`_high`)",
                    known.join(", ")
                )));
            };
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
        for (name, (w, _)) in &weights {
            if w.low > w.high {
                return Err(bad(format!(
                    "`[cost]` makes `{name}` an inverted range ({} > {})",
                    w.low, w.high
                )));
            }
        }
        Ok(CostModel { weights })
    }

    /// The weight `name` (zero for a name not in the model: a bug caught by tests).
    pub fn weight(&self, name: &str) -> HoursRange {
        self.weights
            .get(name)
            .map(|(w, _)| *w)
            .unwrap_or(HoursRange::ZERO)
    }

    /// `count` units of `name`.
    pub fn of(&self, name: &str, count: usize) -> HoursRange {
        self.weight(name).times(count as f64)
    }

    /// All weights with their units, for documentation.
    pub fn weights(&self) -> impl Iterator<Item = (&str, HoursRange, &str)> {
        self.weights
            .iter()
            .map(|(k, (w, u))| (k.as_str(), *w, u.as_str()))
    }
}

/// The coefficient names of `rules/cost.toml` (a test keeps this list and the file in step).
pub const COST_NAMES: &[&str] = &[
    "per_clean_commit",
    "per_clean_merge_file",
    "per_conflict_hunk",
    "per_conflicted_file",
    "per_empty_commit",
    "per_generated_config_edit",
    "per_kloc_drift",
    "per_orphaned_override",
    "per_settings_risk",
    "per_stale_override",
    "per_target_deleted_commit",
];

/// What another analysis's finding costs at rebase time, and under which weight.
pub fn finding_weight(f: &Finding) -> Option<&'static str> {
    // Theme findings carry their status (`docs/report-schema.md`); match on it rather than on
    // words inside rule names.
    match (f.kind, f.status.as_deref()) {
        (Kind::ThemeOverride, Some("orphaned")) => Some("per_orphaned_override"),
        (Kind::ThemeOverride, Some("stale")) => Some("per_stale_override"),
        (Kind::Settings, _) if f.severity >= Severity::Warning => Some("per_settings_risk"),
        (Kind::GeneratedConfig, _) => Some("per_generated_config_edit"),
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
        assert_eq!(names, COST_NAMES);
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
        assert_eq!(m.weight("per_conflict_hunk").low, 0.5);
        assert_eq!(m.weight("per_conflict_hunk").high, 2.0);
        assert_eq!(m.weight("per_kloc_drift").high, 3.0);
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
        let h = m.of("per_conflict_hunk", 1_000_000);
        assert!(h.low.is_finite() && h.high.is_finite());
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
    }
}
