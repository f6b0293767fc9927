//! The boundary of one draw: the smallest extra drift with which the draw
//! meets its target as published (`increase`, `every_year` and `cumulative`
//! statistics of walks).
//!
//! In: a draw's path, the target's test and the effort weights (effort years
//! accumulated by each projected year). Out: the boundary η* in the helpful
//! direction (the draw meets the target iff η ≥ η*), ±∞ when no finite
//! drift changes the outcome. Monotone in η, so it is found by search.

use crate::model::sketch::Grid;
use crate::model::target::{cumulative, evaluate, Statistic, TargetTest};
use crate::model::transform::Transform;

/// Whether a draw whose transform-scale path is `g` meets the target with
/// extra drift η (helpful direction) accumulated by `weights`; `x` is scratch.
#[inline]
fn meets_with(
    test: &TargetTest,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    x: &mut [f64],
    eta: f64,
) -> bool {
    let d = test.direction() * eta;
    for ((x, &g), &w) in x.iter_mut().zip(g).zip(weights) {
        *x = transform.inverse(g + d * w);
    }
    evaluate(test, x).1
}

/// The draw's boundary η*: it meets the target iff η ≥ η* (η = direction·δ).
/// ±∞ when no finite drift changes the outcome. `x` is scratch of the
/// indicator's projected years.
pub fn boundary(
    test: &TargetTest,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    scale: f64,
    x: &mut [f64],
) -> f64 {
    boundary_within(test, transform, g, weights, (scale, 1e-6 * scale), x)
}

