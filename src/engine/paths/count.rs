//! Counts (docs/model.md §3): a stock that only grows by Poisson additions
//! whose yearly rate has a Gamma posterior (Jeffreys prior).
//!
//! In: a count's fit and its settings per scenario. Out: the stocks of one
//! block of draws. Per draw: the rate λ ~ Gamma(0.5 + C, K), a sub-stream
//! seed and one uniform per year (with only the current stock, λ = 1 and the
//! scenario's assumed rate is in R_t); the additions of year t are
//! Poisson(R_t·λ), drawn from the year's uniform by inversion
//! ([`super::poisson`]) for rates below [`INVERSION_MAX_RATE`], so every
//! scenario uses the same uniforms (common random numbers).

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Gamma, Poisson};

use super::columns::{grow, step, Block, Buffers, Paths};
use super::poisson::{PoissonStart, INVERSION_MAX_RATE};
use crate::model::fit::CountFit;
use crate::model::rng::Stream;
use crate::plan::{IndicatorPlan, Setting};

/// Draws a count finds its additions for at a time (see [`count`]): the
/// chunk's ways of drawing them, one per draw and rate multiplier, stay in
/// the core's caches.
const COUNT_CHUNK: usize = 256;

/// How one draw's yearly additions are drawn at one rate: found once per
/// draw and rate multiplier, used for every year and scenario at that rate.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Additions {
    /// A rate of zero: no additions.
    #[default]
    None,
    /// A rate below [`INVERSION_MAX_RATE`]: by inversion of the uniform.
    Invert(PoissonStart),
    /// A larger rate: by `rand_distr`'s sampler on the draw's sub-stream.
    Sample(Poisson<f64>),
}

/// A year's rate multiplier R_t: a fixed part times, in each draw, the
/// values of the uncertain levers on it.
#[derive(Debug, Clone, PartialEq)]
struct Rate {
    fixed: f64,
    levers: Vec<usize>,
}

impl Rate {
    /// The multiplier in draw `d`.
    #[inline]
    fn at(&self, levers: &[Vec<f64>], d: usize) -> f64 {
        self.levers
            .iter()
            .fold(self.fixed, |m, &l| m * levers[l][d])
    }
}

/// A stock and where its yearly rate comes from.
pub(super) struct Stock {
    /// The stock in the last observed year.
    pub(super) stock: f64,
    /// The rate's posterior, Gamma(0.5 + C, K); `None` when the scenarios
    /// assume the rate (it is then in each year's multiplier R_t).
    pub(super) rate: Option<Gamma<f64>>,
}

impl Stock {
    /// A stock whose rate is fitted from its additions.
    pub(super) fn fitted(c: &CountFit) -> Self {
        Stock {
            stock: c.stock,
            rate: Some(Gamma::new(c.shape(), 1.0 / c.span_years).expect("shape > 0, span > 0")),
        }
    }

    /// A stock whose rate the scenarios assume.
    pub(super) fn assumed(stock: f64) -> Self {
        Stock { stock, rate: None }
    }
}

/// A count's per-chunk state, reused from indicator to indicator.
#[derive(Debug, Default)]
pub struct Chunk {
    /// The [`Additions`] by rate multiplier and draw of a chunk.
    starts: Vec<Additions>,
    /// The sub-stream by draw of a chunk, with the scenario it is for.
    subs_state: Vec<Option<(usize, Stream)>>,
}

