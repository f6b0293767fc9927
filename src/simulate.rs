//! The Monte Carlo engine (MODEL.md §2–7).
//!
//! In: a compiled [`Plan`], the catalog's transforms, [`Settings`]. Out: an
//! [`Outcome`] of mergeable summaries: per scenario and fan series (indicator
//! × projected year) the mean and quantiles; per scenario and target the
//! number of draws that meet it, the pairs against the baseline, the
//! statistic's mean and quantiles and the first year met; per scenario and
//! scorecard group the distribution of the number of targets met.
//!
//! Draws come in blocks of [`BLOCK`]. Every block has its own streams keyed by
//! (seed, indicator, block) and (seed, factor or shock, block), so a block's
//! numbers do not depend on which thread runs it; summaries merge with integer
//! counts and block-ordered sums, so tables do not depend on the thread count.
//! Each indicator's draws are used by every scenario (common random numbers).

use rand::{Rng, SeedableRng};
use rand_distr::{ChiSquared, Distribution, Gamma, Poisson, StandardNormal};
use rayon::prelude::*;

use crate::catalog::{round_published, Transform};
use crate::effort::{self, Effort, Required, P_GOALS, SURPLUS_SPAN};
use crate::fit::Fit;
use crate::plan::{IndicatorPlan, Plan, Statistic, Status, TargetPlan, YearValue};
use crate::rng::{stream, Domain, Stream, PILOT_BLOCK};
use crate::sketch::{Grid, Sketch};

/// Draws per block.
pub const BLOCK: usize = 2048;
/// Draws of the pilot that places the quantile grids (not counted in results).
pub const PILOT_DRAWS: usize = 4096;
/// The quantiles reported: p05, p10, p25, p50, p75, p90, p95.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];
/// Cap on the quantile-grid cells one worker keeps (u32 each).
const CELL_BUDGET: usize = 1 << 25;

/// What the engine needs besides the plan.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Number of draws (rounded up to whole blocks only in precision mode).
    pub draws: u64,
    /// The run seed.
    pub seed: u64,
    /// Worker count (the caller runs the engine inside a pool of this size).
    pub threads: usize,
}

/// Randomness shared by all indicators of a block: factor values and shock outcomes.
struct Commons {
    years: usize,
    factors: Vec<Vec<f64>>,
    hits: Vec<Vec<bool>>,
}

fn commons(plan: &Plan, seed: u64, block: u64, len: usize) -> Commons {
    let years = plan.calendar_years();
    let factors = plan
        .factors
        .iter()
        .map(|&key| {
            let mut rng = stream(seed, Domain::Factor, key, block);
            (0..len * years)
                .map(|_| rng.sample(StandardNormal))
                .collect()
        })
        .collect();
    let hits = plan
        .shocks
        .iter()
        .map(|&(key, p)| {
            let mut rng = stream(seed, Domain::Shock, key, block);
            (0..len).map(|_| rng.random::<f64>() < p).collect()
        })
        .collect();
    Commons {
        years,
        factors,
        hits,
    }
}

/// One draw of one indicator under every scenario: transform-scale values `g`
/// and natural values `x`, scenario-major (`s * years + t`).
pub struct Draw {
    /// Transform-scale values.
    pub g: Vec<f64>,
    /// Natural values.
    pub x: Vec<f64>,
}

impl Draw {
    /// Copies scenario `from`'s values to scenario `to` (same settings, same numbers).
    #[inline]
    fn repeat(&mut self, from: usize, to: usize, years: usize) {
        self.g
            .copy_within(from * years..(from + 1) * years, to * years);
        self.x
            .copy_within(from * years..(from + 1) * years, to * years);
    }
}

/// One block of draws: its number, its size and the randomness its indicators share.
struct Block<'a> {
    plan: &'a Plan,
    commons: &'a Commons,
    seed: u64,
    index: u64,
    len: usize,
}

