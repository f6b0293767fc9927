//! The pilot that places the quantile grids (see [`crate::model::sketch`]).
//!
//! In: the plan. Out: [`Grids`] for every fan series, target statistic and
//! per-draw effort boundary, from [`PILOT_DRAWS`] draws on streams of their
//! own (block [`PILOT_BLOCK`]), so the grids do not depend on the run's draws.

use rayon::prelude::*;

use super::paths::{simulate_indicator, Block, Commons, Paths, Scratch};
use crate::model::effort::{self, Effort};
use crate::model::rng::PILOT_BLOCK;
use crate::model::sketch::Grid;
use crate::model::target::evaluate;
use crate::model::transform::Transform;
use crate::plan::{Plan, TargetPlan};

/// Draws of the pilot that places the quantile grids (not counted in results).
pub const PILOT_DRAWS: usize = 4096;

/// Cap on the quantile-grid cells one worker keeps (u32 each).
const CELL_BUDGET: usize = 1 << 25;

/// The quantile grids, placed by the pilot.
pub struct Grids {
    pub(super) fan: Vec<Grid>,
    pub(super) stat: Vec<Grid>,
    /// Per-draw effort boundaries (targets with [`Effort::PerDraw`]).
    pub(super) effort: Vec<Grid>,
    /// The factors of the effort grids' cell edges ([`effort::edge_factors`]).
    pub(super) effort_factors: Vec<Vec<f64>>,
}

/// An indicator's fan grids, and per target the grids of each scenario for
/// its statistic and its effort boundary.
type IndicatorGrids = (Vec<Grid>, Vec<(usize, Vec<Grid>, Vec<Grid>)>);

/// A draw's exact effort boundary for an [`Effort::PerDraw`] target (None
/// for other targets): the pilot places the grid the run then bins into.
#[inline]
fn per_draw_boundary(
    tp: &TargetPlan,
    transform: Transform,
    g: &[f64],
    scratch: &mut [f64],
) -> Option<f64> {
    match &tp.effort {
        Effort::PerDraw { weights, scale } => {
            // A thousandth of the typical move: far finer than the grid's cells.
            let within = (*scale, 1e-3 * scale);
            Some(effort::boundary_within(
                &tp.test, transform, g, weights, within, scratch,
            ))
        }
        _ => None,
    }
}

/// Places the quantile grids from a pilot of [`PILOT_DRAWS`] draws with its own streams.
pub fn pilot(plan: &Plan, seed: u64) -> Grids {
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let cells = (CELL_BUDGET / (ns * (plan.series + nt)).max(1)).clamp(256, 1024);
    let commons = Commons::new(plan, seed, PILOT_BLOCK, PILOT_DRAWS);
    // A worker's buffers, reused from indicator to indicator.
    let buffers = || (Paths::default(), Scratch::default(), Vec::new(), Vec::new());
    let per_indicator: Vec<IndicatorGrids> = plan
        .indicators
        .par_iter()
        .map_init(buffers, |(paths, scratch, xs, gs), ip| {
            let years = ip.years;
            let transform = ip.transform;
            let discrete = !transform.is_walk();
            // A scenario with an earlier one's settings (`same_as`) has its
            // values, hence its grids: they are placed once and copied.
            let distinct = |s: &usize| ip.is_distinct(*s);
            let live: Vec<usize> = ip
                .targets
                .iter()
                .copied()
                .filter(|&j| plan.targets[j].status.has_probability())
                .collect();
            // Targets summarised by their own statistic (not a fan series).
            let own: Vec<usize> = (0..live.len())
                .filter(|&l| plan.targets[live[l]].fan_year.is_none())
                .collect();
            let mut stat_values = vec![Vec::new(); ns * live.len()];
            let mut effort_values = vec![Vec::new(); ns * live.len()];
            let block = Block::new(plan, &commons, seed, PILOT_BLOCK, PILOT_DRAWS);
            simulate_indicator(&block, ip, paths, scratch);
            let mut fan: Vec<Grid> = Vec::with_capacity(ns * years);
            let mut values = Vec::with_capacity(PILOT_DRAWS);
            for s in 0..ns {
                for t in 0..years {
                    let grid = if distinct(&s) {
                        values.clear();
                        values.extend_from_slice(paths.g(s, t));
                        Grid::from_pilot(&mut values, cells, discrete)
                    } else {
                        fan[ip.same_as[s] * years + t].clone()
                    };
                    fan.push(grid);
                }
            }
            // Scratch of the boundary search (one value per projected year).
            let mut shifted = vec![0.0; years];
            for s in (0..ns).filter(|s| !own.is_empty() && distinct(s)) {
                paths.by_draw(s, true, xs);
                paths.by_draw(s, false, gs);
                for d in 0..PILOT_DRAWS {
                    let x = &xs[d * years..(d + 1) * years];
                    let g = &gs[d * years..(d + 1) * years];
                    for &l in &own {
                        let tp = &plan.targets[live[l]];
                        let stat = evaluate(&tp.test, x).0;
                        stat_values[s * live.len() + l].push(tp.test.sketched(stat, x));
                        if let Some(b) = per_draw_boundary(tp, transform, g, &mut shifted) {
                            if b.is_finite() {
                                effort_values[s * live.len() + l].push(b);
                            }
                        }
                    }
                }
            }
            let stats = live
                .iter()
                .enumerate()
                .map(|(l, &j)| {
                    let (mut grids, mut effort): (Vec<Grid>, Vec<Grid>) = (Vec::new(), Vec::new());
                    for s in 0..ns {
                        if !distinct(&s) {
                            grids.push(grids[ip.same_as[s]].clone());
                            effort.push(effort[ip.same_as[s]].clone());
                            continue;
                        }
                        let values = &mut stat_values[s * live.len() + l];
                        grids.push(if values.is_empty() {
                            // Summarised by its fan series (`fan_year`).
                            Grid::from_pilot(&mut [0.0], 1, true)
                        } else {
                            Grid::from_pilot(values, cells, plan.targets[j].discrete)
                        });
                        let values = &mut effort_values[s * live.len() + l];
                        if values.is_empty() {
                            values.push(0.0);
                        }
                        effort.push(Grid::from_pilot(values, cells, false));
                    }
                    (j, grids, effort)
                })
                .collect();
            (fan, stats)
        })
        .collect();
    let placeholder = Grid::from_pilot(&mut [0.0], 1, true);
    let mut fan = vec![placeholder.clone(); ns * plan.series];
    let mut stat = vec![placeholder.clone(); ns * nt];
    let mut effort = vec![placeholder; ns * nt];
    let mut effort_factors = vec![Vec::new(); ns * nt];
    for (ip, (fan_grids, stat_grids)) in plan.indicators.iter().zip(per_indicator) {
        for (k, grid) in fan_grids.into_iter().enumerate() {
            let (s, t) = (k / ip.years, k % ip.years);
            fan[s * plan.series + ip.series + t] = grid;
        }
        for (j, grids, effort_grids) in stat_grids {
            for (s, grid) in grids.into_iter().enumerate() {
                stat[s * nt + j] = grid;
            }
            if matches!(plan.targets[j].effort, Effort::PerDraw { .. }) {
                let (tp, transform) = (&plan.targets[j], ip.transform);
                for (s, grid) in effort_grids.into_iter().enumerate() {
                    effort_factors[s * nt + j] = effort::edge_factors(&tp.test, transform, &grid);
                    effort[s * nt + j] = grid;
                }
            }
        }
    }
    Grids {
        fan,
        stat,
        effort,
        effort_factors,
    }
}
