//! The projection plan: fits, scenarios and targets compiled to year arrays.
//!
//! In: the [`Catalog`], the resolved [`Scenario`]s and the horizon year. Out:
//! a [`Plan`] in which every indicator knows its projected years and, per
//! scenario, the drift multiplier M_t, added drift A_t, volatility scale V_t,
//! rate multiplier R_t and hazard of every year, its shocks and its factor
//! (MODEL.md §5); and every target knows which observed values or projected
//! years its statistic is made of (MODEL.md §6).

use std::collections::HashMap;

use crate::catalog::{Catalog, Comparator, Target, TargetKind, Transform};
use crate::effort::{self, Effort};
use crate::fit::{fit, Fit};
use crate::scenario::{stable_hash, Scenario};

/// A target's status in the output (INTERFACE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A probability from data and scenario.
    Ok,
    /// Too little history: no probability.
    InsufficientHistory,
    /// A milestone: the probability comes from the scenario's hazards.
    AssumptionOnly,
}

impl Status {
    /// The output name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::InsufficientHistory => "insufficient_history",
            Status::AssumptionOnly => "assumption_only",
        }
    }
}

/// One scenario's settings for one indicator, per projected year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathSpec {
    /// M_t.
    pub drift_mult: Vec<f64>,
    /// A_t (transform scale).
    pub drift_add: Vec<f64>,
    /// V_t.
    pub vol_scale: Vec<f64>,
    /// R_t (counts).
    pub rate_mult: Vec<f64>,
    /// Yearly hazard (milestones).
    pub hazard: Vec<f64>,
    /// Shocks that can hit this indicator: (projected year index, shock slot, size).
    pub shocks: Vec<(usize, usize, f64)>,
    /// The factor it belongs to: (factor slot, ρ).
    pub factor: Option<(usize, f64)>,
}

/// One indicator's plan.
#[derive(Debug, Clone)]
pub struct IndicatorPlan {
    /// Index in the catalog.
    pub index: usize,
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

/// A value a target statistic uses: observed, or the projection of a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YearValue {
    /// Known.
    Observed(f64),
    /// Index into the indicator's projected years.
    Projected(usize),
}

/// How a target's statistic is computed from one draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// Value of a year.
    Level(YearValue),
    /// Value of a year minus value of the base year.
    Increase {
        /// Target year.
        end: YearValue,
        /// Base year.
        base: YearValue,
    },
    /// Every year meets the comparison; the statistic is the worst year.
    EveryYear(Vec<YearValue>),
    /// Sum of the years.
    Cumulative(Vec<YearValue>),
}

/// One target's plan.
#[derive(Debug, Clone)]
pub struct TargetPlan {
    /// Index in the catalog.
    pub index: usize,
    /// Its indicator's plan index (= catalog index).
    pub indicator: usize,
    /// Status.
    pub status: Status,
    /// The statistic.
    pub statistic: Statistic,
    /// Comparison.
    pub comparator: Comparator,
    /// Target value.
    pub value: f64,
    /// Decimals of publication.
    pub decimals: i32,
    /// Projected year index of the target year, when the first year it is met is tracked.
    pub passage_until: Option<usize>,
    /// Scorecard group slots it counts in.
    pub groups: Vec<usize>,
    /// Whether the statistic takes integer values.
    pub discrete: bool,
    /// The published comparison of one year's value as a cut on the
    /// unrounded value (see [`PublishedCut`]).
    pub cut: PublishedCut,
    /// The same cut on the transform scale, g(cut): a value meets it iff its
    /// transform-scale value is ≥ it (`>`/`>=`) or < it (`<`/`<=`).
    pub cut_g: f64,
    /// How its required effort is computed (`required.parquet`).
    pub effort: Effort,
    /// The first year of required effort.
    pub effort_from: i32,
    /// `Some(t)` when the statistic is the level of projected year `t`: a
    /// draw meets it iff its transform-scale value passes [`Self::cut_g`],
    /// and the statistic's summaries are those of the fan series of year `t`
    /// (the same draws), so it needs neither natural values nor a sketch of
    /// its own.
    pub fan_year: Option<usize>,
}

/// "round(x) to `decimals` compares with `value`" as a cut on x: for `>=`
/// and `>`, x ≥ `at`; for `<=` and `<`, x < `at`. Exact for rounding half
/// away from zero except on the measure-zero set where x is itself a
/// negative half-way point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublishedCut {
    /// The cut point.
    pub at: f64,
    /// Whether larger values meet it.
    pub upward: bool,
}

