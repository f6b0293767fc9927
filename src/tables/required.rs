//! `required.parquet`: what it would take to reach a goal probability.
//!
//! In: the catalog, the plan and the engine's outcome (per scenario and
//! target, the answer for each goal). Out: [`RequiredRow`]s, one per
//! scenario, target and goal in [`P_GOALS`], with the extra drift on the
//! transform scale and read in the indicator's units.

use crate::engine::Outcome;
use crate::input::catalog::Catalog;
use crate::model::effort::{growth_pct, Required, RequiredStatus, P_GOALS};
use crate::model::transform::Transform;
use crate::plan::Plan;

crate::table! {
    /// One row of `required.parquet`: one scenario, target and P(attain) goal.
    pub struct RequiredRow {
        /// Scenario name.
        pub scenario: String,
        /// Target id.
        pub target_id: String,
        /// The P(attain) goal: 0.5, 0.8 or 0.9.
        pub p_goal: f64,
        /// `ok`, `unreachable` (no finite drift gets there: a bound is in the
        /// way) or `always_met` (the target lies on or beyond a bound).
        pub status: RequiredStatus,
        /// Extra drift per year on top of the scenario (transform scale; counts:
        /// extra expected additions a year). Negative: slack.
        pub extra_drift: Option<f64>,
        /// The same in the indicator's units a year (see `extra_natural_unit`).
        pub extra_natural: Option<f64>,
        /// First year of the extra effort.
        pub effort_from: i32,
        /// Indicator id.
        pub indicator_id: String,
        /// P(attain) of the scenario as it is.
        pub p_attain: f64,
        /// Unit of `extra_natural`.
        pub extra_natural_unit: String,
        /// For `log` indicators, the growth it adds, in % a year.
        pub extra_growth_pct: Option<f64>,
        /// Target year.
        pub target_year: i32,
    }
}

/// The unit of `extra_natural` for an indicator on `transform` measured in `unit`.
pub fn natural_unit(transform: Transform, unit: &str) -> String {
    match transform {
        Transform::Count => "additions a year".into(),
        Transform::Milestone => String::new(),
        _ if unit == "%" => "percentage points a year".into(),
        _ => format!("{unit} a year"),
    }
}

/// The rows of `required.parquet`.
pub fn rows(catalog: &Catalog, plan: &Plan, outcome: &Outcome) -> Vec<RequiredRow> {
    let nt = plan.targets.len();
    let nf = outcome.draws as f64;
    let mut rows = Vec::new();
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        for (j, tp) in plan.targets.iter().enumerate() {
            let Some(summary) = outcome.targets[s * nt + j].as_ref() else {
                continue;
            };
            let Some(answers) = summary.required else {
                continue;
            };
            let ind = &catalog.indicators[tp.indicator];
            for (answer, p_goal) in answers.iter().zip(P_GOALS) {
                let (drift, natural) = match *answer {
                    Required::Drift(d, x) => (Some(d), x),
                    _ => (None, None),
                };
                rows.push(RequiredRow {
                    scenario: scenario.clone(),
                    target_id: catalog.targets[j].id.clone(),
                    p_goal,
                    status: answer.status(),
                    extra_drift: drift,
                    extra_natural: natural,
                    effort_from: tp.effort_from,
                    indicator_id: ind.id.clone(),
                    p_attain: summary.met as f64 / nf,
                    extra_natural_unit: natural_unit(ind.transform, &ind.unit),
                    extra_growth_pct: drift.and_then(|d| growth_pct(ind.transform, d)),
                    target_year: catalog.targets[j].target_year,
                });
            }
        }
    }
    rows
}
