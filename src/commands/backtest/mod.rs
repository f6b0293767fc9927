//! The backtest: the model's past forecasts held against what was published.
//!
//! In: a [`Catalog`] and a range of origin years. Out: a [`Backtest`] with one
//! [`ScoreRow`] per (indicator, origin, later published year), one
//! [`EventRow`] per pseudo-target, and a [`Reliability`] table; [`run`] loads
//! the data and writes the tables (schemas in [`crate::tables::backtest`]),
//! and `display.rs` renders the summary.
//!
//! For each indicator and origin year, only *published* figures (provenance
//! `official` or `secondary`, never `illustrative` or `plan`) of years up to
//! the origin are fitted with [`crate::model::fit::fit`] (the same fit and minimum
//! history as `attain run`; an analog's published figures up to the origin
//! enter as its power prior, exactly as `run` uses them, docs/model.md §2b), and
//! the baseline model is projected: the fitted
//! model with no scenario adjustments (M = 1, A = 0, V = 1, R = 1, no shocks),
//! in closed form (docs/model.md §2, §3), so every number is exact and
//! deterministic. An origin counts only if the indicator has a published
//! figure in that year, so the horizon `year − origin` is the model's own
//! horizon and no fit is scored twice under two origin labels.
//!
//! Scores, for every later published figure:
//! - walks (`level`, `log`, `logit`) are scored on the transform scale g:
//!   PIT = F(g(y)) of the Student-t predictive; coverage of its central
//!   50/80/95 % intervals; CRPS of the Student-t (infinite, so left null,
//!   with one degree of freedom), of the no-change forecast (a point mass at
//!   G_n: |g(y) − G_n|) and of the model without parameter uncertainty
//!   (Normal(G_n + h μ̂, s² h)).
//! - counts are scored on the count scale: mid PIT of the negative binomial
//!   of the additions, its central intervals, CRPS by summation over the
//!   integers; no change = the stock at the origin; no parameter uncertainty
//!   = Poisson additions at the plug-in rate C/K.
//!
//! Pseudo-targets: for a forecast of year T, every other published figure
//! after the origin is a threshold θ; the event is "value in T ≥ θ". The
//! model says P = 1 − F(g(θ)) (counts: P(stock + N ≥ θ)); the trend rule of
//! SDG progress reports says 1 if the trend line G_n + h μ̂ (counts: stock +
//! h C/K) reaches g(θ), else 0.

mod display;
mod forecast;
mod pool;

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::BacktestConfig;
use crate::error::{Error, Result};
use crate::input::catalog::{load_catalog, Catalog, Observation, Provenance};
use crate::model::fit::{fit, Borrowing, Fit, PowerPrior};
use crate::model::score::{reliability, ReliabilityBin};
use crate::model::transform::Transform;
use crate::tables::backtest::{AnalogRow, EventRow, Forecaster, ReliabilityRow, ScoreRow};
use crate::tables::manifest::{now_utc, sha256_file, BacktestManifest};
use crate::tables::schema::Table;
use crate::tables::stage::Staged;

pub use display::summary;
use forecast::{score, Forecast};
pub use pool::{brier_scores, by_horizon, pool, Pooled};

/// The origins used when `--origins` is not given.
pub const DEFAULT_ORIGINS: (i32, i32) = (2016, 2021);
/// Central interval probabilities whose coverage is checked.
pub const COVERAGES: [f64; 3] = [0.5, 0.8, 0.95];
/// Bins of the reliability table.
pub const RELIABILITY_BINS: usize = 10;

/// The reliability tables of the model and of the trend rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Reliability {
    /// Each forecaster and its bins.
    pub tables: Vec<(Forecaster, Vec<ReliabilityBin>)>,
}

/// Why an (indicator, origin) pair was not scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// No published figure in the origin year (the fit would repeat an earlier origin's).
    NoFigureAtOrigin,
    /// Fewer published figures up to the origin than the fit needs.
    TooLittleHistory,
    /// Nothing published after the origin.
    NothingAfter,
}

impl SkipReason {
    /// What the summary says.
    pub fn describe(&self) -> &'static str {
        match self {
            SkipReason::NoFigureAtOrigin => "no figure in the origin year",
            SkipReason::TooLittleHistory => "too little history",
            SkipReason::NothingAfter => "nothing published after",
        }
    }
}