impl PublishedCut {
    /// The cut for a comparison.
    pub fn new(comparator: Comparator, value: f64, decimals: i32) -> Self {
        let scale = 10f64.powi(decimals);
        let half = 0.5 / scale;
        let scaled = value * scale;
        let tol = 1e-9 * scaled.abs().max(1.0);
        // Grid values (published figures) next to the target value.
        let at_or_above = (scaled - tol).ceil() / scale;
        let above = (scaled + tol).floor() / scale + 1.0 / scale;
        let at_or_below = (scaled + tol).floor() / scale;
        let below = (scaled - tol).ceil() / scale - 1.0 / scale;
        match comparator {
            Comparator::Ge => PublishedCut {
                at: at_or_above - half,
                upward: true,
            },
            Comparator::Gt => PublishedCut {
                at: above - half,
                upward: true,
            },
            Comparator::Le => PublishedCut {
                at: at_or_below + half,
                upward: false,
            },
            Comparator::Lt => PublishedCut {
                at: below + half,
                upward: false,
            },
        }
    }

    /// Whether the published value of x meets the target.
    #[inline]
    pub fn meets(&self, x: f64) -> bool {
        if self.upward {
            x >= self.at
        } else {
            x < self.at
        }
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
    pub shocks: Vec<(u64, f64)>,
    /// Factor stream keys.
    pub factors: Vec<u64>,
    /// Scorecard groups: name and number of targets counted.
    pub groups: Vec<(String, usize)>,
    /// Number of fan series (indicator × projected year).
    pub series: usize,
}

impl Plan {
    /// Number of calendar years from `first_year` to `horizon`.
    pub fn calendar_years(&self) -> usize {
        (self.horizon - self.first_year + 1).max(0) as usize
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
    for s in scenarios {
        for sh in &s.shocks {
            shock_slots.entry(sh.key).or_insert_with(|| {
                shocks.push((sh.key, sh.probability));
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
    let mut series = 0;
    let mut indicators = Vec::with_capacity(catalog.indicators.len());
    for (k, ind) in catalog.indicators.iter().enumerate() {
        let fit = fit(ind, &catalog.history[k]);
        let start = fit.last_year().map_or(horizon + 1, |y| y + 1);
        let years = match fit {
            Fit::Insufficient { .. } => 0,
            _ => (horizon - start + 1).max(0) as usize,
        };
        let paths: Vec<PathSpec> = scenarios
            .iter()
            .map(|s| {
                path_spec(
                    s,
                    k,
                    ind.transform,
                    start,
                    years,
                    &shock_slots,
                    &factor_slots,
                )
            })
            .collect();
        let same_as = (0..paths.len())
            .map(|s| (0..=s).find(|&r| paths[r] == paths[s]).unwrap_or(s))
            .collect();
        indicators.push(IndicatorPlan {
            index: k,
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
        let ip = &indicators[t.indicator];
        let ind = &catalog.indicators[t.indicator];
        let status = match (&ip.fit, ind.transform) {
            (Fit::Insufficient { .. }, _) => Status::InsufficientHistory,
            (_, Transform::Milestone) => Status::AssumptionOnly,
            _ => Status::Ok,
        };
        let mut slots = Vec::new();
        if status != Status::InsufficientHistory {
            let g = match groups.iter().position(|(name, _)| *name == ind.group) {
                Some(g) => g,
                None => {
                    groups.push((ind.group.clone(), 0));
                    groups.len() - 1
                }
            };
            slots = vec![0, g];
            for &s in &slots {
                groups[s].1 += 1;
            }
        }
        let value_of = |year: i32| year_value(catalog, t.indicator, ip.start, year);
        let statistic = statistic(t, value_of);
        let passage_until = match t.kind {
            TargetKind::Level | TargetKind::Milestone
                if t.target_year >= ip.start && ip.years > 0 =>
            {
                Some((t.target_year - ip.start) as usize)
            }
            _ => None,
        };
        let discrete = matches!(ind.transform, Transform::Count | Transform::Milestone);
        let cut = PublishedCut::new(t.comparator, t.value, ind.decimals);
        let effort_year = effort_from.map_or(ip.start, |y| y.max(ip.start));
        let effort = match (&ip.fit, status) {
            (Fit::Insufficient { .. }, _) | (_, Status::AssumptionOnly) => Effort::None,
            (fit, _) => {
                let scale = match fit {
                    Fit::Walk(w) => w.s2.sqrt().max(w.drift.abs()),
                    _ => 1.0,
                };
                effort::plan(
                    &statistic,
                    ind.transform,
                    ip.start,
                    ip.years,
                    effort_year,
                    (t.comparator, t.value),
                    scale,
                )
            }
        };
        let fan_year = match statistic {
            Statistic::Level(YearValue::Projected(t)) => Some(t),
            _ => None,
        };
        targets.push(TargetPlan {
            index: j,
            indicator: t.indicator,
            status,
            statistic,
            comparator: t.comparator,
            value: t.value,
            decimals: ind.decimals,
            passage_until,
            groups: slots,
            discrete,
            cut,
            cut_g: effort::forward_cut(ind.transform, cut.at),
            effort,
            effort_from: effort_year,
            fan_year,
        });
        indicators[t.indicator].targets.push(j);
        let uses = |y: &YearValue| match *y {
            YearValue::Projected(i) => Some(i),
            YearValue::Observed(_) => None,
        };
        let years_used: Vec<usize> = match &targets[j].statistic {
            // Read on the transform scale (`fan_year`).
            Statistic::Level(_) => Vec::new(),
            Statistic::Increase { end, base } => [end, base].into_iter().filter_map(uses).collect(),
            Statistic::EveryYear(ys) | Statistic::Cumulative(ys) => {
                ys.iter().filter_map(uses).collect()
            }
        };
        for i in years_used {
            indicators[t.indicator].natural[i] = true;
        }
    }
    let first_year = indicators
        .iter()
        .filter(|i| i.years > 0)
        .map(|i| i.start)
        .min()
        .unwrap_or(horizon);
    Plan {
        scenarios: scenarios.iter().map(|s| s.name.clone()).collect(),
        horizon,
        first_year,
        indicators,
        targets,
        shocks,
        factors,
        groups,
        series,
    }
}

fn year_value(catalog: &Catalog, indicator: usize, start: i32, year: i32) -> YearValue {
    if year >= start {
        YearValue::Projected((year - start) as usize)
    } else {
        // The catalog guarantees the year is observed (targets are validated).
        let v = catalog.history[indicator]
            .iter()
            .find(|o| o.year == year)
            .map_or(f64::NAN, |o| o.value);
        YearValue::Observed(v)
    }
}

fn statistic(t: &Target, value_of: impl Fn(i32) -> YearValue) -> Statistic {
    match t.kind {
        TargetKind::Level | TargetKind::Milestone => Statistic::Level(value_of(t.target_year)),
        TargetKind::Increase { base_year } => Statistic::Increase {
            end: value_of(t.target_year),
            base: value_of(base_year),
        },
        TargetKind::EveryYear { from_year } => {
            Statistic::EveryYear((from_year..=t.target_year).map(&value_of).collect())
        }
        TargetKind::Cumulative { from_year } => {
            Statistic::Cumulative((from_year..=t.target_year).map(&value_of).collect())
        }
    }
}

fn path_spec(
    scenario: &Scenario,
    k: usize,
    transform: Transform,
    start: i32,
    years: usize,
    shock_slots: &HashMap<u64, usize>,
    factor_slots: &HashMap<u64, usize>,
) -> PathSpec {
    let mut p = PathSpec {
        drift_mult: vec![1.0; years],
        drift_add: vec![0.0; years],
        vol_scale: vec![1.0; years],
        rate_mult: vec![1.0; years],
        hazard: vec![0.0; years],
        shocks: Vec::new(),
        factor: None,
    };
    let walk = transform.is_walk();
    for a in scenario
        .adjusts
        .iter()
        .filter(|a| a.indicators.contains(&k))
    {
        for t in 0..years {
            if !a.covers(start + t as i32) {
                continue;
            }
            if walk {
                p.drift_mult[t] *= a.drift_mult.unwrap_or(1.0);
                p.drift_add[t] += a.drift_add.unwrap_or(0.0);
                p.vol_scale[t] *= a.vol_scale.unwrap_or(1.0);
            }
            if transform == Transform::Count {
                p.rate_mult[t] *= a.rate_mult.unwrap_or(1.0);
            }
            if transform == Transform::Milestone {
                if let Some(h) = a.hazard {
                    p.hazard[t] = h;
                }
            }
        }
    }
    for sh in scenario.shocks.iter().filter(|s| s.indicators.contains(&k)) {
        if sh.year >= start && ((sh.year - start) as usize) < years {
            p.shocks
                .push(((sh.year - start) as usize, shock_slots[&sh.key], sh.size));
        }
    }
    if walk {
        if let Some(f) = scenario.factors.iter().find(|f| f.indicators.contains(&k)) {
            p.factor = Some((factor_slots[&f.key], f.loading));
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::round_published;

    #[test]
    fn the_published_cut_agrees_with_rounding_then_comparing() {
        let comparators = [
            Comparator::Ge,
            Comparator::Gt,
            Comparator::Le,
            Comparator::Lt,
        ];
        for decimals in 0..3 {
            for &value in &[100.0, 99.0, 3.5, 93.0, 95.95, 0.0, 1500.0] {
                for &c in &comparators {
                    let cut = PublishedCut::new(c, value, decimals);
                    for i in 0..20_000 {
                        let x = value - 2.0 + f64::from(i) * 0.000_2 + 1e-7;
                        let by_rounding = c.holds(round_published(x, decimals), value);
                        assert_eq!(
                            cut.meets(x),
                            by_rounding,
                            "{x} {} {value} at {decimals} decimals",
                            c.symbol()
                        );
                    }
                }
            }
        }
    }
}
