//! One scenario's settings for one indicator, year by year (docs/model.md §5).
//!
//! In: a resolved scenario, an indicator and its projected years. Out: a
//! [`PathSpec`]: the drift multiplier M_t, added drift A_t, volatility scale
//! V_t, rate multiplier R_t and hazard of every projected year, the shocks
//! that can hit it and its factor. Several adjustments on one indicator and
//! year compose: multipliers multiply, additions add, the last hazard (and
//! the last assumed rate) wins. A setting written as a range is an uncertain
//! lever: its fixed part stays in the year's number and the lever, drawn per
//! draw, is listed beside it ([`PathSpec::levers`]).

use std::collections::HashMap;

use crate::input::scenario::{Scenario, Value};
use crate::model::transform::Transform;

/// A setting that is either a number or the value of an uncertain lever in
/// each draw (its slot in [`super::Plan::levers`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// The same in every draw.
    Fixed(f64),
    /// Lever slot: its value in the draw.
    Lever(usize),
}

impl Amount {
    /// The amount in draw `d`, given the levers' values by slot and draw.
    #[inline]
    pub fn at(&self, levers: &[Vec<f64>], d: usize) -> f64 {
        match *self {
            Amount::Fixed(v) => v,
            Amount::Lever(slot) => levers[slot][d],
        }
    }
}

/// Which setting of a year an uncertain lever acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Multiplies the drift (M).
    DriftMult,
    /// Adds to the drift (A).
    DriftAdd,
    /// Multiplies the volatility (V).
    VolScale,
    /// Multiplies a count's rate of additions (R, or an assumed rate).
    Rate,
}

/// A shock that can hit the indicator: its projected year, its slot in
/// [`super::Plan::shocks`] and its size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShockTerm {
    /// Projected year index.
    pub year: usize,
    /// Shock slot.
    pub slot: usize,
    /// Size: transform scale, or additions lost or gained for counts.
    pub size: Amount,
}

/// One scenario's settings for one indicator, per projected year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathSpec {
    /// M_t (its fixed part).
    pub drift_mult: Vec<f64>,
    /// A_t (transform scale; its fixed part).
    pub drift_add: Vec<f64>,
    /// V_t (its fixed part).
    pub vol_scale: Vec<f64>,
    /// R_t of counts, times the assumed rate of a count projected from one
    /// (their fixed parts).
    pub rate_mult: Vec<f64>,
    /// Yearly hazard (milestones).
    pub hazard: Vec<Amount>,
    /// Per projected year, the uncertain levers acting on its settings.
    pub levers: Vec<Vec<(Setting, usize)>>,
    /// Shocks that can hit this indicator.
    pub shocks: Vec<ShockTerm>,
    /// The factor it belongs to: (factor slot, ρ).
    pub factor: Option<(usize, f64)>,
}

impl PathSpec {
    /// Whether any setting of year `t` is uncertain.
    #[inline]
    pub fn uncertain(&self, t: usize) -> bool {
        !self.levers[t].is_empty()
    }

    /// Every lever slot that can move this path: its settings', its hazard's
    /// and its shocks' (their sizes; their probabilities are in `shock_levers`).
    pub fn lever_slots(&self, shock_levers: &[Option<usize>]) -> Vec<usize> {
        let mut slots: Vec<usize> = self.levers.iter().flatten().map(|&(_, l)| l).collect();
        slots.extend(self.hazard.iter().filter_map(|h| match h {
            Amount::Lever(l) => Some(*l),
            Amount::Fixed(_) => None,
        }));
        for sh in &self.shocks {
            if let Amount::Lever(l) = sh.size {
                slots.push(l);
            }
            slots.extend(shock_levers[sh.slot]);
        }
        slots.sort_unstable();
        slots.dedup();
        slots
    }
}

/// Where each shock, factor and lever of the run draws its numbers: its
/// slot, by stream key (an entry inherited by several scenarios has one slot).
pub(super) struct Slots<'a> {
    /// Shock slots by key.
    pub shocks: &'a HashMap<u64, usize>,
    /// Factor slots by key.
    pub factors: &'a HashMap<u64, usize>,
    /// Lever slots by key.
    pub levers: &'a HashMap<u64, usize>,
}

impl Slots<'_> {
    /// A field as an [`Amount`].
    fn amount(&self, v: &Value) -> Amount {
        match v {
            Value::Fixed(x) => Amount::Fixed(*x),
            Value::Uncertain(l) => Amount::Lever(self.levers[&l.key]),
        }
    }
}

/// The settings of `scenario` for indicator `k` on `transform`, projected
/// over `years` years from `start`. For a count projected from an assumed
/// rate (`assumed`), R_t is the scenario's rate multiplier times its
/// assumed rate of year t (years no `rate` covers add nothing).
// Year `t` indexes six arrays of the spec at once: a range reads clearer
// than zipping them.
#[allow(clippy::needless_range_loop)]
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
        hazard: vec![Amount::Fixed(0.0); years],
        levers: vec![Vec::new(); years],
        shocks: Vec::new(),
        factor: None,
    };
    let walk = transform.is_walk();
    let mut rate = vec![Amount::Fixed(0.0); years];
    // A multiplier or an addition: its fixed part into the year's number,
    // a lever beside it.
    let compose =
        |fixed: &mut f64, levers: &mut Vec<(Setting, usize)>, v: &Option<Value>, setting, add| {
            match v {
                Some(Value::Fixed(x)) if add => *fixed += x,
                Some(Value::Fixed(x)) => *fixed *= x,
                Some(Value::Uncertain(l)) => levers.push((setting, slots.levers[&l.key])),
                None => {}
            }
        };
    for a in scenario
        .adjusts
        .iter()
        .filter(|a| a.indicators.contains(&k))
    {
        for (t, rate_t) in rate.iter_mut().enumerate() {
            if !a.covers(start + t as i32) {
                continue;
            }
            let levers = &mut p.levers[t];
            if walk {
                compose(
                    &mut p.drift_mult[t],
                    levers,
                    &a.drift_mult,
                    Setting::DriftMult,
                    false,
                );
                compose(
                    &mut p.drift_add[t],
                    levers,
                    &a.drift_add,
                    Setting::DriftAdd,
                    true,
                );
                compose(
                    &mut p.vol_scale[t],
                    levers,
                    &a.vol_scale,
                    Setting::VolScale,
                    false,
                );
            }
            if transform == Transform::Count {
                compose(
                    &mut p.rate_mult[t],
                    levers,
                    &a.rate_mult,
                    Setting::Rate,
                    false,
                );
                if let Some(r) = &a.rate {
                    *rate_t = slots.amount(r);
                }
            }
            if transform == Transform::Milestone {
                if let Some(h) = &a.hazard {
                    p.hazard[t] = slots.amount(h);
                }
            }
        }
    }
    if assumed {
        for (t, r) in rate.into_iter().enumerate() {
            match r {
                Amount::Fixed(x) => p.rate_mult[t] *= x,
                Amount::Lever(slot) => p.levers[t].push((Setting::Rate, slot)),
            }
        }
    }
    for sh in scenario.shocks.iter().filter(|s| s.indicators.contains(&k)) {
        if sh.year >= start && ((sh.year - start) as usize) < years {
            p.shocks.push(ShockTerm {
                year: (sh.year - start) as usize,
                slot: slots.shocks[&sh.key],
                size: slots.amount(&sh.size),
            });
        }
    }
    if walk {
        if let Some(f) = scenario.factors.iter().find(|f| f.indicators.contains(&k)) {
            p.factor = Some((slots.factors[&f.key], f.loading));
        }
    }
    p
}
