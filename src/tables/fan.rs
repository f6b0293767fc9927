//! `fan.parquet`: one row per scenario, indicator and year, for fan charts.
//!
//! In: the catalog, the plan and the engine's outcome. Out: [`FanRow`]s,
//! observed years first (the value in `p50` and `mean`), then projected ones
//! with the mean and quantiles of every projected year.

use crate::engine::Outcome;
use crate::input::catalog::Catalog;
use crate::plan::Plan;

crate::named_enum! {
    /// Whether a fan row is a published figure or a projection.
    pub enum FanKind {
        /// An observed figure.
        Observed = "observed",
        /// A projected year.
        Projected = "projected",
    }
}

crate::table! {
    /// One row of `fan.parquet`: one scenario, indicator and year.
    pub struct FanRow {
        /// Scenario name.
        pub scenario: String,
        /// Indicator id.
        pub indicator_id: String,
        /// Calendar year.
        pub year: i32,
        /// `observed` or `projected`.
        pub kind: FanKind,
        /// Mean (natural units); the value itself for observed years.
        pub mean: Option<f64>,
        /// 5 % quantile (natural units; null for observed years).
        pub p05: Option<f64>,
        /// 10 % quantile.
        pub p10: Option<f64>,
        /// 25 % quantile.
        pub p25: Option<f64>,
        /// Median; the value itself for observed years.
        pub p50: Option<f64>,
        /// 75 % quantile.
        pub p75: Option<f64>,
        /// 90 % quantile.
        pub p90: Option<f64>,
        /// 95 % quantile.
        pub p95: Option<f64>,
    }
}

impl FanRow {
    /// The quantiles p05 … p95, in order.
    pub fn quantiles(&self) -> [Option<f64>; 7] {
        [
            self.p05, self.p10, self.p25, self.p50, self.p75, self.p90, self.p95,
        ]
    }

    fn new(
        (scenario, indicator_id): (&str, &str),
        (year, kind): (i32, FanKind),
        mean: Option<f64>,
        q: [Option<f64>; 7],
    ) -> Self {
        FanRow {
            scenario: scenario.to_string(),
            indicator_id: indicator_id.to_string(),
            year,
            kind,
            mean,
            p05: q[0],
            p10: q[1],
            p25: q[2],
            p50: q[3],
            p75: q[4],
            p90: q[5],
            p95: q[6],
        }
    }
}

/// The rows of `fan.parquet`.
pub fn rows(catalog: &Catalog, plan: &Plan, outcome: &Outcome) -> Vec<FanRow> {
    let mut rows = Vec::new();
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        // Analog-only series (no target) are fitted, never projected, and
        // appear in no table.
        for ip in plan
            .indicators
            .iter()
            .filter(|ip| catalog.has_targets(ip.index))
        {
            let id = &catalog.indicators[ip.index].id;
            for o in &catalog.history[ip.index] {
                let mut q = [None; 7];
                q[3] = Some(o.value);
                rows.push(FanRow::new(
                    (scenario, id),
                    (o.year, FanKind::Observed),
                    Some(o.value),
                    q,
                ));
            }
            for t in 0..ip.years {
                let summary = &outcome.fan[s * plan.series + ip.series + t];
                rows.push(FanRow::new(
                    (scenario, id),
                    (ip.start + t as i32, FanKind::Projected),
                    summary.mean,
                    summary.quantiles.map(|q| q.is_finite().then_some(q)),
                ));
            }
        }
    }
    rows
}