/// Simulates the draws of one indicator in a block and hands each to `visit`.
fn simulate_indicator(
    block: &Block,
    ip: &IndicatorPlan,
    transform: Transform,
    mut visit: impl FnMut(usize, &Draw),
) {
    let Block {
        plan,
        commons,
        seed,
        index,
        len,
    } = *block;
    let block = index;
    let years = ip.years;
    let ns = ip.paths.len();
    let mut draw = Draw {
        g: vec![0.0; ns * years],
        x: vec![0.0; ns * years],
    };
    let mut rng = stream(seed, Domain::Indicator, ip.key, block);
    let offset = (ip.start - plan.first_year).max(0) as usize;
    match &ip.fit {
        _ if years == 0 => (0..len).for_each(|d| visit(d, &draw)),
        Fit::Walk(w) => {
            let chi = ChiSquared::new(f64::from(w.dof)).expect("dof ≥ 1");
            let dof = f64::from(w.dof);
            let inv_sqrt_k = 1.0 / w.span_years.sqrt();
            let mut e = vec![0.0; years];
            let mut shock = vec![0.0; years];
            for d in 0..len {
                let sigma = if w.s2 > 0.0 {
                    let c: f64 = chi.sample(&mut rng);
                    (dof * w.s2 / c).sqrt()
                } else {
                    0.0
                };
                let z: f64 = rng.sample(StandardNormal);
                let mu = w.drift + sigma * inv_sqrt_k * z;
                for v in e.iter_mut() {
                    *v = rng.sample(StandardNormal);
                }
                for (s, spec) in ip.paths.iter().enumerate() {
                    if ip.same_as[s] != s {
                        draw.repeat(ip.same_as[s], s, years);
                        continue;
                    }
                    shock.iter_mut().for_each(|v| *v = 0.0);
                    for &(t, slot, size) in &spec.shocks {
                        if commons.hits[slot][d] {
                            shock[t] += size;
                        }
                    }
                    let g_out = &mut draw.g[s * years..(s + 1) * years];
                    let x_out = &mut draw.x[s * years..(s + 1) * years];
                    let mut g = w.g_last;
                    match spec.factor {
                        Some((slot, rho)) => {
                            let f = &commons.factors[slot][d * commons.years + offset..];
                            let own = (1.0 - rho * rho).sqrt();
                            for t in 0..years {
                                let eps = rho * f[t] + own * e[t];
                                g += spec.drift_mult[t] * mu
                                    + spec.drift_add[t]
                                    + spec.vol_scale[t] * sigma * eps
                                    + shock[t];
                                g_out[t] = g;
                            }
                        }
                        None => {
                            for t in 0..years {
                                g += spec.drift_mult[t] * mu
                                    + spec.drift_add[t]
                                    + spec.vol_scale[t] * sigma * e[t]
                                    + shock[t];
                                g_out[t] = g;
                            }
                        }
                    }
                    // Natural values only for the years a target uses (NaN
                    // elsewhere): fans are summarised on the transform scale.
                    for ((x, &g), &used) in x_out.iter_mut().zip(g_out.iter()).zip(&ip.natural) {
                        *x = if used { transform.inverse(g) } else { f64::NAN };
                    }
                }
                visit(d, &draw);
            }
        }
        Fit::Count(c) => {
            let gamma = Gamma::new(c.shape(), 1.0 / c.span_years).expect("shape > 0, span > 0");
            for d in 0..len {
                let lambda: f64 = gamma.sample(&mut rng);
                let sub: u64 = rng.random();
                for (s, spec) in ip.paths.iter().enumerate() {
                    if ip.same_as[s] != s {
                        draw.repeat(ip.same_as[s], s, years);
                        continue;
                    }
                    // Every scenario starts from the same sub-stream: common random numbers.
                    let mut r = Stream::seed_from_u64(sub);
                    let mut stock = c.stock;
                    for t in 0..years {
                        let rate = spec.rate_mult[t] * lambda;
                        let mut adds = if rate > 0.0 {
                            Poisson::new(rate).map_or(0.0, |p| p.sample(&mut r))
                        } else {
                            0.0
                        };
                        for &(ty, slot, size) in &spec.shocks {
                            if ty == t && commons.hits[slot][d] {
                                adds = (adds + size.round()).max(0.0);
                            }
                        }
                        stock += adds;
                        draw.g[s * years + t] = stock;
                        draw.x[s * years + t] = stock;
                    }
                }
                visit(d, &draw);
            }
        }
        Fit::Milestone { done, .. } => {
            let mut u = vec![0.0; years];
            for d in 0..len {
                for v in u.iter_mut() {
                    *v = rng.random::<f64>();
                }
                for (s, spec) in ip.paths.iter().enumerate() {
                    if ip.same_as[s] != s {
                        draw.repeat(ip.same_as[s], s, years);
                        continue;
                    }
                    let mut now = *done;
                    for (t, (&u_t, &h_t)) in u.iter().zip(&spec.hazard).enumerate() {
                        now = now || u_t < h_t;
                        let v = if now { 1.0 } else { 0.0 };
                        draw.g[s * years + t] = v;
                        draw.x[s * years + t] = v;
                    }
                }
                visit(d, &draw);
            }
        }
        Fit::Insufficient { .. } => {}
    }
}

