//! A worker's running summaries and how they merge and finish.
//!
//! In: blocks of draws from [`super::simulate_indicator`]. Out: an
//! [`Accumulator`] per worker, merged with integer counts and block-ordered
//! sums (so results do not depend on the thread count), finished into an
//! [`Outcome`].

use rayon::prelude::*;

use super::{
    commons, evaluate, simulate_indicator, Block, Grids, Outcome, SeriesSummary, TargetSummary,
    BLOCK, QUANTILES,
};
use crate::catalog::Transform;
use crate::effort::{self, Effort, Required, P_GOALS, SURPLUS_SPAN};
use crate::fit::Fit;
use crate::plan::{Plan, Status, TargetPlan};
use crate::sketch::{Grid, Sketch};

/// What every block of a run shares.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Each indicator's transform.
    pub transforms: &'a [Transform],
    /// The quantile grids.
    pub grids: &'a Grids,
    /// The run seed.
    pub seed: u64,
}

/// A worker's running summaries.
pub struct Accumulator {
    fan: Vec<Sketch>,
    stat: Vec<Sketch>,
    met: Vec<u64>,
    only_here: Vec<u64>,
    only_baseline: Vec<u64>,
    first_met: Vec<u64>,
    scorecard: Vec<Vec<u64>>,
    /// Per-draw effort boundaries (finite ones).
    effort: Vec<Sketch>,
    /// Draws whose boundary is −∞ (met whatever the drift) and +∞ (never met).
    effort_infinite: Vec<[u64; 2]>,
    /// Histograms of count surpluses (empty for other targets).
    surplus: Vec<Vec<u32>>,
    /// (block, sums of natural fan values then of target statistics), merged in block order.
    sums: Vec<(u64, Vec<f64>)>,
    draws: u64,
}

impl Accumulator {
    /// Empty summaries for a plan.
    pub fn new(plan: &Plan, grids: &Grids) -> Self {
        let ns = plan.scenarios.len();
        let nt = plan.targets.len();
        Accumulator {
            fan: grids.fan.iter().map(Grid::sketch).collect(),
            stat: grids.stat.iter().map(Grid::sketch).collect(),
            met: vec![0; ns * nt],
            only_here: vec![0; ns * nt],
            only_baseline: vec![0; ns * nt],
            first_met: vec![0; ns * nt * (plan.calendar_years() + 1)],
            scorecard: (0..ns)
                .flat_map(|_| plan.groups.iter().map(|(_, n)| vec![0; n + 1]))
                .collect(),
            effort: grids.effort.iter().map(Grid::sketch).collect(),
            effort_infinite: vec![[0; 2]; ns * nt],
            surplus: (0..ns * nt)
                .map(|k| match plan.targets[k % nt].effort {
                    Effort::Count { .. } => vec![0; 2 * SURPLUS_SPAN as usize + 1],
                    _ => Vec::new(),
                })
                .collect(),
            sums: Vec::new(),
            draws: 0,
        }
    }

