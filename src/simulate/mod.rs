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
//! Workers take the next block as they free up.
//!
//! A block is simulated one indicator at a time into [`Paths`], column by
//! column (scenario × year, all draws of the block), so the loops run over
//! contiguous memory; `level` targets are then tested on whole columns on
//! the transform scale, other statistics draw by draw.
//!
//! This file draws the paths and evaluates targets; [`pilot`] places the
//! quantile grids; [`Accumulator`] (in `accumulate.rs`) keeps a worker's
//! summaries, including the required effort of [`crate::effort`].

use rand::{Rng, SeedableRng};
use rand_distr::{ChiSquared, Distribution, Gamma, Poisson, StandardNormal};

use crate::catalog::{pow10, round_scaled, Transform};
use crate::effort::Required;
use crate::fit::{CountFit, Fit, WalkFit};
use crate::plan::{IndicatorPlan, Plan, Statistic, TargetPlan, YearValue};
use crate::rng::{stream, Domain, Stream};

mod accumulate;
mod pilot;

pub use accumulate::{Accumulator, Engine};
pub use pilot::{pilot, Grids};

/// Draws per block.
pub const BLOCK: usize = 4096;
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

/// One block of one indicator's draws under every scenario, column by
/// column: the value of draw `d` in scenario `s` and projected year `t` is at
/// `(s * years + t) * len + d`, so every loop over draws runs over contiguous
/// memory. A scenario with the same settings as an earlier one for the
/// indicator (`same_as`) is not stored again: [`Paths::g`] and [`Paths::x`]
/// read the earlier one's columns.
#[derive(Debug, Default)]
pub struct Paths {
    years: usize,
    len: usize,
    source: Vec<usize>,
    /// Transform-scale values.
    g: Vec<f64>,
    /// Natural values, for walks only in the years a target uses
    /// ([`IndicatorPlan::natural`]; the other columns are stale).
    x: Vec<f64>,
    /// Whether natural values are the transform-scale ones (counts and
    /// milestones; `x` is then scratch of the simulation).
    natural_is_g: bool,
}

impl Paths {
    /// Shapes the buffers for `ip` and `len` draws (reusing their memory).
    fn reset(&mut self, ip: &IndicatorPlan, len: usize) {
        let cells = ip.paths.len() * ip.years * len;
        self.years = ip.years;
        self.len = len;
        self.source.clone_from(&ip.same_as);
        grow(&mut self.g, cells);
        grow(&mut self.x, cells);
        self.natural_is_g = false;
    }

    /// The column of scenario `s`, year `t` in a buffer.
    #[inline]
    fn column(&self, s: usize, t: usize) -> std::ops::Range<usize> {
        let at = (self.source[s] * self.years + t) * self.len;
        at..at + self.len
    }

    /// Draws per column.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the block has no draws.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Projected years.
    #[inline]
    pub fn years(&self) -> usize {
        self.years
    }

    /// Transform-scale values of scenario `s` in projected year `t`, by draw.
    #[inline]
    pub fn g(&self, s: usize, t: usize) -> &[f64] {
        &self.g[self.column(s, t)]
    }

    /// Natural values of scenario `s` in projected year `t`, by draw (only
    /// meaningful in the years a target uses).
    #[inline]
    pub fn x(&self, s: usize, t: usize) -> &[f64] {
        if self.natural_is_g {
            self.g(s, t)
        } else {
            &self.x[self.column(s, t)]
        }
    }

