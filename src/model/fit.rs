//! Fitting each indicator's history (docs/model.md §2–4).
//!
//! In: an indicator's transform, its history as (year, value) pairs sorted
//! by year, and what it may borrow (an analog's power prior, a rate the
//! scenarios assume). Out: a [`Fit`] holding the sufficient statistics the
//! simulation draws its parameters from: the posterior of a random walk's
//! drift and scale on the transform scale, the additions of a count, or
//! whether a milestone is done.

use super::transform::Transform;

/// The sufficient statistics of a walk's history on the transform scale:
/// m increments over K years, the drift estimate μ̂ = (G_n − G_1) / K and
/// SS = Σ (z_i − k_i μ̂)² / k_i (docs/model.md §2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Increments {
    /// m, the number of increments (observations − 1).
    pub m: f64,
    /// K = y_n − y_1, in years.
    pub span_years: f64,
    /// μ̂ (0 when K = 0).
    pub drift: f64,
    /// SS, the weighted sum of squared deviations.
    pub ss: f64,
}

impl Increments {
    /// The increments of a history of (year, natural value) pairs, sorted
    /// by year, on `transform`.
    pub fn of(transform: Transform, history: &[(i32, f64)]) -> Self {
        let n = history.len();
        if n < 2 {
            return Increments {
                m: 0.0,
                span_years: 0.0,
                drift: 0.0,
                ss: 0.0,
            };
        }
        let g: Vec<f64> = history.iter().map(|&(_, x)| transform.forward(x)).collect();
        let year = |i: usize| history[i].0;
        let span = f64::from(year(n - 1) - year(0));
        let drift = (g[n - 1] - g[0]) / span;
        let ss: f64 = (0..n - 1)
            .map(|i| {
                let k = f64::from(year(i + 1) - year(i));
                let z = g[i + 1] - g[i];
                (z - k * drift).powi(2) / k
            })
            .sum();
        Increments {
            m: (n - 1) as f64,
            span_years: span,
            drift,
            ss,
        }
    }
}

/// The power prior an analog series gives a walk's drift and scale
/// (docs/model.md §2b): its increments weighted by a in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerPrior {
    /// κ0 = a·K′.
    pub kappa: f64,
    /// μ0 = μ̂′.
    pub drift: f64,
    /// ν0 = a·m′ − 1.
    pub dof: f64,
    /// ν0·s0² = a·SS′.
    pub scale_ss: f64,
}

impl PowerPrior {
    /// The prior of an analog's history (year, natural value pairs, sorted)
    /// on `transform`, with weight `a`; `None` when ν0 = a·m′ − 1 ≤ 0 (too
    /// few analog increments for that weight).
    pub fn of_analog(transform: Transform, history: &[(i32, f64)], a: f64) -> Option<Self> {
        let inc = Increments::of(transform, history);
        let dof = a * inc.m - 1.0;
        (dof > 0.0 && inc.span_years > 0.0).then_some(PowerPrior {
            kappa: a * inc.span_years,
            drift: inc.drift,
            dof,
            scale_ss: a * inc.ss,
        })
    }
}

/// The fitted random walk of a `level`, `log` or `logit` indicator: the
/// posterior of its drift and scale (docs/model.md §2; with an analog, §2b).
///
/// σ² = ν·s²/χ²_ν and μ ~ Normal(μn, σ²/κ); without an analog κ = K,
/// μn = μ̂, ν = m − 1 and s² = SS/(m − 1).
#[derive(Debug, Clone, PartialEq)]
pub struct WalkFit {
    /// y_n, the last observed year.
    pub last_year: i32,
    /// G_n = g(x_n).
    pub g_last: f64,
    /// μn, the drift's posterior location (μ̂ without an analog).
    pub drift: f64,
    /// s² (sn² with an analog), the scale estimate.
    pub s2: f64,
    /// ν, the degrees of freedom of σ² (and of the Student-t predictive).
    pub dof: f64,
    /// κ, the drift's precision in years (K without an analog).
    pub kappa: f64,
    /// K = y_n − y_1 of the indicator's own history, in years.
    pub span_years: f64,
    /// Whether an analog's power prior entered the fit.
    pub borrowed: bool,
}

