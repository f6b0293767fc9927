//! The scales indicators move on (docs/model.md §1) and the rounding of published
//! figures (docs/model.md §6).
//!
//! In: natural values. Out: transform-scale values and back, and figures
//! rounded as a statistical office publishes them: half away from zero, to
//! the indicator's decimals.

/// How an indicator's natural value maps onto the line where it walks (docs/model.md §1).
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

    /// Whether the indicator moves as a random walk on a transformed scale (docs/model.md §2).
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

    /// g(cut) with the transform's bounds: ±∞ where the cut lies on or beyond one.
    pub fn forward_cut(&self, at: f64) -> f64 {
        match *self {
            Transform::Log if at <= 0.0 => f64::NEG_INFINITY,
            Transform::Logit { lower, .. } if at <= lower => f64::NEG_INFINITY,
            Transform::Logit { upper, .. } if at >= upper => f64::INFINITY,
            t => t.forward(at),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_matches_the_standard_library_on_halves_and_edges() {
        let mut values: Vec<f64> = (-40..=40).map(|k| f64::from(k) * 0.5).collect();
        values.extend([
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            4.5e15,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            f64::MIN_POSITIVE,
        ]);
        for &y in &values {
            let (got, want) = (round_half_away(y), y.round());
            assert!(got.to_bits() == want.to_bits(), "{y}: {got} != {want}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
        assert_eq!(round_scaled(99.95, 10.0), 1000.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn rounding_matches_the_standard_library(mantissa in -1.0f64..1.0, exponent in -3i32..12) {
            let y = mantissa * 10f64.powi(exponent);
            prop_assert_eq!(round_half_away(y).to_bits(), y.round().to_bits());
        }

        #[test]
        fn the_nudge_is_a_relative_step_of_four_ulps_away_from_zero(
            x in prop_oneof![-1e6f64..1e6, Just(99.95), Just(-99.95), Just(0.0), Just(1e-310)],
            decimals in -2i32..3,
        ) {
            let scale = 10f64.powi(decimals);
            let scaled = x * scale;
            let nudged = scaled + scaled.signum() * scaled.abs() * 4.0 * f64::EPSILON;
            prop_assert_eq!(round_scaled(x, scale).to_bits(), nudged.round().to_bits());
        }
    }

    #[test]
    fn cuts_on_bounds_are_infinite() {
        let logit = Transform::Logit {
            lower: 0.0,
            upper: 100.0,
        };
        assert_eq!(logit.forward_cut(100.0), f64::INFINITY);
        assert_eq!(logit.forward_cut(0.0), f64::NEG_INFINITY);
        assert!(logit.forward_cut(50.0).abs() < 1e-15);
        assert_eq!(Transform::Log.forward_cut(0.0), f64::NEG_INFINITY);
        assert_eq!(Transform::Count.forward_cut(12.5), 12.5);
        assert_eq!(Transform::Milestone.forward_cut(0.5), 0.5);
        assert_eq!(Transform::Level.forward_cut(-3.0), -3.0);
    }
}
