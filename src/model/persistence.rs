//! Drift persistence (docs/model.md §2c): how much of a walk's fitted drift
//! carries into each projected year.
//!
//! In: the catalog's prior {(φ_k, w_k)} or an indicator's fixed φ. Out: per
//! draw a φ (by inverting one uniform), and the drift weight Σ_t M_t·φ^j of
//! the closed form. The drift of the j-th projected year is φ^j·μ: φ = 1 is
//! the walk with drift, φ = 0 the walk without, between them a damped trend.

/// The persistence of one indicator: a fixed φ, or the catalog's prior.
#[derive(Debug, Clone, PartialEq)]
pub enum Persistence {
    /// φ fixed (1 when neither the catalog nor the indicator says more).
    Fixed(f64),
    /// A discrete prior: support points φ_k with weights w_k (summing to 1).
    Prior(Vec<(f64, f64)>),
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence::Fixed(1.0)
    }
}

impl Persistence {
    /// Whether every draw takes the same φ (no random number is drawn).
    pub fn is_fixed(&self) -> bool {
        matches!(self, Persistence::Fixed(_))
    }

    /// The φ of a draw whose uniform is `u` ∈ [0, 1): the support point
    /// whose cumulative weight first exceeds `u`.
    #[inline]
    pub fn draw(&self, u: f64) -> f64 {
        match self {
            Persistence::Fixed(phi) => *phi,
            Persistence::Prior(points) => {
                let mut cum = 0.0;
                for &(phi, w) in points {
                    cum += w;
                    if u < cum {
                        return phi;
                    }
                }
                points.last().map_or(1.0, |&(phi, _)| phi)
            }
        }
    }

    /// The components of the closed form: (weight, φ).
    pub fn components(&self) -> Vec<(f64, f64)> {
        match self {
            Persistence::Fixed(phi) => vec![(1.0, *phi)],
            Persistence::Prior(points) => points.iter().map(|&(phi, w)| (w, phi)).collect(),
        }
    }
}

/// Σ_t M_t·φ^j over projected years j = 1, 2, … with drift multipliers
/// `drift_mult` (the drift weight of the closed form, docs/model.md §2c).
pub fn damped_sum(drift_mult: &[f64], phi: f64) -> f64 {
    let mut power = 1.0;
    drift_mult
        .iter()
        .map(|m| {
            power *= phi;
            m * power
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_cumulative_weights() {
        let prior = Persistence::Prior(vec![(0.0, 0.3), (0.8, 0.7)]);
        assert_eq!(prior.draw(0.0), 0.0);
        assert_eq!(prior.draw(0.299), 0.0);
        assert_eq!(prior.draw(0.3), 0.8);
        assert_eq!(prior.draw(0.999_999), 0.8);
        assert_eq!(Persistence::default().draw(0.5), 1.0);
    }

    #[test]
    fn the_damped_sum_weights_each_year_by_a_power_of_phi() {
        assert_eq!(damped_sum(&[1.0; 4], 1.0), 4.0);
        assert_eq!(damped_sum(&[1.0; 4], 0.0), 0.0);
        let want = 0.5 + 2.0 * 0.25 + 0.125;
        assert!((damped_sum(&[1.0, 2.0, 1.0], 0.5) - want).abs() < 1e-15);
    }
}