    /// Adds another worker's summaries (order does not matter).
    pub fn merge(&mut self, other: Accumulator) {
        for (a, b) in self.fan.iter_mut().zip(&other.fan) {
            a.merge(b);
        }
        for (a, b) in self.stat.iter_mut().zip(&other.stat) {
            a.merge(b);
        }
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.met, &other.met);
        add(&mut self.only_here, &other.only_here);
        add(&mut self.only_baseline, &other.only_baseline);
        add(&mut self.first_met, &other.first_met);
        for (a, b) in self.scorecard.iter_mut().zip(&other.scorecard) {
            add(a, b);
        }
        for (a, b) in self.effort.iter_mut().zip(&other.effort) {
            a.merge(b);
        }
        for (a, b) in self.effort_infinite.iter_mut().zip(&other.effort_infinite) {
            a[0] += b[0];
            a[1] += b[1];
        }
        for (a, b) in self.surplus.iter_mut().zip(&other.surplus) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.sums.extend(other.sums);
        self.draws += other.draws;
    }

    /// Runs one block of `len` draws.
    pub fn run_block(&mut self, engine: &Engine, block: u64, len: usize) {
        let Engine {
            plan,
            transforms,
            grids,
            seed,
        } = *engine;
        let ns = plan.scenarios.len();
        let nt = plan.targets.len();
        let ng = plan.groups.len();
        let cy = plan.calendar_years();
        let commons = commons(plan, seed, block, len);
        let mut sums = vec![0.0; ns * (plan.series + nt)];
        let mut met_counts = vec![0u32; ns * ng * len];
        let mut values: Vec<f64> = Vec::new();
        let mut stats: Vec<f64> = Vec::new();
        let mut boundaries: Vec<Vec<f64>> = vec![Vec::new(); ns * nt];
        let mut scratch: Vec<f64> = Vec::new();
        let mut met_by = vec![false; ns];
        for ip in &plan.indicators {
            if matches!(ip.fit, Fit::Insufficient { .. }) {
                continue;
            }
            let years = ip.years;
            let offset = (ip.start - plan.first_year).max(0) as usize;
            // Values are buffered per series and binned series by series, so
            // each sketch's cells stay in cache while it is filled.
            let live = ip.targets.len();
            values.clear();
            values.resize(ns * years * len, 0.0);
            stats.clear();
            stats.resize(ns * live * len, 0.0);
            scratch.clear();
            scratch.resize(years, 0.0);
            let transform = transforms[ip.index];
            let context = Block {
                plan,
                commons: &commons,
                seed,
                index: block,
                len,
            };
            simulate_indicator(&context, ip, transforms[ip.index], |d, draw| {
                // A scenario with the same settings as an earlier one for this
                // indicator (`same_as`) has the same values: its summaries are
                // copied in `finish`, only its part of the joint count is kept.
                for s in (0..ns).filter(|&s| ip.same_as[s] == s) {
                    for t in 0..years {
                        values[(s * years + t) * len + d] = draw.g[s * years + t];
                    }
                }
                for (l, &j) in ip.targets.iter().enumerate() {
                    let tp = &plan.targets[j];
                    let mut met_baseline = false;
                    for s in 0..ns {
                        let alias = ip.same_as[s];
                        if alias != s {
                            let met = met_by[alias];
                            met_by[s] = met;
                            if met {
                                for &g in &tp.groups {
                                    met_counts[(s * ng + g) * len + d] += 1;
                                }
                            }
                            continue;
                        }
                        let x = &draw.x[s * years..(s + 1) * years];
                        let (stat, met) = evaluate(tp, x);
                        let k = s * nt + j;
                        stats[(s * live + l) * len + d] = stat;
                        match &tp.effort {
                            Effort::Count { needed, .. } => {
                                let surplus = if tp.comparator.upward() {
                                    stat as i64 - needed
                                } else {
                                    needed - stat as i64
                                };
                                self.surplus[k][effort::surplus_slot(surplus)] += 1;
                            }
                            Effort::PerDraw { weights, scale } => {
                                let g = &draw.g[s * years..(s + 1) * years];
                                let b = effort::boundary_on_grid(
                                    tp,
                                    transform,
                                    g,
                                    weights,
                                    *scale,
                                    &mut scratch,
                                    &grids.effort[k],
                                );
                                if b.is_finite() {
                                    boundaries[k].push(b);
                                } else if b < 0.0 {
                                    self.effort_infinite[k][0] += 1;
                                } else {
                                    self.effort_infinite[k][1] += 1;
                                }
                            }
                            _ => {}
                        }
                        sums[ns * plan.series + k] += stat;
                        met_by[s] = met;
                        if met {
                            self.met[k] += 1;
                            for &g in &tp.groups {
                                met_counts[(s * ng + g) * len + d] += 1;
                            }
                        }
                        if s == 0 {
                            met_baseline = met;
                        } else if met && !met_baseline {
                            self.only_here[k] += 1;
                        } else if !met && met_baseline {
                            self.only_baseline[k] += 1;
                        }
                        if let Some(until) = tp.passage_until {
                            let g = &draw.g[s * years..(s + 1) * years];
                            let first = (0..=until.min(years.saturating_sub(1))).find(|&t| {
                                if tp.cut.upward {
                                    g[t] >= tp.cut_g
                                } else {
                                    g[t] < tp.cut_g
                                }
                            });
                            let slot = first.map_or(cy, |t| offset + t);
                            self.first_met[k * (cy + 1) + slot] += 1;
                        }
                    }
                }
            });
            for s in (0..ns).filter(|&s| ip.same_as[s] == s) {
                for t in 0..years {
                    let i = s * plan.series + ip.series + t;
                    let range = (s * years + t) * len..(s * years + t + 1) * len;
                    // The natural mean: exact sums outside the grid, cells in `finish`.
                    sums[i] += self.fan[i]
                        .add_all_outside(&grids.fan[i], &values[range], |g| transform.inverse(g));
                }
                for (l, &j) in ip.targets.iter().enumerate() {
                    let k = s * nt + j;
                    let range = (s * live + l) * len..(s * live + l + 1) * len;
                    self.stat[k].add_all(&grids.stat[k], &stats[range]);
                    if !boundaries[k].is_empty() {
                        self.effort[k].add_all(&grids.effort[k], &boundaries[k]);
                        boundaries[k].clear();
                    }
                }
            }
        }
        for s in 0..ns {
            for g in 0..ng {
                let hist = &mut self.scorecard[s * ng + g];
                for &m in &met_counts[(s * ng + g) * len..(s * ng + g + 1) * len] {
                    hist[m as usize] += 1;
                }
            }
        }
        self.sums.push((block, sums));
        self.draws += len as u64;
    }

    /// Runs blocks `blocks` (draw counts from `total`) on `workers` workers and merges.
    pub fn run_blocks(
        engine: &Engine,
        blocks: std::ops::Range<u64>,
        total: u64,
        workers: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Accumulator {
        let len_of = |b: u64| (total - b * BLOCK as u64).min(BLOCK as u64) as usize;
        let workers = workers.max(1);
        (0..workers)
            .into_par_iter()
            .map(|w| {
                let mut acc = Accumulator::new(engine.plan, engine.grids);
                let mut b = blocks.start + w as u64;
                while b < blocks.end {
                    let len = len_of(b);
                    acc.run_block(engine, b, len);
                    progress(len as u64);
                    b += workers as u64;
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.merge(b);
                a
            })
            .unwrap_or_else(|| Accumulator::new(engine.plan, engine.grids))
    }

    /// Draws summarised so far.
    pub fn draws(&self) -> u64 {
        self.draws
    }

    /// Largest standard error of any P(attain) so far.
    pub fn max_se(&self) -> f64 {
        let n = self.draws.max(1) as f64;
        self.met
            .iter()
            .map(|&m| {
                let p = m as f64 / n;
                (p * (1.0 - p) / n).sqrt()
            })
            .fold(0.0, f64::max)
    }

    /// The required effort of target-scenario `k` for each of [`P_GOALS`].
    fn required(
        &self,
        k: usize,
        tp: &TargetPlan,
        transform: Transform,
        grids: &Grids,
    ) -> Option<[Required; 3]> {
        let sign = effort::direction(tp);
        let n = self.draws as f64;
        match &tp.effort {
            Effort::None => None,
            Effort::Level { years } => {
                let g_cut = effort::forward_cut(transform, tp.cut.at);
                Some(P_GOALS.map(|p| {
                    let q = if tp.comparator.upward() { 1.0 - p } else { p };
                    let x = self.stat[k].quantile(&grids.stat[k], q).unwrap_or(f64::NAN);
                    let g = effort::forward_cut(transform, x);
                    // η = sign·δ, δ = (g(cut) − g(x_q)) / n.
                    let eta = sign * (g_cut - g) / years;
                    let eta = if g_cut.is_infinite() {
                        sign * g_cut
                    } else {
                        eta
                    };
                    Required::from_eta(eta, sign, |d| {
                        effort::natural(transform, d, Some((tp.cut.at - x) / years))
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
    pub fn finish(mut self, plan: &Plan, transforms: &[Transform], grids: &Grids) -> Outcome {
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
        let mut fan = Vec::with_capacity(ns * plan.series);
        for _s in 0..ns {
            for ip in &plan.indicators {
                for _t in 0..ip.years {
                    let i = fan.len();
                    let transform = transforms[ip.index];
                    let q = QUANTILES.map(|q| {
                        transform
                            .inverse(self.fan[i].quantile(&grids.fan[i], q).unwrap_or(f64::NAN))
                    });
                    let inside = self.fan[i].inside_sum(&grids.fan[i], |g| transform.inverse(g));
                    fan.push(SeriesSummary {
                        mean: mean(inside + total[i]),
                        quantiles: q,
                    });
                }
            }
        }
        let cy = plan.calendar_years();
        let targets = (0..ns * nt)
            .map(|k| {
                let tp = &plan.targets[k % nt];
                (tp.status != Status::InsufficientHistory).then(|| TargetSummary {
                    met: self.met[k],
                    only_here: self.only_here[k],
                    only_baseline: self.only_baseline[k],
                    mean: mean(total[ns * plan.series + k]),
                    quantiles: QUANTILES
                        .map(|q| self.stat[k].quantile(&grids.stat[k], q).unwrap_or(f64::NAN)),
                    first_met: self.first_met[k * (cy + 1)..(k + 1) * (cy + 1)].to_vec(),
                    required: self.required(k, tp, transforms[tp.indicator], grids),
                })
            })
            .collect();
        Outcome {
            draws: n,
            fan,
            targets,
            scorecard: self.scorecard,
        }
    }
}