impl WalkFit {
    /// Location, scale and degrees of freedom of the Student-t predictive of
    /// G_T with no shocks and no factors (docs/model.md §2, §2b), given Σ M_t, Σ A_t and
    /// Σ V_t² over the projected years.
    pub fn predictive(&self, sum_m: f64, sum_a: f64, sum_v2: f64) -> (f64, f64, f64) {
        let location = self.g_last + sum_m * self.drift + sum_a;
        let scale = (self.s2 * (sum_m * sum_m / self.kappa + sum_v2)).sqrt();
        (location, scale, self.dof)
    }
}

/// The fitted additions of a `count` indicator (docs/model.md §3).
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
    /// A stock with only its current value: its additions come from a
    /// rate the scenarios assume (docs/model.md §3).
    AssumedCount {
        /// The year of the stock.
        last_year: i32,
        /// The stock.
        stock: f64,
    },
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
            Fit::AssumedCount { last_year, .. } => Some(*last_year),
            Fit::Milestone { last_year, .. } => *last_year,
            Fit::Insufficient { .. } => None,
        }
    }
}

/// The minimum number of observations a walk needs.
pub const MIN_WALK_OBS: usize = 3;
/// The minimum number of observations a count needs.
pub const MIN_COUNT_OBS: usize = 2;

/// How a history may be fitted besides its own figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Borrowing {
    /// The power prior of the indicator's analog, if it names one (walks).
    pub prior: Option<PowerPrior>,
    /// Whether every scenario assumes a yearly rate of additions (counts
    /// with only the current stock).
    pub assumed_rate: bool,
}

