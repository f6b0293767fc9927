//! Poisson variates by inversion of the distribution function, coupled
//! across rates: the count paths' additions (docs/model.md §3).
//!
//! In: a rate λ and a uniform u. Out: the smallest k with P(X ≤ k) > u, the
//! same k for the same u in every scenario whose rate is the same, and a
//! larger or equal k where the rate is larger (common random numbers). The
//! distribution function is set up once per rate around its mode
//! ([`PoissonStart`]) and shared by all the uniforms inverted at that rate.

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
pub(super) struct PoissonStart {
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
    pub(super) fn new(lambda: f64) -> Self {
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
    pub(super) fn invert(&self, u: f64) -> f64 {
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
