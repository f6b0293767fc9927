//! Proper scores of probabilistic forecasts, in closed form: what the
//! backtest (`attain backtest`) holds each forecast against.
//!
//! In: a predictive distribution and an observed value. Out: its PIT value,
//! whether central intervals cover it, its CRPS; and for probability
//! forecasts of events, the Brier score and a reliability table.
//!
//! Continuous predictives are [`Predictive`] (location-scale Student-t,
//! normal, or a point mass) and finite mixtures of them ([`Mixture`]);
//! discrete ones (counts) are a probability mass function over 0, 1, 2, …
//! ([`Pmf`]).
//!
//! ## References
//!
//! - T. Gneiting and A. E. Raftery (2007), Strictly proper scoring rules,
//!   prediction, and estimation, *JASA* 102, 359–378: CRPS, its normal closed form.
//! - A. Jordan, F. Krüger and S. Lerch (2019), Evaluating probabilistic
//!   forecasts with scoringRules, *J. Stat. Softw.* 90(12): `crps_t`, the
//!   closed form for the Student-t used here.
//! - C. Czado, T. Gneiting and L. Held (2009), Predictive model assessment
//!   for count data, *Biometrics* 65, 1254–1261: PIT values of counts.
//! - H. Hersbach (2000), Decomposition of the continuous ranked probability
//!   score for ensemble prediction systems, *Weather and Forecasting* 15,
//!   559–570: the CRPS as ∫ (F − 1{x ≥ y})², whose expansion for a mixture
//!   gives [`Mixture::crps`].

use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::ln_beta;
use statrs::function::gamma::ln_gamma;

/// A continuous predictive distribution (or its limit, a point mass).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Predictive {
    /// location + scale · T_dof.
    StudentT {
        /// Location.
        location: f64,
        /// Scale (> 0).
        scale: f64,
        /// Degrees of freedom (> 0).
        dof: f64,
    },
    /// Normal(mean, sd²).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// All mass at one value.
    Point(f64),
}

fn standard_t(dof: f64) -> StudentsT {
    StudentsT::new(0.0, 1.0, dof).expect("degrees of freedom are positive")
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("unit normal")
}

impl Predictive {
    /// A Student-t, or a point mass when the scale is zero (a history on a
    /// straight line).
    pub fn student_t(location: f64, scale: f64, dof: f64) -> Self {
        if scale > 0.0 {
            Predictive::StudentT {
                location,
                scale,
                dof,
            }
        } else {
            Predictive::Point(location)
        }
    }

    /// A normal, or a point mass when the standard deviation is zero.
    pub fn normal(mean: f64, sd: f64) -> Self {
        if sd > 0.0 {
            Predictive::Normal { mean, sd }
        } else {
            Predictive::Point(mean)
        }
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Predictive::StudentT {
                location,
                scale,
                dof,
            } => standard_t(dof).cdf((x - location) / scale),
            Predictive::Normal { mean, sd } => standard_normal().cdf((x - mean) / sd),
            Predictive::Point(c) => f64::from(u8::from(x >= c)),
        }
    }

    /// The PIT value F(y). For a point mass it is the mid value: 0, ½ at the
    /// point, 1.
    pub fn pit(&self, y: f64) -> f64 {
        match *self {
            Predictive::Point(c) if y == c => 0.5,
            _ => self.cdf(y),
        }
    }

    /// Whether the central interval of probability `coverage` holds `y`,
    /// i.e. F(y) lies in [(1 − c)/2, (1 + c)/2] (a point mass covers only its point).
    pub fn covers(&self, y: f64, coverage: f64) -> bool {
        match *self {
            Predictive::Point(c) => y == c,
            _ => (self.pit(y) - 0.5).abs() <= coverage / 2.0,
        }
    }

    /// The continuous ranked probability score ∫ (F(x) − 1{x ≥ y})² dx, in
    /// the units of `y`. `None` for a Student-t with at most one degree of
    /// freedom, whose CRPS is infinite (it has no mean).
    pub fn crps(&self, y: f64) -> Option<f64> {
        match *self {
            Predictive::StudentT {
                location,
                scale,
                dof,
            } => crps_standard_t((y - location) / scale, dof).map(|c| scale * c),
            Predictive::Normal { mean, sd } => Some(sd * crps_standard_normal((y - mean) / sd)),
            Predictive::Point(c) => Some((y - c).abs()),
        }
    }
}