/// Fits an indicator on `transform` to its history: (year, natural value)
/// pairs, sorted by year, with what it may borrow.
pub fn fit(transform: Transform, history: &[(i32, f64)], borrowing: Borrowing) -> Fit {
    let n = history.len();
    let insufficient = Fit::Insufficient { n_obs: n };
    match transform {
        // Without a row, whether the milestone is already done is unknown:
        // no probability (a row with 0 says it is not done yet).
        Transform::Milestone if n == 0 => insufficient,
        Transform::Milestone => Fit::Milestone {
            done: history.iter().any(|&(_, value)| value >= 1.0),
            last_year: history.last().map(|&(year, _)| year),
        },
        Transform::Count => {
            if n == 1 && borrowing.assumed_rate {
                let (last_year, stock) = history[0];
                return Fit::AssumedCount { last_year, stock };
            }
            if n < MIN_COUNT_OBS {
                return insufficient;
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
            let Some(&(last_year, last)) = history.last() else {
                return insufficient;
            };
            let own = Increments::of(t, history);
            let g_last = t.forward(last);
            match borrowing.prior {
                // docs/model.md §2b: the own increments update the analog's prior.
                Some(prior) => {
                    let kappa = prior.kappa + own.span_years;
                    let drift = (prior.kappa * prior.drift + own.span_years * own.drift) / kappa;
                    let dof = prior.dof + own.m;
                    let gap = own.drift - prior.drift;
                    let scale_ss =
                        prior.scale_ss + own.ss + prior.kappa * own.span_years / kappa * gap * gap;
                    Fit::Walk(WalkFit {
                        last_year,
                        g_last,
                        drift,
                        s2: scale_ss / dof,
                        dof,
                        kappa,
                        span_years: own.span_years,
                        borrowed: true,
                    })
                }
                None if n < MIN_WALK_OBS => insufficient,
                None => {
                    let dof = own.m - 1.0;
                    Fit::Walk(WalkFit {
                        last_year,
                        g_last,
                        drift: own.drift,
                        s2: own.ss / dof,
                        dof,
                        kappa: own.span_years,
                        span_years: own.span_years,
                        borrowed: false,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_with_a_gap_weights_increments_by_their_span() {
        // Increments 1 over 1 year and 4 over 2 years: drift 5/3.
        let f = fit(
            Transform::Level,
            &[(2000, 0.0), (2001, 1.0), (2003, 5.0)],
            Borrowing::default(),
        );
        let Fit::Walk(w) = f else {
            panic!("walk expected")
        };
        let mu = 5.0 / 3.0;
        let s2 = ((1.0 - mu) * (1.0 - mu) + (4.0 - 2.0 * mu) * (4.0 - 2.0 * mu) / 2.0) / 1.0;
        assert!((w.drift - mu).abs() < 1e-12);
        assert!((w.s2 - s2).abs() < 1e-12);
        assert_eq!(w.dof, 1.0);
        assert_eq!(w.kappa, 3.0);
        assert_eq!(w.span_years, 3.0);
    }

    #[test]
    fn too_few_points_are_insufficient() {
        let f = fit(
            Transform::Log,
            &[(2000, 1.0), (2001, 2.0)],
            Borrowing::default(),
        );
        assert_eq!(f, Fit::Insufficient { n_obs: 2 });
        let c = fit(Transform::Count, &[(2000, 1.0)], Borrowing::default());
        assert_eq!(c, Fit::Insufficient { n_obs: 1 });
    }

    #[test]
    fn count_sums_additions_over_the_span() {
        let f = fit(
            Transform::Count,
            &[(2015, 44.0), (2020, 50.0), (2024, 58.0)],
            Borrowing::default(),
        );
        let Fit::Count(c) = f else {
            panic!("count expected")
        };
        assert_eq!(c.additions, 14.0);
        assert_eq!(c.span_years, 9.0);
        assert_eq!(c.shape(), 14.5);
    }

    #[test]
    fn an_analog_prior_is_updated_by_the_own_increments() {
        // Analog: 0, 1, 3, 4 over 2010–2013 (K′ = 3, m′ = 3, μ̂′ = 4/3).
        let analog = [(2010, 0.0), (2011, 1.0), (2012, 3.0), (2013, 4.0)];
        let mu0: f64 = 4.0 / 3.0;
        let ss0 = (1.0 - mu0).powi(2) + (2.0 - mu0).powi(2) + (1.0 - mu0).powi(2);
        let a = 0.5;
        let prior = PowerPrior::of_analog(Transform::Level, &analog, a).unwrap();
        assert!((prior.kappa - 1.5).abs() < 1e-12);
        assert!((prior.dof - 0.5).abs() < 1e-12);
        assert!((prior.scale_ss - a * ss0).abs() < 1e-12);
        // Own: 10 and 12 two years apart (n = 2, m = 1, K = 2, μ̂ = 1, SS = 0).
        let borrowing = Borrowing {
            prior: Some(prior),
            assumed_rate: false,
        };
        let Fit::Walk(w) = fit(Transform::Level, &[(2020, 10.0), (2022, 12.0)], borrowing) else {
            panic!("a walk")
        };
        let kappa = 1.5 + 2.0;
        let mu = (1.5 * mu0 + 2.0 * 1.0) / kappa;
        let nu = 0.5 + 1.0;
        let nu_s2 = a * ss0 + 0.0 + 1.5 * 2.0 / kappa * (1.0 - mu0).powi(2);
        assert!((w.kappa - kappa).abs() < 1e-12);
        assert!((w.drift - mu).abs() < 1e-12);
        assert!((w.dof - nu).abs() < 1e-12);
        assert!((w.s2 - nu_s2 / nu).abs() < 1e-12);
        assert_eq!((w.g_last, w.last_year, w.borrowed), (12.0, 2022, true));
        // One own point: the prior alone, from that point.
        let Fit::Walk(w) = fit(Transform::Level, &[(2022, 12.0)], borrowing) else {
            panic!("a walk")
        };
        assert_eq!((w.kappa, w.drift, w.dof), (1.5, mu0, 0.5));
        assert!((w.s2 - a * ss0 / 0.5).abs() < 1e-12);
        // No own point: nothing to start from.
        assert_eq!(
            fit(Transform::Level, &[], borrowing),
            Fit::Insufficient { n_obs: 0 }
        );
        // Weight too small for three increments: no prior.
        assert_eq!(
            PowerPrior::of_analog(Transform::Level, &analog, 1.0 / 3.0),
            None
        );
    }

    #[test]
    fn a_single_stock_with_an_assumed_rate_is_projected_from_it() {
        let assumed = Borrowing {
            prior: None,
            assumed_rate: true,
        };
        assert_eq!(
            fit(Transform::Count, &[(2024, 7.0)], assumed),
            Fit::AssumedCount {
                last_year: 2024,
                stock: 7.0
            }
        );
    }
}
