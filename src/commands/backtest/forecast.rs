//! One forecast and its scores: the closed-form predictive of a fit at a
//! horizon (docs/model.md §2, §2b, §3), scored against a published figure.
//!
//! In: a fit, a horizon and the figure published for that year. Out: a
//! [`ScoreRow`]: PIT, coverage of the central intervals, and the CRPS of the
//! model (with its drift persistence, as `run` uses it), of the walk with
//! drift (φ = 1) and without (φ = 0), of the no-change forecast and of the
//! model without parameter uncertainty.

use super::COVERAGES;
use crate::input::catalog::{Indicator, Observation};
use crate::model::fit::Fit;
use crate::model::persistence::{damped_sum, Persistence};
use crate::model::score::{Mixture, Pmf, Predictive};
use crate::model::transform::Transform;
use crate::tables::backtest::ScoreRow;

/// A forecast of one year from one fit, with everything the scores need.
pub(super) enum Forecast {
    Walk {
        /// The model as `run` uses it: the mixture over the persistence.
        model: Mixture,
        /// The walk with drift (φ = 1), parameter uncertainty included.
        drift: Predictive,
        /// The walk without drift (φ = 0), parameter uncertainty included.
        naive: Predictive,
        plug_in: Predictive,
        no_change: f64,
        trend: f64,
    },
    Count {
        stock: f64,
        model: Pmf,
        plug_in: Pmf,
        trend: f64,
    },
}

impl Forecast {
    /// The forecast `horizon` years ahead of a fit whose walk has drift
    /// persistence `persistence` (docs/model.md §2c).
    pub(super) fn of(f: &Fit, persistence: &Persistence, horizon: i32) -> Option<Self> {
        let h = f64::from(horizon);
        match f {
            Fit::Walk(w) => {
                let at = |phi: f64| {
                    let sum_m = damped_sum(&vec![1.0; horizon.max(0) as usize], phi);
                    let (location, scale, dof) = w.predictive(sum_m, 0.0, h);
                    Predictive::student_t(location, scale, dof)
                };
                let model = match persistence {
                    Persistence::Fixed(phi) => Mixture::single(at(*phi)),
                    prior => Mixture::new(
                        prior
                            .components()
                            .into_iter()
                            .map(|(weight, phi)| (weight, at(phi)))
                            .collect(),
                    ),
                };
                Some(Forecast::Walk {
                    model,
                    drift: at(1.0),
                    naive: at(0.0),
                    plug_in: Predictive::normal(w.g_last + h * w.drift, (w.s2 * h).sqrt()),
                    no_change: w.g_last,
                    trend: w.g_last + h * w.drift,
                })
            }
            Fit::Count(c) => {
                let rate = c.additions / c.span_years;
                Some(Forecast::Count {
                    stock: c.stock,
                    model: Pmf::negative_binomial(c.shape(), c.span_years / (c.span_years + h)),
                    plug_in: Pmf::poisson(h * rate),
                    trend: c.stock + h * rate,
                })
            }
            _ => None,
        }
    }

    /// P(value ≥ threshold), natural units in; the transform applied here.
    pub(super) fn p_at_least(&self, transform: Transform, threshold: f64) -> f64 {
        match self {
            Forecast::Walk { model, .. } => 1.0 - model.cdf(transform.forward(threshold)),
            Forecast::Count { stock, model, .. } => {
                1.0 - model.cdf((threshold - stock).ceil() as i64 - 1)
            }
        }
    }

    /// Whether the trend line reaches the threshold.
    pub(super) fn trend_reaches(&self, transform: Transform, threshold: f64) -> bool {
        match self {
            Forecast::Walk { trend, .. } => *trend >= transform.forward(threshold),
            Forecast::Count { trend, .. } => *trend >= threshold,
        }
    }
}

/// Scores one forecast against a published figure, natural units. `analog`
/// names the series whose dynamics the fit borrowed, if any.
pub(super) fn score(
    (indicator, persistence): (&Indicator, Persistence),
    (f, analog): (&Fit, Option<&str>),
    n_obs: usize,
    origin: i32,
    later: &Observation,
) -> ScoreRow {
    let horizon = later.year - origin;
    let forecast =
        Forecast::of(f, &persistence, horizon).expect("only walks and counts are backtested");
    let (crps_drift, crps_naive) = match &forecast {
        Forecast::Walk { drift, naive, .. } => {
            let y = indicator.transform.forward(later.value);
            (drift.crps(y), naive.crps(y))
        }
        Forecast::Count { .. } => (None, None),
    };
    let t = indicator.transform;
    let observed_g = t.forward(later.value);
    let (pit, covered, crps_model, crps_no_change, crps_no_param_unc) = match &forecast {
        Forecast::Walk {
            model,
            plug_in,
            no_change,
            ..
        } => (
            model.pit(observed_g),
            COVERAGES.map(|c| model.covers(observed_g, c)),
            model.crps(observed_g),
            (observed_g - no_change).abs(),
            plug_in
                .crps(observed_g)
                .expect("a normal has a finite CRPS"),
        ),
        Forecast::Count {
            stock,
            model,
            plug_in,
            ..
        } => {
            let added = (later.value - stock).round() as i64;
            (
                model.mid_pit(added),
                COVERAGES.map(|c| model.covers(added, c)),
                Some(model.crps(added)),
                (later.value - stock).abs(),
                plug_in.crps(added),
            )
        }
    };
    let (fit_last_g, fit_drift, fit_s2, fit_span_years, dof) = match f {
        Fit::Walk(w) => (w.g_last, w.drift, Some(w.s2), w.span_years, Some(w.dof)),
        Fit::Count(c) => (
            c.stock,
            c.additions / c.span_years,
            None,
            c.span_years,
            None,
        ),
        _ => unreachable!("only walks and counts are backtested"),
    };
    ScoreRow {
        indicator_id: indicator.id.clone(),
        transform: t.name().to_string(),
        origin,
        horizon,
        year: later.year,
        observed: later.value,
        observed_g,
        provenance: later.provenance,
        fit_n_obs: n_obs as u32,
        analog: analog.map(str::to_string),
        fit_last_g,
        fit_drift,
        fit_s2,
        fit_span_years,
        dof,
        pit,
        in50: covered[0],
        in80: covered[1],
        in95: covered[2],
        crps_model,
        crps_no_change,
        crps_no_param_unc,
        crps_drift,
        crps_naive,
    }
}
