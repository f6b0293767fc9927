//! Writing the backtest tables: Parquet, atomically, with a manifest.
//!
//! In: a [`Backtest`] and its [`BacktestManifest`]. Out, in the output folder:
//! `backtest.parquet` (one row per forecast of a published figure, the
//! columns of [`super::ScoreRow`]), `backtest_events.parquet` (one row per
//! pseudo-target, [`super::EventRow`]) and `backtest_reliability.parquet`
//! (forecaster × probability bin). All three are staged under temporary
//! names and renamed together ([`Staged`]); each carries the manifest as
//! key-value metadata under [`crate::write::MANIFEST_KEY`] (`attain.run`).

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::Backtest;
use crate::error::{Error, Result};
use crate::write::Staged;

/// What a backtest was: enough to reproduce it.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestManifest {
    /// Always `attain`.
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// Always `backtest`.
    pub command: String,
    /// The origins, `FROM..TO` inclusive.
    pub origins: String,
    /// SHA-256 of every input file, by path.
    pub inputs: BTreeMap<String, String>,
    /// Start time, UTC, ISO 8601.
    pub started_utc: String,
}

fn col<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Column::from(Series::new(name.into(), values))
}

/// `backtest.parquet` as a frame.
pub fn scores_frame(b: &Backtest) -> PolarsResult<DataFrame> {
    let r = &b.scores;
    let f = |g: fn(&super::ScoreRow) -> f64| r.iter().map(g).collect::<Vec<_>>();
    let o = |g: fn(&super::ScoreRow) -> Option<f64>| r.iter().map(g).collect::<Vec<_>>();
    let i = |g: fn(&super::ScoreRow) -> i32| r.iter().map(g).collect::<Vec<_>>();
    let t = |g: fn(&super::ScoreRow) -> bool| r.iter().map(g).collect::<Vec<_>>();
    let s = |g: fn(&super::ScoreRow) -> &String| r.iter().map(|x| g(x).clone()).collect::<Vec<_>>();
    DataFrame::new(
        r.len(),
        vec![
            col("indicator_id", s(|x| &x.indicator_id)),
            col("transform", s(|x| &x.transform)),
            col("origin", i(|x| x.origin)),
            col("horizon", i(|x| x.horizon)),
            col("year", i(|x| x.year)),
            col("observed", f(|x| x.observed)),
            col("observed_g", f(|x| x.observed_g)),
            col("provenance", s(|x| &x.provenance)),
            col(
                "fit_n_obs",
                r.iter().map(|x| x.fit_n_obs).collect::<Vec<_>>(),
            ),
            col("fit_last_g", f(|x| x.fit_last_g)),
            col("fit_drift", f(|x| x.fit_drift)),
            col("fit_s2", o(|x| x.fit_s2)),
            col("fit_span_years", f(|x| x.fit_span_years)),
            col("dof", o(|x| x.dof)),
            col("pit", f(|x| x.pit)),
            col("in50", t(|x| x.in50)),
            col("in80", t(|x| x.in80)),
            col("in95", t(|x| x.in95)),
            col("crps_model", o(|x| x.crps_model)),
            col("crps_no_change", f(|x| x.crps_no_change)),
            col("crps_no_param_unc", f(|x| x.crps_no_param_unc)),
        ],
    )
}

/// `backtest_events.parquet` as a frame.
pub fn events_frame(b: &Backtest) -> PolarsResult<DataFrame> {
    let r = &b.events;
    let f = |g: fn(&super::EventRow) -> f64| r.iter().map(g).collect::<Vec<_>>();
    let i = |g: fn(&super::EventRow) -> i32| r.iter().map(g).collect::<Vec<_>>();
    DataFrame::new(
        r.len(),
        vec![
            col(
                "indicator_id",
                r.iter().map(|x| x.indicator_id.clone()).collect::<Vec<_>>(),
            ),
            col("origin", i(|x| x.origin)),
            col("horizon", i(|x| x.horizon)),
            col("year", i(|x| x.year)),
            col("threshold", f(|x| x.threshold)),
            col("threshold_year", i(|x| x.threshold_year)),
            col("p_model", f(|x| x.p_model)),
            col("p_trend", f(|x| x.p_trend)),
            col("outcome", r.iter().map(|x| x.outcome).collect::<Vec<_>>()),
        ],
    )
}

/// `backtest_reliability.parquet` as a frame: one row per forecaster and bin.
pub fn reliability_frame(b: &Backtest) -> PolarsResult<DataFrame> {
    let rows: Vec<(&String, &crate::score::ReliabilityBin)> = b
        .reliability
        .tables
        .iter()
        .flat_map(|(name, bins)| bins.iter().map(move |bin| (name, bin)))
        .collect();
    DataFrame::new(
        rows.len(),
        vec![
            col(
                "forecaster",
                rows.iter().map(|(n, _)| (*n).clone()).collect::<Vec<_>>(),
            ),
            col(
                "bin_low",
                rows.iter().map(|(_, b)| b.low).collect::<Vec<_>>(),
            ),
            col(
                "bin_high",
                rows.iter().map(|(_, b)| b.high).collect::<Vec<_>>(),
            ),
            col(
                "n",
                rows.iter().map(|(_, b)| b.n as u32).collect::<Vec<_>>(),
            ),
            col(
                "mean_forecast",
                rows.iter()
                    .map(|(_, b)| b.mean_forecast)
                    .collect::<Vec<_>>(),
            ),
            col(
                "observed_frequency",
                rows.iter()
                    .map(|(_, b)| b.observed_frequency)
                    .collect::<Vec<_>>(),
            ),
        ],
    )
}

/// Builds one table from a backtest.
type FrameOf = fn(&Backtest) -> PolarsResult<DataFrame>;

/// Writes the three backtest tables into `out`, atomically.
pub fn write_backtest(out: &Path, b: &Backtest, manifest: &BacktestManifest) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e.into(),
    })?;
    let json = serde_json::to_string_pretty(manifest).map_err(|e| Error::Other(e.to_string()))?;
    let mut staged = Staged::new();
    let frames: [(&str, FrameOf); 3] = [
        ("backtest.parquet", scores_frame),
        ("backtest_events.parquet", events_frame),
        ("backtest_reliability.parquet", reliability_frame),
    ];
    for (name, frame) in frames {
        let path = out.join(name);
        let mut frame = frame(b).map_err(|e| Error::Write {
            path: path.clone(),
            source: e.into(),
        })?;
        staged.parquet(&path, &mut frame, &json)?;
    }
    staged.commit()
}