/// The backtest of a catalog.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// First and last origin.
    pub origins: (i32, i32),
    /// One row per forecast of a published figure.
    pub scores: Vec<ScoreRow>,
    /// One row per pseudo-target.
    pub events: Vec<EventRow>,
    /// Reliability of the event probabilities.
    pub reliability: Reliability,
    /// Forecasts of indicators with an analog, with it and without.
    pub analog: Vec<AnalogRow>,
    /// The catalog's drift-persistence prior (φ_k, w_k), if any.
    pub prior: Option<Vec<(f64, f64)>>,
    /// Pairs not scored.
    pub skipped: Vec<(String, i32, SkipReason)>,
    /// Indicators with published figures (level, log, logit, count).
    pub with_published: Vec<String>,
    /// Indicators left out: milestones, and series without published figures.
    pub without_published: usize,
}

/// Whether a figure is published (official or secondary).
pub fn is_published(o: &Observation) -> bool {
    matches!(o.provenance, Provenance::Official | Provenance::Secondary)
}

/// Runs the backtest over origins `first..=last`.
pub fn backtest(catalog: &Catalog, origins: (i32, i32)) -> Backtest {
    let mut scores = Vec::new();
    let mut events = Vec::new();
    let mut analog_rows = Vec::new();
    let mut skipped = Vec::new();
    let mut with_published = Vec::new();
    let mut without_published = 0;
    let published_of = |k: usize| -> Vec<Observation> {
        catalog.history[k]
            .iter()
            .filter(|o| is_published(o))
            .cloned()
            .collect()
    };
    for (k, indicator) in catalog.indicators.iter().enumerate() {
        let published = published_of(k);
        let analog = indicator.analog.as_ref().map(|a| {
            let id = catalog.indicators[a.index].id.as_str();
            (id, a.weight, published_of(a.index))
        });
        let backtested = indicator.transform.is_walk() || indicator.transform == Transform::Count;
        if !backtested || published.is_empty() {
            without_published += 1;
            continue;
        }
        with_published.push(indicator.id.clone());
        for origin in origins.0..=origins.1 {
            let skip = |reason| (indicator.id.clone(), origin, reason);
            if !published.iter().any(|o| o.year == origin) {
                skipped.push(skip(SkipReason::NoFigureAtOrigin));
                continue;
            }
            let upto: Vec<Observation> = published
                .iter()
                .filter(|o| o.year <= origin)
                .cloned()
                .collect();
            let points: Vec<(i32, f64)> = upto.iter().map(|o| (o.year, o.value)).collect();
            // The analog's published figures up to the origin, as its prior.
            let prior = analog.as_ref().and_then(|(id, weight, series)| {
                let cut: Vec<(i32, f64)> = series
                    .iter()
                    .filter(|o| o.year <= origin)
                    .map(|o| (o.year, o.value))
                    .collect();
                PowerPrior::of_analog(indicator.transform, &cut, *weight).map(|p| (*id, p))
            });
            let borrowing = Borrowing {
                prior: prior.map(|(_, p)| p),
                assumed_rate: false,
            };
            let f = fit(indicator.transform, &points, borrowing);
            let borrowed = match &f {
                Fit::Walk(w) if w.borrowed => prior.map(|(id, _)| id),
                _ => None,
            };
            let own = borrowed.map(|_| fit(indicator.transform, &points, Borrowing::default()));
            if matches!(f, Fit::Insufficient { .. }) {
                skipped.push(skip(SkipReason::TooLittleHistory));
                continue;
            }
            let later: Vec<&Observation> = published.iter().filter(|o| o.year > origin).collect();
            if later.is_empty() {
                skipped.push(skip(SkipReason::NothingAfter));
                continue;
            }
            for target in &later {
                let persistence = catalog.persistence(k);
                let row = score(
                    (indicator, persistence.clone()),
                    (&f, borrowed),
                    upto.len(),
                    origin,
                    target,
                );
                if let (Some(id), Some(own)) = (borrowed, &own) {
                    let without = (!matches!(own, Fit::Insufficient { .. })).then(|| {
                        score(
                            (indicator, persistence.clone()),
                            (own, None),
                            upto.len(),
                            origin,
                            target,
                        )
                    });
                    analog_rows.push(AnalogRow {
                        indicator_id: indicator.id.clone(),
                        analog: id.to_string(),
                        origin,
                        horizon: row.horizon,
                        year: row.year,
                        fit_n_obs: row.fit_n_obs,
                        pit_with: row.pit,
                        in50_with: row.in50,
                        in80_with: row.in80,
                        in95_with: row.in95,
                        crps_with: row.crps_model,
                        pit_without: without.as_ref().map(|w| w.pit),
                        in50_without: without.as_ref().map(|w| w.in50),
                        in80_without: without.as_ref().map(|w| w.in80),
                        in95_without: without.as_ref().map(|w| w.in95),
                        crps_without: without.and_then(|w| w.crps_model),
                    });
                }
                scores.push(row);
                let horizon = target.year - origin;
                let forecast =
                    Forecast::of(&f, &catalog.persistence(k), horizon).expect("a walk or a count");
                for threshold in later.iter().filter(|o| o.year != target.year) {
                    events.push(EventRow {
                        indicator_id: indicator.id.clone(),
                        origin,
                        horizon,
                        year: target.year,
                        threshold: threshold.value,
                        threshold_year: threshold.year,
                        p_model: forecast.p_at_least(indicator.transform, threshold.value),
                        p_trend: f64::from(u8::from(
                            forecast.trend_reaches(indicator.transform, threshold.value),
                        )),
                        outcome: target.value >= threshold.value,
                    });
                }
            }
        }
    }
    let outcomes: Vec<bool> = events.iter().map(|e| e.outcome).collect();
    let table = |p: Vec<f64>| reliability(&p, &outcomes, RELIABILITY_BINS);
    let reliability = Reliability {
        tables: vec![
            (
                Forecaster::Model,
                table(events.iter().map(|e| e.p_model).collect()),
            ),
            (
                Forecaster::TrendRule,
                table(events.iter().map(|e| e.p_trend).collect()),
            ),
        ],
    };
    Backtest {
        origins,
        scores,
        events,
        reliability,
        analog: analog_rows,
        prior: catalog.settings.persistence.clone(),
        skipped,
        with_published,
        without_published,
    }
}

