//! A target compiled for the engine: its status, its test and the
//! summaries it needs.
//!
//! In: a catalog target and its indicator's plan. Out: a [`TargetPlan`]:
//! the [`TargetTest`] of one draw, the scorecard groups it counts in, whether
//! its first year met is tracked, how its required effort is computed and
//! whether its statistic is a fan series.

use crate::input::catalog::{Catalog, Target};
use crate::model::effort::{self, Effort};
use crate::model::fit::{Fit, MIN_WALK_OBS};
use crate::model::target::{Statistic, TargetTest, YearValue};
use crate::model::transform::Transform;

crate::named_enum! {
    /// What a target's probability rests on (the `status` column).
    pub enum Status {
        /// A probability from the indicator's own history and the scenario.
        Ok = "ok",
        /// A probability from fewer than three own observations and the
        /// dynamics of an analog series (docs/model.md §2b).
        Borrowed = "borrowed",
        /// Too little history: no probability.
        InsufficientHistory = "insufficient_history",
        /// The probability comes from the scenario's assumptions (a
        /// milestone's hazards, a count's assumed rate), not from data.
        AssumptionOnly = "assumption_only",
    }
}

impl Status {
    /// Whether the target has a probability.
    pub fn has_probability(&self) -> bool {
        *self != Status::InsufficientHistory
    }
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
    /// How one draw is tested.
    pub test: TargetTest,
    /// Projected year index of the target year, when the first year it is met is tracked.
    pub passage_until: Option<usize>,
    /// Scorecard group slots it counts in.
    pub groups: Vec<usize>,
    /// Whether the statistic takes integer values.
    pub discrete: bool,
    /// How its required effort is computed (`required.parquet`).
    pub effort: Effort,
    /// The first year of required effort.
    pub effort_from: i32,
    /// `Some(t)` when the statistic is the level of projected year `t`: a
    /// draw meets it iff its transform-scale value passes the cut
    /// ([`TargetTest::cut_g`]), and the statistic's summaries are those of
    /// the fan series of year `t` (the same draws), so it needs neither
    /// natural values nor a sketch of its own.
    pub fan_year: Option<usize>,
}

/// How an indicator is projected: its fit, its first projected year and
/// its number of projected years.
pub(super) struct Projection<'a> {
    pub(super) fit: &'a Fit,
    pub(super) start: i32,
    pub(super) years: usize,
}

/// Compiles target `j` of the catalog on its indicator's projection `ip`,
/// with required effort from `effort_from` (or the first projected year).
pub(super) fn compile_target(
    catalog: &Catalog,
    (j, t): (usize, &Target),
    ip: Projection,
    effort_from: Option<i32>,
) -> TargetPlan {
    let ind = &catalog.indicators[t.indicator];
    let status = match ip.fit {
        Fit::Insufficient { .. } => Status::InsufficientHistory,
        Fit::Milestone { .. } | Fit::AssumedCount { .. } => Status::AssumptionOnly,
        Fit::Walk(w) if w.borrowed && catalog.history[t.indicator].len() < MIN_WALK_OBS => {
            Status::Borrowed
        }
        Fit::Walk(_) | Fit::Count(_) => Status::Ok,
    };
    let value_of = |year: i32| year_value(catalog, t.indicator, ip.start, year);
    let statistic = t.kind.statistic(t.target_year, value_of);
    let passage_until =
        (t.kind.tracks_first_passage() && t.target_year >= ip.start && ip.years > 0)
            .then(|| (t.target_year - ip.start) as usize);
    let discrete = matches!(ind.transform, Transform::Count | Transform::Milestone);
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
                (ip.start, ip.years),
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
    TargetPlan {
        index: j,
        indicator: t.indicator,
        status,
        test: TargetTest::new(
            statistic,
            (t.comparator, t.value),
            ind.decimals,
            ind.transform,
        ),
        passage_until,
        groups: Vec::new(),
        discrete,
        effort,
        effort_from: effort_year,
        fan_year,
    }
}

/// How the value of `year` is known to a target of indicator `indicator`
/// projected from `start`: observed before it, projected from it on.
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
