//! docs/model.md §2c (drift persistence) held against its closed form: with φ
//! fixed, the Student-t of §2 with M_t replaced by M_t·φ^j; with the
//! catalog's prior, the mixture Σ_k w_k·(that Student-t). Scenario
//! multipliers act on the damped drift, additions are not damped.

use super::*;

/// The catalog's prior in the fixture's `model.toml`.
const PRIOR: [(f64, f64); 2] = [(0.0, 0.3), (0.8, 0.7)];

fn write_persistence_fixture(dir: &Path) {
    write_fixture(dir);
    // `lg` keeps the catalog's prior, `lev` fixes φ = 0.5, `lt` φ = 1.
    let indicators = std::fs::read_to_string(dir.join("data/indicators.csv")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for (i, line) in indicators.lines().enumerate() {
        let extra = match (i, line.split(',').next().unwrap_or_default()) {
            (0, _) => "persistence",
            (_, "lev") => "0.5",
            (_, "lt") => "1",
            _ => "",
        };
        lines.push(format!("{line},{extra}"));
    }
    std::fs::write(dir.join("data/indicators.csv"), lines.join("\n") + "\n").unwrap();
    // A damped level reaches less far: a lower bar keeps its probability informative.
    let targets = std::fs::read_to_string(dir.join("data/targets.csv")).unwrap();
    assert!(targets.contains("lev_t,lev,level,>=,19,"));
    std::fs::write(
        dir.join("data/targets.csv"),
        targets.replace("lev_t,lev,level,>=,19,", "lev_t,lev,level,>=,16.5,"),
    )
    .unwrap();
    std::fs::write(
        dir.join("data/model.toml"),
        "[persistence]\nphi = [0.0, 0.8]\nweight = [0.3, 0.7]\nsource = \"test\"\n",
    )
    .unwrap();
}

/// Σ_t M_t·φ^j over projected years j = 1, 2, ….
fn damped(drift_mult: &[f64], phi: f64) -> f64 {
    drift_mult
        .iter()
        .enumerate()
        .map(|(t, m)| m * phi.powi(t as i32 + 1))
        .sum()
}

/// P(G_T ≥ g(cut)) of the mixture over φ of §2's Student-t with ΣM = the
/// damped sum, given the yearly multipliers, ΣA and ΣV².
fn p_persistent(
    series: &[(i32, f64)],
    g: impl Fn(f64) -> f64,
    cut: f64,
    prior: &[(f64, f64)],
    (drift_mult, sum_a, sum_v2): (&[f64], f64, f64),
) -> f64 {
    prior
        .iter()
        .map(|&(phi, w)| {
            let sum_m = damped(drift_mult, phi);
            w * p_walk(series, &g, cut, sum_m, sum_a, sum_v2, 0.0)
        })
        .sum()
}

#[test]
fn damped_and_uncertain_persistence_match_their_closed_forms() {
    let fx = scratch("persistence");
    let dir = fx.root.clone();
    write_persistence_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let id = |x: f64| x;
    let base: (&[f64], f64, f64) = (&[1.0; 5], 0.0, 5.0);
    // Adjusted (see `write_fixture`): M = 1.5 from 2023, A = 0.05 in
    // 2021–25 (undamped), V = 1.4 from 2024, over 2021–2025.
    let mult = [1.0, 1.0, 1.5, 1.5, 1.5];
    let adjusted: (&[f64], f64, f64) = (&mult, 0.25, 3.0 + 2.0 * 1.96);
    for (scenario, sums) in [("baseline", base), ("adjusted", adjusted)] {
        assert_close(
            row(&t, scenario, "lg_t"),
            p_persistent(&LOG, f64::ln, 4.595, &PRIOR, sums),
            &format!("{scenario}: log under the catalog's prior"),
        );
        assert_close(
            row(&t, scenario, "lev_t"),
            p_persistent(&LEVEL, id, 16.45, &[(0.5, 1.0)], sums),
            &format!("{scenario}: level with φ fixed at 0.5"),
        );
        assert_close(
            row(&t, scenario, "lt_t"),
            p_persistent(&LOGIT, logit, 99.95, &[(1.0, 1.0)], sums),
            &format!("{scenario}: logit with φ fixed at 1"),
        );
    }
}

#[test]
fn persistence_draws_do_not_depend_on_the_thread_count() {
    let fx = scratch("persistence-threads");
    let dir = fx.root.clone();
    write_persistence_fixture(&dir);
    let (_, one) = simulate(&dir, 1, 30_000);
    let (_, three) = simulate(&dir, 3, 30_000);
    assert_eq!(one.attainment, three.attainment);
    assert_eq!(one.fan, three.fan);
    assert_eq!(one.required, three.required);
}
