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
//! history as `attain run`), and the baseline model is projected: the fitted
//! model with no scenario adjustments (M = 1, A = 0, V = 1, R = 1, no shocks),
//! in closed form (MODEL.md §2, §3), so every number is exact and
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

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::BacktestConfig;
use crate::error::{Error, Result};
use crate::input::catalog::{load_catalog, Catalog, Indicator, Observation, Provenance};
use crate::model::fit::{fit, Fit};
use crate::model::score::{brier, reliability, Pmf, Predictive, ReliabilityBin};
use crate::model::transform::Transform;
use crate::tables::backtest::{EventRow, Forecaster, ReliabilityRow, ScoreRow};
use crate::tables::manifest::{now_utc, sha256_file, BacktestManifest};
use crate::tables::schema::Table;
use crate::tables::stage::Staged;

pub use display::summary;

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

/// A forecast of one year from one fit, with everything the scores need.
enum Forecast {
    Walk {
        model: Predictive,
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
    fn of(f: &Fit, horizon: i32) -> Option<Self> {
        let h = f64::from(horizon);
        match f {
            Fit::Walk(w) => {
                let (location, scale, dof) = w.predictive(h, 0.0, h);
                Some(Forecast::Walk {
                    model: Predictive::student_t(location, scale, dof),
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
    fn p_at_least(&self, transform: Transform, threshold: f64) -> f64 {
        match self {
            Forecast::Walk { model, .. } => 1.0 - model.cdf(transform.forward(threshold)),
            Forecast::Count { stock, model, .. } => {
                1.0 - model.cdf((threshold - stock).ceil() as i64 - 1)
            }
        }
    }

    /// Whether the trend line reaches the threshold.
    fn trend_reaches(&self, transform: Transform, threshold: f64) -> bool {
        match self {
            Forecast::Walk { trend, .. } => *trend >= transform.forward(threshold),
            Forecast::Count { trend, .. } => *trend >= threshold,
        }
    }
}

/// Scores one forecast against a published figure, natural units.
fn score(
    indicator: &Indicator,
    f: &Fit,
    n_obs: usize,
    origin: i32,
    later: &Observation,
) -> ScoreRow {
    let horizon = later.year - origin;
    let forecast = Forecast::of(f, horizon).expect("only walks and counts are backtested");
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
        Fit::Walk(w) => (
            w.g_last,
            w.drift,
            Some(w.s2),
            w.span_years,
            Some(f64::from(w.dof)),
        ),
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
    }
}

/// Runs the backtest over origins `first..=last`.
pub fn backtest(catalog: &Catalog, origins: (i32, i32)) -> Backtest {
    let mut scores = Vec::new();
    let mut events = Vec::new();
    let mut skipped = Vec::new();
    let mut with_published = Vec::new();
    let mut without_published = 0;
    for (indicator, history) in catalog.indicators.iter().zip(&catalog.history) {
        let published: Vec<Observation> = history
            .iter()
            .filter(|o| is_published(o))
            .cloned()
            .collect();
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
            let f = fit(indicator.transform, &points);
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
                scores.push(score(indicator, &f, upto.len(), origin, target));
                let horizon = target.year - origin;
                let forecast = Forecast::of(&f, horizon).expect("a walk or a count");
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
        skipped,
        with_published,
        without_published,
    }
}

/// Scores pooled over a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Pooled {
    /// Rows.
    pub n: usize,
    /// Share inside the central 50, 80, 95 % intervals.
    pub coverage: [f64; 3],
    /// Mean PIT value.
    pub mean_pit: f64,
    /// Rows with a finite model CRPS (the CRPS sums run over these only).
    pub n_crps: usize,
    /// 1 − Σ CRPS_model / Σ CRPS_no_change.
    pub skill_vs_no_change: Option<f64>,
    /// 1 − Σ CRPS_model / Σ CRPS_no_param_unc.
    pub skill_vs_no_param_unc: Option<f64>,
}

/// Pools score rows (none: `None`).
pub fn pool<'a>(rows: impl IntoIterator<Item = &'a ScoreRow>) -> Option<Pooled> {
    let rows: Vec<&ScoreRow> = rows.into_iter().collect();
    if rows.is_empty() {
        return None;
    }
    let n = rows.len() as f64;
    let share = |f: fn(&ScoreRow) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / n;
    let finite: Vec<(f64, &ScoreRow)> = rows
        .iter()
        .filter_map(|r| r.crps_model.map(|c| (c, *r)))
        .collect();
    let model: f64 = finite.iter().map(|(c, _)| c).sum();
    let skill = |reference: f64| (reference > 0.0).then(|| 1.0 - model / reference);
    Some(Pooled {
        n: rows.len(),
        coverage: [share(|r| r.in50), share(|r| r.in80), share(|r| r.in95)],
        mean_pit: rows.iter().map(|r| r.pit).sum::<f64>() / n,
        n_crps: finite.len(),
        skill_vs_no_change: skill(finite.iter().map(|(_, r)| r.crps_no_change).sum()),
        skill_vs_no_param_unc: skill(finite.iter().map(|(_, r)| r.crps_no_param_unc).sum()),
    })
}

/// Scores by horizon, then over all rows (horizon `None`).
pub fn by_horizon(scores: &[ScoreRow]) -> Vec<(Option<i32>, Pooled)> {
    let mut horizons: BTreeMap<i32, Vec<&ScoreRow>> = BTreeMap::new();
    for r in scores {
        horizons.entry(r.horizon).or_default().push(r);
    }
    let mut out: Vec<(Option<i32>, Pooled)> = horizons
        .into_iter()
        .filter_map(|(h, rows)| pool(rows).map(|p| (Some(h), p)))
        .collect();
    if let Some(all) = pool(scores) {
        out.push((None, all));
    }
    out
}

/// Brier scores of the model and of the trend rule, and the events they cover.
pub fn brier_scores(events: &[EventRow]) -> Option<(f64, f64, usize)> {
    let outcomes: Vec<bool> = events.iter().map(|e| e.outcome).collect();
    let model = brier(
        &events.iter().map(|e| e.p_model).collect::<Vec<_>>(),
        &outcomes,
    )?;
    let trend = brier(
        &events.iter().map(|e| e.p_trend).collect::<Vec<_>>(),
        &outcomes,
    )?;
    Some((model, trend, events.len()))
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

/// Runs the backtest and returns what the terminal shows (nothing with `--quiet`).
pub fn execute(config: &BacktestConfig) -> Result<String> {
    let result = run(config)?;
    Ok(if config.print {
        summary(&result, &config.out)
    } else {
        String::new()
    })
}

/// The backtest's tables, by file name.
pub const TABLES: [&str; 3] = [
    "backtest.parquet",
    "backtest_events.parquet",
    "backtest_reliability.parquet",
];

/// Writes the three backtest tables into `out`, atomically, each with the
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(horizon: i32, pit: f64, crps: [Option<f64>; 3]) -> ScoreRow {
        ScoreRow {
            indicator_id: "x".into(),
            transform: "level".into(),
            origin: 2020,
            horizon,
            year: 2020 + horizon,
            observed: 0.0,
            observed_g: 0.0,
            provenance: Provenance::Official,
            fit_n_obs: 5,
            fit_last_g: 0.0,
            fit_drift: 0.0,
            fit_s2: Some(1.0),
            fit_span_years: 4.0,
            dof: Some(3.0),
            pit,
            in50: (pit - 0.5).abs() <= 0.25,
            in80: (pit - 0.5).abs() <= 0.4,
            in95: (pit - 0.5).abs() <= 0.475,
            crps_model: crps[0],
            crps_no_change: crps[1].unwrap(),
            crps_no_param_unc: crps[2].unwrap(),
        }
    }

    #[test]
    fn skill_is_a_ratio_of_sums_over_rows_with_a_finite_crps() {
        let rows = [
            row(1, 0.5, [Some(1.0), Some(2.0), Some(1.0)]),
            row(1, 0.85, [Some(2.0), Some(2.0), Some(3.0)]),
            row(2, 0.99, [None, Some(100.0), Some(100.0)]),
        ];
        let all = pool(&rows).unwrap();
        assert_eq!((all.n, all.n_crps), (3, 2));
        assert!((all.skill_vs_no_change.unwrap() - (1.0 - 3.0 / 4.0)).abs() < 1e-12);
        assert!((all.skill_vs_no_param_unc.unwrap() - (1.0 - 3.0 / 4.0)).abs() < 1e-12);
        assert!((all.mean_pit - 2.34 / 3.0).abs() < 1e-12);
        assert_eq!(all.coverage, [1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0]);
        let by = by_horizon(&rows);
        assert_eq!(by.len(), 3);
        assert_eq!(by[1].0, Some(2));
        assert_eq!(by[1].1.skill_vs_no_change, None);
        assert_eq!(by[2].0, None);
    }
}
