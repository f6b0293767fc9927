//! The indicator catalog: indicators, targets and their history, validated.
//!
//! In: `indicators`, `targets` and `history` tables from a data folder
//! ([`crate::load`]). Out: a [`Catalog`] whose values cannot be wrong in the
//! ways INTERFACE.md and MODEL.md §1, §3, §6 forbid, plus warnings (values on
//! a `logit` bound nudged inside). Every error names the file, the row as a
//! spreadsheet numbers it, the column, what was expected and what was found.
//!
//! This file defines the types; `parse.rs` reads and validates the tables.

use std::path::PathBuf;

mod parse;

pub use parse::load_catalog;

/// How an indicator's natural value maps onto the line where it walks (MODEL.md §1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// g(x) = x.
    Level,
    /// g(x) = ln x.
    Log,
    /// g(x) = ln((x − lower) / (upper − x)).
    Logit {
        /// Floor a.
        lower: f64,
        /// Ceiling b.
        upper: f64,
    },
    /// An integer stock that only grows by additions.
    Count,
    /// 0 until done, then 1.
    Milestone,
}

impl Transform {
    /// The catalog name.
    pub fn name(&self) -> &'static str {
        match self {
            Transform::Level => "level",
            Transform::Log => "log",
            Transform::Logit { .. } => "logit",
            Transform::Count => "count",
            Transform::Milestone => "milestone",
        }
    }

    /// Whether the indicator moves as a random walk on a transformed scale (MODEL.md §2).
    pub fn is_walk(&self) -> bool {
        matches!(
            self,
            Transform::Level | Transform::Log | Transform::Logit { .. }
        )
    }

    /// g(x), for walk transforms; counts and milestones are returned unchanged.
    pub fn forward(&self, x: f64) -> f64 {
        match *self {
            Transform::Log => x.ln(),
            Transform::Logit { lower, upper } => ((x - lower) / (upper - x)).ln(),
            _ => x,
        }
    }

    /// g⁻¹(G).
    #[inline]
    pub fn inverse(&self, g: f64) -> f64 {
        match *self {
            Transform::Log => g.exp(),
            Transform::Logit { lower, upper } => lower + (upper - lower) / (1.0 + (-g).exp()),
            _ => g,
        }
    }
}

/// Where a history figure comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Provenance {
    /// Published on a government site.
    Official,
    /// A re-publication of an official figure.
    Secondary,
    /// Stated in the plan itself.
    Plan,
    /// A stand-in to be replaced, made by a documented script.
    Illustrative,
}

impl Provenance {
    /// The catalog name.
    pub fn name(&self) -> &'static str {
        match self {
            Provenance::Official => "official",
            Provenance::Secondary => "secondary",
            Provenance::Plan => "plan",
            Provenance::Illustrative => "illustrative",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "official" => Provenance::Official,
            "secondary" => Provenance::Secondary,
            "plan" => Provenance::Plan,
            "illustrative" => Provenance::Illustrative,
            _ => return None,
        })
    }
}

/// One indicator of the catalog.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Stable snake_case id.
    pub id: String,
    /// Chinese name as the plan writes it.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Group, e.g. `efficiency`.
    pub group: String,
    /// Unit, e.g. `%`.
    pub unit: String,
    /// Transform and its bounds.
    pub transform: Transform,
    /// Decimals the figure is published with.
    pub decimals: i32,
}

impl Indicator {
    /// Rounds a natural value as it would be published: half away from zero to
    /// [`Indicator::decimals`] (MODEL.md §6).
    #[inline]
    pub fn publish(&self, x: f64) -> f64 {
        round_published(x, self.decimals)
    }
}

/// Rounds half away from zero to `decimals` decimals.
#[inline]
pub fn round_published(x: f64, decimals: i32) -> f64 {
    let scale = pow10(decimals);
    round_scaled(x, scale) / scale
}

/// 10^`decimals`.
#[inline]
pub fn pow10(decimals: i32) -> f64 {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    usize::try_from(decimals)
        .ok()
        .and_then(|d| POW10.get(d).copied())
        .unwrap_or_else(|| 10f64.powi(decimals))
}

/// The published figure of `x` in units of 1/`scale` (`scale` = 10^decimals):
/// a whole number, so published figures add and subtract exactly in these
/// units, and [`round_published`] is `round_scaled(x, scale) / scale`.
#[inline]
pub fn round_scaled(x: f64, scale: f64) -> f64 {
    // Scaling can land a hair below a half (99.95 * 10 = 999.4999…); a relative
    // nudge of a few ulps keeps published halves rounding away from zero.
    // `scaled · (1 + 4ε)` is `scaled + |scaled|·4ε` away from zero, rounded
    // once (1 + 4ε is exact, and so is scaled·4ε).
    let scaled = x * scale;
    round_half_away(scaled * (1.0 + 4.0 * f64::EPSILON))
}

