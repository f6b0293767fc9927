//! The random walk with drift and Student-t parameter uncertainty
//! (docs/model.md §2), for `level`, `log` and `logit` indicators.
//!
//! In: a walk's fit and its settings per scenario. Out: the paths of one
//! block of draws on the transform scale, and their natural values in the
//! years a target reads. The draws' numbers are drawn draw by draw (σ, μ,
//! then the yearly innovations), so a draw's numbers do not depend on how the
//! block is laid out; the paths are then built year by year over all draws,
//! in loops over contiguous columns.

use rand::Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};

use super::columns::{grow, step, Block, Buffers, Paths};
use crate::model::fit::WalkFit;
use crate::model::persistence::Persistence;
use crate::plan::{IndicatorPlan, Setting};

/// The paths of a random walk with drift and parameter uncertainty
/// (docs/model.md §2, §2b, §2c): per draw, σ² = ν·s²/χ²_ν and μ ~ Normal(μn, σ²/κ)
/// from the fit's posterior and a persistence φ, then year by year
/// G_t = G_{t−1} + M_t·φ^j·μ + A_t + V_t·σ·ε_t + shocks, with ε_t mixed with
/// the scenario's common factor, if any. A setting or shock size written as
/// a range takes the draw's value of its lever.
pub(super) fn walk(
    block: &Block,
    ip: &IndicatorPlan,
    w: &WalkFit,
    rng: &mut impl Rng,
    paths: &mut Paths,
    buffers: &mut Buffers,
) {
    let transform = ip.transform;
    let (commons, len, years) = (block.commons, block.len, ip.years);
    let offset = (ip.start - block.plan.first_year).max(0) as usize;
    let chi = ChiSquared::new(w.dof).expect("dof > 0");
    let dof = w.dof;
    let inv_sqrt_k = 1.0 / w.kappa.sqrt();
    let Buffers {
        sigma,
        mu,
        e,
        shock,
        drift,
        settings,
        ..
    } = buffers;
    sigma.resize(len, 0.0);
    mu.resize(len, 0.0);
    grow(e, years * len);
    shock.resize(len, 0.0);
    // Drift persistence (docs/model.md §2c): the drift of projected year j is
    // φ^j·μ. With φ = 1 (the walk with drift) μ itself is the drift of every
    // year; otherwise each year's damped drift is kept by draw.
    let persistence = &ip.persistence;
    let damped = *persistence != Persistence::Fixed(1.0);
    if damped {
        grow(drift, years * len);
    }
    for d in 0..len {
        sigma[d] = if w.s2 > 0.0 {
            let c: f64 = chi.sample(rng);
            (dof * w.s2 / c).sqrt()
        } else {
            0.0
        };
        let z: f64 = rng.sample(StandardNormal);
        mu[d] = w.drift + sigma[d] * inv_sqrt_k * z;
        if damped {
            // A prior draws the draw's φ from one uniform; a fixed φ draws nothing.
            let phi = match persistence {
                Persistence::Fixed(phi) => *phi,
                prior => prior.draw(rng.random::<f64>()),
            };
            let mut power = 1.0;
            for t in 0..years {
                power *= phi;
                drift[t * len + d] = power * mu[d];
            }
        }
        for t in 0..years {
            e[t * len + d] = rng.sample(StandardNormal);
        }
    }
    for s in (0..ip.paths.len()).filter(|&s| ip.is_distinct(s)) {
        let spec = &ip.paths[s];
        for t in 0..years {
            let at = (s * years + t) * len;
            let (before, rest) = paths.g.split_at_mut(at);
            let g = &mut rest[..len];
            // The previous year's values (the last observation in the first year).
            let prev = (t > 0).then(|| &before[at - len..]);
            let (m, a, v) = (spec.drift_mult[t], spec.drift_add[t], spec.vol_scale[t]);
            let mu = if damped {
                &drift[t * len..(t + 1) * len]
            } else {
                &mu[..len]
            };
            let (sigma, e) = (&sigma[..len], &e[t * len..(t + 1) * len]);
            let mut shocked = false;
            for sh in spec.shocks.iter().filter(|sh| sh.year == t) {
                if !shocked {
                    shock.fill(0.0);
                    shocked = true;
                }
                for (d, (v, &hit)) in shock.iter_mut().zip(&commons.hits[sh.slot]).enumerate() {
                    if hit {
                        *v += sh.size.at(&commons.levers, d);
                    }
                }
            }
            let shock = &shock[..len];
            let factor = spec.factor.map(|(slot, rho)| Factor {
                values: &commons.factors[slot],
                rho,
                own: (1.0 - rho * rho).sqrt(),
                years: commons.years,
                year: offset + t,
            });
            let shock = shocked.then_some(shock);
            let year = Year { e, factor, shock };
            if spec.uncertain(t) {
                // Uncertain levers: the year's drift M·μ + A and scale V·σ
                // of every draw.
                let [drifts, scales, adds] = settings;
                drifts.clear();
                drifts.resize(len, m);
                adds.clear();
                adds.resize(len, a);
                scales.clear();
                scales.resize(len, v);
                for &(setting, slot) in &spec.levers[t] {
                    let lever = &commons.levers[slot][..len];
                    let (col, add) = match setting {
                        Setting::DriftMult => (&mut *drifts, false),
                        Setting::DriftAdd => (&mut *adds, true),
                        Setting::VolScale => (&mut *scales, false),
                        Setting::Rate => continue,
                    };
                    for (c, &l) in col.iter_mut().zip(lever) {
                        *c = if add { *c + l } else { *c * l };
                    }
                }
                for ((dr, &mu), &a) in drifts.iter_mut().zip(mu).zip(adds.iter()) {
                    *dr = *dr * mu + a;
                }
                for (sc, &sigma) in scales.iter_mut().zip(sigma) {
                    *sc *= sigma;
                }
                let (drifts, scales) = (&drifts[..len], &scales[..len]);
                year.advance(g, prev, w.g_last, |d| drifts[d], |d| scales[d]);
            } else {
                year.advance(g, prev, w.g_last, |d| m * mu[d] + a, |d| v * sigma[d]);
            }
        }
        // Natural values only for the years a target uses: fans are
        // summarised on the transform scale.
        for t in (0..years).filter(|&t| ip.natural[t]) {
            let at = (s * years + t) * len;
            let (g, x) = (&paths.g[at..at + len], &mut paths.x[at..at + len]);
            for (x, &g) in x.iter_mut().zip(g) {
                *x = transform.inverse(g);
            }
        }
    }
}

