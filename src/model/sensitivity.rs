//! Which lever matters (docs/model.md §6b): what a target's attainment does
//! across the range of one uncertain lever.
//!
//! In: per draw, the lever's uniform u and whether the draw meets the
//! target. Out: [`Bins`], the draws and the draws that meet it in each of
//! [`BINS`] equal-probability bins of u, from which come the two ends of a
//! tornado bar (P(attain) over the lowest and the highest tenth of u) and
//! the first-order Sobol index of the lever.
//!
//! ## The estimator
//! With N draws, p the share that meet the target, N_b draws and p_b the
//! share in bin b, the between-bin variance Σ_b (N_b/N)(p_b − p)² estimates
//! Var(E[1{met} | L]) plus, under the null of a lever that does nothing,
//! (B − 1)·p(1 − p)/N of pure binning noise; removing that bias and dividing
//! by Var(1{met}) = p(1 − p) gives
//! `S1 = max(0, Σ_b (N_b/N)(p_b − p)² − (B − 1)·p(1 − p)/N) / (p(1 − p))`,
//! undefined (None) when p is 0 or 1. Bins of u are bins of the lever's
//! quantiles, so the estimate is the same whatever its distribution; the
//! within-bin variation of E[1{met} | L] it leaves out is O(1/B²).
//!
//! ## References
//! - Sobol', "Global sensitivity indices for nonlinear mathematical models
//!   and their Monte Carlo estimates", Math. Comput. Simul. 55 (2001).
//! - Plischke, Borgonovo & Smith, "Global sensitivity measures from given
//!   data", EJOR 226 (2013): first-order indices from one sample by
//!   partitioning the input's range.

/// Equal-probability bins of a lever's uniform (B of docs/model.md §6b).
pub const BINS: usize = 20;

/// Bins at each end of the range that make a tornado bar's end: the lowest
/// and the highest tenth of u.
const TENTH: usize = BINS / 10;

/// Per bin of a lever's uniform: draws, and draws that meet the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bins {
    /// Draws in each bin.
    pub draws: [u64; BINS],
    /// Draws in each bin that meet the target.
    pub met: [u64; BINS],
}

impl Bins {
    /// The bin of uniform u ∈ [0, 1).
    #[inline]
    pub fn bin(u: f64) -> usize {
        ((u * BINS as f64) as usize).min(BINS - 1)
    }

    /// Adds one draw in bin `b`.
    #[inline]
    pub fn add(&mut self, b: usize, met: bool) {
        self.draws[b] += 1;
        self.met[b] += u64::from(met);
    }

    /// Adds another set of bins (order does not matter: integer counts).
    pub fn merge(&mut self, other: &Bins) {
        for b in 0..BINS {
            self.draws[b] += other.draws[b];
            self.met[b] += other.met[b];
        }
    }

    /// P(attain) over the bins in `range`; None without draws there.
    fn share(&self, range: std::ops::Range<usize>) -> Option<f64> {
        let n: u64 = self.draws[range.clone()].iter().sum();
        let m: u64 = self.met[range].iter().sum();
        (n > 0).then(|| m as f64 / n as f64)
    }

    /// P(attain) over all draws.
    pub fn p(&self) -> Option<f64> {
        self.share(0..BINS)
    }

    /// P(attain) over the draws whose u is in its lowest tenth (u < 0.1).
    pub fn p_low(&self) -> Option<f64> {
        self.share(0..TENTH)
    }

    /// P(attain) over the draws whose u is in its highest tenth (u ≥ 0.9).
    pub fn p_high(&self) -> Option<f64> {
        self.share(BINS - TENTH..BINS)
    }

    /// The first-order Sobol index of the lever for the target's attainment
    /// indicator, bias-corrected for binning noise; None when p is 0 or 1.
    pub fn first_order(&self) -> Option<f64> {
        let n: u64 = self.draws.iter().sum();
        let p = self.p()?;
        let var = p * (1.0 - p);
        if var == 0.0 {
            return None;
        }
        let n = n as f64;
        let between: f64 = (0..BINS)
            .filter(|&b| self.draws[b] > 0)
            .map(|b| {
                let nb = self.draws[b] as f64;
                let pb = self.met[b] as f64 / nb;
                nb / n * (pb - p).powi(2)
            })
            .sum();
        let noise = (BINS - 1) as f64 * var / n;
        Some((between - noise).max(0.0) / var)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_cover_the_unit_interval() {
        assert_eq!(Bins::bin(0.0), 0);
        assert_eq!(Bins::bin(0.0999), 1);
        assert_eq!(Bins::bin(0.1), 2);
        assert_eq!(Bins::bin(0.9), BINS - 2);
        assert_eq!(Bins::bin(0.999_999), BINS - 1);
    }

    #[test]
    fn a_lever_that_decides_everything_explains_everything() {
        // Met exactly when u ≥ 0.5: E[1 | u] is 0 or 1, S1 = 1 up to the
        // bias correction.
        let mut bins = Bins::default();
        for b in 0..BINS {
            bins.draws[b] = 1000;
            bins.met[b] = if b >= BINS / 2 { 1000 } else { 0 };
        }
        let s1 = bins.first_order().unwrap();
        let noise = (BINS - 1) as f64 / 20_000.0;
        assert!((s1 - (1.0 - noise)).abs() < 1e-12, "{s1}");
        assert_eq!(bins.p_low(), Some(0.0));
        assert_eq!(bins.p_high(), Some(1.0));
    }

    #[test]
    fn certain_outcomes_have_no_index() {
        let mut bins = Bins::default();
        bins.draws[3] = 10;
        bins.met[3] = 10;
        assert_eq!(bins.first_order(), None);
        assert_eq!(Bins::default().p(), None);
    }
}
