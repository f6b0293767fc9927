//! A worker's running summaries and how they merge and finish.
//!
//! In: blocks of draws from [`super::simulate_indicator`]. Out: an
//! [`Accumulator`] per worker, merged with integer counts and block-ordered
//! sums (so results do not depend on the thread count), finished into an
//! [`Outcome`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::{
    commons, evaluate, simulate_indicator, Block, Grids, Outcome, Paths, Scratch, SeriesSummary,
    TargetSummary, BLOCK, QUANTILES,
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
    /// CPU time in paths, fans and targets (see [`super::Timing`]).
    cpu: [Duration; 3],
    /// The paths' CPU time by kind of indicator: walks, counts, milestones.
    kinds: [Duration; 3],
    /// Buffers reused from block to block (not part of the summaries).
    work: Work,
}

/// A worker's buffers, reused from block to block.
#[derive(Default)]
struct Work {
    paths: Paths,
    scratch: Scratch,
    /// One target's statistic by draw.
    stats: Vec<f64>,
    /// Whether each draw meets the current target, by scenario (`s * len + d`).
    met_by: Vec<bool>,
    /// Finite per-draw effort boundaries of one target and scenario.
    boundaries: Vec<f64>,
    /// One draw's natural values.
    x: Vec<f64>,
    /// One scenario's natural values, draw by draw ([`Paths::by_draw`]).
    xs: Vec<f64>,
    /// One scenario's transform-scale values, draw by draw.
    gs: Vec<f64>,
    /// Scratch of the effort boundary.
    base: Vec<f64>,
    /// The first projected year each draw meets a target (first passage).
    first_year: Vec<u16>,
}