/// [`boundary`] to within `tolerance` (the pilot, which only places a grid,
/// needs less than the run).
pub fn boundary_within(
    test: &TargetTest,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    (scale, tolerance): (f64, f64),
    x: &mut [f64],
) -> f64 {
    let mut meets = |eta: f64| meets_with(test, transform, g, weights, x, eta);
    let (mut lo, mut hi);
    if meets(0.0) {
        hi = 0.0;
        lo = -scale;
        let mut doublings = 0;
        while meets(lo) {
            hi = lo;
            lo *= 2.0;
            doublings += 1;
            if doublings > 60 {
                return f64::NEG_INFINITY;
            }
        }
    } else {
        lo = 0.0;
        hi = scale;
        let mut doublings = 0;
        while !meets(hi) {
            lo = hi;
            hi *= 2.0;
            doublings += 1;
            if doublings > 60 {
                return f64::INFINITY;
            }
        }
    }
    while hi - lo > tolerance {
        let mid = 0.5 * (lo + hi);
        if meets(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// The factor φ by which extra drift η enters a draw's natural values:
/// e^{d} for `log`, e^{−d} for `logit`, d itself otherwise (d = direction·η).
#[inline]
fn factor(test: &TargetTest, transform: Transform, eta: f64) -> f64 {
    let d = test.direction() * eta;
    match transform {
        Transform::Log => d.exp(),
        Transform::Logit { .. } => (-d).exp(),
        _ => d,
    }
}

/// η from a factor φ (the inverse of [`factor`]).
#[inline]
fn eta_of(test: &TargetTest, transform: Transform, phi: f64) -> f64 {
    let d = match transform {
        Transform::Log => phi.ln(),
        Transform::Logit { .. } => -phi.ln(),
        _ => phi,
    };
    test.direction() * d
}

/// Whether the factor is exponential (positive, multiplicative).
#[inline]
fn multiplicative(transform: Transform) -> bool {
    matches!(transform, Transform::Log | Transform::Logit { .. })
}

/// The factors φ of a grid's cell edges, for [`boundary_on_grid`]
/// (empty for an integer grid).
pub fn edge_factors(test: &TargetTest, transform: Transform, grid: &Grid) -> Vec<f64> {
    grid.cells().map_or_else(Vec::new, |(lo, width, cells)| {
        (0..=cells)
            .map(|c| factor(test, transform, lo + c as f64 * width))
            .collect()
    })
}

/// A draw's path, ready to be re-evaluated with extra drift cheaply, given
/// its factor φ (no `exp` per evaluation).
///
/// With drift d·w_t added on the transform scale, the natural values are
/// x_t·φ^{w_t} (`log`, φ = e^d), lo + (hi − lo)/(1 + u_t·φ^{w_t}) with
/// u_t = (hi − x_t)/(x_t − lo) (`logit`, φ = e^{−d}) and x_t + φ·w_t
/// (`level`, φ = d); the weights are whole numbers of years.
struct Shifted<'a> {
    test: &'a TargetTest,
    transform: Transform,
    weights: &'a [f64],
    base: &'a [f64],
    x: &'a mut [f64],
}

impl Shifted<'_> {
    /// The statistic and whether the draw meets the target at factor φ.
    #[inline]
    fn at(&mut self, phi: f64) -> (f64, bool) {
        let (weights, base) = (self.weights, self.base);
        // φ^w for whole w: weights usually grow by one a year, so each
        // power is the previous one times φ.
        let (mut last, mut power) = (0.0, 1.0);
        let mut power_of = |w: f64| {
            if w != last {
                power = if w == last + 1.0 {
                    power * phi
                } else {
                    phi.powi(w as i32)
                };
                last = w;
            }
            power
        };
        let transform = self.transform;
        let shifted = |i: usize, power: f64| match transform {
            Transform::Log => base[i] * power,
            Transform::Logit { lower, upper } => lower + (upper - lower) / (1.0 + base[i] * power),
            _ => base[i] + phi * weights[i],
        };
        if let Statistic::Cumulative(years) = &self.test.statistic {
            // The common case, fused: only the years summed are shifted.
            return cumulative(self.test, years, |i| shifted(i, power_of(weights[i])));
        }
        match self.transform {
            Transform::Log => {
                for ((x, &b), &w) in self.x.iter_mut().zip(base).zip(weights) {
                    *x = b * power_of(w);
                }
            }
            Transform::Logit { lower, upper } => {
                for ((x, &u), &w) in self.x.iter_mut().zip(base).zip(weights) {
                    *x = lower + (upper - lower) / (1.0 + u * power_of(w));
                }
            }
            _ => {
                for ((x, &b), &w) in self.x.iter_mut().zip(base).zip(weights) {
                    *x = b + phi * w;
                }
            }
        }
        evaluate(self.test, self.x)
    }

    /// The smooth part of the test for a statistic: its signed distance to
    /// what the target asks (ignoring publication rounding), increasing in η.
    #[inline]
    fn gap_of(&self, stat: f64) -> f64 {
        let reference = match self.test.statistic {
            Statistic::EveryYear(_) | Statistic::Level(_) => self.test.cut.at,
            _ => self.test.value,
        };
        self.test.direction() * (stat - reference)
    }
}

/// [`boundary`] to the resolution of a continuous grid: a boundary inside
/// the grid is returned as the centre of its cell (all a sketch on that grid
/// keeps of it); one outside is exact.
///
/// `x` holds the draw's natural values (read in the years the statistic
/// uses) and `stat` its statistic as it is; `phis` are the grid's
/// [`edge_factors`]; `base` is scratch; `slope` carries the smooth gap's
/// slope in η from one draw to the next (NaN at first). The cell is found by
/// secant steps on the smooth statistic in φ (where the boundary would be
/// without publication rounding), each taken at a cell edge so that it also
/// tests the exact published rule there, until two neighbouring edges
/// bracket the turn of that rule (galloping and bisection if the secant
/// stalls): about four evaluations and one `exp`, instead of the twelve
/// evaluations and `exp`s of bisecting all cells.
#[allow(clippy::too_many_arguments)]
pub fn boundary_on_grid(
    test: &TargetTest,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    scale: f64,
    (x, stat): (&mut [f64], f64),
    base: &mut [f64],
    (grid, phis): (&Grid, &[f64]),
    slope: &mut f64,
) -> f64 {
    let Some((lo, width, cells)) = grid.cells() else {
        return boundary(test, transform, g, weights, scale, x);
    };
    for ((b, &x), &g) in base.iter_mut().zip(x.iter()).zip(g) {
        *b = match transform {
            Transform::Logit { lower, upper } => (upper - x) / (x - lower),
            Transform::Log => x,
            _ => g,
        };
    }
    let mut path = Shifted {
        test,
        transform,
        weights,
        base,
        x,
    };
    let exponential = multiplicative(transform);
    // Every evaluation is at a cell edge, so that it gives both the smooth
    // gap (for the next secant step) and the exact published test (which
    // narrows the bracket). The boundary is in the cell (edge a, edge b] with
    // b = a + 1, meets(edge a) false and meets(edge b) true.
    //
    // First edge: a Newton step from η = 0 (the draw as it is) with the
    // slope of the previous draw's secant (draws of a block are alike), else
    // η = ±scale. Then secant steps in φ, rounded to an edge strictly inside
    // the bracket (publication rounding can put the exact boundary a few
    // cells from the smooth one: the clamp then steps towards it); after
    // eight, or when the secant fails, gallop from the known side, then
    // bisect. The guesses only save evaluations: the cell is the one where
    // the exact test turns.
    const SECANT_PROBES: usize = 8;
    let (mut p0, mut h0) = (factor(test, transform, 0.0), path.gap_of(stat));
    let first = if slope.is_finite() && *slope > 0.0 && h0 != 0.0 {
        -h0 / *slope
    } else if h0 < 0.0 {
        scale
    } else {
        -scale
    };
    let edge_of = |eta: f64| {
        let eta = if eta.is_finite() { eta } else { 0.0 };
        ((eta - lo) / width).round().clamp(0.0, cells as f64) as usize
    };
    // The edge nearest φ = p, by the local spacing of the edges around c.
    let edge_near = |c: usize, p: f64| {
        let (l, r) = if c < cells { (c, c + 1) } else { (c - 1, c) };
        let step = phis[r] - phis[l];
        let at = c as f64 + (p - phis[c]) / step;
        if at.is_finite() {
            at.round().clamp(0.0, cells as f64) as usize
        } else {
            edge_of(eta_of(test, transform, p))
        }
    };
    let (mut a, mut b): (Option<usize>, Option<usize>) = (None, None);
    let mut c = edge_of(first);
    let (mut probes, mut step) = (0, 1);
    loop {
        probes += 1;
        let p = phis[c];
        let (st, met) = path.at(p);
        if met {
            b = Some(c);
        } else {
            a = Some(c);
        }
        match (a, b) {
            // Met at the lowest edge, or not at the highest: off the grid.
            (_, Some(0)) => return boundary(test, transform, g, weights, scale, path.x),
            (Some(x), _) if x == cells => {
                return boundary(test, transform, g, weights, scale, path.x)
            }
            (Some(x), Some(y)) if y == x + 1 => return lo + (x as f64 + 0.5) * width,
            _ => {}
        }
        let h = path.gap_of(st);
        if probes == 1 {
            let eta = lo + c as f64 * width;
            let secant = (h - h0) / eta;
            if secant.is_finite() && secant > 0.0 {
                *slope = secant;
            }
        }
        let next = (probes <= SECANT_PROBES && h.is_finite() && h0.is_finite() && h != h0)
            .then(|| p - h * (p - p0) / (h - h0))
            .filter(|p2| p2.is_finite() && !(exponential && *p2 <= 0.0));
        (p0, h0) = (p, h);
        // Edges strictly inside the bracket.
        let (from, to) = (a.map_or(0, |x| x + 1), b.map_or(cells, |y| y - 1));
        c = match (next, a, b) {
            (Some(p2), _, _) => edge_near(c, p2).clamp(from, to),
            (None, Some(x), Some(y)) => (x + y) / 2,
            (None, Some(x), None) => {
                let n = (x + step).min(cells);
                step *= 2;
                n
            }
            (None, None, Some(y)) => {
                let n = y.saturating_sub(step);
                step *= 2;
                n
            }
            (None, None, None) => unreachable!("every probe sets a or b"),
        };
    }
}
