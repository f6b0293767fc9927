//! Uncertain levers (docs/model.md §5) and the sensitivity table (§6b) held
//! against closed forms: P(attain) = E_L[P(attain | L)], a one-dimensional
//! integral of §2's Student-t (or §3's negative binomial, or §4's
//! milestone) over the lever's density; `p_low` and `p_high` the same
//! integral over the lowest and the highest tenth of the lever's range;
//! `first_order` = Var_L(P(attain | L)) / (p(1 − p)). The integrals are
//! computed here by the midpoint rule, with the lever's distribution
//! written out independently of the crate.

use super::*;
use attain::tables::sensitivity::SensitivityRow;

/// Points of the midpoint rule over the lever's uniform u.
const POINTS: usize = 4000;

/// A target's id, P(attain | L) in closed form, and the lever's range (low,
/// mode, high).
type Case<'a> = (&'a str, &'a dyn Fn(f64) -> f64, (f64, Option<f64>, f64));

/// The inverse distribution function of a uniform (`mode` None) or a
/// triangular lever, written out from its definition.
fn lever_at(low: f64, mode: Option<f64>, high: f64, u: f64) -> f64 {
    match mode {
        None => low + u * (high - low),
        Some(c) => {
            // F(x) = (x − a)²/((b − a)(c − a)) below c, 1 − (b − x)²/((b − a)(b − c)) above.
            let fc = (c - low) / (high - low);
            if u < fc {
                low + (u * (high - low) * (c - low)).sqrt()
            } else {
                high - ((1.0 - u) * (high - low) * (high - c)).sqrt()
            }
        }
    }
}

/// E[P(L) | u in [from, to)] by the midpoint rule over u.
fn mean_over(p: &impl Fn(f64) -> f64, lever: (f64, Option<f64>, f64), from: f64, to: f64) -> f64 {
    let n = POINTS;
    let (low, mode, high) = lever;
    (0..n)
        .map(|i| {
            let u = from + (to - from) * (i as f64 + 0.5) / n as f64;
            p(lever_at(low, mode, high, u))
        })
        .sum::<f64>()
        / n as f64
}

/// Var_L(P(L)) by the midpoint rule over u.
fn variance(p: &impl Fn(f64) -> f64, lever: (f64, Option<f64>, f64)) -> f64 {
    let mean = mean_over(p, lever, 0.0, 1.0);
    let (low, mode, high) = lever;
    (0..POINTS)
        .map(|i| {
            let u = (i as f64 + 0.5) / POINTS as f64;
            (p(lever_at(low, mode, high, u)) - mean).powi(2)
        })
        .sum::<f64>()
        / POINTS as f64
}

fn sensitivity<'a>(t: &'a Tables, scenario: &str, target: &str) -> Vec<&'a SensitivityRow> {
    t.sensitivity
        .iter()
        .filter(|r| r.scenario == scenario && r.target_id == target)
        .collect()
}

/// A P(attain) over the draws of a tenth of the lever's range, within 4 SE.
fn assert_tail(got: Option<f64>, expected: f64, what: &str) {
    let got = got.expect("a probability");
    let se = (expected * (1.0 - expected) / (DRAWS as f64 / 10.0)).sqrt();
    assert!(
        (got - expected).abs() <= 4.0 * se,
        "{what}: simulated {got:.4}, closed form {expected:.4}, 4·SE = {:.4}",
        4.0 * se
    );
}

fn write_lever_fixture(dir: &Path) {
    write_fixture(dir);
    let scenarios = [
        (
            "levers",
            "name = \"levers\"\ndescription = \"uncertain levers\"\nextends = \"baseline\"\n\
             [[adjust]]\nselect = \"lev\"\nfrom = 2023\ndrift_mult = { low = 0.0, high = 2.5 }\n\
             [[adjust]]\nselect = \"lg\"\ndrift_add = { low = -0.03, mode = 0.0, high = 0.06 }\n\
             [[adjust]]\nselect = \"lt\"\nvol_scale = { low = 0.6, high = 1.8 }\n\
             [[adjust]]\nselect = \"cnt\"\nrate_mult = { low = 0.5, mode = 1.5, high = 1.6 }\n\
             [[adjust]]\nselect = \"ms\"\nhazard = { low = 0.05, high = 0.45 }\n",
        ),
        (
            "inherits",
            "name = \"inherits\"\ndescription = \"the levers of `levers` and one certain change\"\n\
             extends = \"levers\"\n\
             [[adjust]]\nselect = \"cnt_big\"\nrate_mult = 1.2\n",
        ),
        (
            "shock_levers",
            "name = \"shock_levers\"\ndescription = \"a shock of uncertain odds and size\"\n\
             [[shock]]\nselect = \"lev\"\nyear = 2023\n\
             probability = { low = 0.2, high = 0.6 }\nsize = { low = -2.0, mode = -1.0, high = 0.0 }\n",
        ),
    ];
    for (name, text) in scenarios {
        std::fs::write(dir.join(format!("scenarios/{name}.toml")), text).unwrap();
    }
}

