//! The pilot that places the quantile grids (see [`crate::sketch`]).
//!
//! In: the plan. Out: [`Grids`] for every fan series, target statistic and
//! per-draw effort boundary, from [`PILOT_DRAWS`] draws on streams of their
//! own (block [`PILOT_BLOCK`]), so the grids do not depend on the run's draws.

use rayon::prelude::*;

use super::{commons, evaluate, simulate_indicator, Block, Paths, Scratch, PILOT_DRAWS};
use crate::catalog::Transform;
use crate::effort::{self, Effort};
use crate::plan::{Plan, Status, TargetPlan};
use crate::rng::PILOT_BLOCK;
use crate::sketch::Grid;

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
                tp, transform, g, weights, within, scratch,
            ))
        }
        _ => None,
    }
}

/// Places the quantile grids from a pilot of [`PILOT_DRAWS`] draws with its own streams.
pub fn pilot(plan: &Plan, transforms: &[Transform], seed: u64) -> Grids {
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let cells = (CELL_BUDGET / (ns * (plan.series + nt)).max(1)).clamp(256, 1024);
    let commons = commons(plan, seed, PILOT_BLOCK, PILOT_DRAWS);
    let per_indicator: Vec<IndicatorGrids> = plan
        .indicators
        .par_iter()
        .map(|ip| {
            let years = ip.years;
            let discrete = !transforms[ip.index].is_walk();
            let mut fan_values = vec![Vec::with_capacity(PILOT_DRAWS); ns * years];
            let live: Vec<usize> = ip
                .targets
                .iter()
                .copied()
                .filter(|&j| plan.targets[j].status != Status::InsufficientHistory)
                .collect();
            let mut stat_values = vec![Vec::with_capacity(PILOT_DRAWS); ns * live.len()];
            let mut effort_values = vec![Vec::new(); ns * live.len()];
            let block = Block {
                plan,
                commons: &commons,
                seed,
                index: PILOT_BLOCK,
                len: PILOT_DRAWS,
            };
            let mut paths = Paths::default();
            simulate_indicator(
                &block,
                ip,
                transforms[ip.index],
                &mut paths,
                &mut Scratch::default(),
            );
            for s in 0..ns {
                for t in 0..years {
                    fan_values[s * years + t].extend_from_slice(paths.g(s, t));
                }
            }
            let (mut xs, mut gs, mut scratch) = (Vec::new(), Vec::new(), vec![0.0; years]);
            for s in 0..ns {
                paths.by_draw(s, true, &mut xs);
                paths.by_draw(s, false, &mut gs);
                for d in 0..PILOT_DRAWS {
                    let x = &xs[d * years..(d + 1) * years];
                    let g = &gs[d * years..(d + 1) * years];
                    for (l, &j) in live.iter().enumerate() {
                        let tp = &plan.targets[j];
                        if tp.fan_year.is_some() {
                            // Summarised by its fan series.
                            continue;
                        }
                        stat_values[s * live.len() + l].push(evaluate(tp, x).0);
                        if let Some(b) =
                            per_draw_boundary(tp, transforms[ip.index], g, &mut scratch)
                        {
                            if b.is_finite() {
                                effort_values[s * live.len() + l].push(b);
                            }
                        }
                    }
                }
            }
            let fan = fan_values
                .iter_mut()
                .map(|v| Grid::from_pilot(v, cells, discrete))
                .collect();
            let stats = live
                .iter()
                .enumerate()
                .map(|(l, &j)| {
                    let grids = (0..ns)
                        .map(|s| {
                            let values = &mut stat_values[s * live.len() + l];
                            if values.is_empty() {
                                // Summarised by its fan series (`fan_year`).
                                Grid::from_pilot(&mut [0.0], 1, true)
                            } else {
                                Grid::from_pilot(values, cells, plan.targets[j].discrete)
                            }
                        })
                        .collect();
                    let effort = (0..ns)
                        .map(|s| {
                            let values = &mut effort_values[s * live.len() + l];
                            if values.is_empty() {
                                values.push(0.0);
                            }
                            Grid::from_pilot(values, cells, false)
                        })
                        .collect();
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
                let (tp, transform) = (&plan.targets[j], transforms[ip.index]);
                for (s, grid) in effort_grids.into_iter().enumerate() {
                    effort_factors[s * nt + j] = effort::edge_factors(tp, transform, &grid);
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
