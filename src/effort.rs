//! Required effort: the extra yearly drift that lifts P(attain) to a goal.
//!
//! In: a compiled target, its draws. Out: per scenario, target and goal in
//! [`P_GOALS`], the extra drift δ added every year from the effort year to the
//! target year on top of the scenario (transform scale; for counts, extra
//! expected additions a year), found on the same random numbers as the run.
//!
//! Everything here is monotone, so the goal is a quantile of a per-draw
//! boundary rather than the root of a noisy function:
//!
//! - **Level of a walk.** With δ added each year from the effort year, the
//!   target year's value moves from G_T to G_T + n·δ (n effort years), so
//!   P(δ) = P(G_T ≥ g(cut) − n·δ) and δ_p = (g(cut) − Q_{1−p}(G_T)) / n,
//!   read off the quantiles of the year's fan series (for `<`/`<=` targets, Q_p).
//! - **Other walk statistics** (`increase`, `every_year`, `cumulative`):
//!   each draw's boundary — the smallest δ that makes that draw meet the
//!   target as published — searched on the draw's own path (secant steps on
//!   the unrounded statistic, then the exact published test to the sketch's
//!   cell, [`boundary_on_grid`]); δ_p is the p-quantile of the boundaries,
//!   counted in a sketch like any statistic.
//! - **Counts** (`level`, `increase`): extra additions at rate δ a year are a
//!   Poisson(n·δ) number on top of the draw's own (Poisson superposition), so
//!   with s_i the draw's surplus over what the target needs,
//!   P(δ) = mean_i P(s_i + Poisson(nδ) ≥ 0), computed exactly from the
//!   histogram of surpluses; a negative δ removes Poisson(n|δ|) additions.
//!   δ_p solves P(δ) = p by bisection on that smooth, monotone function.
//!
//! δ is negative when the goal is already exceeded (slack) for `>`/`>=`
//! targets; for `<`/`<=` targets the signs flip.

use statrs::function::gamma::{gamma_lr, gamma_ur};

use crate::catalog::Transform;
use crate::plan::{Statistic, TargetPlan, YearValue};
use crate::simulate::{cumulative, evaluate};

/// The P(attain) goals of `required.parquet`.
pub const P_GOALS: [f64; 3] = [0.5, 0.8, 0.9];

/// Surpluses of count targets are kept in [−SURPLUS_SPAN, SURPLUS_SPAN]
/// (further ones are counted at the ends).
pub const SURPLUS_SPAN: i64 = 8192;

/// How a target's required effort is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Effort {
    /// Not computed: milestones, insufficient history, a target year that is
    /// not projected, count statistics other than `level` and `increase`.
    None,
    /// A walk's level in the target year, over `years` effort years.
    Level {
        /// Effort years up to the target year.
        years: f64,
    },
    /// Another walk statistic, by a boundary per draw.
    PerDraw {
        /// Effort years accumulated by each projected year (0 before the effort year).
        weights: Vec<f64>,
        /// A typical yearly move on the transform scale: the bisection's first step.
        scale: f64,
    },
    /// A count's level or increase.
    Count {
        /// Effort years that add to the statistic.
        years: f64,
        /// The smallest statistic that meets a `>`/`>=` target, the largest
        /// that meets a `<`/`<=` one.
        needed: i64,
    },
}

/// The plan of a target's required effort, with effort from `effort_year`
/// (already at least the indicator's first projected year `start`).
pub fn plan(
    statistic: &Statistic,
    transform: Transform,
    start: i32,
    years: usize,
    effort_year: i32,
    target: (crate::catalog::Comparator, f64),
    scale: f64,
) -> Effort {
    let effort_years = |y: &YearValue| match *y {
        YearValue::Projected(i) => (start + i as i32 - effort_year + 1).max(0) as f64,
        YearValue::Observed(_) => 0.0,
    };
    match (transform, statistic) {
        (Transform::Milestone, _) => Effort::None,
        (Transform::Count, Statistic::Level(end)) => count(effort_years(end), target),
        (Transform::Count, Statistic::Increase { end, base }) => {
            count(effort_years(end) - effort_years(base), target)
        }
        (Transform::Count, _) => Effort::None,
        (_, Statistic::Level(end)) => match effort_years(end) {
            n if n > 0.0 => Effort::Level { years: n },
            _ => Effort::None,
        },
        _ => {
            let weights: Vec<f64> = (0..years)
                .map(|i| effort_years(&YearValue::Projected(i)))
                .collect();
            if weights.iter().all(|&w| w == 0.0) {
                Effort::None
            } else {
                Effort::PerDraw {
                    weights,
                    scale: if scale.is_finite() && scale > 0.0 {
                        scale
                    } else {
                        1e-3
                    },
                }
            }
        }
    }
}

