//! The paths of one indicator in one block of draws, under every scenario.
//!
//! In: an indicator's plan (its fit and its settings per scenario) and a
//! [`Block`]. Out: its [`Paths`], column by column (scenario × year, all
//! draws of the block). What moves an indicator is its model:
//!
//! - `walk.rs`: a random walk with drift and Student-t parameter
//!   uncertainty (`level`, `log`, `logit`; docs/model.md §2);
//! - `count.rs`: a stock growing by Poisson additions with a Gamma-
//!   distributed rate (docs/model.md §3), by the inversion of `poisson.rs`;
//! - `milestone.rs`: done with a yearly hazard (docs/model.md §4).
//!
//! Every kernel draws from the indicator's stream of the block, keyed by
//! (seed, indicator, block), and every scenario uses the same draws (common
//! random numbers); `columns.rs` holds the buffers they fill.

mod columns;
mod count;
mod milestone;
mod poisson;
mod walk;

pub use columns::{Block, Commons, Paths};
pub use poisson::{poisson_inverse, INVERSION_MAX_RATE};

use crate::model::fit::Fit;
use crate::model::rng::{stream, Domain};
use crate::plan::IndicatorPlan;

/// What the kernels reuse from indicator to indicator: per-draw numbers and
/// a count's per-chunk state.
#[derive(Debug, Default)]
pub struct Scratch {
    buffers: columns::Buffers,
    chunk: count::Chunk,
}

/// Simulates the draws of one indicator in a block into `paths`.
pub fn simulate_indicator(
    block: &Block,
    ip: &IndicatorPlan,
    paths: &mut Paths,
    scratch: &mut Scratch,
) {
    paths.reset(ip, block.len);
    if ip.years == 0 {
        return;
    }
    let mut rng = stream(block.seed, Domain::Indicator, ip.key, block.index);
    let Scratch { buffers, chunk } = scratch;
    match &ip.fit {
        Fit::Walk(w) => walk::walk(block, ip, w, &mut rng, paths, buffers),
        Fit::Count(c) => {
            let stock = count::Stock::fitted(c);
            count::count(block, ip, stock, &mut rng, paths, (buffers, chunk))
        }
        Fit::AssumedCount { stock, .. } => {
            let stock = count::Stock::assumed(*stock);
            count::count(block, ip, stock, &mut rng, paths, (buffers, chunk))
        }
        Fit::Milestone { done, .. } => {
            milestone::milestone(block, ip, *done, &mut rng, paths, buffers)
        }
        Fit::Insufficient { .. } => {}
    }
}
