//! `attainment.parquet`: one row per scenario and target.
//!
//! In: the catalog, the plan and the engine's outcome. Out: [`AttainmentRow`]s:
//! P(attain) with its Monte Carlo standard error and 95 % Wilson interval,
//! the paired difference against the baseline, the statistic's mean and
//! quantiles, first passage, the history it rests on and a likelihood term.

use crate::engine::Outcome;
use crate::input::catalog::{Catalog, Provenance};
use crate::model::fit::Fit;
use crate::model::target::{Comparator, Kind};
use crate::plan::{Plan, Status};

/// Normal quantile of 0.975, for 95 % Wilson intervals.
const Z95: f64 = 1.959_963_984_540_054;

crate::table! {
    /// One row of `attainment.parquet`: one scenario and target.
    pub struct AttainmentRow {
        /// Scenario name.
        pub scenario: String,
        /// Target id.
        pub target_id: String,
        /// Indicator id.
        pub indicator_id: String,
        /// Indicator group.
        pub group: String,
        /// Indicator name, Chinese.
        pub name_zh: String,
        /// Indicator name, English.
        pub name_en: String,
        /// Target kind.
        pub kind: Kind,
        /// Comparator.
        pub comparator: Comparator,
        /// Target value (indicator units; for `increase` and `cumulative` the change or total).
        pub target_value: f64,
        /// Target year.
        pub target_year: i32,
        /// What the probability rests on.
        pub status: Status,
        /// The id of the analog series whose dynamics the fit borrows
        /// (null when it borrows none).
        pub analog: Option<String>,
        /// Share of draws that meet the target.
        pub p_attain: Option<f64>,
        /// Its Monte Carlo standard error, sqrt(p(1−p)/N).
        pub p_attain_se: Option<f64>,
        /// Lower end of the 95 % Wilson interval.
        pub p_low: Option<f64>,
        /// Upper end of the 95 % Wilson interval.
        pub p_high: Option<f64>,
        /// p_attain minus the baseline's (null for the baseline).
        pub delta_vs_baseline: Option<f64>,
        /// Paired (common random numbers) standard error of the delta.
        pub delta_se: Option<f64>,
        /// Mean of the target statistic (indicator units).
        pub value_mean: Option<f64>,
        /// 5 % quantile of the statistic.
        pub value_p05: Option<f64>,
        /// 10 % quantile.
        pub value_p10: Option<f64>,
        /// 25 % quantile.
        pub value_p25: Option<f64>,
        /// Median.
        pub value_p50: Option<f64>,
        /// 75 % quantile.
        pub value_p75: Option<f64>,
        /// 90 % quantile.
        pub value_p90: Option<f64>,
        /// 95 % quantile.
        pub value_p95: Option<f64>,
        /// Last observed year of the indicator.
        pub last_year: Option<i32>,
        /// Last observed value.
        pub last_value: Option<f64>,
        /// Number of observations.
        pub n_obs: i32,
        /// Weakest provenance of the history used.
        pub provenance: Option<Provenance>,
        /// Draws.
        pub draws: i64,
        /// Seed.
        pub seed: i64,
        /// Share of draws meeting the target in some projected year up to the
        /// target year (`level` and `milestone` targets).
        pub p_reached_by: Option<f64>,
        /// Median year the target is first met (null when fewer than half the draws get there).
        pub first_year_p50: Option<i32>,
        /// Calibrated likelihood term (IPCC scale).
        pub likelihood: Option<Likelihood>,
        /// The same in Chinese.
        pub likelihood_zh: Option<String>,
    }
}

impl AttainmentRow {
    /// The quantiles p05 … p95 of the statistic, in order.
    pub fn value_quantiles(&self) -> [Option<f64>; 7] {
        [
            self.value_p05,
            self.value_p10,
            self.value_p25,
            self.value_p50,
            self.value_p75,
            self.value_p90,
            self.value_p95,
        ]
    }
}