/// A draw's common factor in one year: ε = ρ·F + sqrt(1 − ρ²)·e.
#[derive(Clone, Copy)]
struct Factor<'a> {
    /// The factor's values, draw `d` in calendar year `c` at `d * years + c`.
    values: &'a [f64],
    rho: f64,
    /// sqrt(1 − ρ²).
    own: f64,
    years: usize,
    /// This year's calendar-year index.
    year: usize,
}

/// The random parts of one projected year, by draw.
struct Year<'a> {
    /// Own innovations.
    e: &'a [f64],
    factor: Option<Factor<'a>>,
    /// The shocks that hit, when any can this year.
    shock: Option<&'a [f64]>,
}

impl Year<'_> {
    /// G_t = G_{t−1} + drift(d) + scale(d)·ε_t + shock, over all draws: one
    /// loop per combination of factor and shock, so none branches by draw.
    #[inline(always)]
    fn advance(
        &self,
        g: &mut [f64],
        prev: Option<&[f64]>,
        first: f64,
        drift: impl Fn(usize) -> f64,
        scale: impl Fn(usize) -> f64,
    ) {
        let e = self.e;
        match (self.factor, self.shock) {
            (Some(f), shock) => step(g, prev, first, |d| {
                let eps = f.rho * f.values[d * f.years + f.year] + f.own * e[d];
                let sh = shock.map_or(0.0, |s| s[d]);
                drift(d) + scale(d) * eps + sh
            }),
            (None, Some(shock)) => step(g, prev, first, |d| drift(d) + scale(d) * e[d] + shock[d]),
            (None, None) => step(g, prev, first, |d| drift(d) + scale(d) * e[d]),
        }
    }
}
