//! The projection plan: fits, scenarios and targets compiled to year arrays.
//!
//! In: the [`Catalog`], the resolved [`Scenario`]s and the horizon year. Out:
//! a [`Plan`] in which every indicator knows its transform, its fit, its
//! projected years and, per scenario, the settings of every year
//! ([`PathSpec`], docs/model.md §5); and every target knows its status, its test
//! and which observed values or projected years its statistic is made of
//! ([`TargetPlan`], docs/model.md §6).

mod path;
mod target;

use std::collections::HashMap;

use crate::input::catalog::Catalog;
use crate::input::scenario::{Lever, Scenario, Value};
use crate::model::fit::{fit, Borrowing, Fit, PowerPrior};
use crate::model::persistence::Persistence;
use crate::model::rng::stable_hash;
use crate::model::target::Statistic;
use crate::model::transform::Transform;

pub use path::{Amount, PathSpec, Setting, ShockTerm};
pub use target::{Status, TargetPlan};

/// One indicator's plan.
#[derive(Debug, Clone)]
pub struct IndicatorPlan {
    /// Index in the catalog.
    pub index: usize,
    /// The scale it moves on.
    pub transform: Transform,
    /// How far its fitted drift carries on (docs/model.md §2c).
    pub persistence: Persistence,
    /// Its fit.
    pub fit: Fit,
    /// First projected year.
    pub start: i32,
    /// Number of projected years (0 when not projected).
    pub years: usize,
    /// Per scenario.
    pub paths: Vec<PathSpec>,
    /// Stream key, from the id, so that adding an indicator leaves the others' draws alone.
    pub key: u64,
    /// Offset of its first fan series.
    pub series: usize,
    /// Its targets (indexes into [`Plan::targets`]).
    pub targets: Vec<usize>,
    /// Per scenario, the first scenario with the same settings for this
    /// indicator: its paths are computed once and shared.
    pub same_as: Vec<usize>,
    /// Per projected year, whether a target statistic uses its natural value
    /// (the others are summarised on the transform scale only).
    pub natural: Vec<bool>,
}

impl IndicatorPlan {
    /// Whether scenario `s` has settings of its own for this indicator (not
    /// those of an earlier scenario, whose paths it shares).
    #[inline]
    pub fn is_distinct(&self, s: usize) -> bool {
        self.same_as[s] == s
    }
}

/// Everything the simulation needs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Scenario names, baseline first.
    pub scenarios: Vec<String>,
    /// Horizon: the last projected year.
    pub horizon: i32,
    /// First projected year of any indicator.
    pub first_year: i32,
    /// Per catalog indicator.
    pub indicators: Vec<IndicatorPlan>,
    /// Per catalog target.
    pub targets: Vec<TargetPlan>,
    /// Shock slots: (stream key, probability).
    pub shocks: Vec<(u64, Amount)>,
    /// Uncertain levers of the scenarios, one slot per entry identity (an
    /// inherited entry shares its parent's slot).
    pub levers: Vec<Lever>,
    /// The sensitivity table's rows, by scenario then target: every lever
    /// that moves a target's indicator in that scenario (docs/model.md §6b).
    pub sensitivity: Vec<LeverTarget>,
    /// Factor stream keys.
    pub factors: Vec<u64>,
    /// Scorecard groups: name and number of targets counted.
    pub groups: Vec<(String, usize)>,
    /// Number of fan series (indicator × projected year).
    pub series: usize,
}

/// A lever that moves a target in a scenario: a row of the sensitivity table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LeverTarget {
    /// Scenario index.
    pub scenario: usize,
    /// Target index.
    pub target: usize,
    /// Lever slot in [`Plan::levers`].
    pub lever: usize,
}

impl Plan {
    /// Number of calendar years from `first_year` to `horizon`.
    pub fn calendar_years(&self) -> usize {
        (self.horizon - self.first_year + 1).max(0) as usize
    }

    /// The rows of [`Plan::sensitivity`] of scenario `s` and target `j`.
    pub fn sensitivity_rows(&self, s: usize, j: usize) -> std::ops::Range<usize> {
        let at = |r: &LeverTarget| (r.scenario, r.target);
        let from = self.sensitivity.partition_point(|r| at(r) < (s, j));
        let to = self.sensitivity.partition_point(|r| at(r) <= (s, j));
        from..to
    }
}

/// What indicator `k`'s fit may borrow: its analog's power prior, and
/// whether the scenarios assume its rate of additions.
fn borrowing(catalog: &Catalog, scenarios: &[Scenario], k: usize) -> Borrowing {
    let ind = &catalog.indicators[k];
    let prior = ind
        .analog
        .as_ref()
        .and_then(|a| PowerPrior::of_analog(ind.transform, &catalog.series(a.index), a.weight));
    let assumed_rate = scenarios.iter().any(|s| {
        s.adjusts
            .iter()
            .any(|a| a.rate.is_some() && a.indicators.contains(&k))
    });
    Borrowing {
        prior,
        assumed_rate,
    }
}

