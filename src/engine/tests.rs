//! The engine's summaries against the exact empirical distribution of the
//! very draws it summarised: however quantiles are computed, each reported
//! one lies between the exact empirical quantiles at q ± 0.001. On the
//! engine's own fixture (`tests/fixtures/engine`: every kind of indicator
//! and target, shocks, a factor, scenarios that share settings).

use std::path::Path;

use super::paths::{simulate_indicator, Block, Commons, Paths, Scratch};
use super::{simulate, Settings, TargetSummary, BLOCK, QUANTILES};
use crate::input::load_inputs;
use crate::model::target::evaluate;
use crate::plan::compile;

/// The exact empirical q-quantile of sorted values (the ⌈qn⌉-th smallest).
fn exact(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1]
}

#[test]
fn fan_and_statistic_quantiles_lie_within_a_thousandth_of_rank_of_the_exact_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine");
    let inputs =
        load_inputs(&root.join("data"), &[root.join("scenarios")]).expect("the engine fixture");
    let horizon = inputs
        .catalog
        .targets
        .iter()
        .map(|t| t.target_year)
        .max()
        .unwrap();
    let plan = compile(&inputs.catalog, &inputs.scenarios, horizon, None);
    // Several blocks, the last one partial.
    let settings = Settings {
        draws: 3 * BLOCK as u64 + 1234,
        seed: 77,
        threads: 2,
    };
    let outcome = simulate(&plan, &settings, None, &|_| {});
    let ns = plan.scenarios.len();
    let nt = plan.targets.len();
    let blocks = settings.draws.div_ceil(BLOCK as u64);
    let mut checked = 0;
    for ip in &plan.indicators {
        if ip.years == 0 {
            continue;
        }
        let transform = ip.transform;
        // Every draw of every series of the indicator, regenerated block by block.
        let mut series = vec![Vec::new(); ns * ip.years];
        let mut stats = vec![Vec::new(); ns * ip.targets.len()];
        let mut xs = Vec::new();
        for b in 0..blocks {
            let len = (settings.draws - b * BLOCK as u64).min(BLOCK as u64) as usize;
            let commons = Commons::new(&plan, settings.seed, b, len);
            let block = Block::new(&plan, &commons, settings.seed, b, len);
            let mut paths = Paths::default();
            simulate_indicator(&block, ip, &mut paths, &mut Scratch::default());
            for s in 0..ns {
                for t in 0..ip.years {
                    series[s * ip.years + t]
                        .extend(paths.g(s, t).iter().map(|&g| transform.inverse(g)));
                }
                paths.by_draw(s, true, &mut xs);
                for (l, &j) in ip.targets.iter().enumerate() {
                    for d in 0..len {
                        let x = &xs[d * ip.years..(d + 1) * ip.years];
                        // Levels read the transform scale (their natural values are not kept).
                        let stat = match plan.targets[j].fan_year {
                            Some(t) => transform.inverse(paths.g(s, t)[d]),
                            None => evaluate(&plan.targets[j].test, x).0,
                        };
                        stats[s * ip.targets.len() + l].push(stat);
                    }
                }
            }
        }
        let mut check = |values: &mut Vec<f64>, reported: &[f64; 7], what: String| {
            assert_eq!(values.len() as u64, settings.draws, "{what}");
            values.sort_unstable_by(f64::total_cmp);
            for (&q, &got) in QUANTILES.iter().zip(reported) {
                let (lo, hi) = (exact(values, q - 0.001), exact(values, q + 0.001));
                // A relative hair for the round trip through the transform.
                let slack = 1e-12 * lo.abs().max(hi.abs()).max(1.0);
                assert!(
                    lo - slack <= got && got <= hi + slack,
                    "{what} q={q}: {lo} <= {got} <= {hi}"
                );
                checked += 1;
            }
        };
        for s in 0..ns {
            for t in 0..ip.years {
                let i = s * plan.series + ip.series + t;
                check(
                    &mut series[s * ip.years + t],
                    &outcome.fan[i].quantiles,
                    format!("fan {} scenario {s} year {t}", ip.index),
                );
            }
            for (l, &j) in ip.targets.iter().enumerate() {
                if let Some(TargetSummary { quantiles, .. }) = &outcome.targets[s * nt + j] {
                    check(
                        &mut stats[s * ip.targets.len() + l],
                        quantiles,
                        format!("target {j} scenario {s}"),
                    );
                }
            }
        }
    }
    // Every fan series and target of the fixture was checked.
    assert!(checked >= 7 * ns * (plan.series + nt - 1), "{checked}");
}

