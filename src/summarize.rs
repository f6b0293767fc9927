//! From simulation summaries to output rows.
//!
//! In: the [`Catalog`], the [`Plan`], the [`Outcome`]. Out: one documented
//! row struct per output table (INTERFACE.md): [`AttainmentRow`], [`FanRow`],
//! [`ScorecardRow`]. Probabilities come with their Monte Carlo standard error,
//! a 95 % Wilson interval and, against the baseline, a paired difference.

use crate::catalog::Catalog;
use crate::effort::{growth_pct, natural_unit, Required, P_GOALS};
use crate::plan::Plan;
use crate::simulate::Outcome;

/// Normal quantile of 0.975, for 95 % Wilson intervals.
const Z95: f64 = 1.959_963_984_540_054;

/// One row of `attainment.parquet`: one scenario and target.
#[derive(Debug, Clone, PartialEq)]
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
    pub kind: String,
    /// Comparator.
    pub comparator: String,
    /// Target value (indicator units; for `increase` and `cumulative` the change or total).
    pub target_value: f64,
    /// Target year.
    pub target_year: i32,
    /// `ok`, `insufficient_history`, `assumption_only`.
    pub status: String,
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
    /// Quantiles p05, p10, p25, p50, p75, p90, p95 of the statistic.
    pub value_quantiles: [Option<f64>; 7],
    /// Last observed year of the indicator.
    pub last_year: Option<i32>,
    /// Last observed value.
    pub last_value: Option<f64>,
    /// Number of observations.
    pub n_obs: i32,
    /// Weakest provenance of the history used.
    pub provenance: Option<String>,
    /// Share of draws meeting the target in some projected year up to the target year (`level` and `milestone` targets).
    pub p_reached_by: Option<f64>,
    /// Median year the target is first met (null when fewer than half the draws get there).
    pub first_year_p50: Option<i32>,
    /// Calibrated likelihood term (IPCC scale).
    pub likelihood: Option<String>,
    /// The same in Chinese.
    pub likelihood_zh: Option<String>,
    /// Draws.
    pub draws: i64,
    /// Seed.
    pub seed: i64,
}

/// One row of `fan.parquet`: one scenario, indicator and year.
#[derive(Debug, Clone, PartialEq)]
pub struct FanRow {
    /// Scenario name.
    pub scenario: String,
    /// Indicator id.
    pub indicator_id: String,
    /// Calendar year.
    pub year: i32,
    /// `observed` or `projected`.
    pub kind: String,
    /// Mean (natural units); the value itself for observed years.
    pub mean: Option<f64>,
    /// Quantiles p05 … p95 (natural units); only p50 for observed years.
    pub quantiles: [Option<f64>; 7],
}

/// One row of `scorecard.parquet`: one scenario, group and k.
#[derive(Debug, Clone, PartialEq)]
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

/// One row of `required.parquet`: one scenario, target and P(attain) goal.
#[derive(Debug, Clone, PartialEq)]
pub struct RequiredRow {
    /// Scenario name.
    pub scenario: String,
    /// Target id.
    pub target_id: String,
    /// Indicator id.
    pub indicator_id: String,
    /// The P(attain) goal: 0.5, 0.8 or 0.9.
    pub p_goal: f64,
    /// P(attain) of the scenario as it is.
    pub p_attain: f64,
    /// `ok`, `unreachable` (no finite drift gets there: a bound is in the
    /// way) or `always_met` (the target lies on or beyond a bound).
    pub status: String,
    /// Extra drift per year on top of the scenario (transform scale; counts:
    /// extra expected additions a year). Negative: slack.
    pub extra_drift: Option<f64>,
    /// The same in the indicator's units a year (see `extra_natural_unit`).
    pub extra_natural: Option<f64>,
    /// For `log` indicators, the growth it adds, in % a year.
    pub extra_growth_pct: Option<f64>,
    /// Unit of `extra_natural`.
    pub extra_natural_unit: String,
    /// First year of the extra effort.
    pub effort_from: i32,
    /// Target year.
    pub target_year: i32,
}

/// The tables of a run.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// attainment.parquet.
    pub attainment: Vec<AttainmentRow>,
    /// fan.parquet.
    pub fan: Vec<FanRow>,
    /// scorecard.parquet.
    pub scorecard: Vec<ScorecardRow>,
    /// required.parquet.
    pub required: Vec<RequiredRow>,
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