#[test]
fn uncertain_levers_match_their_closed_forms() {
    let fx = scratch("levers");
    let dir = fx.root.clone();
    write_lever_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let id = |x: f64| x;
    // drift_mult L from 2023 on `lev`: ΣM = 2 + 3L over 2021–2025.
    let lev = |l: f64| p_walk(&LEVEL, id, 18.95, 2.0 + 3.0 * l, 0.0, 5.0, 0.0);
    let uniform = (0.0, None, 2.5);
    // drift_add L on `lg` in every year: ΣA = 5L.
    let lg = |l: f64| p_walk(&LOG, f64::ln, 4.595, 5.0, 5.0 * l, 5.0, 0.0);
    let triangular = (-0.03, Some(0.0), 0.06);
    // vol_scale L on `lt`: ΣV² = 5L².
    let lt = |l: f64| p_walk(&LOGIT, logit, 99.95, 5.0, 0.0, 5.0 * l * l, 0.0);
    let vol = (0.6, None, 1.8);
    // rate_mult L on `cnt`: the negative binomial at rate multiplier L.
    let cnt = |l: f64| p_count_at_least(12, 9.0, 5.0, 5.0, l);
    let rate = (0.5, Some(1.5), 1.6);
    // hazard h in every year: 1 − (1 − h)^5.
    let ms = |h: f64| 1.0 - (1.0 - h).powi(5);
    let hazard = (0.05, None, 0.45);
    let cases: [Case; 5] = [
        ("lev_t", &lev, uniform),
        ("lg_t", &lg, triangular),
        ("lt_t", &lt, vol),
        ("cnt_t", &cnt, rate),
        ("ms_t", &ms, hazard),
    ];
    for (target, p, lever) in cases {
        let expected = mean_over(&p, lever, 0.0, 1.0);
        assert_close(row(&t, "levers", target), expected, target);
        let rows = sensitivity(&t, "levers", target);
        assert_eq!(rows.len(), 1, "{target}: one lever moves it");
        let r = rows[0];
        assert_eq!(r.p_attain, row(&t, "levers", target).p_attain);
        assert_eq!((r.lever_low, r.lever_mode, r.lever_high), lever);
        assert_tail(r.p_low, mean_over(&p, lever, 0.0, 0.1), target);
        assert_tail(r.p_high, mean_over(&p, lever, 0.9, 1.0), target);
    }
    // Two independent levers on one shock: P = E[q]·E_s[P(shift s)] + (1 − E[q])·P(no shock).
    let shifted = |s: f64| p_walk(&LEVEL, id, 18.95, 5.0, 0.0, 5.0, s);
    let hit = mean_over(&shifted, (-2.0, Some(-1.0), 0.0), 0.0, 1.0);
    let q = 0.4;
    let expected = q * hit + (1.0 - q) * shifted(0.0);
    assert_close(
        row(&t, "shock_levers", "lev_t"),
        expected,
        "shock of uncertain odds and size",
    );
    let rows = sensitivity(&t, "shock_levers", "lev_t");
    let ids: Vec<&str> = rows.iter().map(|r| r.lever.as_str()).collect();
    assert_eq!(
        ids,
        [
            "shock_levers.shock[0].probability",
            "shock_levers.shock[0].size"
        ]
    );
    // The odds' lowest tenth: q uniform on 0.2–0.24, mean 0.22.
    assert_tail(
        rows[0].p_low,
        0.22 * hit + 0.78 * shifted(0.0),
        "odds, lowest tenth",
    );
    let size_low = mean_over(&shifted, (-2.0, Some(-1.0), 0.0), 0.0, 0.1);
    assert_tail(
        rows[1].p_low,
        q * size_low + (1.0 - q) * shifted(0.0),
        "size, lowest tenth",
    );
}