/// The statistic of a target for one draw and whether the draw meets it
/// (MODEL.md §6: values compared as published).
#[inline]
pub fn evaluate(tp: &TargetPlan, x: &[f64]) -> (f64, bool) {
    let value = |y: &YearValue| match *y {
        YearValue::Observed(v) => v,
        YearValue::Projected(i) => x[i],
    };
    let publish = |v: f64| round_published(v, tp.decimals);
    match &tp.statistic {
        Statistic::Level(y) => {
            let v = value(y);
            (v, tp.cut.meets(v))
        }
        Statistic::Increase { end, base } => {
            let (e, b) = (value(end), value(base));
            let published = publish(publish(e) - publish(b));
            (e - b, tp.comparator.holds(published, tp.value))
        }
        Statistic::Cumulative(years) => {
            let total: f64 = years.iter().map(&value).sum();
            let published = publish(years.iter().map(|y| publish(value(y))).sum());
            (total, tp.comparator.holds(published, tp.value))
        }
        Statistic::EveryYear(years) => {
            let mut met = true;
            let mut worst = if tp.comparator.upward() {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            };
            for y in years {
                let v = value(y);
                met &= tp.cut.meets(v);
                worst = if tp.comparator.upward() {
                    worst.min(v)
                } else {
                    worst.max(v)
                };
            }
            (worst, met)
        }
    }
}

/// Summary of one fan series: natural-scale mean and quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// Mean on the natural scale (None when not finite: a heavy-tailed `log`).
    pub mean: Option<f64>,
    /// Natural-scale quantiles at [`QUANTILES`].
    pub quantiles: [f64; 7],
}

/// Summary of one target under one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSummary {
    /// Draws that meet it.
    pub met: u64,
    /// Draws that meet it here but not in the baseline.
    pub only_here: u64,
    /// Draws that meet it in the baseline but not here.
    pub only_baseline: u64,
    /// Mean of the statistic (None when not finite).
    pub mean: Option<f64>,
    /// Quantiles of the statistic.
    pub quantiles: [f64; 7],
    /// Draws first meeting it in each calendar year from [`Plan::first_year`]; the last entry counts never.
    pub first_met: Vec<u64>,
    /// Required effort for each of [`P_GOALS`] (None when not computed).
    pub required: Option<[Required; 3]>,
}

/// Everything the tables are made from.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Draws simulated.
    pub draws: u64,
    /// `[s * plan.series + i]`.
    pub fan: Vec<SeriesSummary>,
    /// `[s * targets + j]`; None for targets with status `insufficient_history`.
    pub targets: Vec<Option<TargetSummary>>,
    /// `[s * groups + g]`: draws with exactly k targets met, k = 0..=members.
    pub scorecard: Vec<Vec<u64>>,
}

/// The quantile grids, placed by the pilot.
pub struct Grids {
    fan: Vec<Grid>,
    stat: Vec<Grid>,
    /// Per-draw effort boundaries (targets with [`Effort::PerDraw`]).
    effort: Vec<Grid>,
}

/// An indicator's fan grids, and per target the grids of each scenario for
/// its statistic and its effort boundary.
type IndicatorGrids = (Vec<Grid>, Vec<(usize, Vec<Grid>, Vec<Grid>)>);

/// Feeds each draw's effort boundary of a [`Effort::PerDraw`] target to `keep`.
#[inline]
fn per_draw_boundary(
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    scratch: &mut [f64],
) -> Option<f64> {
    match &tp.effort {
        Effort::PerDraw { weights, scale } => {
            Some(effort::boundary(tp, transform, g, weights, *scale, scratch))
        }
        _ => None,
    }
}