/// The likelihood scale of the IPCC AR5/AR6 guidance, English and Chinese.
pub fn likelihood(p: f64) -> (&'static str, &'static str) {
    if p >= 0.99 {
        ("virtually certain", "几乎确定")
    } else if p >= 0.90 {
        ("very likely", "很可能")
    } else if p >= 0.66 {
        ("likely", "可能")
    } else if p > 0.33 {
        ("about as likely as not", "或许可能")
    } else if p > 0.10 {
        ("unlikely", "不太可能")
    } else if p > 0.01 {
        ("very unlikely", "很不可能")
    } else {
        ("exceptionally unlikely", "极不可能")
    }
}

/// Builds the tables.
pub fn tables(catalog: &Catalog, plan: &Plan, outcome: &Outcome, seed: u64) -> Tables {
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let n = outcome.draws;
    let nf = n as f64;
    let mut attainment = Vec::with_capacity(ns * nt);
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
            let (lik, lik_zh) = p.map(likelihood).unzip();
            attainment.push(AttainmentRow {
                scenario: scenario.clone(),
                target_id: target.id.clone(),
                indicator_id: ind.id.clone(),
                group: ind.group.clone(),
                name_zh: ind.name_zh.clone(),
                name_en: ind.name_en.clone(),
                kind: target.kind.name().to_string(),
                comparator: target.comparator.symbol().to_string(),
                target_value: target.value,
                target_year: target.target_year,
                status: tp.status.name().to_string(),
                p_attain: p,
                p_attain_se: p.map(|p| (p * (1.0 - p) / nf).sqrt()),
                p_low,
                p_high,
                delta_vs_baseline: delta,
                delta_se,
                value_mean: summary.and_then(|t| t.mean),
                value_quantiles: match summary {
                    Some(t) => t.quantiles.map(|q| q.is_finite().then_some(q)),
                    None => [None; 7],
                },
                last_year: history.last().map(|o| o.year),
                last_value: history.last().map(|o| o.value),
                n_obs: history.len() as i32,
                provenance: catalog
                    .weakest_provenance(tp.indicator)
                    .map(|p| p.name().to_string()),
                p_reached_by,
                first_year_p50,
                likelihood: lik.map(String::from),
                likelihood_zh: lik_zh.map(String::from),
                draws: n as i64,
                seed: seed as i64,
            });
        }
    }
    let mut required = Vec::new();
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
                required.push(RequiredRow {
                    scenario: scenario.clone(),
                    target_id: catalog.targets[j].id.clone(),
                    indicator_id: ind.id.clone(),
                    p_goal,
                    p_attain: summary.met as f64 / nf,
                    status: answer.status().to_string(),
                    extra_drift: drift,
                    extra_natural: natural,
                    extra_growth_pct: drift.and_then(|d| growth_pct(ind.transform, d)),
                    extra_natural_unit: natural_unit(ind.transform, &ind.unit),
                    effort_from: tp.effort_from,
                    target_year: catalog.targets[j].target_year,
                });
            }
        }
    }
    let mut fan = Vec::new();
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        for ip in &plan.indicators {
            let id = &catalog.indicators[ip.index].id;
            for o in &catalog.history[ip.index] {
                let mut q = [None; 7];
                q[3] = Some(o.value);
                fan.push(FanRow {
                    scenario: scenario.clone(),
                    indicator_id: id.clone(),
                    year: o.year,
                    kind: "observed".into(),
                    mean: Some(o.value),
                    quantiles: q,
                });
            }
            for t in 0..ip.years {
                let summary = &outcome.fan[s * plan.series + ip.series + t];
                fan.push(FanRow {
                    scenario: scenario.clone(),
                    indicator_id: id.clone(),
                    year: ip.start + t as i32,
                    kind: "projected".into(),
                    mean: summary.mean,
                    quantiles: summary.quantiles.map(|q| q.is_finite().then_some(q)),
                });
            }
        }
    }
    let mut scorecard = Vec::new();
    let ng = plan.groups.len();
    for (s, scenario) in plan.scenarios.iter().enumerate() {
        for (g, (group, members)) in plan.groups.iter().enumerate() {
            let hist = &outcome.scorecard[s * ng + g];
            let mut at_least = nf;
            for (k, &count) in hist.iter().enumerate() {
                scorecard.push(ScorecardRow {
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
    Tables {
        attainment,
        fan,
        scorecard,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(likelihood(0.995).0, "virtually certain");
        assert_eq!(likelihood(0.9).0, "very likely");
        assert_eq!(likelihood(0.7).0, "likely");
        assert_eq!(likelihood(0.5).0, "about as likely as not");
        assert_eq!(likelihood(0.2).0, "unlikely");
        assert_eq!(likelihood(0.05).0, "very unlikely");
        assert_eq!(likelihood(0.001).0, "exceptionally unlikely");
    }
}
