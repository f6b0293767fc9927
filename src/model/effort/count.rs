//! Required effort of counts: extra additions as a Poisson number on top of
//! each draw's own.
//!
//! In: the histogram of the draws' surpluses over what the target needs.
//! Out: P(attain) at an extra rate η, exactly, and the η at which it is a
//! goal (bisection on that smooth, monotone function).

use statrs::function::gamma::{gamma_lr, gamma_ur};

use super::Effort;
use crate::model::target::Comparator;

/// Surpluses of count targets are kept in [−SURPLUS_SPAN, SURPLUS_SPAN]
/// (further ones are counted at the ends).
pub const SURPLUS_SPAN: i64 = 8192;

/// The effort plan of a count's level or increase over `years` effort years.
pub(super) fn plan(years: f64, (comparator, value): (Comparator, f64)) -> Effort {
    if years <= 0.0 {
        return Effort::None;
    }
    let tol = 1e-9 * value.abs().max(1.0);
    let needed = match comparator {
        Comparator::Ge => (value - tol).ceil(),
        Comparator::Gt => (value + tol).floor() + 1.0,
        Comparator::Le => (value + tol).floor(),
        Comparator::Lt => (value - tol).ceil() - 1.0,
    };
    Effort::Count {
        years,
        needed: needed as i64,
    }
}

/// The slot of a count surplus in a histogram of `2·SURPLUS_SPAN + 1` cells.
#[inline]
pub fn surplus_slot(surplus: i64) -> usize {
    (surplus.clamp(-SURPLUS_SPAN, SURPLUS_SPAN) + SURPLUS_SPAN) as usize
}

/// P(s + Δ ≥ 0) for a surplus s, where Δ = +Poisson(n·η) for η ≥ 0 and
/// −Poisson(n·|η|) for η < 0.
fn p_surplus(surplus: i64, mean: f64, eta: f64) -> f64 {
    if eta >= 0.0 {
        if surplus >= 0 {
            1.0
        } else if mean == 0.0 {
            0.0
        } else {
            // P(Poisson(m) ≥ k) = P(k, m), the regularized lower gamma.
            gamma_lr((-surplus) as f64, mean)
        }
    } else if surplus < 0 {
        0.0
    } else if mean == 0.0 {
        1.0
    } else {
        // P(Poisson(m) ≤ s) = Q(s + 1, m), the regularized upper gamma.
        gamma_ur((surplus + 1) as f64, mean)
    }
}

/// P(attain) of a count target with extra drift η (helpful direction), from
/// the histogram of surpluses.
pub fn count_probability(histogram: &[(i64, u64)], years: f64, eta: f64) -> f64 {
    let total: u64 = histogram.iter().map(|&(_, c)| c).sum();
    let mean = eta.abs() * years;
    let met: f64 = histogram
        .iter()
        .map(|&(s, c)| c as f64 * p_surplus(s, mean, eta))
        .sum();
    met / total.max(1) as f64
}

/// The η at which a count target's P(attain) is `goal`.
pub fn count_solve(histogram: &[(i64, u64)], years: f64, goal: f64) -> f64 {
    let p = |eta: f64| count_probability(histogram, years, eta);
    let step = 1.0 / years;
    let (mut lo, mut hi);
    if p(0.0) >= goal {
        hi = 0.0;
        lo = -step;
        while p(lo) >= goal {
            hi = lo;
            lo *= 2.0;
            if lo < -1e12 {
                return f64::NEG_INFINITY;
            }
        }
    } else {
        lo = 0.0;
        hi = step;
        while p(hi) < goal {
            lo = hi;
            hi *= 2.0;
            if hi > 1e12 {
                return f64::INFINITY;
            }
        }
    }
    for _ in 0..100 {
        if hi - lo <= 1e-9 * hi.abs().max(lo.abs()).max(step) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if p(mid) >= goal {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Discrete, DiscreteCDF, Poisson};

    #[test]
    fn count_probability_matches_a_direct_poisson_sum() {
        // Surpluses −3 (×5), 0 (×2), 2 (×3); 4 effort years.
        let hist = [(-3, 5), (0, 2), (2, 3)];
        let eta: f64 = 0.4;
        let pois = Poisson::new(eta * 4.0).unwrap();
        let direct = (5.0 * (1.0 - pois.cdf(2)) + 2.0 + 3.0) / 10.0;
        assert!((count_probability(&hist, 4.0, eta) - direct).abs() < 1e-12);
        // Removing additions: P(Poisson(1.6) ≤ s) for s ≥ 0.
        let removed = (2.0 * pois.pmf(0) + 3.0 * pois.cdf(2)) / 10.0;
        assert!((count_probability(&hist, 4.0, -eta) - removed).abs() < 1e-12);
    }

    #[test]
    fn count_solve_inverts_count_probability() {
        let hist = [(-3, 5), (0, 2), (2, 3)];
        for goal in [0.3, 0.5, 0.8, 0.9] {
            let eta = count_solve(&hist, 4.0, goal);
            assert!(
                (count_probability(&hist, 4.0, eta) - goal).abs() < 1e-7,
                "{goal}"
            );
        }
    }
}