fn count(years: f64, (comparator, value): (crate::catalog::Comparator, f64)) -> Effort {
    use crate::catalog::Comparator::*;
    if years <= 0.0 {
        return Effort::None;
    }
    let tol = 1e-9 * value.abs().max(1.0);
    let needed = match comparator {
        Ge => (value - tol).ceil(),
        Gt => (value + tol).floor() + 1.0,
        Le => (value + tol).floor(),
        Lt => (value - tol).ceil() - 1.0,
    };
    Effort::Count {
        years,
        needed: needed as i64,
    }
}

/// The sign that turns δ into "effort in the helpful direction" η: +1 for
/// `>`/`>=` targets, −1 for `<`/`<=`.
#[inline]
pub fn direction(tp: &TargetPlan) -> f64 {
    if tp.comparator.upward() {
        1.0
    } else {
        -1.0
    }
}

/// Whether a draw whose transform-scale path is `g` meets the target with
/// extra drift η (helpful direction) accumulated by `weights`; `x` is scratch.
#[inline]
fn meets_with(
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    x: &mut [f64],
    eta: f64,
) -> bool {
    let d = direction(tp) * eta;
    for ((x, &g), &w) in x.iter_mut().zip(g).zip(weights) {
        *x = transform.inverse(g + d * w);
    }
    evaluate(tp, x).1
}

/// The draw's boundary η*: it meets the target iff η ≥ η* (η = direction·δ).
/// ±∞ when no finite drift changes the outcome. `x` is scratch of the
/// indicator's projected years.
pub fn boundary(
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    scale: f64,
    x: &mut [f64],
) -> f64 {
    boundary_within(tp, transform, g, weights, (scale, 1e-6 * scale), x)
}

