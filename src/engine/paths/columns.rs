//! Where a block's paths live: one indicator's draws under every scenario,
//! column by column, and the randomness the block's indicators share.
//!
//! In: an indicator's plan and a block. Out: [`Paths`], filled by the
//! kernels (`walk.rs`, `count.rs`, `milestone.rs`) and read by the
//! summaries; [`Block`], the block's number, size and shared draws
//! ([`Commons`]: factor values and shock outcomes); [`Buffers`], the
//! per-draw numbers a kernel reuses from indicator to indicator.

use rand::Rng;
use rand_distr::StandardNormal;

use crate::model::rng::{stream, Domain};
use crate::plan::{IndicatorPlan, Plan};

/// Randomness shared by all indicators of a block: the uncertain levers'
/// values, the common factors' yearly values and whether each shock
/// happens, per draw (docs/model.md §5).
pub struct Commons {
    /// Calendar years from the plan's first projected year.
    pub(super) years: usize,
    /// Per lever slot: the uniform u of draw `d`.
    pub lever_u: Vec<Vec<f64>>,
    /// Per lever slot: its value in draw `d` (its distribution inverted at u).
    pub levers: Vec<Vec<f64>>,
    /// Per factor slot: value of draw `d` in calendar year `c` at `d * years + c`.
    pub(super) factors: Vec<Vec<f64>>,
    /// Per shock slot: whether it happens in draw `d`.
    pub(super) hits: Vec<Vec<bool>>,
}

impl Commons {
    /// The shared draws of block `block` (`len` draws).
    pub fn new(plan: &Plan, seed: u64, block: u64, len: usize) -> Commons {
        let years = plan.calendar_years();
        // A lever is drawn once per draw, by inverting one uniform, and
        // holds for every year and indicator its entry selects.
        let lever_u: Vec<Vec<f64>> = plan
            .levers
            .iter()
            .map(|l| {
                let mut rng = stream(seed, Domain::Lever, l.key, block);
                (0..len).map(|_| rng.random::<f64>()).collect()
            })
            .collect();
        let levers: Vec<Vec<f64>> = plan
            .levers
            .iter()
            .zip(&lever_u)
            .map(|(l, u)| u.iter().map(|&u| l.spread.quantile(u)).collect())
            .collect();
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
                (0..len)
                    .map(|d| rng.random::<f64>() < p.at(&levers, d))
                    .collect()
            })
            .collect();
        Commons {
            years,
            lever_u,
            levers,
            factors,
            hits,
        }
    }
}

/// One block of draws: its number, its size and the randomness its indicators share.
pub struct Block<'a> {
    pub(super) plan: &'a Plan,
    pub(super) commons: &'a Commons,
    pub(super) seed: u64,
    pub(super) index: u64,
    pub(super) len: usize,
}

impl<'a> Block<'a> {
    /// Block number `index` of `len` draws of a run with `seed`.
    pub fn new(plan: &'a Plan, commons: &'a Commons, seed: u64, index: u64, len: usize) -> Self {
        Block {
            plan,
            commons,
            seed,
            index,
            len,
        }
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
    pub(super) g: Vec<f64>,
    /// Natural values, for walks only in the years a target uses
    /// ([`IndicatorPlan::natural`]; the other columns are stale).
    pub(super) x: Vec<f64>,
    /// Whether natural values are the transform-scale ones (counts and
    /// milestones; `x` is then scratch of the simulation).
    pub(super) natural_is_g: bool,
}

impl Paths {
    /// Shapes the buffers for `ip` and `len` draws (reusing their memory).
    pub(super) fn reset(&mut self, ip: &IndicatorPlan, len: usize) {
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

/// Per-draw numbers of a kernel (parameters, innovations, uniforms),
/// reused from indicator to indicator.
#[derive(Debug, Default)]
pub struct Buffers {
    /// σ of a walk; λ of a count.
    pub(super) sigma: Vec<f64>,
    /// μ of a walk.
    pub(super) mu: Vec<f64>,
    /// A walk's yearly innovations; a count's or milestone's yearly
    /// uniforms (year `t`, draw `d` at `t * len + d`).
    pub(super) e: Vec<f64>,
    /// The shock added in one year, by draw.
    pub(super) shock: Vec<f64>,
    /// A walk's drift M_t·μ + A_t, scale V_t·σ and addition A_t of one year
    /// by draw, when a lever moves them.
    pub(super) settings: [Vec<f64>; 3],
    /// A count's sub-stream seeds, by draw.
    pub(super) subs: Vec<u64>,
    /// A walk's damped drift φ^j·μ of each projected year, by draw (year
    /// `t`, draw `d` at `t * len + d`).
    pub(super) drift: Vec<f64>,
}

/// Makes `v` at least `n` long. Buffers reused for indicators of different
/// sizes only ever grow: a `resize` down and up again would zero-fill the
/// regrown part for every indicator of every block, and every value read is
/// written first.
#[inline]
pub(super) fn grow(v: &mut Vec<f64>, n: usize) {
    if v.len() < n {
        v.resize(n, 0.0);
    }
}

/// One year of a path over all draws: `g[d] = prev[d] + inc(d)`, with
/// `prev` the previous year's column or, in the first year, `first`.
#[inline(always)]
pub(super) fn step(g: &mut [f64], prev: Option<&[f64]>, first: f64, inc: impl Fn(usize) -> f64) {
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
