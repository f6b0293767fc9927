//! Milestones (MODEL.md §4): 0 until done, then 1.
//!
//! In: whether the history already holds a 1 and each scenario's yearly
//! hazard. Out: the paths of one block of draws.

use rand::Rng;

use super::columns::{grow, Block, Buffers, Paths};
use crate::plan::IndicatorPlan;

/// The paths of a milestone: done once a yearly uniform falls below the
/// scenario's hazard of that year (or done already).
pub(super) fn milestone(
    block: &Block,
    ip: &IndicatorPlan,
    done: bool,
    rng: &mut impl Rng,
    paths: &mut Paths,
    buffers: &mut Buffers,
) {
    let (len, years) = (block.len, ip.years);
    let u = &mut buffers.e;
    grow(u, years * len);
    for d in 0..len {
        for t in 0..years {
            u[t * len + d] = rng.random::<f64>();
        }
    }
    paths.natural_is_g = true;
    for s in (0..ip.paths.len()).filter(|&s| ip.is_distinct(s)) {
        for (t, &h) in ip.paths[s].hazard.iter().enumerate() {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            let u = &u[t * len..(t + 1) * len];
            match t {
                0 => {
                    for (g, &u) in g.iter_mut().zip(u) {
                        *g = if done || u < h { 1.0 } else { 0.0 };
                    }
                }
                _ => {
                    for ((g, &p), &u) in g.iter_mut().zip(&before[at - len..]).zip(u) {
                        *g = if p == 1.0 || u < h { 1.0 } else { 0.0 };
                    }
                }
            }
        }
    }
}
