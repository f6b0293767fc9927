//! Fitting each indicator's history (MODEL.md §2–4).
//!
//! In: an indicator's transform and its history as (year, value) pairs
//! sorted by year. Out: a [`Fit`] holding the
//! sufficient statistics the simulation draws its parameters from: the drift
//! estimate and scale of a random walk on the transform scale, the additions
//! of a count, or whether a milestone is done.

use super::transform::Transform;

/// The fitted random walk of a `level`, `log` or `logit` indicator (MODEL.md §2).
#[derive(Debug, Clone, PartialEq)]
pub struct WalkFit {
    /// y_n, the last observed year.
    pub last_year: i32,
    /// G_n = g(x_n).
    pub g_last: f64,
    /// μ̂ = (G_n − G_1) / K.
    pub drift: f64,
    /// s², the scale estimate.
    pub s2: f64,
    /// m − 1, the degrees of freedom of σ² (and of the Student-t predictive).
    pub dof: u32,
    /// K = y_n − y_1, in years.
    pub span_years: f64,
}

impl WalkFit {
    /// Location, scale and degrees of freedom of the Student-t predictive of
    /// G_T with no shocks and no factors (MODEL.md §2), given Σ M_t, Σ A_t and
    /// Σ V_t² over the projected years.
    pub fn predictive(&self, sum_m: f64, sum_a: f64, sum_v2: f64) -> (f64, f64, f64) {
        let location = self.g_last + sum_m * self.drift + sum_a;
        let scale = (self.s2 * (sum_m * sum_m / self.span_years + sum_v2)).sqrt();
        (location, scale, f64::from(self.dof))
    }
}

/// The fitted additions of a `count` indicator (MODEL.md §3).
#[derive(Debug, Clone, PartialEq)]
pub struct CountFit {
    /// y_n.
    pub last_year: i32,
    /// The stock at y_n.
    pub stock: f64,
    /// C, the additions observed.
    pub additions: f64,
    /// K = y_n − y_1, in years.
    pub span_years: f64,
}

impl CountFit {
    /// Shape of the Gamma posterior of the yearly rate (Jeffreys prior).
    pub fn shape(&self) -> f64 {
        0.5 + self.additions
    }
}

/// What the history of an indicator supports.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// A random walk with drift on the transform scale.
    Walk(WalkFit),
    /// A Gamma–Poisson stock.
    Count(CountFit),
    /// A milestone; `done` when the history already holds a 1.
    Milestone {
        /// Already done.
        done: bool,
        /// The last observed year (None without history).
        last_year: Option<i32>,
    },
    /// Too few observations: no probability (status `insufficient_history`).
    Insufficient {
        /// How many observations there are.
        n_obs: usize,
    },
}

impl Fit {
    /// The last observed year, when the indicator is projected.
    pub fn last_year(&self) -> Option<i32> {
        match self {
            Fit::Walk(w) => Some(w.last_year),
            Fit::Count(c) => Some(c.last_year),
            Fit::Milestone { last_year, .. } => *last_year,
            Fit::Insufficient { .. } => None,
        }
    }
}

/// The minimum number of observations a walk needs.
pub const MIN_WALK_OBS: usize = 3;
/// The minimum number of observations a count needs.
pub const MIN_COUNT_OBS: usize = 2;

/// Fits an indicator on `transform` to its history: (year, natural value)
/// pairs, sorted by year.
pub fn fit(transform: Transform, history: &[(i32, f64)]) -> Fit {
    let n = history.len();
    match transform {
        Transform::Milestone => Fit::Milestone {
            done: history.iter().any(|&(_, value)| value >= 1.0),
            last_year: history.last().map(|&(year, _)| year),
        },
        Transform::Count => {
            if n < MIN_COUNT_OBS {
                return Fit::Insufficient { n_obs: n };
            }
            let ((first_year, first), (last_year, last)) = (history[0], history[n - 1]);
            Fit::Count(CountFit {
                last_year,
                stock: last,
                additions: last - first,
                span_years: f64::from(last_year - first_year),
            })
        }
        t => {
            if n < MIN_WALK_OBS {
                return Fit::Insufficient { n_obs: n };
            }
            let g: Vec<f64> = history.iter().map(|&(_, x)| t.forward(x)).collect();
            let year = |i: usize| history[i].0;
            let span = f64::from(year(n - 1) - year(0));
            let drift = (g[n - 1] - g[0]) / span;
            let m = n - 1;
            let ss: f64 = (0..m)
                .map(|i| {
                    let k = f64::from(year(i + 1) - year(i));
                    let z = g[i + 1] - g[i];
                    (z - k * drift).powi(2) / k
                })
                .sum();
            let dof = (m - 1) as u32;
            Fit::Walk(WalkFit {
                last_year: year(n - 1),
                g_last: g[n - 1],
                drift,
                s2: ss / f64::from(dof),
                dof,
                span_years: span,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_with_a_gap_weights_increments_by_their_span() {
        // Increments 1 over 1 year and 4 over 2 years: drift 5/3.
        let f = fit(Transform::Level, &[(2000, 0.0), (2001, 1.0), (2003, 5.0)]);
        let Fit::Walk(w) = f else {
            panic!("walk expected")
        };
        let mu = 5.0 / 3.0;
        let s2 = ((1.0 - mu) * (1.0 - mu) + (4.0 - 2.0 * mu) * (4.0 - 2.0 * mu) / 2.0) / 1.0;
        assert!((w.drift - mu).abs() < 1e-12);
        assert!((w.s2 - s2).abs() < 1e-12);
        assert_eq!(w.dof, 1);
        assert_eq!(w.span_years, 3.0);
    }

    #[test]
    fn too_few_points_are_insufficient() {
        let f = fit(Transform::Log, &[(2000, 1.0), (2001, 2.0)]);
        assert_eq!(f, Fit::Insufficient { n_obs: 2 });
        let c = fit(Transform::Count, &[(2000, 1.0)]);
        assert_eq!(c, Fit::Insufficient { n_obs: 1 });
    }

    #[test]
    fn count_sums_additions_over_the_span() {
        let f = fit(
            Transform::Count,
            &[(2015, 44.0), (2020, 50.0), (2024, 58.0)],
        );
        let Fit::Count(c) = f else {
            panic!("count expected")
        };
        assert_eq!(c.additions, 14.0);
        assert_eq!(c.span_years, 9.0);
        assert_eq!(c.shape(), 14.5);
    }
}