/// `y.round()` (halves away from zero), without a call into the maths
/// library: truncation by conversion is exact below 2^52, and so is the
/// fraction `|y| − trunc|y|`.
#[inline]
fn round_half_away(y: f64) -> f64 {
    let a = y.abs();
    if a.is_nan() || a >= 4.0e15 {
        return y.round();
    }
    let t = a as i64 as f64;
    // Adding 0 or 1 (not a branch): whether a fraction reaches a half is a
    // coin toss to the branch predictor.
    let r = t + f64::from(u8::from(a - t >= 0.5));
    r.copysign(y)
}

/// One observed figure.
#[derive(Debug, Clone)]
pub struct Observation {
    /// Calendar year.
    pub year: i32,
    /// Value on the natural scale (nudged inside a `logit` bound if it lay on one).
    pub value: f64,
    /// Where it comes from.
    pub provenance: Provenance,
    /// The publication.
    pub source: String,
}

/// How a target's statistic is formed (MODEL.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The value in the target year.
    Level,
    /// Value in the target year minus value in `base_year`.
    Increase {
        /// The base year (observed or simulated).
        base_year: i32,
    },
    /// The comparison holds in every year from `from_year` to the target year.
    EveryYear {
        /// First year checked.
        from_year: i32,
    },
    /// Sum of yearly values from `from_year` to the target year.
    Cumulative {
        /// First year summed.
        from_year: i32,
    },
    /// Done by the target year.
    Milestone,
}

impl TargetKind {
    /// The catalog name.
    pub fn name(&self) -> &'static str {
        match self {
            TargetKind::Level => "level",
            TargetKind::Increase { .. } => "increase",
            TargetKind::EveryYear { .. } => "every_year",
            TargetKind::Cumulative { .. } => "cumulative",
            TargetKind::Milestone => "milestone",
        }
    }
}

/// A comparison with the target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
}

impl Comparator {
    /// The catalog symbol.
    pub fn symbol(&self) -> &'static str {
        match self {
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
        }
    }

    /// Whether `x` meets `value`.
    #[inline]
    pub fn holds(&self, x: f64, value: f64) -> bool {
        match self {
            Comparator::Ge => x >= value,
            Comparator::Gt => x > value,
            Comparator::Le => x <= value,
            Comparator::Lt => x < value,
        }
    }

    /// Whether larger values are better.
    pub fn upward(&self) -> bool {
        matches!(self, Comparator::Ge | Comparator::Gt)
    }
}

/// One target of the plan.
#[derive(Debug, Clone)]
pub struct Target {
    /// Target id.
    pub id: String,
    /// Index of its indicator in [`Catalog::indicators`].
    pub indicator: usize,
    /// How the statistic is formed.
    pub kind: TargetKind,
    /// The comparison.
    pub comparator: Comparator,
    /// The target value, in the indicator's units.
    pub value: f64,
    /// The year by which it is to be met.
    pub target_year: i32,
    /// The clause of the plan it comes from.
    pub source: String,
}

/// The validated inputs of a run.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Indicators, in file order.
    pub indicators: Vec<Indicator>,
    /// Targets, in file order.
    pub targets: Vec<Target>,
    /// History per indicator (same order as `indicators`), sorted by year.
    pub history: Vec<Vec<Observation>>,
    /// Things worth knowing that are not errors.
    pub warnings: Vec<String>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Catalog {
    /// Index of an indicator by id.
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    /// The last observed year of an indicator, if any.
    pub fn last_year(&self, indicator: usize) -> Option<i32> {
        self.history[indicator].last().map(|o| o.year)
    }

    /// The weakest provenance among an indicator's history rows.
    pub fn weakest_provenance(&self, indicator: usize) -> Option<Provenance> {
        self.history[indicator].iter().map(|o| o.provenance).max()
    }

    /// Whether any history row of the indicator is illustrative.
    pub fn rests_on_illustrative(&self, indicator: usize) -> bool {
        self.weakest_provenance(indicator) == Some(Provenance::Illustrative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn rounding_matches_the_standard_library() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let mut values: Vec<f64> = (-40..=40).map(|k| f64::from(k) * 0.5).collect();
        values.extend([
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            4.5e15,
            -0.0,
        ]);
        values.extend([f64::INFINITY, f64::NEG_INFINITY, 1e300, f64::MIN_POSITIVE]);
        for _ in 0..100_000 {
            let scale = 10f64.powi(rng.random_range(-3..12));
            values.push((rng.random::<f64>() - 0.5) * scale);
        }
        for &y in &values {
            let (got, want) = (round_half_away(y), y.round());
            assert!(got.to_bits() == want.to_bits(), "{y}: {got} != {want}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
        // The nudge of `round_scaled` as one product equals its written-out
        // form, a relative step of 4ε away from zero, bit for bit.
        values.extend([99.95, -99.95, 0.0, 1e-310, -1e-310, f64::NAN]);
        for &x in &values {
            for scale in [1.0, 10.0, 100.0, 1e-2] {
                let scaled = x * scale;
                let nudged = scaled + scaled.signum() * scaled.abs() * 4.0 * f64::EPSILON;
                let (got, want) = (round_scaled(x, scale), nudged.round());
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{x}·{scale}: {got} != {want}"
                );
            }
        }
        assert_eq!(round_scaled(99.95, 10.0), 1000.0);
    }
}