crate::named_enum! {
    /// The likelihood scale of the IPCC AR5/AR6 guidance.
    pub enum Likelihood {
        /// P ≥ 0.99.
        VirtuallyCertain = "virtually certain",
        /// P ≥ 0.90.
        VeryLikely = "very likely",
        /// P ≥ 0.66.
        Likely = "likely",
        /// 0.33 < P < 0.66.
        AboutAsLikelyAsNot = "about as likely as not",
        /// P ≤ 0.33.
        Unlikely = "unlikely",
        /// P ≤ 0.10.
        VeryUnlikely = "very unlikely",
        /// P ≤ 0.01.
        ExceptionallyUnlikely = "exceptionally unlikely",
    }
}

impl Likelihood {
    /// The term for a probability.
    pub fn of(p: f64) -> Self {
        if p >= 0.99 {
            Likelihood::VirtuallyCertain
        } else if p >= 0.90 {
            Likelihood::VeryLikely
        } else if p >= 0.66 {
            Likelihood::Likely
        } else if p > 0.33 {
            Likelihood::AboutAsLikelyAsNot
        } else if p > 0.10 {
            Likelihood::Unlikely
        } else if p > 0.01 {
            Likelihood::VeryUnlikely
        } else {
            Likelihood::ExceptionallyUnlikely
        }
    }

    /// The Chinese term.
    pub fn zh(&self) -> &'static str {
        match self {
            Likelihood::VirtuallyCertain => "几乎确定",
            Likelihood::VeryLikely => "很可能",
            Likelihood::Likely => "可能",
            Likelihood::AboutAsLikelyAsNot => "或许可能",
            Likelihood::Unlikely => "不太可能",
            Likelihood::VeryUnlikely => "很不可能",
            Likelihood::ExceptionallyUnlikely => "极不可能",
        }
    }
}

