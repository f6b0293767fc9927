//! One scenario's settings for one indicator, year by year (MODEL.md §5).
//!
//! In: a resolved scenario, an indicator and its projected years. Out: a
//! [`PathSpec`]: the drift multiplier M_t, added drift A_t, volatility scale
//! V_t, rate multiplier R_t and hazard of every projected year, the shocks
//! that can hit it and its factor. Several adjustments on one indicator and
//! year compose: multipliers multiply, additions add, the last hazard wins.

use std::collections::HashMap;

use crate::input::scenario::Scenario;
use crate::model::transform::Transform;

/// One scenario's settings for one indicator, per projected year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathSpec {
    /// M_t.
    pub drift_mult: Vec<f64>,
    /// A_t (transform scale).
    pub drift_add: Vec<f64>,
    /// V_t.
    pub vol_scale: Vec<f64>,
    /// R_t (counts).
    pub rate_mult: Vec<f64>,
    /// Yearly hazard (milestones).
    pub hazard: Vec<f64>,
    /// Shocks that can hit this indicator: (projected year index, shock slot, size).
    pub shocks: Vec<(usize, usize, f64)>,
    /// The factor it belongs to: (factor slot, ρ).
    pub factor: Option<(usize, f64)>,
}

/// Where each shock and factor of the run draws its numbers: its slot, by
/// stream key (a shock inherited by several scenarios has one slot).
pub(super) struct Slots<'a> {
    /// Shock slots by key.
    pub shocks: &'a HashMap<u64, usize>,
    /// Factor slots by key.
    pub factors: &'a HashMap<u64, usize>,
}

/// The settings of `scenario` for indicator `k` on `transform`, projected
/// over `years` years from `start`. For a count projected from an assumed
/// rate (`assumed`), R_t is the scenario's rate multiplier times its
/// assumed rate of year t (years no `rate` covers add nothing).
pub(super) fn path_spec(
    scenario: &Scenario,
    (k, transform, assumed): (usize, Transform, bool),
    start: i32,
    years: usize,
    slots: &Slots,
) -> PathSpec {
    let mut p = PathSpec {
        drift_mult: vec![1.0; years],
        drift_add: vec![0.0; years],
        vol_scale: vec![1.0; years],
        rate_mult: vec![1.0; years],
        hazard: vec![0.0; years],
        shocks: Vec::new(),
        factor: None,
    };
    let walk = transform.is_walk();
    let mut rate = vec![0.0; years];
    for a in scenario
        .adjusts
        .iter()
        .filter(|a| a.indicators.contains(&k))
    {
        for (t, assumed) in rate.iter_mut().enumerate() {
            if !a.covers(start + t as i32) {
                continue;
            }
            if walk {
                p.drift_mult[t] *= a.drift_mult.unwrap_or(1.0);
                p.drift_add[t] += a.drift_add.unwrap_or(0.0);
                p.vol_scale[t] *= a.vol_scale.unwrap_or(1.0);
            }
            if transform == Transform::Count {
                p.rate_mult[t] *= a.rate_mult.unwrap_or(1.0);
                if let Some(r) = a.rate {
                    *assumed = r;
                }
            }
            if transform == Transform::Milestone {
                if let Some(h) = a.hazard {
                    p.hazard[t] = h;
                }
            }
        }
    }
    if assumed {
        for (r, assumed) in p.rate_mult.iter_mut().zip(&rate) {
            *r *= assumed;
        }
    }
    for sh in scenario.shocks.iter().filter(|s| s.indicators.contains(&k)) {
        if sh.year >= start && ((sh.year - start) as usize) < years {
            p.shocks
                .push(((sh.year - start) as usize, slots.shocks[&sh.key], sh.size));
        }
    }
    if walk {
        if let Some(f) = scenario.factors.iter().find(|f| f.indicators.contains(&k)) {
            p.factor = Some((slots.factors[&f.key], f.loading));
        }
    }
    p
}
