//! `scorecard.parquet`: how many targets are met together.
//!
//! In: the plan and the engine's outcome (per scenario and group, the draws
//! with exactly k targets met). Out: [`ScorecardRow`]s, one per scenario,
//! group (and `all`) and k.

use crate::engine::Outcome;
use crate::plan::Plan;

crate::table! {
    /// One row of `scorecard.parquet`: one scenario, group and k.
    pub struct ScorecardRow {
        /// Scenario name.
        pub scenario: String,
        /// Indicator group, or `all`.
        pub group: String,
        /// Targets counted (those with a probability).
        pub targets: i32,
        /// Number of targets met.
        pub k: i32,
        /// P(exactly k met).
        pub p_exactly: f64,
        /// P(at least k met).
        pub p_at_least: f64,
    }
}

/// The rows of `scorecard.parquet`.
pub fn rows(plan: &Plan, outcome: &Outcome) -> Vec<ScorecardRow> {
    let nf = outcome.draws as f64;
    let ng = plan.groups.len();
    let mut rows = Vec::new();
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        for (g, (group, members)) in plan.groups.iter().enumerate() {
            let hist = &outcome.scorecard[s * ng + g];
            let mut at_least = nf;
            for (k, &count) in hist.iter().enumerate() {
                rows.push(ScorecardRow {
                    scenario: scenario.clone(),
                    group: group.clone(),
                    targets: *members as i32,
                    k: k as i32,
                    p_exactly: count as f64 / nf,
                    p_at_least: at_least / nf,
                });
                at_least -= count as f64;
            }
        }
    }
    rows
}