#[test]
fn poisson_inversion_has_the_poisson_distribution() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
    let n = 200_000;
    for lambda in [0.05, 0.7, 2.5, 9.0, 29.5] {
        let mut freq = vec![0u64; 200];
        for i in 0..n {
            let u: f64 = rng.random();
            let k = super::paths::poisson_inverse(lambda, u);
            freq[k as usize] += 1;
            // Monotone in the rate at a fixed uniform (common random numbers).
            if i % 1000 == 0 {
                assert!(super::paths::poisson_inverse(lambda * 1.3, u) >= k);
            }
        }
        // Each frequency within 4 SE of the probability (cells expected to
        // hold fewer than 20 draws pooled into the tail); the mean within 4 SE of λ.
        let mut p = (-lambda).exp();
        let mut mean = 0.0;
        let (mut tail_p, mut tail_f) = (0.0, 0u64);
        let within = |got: f64, p: f64, what: String| {
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (got - p).abs() <= 4.0 * se,
                "λ={lambda} {what}: {got} vs {p}"
            );
        };
        for (k, &f) in freq.iter().enumerate() {
            if k > 0 {
                p *= lambda / k as f64;
            }
            mean += k as f64 * f as f64 / n as f64;
            if p * n as f64 >= 20.0 {
                within(f as f64 / n as f64, p, format!("k={k}"));
            } else {
                tail_p += p;
                tail_f += f;
            }
        }
        if tail_p * n as f64 >= 20.0 {
            within(tail_f as f64 / n as f64, tail_p, "tail".into());
        }
        let se = (lambda / n as f64).sqrt();
        assert!((mean - lambda).abs() <= 4.0 * se, "λ={lambda}: mean {mean}");
    }
}

#[test]
fn poisson_inversion_from_the_mode_agrees_with_inversion_from_zero() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(12);
    // The textbook inversion: sum the probabilities from 0.
    let reference = |lambda: f64, u: f64| {
        let (mut k, mut p) = (0.0, (-lambda).exp());
        let mut cdf = p;
        while u >= cdf {
            k += 1.0;
            p *= lambda / k;
            cdf += p;
        }
        k
    };
    let mut differ = 0;
    for _ in 0..200_000 {
        let lambda = rng.random::<f64>() * 30.0;
        let u: f64 = rng.random();
        if super::paths::poisson_inverse(lambda, u) != reference(lambda, u) {
            differ += 1;
        }
    }
    // Only a uniform within rounding of a step of the distribution function
    // could land on the other side: none in 200,000.
    assert_eq!(differ, 0);
}

/// The engine fixture's plan, compiled to its last target year.
fn fixture_plan() -> crate::plan::Plan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/engine");
    let inputs =
        load_inputs(&root.join("data"), &[root.join("scenarios")]).expect("the engine fixture");
    let horizon = inputs
        .catalog
        .targets
        .iter()
        .map(|t| t.target_year)
        .max()
        .unwrap();
    compile(&inputs.catalog, &inputs.scenarios, horizon, None)
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// However the blocks are shared among workers and in whatever order the
    /// workers' summaries are merged, the finished outcome is the one of a
    /// single worker running every block in turn.
    #[test]
    fn merging_accumulators_is_associative_and_equals_one_sequential_pass(
        owner in proptest::collection::vec(0usize..4, 7),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
    ) {
        let plan = fixture_plan();
        let seed = 31;
        let grids = super::pilot(&plan, seed);
        let engine = super::Engine { plan: &plan, grids: &grids, seed };
        let len = |b: usize| 97 + 13 * b;
        let mut whole = super::Accumulator::new(&plan, &grids);
        for b in 0..owner.len() {
            whole.run_block(&engine, b as u64, len(b));
        }
        let mut workers: Vec<super::Accumulator> =
            (0..4).map(|_| super::Accumulator::new(&plan, &grids)).collect();
        for (b, &w) in owner.iter().enumerate() {
            workers[w].run_block(&engine, b as u64, len(b));
        }
        let mut workers: Vec<Option<super::Accumulator>> = workers.into_iter().map(Some).collect();
        let mut merged = workers[order[0]].take().unwrap();
        for &w in &order[1..] {
            merged.merge(workers[w].take().unwrap());
        }
        let (a, b) = (whole.finish(&plan, &grids), merged.finish(&plan, &grids));
        prop_assert_eq!(a.draws, b.draws);
        prop_assert_eq!(&a.fan, &b.fan);
        prop_assert_eq!(&a.targets, &b.targets);
        prop_assert_eq!(&a.scorecard, &b.scorecard);
    }
}