/// The paths of a Gamma–Poisson stock (docs/model.md §3).
///
/// Per draw: the rate λ, a sub-stream seed and one uniform per year. Every
/// scenario uses the same uniforms (by inversion, for rates below
/// [`INVERSION_MAX_RATE`]) and the same sub-stream (for larger rates):
/// common random numbers. The additions are found for a chunk of
/// [`COUNT_CHUNK`] draws at a time, one (scenario, year) column after the
/// other, each column in a loop of its own over the chunk (in the common
/// case, where no draw of the chunk samples, a loop of window inversions or
/// a copy); the stocks are then built year by year over all draws.
pub(super) fn count(
    block: &Block,
    ip: &IndicatorPlan,
    stock: Stock,
    rng: &mut impl Rng,
    paths: &mut Paths,
    (buffers, chunk): (&mut Buffers, &mut Chunk),
) {
    let (commons, len, years) = (block.commons, block.len, ip.years);
    let distinct = |s: &usize| ip.is_distinct(*s);
    let ns = ip.paths.len();
    let Buffers {
        sigma: lambda,
        e: u,
        subs,
        ..
    } = buffers;
    let Chunk { starts, subs_state } = chunk;
    lambda.resize(len, 0.0);
    subs.resize(len, 0);
    grow(u, years * len);
    for d in 0..len {
        lambda[d] = match &stock.rate {
            Some(gamma) => gamma.sample(rng),
            None => 1.0,
        };
        subs[d] = rng.random();
        for t in 0..years {
            u[t * len + d] = rng.random::<f64>();
        }
    }
    // The distinct rate multipliers (a fixed part and the levers that
    // multiply it in each draw); per distinct scenario and year, which one
    // applies and an earlier scenario with the same one that year (it drew
    // the same additions: same λ, same uniform, by inversion).
    let rate_of = |s: usize, t: usize| Rate {
        fixed: ip.paths[s].rate_mult[t],
        levers: ip.paths[s].levers[t]
            .iter()
            .filter(|(setting, _)| *setting == Setting::Rate)
            .map(|&(_, slot)| slot)
            .collect(),
    };
    let mut mults: Vec<Rate> = Vec::new();
    let mut columns = Vec::new();
    for s in (0..ns).filter(distinct) {
        for t in 0..years {
            let m = rate_of(s, t);
            let i = match mults.iter().position(|x| *x == m) {
                Some(i) => i,
                None => {
                    mults.push(m.clone());
                    mults.len() - 1
                }
            };
            let earlier = (0..s).find(|&r| distinct(&r) && rate_of(r, t) == m);
            columns.push((s, t, i, earlier));
        }
    }
    // `x` holds each (scenario, year)'s additions before shocks; natural
    // values are read from `g` (a count is its own natural value). A chunk
    // of draws at a time: how each draw's additions are drawn at each
    // multiplier is found once (kept for the chunk), then the additions are
    // found column by column, each column a run over the chunk's draws.
    paths.natural_is_g = true;
    let nm = mults.len();
    starts.clear();
    starts.resize(nm * COUNT_CHUNK, Additions::None);
    subs_state.clear();
    subs_state.resize(COUNT_CHUNK, None);
    // Per multiplier: whether every draw of the chunk inverts (or adds nothing).
    let mut all_invert = vec![true; nm];
    for c0 in (0..len).step_by(COUNT_CHUNK) {
        let n = COUNT_CHUNK.min(len - c0);
        for (i, m) in mults.iter().enumerate() {
            let mut invert = true;
            for (k, (start, &lambda)) in starts[i * COUNT_CHUNK..][..n]
                .iter_mut()
                .zip(&lambda[c0..c0 + n])
                .enumerate()
            {
                let rate = m.at(&commons.levers, c0 + k) * lambda;
                *start = if rate <= 0.0 {
                    Additions::None
                } else if rate < INVERSION_MAX_RATE {
                    Additions::Invert(PoissonStart::new(rate))
                } else {
                    Poisson::new(rate).map_or(Additions::None, Additions::Sample)
                };
                invert &= !matches!(start, Additions::Sample(_));
            }
            all_invert[i] = invert;
        }
        // Each draw's sub-stream, restarted for each scenario (when the
        // scenario first samples).
        subs_state[..n].fill(None);
        for &(s, t, i, earlier) in &columns {
            let at = (s * years + t) * len + c0;
            let starts = &starts[i * COUNT_CHUNK..][..n];
            let u = &u[t * len + c0..][..n];
            let (head, rest) = paths.x.split_at_mut(at);
            let out = &mut rest[..n];
            // The earlier scenario's column of the same year (it lies before this one).
            let shared = earlier.map(|r| &head[(r * years + t) * len + c0..][..n]);
            if all_invert[i] {
                // The common case, in loops of their own: no draw of the
                // chunk samples at this multiplier.
                match shared {
                    Some(shared) => out.copy_from_slice(shared),
                    None => {
                        for ((x, start), &u) in out.iter_mut().zip(starts).zip(u) {
                            *x = match start {
                                Additions::Invert(start) => start.invert(u),
                                _ => 0.0,
                            };
                        }
                    }
                }
                continue;
            }
            for (k, (x, start)) in out.iter_mut().zip(starts).enumerate() {
                *x = match start {
                    Additions::None => 0.0,
                    Additions::Invert(start) => match shared {
                        Some(shared) => shared[k],
                        None => start.invert(u[k]),
                    },
                    Additions::Sample(poisson) => {
                        let sub = &mut subs_state[k];
                        if sub.as_ref().is_none_or(|(of, _)| *of != s) {
                            *sub = Some((s, Stream::seed_from_u64(subs[c0 + k])));
                        }
                        let (_, r) = sub.as_mut().expect("just set");
                        poisson.sample(r)
                    }
                };
            }
        }
    }
    for s in (0..ns).filter(distinct) {
        let spec = &ip.paths[s];
        for t in 0..years {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            let adds = &paths.x[at..at + len];
            let prev = (t > 0).then(|| &before[at - len..]);
            step(g, prev, stock.stock, |d| adds[d]);
            for sh in spec.shocks.iter().filter(|sh| sh.year == t) {
                // A shock adds or removes additions that year, never below zero.
                for (d, g) in g.iter_mut().enumerate() {
                    if commons.hits[sh.slot][d] {
                        let before = prev.map_or(stock.stock, |p| p[d]);
                        let size = sh.size.at(&commons.levers, d).round();
                        let adds = (*g - before + size).max(0.0);
                        *g = before + adds;
                    }
                }
            }
        }
    }
}