/// A finite mixture of continuous predictives, Σ_k w_k·F_k (weights summing
/// to 1): the predictive of a walk whose drift persistence is uncertain
/// (docs/model.md §2c).
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    components: Vec<(f64, Predictive)>,
}

/// Nodes of the quadrature of [`Mixture::crps`] (sinh-spaced, trapezoid).
const MIXTURE_NODES: usize = 801;
/// How many component scales beyond the outermost location the quadrature
/// of [`Mixture::crps`] reaches.
const MIXTURE_REACH: f64 = 200.0;

impl Mixture {
    /// The mixture of `(weight, predictive)` components.
    pub fn new(components: Vec<(f64, Predictive)>) -> Self {
        Mixture { components }
    }

    /// A mixture of one component.
    pub fn single(p: Predictive) -> Self {
        Mixture::new(vec![(1.0, p)])
    }

    /// P(X ≤ x) = Σ w_k F_k(x).
    pub fn cdf(&self, x: f64) -> f64 {
        self.components.iter().map(|(w, p)| w * p.cdf(x)).sum()
    }

    /// The PIT value Σ w_k PIT_k(y) (mid values at point masses).
    pub fn pit(&self, y: f64) -> f64 {
        self.components.iter().map(|(w, p)| w * p.pit(y)).sum()
    }

    /// Whether the central interval of probability `coverage` holds `y`.
    pub fn covers(&self, y: f64, coverage: f64) -> bool {
        match self.components.as_slice() {
            [(_, single)] => single.covers(y, coverage),
            _ => (self.pit(y) - 0.5).abs() <= coverage / 2.0,
        }
    }

    /// The CRPS ∫ (F(x) − 1{x ≥ y})² dx of the mixture. It is w′Qw with
    /// Q_kl = ∫ (F_k − 1{x ≥ y})(F_l − 1{x ≥ y}) dx: the diagonal is each
    /// component's closed-form CRPS, and Q_kl = ½(Q_kk + Q_ll − D_kl) with
    /// D_kl = ∫ (F_k − F_l)² dx, a smooth integral that does not depend on y
    /// (trapezoid rule on a sinh-spaced grid). `None` when a component's
    /// CRPS is infinite.
    pub fn crps(&self, y: f64) -> Option<f64> {
        let diag: Vec<f64> = self
            .components
            .iter()
            .map(|(_, p)| p.crps(y))
            .collect::<Option<_>>()?;
        let mut total = 0.0;
        for (k, &(wk, pk)) in self.components.iter().enumerate() {
            total += wk * wk * diag[k];
            for (l, &(wl, pl)) in self.components.iter().enumerate().skip(k + 1) {
                let q = 0.5 * (diag[k] + diag[l] - cramer_distance(&pk, &pl));
                total += 2.0 * wk * wl * q;
            }
        }
        Some(total)
    }
}

/// The location and scale of a predictive (a point mass has scale 0).
fn location_scale(p: &Predictive) -> (f64, f64) {
    match *p {
        Predictive::StudentT {
            location, scale, ..
        } => (location, scale),
        Predictive::Normal { mean, sd } => (mean, sd),
        Predictive::Point(c) => (c, 0.0),
    }
}

/// D = ∫ (F_a(x) − F_b(x))² dx: for two continuous distributions by the
/// trapezoid rule in u on x = c + s·sinh(u), which packs the nodes where
/// they differ and still reaches far into their tails; with a point mass, in
/// closed form.
pub fn cramer_distance(a: &Predictive, b: &Predictive) -> f64 {
    // With a point mass at c the integral is the other's CRPS at c.
    match (*a, *b) {
        (Predictive::Point(x), Predictive::Point(y)) => return (x - y).abs(),
        (Predictive::Point(c), other) | (other, Predictive::Point(c)) => {
            return other.crps(c).unwrap_or(f64::INFINITY)
        }
        _ => {}
    }
    let ((la, sa), (lb, sb)) = (location_scale(a), location_scale(b));
    let centre = 0.5 * (la + lb);
    let s = sa.max(sb).max(1e-12 * centre.abs().max(1.0));
    let reach = 0.5 * (la - lb).abs() + MIXTURE_REACH * s;
    let top = (reach / s).asinh();
    let du = 2.0 * top / (MIXTURE_NODES - 1) as f64;
    let mut sum = 0.0;
    for i in 0..MIXTURE_NODES {
        let u = -top + i as f64 * du;
        let x = centre + s * u.sinh();
        let d = a.cdf(x) - b.cdf(x);
        let weight = if i == 0 || i == MIXTURE_NODES - 1 {
            0.5
        } else {
            1.0
        };
        sum += weight * d * d * s * u.cosh();
    }
    sum * du
}