/// Compiles the plan. `horizon` is the last year projected (at least every
/// target year); required effort starts in `effort_from`, or in each
/// indicator's first projected year when that is later or not given.
pub fn compile(
    catalog: &Catalog,
    scenarios: &[Scenario],
    horizon: i32,
    effort_from: Option<i32>,
) -> Plan {
    let mut shock_slots: HashMap<u64, usize> = HashMap::new();
    let mut shocks = Vec::new();
    let mut factor_slots: HashMap<u64, usize> = HashMap::new();
    let mut factors = Vec::new();
    let mut lever_slots: HashMap<u64, usize> = HashMap::new();
    let mut levers: Vec<Lever> = Vec::new();
    for l in scenarios.iter().flat_map(Scenario::levers) {
        lever_slots.entry(l.key).or_insert_with(|| {
            levers.push(l.clone());
            levers.len() - 1
        });
    }
    let amount = |v: &Value| match v {
        Value::Fixed(x) => Amount::Fixed(*x),
        Value::Uncertain(l) => Amount::Lever(lever_slots[&l.key]),
    };
    for s in scenarios {
        for sh in &s.shocks {
            shock_slots.entry(sh.key).or_insert_with(|| {
                shocks.push((sh.key, amount(&sh.probability)));
                shocks.len() - 1
            });
        }
        for f in &s.factors {
            factor_slots.entry(f.key).or_insert_with(|| {
                factors.push(f.key);
                factors.len() - 1
            });
        }
    }
    let slots = path::Slots {
        shocks: &shock_slots,
        factors: &factor_slots,
        levers: &lever_slots,
    };
    let mut series = 0;
    let mut indicators = Vec::with_capacity(catalog.indicators.len());
    for (k, ind) in catalog.indicators.iter().enumerate() {
        let fit = fit(
            ind.transform,
            &catalog.series(k),
            borrowing(catalog, scenarios, k),
        );
        let start = fit.last_year().map_or(horizon + 1, |y| y + 1);
        // An indicator with no target (an analog-only series) is fitted,
        // never projected.
        let years = match fit {
            Fit::Insufficient { .. } => 0,
            _ if !catalog.has_targets(k) => 0,
            _ => (horizon - start + 1).max(0) as usize,
        };
        let assumed = matches!(fit, Fit::AssumedCount { .. });
        let paths: Vec<PathSpec> = scenarios
            .iter()
            .map(|s| path::path_spec(s, (k, ind.transform, assumed), start, years, &slots))
            .collect();
        let same_as = (0..paths.len())
            .map(|s| (0..=s).find(|&r| paths[r] == paths[s]).unwrap_or(s))
            .collect();
        indicators.push(IndicatorPlan {
            index: k,
            transform: ind.transform,
            persistence: catalog.persistence(k),
            fit,
            start,
            years,
            paths,
            key: stable_hash(&ind.id),
            series,
            targets: Vec::new(),
            same_as,
            natural: vec![false; years],
        });
        series += years;
    }
    let mut groups: Vec<(String, usize)> = vec![("all".to_string(), 0)];
    let mut targets = Vec::with_capacity(catalog.targets.len());
    for (j, t) in catalog.targets.iter().enumerate() {
        let ip = &mut indicators[t.indicator];
        let projection = target::Projection {
            fit: &ip.fit,
            start: ip.start,
            years: ip.years,
        };
        let mut tp = target::compile_target(catalog, (j, t), projection, effort_from);
        if tp.status.has_probability() {
            let group = &catalog.indicators[t.indicator].group;
            let g = match groups.iter().position(|(name, _)| name == group) {
                Some(g) => g,
                None => {
                    groups.push((group.clone(), 0));
                    groups.len() - 1
                }
            };
            tp.groups = vec![0, g];
            for &s in &tp.groups {
                groups[s].1 += 1;
            }
        }
        // A level is read on the transform scale (its fan series); other
        // statistics read the natural values of their projected years.
        if !matches!(tp.test.statistic, Statistic::Level(_)) {
            for i in tp.test.statistic.projected_years() {
                ip.natural[i] = true;
            }
        }
        ip.targets.push(j);
        targets.push(tp);
    }
    let first_year = indicators
        .iter()
        .filter(|i| i.years > 0)
        .map(|i| i.start)
        .min()
        .unwrap_or(horizon);
    // Which levers move which target, scenario by scenario (docs/model.md §6b).
    let shock_levers: Vec<Option<usize>> = shocks
        .iter()
        .map(|(_, p)| match p {
            Amount::Lever(l) => Some(*l),
            Amount::Fixed(_) => None,
        })
        .collect();
    let mut sensitivity = Vec::new();
    for s in 0..scenarios.len() {
        for tp in targets.iter().filter(|tp| tp.status.has_probability()) {
            for lever in indicators[tp.indicator].paths[s].lever_slots(&shock_levers) {
                sensitivity.push(LeverTarget {
                    scenario: s,
                    target: tp.index,
                    lever,
                });
            }
        }
    }
    Plan {
        scenarios: scenarios.iter().map(|s| s.name.clone()).collect(),
        horizon,
        first_year,
        indicators,
        targets,
        shocks,
        levers,
        sensitivity,
        factors,
        groups,
        series,
    }
}