/// The first-order index of a lever that moves a probability a lot,
/// against Var_L(P | L) / (p(1 − p)).
///
/// The estimate's spread comes from the bins' shares: by the delta method,
/// Var(Σ_b w_b (p̂_b − p̂)²) ≈ Σ_b 4 w_b (p_b − p)² p_b(1 − p_b)/N, plus the
/// noise term's own spread, 2(B − 1)(p(1 − p)/N)²; divided by p(1 − p).
/// Binning leaves out the variation of P(L) inside each bin: that part,
/// computed here too, is allowed on top of 4 SE.
#[test]
fn first_order_share_matches_the_variance_of_the_conditional_probability() {
    let fx = scratch("sobol");
    let dir = fx.root.clone();
    write_lever_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let bins = 20;
    let id = |x: f64| x;
    let lev = |l: f64| p_walk(&LEVEL, id, 18.95, 2.0 + 3.0 * l, 0.0, 5.0, 0.0);
    let ms = |h: f64| 1.0 - (1.0 - h).powi(5);
    let cases: [Case; 2] = [
        ("lev_t", &lev, (0.0, None, 2.5)),
        ("ms_t", &ms, (0.05, None, 0.45)),
    ];
    for (target, p, lever) in cases {
        let mean = mean_over(&p, lever, 0.0, 1.0);
        let var_p = mean * (1.0 - mean);
        let expected = variance(&p, lever) / var_p;
        let by_bin: Vec<f64> = (0..bins)
            .map(|b| {
                let (from, to) = (b as f64 / bins as f64, (b + 1) as f64 / bins as f64);
                mean_over(&p, lever, from, to)
            })
            .collect();
        let binned: f64 =
            by_bin.iter().map(|pb| (pb - mean).powi(2)).sum::<f64>() / bins as f64 / var_p;
        let n = DRAWS as f64;
        let spread: f64 = by_bin
            .iter()
            .map(|pb| 4.0 / bins as f64 * (pb - mean).powi(2) * pb * (1.0 - pb) / n)
            .sum::<f64>()
            + 2.0 * (bins - 1) as f64 * (var_p / n).powi(2);
        let se = spread.sqrt() / var_p;
        let got = sensitivity(&t, "levers", target)[0]
            .first_order
            .expect("an index");
        assert!(
            expected > 0.05,
            "{target}: choose a lever that matters ({expected:.3})"
        );
        assert!(
            (got - expected).abs() <= 4.0 * se + (expected - binned),
            "{target}: first_order {got:.4}, Var_L(P | L)/(p(1 − p)) {expected:.4} \
             (binned {binned:.4}), 4·SE = {:.4}",
            4.0 * se
        );
    }
}

#[test]
fn an_inherited_lever_uses_its_parents_draws() {
    let fx = scratch("inherited");
    let dir = fx.root.clone();
    write_lever_fixture(&dir);
    let (_, t) = simulate(&dir, 2, 50_000);
    for target in ["lev_t", "lg_t", "lt_t", "cnt_t", "ms_t"] {
        let parent = row(&t, "levers", target);
        let child = row(&t, "inherits", target);
        assert_eq!(child.p_attain, parent.p_attain, "{target}");
        assert_eq!(
            child.delta_vs_baseline, parent.delta_vs_baseline,
            "{target}"
        );
        assert_eq!(child.delta_se, parent.delta_se, "{target}");
        let (p, c) = (
            sensitivity(&t, "levers", target),
            sensitivity(&t, "inherits", target),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].lever, p[0].lever, "the entry keeps its identity");
        assert_eq!(
            (c[0].p_low, c[0].p_high, c[0].first_order),
            (p[0].p_low, p[0].p_high, p[0].first_order)
        );
    }
    // Its own certain change does move its own target.
    assert_ne!(
        row(&t, "inherits", "cnt_big_t").p_attain,
        row(&t, "levers", "cnt_big_t").p_attain
    );
}

#[test]
fn tables_with_levers_are_identical_whatever_the_thread_count() {
    let fx = scratch("lever-threads");
    let dir = fx.root.clone();
    write_lever_fixture(&dir);
    let (_, one) = simulate(&dir, 1, 30_000);
    let (_, three) = simulate(&dir, 3, 30_000);
    assert!(!one.sensitivity.is_empty());
    assert_eq!(one.attainment, three.attainment);
    assert_eq!(one.fan, three.fan);
    assert_eq!(one.scorecard, three.scorecard);
    assert_eq!(one.required, three.required);
    assert_eq!(one.sensitivity, three.sensitivity);
}

#[test]
fn a_run_without_levers_has_no_sensitivity_rows() {
    let fx = scratch("no-levers");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, 10_000);
    assert!(t.sensitivity.is_empty());
}
