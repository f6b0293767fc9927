//! The Monte Carlo engine (docs/model.md §2–7).
//!
//! In: a compiled [`Plan`](crate::plan::Plan) and [`Settings`]. Out: an
//! [`Outcome`] of summaries: per scenario and fan series (indicator ×
//! projected year) the mean and quantiles; per scenario and target the
//! number of draws that meet it, the pairs against the baseline, the
//! statistic's mean and quantiles, the first year met and the required
//! effort; per scenario and scorecard group the distribution of the number
//! of targets met.
//!
//! Each draw takes every indicator's parameters from their posterior and
//! walks it forward year by year under every scenario ([`paths`]: a random
//! walk with Student-t parameter uncertainty, a Gamma–Poisson stock, a
//! milestone with a yearly hazard); every scenario uses the same draws of an
//! indicator (common random numbers). The draws' outcomes are summarised as
//! they come (`accumulate.rs`) and finished into the outcome (`finish.rs`).
//!
//! The driver (`driver.rs`) runs the [`pilot`] (draws on streams of their own
//! that place the quantile grids), then blocks of [`BLOCK`] draws on the
//! rayon pool, then the summaries. Every block has its own streams keyed by
//! (seed, indicator, block) and (seed, factor or shock, block), so a block's
//! numbers do not depend on which thread runs it; summaries merge with
//! integer counts and block-ordered sums, so tables do not depend on the
//! thread count. Workers take the next block as they free up.

mod accumulate;
mod driver;
mod finish;
mod outcome;
pub mod paths;
mod pilot;

pub use accumulate::{Accumulator, Engine, BLOCK};
pub use driver::{simulate, Settings};
pub use outcome::{Outcome, SeriesSummary, TargetSummary, Timing, QUANTILES};
pub use pilot::{pilot, Grids, PILOT_DRAWS};

#[cfg(test)]
mod tests;
