//! Milestones (docs/model.md §4): 0 until done, then 1.
//!
//! In: whether the history already holds a 1 and each scenario's yearly
//! hazard. Out: the paths of one block of draws.

use rand::Rng;

use super::columns::{grow, Block, Buffers, Paths};
use crate::plan::{Amount, IndicatorPlan};

/// The paths of a milestone: done once a yearly uniform falls below the
/// scenario's hazard of that year (or done already); a hazard written as a
/// range takes the draw's value of its lever.
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
        for (t, h) in ip.paths[s].hazard.iter().enumerate() {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            let u = &u[t * len..(t + 1) * len];
            // Done before this year: the observed 1, or the previous year's path.
            let prev = (t > 0).then(|| &before[at - len..]);
            let was = |d: usize| prev.map_or(done, |p| p[d] == 1.0);
            match *h {
                Amount::Fixed(h) => {
                    for (d, (g, &u)) in g.iter_mut().zip(u).enumerate() {
                        *g = if was(d) || u < h { 1.0 } else { 0.0 };
                    }
                }
                Amount::Lever(slot) => {
                    let h = &block.commons.levers[slot];
                    for (d, (g, &u)) in g.iter_mut().zip(u).enumerate() {
                        *g = if was(d) || u < h[d] { 1.0 } else { 0.0 };
                    }
                }
            }
        }
    }
}