/// CRPS of the standard normal at z: z(2Φ(z) − 1) + 2φ(z) − 1/√π.
pub fn crps_standard_normal(z: f64) -> f64 {
    let n = standard_normal();
    z * (2.0 * n.cdf(z) - 1.0) + 2.0 * n.pdf(z) - 1.0 / std::f64::consts::PI.sqrt()
}

/// CRPS of the standard Student-t with ν degrees of freedom at z (Jordan et
/// al. 2019, `crps_t`):
/// z(2F(z) − 1) + 2f(z)(ν + z²)/(ν − 1) − 2√ν B(½, ν − ½) / ((ν − 1) B(½, ν/2)²).
/// `None` when ν ≤ 1 (infinite).
pub fn crps_standard_t(z: f64, dof: f64) -> Option<f64> {
    if dof <= 1.0 {
        return None;
    }
    let t = standard_t(dof);
    let last = 2.0 / (dof - 1.0)
        * (0.5 * dof.ln() + ln_beta(0.5, dof - 0.5) - 2.0 * ln_beta(0.5, dof / 2.0)).exp();
    Some(z * (2.0 * t.cdf(z) - 1.0) + 2.0 * t.pdf(z) * (dof + z * z) / (dof - 1.0) - last)
}

/// A probability mass function on 0, 1, 2, …; the mass beyond the last entry
/// is below [`Pmf::TAIL`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pmf {
    mass: Vec<f64>,
}

impl Pmf {
    /// The tail mass left out.
    pub const TAIL: f64 = 1e-12;

    /// Masses given explicitly (they should sum to 1).
    pub fn new(mass: Vec<f64>) -> Self {
        Pmf { mass }
    }

    /// Builds the masses from log P(j) until the cdf is within [`Pmf::TAIL`] of 1
    /// past the mean (at most 10⁷ terms).
    fn from_log_mass(mean: f64, log_mass: impl Fn(f64) -> f64) -> Self {
        let mut mass = Vec::new();
        let mut total = 0.0;
        let mut j = 0u32;
        while j < 10_000_000 && !(total > 1.0 - Self::TAIL && f64::from(j) > mean) {
            let p = log_mass(f64::from(j)).exp();
            mass.push(p);
            total += p;
            j += 1;
        }
        Pmf { mass }
    }

    /// Negative binomial: P(N = j) = Γ(j + r)/(j! Γ(r)) p^r (1 − p)^j (docs/model.md §3).
    pub fn negative_binomial(r: f64, p: f64) -> Self {
        if p >= 1.0 {
            return Pmf::new(vec![1.0]);
        }
        let base = r * p.ln() - ln_gamma(r);
        let q = (1.0 - p).ln();
        Self::from_log_mass(r * (1.0 - p) / p, |j| {
            ln_gamma(j + r) - ln_gamma(j + 1.0) + base + j * q
        })
    }

    /// Poisson with the given mean.
    pub fn poisson(mean: f64) -> Self {
        if mean <= 0.0 {
            return Pmf::new(vec![1.0]);
        }
        Self::from_log_mass(mean, |j| j * mean.ln() - mean - ln_gamma(j + 1.0))
    }

    /// P(N = j).
    pub fn mass(&self, j: i64) -> f64 {
        usize::try_from(j)
            .ok()
            .and_then(|j| self.mass.get(j))
            .copied()
            .unwrap_or(0.0)
    }

    /// P(N ≤ j).
    pub fn cdf(&self, j: i64) -> f64 {
        match usize::try_from(j) {
            Err(_) => 0.0,
            Ok(j) => self.mass.iter().take(j + 1).sum::<f64>().min(1.0),
        }
    }

    /// The mid PIT value P(N < y) + ½ P(N = y) (Czado et al. 2009): for a
    /// calibrated count forecast its mean is ½, like a continuous PIT.
    pub fn mid_pit(&self, y: i64) -> f64 {
        self.cdf(y - 1) + 0.5 * self.mass(y)
    }