/// Counts, into `first` (calendar-year slots from [`Plan::first_year`], the
/// last one for never), the first projected year up to `until` in which each
/// draw of scenario `s` passes the target's transform-scale cut.
#[allow(clippy::too_many_arguments)]
fn first_passage(
    tp: &TargetPlan,
    paths: &Paths,
    s: usize,
    until: usize,
    offset: usize,
    cy: usize,
    first: &mut [u64],
    year: &mut Vec<u16>,
) {
    let len = paths.len();
    let never = u16::MAX;
    year.clear();
    year.resize(len, never);
    for t in (0..=until.min(paths.years().saturating_sub(1))).rev() {
        let column = paths.g(s, t);
        let at = t as u16;
        if tp.cut.upward {
            for (y, &v) in year.iter_mut().zip(column) {
                *y = if v >= tp.cut_g { at } else { *y };
            }
        } else {
            for (y, &v) in year.iter_mut().zip(column) {
                *y = if v < tp.cut_g { at } else { *y };
            }
        }
    }
    for &y in year.iter() {
        first[if y == never { cy } else { offset + y as usize }] += 1;
    }
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
            cpu: [Duration::ZERO; 3],
            kinds: [Duration::ZERO; 3],
            work: Work::default(),
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
        for (a, b) in self.cpu.iter_mut().zip(other.cpu) {
            *a += b;
        }
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            *a += b;
        }
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
        let (started, cpu_before) = (Instant::now(), self.cpu);
        let commons = commons(plan, seed, block, len);
        let mut sums = vec![0.0; ns * (plan.series + nt)];
        let mut met_counts = vec![0u32; ns * ng * len];
        let mut work = std::mem::take(&mut self.work);
        let Work {
            paths,
            scratch,
            stats,
            met_by,
            boundaries,
            x,
            xs,
            gs,
            base,
            first_year,
        } = &mut work;
        stats.resize(len, 0.0);
        met_by.resize(ns * len, false);
        for ip in &plan.indicators {
            if matches!(ip.fit, Fit::Insufficient { .. }) {
                continue;
            }
            let years = ip.years;
            let offset = (ip.start - plan.first_year).max(0) as usize;
            let transform = transforms[ip.index];
            let context = Block {
                plan,
                commons: &commons,
                seed,
                index: block,
                len,
            };
            let clock = Instant::now();
            simulate_indicator(&context, ip, transform, paths, scratch);
            let simulated = Instant::now();
            self.cpu[0] += simulated - clock;
            let kind = match ip.fit {
                Fit::Walk(_) => 0,
                Fit::Count(_) => 1,
                _ => 2,
            };
            self.kinds[kind] += simulated - clock;
            x.resize(years, 0.0);
            base.resize(years, 0.0);
            // A scenario with the same settings as an earlier one for this
            // indicator (`same_as`) has the same values: its summaries are
            // copied in `finish`, only its part of the joint count is kept.
            let distinct = |s: &usize| ip.same_as[*s] == *s;
            for s in (0..ns).filter(distinct) {
                for t in 0..years {
                    let i = s * plan.series + ip.series + t;
                    // The natural mean: exact sums outside the grid, cells in `finish`.
                    sums[i] += self.fan[i]
                        .add_all_outside(&grids.fan[i], paths.g(s, t), |g| transform.inverse(g));
                }
            }
            let binned = Instant::now();
            self.cpu[1] += binned - simulated;
            for &j in &ip.targets {
                let tp = &plan.targets[j];
                for s in 0..ns {
                    let alias = ip.same_as[s];
                    let mine = s * len..(s + 1) * len;
                    if alias != s {
                        met_by.copy_within(alias * len..(alias + 1) * len, s * len);
                    } else {
                        let k = s * nt + j;
                        // The statistic by draw: a level's is its fan column.
                        let values: &[f64] = if let Some(t) = tp.fan_year {
                            // Compared on the transform scale, summarised by the fan series.
                            let (column, met) = (paths.g(s, t), &mut met_by[mine.clone()]);
                            if tp.cut.upward {
                                for (m, &v) in met.iter_mut().zip(column) {
                                    *m = v >= tp.cut_g;
                                }
                            } else {
                                for (m, &v) in met.iter_mut().zip(column) {
                                    *m = v < tp.cut_g;
                                }
                            }
                            column
                        } else {
                            let mut total = 0.0;
                            paths.by_draw(s, true, xs);
                            if matches!(tp.effort, Effort::PerDraw { .. }) {
                                paths.by_draw(s, false, gs);
                            }
                            let mut slope = f64::NAN;
                            for d in 0..len {
                                x.copy_from_slice(&xs[d * years..(d + 1) * years]);
                                let (stat, met) = evaluate(tp, x);
                                stats[d] = stat;
                                total += stat;
                                met_by[s * len + d] = met;
                                if let Effort::PerDraw { weights, scale } = &tp.effort {
                                    let b = effort::boundary_on_grid(
                                        tp,
                                        transform,
                                        &gs[d * years..(d + 1) * years],
                                        weights,
                                        *scale,
                                        (x, stat),
                                        base,
                                        (&grids.effort[k], &grids.effort_factors[k]),
                                        &mut slope,
                                    );
                                    if b.is_finite() {
                                        boundaries.push(b);
                                    } else if b < 0.0 {
                                        self.effort_infinite[k][0] += 1;
                                    } else {
                                        self.effort_infinite[k][1] += 1;
                                    }
                                }
                            }
                            sums[ns * plan.series + k] += total;
                            self.stat[k].add_all(&grids.stat[k], stats);
                            if !boundaries.is_empty() {
                                self.effort[k].add_all(&grids.effort[k], boundaries);
                                boundaries.clear();
                            }
                            stats
                        };
                        if let Effort::Count { needed, .. } = tp.effort {
                            let surplus = &mut self.surplus[k];
                            for &v in values {
                                let v = v as i64;
                                let gap = if tp.comparator.upward() {
                                    v - needed
                                } else {
                                    needed - v
                                };
                                surplus[effort::surplus_slot(gap)] += 1;
                            }
                        }
                        self.count_met(k, s, len, met_by);
                        if let Some(until) = tp.passage_until {
                            let first = &mut self.first_met[k * (cy + 1)..(k + 1) * (cy + 1)];
                            first_passage(tp, paths, s, until, offset, cy, first, first_year);
                        }
                    }
                    for &grp in &tp.groups {
                        let counts =
                            &mut met_counts[(s * ng + grp) * len..(s * ng + grp + 1) * len];
                        for (c, &m) in counts.iter_mut().zip(&met_by[mine.clone()]) {
                            *c += u32::from(m);
                        }
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
        self.work = work;
        self.sums.push((block, sums));
        // Targets: the rest of the block (commons, tests, scorecard).
        let [paths, fans] = [self.cpu[0] - cpu_before[0], self.cpu[1] - cpu_before[1]];
        self.cpu[2] += started.elapsed().saturating_sub(paths + fans);
        self.draws += len as u64;
    }

    /// Adds scenario `s`'s draws that meet target-scenario `k` (`met_by`, by
    /// scenario and draw) to its count and its pairs against the baseline.
    fn count_met(&mut self, k: usize, s: usize, len: usize, met_by: &[bool]) {
        let met = &met_by[s * len..(s + 1) * len];
        self.met[k] += met.iter().filter(|&&m| m).count() as u64;
        if s > 0 {
            let (mut here, mut base) = (0u64, 0u64);
            for (&m, &b) in met.iter().zip(&met_by[..len]) {
                here += u64::from(m && !b);
                base += u64::from(!m && b);
            }
            self.only_here[k] += here;
            self.only_baseline[k] += base;
        }
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
        // Workers take the next block as they free up (no idle worker while
        // blocks remain). Which worker ran a block does not matter: counts
        // merge exactly and sums are added in block order in `finish`.
        let next = AtomicU64::new(blocks.start);
        (0..workers)
            .into_par_iter()
            .map(|_| {
                let mut acc = Accumulator::new(engine.plan, engine.grids);
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= blocks.end {
                        break;
                    }
                    let len = len_of(b);
                    acc.run_block(engine, b, len);
                    progress(len as u64);
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.merge(b);
                a
            })
            .unwrap_or_else(|| Accumulator::new(engine.plan, engine.grids))
    }

    /// CPU seconds in paths, fans and targets so far (see [`super::Timing`]).
    pub fn cpu(&self) -> [f64; 3] {
        self.cpu.map(|d| d.as_secs_f64())
    }

    /// CPU seconds in paths by kind of indicator so far: walks, counts,
    /// milestones (they add up to the paths' of [`Accumulator::cpu`]).
    pub fn cpu_by_kind(&self) -> [f64; 3] {
        self.kinds.map(|d| d.as_secs_f64())
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
        fan_series: Option<usize>,
    ) -> Option<[Required; 3]> {
        let sign = effort::direction(tp);
        let n = self.draws as f64;
        match &tp.effort {
            Effort::None => None,
            Effort::Level { years } => {
                let g_cut = effort::forward_cut(transform, tp.cut.at);
                // The level of a projected year: its fan series is the statistic.
                let i = fan_series?;
                Some(P_GOALS.map(|p| {
                    let q = if tp.comparator.upward() { 1.0 - p } else { p };
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
        // Every series and target is summarised on its own (in parallel;
        // `collect` keeps the order, so the result is the same).
        let transform_of: Vec<Transform> = (0..ns)
            .flat_map(|_| {
                plan.indicators
                    .iter()
                    .flat_map(|ip| std::iter::repeat_n(transforms[ip.index], ip.years))
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
                        QUANTILES
                            .map(|q| self.stat[k].quantile(&grids.stat[k], q).unwrap_or(f64::NAN)),
                    ),
                };
                (tp.status != Status::InsufficientHistory).then(|| TargetSummary {
                    met: self.met[k],
                    only_here: self.only_here[k],
                    only_baseline: self.only_baseline[k],
                    mean,
                    quantiles,
                    first_met: self.first_met[k * (cy + 1)..(k + 1) * (cy + 1)].to_vec(),
                    required: self.required(k, tp, transforms[tp.indicator], grids, series),
                })
            })
            .collect();
        Outcome {
            draws: n,
            fan,
            targets,
            scorecard: self.scorecard,
            timing: super::Timing::default(),
        }
    }
}
