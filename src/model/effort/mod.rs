//! Required effort: the extra yearly drift that lifts P(attain) to a goal.
//!
//! In: a target's test and its draws. Out: per scenario, target and goal in
//! [`P_GOALS`], the extra drift δ added every year from the effort year to the
//! target year on top of the scenario (transform scale; for counts, extra
//! expected additions a year), found on the same random numbers as the run.
//!
//! Everything here is monotone, so the goal is a quantile of a per-draw
//! boundary rather than the root of a noisy function:
//!
//! - **Level of a walk.** With δ added each year from the effort year, the
//!   target year's value moves from G_T to G_T + n·δ (n effort years), so
//!   P(δ) = P(G_T ≥ g(cut) − n·δ) and δ_p = (g(cut) − Q_{1−p}(G_T)) / n,
//!   read off the quantiles of the year's fan series (for `<`/`<=` targets, Q_p).
//! - **Other walk statistics** (`increase`, `every_year`, `cumulative`):
//!   each draw's boundary — the smallest δ that makes that draw meet the
//!   target as published — searched on the draw's own path ([`boundary()`]);
//!   δ_p is the p-quantile of the boundaries, counted in a sketch like any
//!   statistic.
//! - **Counts** (`level`, `increase`): extra additions at rate δ a year are a
//!   Poisson(n·δ) number on top of the draw's own (Poisson superposition), so
//!   with s_i the draw's surplus over what the target needs,
//!   P(δ) = mean_i P(s_i + Poisson(nδ) ≥ 0), computed exactly from the
//!   histogram of surpluses ([`count`](mod@count)).
//!
//! δ is negative when the goal is already exceeded (slack) for `>`/`>=`
//! targets; for `<`/`<=` targets the signs flip.

pub mod boundary;
pub mod count;

use super::target::{Comparator, Statistic, YearValue};
use super::transform::Transform;

pub use boundary::{boundary, boundary_on_grid, boundary_within, edge_factors};
pub use count::{count_probability, count_solve, surplus_slot, SURPLUS_SPAN};

/// The P(attain) goals of `required.parquet`.
pub const P_GOALS: [f64; 3] = [0.5, 0.8, 0.9];

/// How a target's required effort is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Effort {
    /// Not computed: milestones, insufficient history, a target year that is
    /// not projected, count statistics other than `level` and `increase`.
    None,
    /// A walk's level in the target year, over `years` effort years.
    Level {
        /// Effort years up to the target year.
        years: f64,
    },
    /// Another walk statistic, by a boundary per draw.
    PerDraw {
        /// Effort years accumulated by each projected year (0 before the effort year).
        weights: Vec<f64>,
        /// A typical yearly move on the transform scale: the bisection's first step.
        scale: f64,
    },
    /// A count's level or increase.
    Count {
        /// Effort years that add to the statistic.
        years: f64,
        /// The smallest statistic that meets a `>`/`>=` target, the largest
        /// that meets a `<`/`<=` one.
        needed: i64,
    },
}

/// The plan of a target's required effort, with effort from `effort_year`
/// (already at least the indicator's first projected year `start`).
pub fn plan(
    statistic: &Statistic,
    transform: Transform,
    (start, years): (i32, usize),
    effort_year: i32,
    target: (Comparator, f64),
    scale: f64,
) -> Effort {
    let effort_years = |y: &YearValue| match *y {
        YearValue::Projected(i) => (start + i as i32 - effort_year + 1).max(0) as f64,
        YearValue::Observed(_) => 0.0,
    };
    match (transform, statistic) {
        (Transform::Milestone, _) => Effort::None,
        (Transform::Count, Statistic::Level(end)) => count::plan(effort_years(end), target),
        (Transform::Count, Statistic::Increase { end, base }) => {
            count::plan(effort_years(end) - effort_years(base), target)
        }
        (Transform::Count, _) => Effort::None,
        (_, Statistic::Level(end)) => match effort_years(end) {
            n if n > 0.0 => Effort::Level { years: n },
            _ => Effort::None,
        },
        _ => {
            let weights: Vec<f64> = (0..years)
                .map(|i| effort_years(&YearValue::Projected(i)))
                .collect();
            if weights.iter().all(|&w| w == 0.0) {
                Effort::None
            } else {
                Effort::PerDraw {
                    weights,
                    scale: if scale.is_finite() && scale > 0.0 {
                        scale
                    } else {
                        1e-3
                    },
                }
            }
        }
    }
}

crate::named_enum! {
    /// The status of one goal's answer in `required.parquet`.
    pub enum RequiredStatus {
        /// A finite extra drift reaches the goal.
        Ok = "ok",
        /// No finite drift reaches the goal (a bound is in the way).
        Unreachable = "unreachable",
        /// Met whatever the drift (the target lies on or beyond a bound).
        AlwaysMet = "always_met",
    }
}

/// One goal's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Required {
    /// The extra drift, and its natural-scale reading.
    Drift(f64, Option<f64>),
    /// No finite drift reaches the goal (a bound is in the way).
    Unreachable,
    /// Met whatever the drift (the target lies on or beyond a bound).
    AlwaysMet,
}

impl Required {
    /// From an η (helpful direction) and its natural reading.
    pub fn from_eta(eta: f64, sign: f64, natural: impl FnOnce(f64) -> Option<f64>) -> Self {
        if eta == f64::INFINITY {
            Required::Unreachable
        } else if eta == f64::NEG_INFINITY {
            Required::AlwaysMet
        } else if eta.is_nan() {
            Required::Unreachable
        } else {
            let d = sign * eta;
            Required::Drift(d, natural(d))
        }
    }

    /// The output status.
    pub fn status(&self) -> RequiredStatus {
        match self {
            Required::Drift(..) => RequiredStatus::Ok,
            Required::Unreachable => RequiredStatus::Unreachable,
            Required::AlwaysMet => RequiredStatus::AlwaysMet,
        }
    }
}

/// The extra drift in the indicator's units a year: for `level` and counts,
/// the drift itself; for `log` and `logit` level targets, how much faster the
/// deciding draw (the one at the goal's quantile) must change on average,
/// (cut − its value) / effort years (`gap`); None for other statistics.
pub fn natural(transform: Transform, drift: f64, gap: Option<f64>) -> Option<f64> {
    match transform {
        Transform::Level | Transform::Count => Some(drift),
        Transform::Log | Transform::Logit { .. } => gap,
        Transform::Milestone => None,
    }
}

/// For `log` indicators, the growth the drift adds, in % a year: 100·(e^δ − 1).
pub fn growth_pct(transform: Transform, drift: f64) -> Option<f64> {
    (transform == Transform::Log).then(|| 100.0 * drift.exp_m1())
}
