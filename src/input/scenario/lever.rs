//! A numeric field of a scenario entry: a number, or an uncertain lever
//! written as a range (docs/model.md §5).
//!
//! In: the field's TOML value and the range the field allows. Out: a
//! [`Value`], or an input error naming the file and the key: not a number
//! or a range, an unknown key in the range, a bound outside what the field
//! allows, `low` not below `high`, a `mode` outside [low, high].
//!
//! ```toml
//! drift_mult = 1.2                                      # a number
//! drift_mult = { low = 1.1, high = 1.3 }                # uniform
//! drift_add  = { low = 0.0, mode = 0.01, high = 0.03 }  # triangular
//! ```

use crate::error::{Error, Place, Result};
use crate::model::lever::Spread;
use crate::model::rng::stable_hash;

/// A numeric field of a scenario entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Fixed(f64),
    /// A judgement written as a range: drawn once per draw.
    Uncertain(Lever),
}

impl Value {
    /// The number, when it is one.
    pub fn fixed(&self) -> Option<f64> {
        match self {
            Value::Fixed(v) => Some(*v),
            Value::Uncertain(_) => None,
        }
    }
}

/// An uncertain lever: its identity and its distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever {
    /// The entry's identity, `SCENARIO.adjust[I].FIELD` or
    /// `SCENARIO.shock[I].FIELD` (I from 0), SCENARIO the file that defines
    /// it: a scenario that inherits the entry has the same identity.
    pub id: String,
    /// The key of its stream of uniforms (from the identity).
    pub key: u64,
    /// Its distribution.
    pub spread: Spread,
}

/// What values a field allows: at least `low`, at most `high` (if any).
#[derive(Debug, Clone, Copy)]
pub(super) struct Allowed {
    pub low: f64,
    pub high: Option<f64>,
    pub what: &'static str,
}

impl Allowed {
    /// A multiplier ≥ 0.
    pub const MULTIPLIER: Allowed = Allowed {
        low: 0.0,
        high: None,
        what: "a multiplier ≥ 0",
    };
    /// A probability in [0, 1].
    pub const PROBABILITY: Allowed = Allowed {
        low: 0.0,
        high: Some(1.0),
        what: "a probability in [0, 1]",
    };
    /// Any finite number.
    pub const FINITE: Allowed = Allowed {
        low: f64::NEG_INFINITY,
        high: None,
        what: "a finite number",
    };
    /// Additions a year ≥ 0.
    pub const RATE: Allowed = Allowed {
        low: 0.0,
        high: None,
        what: "additions a year ≥ 0",
    };

    fn holds(&self, v: f64) -> bool {
        v.is_finite() && v >= self.low && self.high.is_none_or(|h| v <= h)
    }
}

/// Reads field `field` of entry `entry` (e.g. `adjust[0]`) of scenario
/// `scenario`, a number or a range; `place` names a key of its file.
pub(super) fn value(
    raw: &toml::Value,
    (scenario, entry, field): (&str, &str, &str),
    allowed: Allowed,
    place: &dyn Fn(&str) -> Place,
) -> Result<Value> {
    let key = format!("{entry}.{field}");
    let number = |v: &toml::Value| match v {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    };
    match raw {
        toml::Value::Table(table) => {
            let mut ends = [None; 3];
            for (name, v) in table {
                let slot = ["low", "mode", "high"].iter().position(|k| k == name);
                let Some(slot) = slot else {
                    return Err(Error::input(
                        place(&format!("{key}.{name}")),
                        "a range with `low`, `high` and, for a triangular one, `mode`",
                        format!("the key `{name}`"),
                    ));
                };
                let x = number(v).ok_or_else(|| {
                    Error::input(place(&format!("{key}.{name}")), "a number", v.to_string())
                })?;
                if !allowed.holds(x) {
                    return Err(Error::input(
                        place(&format!("{key}.{name}")),
                        allowed.what,
                        format!("{x}"),
                    ));
                }
                ends[slot] = Some(x);
            }
            let (Some(low), Some(high)) = (ends[0], ends[2]) else {
                return Err(Error::input(
                    place(&key),
                    "a range with both `low` and `high`",
                    if ends[0].is_none() {
                        "no `low`"
                    } else {
                        "no `high`"
                    },
                ));
            };
            if low >= high {
                return Err(Error::input(
                    place(&format!("{key}.high")),
                    format!("a `high` above `low` ({low})"),
                    format!("{high}"),
                ));
            }
            let spread = match ends[1] {
                None => Spread::Uniform { low, high },
                Some(mode) if (low..=high).contains(&mode) => {
                    Spread::Triangular { low, mode, high }
                }
                Some(mode) => {
                    return Err(Error::input(
                        place(&format!("{key}.mode")),
                        format!("a `mode` from `low` to `high` ({low} to {high})"),
                        format!("{mode}"),
                    ))
                }
            };
            let id = format!("{scenario}.{key}");
            Ok(Value::Uncertain(Lever {
                key: stable_hash(&id),
                id,
                spread,
            }))
        }
        v => match number(v) {
            Some(x) if allowed.holds(x) => Ok(Value::Fixed(x)),
            Some(x) => Err(Error::input(place(&key), allowed.what, format!("{x}"))),
            None => Err(Error::input(
                place(&key),
                format!("{}, or a range {{ low = …, high = … }}", allowed.what),
                v.to_string(),
            )),
        },
    }
}