    /// The quantile min{j : P(N ≤ j) ≥ u}.
    pub fn quantile(&self, u: f64) -> i64 {
        let mut total = 0.0;
        for (j, p) in self.mass.iter().enumerate() {
            total += p;
            if total >= u - 1e-12 {
                return j as i64;
            }
        }
        self.mass.len() as i64
    }

    /// Whether the central interval [q((1 − c)/2), q((1 + c)/2)] holds `y`.
    pub fn covers(&self, y: i64, coverage: f64) -> bool {
        let lo = self.quantile((1.0 - coverage) / 2.0);
        let hi = self.quantile((1.0 + coverage) / 2.0);
        lo <= y && y <= hi
    }

    /// CRPS of a distribution on the integers: Σ_j (P(N ≤ j) − 1{j ≥ y})²,
    /// the integral of the squared step difference, which is constant on each
    /// [j, j + 1).
    pub fn crps(&self, y: i64) -> f64 {
        let upper = (self.mass.len() as i64).max(y + 1);
        let mut total = 0.0;
        let mut cdf = 0.0;
        for j in 0..upper {
            cdf += self.mass(j);
            let step = f64::from(u8::from(j >= y));
            total += (cdf.min(1.0) - step).powi(2);
        }
        // Below zero both are 0 when y ≥ 0; for y < 0, F = 0 and the step is 1 on [y, 0).
        if y < 0 {
            total += (-y) as f64;
        }
        total
    }
}

/// The Brier score: the mean of (p − o)² over events with forecast p and outcome o.
/// `None` without events.
pub fn brier(forecasts: &[f64], outcomes: &[bool]) -> Option<f64> {
    if forecasts.is_empty() {
        return None;
    }
    let total: f64 = forecasts
        .iter()
        .zip(outcomes)
        .map(|(p, &o)| (p - f64::from(u8::from(o))).powi(2))
        .sum();
    Some(total / forecasts.len() as f64)
}

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliabilityBin {
    /// Lower end of the forecast probabilities in the bin (inclusive).
    pub low: f64,
    /// Upper end (exclusive, except 1 for the last bin).
    pub high: f64,
    /// Events in the bin.
    pub n: usize,
    /// Mean forecast probability (None when empty).
    pub mean_forecast: Option<f64>,
    /// Share of the events that happened (None when empty).
    pub observed_frequency: Option<f64>,
}

