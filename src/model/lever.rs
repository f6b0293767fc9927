//! Uncertain scenario levers (docs/model.md §5): a judgement written as a range.
//!
//! In: a lever's distribution and, per draw, one uniform u. Out: the lever's
//! value in that draw, by inverting its distribution function at u.

crate::named_enum! {
    /// The family of a lever's distribution, as the sensitivity table names it.
    pub enum Family {
        /// Uniform on [low, high].
        Uniform = "uniform",
        /// Triangular on [low, high] with its peak at `mode`.
        Triangular = "triangular",
    }
}

/// The distribution of an uncertain lever.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// Uniform on [low, high].
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Triangular on [low, high] with mode `mode`.
    Triangular {
        /// Lower end.
        low: f64,
        /// Peak.
        mode: f64,
        /// Upper end.
        high: f64,
    },
}

impl Spread {
    /// The value at uniform u ∈ [0, 1): the inverse distribution function.
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Spread::Uniform { low, high } => low + u * (high - low),
            Spread::Triangular { low, mode, high } => {
                let span = high - low;
                let cut = (mode - low) / span;
                if u < cut {
                    low + (u * span * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * span * (high - mode)).sqrt()
                }
            }
        }
    }

    /// Its family.
    pub fn family(&self) -> Family {
        match self {
            Spread::Uniform { .. } => Family::Uniform,
            Spread::Triangular { .. } => Family::Triangular,
        }
    }

    /// (low, mode if triangular, high).
    pub fn ends(&self) -> (f64, Option<f64>, f64) {
        match *self {
            Spread::Uniform { low, high } => (low, None, high),
            Spread::Triangular { low, mode, high } => (low, Some(mode), high),
        }
    }

    /// The density at x (for closed forms and tests).
    pub fn density(&self, x: f64) -> f64 {
        match *self {
            Spread::Uniform { low, high } => {
                if (low..=high).contains(&x) {
                    1.0 / (high - low)
                } else {
                    0.0
                }
            }
            Spread::Triangular { low, mode, high } => {
                if x < low || x > high {
                    0.0
                } else if x < mode {
                    2.0 * (x - low) / ((high - low) * (mode - low))
                } else if x > mode {
                    2.0 * (high - x) / ((high - low) * (high - mode))
                } else {
                    2.0 / (high - low)
                }
            }
        }
    }
}

impl std::fmt::Display for Spread {
    /// `uniform 1.1–1.3`, `triangular 1.1–1.3, peak 1.2`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Spread::Uniform { low, high } => write!(f, "uniform {low}–{high}"),
            Spread::Triangular { low, mode, high } => {
                write!(f, "triangular {low}–{high}, peak {mode}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_invert_the_distribution_functions() {
        let u = Spread::Uniform {
            low: 1.1,
            high: 1.3,
        };
        assert!((u.quantile(0.5) - 1.2).abs() < 1e-15);
        let t = Spread::Triangular {
            low: 0.0,
            mode: 0.01,
            high: 0.03,
        };
        // F(mode) = (mode − low)/(high − low) = 1/3.
        assert!((t.quantile(1.0 / 3.0) - 0.01).abs() < 1e-12);
        // F(x) = (x − low)² / ((high − low)(mode − low)) below the mode.
        let x = 0.005;
        let f = (x - 0.0f64).powi(2) / (0.03 * 0.01);
        assert!((t.quantile(f) - x).abs() < 1e-12);
        // A mode at an end is a one-sided triangle.
        let edge = Spread::Triangular {
            low: 1.0,
            mode: 1.0,
            high: 2.0,
        };
        assert!((edge.quantile(0.75) - 1.5).abs() < 1e-12);
        // Densities integrate to 1.
        let n = 100_000;
        let integral: f64 = (0..n)
            .map(|i| t.density(0.03 * (i as f64 + 0.5) / n as f64) * 0.03 / n as f64)
            .sum();
        assert!((integral - 1.0).abs() < 1e-6);
    }
}
