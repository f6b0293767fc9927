//! `sensitivity.parquet`: which uncertain lever matters for which target
//! (docs/model.md §6b).
//!
//! In: the plan (its levers and which targets each moves, per scenario) and
//! the engine's outcome (per row, the draws and draws met by bin of the
//! lever's uniform). Out: [`SensitivityRow`]s, one per scenario, target and
//! lever that moves its indicator: the two ends of a tornado bar and the
//! lever's first-order share of the attainment's variance. A run whose
//! scenarios have no uncertain lever writes the table with no rows.

use crate::engine::Outcome;
use crate::input::catalog::Catalog;
use crate::model::lever::Family;
use crate::plan::Plan;

crate::table! {
    /// One row of `sensitivity.parquet`: one scenario, target and lever.
    pub struct SensitivityRow {
        /// Scenario name.
        pub scenario: String,
        /// Target id.
        pub target_id: String,
        /// The lever's entry: `FILE.adjust[I].FIELD` or `FILE.shock[I].FIELD`.
        pub lever: String,
        /// Its distribution.
        pub distribution: Family,
        /// Lower end of its range.
        pub lever_low: f64,
        /// Peak of a triangular range (null for a uniform one).
        pub lever_mode: Option<f64>,
        /// Upper end of its range.
        pub lever_high: f64,
        /// P(attain) over all draws (as in `attainment.parquet`).
        pub p_attain: Option<f64>,
        /// P(attain) over the draws with the lever in the lowest tenth of its range.
        pub p_low: Option<f64>,
        /// P(attain) over the draws with the lever in the highest tenth of its range.
        pub p_high: Option<f64>,
        /// Share of the attainment's variance the lever explains alone
        /// (null when every draw meets the target or none does).
        pub first_order: Option<f64>,
    }
}

/// The rows of `sensitivity.parquet`.
pub fn rows(catalog: &Catalog, plan: &Plan, outcome: &Outcome) -> Vec<SensitivityRow> {
    plan.sensitivity
        .iter()
        .zip(&outcome.sensitivity)
        .map(|(row, bins)| {
            let lever = &plan.levers[row.lever];
            let (low, mode, high) = lever.spread.ends();
            SensitivityRow {
                scenario: plan.scenarios[row.scenario].clone(),
                target_id: catalog.targets[row.target].id.clone(),
                lever: lever.id.clone(),
                distribution: lever.spread.family(),
                lever_low: low,
                lever_mode: mode,
                lever_high: high,
                p_attain: bins.p(),
                p_low: bins.p_low(),
                p_high: bins.p_high(),
                first_order: bins.first_order(),
            }
        })
        .collect()
}
