//! Finishing a run's summaries: merged sums in block order, scenarios that
//! share another's draws given its summaries, quantiles, means and the
//! required effort of every target.
//!
//! In: the merged [`Accumulator`], the plan and the grids. Out: the
//! [`Outcome`]. Every series and target is finished on its own, in parallel;
//! `collect` keeps the order, so the result does not depend on the thread
//! count.

use rayon::prelude::*;

use super::accumulate::Accumulator;
use super::outcome::{Outcome, SeriesSummary, TargetSummary, Timing, QUANTILES};
use super::pilot::Grids;
use crate::model::effort::{self, Effort, Required, P_GOALS, SURPLUS_SPAN};
use crate::model::transform::Transform;
use crate::plan::{Plan, TargetPlan};

impl Accumulator {
    /// The required effort of target-scenario `k` for each of [`P_GOALS`].
    fn required(
        &self,
        k: usize,
        tp: &TargetPlan,
        transform: Transform,
        grids: &Grids,
        fan_series: Option<usize>,
    ) -> Option<[Required; 3]> {
        let sign = tp.test.direction();
        let n = self.draws as f64;
        match &tp.effort {
            Effort::None => None,
            Effort::Level { years } => {
                let g_cut = transform.forward_cut(tp.test.cut.at);
                // The level of a projected year: its fan series is the statistic.
                let i = fan_series?;
                Some(P_GOALS.map(|p| {
                    let q = if tp.test.comparator.upward() {
                        1.0 - p
                    } else {
                        p
                    };
                    let g = self.fan[i].quantile(&grids.fan[i], q).unwrap_or(f64::NAN);
                    let x = transform.inverse(g);
                    // η = sign·δ, δ = (g(cut) − g(x_q)) / n.
                    let eta = sign * (g_cut - g) / years;
                    let eta = if g_cut.is_infinite() {
                        sign * g_cut
                    } else {
                        eta
                    };
                    Required::from_eta(eta, sign, |d| {
                        effort::natural(transform, d, Some((tp.test.cut.at - x) / years))
                    })
                }))
            }
            Effort::PerDraw { .. } => {
                let [minus, plus] = self.effort_infinite[k];
                let finite = self.effort[k].len();
                Some(P_GOALS.map(|p| {
                    let rank = p * n;
                    let eta = if rank <= minus as f64 {
                        f64::NEG_INFINITY
                    } else if rank > n - plus as f64 || finite == 0 {
                        f64::INFINITY
                    } else {
                        let q = ((rank - minus as f64) / finite as f64).clamp(0.0, 1.0);
                        self.effort[k]
                            .quantile(&grids.effort[k], q)
                            .unwrap_or(f64::NAN)
                    };
                    Required::from_eta(eta, sign, |d| effort::natural(transform, d, None))
                }))
            }
            Effort::Count { years, .. } => {
                let histogram: Vec<(i64, u64)> = self.surplus[k]
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(i, &c)| (i as i64 - SURPLUS_SPAN, u64::from(c)))
                    .collect();
                Some(P_GOALS.map(|p| {
                    let eta = effort::count_solve(&histogram, *years, p);
                    Required::from_eta(eta, sign, |d| effort::natural(transform, d, None))
                }))
            }
        }
    }

    /// Gives every scenario that shares an earlier one's settings for an
    /// indicator (`same_as`) that scenario's summaries: its draws are the same.
    fn copy_aliases(&mut self, plan: &Plan, total: &mut [f64]) {
        let ns = plan.scenarios.len();
        let nt = plan.targets.len();
        let cy = plan.calendar_years() + 1;
        for ip in &plan.indicators {
            for (s, &a) in ip.same_as.iter().enumerate().filter(|&(s, &a)| a != s) {
                for t in 0..ip.years {
                    let (to, from) = (
                        s * plan.series + ip.series + t,
                        a * plan.series + ip.series + t,
                    );
                    self.fan[to] = self.fan[from].clone();
                    total[to] = total[from];
                }
                for &j in &ip.targets {
                    let (to, from) = (s * nt + j, a * nt + j);
                    self.met[to] = self.met[from];
                    self.only_here[to] = self.only_here[from];
                    self.only_baseline[to] = self.only_baseline[from];
                    self.first_met
                        .copy_within(from * cy..(from + 1) * cy, to * cy);
                    self.stat[to] = self.stat[from].clone();
                    total[ns * plan.series + to] = total[ns * plan.series + from];
                    self.effort[to] = self.effort[from].clone();
                    self.effort_infinite[to] = self.effort_infinite[from];
                    self.surplus[to] = self.surplus[from].clone();
                }
            }
        }
    }

    /// Final summaries.
    pub fn finish(mut self, plan: &Plan, grids: &Grids) -> Outcome {
        let ns = plan.scenarios.len();
        let nt = plan.targets.len();
        let n = self.draws;
        self.sums.sort_by_key(|(b, _)| *b);
        let mut total = vec![0.0; ns * (plan.series + nt)];
        for (_, s) in &self.sums {
            total.iter_mut().zip(s).for_each(|(a, b)| *a += b);
        }
        self.copy_aliases(plan, &mut total);
        let finite = |v: f64| v.is_finite().then_some(v);
        let mean = |sum: f64| finite(sum / n as f64);
        // Every series and target is summarised on its own (in parallel;
        // `collect` keeps the order, so the result is the same).
        let transform_of: Vec<Transform> = (0..ns)
            .flat_map(|_| {
                plan.indicators
                    .iter()
                    .flat_map(|ip| std::iter::repeat_n(ip.transform, ip.years))
            })
            .collect();
        let fan: Vec<SeriesSummary> = transform_of
            .par_iter()
            .enumerate()
            .map(|(i, &transform)| {
                let q = QUANTILES.map(|q| {
                    transform.inverse(self.fan[i].quantile(&grids.fan[i], q).unwrap_or(f64::NAN))
                });
                let inside = self.fan[i].inside_sum(&grids.fan[i], |g| transform.inverse(g));
                SeriesSummary {
                    mean: mean(inside + total[i]),
                    quantiles: q,
                }
            })
            .collect();
        let cy = plan.calendar_years();
        let targets = (0..ns * nt)
            .into_par_iter()
            .map(|k| {
                let tp = &plan.targets[k % nt];
                let series = tp
                    .fan_year
                    .map(|t| (k / nt) * plan.series + plan.indicators[tp.indicator].series + t);
                let (mean, quantiles) = match series {
                    Some(i) => (fan[i].mean, fan[i].quantiles),
                    None => (
                        mean(total[ns * plan.series + k]),
                        QUANTILES.map(|q| {
                            let sketched = self.stat[k].quantile(&grids.stat[k], q);
                            tp.test.quantile_of(sketched.unwrap_or(f64::NAN))
                        }),
                    ),
                };
                tp.status.has_probability().then(|| TargetSummary {
                    met: self.met[k],
                    only_here: self.only_here[k],
                    only_baseline: self.only_baseline[k],
                    mean,
                    quantiles,
                    first_met: self.first_met[k * (cy + 1)..(k + 1) * (cy + 1)].to_vec(),
                    required: self.required(
                        k,
                        tp,
                        plan.indicators[tp.indicator].transform,
                        grids,
                        series,
                    ),
                })
            })
            .collect();
        Outcome {
            draws: n,
            fan,
            targets,
            scorecard: self.scorecard,
            sensitivity: self.sensitivity,
            timing: Timing::default(),
        }
    }
}