/// A reliability table in `bins` equal bins of the forecast probability
/// ([0, 0.1), [0.1, 0.2), …, [0.9, 1] for ten), every bin listed, empty or not.
pub fn reliability(forecasts: &[f64], outcomes: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    let mut n = vec![0usize; bins];
    let mut sum_p = vec![0.0; bins];
    let mut hits = vec![0usize; bins];
    for (&p, &o) in forecasts.iter().zip(outcomes) {
        let b = ((p * bins as f64).floor() as usize).min(bins - 1);
        n[b] += 1;
        sum_p[b] += p;
        hits[b] += usize::from(o);
    }
    (0..bins)
        .map(|b| ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            n: n[b],
            mean_forecast: (n[b] > 0).then(|| sum_p[b] / n[b] as f64),
            observed_frequency: (n[b] > 0).then(|| hits[b] as f64 / n[b] as f64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_crps_at_the_mean_is_the_known_constant() {
        // 2φ(0) − 1/√π = (√2 − 1)/√π.
        let expected = (2f64.sqrt() - 1.0) / std::f64::consts::PI.sqrt();
        assert!((crps_standard_normal(0.0) - expected).abs() < 1e-12);
        assert!((expected - 0.233_695).abs() < 1e-6);
    }

    #[test]
    fn student_t_crps_tends_to_the_normal_one() {
        for z in [-2.0, 0.0, 0.7, 3.0] {
            let t = crps_standard_t(z, 1e6).unwrap();
            assert!((t - crps_standard_normal(z)).abs() < 1e-5, "z = {z}");
        }
        assert_eq!(crps_standard_t(0.3, 1.0), None);
    }

    #[test]
    fn point_mass_scores_are_absolute_errors() {
        let p = Predictive::student_t(2.0, 0.0, 3.0);
        assert_eq!(p, Predictive::Point(2.0));
        assert_eq!(p.crps(3.5), Some(1.5));
        assert_eq!(p.pit(2.0), 0.5);
        assert!(p.covers(2.0, 0.5) && !p.covers(2.1, 0.95));
    }

    #[test]
    fn discrete_crps_of_a_point_mass_is_the_distance() {
        let pmf = Pmf::new(vec![0.0, 0.0, 1.0]);
        assert!((pmf.crps(5) - 3.0).abs() < 1e-12);
        assert!((pmf.crps(2)).abs() < 1e-12);
        assert!((pmf.crps(-1) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn negative_binomial_masses_sum_to_one_with_the_right_mean() {
        let (r, p) = (14.5, 9.0 / 12.0);
        let pmf = Pmf::negative_binomial(r, p);
        let total: f64 = (0..pmf.mass.len() as i64).map(|j| pmf.mass(j)).sum();
        let mean: f64 = (0..pmf.mass.len() as i64)
            .map(|j| j as f64 * pmf.mass(j))
            .sum();
        assert!((total - 1.0).abs() < 1e-10);
        assert!((mean - r * (1.0 - p) / p).abs() < 1e-8);
    }

    #[test]
    fn reliability_bins_hold_every_forecast_once() {
        let p = [0.05, 0.15, 0.95, 1.0, 0.12];
        let o = [false, true, true, true, false];
        let bins = reliability(&p, &o, 10);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins.iter().map(|b| b.n).sum::<usize>(), 5);
        assert_eq!(bins[1].n, 2);
        assert_eq!(bins[1].observed_frequency, Some(0.5));
        assert_eq!(bins[9].n, 2);
        assert!(bins[5].mean_forecast.is_none());
    }

    /// ∫ (F(x) − 1{x ≥ y})² dx by brute force: a fine uniform grid over a
    /// wide range, split at y.
    fn crps_by_brute_force(cdf: impl Fn(f64) -> f64, y: f64, lo: f64, hi: f64) -> f64 {
        let n = 400_000;
        let dx = (hi - lo) / n as f64;
        (0..n)
            .map(|i| {
                let x = lo + (i as f64 + 0.5) * dx;
                let step = f64::from(u8::from(x >= y));
                (cdf(x) - step).powi(2) * dx
            })
            .sum()
    }

    #[test]
    fn the_crps_of_a_mixture_matches_a_brute_force_integral() {
        let a = Predictive::student_t(0.0, 1.0, 4.0);
        let b = Predictive::student_t(1.5, 1.3, 4.0);
        let m = Mixture::new(vec![(0.3, a), (0.7, b)]);
        for y in [-3.0, 0.0, 0.7, 2.0, 6.0] {
            let got = m.crps(y).unwrap();
            let want = crps_by_brute_force(|x| m.cdf(x), y, -2000.0, 2000.0);
            assert!((got - want).abs() < 1e-4 * want, "y = {y}: {got} vs {want}");
        }
        // A point mass (the walk without drift of a straight history) too.
        let p = Predictive::Point(0.5);
        let m = Mixture::new(vec![(0.4, p), (0.6, b)]);
        let want = crps_by_brute_force(|x| m.cdf(x), 1.0, -2000.0, 2000.0);
        assert!((m.crps(1.0).unwrap() - want).abs() < 1e-4 * want);
        // One component: its own closed form, exactly.
        assert_eq!(Mixture::single(b).crps(0.3), b.crps(0.3));
        // Infinite when a component has no mean.
        let cauchy = Predictive::student_t(0.0, 1.0, 1.0);
        assert_eq!(Mixture::new(vec![(0.5, cauchy), (0.5, a)]).crps(0.0), None);
    }

    #[test]
    fn a_mixture_pit_is_the_weighted_sum_of_its_components() {
        let a = Predictive::student_t(0.0, 1.0, 3.0);
        let b = Predictive::student_t(2.0, 0.5, 3.0);
        let m = Mixture::new(vec![(0.25, a), (0.75, b)]);
        let y = 1.1;
        assert!((m.pit(y) - (0.25 * a.cdf(y) + 0.75 * b.cdf(y))).abs() < 1e-15);
        assert_eq!(m.covers(y, 0.5), (m.pit(y) - 0.5).abs() <= 0.25);
    }
}