    /// Scenario `s`'s values draw by draw (`d * years + t`): natural ones
    /// with `natural`, else transform-scale ones. One pass over the columns
    /// instead of a strided read per draw.
    pub fn by_draw(&self, s: usize, natural: bool, out: &mut Vec<f64>) {
        let years = self.years;
        out.resize(years * self.len, 0.0);
        for t in 0..years {
            let column = if natural { self.x(s, t) } else { self.g(s, t) };
            for (o, &v) in out.iter_mut().skip(t).step_by(years).zip(column) {
                *o = v;
            }
        }
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

/// Per-draw parameters and innovations of a walk, reused across indicators.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    sigma: Vec<f64>,
    mu: Vec<f64>,
    e: Vec<f64>,
    shock: Vec<f64>,
    subs: Vec<u64>,
    /// A count's [`Additions`] by rate multiplier and draw of a chunk.
    starts: Vec<Additions>,
    /// A count's sub-stream by draw of a chunk, with the scenario it is for.
    subs_state: Vec<Option<(usize, Stream)>>,
}

/// How one draw's yearly additions are drawn at one rate: found once per
/// draw and rate multiplier, used for every year and scenario at that rate.
#[derive(Debug, Clone, Copy, Default)]
enum Additions {
    /// A rate of zero: no additions.
    #[default]
    None,
    /// A rate below [`INVERSION_MAX_RATE`]: by inversion of the uniform.
    Invert(PoissonStart),
    /// A larger rate: by `rand_distr`'s sampler on the draw's sub-stream.
    Sample(Poisson<f64>),
}

/// Makes `v` at least `n` long. Buffers reused for indicators of different
/// sizes only ever grow: a `resize` down and up again would zero-fill the
/// regrown part for every indicator of every block, and every value read is
/// written first.
#[inline]
fn grow(v: &mut Vec<f64>, n: usize) {
    if v.len() < n {
        v.resize(n, 0.0);
    }
}

/// One year of a walk over all draws: `g[d] = prev[d] + inc(d)`, with
/// `prev` the previous year's column or, in the first year, `first`.
#[inline(always)]
fn step(g: &mut [f64], prev: Option<&[f64]>, first: f64, inc: impl Fn(usize) -> f64) {
    match prev {
        Some(prev) => {
            for (d, (g, &p)) in g.iter_mut().zip(prev).enumerate() {
                *g = p + inc(d);
            }
        }
        None => {
            for (d, g) in g.iter_mut().enumerate() {
                *g = first + inc(d);
            }
        }
    }
}

/// Simulates the draws of one indicator in a block into `paths`.
///
/// Random numbers are drawn draw by draw (for a walk: σ, then μ, then the
/// yearly innovations), so a draw's numbers do not depend on how the block
/// is laid out; the paths are then built year by year over all draws.
pub(crate) fn simulate_indicator(
    block: &Block,
    ip: &IndicatorPlan,
    transform: Transform,
    paths: &mut Paths,
    scratch: &mut Scratch,
) {
    paths.reset(ip, block.len);
    if ip.years == 0 {
        return;
    }
    let mut rng = stream(block.seed, Domain::Indicator, ip.key, block.index);
    match &ip.fit {
        Fit::Walk(w) => walk(block, ip, w, transform, &mut rng, paths, scratch),
        Fit::Count(c) => count(block, ip, c, &mut rng, paths, scratch),
        Fit::Milestone { done, .. } => milestone(block, ip, *done, &mut rng, paths, scratch),
        Fit::Insufficient { .. } => {}
    }
}

/// The paths of a random walk with drift (MODEL.md §2).
fn walk(
    block: &Block,
    ip: &IndicatorPlan,
    w: &WalkFit,
    transform: Transform,
    rng: &mut Stream,
    paths: &mut Paths,
    scratch: &mut Scratch,
) {
    let (commons, len, years) = (block.commons, block.len, ip.years);
    let offset = (ip.start - block.plan.first_year).max(0) as usize;
    let distinct = |s: &usize| ip.same_as[*s] == *s;
    let chi = ChiSquared::new(f64::from(w.dof)).expect("dof ≥ 1");
    let dof = f64::from(w.dof);
    let inv_sqrt_k = 1.0 / w.span_years.sqrt();
    let Scratch {
        sigma,
        mu,
        e,
        shock,
        ..
    } = scratch;
    sigma.resize(len, 0.0);
    mu.resize(len, 0.0);
    grow(e, years * len);
    shock.resize(len, 0.0);
    for d in 0..len {
        sigma[d] = if w.s2 > 0.0 {
            let c: f64 = chi.sample(rng);
            (dof * w.s2 / c).sqrt()
        } else {
            0.0
        };
        let z: f64 = rng.sample(StandardNormal);
        mu[d] = w.drift + sigma[d] * inv_sqrt_k * z;
        for t in 0..years {
            e[t * len + d] = rng.sample(StandardNormal);
        }
    }
    for s in (0..ip.paths.len()).filter(distinct) {
        let spec = &ip.paths[s];
        for t in 0..years {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            // The previous year's values (the last observation in the first year).
            let prev = (t > 0).then(|| &before[at - len..]);
            let (m, a, v) = (spec.drift_mult[t], spec.drift_add[t], spec.vol_scale[t]);
            let (mu, sigma, e) = (&mu[..len], &sigma[..len], &e[t * len..(t + 1) * len]);
            let mut shocked = false;
            for &(_, slot, size) in spec.shocks.iter().filter(|sh| sh.0 == t) {
                if !shocked {
                    shock.fill(0.0);
                    shocked = true;
                }
                for (v, &hit) in shock.iter_mut().zip(&commons.hits[slot]) {
                    if hit {
                        *v += size;
                    }
                }
            }
            let shock = &shock[..len];
            match (spec.factor, shocked) {
                (Some((slot, rho)), _) => {
                    let f = &commons.factors[slot];
                    let own = (1.0 - rho * rho).sqrt();
                    step(g, prev, w.g_last, |d| {
                        let eps = rho * f[d * commons.years + offset + t] + own * e[d];
                        let sh = if shocked { shock[d] } else { 0.0 };
                        m * mu[d] + a + v * sigma[d] * eps + sh
                    });
                }
                (None, true) => step(g, prev, w.g_last, |d| {
                    m * mu[d] + a + v * sigma[d] * e[d] + shock[d]
                }),
                (None, false) => step(g, prev, w.g_last, |d| m * mu[d] + a + v * sigma[d] * e[d]),
            }
        }
        // Natural values only for the years a target uses: fans are
        // summarised on the transform scale.
        for t in (0..years).filter(|&t| ip.natural[t]) {
            let at = (s * years + t) * len;
            let (g, x) = (&paths.g[at..at + len], &mut paths.x[at..at + len]);
            for (x, &g) in x.iter_mut().zip(g) {
                *x = transform.inverse(g);
            }
        }
    }
}

/// Draws a count finds its additions for at a time (see [`count`]): the
/// chunk's ways of drawing them, one per draw and rate multiplier, stay in
/// the core's caches.
const COUNT_CHUNK: usize = 256;

/// Rates below this are drawn by inversion of the Poisson distribution
/// function ([`poisson_inverse`]); larger ones by `rand_distr`'s rejection
/// sampler, whose cost does not grow with the rate.
pub const INVERSION_MAX_RATE: f64 = 30.0;

/// The Poisson(λ) variate at uniform `u` ∈ [0, 1): the smallest k with
/// P(X ≤ k) > u. Monotone in `u` and in λ, so scenarios that share `u` and
/// differ only in their rate get coupled draws (common random numbers).
#[inline]
pub fn poisson_inverse(lambda: f64, u: f64) -> f64 {
    PoissonStart::new(lambda).invert(u)
}

/// 1/k by table: a multiplication instead of a division per step.
const RECIPROCAL_CAP: usize = 512;
static RECIPROCALS: [f64; RECIPROCAL_CAP] = {
    let mut r = [0.0; RECIPROCAL_CAP];
    let mut k = 1;
    while k < RECIPROCAL_CAP {
        r[k] = 1.0 / k as f64;
        k += 1;
    }
    r
};

/// Half-width of the window of values around the mode whose distribution
/// function [`PoissonStart`] keeps.
const WINDOW: usize = 4;

/// Where the inversion of a Poisson(λ) distribution function starts, found
/// once per rate (one `exp`, max(k₀ + W, 2W) steps from 0, in loops of
/// fixed length over the window) and shared by all
/// the uniforms inverted at that rate: the mode k₀ = ⌊λ⌋ with P(X = k₀) and
/// P(X ≤ k₀), and the distribution function over k₀ − W − 1 ..= k₀ + W.
///
/// A uniform inside the window is inverted by counting the window's steps
/// below it (comparisons, no branch on each step: the branch predictor
/// cannot guess where a uniform falls); one outside it (rarely: for λ ≤ 3
/// under 1 in 100) walks from the mode, about √λ steps.
#[derive(Debug, Clone, Copy, Default)]
struct PoissonStart {
    lambda: f64,
    k: usize,
    p: f64,
    cdf: f64,
    /// `window[i]` = P(X ≤ k₀ − W − 1 + i), 0 for negative values.
    window: [f64; 2 * WINDOW + 2],
    /// k₀ − W as a float: the value below the window's first step.
    base: f64,
}

impl PoissonStart {
    #[inline]
    fn new(lambda: f64) -> Self {
        let mode = (lambda as usize).min(RECIPROCAL_CAP - 2 - WINDOW);
        // The value of window[0]: may be negative (those cells stay 0).
        let first = mode as isize - WINDOW as isize - 1;
        let mut window = [0.0; 2 * WINDOW + 2];
        let mut p = (-lambda).exp();
        let mut cdf = p;
        // Loops of fixed length over the window (unrolled).
        let (p_mode, cdf_mode) = if let Ok(first) = usize::try_from(first) {
            // The whole window lies at or above 0 (k₀ > W): the recurrence
            // alone up to its first value, then through it, the mode at its
            // middle.
            for &r in &RECIPROCALS[1..=first] {
                p *= lambda * r;
                cdf += p;
            }
            window[0] = cdf;
            let steps: &[f64; 2 * WINDOW + 1] = RECIPROCALS[first + 1..=first + 2 * WINDOW + 1]
                .try_into()
                .expect("2W + 1 reciprocals");
            let mut at_mode = (p, cdf);
            for (i, &r) in steps.iter().enumerate() {
                p *= lambda * r;
                cdf += p;
                window[i + 1] = cdf;
                if i == WINDOW {
                    at_mode = (p, cdf);
                }
            }
            at_mode
        } else {
            // k₀ ≤ W: the window starts below 0. The recurrence over
            // 0 ..= 2W, then each cell of the window takes its value's.
            let (mut pk, mut ck) = ([p; 2 * WINDOW + 1], [cdf; 2 * WINDOW + 1]);
            for k in 1..=2 * WINDOW {
                p *= lambda * RECIPROCALS[k];
                cdf += p;
                (pk[k], ck[k]) = (p, cdf);
            }
            for (i, cell) in window.iter_mut().enumerate() {
                if let Ok(j) = usize::try_from(first + i as isize) {
                    *cell = ck[j];
                }
            }
            (pk[mode], ck[mode])
        };
        PoissonStart {
            lambda,
            k: mode,
            p: p_mode,
            cdf: cdf_mode,
            window,
            base: mode as f64 - WINDOW as f64,
        }
    }