/// Wilson score interval for `met` of `n` at 95 %.
pub fn wilson(met: u64, n: u64) -> (f64, f64) {
    let n = n as f64;
    let p = met as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    let low = if met == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if met as f64 == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The id of the analog an indicator's fit borrows from, if it does.
pub fn borrowed_from(catalog: &Catalog, plan: &Plan, indicator: usize) -> Option<String> {
    let borrowed = matches!(&plan.indicators[indicator].fit, Fit::Walk(w) if w.borrowed);
    let analog = catalog.indicators[indicator].analog.as_ref()?;
    borrowed.then(|| catalog.indicators[analog.index].id.clone())
}

/// The rows of `attainment.parquet`, scenario by scenario, target by target.
pub fn rows(catalog: &Catalog, plan: &Plan, outcome: &Outcome, seed: u64) -> Vec<AttainmentRow> {
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let n = outcome.draws;
    let nf = n as f64;
    let mut rows = Vec::with_capacity(ns * nt);
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        for (j, tp) in plan.targets.iter().enumerate() {
            let target = &catalog.targets[j];
            let ind = &catalog.indicators[tp.indicator];
            let history = &catalog.history[tp.indicator];
            let summary = outcome.targets[s * nt + j].as_ref();
            let p = summary.map(|t| t.met as f64 / nf);
            let (p_low, p_high) = summary.map(|t| wilson(t.met, n)).unzip();
            let (delta, delta_se) = match summary {
                Some(t) if s > 0 => {
                    let d = (t.only_here as f64 - t.only_baseline as f64) / nf;
                    let second = (t.only_here + t.only_baseline) as f64 / nf;
                    (Some(d), Some(((second - d * d).max(0.0) / nf).sqrt()))
                }
                _ => (None, None),
            };
            let (p_reached_by, first_year_p50) = match (summary, tp.passage_until) {
                (Some(t), Some(_)) => {
                    let never = *t.first_met.last().unwrap_or(&0);
                    let reached = n - never;
                    let mut cum = 0;
                    let mut median = None;
                    if 2 * reached >= n {
                        for (c, &count) in t.first_met.iter().enumerate() {
                            cum += count;
                            if 2 * cum >= n {
                                median = Some(plan.first_year + c as i32);
                                break;
                            }
                        }
                    }
                    (Some(reached as f64 / nf), median)
                }
                _ => (None, None),
            };
            let likelihood = p.map(Likelihood::of);
            let q = match summary {
                Some(t) => t.quantiles.map(|q| q.is_finite().then_some(q)),
                None => [None; 7],
            };
            rows.push(AttainmentRow {
                scenario: scenario.clone(),
                target_id: target.id.clone(),
                indicator_id: ind.id.clone(),
                group: ind.group.clone(),
                name_zh: ind.name_zh.clone(),
                name_en: ind.name_en.clone(),
                kind: target.kind.kind(),
                comparator: target.comparator,
                target_value: target.value,
                target_year: target.target_year,
                status: tp.status,
                analog: borrowed_from(catalog, plan, tp.indicator),
                p_attain: p,
                p_attain_se: p.map(|p| (p * (1.0 - p) / nf).sqrt()),
                p_low,
                p_high,
                delta_vs_baseline: delta,
                delta_se,
                value_mean: summary.and_then(|t| t.mean),
                value_p05: q[0],
                value_p10: q[1],
                value_p25: q[2],
                value_p50: q[3],
                value_p75: q[4],
                value_p90: q[5],
                value_p95: q[6],
                last_year: history.last().map(|o| o.year),
                last_value: history.last().map(|o| o.value),
                n_obs: history.len() as i32,
                provenance: catalog.weakest_provenance(tp.indicator),
                draws: n as i64,
                seed: seed as i64,
                p_reached_by,
                first_year_p50,
                likelihood,
                likelihood_zh: likelihood.map(|l| l.zh().to_string()),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Named;
    use crate::tables::schema::Table;

    #[test]
    fn wilson_interval_contains_the_estimate_and_stays_in_unit_range() {
        let (lo, hi) = wilson(0, 100);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 0.05);
        let (lo, hi) = wilson(50, 100);
        assert!(lo < 0.5 && hi > 0.5);
        // Known value: 50/100 at 95 %: 0.4038 … 0.5962.
        assert!((lo - 0.4038).abs() < 1e-4 && (hi - 0.5962).abs() < 1e-4);
    }

    #[test]
    fn likelihood_terms_follow_the_calibrated_scale() {
        assert_eq!(Likelihood::of(0.995).name(), "virtually certain");
        assert_eq!(Likelihood::of(0.9).name(), "very likely");
        assert_eq!(Likelihood::of(0.7).name(), "likely");
        assert_eq!(Likelihood::of(0.5).name(), "about as likely as not");
        assert_eq!(Likelihood::of(0.2).name(), "unlikely");
        assert_eq!(Likelihood::of(0.05).name(), "very unlikely");
        assert_eq!(Likelihood::of(0.001).name(), "exceptionally unlikely");
        assert_eq!(Likelihood::of(0.7).zh(), "可能");
    }

    #[test]
    fn the_columns_are_those_of_the_contract_in_order() {
        let contract = [
            "scenario",
            "target_id",
            "indicator_id",
            "group",
            "name_zh",
            "name_en",
            "kind",
            "comparator",
            "target_value",
            "target_year",
            "status",
            "analog",
            "p_attain",
            "p_attain_se",
            "p_low",
            "p_high",
            "delta_vs_baseline",
            "delta_se",
            "value_mean",
            "value_p05",
            "value_p10",
            "value_p25",
            "value_p50",
            "value_p75",
            "value_p90",
            "value_p95",
            "last_year",
            "last_value",
            "n_obs",
            "provenance",
            "draws",
            "seed",
        ];
        assert_eq!(&AttainmentRow::COLUMNS[..contract.len()], &contract[..]);
    }
}
