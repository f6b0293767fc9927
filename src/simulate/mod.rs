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
//!
//! This file draws the paths and evaluates targets; [`pilot`] places the
//! quantile grids; [`Accumulator`] (in `accumulate.rs`) keeps a worker's
//! summaries, including the required effort of [`crate::effort`].

use rand::{Rng, SeedableRng};
use rand_distr::{ChiSquared, Distribution, Gamma, Poisson, StandardNormal};

use crate::catalog::{round_published, Transform};
use crate::effort::Required;
use crate::fit::Fit;
use crate::plan::{IndicatorPlan, Plan, Statistic, TargetPlan, YearValue};
use crate::rng::{stream, Domain, Stream};

mod accumulate;
mod pilot;

pub use accumulate::{Accumulator, Engine};
pub use pilot::{pilot, Grids};

/// Draws per block.
pub const BLOCK: usize = 2048;
/// Draws of the pilot that places the quantile grids (not counted in results).
pub const PILOT_DRAWS: usize = 4096;
/// The quantiles reported: p05, p10, p25, p50, p75, p90, p95.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

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
pub(crate) struct Commons {
    years: usize,
    factors: Vec<Vec<f64>>,
    hits: Vec<Vec<bool>>,
}

pub(crate) fn commons(plan: &Plan, seed: u64, block: u64, len: usize) -> Commons {
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
    /// Natural values, for walks only in the years a target uses
    /// ([`IndicatorPlan::natural`]; NaN in the others).
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
pub(crate) struct Block<'a> {
    plan: &'a Plan,
    commons: &'a Commons,
    seed: u64,
    index: u64,
    len: usize,
}

/// Simulates the draws of one indicator in a block and hands each to `visit`.
pub(crate) fn simulate_indicator(
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
    /// Required effort for each of [`crate::effort::P_GOALS`] (None when not computed).
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
            let need = (acc.draws() as f64 * (worst / target_se).powi(2)).ceil() as u64;
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