/// [`boundary`] to within `tolerance` (the pilot, which only places a grid,
/// needs less than the run).
pub fn boundary_within(
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    (scale, tolerance): (f64, f64),
    x: &mut [f64],
) -> f64 {
    let mut meets = |eta: f64| meets_with(tp, transform, g, weights, x, eta);
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
fn factor(tp: &TargetPlan, transform: Transform, eta: f64) -> f64 {
    let d = direction(tp) * eta;
    match transform {
        Transform::Log => d.exp(),
        Transform::Logit { .. } => (-d).exp(),
        _ => d,
    }
}

/// η from a factor φ (the inverse of [`factor`]).
#[inline]
fn eta_of(tp: &TargetPlan, transform: Transform, phi: f64) -> f64 {
    let d = match transform {
        Transform::Log => phi.ln(),
        Transform::Logit { .. } => -phi.ln(),
        _ => phi,
    };
    direction(tp) * d
}

/// Whether the factor is exponential (positive, multiplicative).
#[inline]
fn multiplicative(transform: Transform) -> bool {
    matches!(transform, Transform::Log | Transform::Logit { .. })
}

/// The factors φ of a grid's cell edges, for [`boundary_on_grid`]
/// (empty for an integer grid).
pub fn edge_factors(tp: &TargetPlan, transform: Transform, grid: &crate::sketch::Grid) -> Vec<f64> {
    grid.cells().map_or_else(Vec::new, |(lo, width, cells)| {
        (0..=cells)
            .map(|c| factor(tp, transform, lo + c as f64 * width))
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
    tp: &'a TargetPlan,
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
        if let Statistic::Cumulative(years) = &self.tp.statistic {
            // The common case, fused: only the years summed are shifted.
            return cumulative(self.tp, years, |i| shifted(i, power_of(weights[i])));
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
        evaluate(self.tp, self.x)
    }

    /// The smooth part of the test for a statistic: its signed distance to
    /// what the target asks (ignoring publication rounding), increasing in η.
    #[inline]
    fn gap_of(&self, stat: f64) -> f64 {
        let reference = match self.tp.statistic {
            Statistic::EveryYear(_) | Statistic::Level(_) => self.tp.cut.at,
            _ => self.tp.value,
        };
        direction(self.tp) * (stat - reference)
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
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    weights: &[f64],
    scale: f64,
    (x, stat): (&mut [f64], f64),
    base: &mut [f64],
    (grid, phis): (&crate::sketch::Grid, &[f64]),
    slope: &mut f64,
) -> f64 {
    let Some((lo, width, cells)) = grid.cells() else {
        return boundary(tp, transform, g, weights, scale, x);
    };
    for ((b, &x), &g) in base.iter_mut().zip(x.iter()).zip(g) {
        *b = match transform {
            Transform::Logit { lower, upper } => (upper - x) / (x - lower),
            Transform::Log => x,
            _ => g,
        };
    }
    let mut path = Shifted {
        tp,
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
    // the exact test turns. About 3.8 evaluations per boundary on the
    // shipped catalog (was 5.1).
    const SECANT_PROBES: usize = 8;
    let (mut p0, mut h0) = (factor(tp, transform, 0.0), path.gap_of(stat));
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
            edge_of(eta_of(tp, transform, p))
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
            (_, Some(0)) => return boundary(tp, transform, g, weights, scale, path.x),
            (Some(x), _) if x == cells => {
                return boundary(tp, transform, g, weights, scale, path.x)
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

/// The slot of a count surplus in a histogram of `2·SURPLUS_SPAN + 1` cells.
#[inline]
pub fn surplus_slot(surplus: i64) -> usize {
    (surplus.clamp(-SURPLUS_SPAN, SURPLUS_SPAN) + SURPLUS_SPAN) as usize
}

/// P(s + Δ ≥ 0) for a surplus s, where Δ = +Poisson(n·η) for η ≥ 0 and
/// −Poisson(n·|η|) for η < 0.
fn p_surplus(surplus: i64, mean: f64, eta: f64) -> f64 {
    if eta >= 0.0 {
        if surplus >= 0 {
            1.0
        } else if mean == 0.0 {
            0.0
        } else {
            // P(Poisson(m) ≥ k) = P(k, m), the regularized lower gamma.
            gamma_lr((-surplus) as f64, mean)
        }
    } else if surplus < 0 {
        0.0
    } else if mean == 0.0 {
        1.0
    } else {
        // P(Poisson(m) ≤ s) = Q(s + 1, m), the regularized upper gamma.
        gamma_ur((surplus + 1) as f64, mean)
    }
}

/// P(attain) of a count target with extra drift η (helpful direction), from
/// the histogram of surpluses.
pub fn count_probability(histogram: &[(i64, u64)], years: f64, eta: f64) -> f64 {
    let total: u64 = histogram.iter().map(|&(_, c)| c).sum();
    let mean = eta.abs() * years;
    let met: f64 = histogram
        .iter()
        .map(|&(s, c)| c as f64 * p_surplus(s, mean, eta))
        .sum();
    met / total.max(1) as f64
}

/// The η at which a count target's P(attain) is `goal`.
pub fn count_solve(histogram: &[(i64, u64)], years: f64, goal: f64) -> f64 {
    let p = |eta: f64| count_probability(histogram, years, eta);
    let step = 1.0 / years;
    let (mut lo, mut hi);
    if p(0.0) >= goal {
        hi = 0.0;
        lo = -step;
        while p(lo) >= goal {
            hi = lo;
            lo *= 2.0;
            if lo < -1e12 {
                return f64::NEG_INFINITY;
            }
        }
    } else {
        lo = 0.0;
        hi = step;
        while p(hi) < goal {
            lo = hi;
            hi *= 2.0;
            if hi > 1e12 {
                return f64::INFINITY;
            }
        }
    }
    for _ in 0..100 {
        if hi - lo <= 1e-9 * hi.abs().max(lo.abs()).max(step) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if p(mid) >= goal {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// g(cut) with the transform's bounds: ±∞ where the cut lies on or beyond one.
pub fn forward_cut(transform: Transform, at: f64) -> f64 {
    match transform {
        Transform::Log if at <= 0.0 => f64::NEG_INFINITY,
        Transform::Logit { lower, .. } if at <= lower => f64::NEG_INFINITY,
        Transform::Logit { upper, .. } if at >= upper => f64::INFINITY,
        t => t.forward(at),
    }
}

#[cfg(test)]
mod cut_tests {
    use super::*;

    #[test]
    fn counts_and_milestones_keep_their_cut() {
        assert_eq!(forward_cut(Transform::Count, 12.5), 12.5);
        assert_eq!(forward_cut(Transform::Milestone, 0.5), 0.5);
        assert_eq!(forward_cut(Transform::Level, -3.0), -3.0);
    }
}

/// The extra drift in the indicator's units a year: for `level` and counts,
/// the drift itself; for `log` and `logit` level targets, how much faster the
/// deciding draw (the one at the goal's quantile) must change on average,
/// (cut − its value) / effort years (`gap`); None for other statistics.
pub fn natural(transform: Transform, drift: f64, gap: Option<f64>) -> Option<f64> {
    match transform {
        Transform::Level | Transform::Count => Some(drift),
        Transform::Log | Transform::Logit { .. } => gap,
        Transform::Milestone => None,
    }
}

/// For `log` indicators, the growth the drift adds, in % a year: 100·(e^δ − 1).
pub fn growth_pct(transform: Transform, drift: f64) -> Option<f64> {
    (transform == Transform::Log).then(|| 100.0 * drift.exp_m1())
}

/// The unit of [`natural`].
pub fn natural_unit(transform: Transform, unit: &str) -> String {
    match transform {
        Transform::Count => "additions a year".into(),
        Transform::Milestone => String::new(),
        _ if unit == "%" => "percentage points a year".into(),
        _ => format!("{unit} a year"),
    }
}

/// One goal's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Required {
    /// The extra drift, and its natural-scale reading.
    Drift(f64, Option<f64>),
    /// No finite drift reaches the goal (a bound is in the way).
    Unreachable,
    /// Met whatever the drift (the target lies on or beyond a bound).
    AlwaysMet,
}

impl Required {
    /// From an η (helpful direction) and its natural reading.
    pub fn from_eta(eta: f64, sign: f64, natural: impl FnOnce(f64) -> Option<f64>) -> Self {
        if eta == f64::INFINITY {
            Required::Unreachable
        } else if eta == f64::NEG_INFINITY {
            Required::AlwaysMet
        } else if eta.is_nan() {
            Required::Unreachable
        } else {
            let d = sign * eta;
            Required::Drift(d, natural(d))
        }
    }

    /// The output status.
    pub fn status(&self) -> &'static str {
        match self {
            Required::Drift(..) => "ok",
            Required::Unreachable => "unreachable",
            Required::AlwaysMet => "always_met",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Discrete, DiscreteCDF, Poisson};

    #[test]
    fn count_probability_matches_a_direct_poisson_sum() {
        // Surpluses −3 (×5), 0 (×2), 2 (×3); 4 effort years.
        let hist = [(-3, 5), (0, 2), (2, 3)];
        let eta: f64 = 0.4;
        let pois = Poisson::new(eta * 4.0).unwrap();
        let direct = (5.0 * (1.0 - pois.cdf(2)) + 2.0 + 3.0) / 10.0;
        assert!((count_probability(&hist, 4.0, eta) - direct).abs() < 1e-12);
        // Removing additions: P(Poisson(1.6) ≤ s) for s ≥ 0.
        let removed = (2.0 * pois.pmf(0) + 3.0 * pois.cdf(2)) / 10.0;
        assert!((count_probability(&hist, 4.0, -eta) - removed).abs() < 1e-12);
    }

    #[test]
    fn count_solve_inverts_count_probability() {
        let hist = [(-3, 5), (0, 2), (2, 3)];
        for goal in [0.3, 0.5, 0.8, 0.9] {
            let eta = count_solve(&hist, 4.0, goal);
            assert!(
                (count_probability(&hist, 4.0, eta) - goal).abs() < 1e-7,
                "{goal}"
            );
        }
    }

    #[test]
    fn cuts_on_bounds_are_infinite() {
        let logit = Transform::Logit {
            lower: 0.0,
            upper: 100.0,
        };
        assert_eq!(forward_cut(logit, 100.0), f64::INFINITY);
        assert_eq!(forward_cut(logit, 0.0), f64::NEG_INFINITY);
        assert!((forward_cut(logit, 50.0)).abs() < 1e-15);
        assert_eq!(forward_cut(Transform::Log, 0.0), f64::NEG_INFINITY);
    }
}