/// Loads the data, runs the backtest and writes its tables into the output folder.
pub fn run(config: &BacktestConfig) -> Result<Backtest> {
    let started_utc = now_utc();
    let catalog = load_catalog(&config.data)?;
    let result = backtest(&catalog, config.origins);
    let mut inputs = BTreeMap::new();
    for file in &catalog.files {
        inputs.insert(file.display().to_string(), sha256_file(file)?);
    }
    let manifest = BacktestManifest {
        tool: "attain".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "backtest".into(),
        origins: format!("{}..{}", config.origins.0, config.origins.1),
        inputs,
        started_utc,
    };
    write(&config.out, &result, &manifest)?;
    Ok(result)
}

/// Runs the backtest and returns what the terminal shows (`--quiet` only
/// hides progress, as on every command).
pub fn execute(config: &BacktestConfig) -> Result<String> {
    let result = run(config)?;
    Ok(summary(&result, &config.out, config.lang))
}

/// The backtest's tables, by file name.
pub const TABLES: [&str; 4] = [
    "backtest.parquet",
    "backtest_events.parquet",
    "backtest_reliability.parquet",
    "backtest_analog.parquet",
];

/// Writes the backtest's tables into `out`, atomically, each with the
/// manifest as key-value metadata.
fn write(out: &Path, b: &Backtest, manifest: &BacktestManifest) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e.into(),
    })?;
    let json = serde_json::to_string_pretty(manifest).map_err(|e| Error::Other(e.to_string()))?;
    let reliability: Vec<ReliabilityRow> = b
        .reliability
        .tables
        .iter()
        .flat_map(|(forecaster, bins)| {
            bins.iter().map(|bin| ReliabilityRow {
                forecaster: *forecaster,
                bin_low: bin.low,
                bin_high: bin.high,
                n: bin.n as u32,
                mean_forecast: bin.mean_forecast,
                observed_frequency: bin.observed_frequency,
            })
        })
        .collect();
    let frames = [
        ScoreRow::to_frame(&b.scores),
        EventRow::to_frame(&b.events),
        ReliabilityRow::to_frame(&reliability),
        AnalogRow::to_frame(&b.analog),
    ];
    let mut staged = Staged::new();
    for (name, frame) in TABLES.into_iter().zip(frames) {
        let path = out.join(name);
        let mut frame = frame.map_err(|e| Error::Write {
            path: path.clone(),
            source: e.into(),
        })?;
        staged.parquet(&path, &mut frame, &json)?;
    }
    staged.commit()
}