/// Places the quantile grids from a pilot of [`PILOT_DRAWS`] draws with its own streams.
pub fn pilot(plan: &Plan, transforms: &[Transform], seed: u64) -> Grids {
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let cells = (CELL_BUDGET / (ns * (plan.series + nt)).max(1)).clamp(256, 2048);
    let commons = commons(plan, seed, PILOT_BLOCK, PILOT_DRAWS);
    let per_indicator: Vec<IndicatorGrids> = plan
        .indicators
        .par_iter()
        .map(|ip| {
            let years = ip.years;
            let discrete = !transforms[ip.index].is_walk();
            let mut fan_values = vec![Vec::with_capacity(PILOT_DRAWS); ns * years];
            let live: Vec<usize> = ip
                .targets
                .iter()
                .copied()
                .filter(|&j| plan.targets[j].status != Status::InsufficientHistory)
                .collect();
            let mut stat_values = vec![Vec::with_capacity(PILOT_DRAWS); ns * live.len()];
            let mut effort_values = vec![Vec::new(); ns * live.len()];
            let mut scratch = vec![0.0; years];
            let block = Block {
                plan,
                commons: &commons,
                seed,
                index: PILOT_BLOCK,
                len: PILOT_DRAWS,
            };
            simulate_indicator(&block, ip, transforms[ip.index], |_, draw| {
                for (k, v) in draw.g.iter().enumerate() {
                    fan_values[k].push(*v);
                }
                for s in 0..ns {
                    let x = &draw.x[s * years..(s + 1) * years];
                    let g = &draw.g[s * years..(s + 1) * years];
                    for (l, &j) in live.iter().enumerate() {
                        let tp = &plan.targets[j];
                        stat_values[s * live.len() + l].push(evaluate(tp, x).0);
                        if let Some(b) =
                            per_draw_boundary(tp, transforms[ip.index], g, &mut scratch)
                        {
                            if b.is_finite() {
                                effort_values[s * live.len() + l].push(b);
                            }
                        }
                    }
                }
            });
            let fan = fan_values
                .iter_mut()
                .map(|v| Grid::from_pilot(v, cells, discrete))
                .collect();
            let stats = live
                .iter()
                .enumerate()
                .map(|(l, &j)| {
                    let grids = (0..ns)
                        .map(|s| {
                            Grid::from_pilot(
                                &mut stat_values[s * live.len() + l],
                                cells,
                                plan.targets[j].discrete,
                            )
                        })
                        .collect();
                    let effort = (0..ns)
                        .map(|s| {
                            let values = &mut effort_values[s * live.len() + l];
                            if values.is_empty() {
                                values.push(0.0);
                            }
                            Grid::from_pilot(values, cells, false)
                        })
                        .collect();
                    (j, grids, effort)
                })
                .collect();
            (fan, stats)
        })
        .collect();
    let placeholder = Grid::from_pilot(&mut [0.0], 1, true);
    let mut fan = vec![placeholder.clone(); ns * plan.series];
    let mut stat = vec![placeholder.clone(); ns * nt];
    let mut effort = vec![placeholder; ns * nt];
    for (ip, (fan_grids, stat_grids)) in plan.indicators.iter().zip(per_indicator) {
        for (k, grid) in fan_grids.into_iter().enumerate() {
            let (s, t) = (k / ip.years, k % ip.years);
            fan[s * plan.series + ip.series + t] = grid;
        }
        for (j, grids, effort_grids) in stat_grids {
            for (s, grid) in grids.into_iter().enumerate() {
                stat[s * nt + j] = grid;
            }
            if matches!(plan.targets[j].effort, Effort::PerDraw { .. }) {
                for (s, grid) in effort_grids.into_iter().enumerate() {
                    effort[s * nt + j] = grid;
                }
            }
        }
    }
    Grids { fan, stat, effort }
}

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

/// Runs the whole simulation: pilot, then every block, inside the current
/// rayon pool. With `precision`, blocks are added until every P(attain) has a
/// standard error at most that, or `max_draws` is reached.
pub fn simulate(
    plan: &Plan,
    transforms: &[Transform],
    settings: &Settings,
    precision: Option<(f64, u64)>,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let grids = pilot(plan, transforms, settings.seed);
    let block = BLOCK as u64;
    let blocks = settings.draws.div_ceil(block);
    let engine = Engine {
        plan,
        transforms,
        grids: &grids,
        seed: settings.seed,
    };
    let mut acc = Accumulator::run_blocks(
        &engine,
        0..blocks,
        settings.draws,
        settings.threads,
        progress,
    );
    if let Some((target_se, max_draws)) = precision {
        let mut done = blocks;
        let max_blocks = max_draws.div_ceil(block);
        while acc.max_se() > target_se && done < max_blocks {
            // Enough blocks to reach the target if the worst P stayed where it is.
            let worst = acc.max_se();
            let need = (acc.draws as f64 * (worst / target_se).powi(2)).ceil() as u64;
            let next = need.div_ceil(block).clamp(done + 1, max_blocks);
            let more = Accumulator::run_blocks(
                &engine,
                done..next,
                next * block,
                settings.threads,
                progress,
            );
            acc.merge(more);
            done = next;
        }
    }
    acc.finish(plan, transforms, &grids)
}
