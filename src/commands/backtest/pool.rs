//! Scores pooled over many forecasts: coverage, mean PIT and CRPS skill,
//! by horizon and over all; and the Brier scores of the pseudo-targets.
//!
//! In: score rows and event rows. Out: [`Pooled`] summaries.

use std::collections::BTreeMap;

use crate::model::score::brier;
use crate::tables::backtest::{EventRow, ScoreRow};

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
    /// 1 − Σ CRPS_model / Σ CRPS_drift (the walk with drift, φ = 1), over
    /// the walks' rows.
    pub skill_vs_drift: Option<f64>,
    /// 1 − Σ CRPS_model / Σ CRPS_naive (the walk without drift, φ = 0), over
    /// the walks' rows.
    pub skill_vs_naive: Option<f64>,
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
        skill_vs_drift: paired_skill(&rows, |r| r.crps_drift),
        skill_vs_naive: paired_skill(&rows, |r| r.crps_naive),
    })
}

/// 1 − Σ CRPS_model / Σ CRPS_reference over the rows where both are finite.
fn paired_skill(rows: &[&ScoreRow], reference: impl Fn(&ScoreRow) -> Option<f64>) -> Option<f64> {
    let (model, other) = rows
        .iter()
        .filter_map(|r| r.crps_model.zip(reference(r)))
        .fold((0.0, 0.0), |(a, b), (m, o)| (a + m, b + o));
    (other > 0.0).then(|| 1.0 - model / other)
}

/// Whether the evidence is thin: fewer than [`THIN_SERIES`] series or
/// [`THIN_FORECASTS`] forecasts scored.
pub fn thin(series: usize, forecasts: usize) -> bool {
    series < THIN_SERIES || forecasts < THIN_FORECASTS
}

/// Fewer series scored than this is thin evidence.
pub const THIN_SERIES: usize = 30;
/// Fewer forecasts scored than this is thin evidence.
pub const THIN_FORECASTS: usize = 300;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::Provenance;

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
            analog: None,
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
            crps_drift: crps[1],
            crps_naive: crps[2],
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