    #[inline]
    fn invert(&self, u: f64) -> f64 {
        let w = &self.window;
        if u >= w[0] && u < w[2 * WINDOW + 1] {
            // The smallest k with P(X ≤ k) > u lies in the window: one past
            // window[0]'s value, plus the steps at or below u.
            let steps: u32 = w[1..=2 * WINDOW].iter().map(|&c| u32::from(u >= c)).sum();
            return self.base + f64::from(steps);
        }
        self.invert_outside(u)
    }

    /// [`PoissonStart::invert`] for a uniform outside the window: a walk
    /// from the mode. Rare, so kept out of the loops that invert.
    #[cold]
    #[inline(never)]
    fn invert_outside(&self, u: f64) -> f64 {
        let PoissonStart {
            lambda,
            mut k,
            mut p,
            mut cdf,
            ..
        } = *self;
        if u < cdf {
            // Down: P(X ≤ k − 1) = P(X ≤ k) − P(X = k), P(X = k − 1) = P(X = k)·k/λ.
            let inv = 1.0 / lambda;
            while k > 0 && u < cdf - p {
                cdf -= p;
                p *= k as f64 * inv;
                k -= 1;
            }
        } else {
            // Up. The cap only matters for u within rounding of 1 (it is far
            // beyond the tail of any rate below INVERSION_MAX_RATE).
            while u >= cdf && k + 1 < RECIPROCAL_CAP {
                k += 1;
                p *= lambda * RECIPROCALS[k];
                cdf += p;
            }
        }
        k as f64
    }
}

/// The paths of a Gamma–Poisson stock (MODEL.md §3).
///
/// Per draw: the rate λ, a sub-stream seed and one uniform per year. Every
/// scenario uses the same uniforms (by inversion, for rates below
/// [`INVERSION_MAX_RATE`]) and the same sub-stream (for larger rates):
/// common random numbers. The additions are found for a chunk of
/// [`COUNT_CHUNK`] draws at a time, one (scenario, year) column after the
/// other, each column in a loop of its own over the chunk (in the common
/// case, where no draw of the chunk samples, a loop of window inversions or
/// a copy); the stocks are then built year by year over all draws.
fn count(
    block: &Block,
    ip: &IndicatorPlan,
    c: &CountFit,
    rng: &mut Stream,
    paths: &mut Paths,
    scratch: &mut Scratch,
) {
    let (commons, len, years) = (block.commons, block.len, ip.years);
    let distinct = |s: &usize| ip.same_as[*s] == *s;
    let gamma = Gamma::new(c.shape(), 1.0 / c.span_years).expect("shape > 0, span > 0");
    let ns = ip.paths.len();
    let Scratch {
        sigma: lambda,
        e: u,
        subs,
        starts,
        subs_state,
        ..
    } = scratch;
    lambda.resize(len, 0.0);
    subs.resize(len, 0);
    grow(u, years * len);
    for d in 0..len {
        lambda[d] = gamma.sample(rng);
        subs[d] = rng.random();
        for t in 0..years {
            u[t * len + d] = rng.random::<f64>();
        }
    }
    // The distinct rate multipliers; per distinct scenario and year, which
    // one applies and an earlier scenario with the same one that year (it
    // drew the same additions: same λ, same uniform, by inversion).
    let mut mults: Vec<f64> = Vec::new();
    for spec in &ip.paths {
        for &m in &spec.rate_mult {
            if !mults.contains(&m) {
                mults.push(m);
            }
        }
    }
    let mut columns = Vec::new();
    for s in (0..ns).filter(distinct) {
        for t in 0..years {
            let m = ip.paths[s].rate_mult[t];
            let i = mults.iter().position(|&x| x == m).expect("listed");
            let earlier = (0..s).find(|&r| distinct(&r) && ip.paths[r].rate_mult[t] == m);
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
        for (i, &m) in mults.iter().enumerate() {
            let mut invert = true;
            for (start, &lambda) in starts[i * COUNT_CHUNK..][..n]
                .iter_mut()
                .zip(&lambda[c0..c0 + n])
            {
                let rate = m * lambda;
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
            step(g, prev, c.stock, |d| adds[d]);
            for &(_, slot, size) in spec.shocks.iter().filter(|sh| sh.0 == t) {
                // A shock adds or removes additions that year, never below zero.
                for (d, g) in g.iter_mut().enumerate() {
                    if commons.hits[slot][d] {
                        let before = prev.map_or(c.stock, |p| p[d]);
                        let adds = (*g - before + size.round()).max(0.0);
                        *g = before + adds;
                    }
                }
            }
        }
    }
}

/// The paths of a milestone (MODEL.md §4).
fn milestone(
    block: &Block,
    ip: &IndicatorPlan,
    done: bool,
    rng: &mut Stream,
    paths: &mut Paths,
    scratch: &mut Scratch,
) {
    let (len, years) = (block.len, ip.years);
    let distinct = |s: &usize| ip.same_as[*s] == *s;
    let u = &mut scratch.e;
    grow(u, years * len);
    for d in 0..len {
        for t in 0..years {
            u[t * len + d] = rng.random::<f64>();
        }
    }
    paths.natural_is_g = true;
    for s in (0..ip.paths.len()).filter(distinct) {
        for (t, &h) in ip.paths[s].hazard.iter().enumerate() {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            let u = &u[t * len..(t + 1) * len];
            match t {
                0 => {
                    for (g, &u) in g.iter_mut().zip(u) {
                        *g = if done || u < h { 1.0 } else { 0.0 };
                    }
                }
                _ => {
                    for ((g, &p), &u) in g.iter_mut().zip(&before[at - len..]).zip(u) {
                        *g = if p == 1.0 || u < h { 1.0 } else { 0.0 };
                    }
                }
            }
        }
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
    // Published figures in units of the last decimal are whole numbers:
    // their sums and differences are exact, so the published result is the
    // combination of the units divided once by the scale.
    let scale = pow10(tp.decimals);
    let units = |v: f64| round_scaled(v, scale);
    match &tp.statistic {
        Statistic::Level(y) => {
            let v = value(y);
            (v, tp.cut.meets(v))
        }
        Statistic::Increase { end, base } => {
            let (e, b) = (value(end), value(base));
            let published = (units(e) - units(b)) / scale;
            (e - b, tp.comparator.holds(published, tp.value))
        }
        Statistic::Cumulative(years) => cumulative(tp, years, |i| x[i]),
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

/// A `cumulative` statistic, `projected(i)` giving projected year `i`'s
/// natural value: the sum, and whether the sum of the published yearly
/// figures meets the target. The published figures are added in whole units
/// of the last decimal (exact), then divided once by the scale.
#[inline]
pub(crate) fn cumulative(
    tp: &TargetPlan,
    years: &[YearValue],
    mut projected: impl FnMut(usize) -> f64,
) -> (f64, bool) {
    let scale = pow10(tp.decimals);
    let (mut total, mut units) = (0.0, 0.0);
    for y in years {
        let v = match *y {
            YearValue::Observed(v) => v,
            YearValue::Projected(i) => projected(i),
        };
        total += v;
        units += round_scaled(v, scale);
    }
    (total, tp.comparator.holds(units / scale, tp.value))
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
    /// Where the time went (varies from run to run; not a result).
    pub timing: Timing,
}

/// Where a run's time went, in seconds. Wall times are for the phases in
/// order; CPU times are summed over the workers inside the blocks, so on
/// one thread `paths + fans + targets` is about `blocks`. Not a result: it
/// varies from run to run, and is written to `run.json` for benchmarks.
/// Fields missing from an older run's `run.json` read as 0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Timing {
    /// Wall: reading and checking the inputs.
    pub load: f64,
    /// Wall: fitting every indicator and compiling the scenarios.
    pub plan: f64,
    /// Wall: the pilot that places the quantile grids.
    pub pilot: f64,
    /// Wall: all blocks of draws.
    pub blocks: f64,
    /// Wall: merging and finishing the summaries.
    pub finish: f64,
    /// Wall: building the tables from the summaries (writing them is not
    /// included: the timing is written with them).
    pub tables: f64,
    /// CPU: simulating paths (parameters, random numbers, walks, counts,
    /// milestones): the simulation phase.
    pub paths: f64,
    /// CPU: binning the fan series into their sketches.
    pub fans: f64,
    /// CPU: testing targets, their statistics, first passage, required
    /// effort and the scorecard.
    pub targets: f64,
    /// CPU: the part of `paths` spent on random-walk indicators.
    pub walks: f64,
    /// CPU: the part of `paths` spent on count indicators.
    pub counts: f64,
    /// CPU: the part of `paths` spent on milestones.
    pub milestones: f64,
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
    let started = std::time::Instant::now();
    let grids = pilot(plan, transforms, settings.seed);
    let pilot_s = started.elapsed().as_secs_f64();
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
    let blocks_s = started.elapsed().as_secs_f64() - pilot_s;
    let [paths, fans, targets] = acc.cpu();
    let [walks, counts, milestones] = acc.cpu_by_kind();
    let mut outcome = acc.finish(plan, transforms, &grids);
    outcome.timing = Timing {
        pilot: pilot_s,
        blocks: blocks_s,
        finish: started.elapsed().as_secs_f64() - pilot_s - blocks_s,
        paths,
        fans,
        targets,
        walks,
        counts,
        milestones,
        ..Timing::default()
    };
    outcome
}

#[cfg(test)]
mod tests;
