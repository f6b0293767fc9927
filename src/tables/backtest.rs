//! The backtest's tables: `backtest.parquet` (one row per forecast of a
//! published figure), `backtest_events.parquet` (one row per pseudo-target)
//! and `backtest_reliability.parquet` (forecaster × probability bin).
//!
//! In: nothing (the schemas). Out: [`ScoreRow`], [`EventRow`],
//! [`ReliabilityRow`], and [`AnalogRow`] (`backtest_analog.parquet`: each
//! forecast of an indicator with an analog, with and without it);
//! `attain backtest` fills them.

use crate::input::catalog::Provenance;

crate::table! {
    /// One forecast of one later published figure.
    pub struct ScoreRow {
        /// Indicator id.
        pub indicator_id: String,
        /// `level`, `log`, `logit` or `count`: the scale of the scores.
        pub transform: String,
        /// The origin: the last year whose figure the fit saw.
        pub origin: i32,
        /// year − origin, in years.
        pub horizon: i32,
        /// The year forecast.
        pub year: i32,
        /// The published figure, natural units.
        pub observed: f64,
        /// g(observed): the value scored (counts: the stock itself).
        pub observed_g: f64,
        /// Provenance of the published figure (`official` or `secondary`).
        pub provenance: Provenance,
        /// Published figures the fit used (years ≤ origin).
        pub fit_n_obs: u32,
        /// The analog whose published figures up to the origin entered the
        /// fit as a power prior (null: the indicator's own figures alone).
        pub analog: Option<String>,
        /// G_n (counts: the stock at the origin).
        pub fit_last_g: f64,
        /// μ̂ per year on the transform scale (counts: additions per year C/K).
        pub fit_drift: f64,
        /// s² (null for counts).
        pub fit_s2: Option<f64>,
        /// K = y_n − y_1, years.
        pub fit_span_years: f64,
        /// Degrees of freedom of the Student-t predictive (null for counts).
        pub dof: Option<f64>,
        /// PIT value of the model (counts: mid PIT).
        pub pit: f64,
        /// Inside the central 50 % interval.
        pub in50: bool,
        /// Inside the central 80 % interval.
        pub in80: bool,
        /// Inside the central 95 % interval.
        pub in95: bool,
        /// CRPS of the model as `run` uses it (with its drift persistence),
        /// scale of `observed_g` (null when infinite: one degree of freedom).
        pub crps_model: Option<f64>,
        /// CRPS of the no-change forecast.
        pub crps_no_change: f64,
        /// CRPS of the model without parameter uncertainty.
        pub crps_no_param_unc: f64,
        /// CRPS of the walk with drift, φ = 1 (null for counts, or infinite).
        pub crps_drift: Option<f64>,
        /// CRPS of the walk without drift, φ = 0 (null for counts, or infinite).
        pub crps_naive: Option<f64>,
    }
}

crate::table! {
    /// One forecast of an indicator with an analog, scored with the analog
    /// (as `attain run` fits it) and without (the own figures alone), at the
    /// same origin; the without-analog scores are null when the own figures
    /// alone are too few to fit.
    pub struct AnalogRow {
        /// Indicator id.
        pub indicator_id: String,
        /// The analog's id.
        pub analog: String,
        /// The origin.
        pub origin: i32,
        /// year − origin, in years.
        pub horizon: i32,
        /// The year forecast.
        pub year: i32,
        /// The indicator's own published figures up to the origin.
        pub fit_n_obs: u32,
        /// PIT with the analog.
        pub pit_with: f64,
        /// Inside the central 50 % interval, with the analog.
        pub in50_with: bool,
        /// Inside the central 80 % interval, with the analog.
        pub in80_with: bool,
        /// Inside the central 95 % interval, with the analog.
        pub in95_with: bool,
        /// CRPS with the analog (null when infinite).
        pub crps_with: Option<f64>,
        /// PIT without the analog.
        pub pit_without: Option<f64>,
        /// Inside the central 50 % interval, without.
        pub in50_without: Option<bool>,
        /// Inside the central 80 % interval, without.
        pub in80_without: Option<bool>,
        /// Inside the central 95 % interval, without.
        pub in95_without: Option<bool>,
        /// CRPS without the analog (null when infinite or not fitted).
        pub crps_without: Option<f64>,
    }
}

crate::table! {
    /// One pseudo-target: "the value in `year` is at least `threshold`".
    pub struct EventRow {
        /// Indicator id.
        pub indicator_id: String,
        /// Origin year.
        pub origin: i32,
        /// year − origin.
        pub horizon: i32,
        /// The year the event is about.
        pub year: i32,
        /// The threshold, natural units: the published figure of `threshold_year`.
        pub threshold: f64,
        /// The year whose published figure is the threshold.
        pub threshold_year: i32,
        /// The model's probability of the event.
        pub p_model: f64,
        /// The trend rule: 1 if the trend line reaches the threshold, else 0.
        pub p_trend: f64,
        /// Whether it happened.
        pub outcome: bool,
    }
}

crate::named_enum! {
    /// Who made a probability forecast of a pseudo-target.
    pub enum Forecaster {
        /// The model's predictive.
        Model = "model",
        /// The trend rule of SDG progress reports (1 if the trend line reaches it).
        TrendRule = "trend_rule",
    }
}

crate::table! {
    /// One bin of a forecaster's reliability table.
    pub struct ReliabilityRow {
        /// `model` or `trend_rule`.
        pub forecaster: Forecaster,
        /// Lower end of the forecast probabilities in the bin (inclusive).
        pub bin_low: f64,
        /// Upper end (exclusive, except 1 for the last bin).
        pub bin_high: f64,
        /// Events in the bin.
        pub n: u32,
        /// Mean forecast probability (null when empty).
        pub mean_forecast: Option<f64>,
        /// Share of the events that happened (null when empty).
        pub observed_frequency: Option<f64>,
    }
}
