//! What the engine hands on: the summaries of a run, and where its time went.
//!
//! In: nothing (types). Out: [`Outcome`], from which the tables are made:
//! per scenario and fan series its mean and quantiles ([`SeriesSummary`]),
//! per scenario and target its counts, statistic and required effort
//! ([`TargetSummary`]), per scenario and group the scorecard; and the
//! [`Timing`] of the run's phases.

use crate::model::effort::Required;
use crate::model::sensitivity::Bins;

/// The quantiles reported: p05, p10, p25, p50, p75, p90, p95.
pub const QUANTILES: [f64; 7] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95];

/// Summary of one fan series: natural-scale mean and quantiles.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSummary {
    /// Mean on the natural scale (None when not finite: a heavy-tailed `log`).
    pub mean: Option<f64>,
    /// Natural-scale quantiles at [`QUANTILES`].
    pub quantiles: [f64; 7],
}

/// Summary of one target under one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSummary {
    /// Draws that meet it.
    pub met: u64,
    /// Draws that meet it here but not in the baseline.
    pub only_here: u64,
    /// Draws that meet it in the baseline but not here.
    pub only_baseline: u64,
    /// Mean of the statistic (None when not finite).
    pub mean: Option<f64>,
    /// Quantiles of the statistic.
    pub quantiles: [f64; 7],
    /// Draws first meeting it in each calendar year from the plan's first
    /// projected year; the last entry counts never.
    pub first_met: Vec<u64>,
    /// Required effort for each of [`crate::model::effort::P_GOALS`] (None when not computed).
    pub required: Option<[Required; 3]>,
}

/// Everything the tables are made from.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Draws simulated.
    pub draws: u64,
    /// `[s * plan.series + i]`.
    pub fan: Vec<SeriesSummary>,
    /// `[s * targets + j]`; None for targets with status `insufficient_history`.
    pub targets: Vec<Option<TargetSummary>>,
    /// `[s * groups + g]`: draws with exactly k targets met, k = 0..=members.
    pub scorecard: Vec<Vec<u64>>,
    /// Per row of [`crate::plan::Plan::sensitivity`]: draws and draws met by
    /// bin of the lever's uniform (docs/model.md §6b).
    pub sensitivity: Vec<Bins>,
    /// Where the time went (varies from run to run; not a result).
    pub timing: Timing,
}

/// Where a run's time went, in seconds. Wall times are for the phases in
/// order; CPU times are summed over the workers inside the blocks, so on
/// one thread `paths + fans + targets` is about `blocks`. Not a result: it
/// varies from run to run, and is written to `run.json` for benchmarks.
/// Fields missing from an older run's `run.json` read as 0.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Timing {
    /// Wall: reading and checking the inputs.
    pub load: f64,
    /// Wall: fitting every indicator and compiling the scenarios.
    pub plan: f64,
    /// Wall: the pilot that places the quantile grids.
    pub pilot: f64,
    /// Wall: all blocks of draws.
    pub blocks: f64,
    /// Wall: merging and finishing the summaries.
    pub finish: f64,
    /// Wall: building the tables from the summaries (writing them is not
    /// included: the timing is written with them).
    pub tables: f64,
    /// CPU: simulating paths (parameters, random numbers, walks, counts,
    /// milestones): the simulation phase.
    pub paths: f64,
    /// CPU: binning the fan series into their sketches.
    pub fans: f64,
    /// CPU: testing targets, their statistics, first passage, required
    /// effort and the scorecard.
    pub targets: f64,
    /// CPU: the part of `paths` spent on random-walk indicators.
    pub walks: f64,
    /// CPU: the part of `paths` spent on count indicators.
    pub counts: f64,
    /// CPU: the part of `paths` spent on milestones.
    pub milestones: f64,
}
