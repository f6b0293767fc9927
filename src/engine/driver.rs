//! The driver of a run: the pilot, then blocks of draws, then the summaries.
//!
//! In: a compiled [`Plan`] and [`Settings`], inside a rayon pool of
//! `settings.threads` workers. Out: the [`Outcome`], with the [`Timing`] of
//! each phase.

use super::accumulate::{Accumulator, Engine, BLOCK};
use super::outcome::{Outcome, Timing};
use super::pilot::pilot;
use crate::plan::Plan;

/// What the engine needs besides the plan.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Number of draws (rounded up to whole blocks only in precision mode).
    pub draws: u64,
    /// The run seed.
    pub seed: u64,
    /// Worker count (the caller runs the engine inside a pool of this size).
    pub threads: usize,
}

/// Runs the whole simulation: pilot, then every block, inside the current
/// rayon pool. With `precision`, blocks are added until every P(attain) has a
/// standard error at most that, or `max_draws` is reached.
pub fn simulate(
    plan: &Plan,
    settings: &Settings,
    precision: Option<(f64, u64)>,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let started = std::time::Instant::now();
    let grids = pilot(plan, settings.seed);
    let pilot_s = started.elapsed().as_secs_f64();
    let block = BLOCK as u64;
    let blocks = settings.draws.div_ceil(block);
    let engine = Engine {
        plan,
        grids: &grids,
        seed: settings.seed,
    };
    let mut acc = Accumulator::run_blocks(
        &engine,
        0..blocks,
        settings.draws,
        settings.threads,
        progress,
    );
    if let Some((target_se, max_draws)) = precision {
        let mut done = blocks;
        let max_blocks = max_draws.div_ceil(block);
        while acc.max_se() > target_se && done < max_blocks {
            // Enough blocks to reach the target if the worst P stayed where it is.
            let worst = acc.max_se();
            let need = (acc.draws() as f64 * (worst / target_se).powi(2)).ceil() as u64;
            let next = need.div_ceil(block).clamp(done + 1, max_blocks);
            let more = Accumulator::run_blocks(
                &engine,
                done..next,
                next * block,
                settings.threads,
                progress,
            );
            acc.merge(more);
            done = next;
        }
    }
    let blocks_s = started.elapsed().as_secs_f64() - pilot_s;
    let cpu = acc.cpu;
    let mut outcome = acc.finish(plan, &grids);
    outcome.timing = Timing {
        pilot: pilot_s,
        blocks: blocks_s,
        finish: started.elapsed().as_secs_f64() - pilot_s - blocks_s,
        paths: cpu.paths.iter().sum::<std::time::Duration>().as_secs_f64(),
        fans: cpu.fans.as_secs_f64(),
        targets: cpu.targets.as_secs_f64(),
        walks: cpu.paths[0].as_secs_f64(),
        counts: cpu.paths[1].as_secs_f64(),
        milestones: cpu.paths[2].as_secs_f64(),
        ..Timing::default()
    };
    outcome
}
