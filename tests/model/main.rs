//! docs/model.md held against closed forms.
//!
//! One small catalog exercises every formula: random walks on the `level`,
//! `log` and `logit` scales with gaps in the history, scenario adjustments
//! from a later year, certain and uncertain shocks, counts with a rate
//! multiplier, milestones with hazards, `increase` with a future base year,
//! `cumulative`, and published rounding. Each simulated probability must lie
//! within 4 Monte Carlo standard errors, sqrt(p(1 − p)/N), of its closed form
//! computed with statrs, at a fixed seed.

use std::path::Path;

#[path = "../common/mod.rs"]
mod common;
use common::Scratch;

mod analog;
mod levers;
mod persistence;

use attain::commands::run::project;
use attain::engine::Settings;
use attain::input::catalog::Catalog;
use attain::input::load_inputs;
use attain::model::effort::RequiredStatus;
use attain::plan::Status;
use attain::tables::attainment::AttainmentRow;
use attain::tables::required::RequiredRow;
use attain::tables::{build, Tables};
use statrs::distribution::{Continuous, ContinuousCDF, Discrete, Poisson, StudentsT};
use statrs::function::gamma::ln_gamma;

const DRAWS: u64 = 200_000;
const SEED: u64 = 4242;

/// A scratch folder with empty `data/` and `scenarios/`.
fn scratch(name: &str) -> Scratch {
    let fx = Scratch::empty(&format!("model-{name}"));
    std::fs::create_dir_all(fx.data()).unwrap();
    std::fs::create_dir_all(fx.scenarios()).unwrap();
    fx
}

/// Level series with gaps (2012, 2015, 2018 missing): n = 8, K = 10.
const LEVEL: [(i32, f64); 8] = [
    (2010, 10.0),
    (2011, 10.6),
    (2013, 11.5),
    (2014, 12.4),
    (2016, 13.1),
    (2017, 14.0),
    (2019, 14.4),
    (2020, 15.3),
];
const LOG: [(i32, f64); 6] = [
    (2012, 2.0),
    (2013, 2.2),
    (2015, 2.45),
    (2016, 2.7),
    (2018, 3.1),
    (2020, 3.3),
];
const LOGIT: [(i32, f64); 7] = [
    (2013, 98.9),
    (2014, 99.1),
    (2015, 99.0),
    (2017, 99.4),
    (2018, 99.5),
    (2019, 99.6),
    (2020, 99.7),
];
const COUNT: [(i32, f64); 3] = [(2015, 40.0), (2018, 46.0), (2020, 49.0)];
/// 150 additions in 5 years: rates around 30 a year, where additions switch
/// from inversion to the sampler (`INVERSION_MAX_RATE`), so that both ways
/// meet in the same chunks of draws.
const COUNT_BIG: [(i32, f64); 2] = [(2015, 400.0), (2020, 550.0)];

fn write_fixture(dir: &Path) {
    let indicators = "\
id,name_zh,name_en,group,unit,transform,lower,upper,decimals
lev,水平,level series,alpha,index,level,,,1
lev_fine,水平,level series with 4 decimals,beta,index,level,,,4
lg,对数,log series,alpha,%,log,,,2
lt,比率,pass rate,alpha,%,logit,0,100,1
cnt,计数,centres,beta,count,count,,,0
cnt_big,计数,standards,delta,count,count,,,0
ms,条例,regulation,gamma,,milestone,,,0
";
    let targets = "\
id,indicator_id,kind,comparator,value,target_year,base_year,from_year,source
lev_t,lev,level,>=,19,2025,,,test
lg_t,lg,level,>=,4.6,2025,,,test
lt_t,lt,level,>=,100,2025,,,test
inc_t,lev_fine,increase,>=,2.9,2025,2022,,test
cum_t,lev_fine,cumulative,>=,55.5,2025,,2023,test
cnt_t,cnt,level,>=,61,2025,,,test
cnt_big_t,cnt_big,level,>=,725,2025,,,test
ms_t,ms,milestone,>=,1,2025,,,test
";
    let mut history = String::from("indicator_id,year,value,provenance,source\n");
    for (id, series) in [
        ("lev", &LEVEL[..]),
        ("lev_fine", &LEVEL[..]),
        ("lg", &LOG[..]),
        ("lt", &LOGIT[..]),
        ("cnt", &COUNT[..]),
        ("cnt_big", &COUNT_BIG[..]),
    ] {
        for (y, v) in series {
            history.push_str(&format!("{id},{y},{v},official,test\n"));
        }
    }
    for y in 2018..=2020 {
        history.push_str(&format!("ms,{y},0,plan,test\n"));
    }
    std::fs::write(dir.join("data/indicators.csv"), indicators).unwrap();
    std::fs::write(dir.join("data/targets.csv"), targets).unwrap();
    std::fs::write(dir.join("data/history.csv"), history).unwrap();
    let scenarios = [
        ("baseline", "name = \"baseline\"\ndescription = \"trend\"\n[[adjust]]\nselect = \"ms\"\nhazard = 0.2\n"),
        (
            "adjusted",
            "name = \"adjusted\"\ndescription = \"adjustments\"\nextends = \"baseline\"\n\
             [[adjust]]\nselect = [\"lev\", \"lg\", \"lt\"]\nfrom = 2023\ndrift_mult = 1.5\n\
             [[adjust]]\nselect = \"group:alpha\"\nfrom = 2021\nto = 2025\ndrift_add = 0.05\n\
             [[adjust]]\nselect = \"*\"\nfrom = 2024\nvol_scale = 1.4\n\
             [[adjust]]\nselect = [\"cnt\", \"cnt_big\"]\nrate_mult = 1.4\n\
             [[adjust]]\nselect = \"ms\"\nfrom = 2023\nhazard = 0.3\n",
        ),
        (
            "certain_shock",
            "name = \"certain_shock\"\ndescription = \"a certain shock\"\n\
             [[shock]]\nselect = \"lev\"\nyear = 2023\nprobability = 1.0\nsize = -0.5\n\
             [[shock]]\nselect = \"lg\"\nyear = 2025\nprobability = 1.0\nsize = -0.05\n",
        ),
        (
            "uncertain_shock",
            "name = \"uncertain_shock\"\ndescription = \"a shock with probability 0.3\"\n\
             [[shock]]\nselect = [\"lev\", \"lt\"]\nyear = 2022\nprobability = 0.3\nsize = -1.0\n",
        ),
    ];
    for (name, text) in scenarios {
        std::fs::write(dir.join(format!("scenarios/{name}.toml")), text).unwrap();
    }
}

fn simulate(dir: &Path, threads: usize, draws: u64) -> (Catalog, Tables) {
    simulate_from(dir, threads, draws, None)
}

fn simulate_from(
    dir: &Path,
    threads: usize,
    draws: u64,
    effort_from: Option<i32>,
) -> (Catalog, Tables) {
    let inputs = load_inputs(&dir.join("data"), &[dir.join("scenarios")]).expect("valid fixture");
    let settings = Settings {
        draws,
        seed: SEED,
        threads,
    };
    let (plan, outcome) = project(
        &inputs.catalog,
        &inputs.scenarios,
        2025,
        effort_from,
        &settings,
        None,
        &|_| {},
    )
    .unwrap();
    let t = build(&inputs.catalog, &plan, &outcome, SEED);
    (inputs.catalog, t)
}

fn row<'a>(t: &'a Tables, scenario: &str, target: &str) -> &'a AttainmentRow {
    t.attainment
        .iter()
        .find(|r| r.scenario == scenario && r.target_id == target)
        .unwrap_or_else(|| panic!("{scenario}/{target}"))
}

/// The fit of docs/model.md §2, computed here independently of the crate.
fn fit(series: &[(i32, f64)], g: impl Fn(f64) -> f64) -> (f64, f64, f64, f64) {
    let n = series.len();
    let k = f64::from(series[n - 1].0 - series[0].0);
    let gs: Vec<f64> = series.iter().map(|&(_, v)| g(v)).collect();
    let mu = (gs[n - 1] - gs[0]) / k;
    let mut ss = 0.0;
    for i in 0..n - 1 {
        let span = f64::from(series[i + 1].0 - series[i].0);
        ss += (gs[i + 1] - gs[i] - span * mu).powi(2) / span;
    }
    let dof = (n - 2) as f64;
    (gs[n - 1], mu, ss / dof, k)
}

/// P(G_T ≥ cut) for the Student-t predictive of docs/model.md §2.
fn p_walk(
    series: &[(i32, f64)],
    g: impl Fn(f64) -> f64,
    cut: f64,
    sum_m: f64,
    sum_a: f64,
    sum_v2: f64,
    shift: f64,
) -> f64 {
    let (g_last, mu, s2, k) = fit(series, &g);
    let dof = (series.len() - 2) as f64;
    let loc = g_last + sum_m * mu + sum_a + shift;
    let scale = (s2 * (sum_m * sum_m / k + sum_v2)).sqrt();
    let t = StudentsT::new(loc, scale, dof).unwrap();
    1.0 - t.cdf(g(cut))
}

fn assert_close(got: &AttainmentRow, expected: f64, what: &str) {
    let p = got.p_attain.expect("a probability");
    let se = (expected * (1.0 - expected) / DRAWS as f64).sqrt();
    assert!(
        (p - expected).abs() <= 4.0 * se,
        "{what}: simulated {p:.4}, closed form {expected:.4}, 4·SE = {:.4}",
        4.0 * se
    );
    assert!(
        expected > 0.02 && expected < 0.98,
        "{what}: choose a target with an informative probability ({expected:.3})"
    );
}

fn logit(x: f64) -> f64 {
    (x / (100.0 - x)).ln()
}

#[test]
fn simulated_probabilities_match_the_closed_forms_of_the_model() {
    let fx = scratch("closed");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let id = |x: f64| x;
    // Baseline: M = 1, A = 0, V = 1 over h = 5 years; published at 1 decimal → cut 18.95.
    assert_close(
        row(&t, "baseline", "lev_t"),
        p_walk(&LEVEL, id, 18.95, 5.0, 0.0, 5.0, 0.0),
        "level with gaps",
    );
    assert_close(
        row(&t, "baseline", "lg_t"),
        p_walk(&LOG, f64::ln, 4.595, 5.0, 0.0, 5.0, 0.0),
        "log with gaps",
    );
    // "100 %" at 1 decimal is met by 99.95 and above.
    assert_close(
        row(&t, "baseline", "lt_t"),
        p_walk(&LOGIT, logit, 99.95, 5.0, 0.0, 5.0, 0.0),
        "logit, published rounding",
    );
    // Adjusted: M = 1.5 from 2023 (ΣM = 2 + 4.5), A = 0.05 in 2021–25, V = 1.4 from 2024 (ΣV² = 3 + 2·1.96).
    let (sm, sa, sv2) = (6.5, 0.25, 3.0 + 2.0 * 1.96);
    assert_close(
        row(&t, "adjusted", "lev_t"),
        p_walk(&LEVEL, id, 18.95, sm, sa, sv2, 0.0),
        "level adjusted",
    );
    assert_close(
        row(&t, "adjusted", "lg_t"),
        p_walk(&LOG, f64::ln, 4.595, sm, sa, sv2, 0.0),
        "log adjusted",
    );
    assert_close(
        row(&t, "adjusted", "lt_t"),
        p_walk(&LOGIT, logit, 99.95, sm, sa, sv2, 0.0),
        "logit adjusted",
    );
    // A certain shock shifts the location; an uncertain one mixes.
    assert_close(
        row(&t, "certain_shock", "lev_t"),
        p_walk(&LEVEL, id, 18.95, 5.0, 0.0, 5.0, -0.5),
        "certain shock, level",
    );
    assert_close(
        row(&t, "certain_shock", "lg_t"),
        p_walk(&LOG, f64::ln, 4.595, 5.0, 0.0, 5.0, -0.05),
        "certain shock, log",
    );
    let mix = |series: &[(i32, f64)], g: &dyn Fn(f64) -> f64, cut: f64| {
        0.3 * p_walk(series, g, cut, 5.0, 0.0, 5.0, -1.0)
            + 0.7 * p_walk(series, g, cut, 5.0, 0.0, 5.0, 0.0)
    };
    assert_close(
        row(&t, "uncertain_shock", "lev_t"),
        mix(&LEVEL, &id, 18.95),
        "uncertain shock, level",
    );
    assert_close(
        row(&t, "uncertain_shock", "lt_t"),
        mix(&LOGIT, &logit, 99.95),
        "uncertain shock, logit",
    );
}

#[test]
fn increase_with_a_future_base_year_and_cumulative_match_their_closed_forms() {
    let fx = scratch("sums");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let (g_last, mu, s2, k) = fit(&LEVEL, |x| x);
    let dof = (LEVEL.len() - 2) as f64;
    // G_2025 − G_2022 = 3μ + σ(ε₃ + ε₄ + ε₅): Student-t, scale s·sqrt(9/K + 3).
    let inc = StudentsT::new(3.0 * mu, (s2 * (9.0 / k + 3.0)).sqrt(), dof).unwrap();
    assert_close(
        row(&t, "baseline", "inc_t"),
        1.0 - inc.cdf(2.9),
        "increase over a future base year",
    );
    // Σ_{t=3..5} G_t = 3G_n + 12μ + σ Σ_i c_i ε_i with c = (3, 3, 3, 2, 1).
    let cum = StudentsT::new(
        3.0 * g_last + 12.0 * mu,
        (s2 * (144.0 / k + 32.0)).sqrt(),
        dof,
    )
    .unwrap();
    assert_close(
        row(&t, "baseline", "cum_t"),
        1.0 - cum.cdf(55.5),
        "cumulative",
    );
}

/// P(N ≥ j) for the negative binomial of docs/model.md §3.
fn p_count_at_least(j: u64, additions: f64, span: f64, horizon: f64, rate_mult: f64) -> f64 {
    let r = 0.5 + additions;
    let p = span / (span + horizon * rate_mult);
    let below: f64 = (0..j)
        .map(|n| {
            let n = n as f64;
            (ln_gamma(n + r) - ln_gamma(n + 1.0) - ln_gamma(r) + r * p.ln() + n * (1.0 - p).ln())
                .exp()
        })
        .sum();
    1.0 - below
}

#[test]
fn counts_and_milestones_match_their_closed_forms() {
    let fx = scratch("counts");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    // 49 → ≥ 61 needs 12 additions in 5 years; C = 9 over K = 5 years.
    assert_close(
        row(&t, "baseline", "cnt_t"),
        p_count_at_least(12, 9.0, 5.0, 5.0, 1.0),
        "count",
    );
    assert_close(
        row(&t, "adjusted", "cnt_t"),
        p_count_at_least(12, 9.0, 5.0, 5.0, 1.4),
        "count with rate_mult",
    );
    // 550 → ≥ 725 needs 175 additions in 5 years; C = 150 over K = 5: a
    // yearly rate about 30 (inverted below 30, sampled above), ×1.4 adjusted.
    assert_close(
        row(&t, "baseline", "cnt_big_t"),
        p_count_at_least(175, 150.0, 5.0, 5.0, 1.0),
        "count at rates about 30",
    );
    assert_close(
        row(&t, "adjusted", "cnt_big_t"),
        p_count_at_least(175, 150.0, 5.0, 5.0, 1.4),
        "count at rates about 42",
    );
    assert_close(
        row(&t, "baseline", "ms_t"),
        1.0 - 0.8f64.powi(5),
        "milestone",
    );
    assert_close(
        row(&t, "adjusted", "ms_t"),
        1.0 - 0.8f64.powi(2) * 0.7f64.powi(3),
        "milestone with a later hazard",
    );
    assert_eq!(row(&t, "baseline", "ms_t").status, Status::AssumptionOnly);
}

/// The first year by which at least half the draws are met, from closed-form
/// probabilities of being met by each year; None when that never happens by
/// the target year. The test needs each of them clear of 0.5 by 4·SE.
fn first_year_half(by_year: &[(i32, f64)]) -> Option<i32> {
    let se = (0.25 / DRAWS as f64).sqrt();
    for &(_, p) in by_year {
        assert!((p - 0.5).abs() > 4.0 * se, "{p} too close to 0.5 to test");
    }
    by_year.iter().find(|(_, p)| *p >= 0.5).map(|(y, _)| *y)
}

#[test]
fn first_passage_matches_the_closed_forms_of_counts_and_milestones() {
    let fx = scratch("passage");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    // A stock only grows, so it is met by the target year iff met in it.
    for scenario in ["baseline", "adjusted"] {
        let r = row(&t, scenario, "cnt_t");
        assert_eq!(r.p_reached_by, r.p_attain, "{scenario}");
    }
    for (scenario, rate) in [("baseline", 1.0), ("adjusted", 1.4)] {
        let by_year: Vec<(i32, f64)> = (1..=5)
            .map(|h| (2020 + h, p_count_at_least(12, 9.0, 5.0, f64::from(h), rate)))
            .collect();
        assert_eq!(
            row(&t, scenario, "cnt_t").first_year_p50,
            first_year_half(&by_year),
            "count, {scenario}: {by_year:?}"
        );
    }
    // Milestone with hazard 0.2 a year: done by 2020 + h with 1 − 0.8^h.
    let by_year: Vec<(i32, f64)> = (1..=5).map(|h| (2020 + h, 1.0 - 0.8f64.powi(h))).collect();
    let ms = row(&t, "baseline", "ms_t");
    assert_eq!(ms.first_year_p50, first_year_half(&by_year));
    assert_eq!(ms.first_year_p50, Some(2024));
    assert_close_reached(ms, 1.0 - 0.8f64.powi(5));
}

fn assert_close_reached(got: &AttainmentRow, expected: f64) {
    let p = got.p_reached_by.expect("a first-passage probability");
    let se = (expected * (1.0 - expected) / DRAWS as f64).sqrt();
    assert!(
        (p - expected).abs() <= 4.0 * se,
        "reached by: {p} vs {expected}"
    );
}

#[test]
fn tables_are_identical_whatever_the_thread_count() {
    let fx = scratch("threads");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, one) = simulate(&dir, 1, 30_000);
    let (_, three) = simulate(&dir, 3, 30_000);
    assert_eq!(one.attainment, three.attainment);
    assert_eq!(one.fan, three.fan);
    assert_eq!(one.scorecard, three.scorecard);
    assert_eq!(one.required, three.required);
}

#[test]
fn paired_differences_are_far_more_precise_than_unpaired_ones() {
    let fx = scratch("paired");
    let dir = fx.root.clone();
    write_fixture(&dir);
    std::fs::write(
        dir.join("scenarios/nudge.toml"),
        "name = \"nudge\"\ndescription = \"a small push\"\n[[adjust]]\nselect = \"lev\"\ndrift_add = 0.02\n",
    )
    .unwrap();
    let (_, t) = simulate(&dir, 2, DRAWS);
    let base = row(&t, "baseline", "lev_t");
    let nudge = row(&t, "nudge", "lev_t");
    let unpaired = (base.p_attain_se.unwrap().powi(2) + nudge.p_attain_se.unwrap().powi(2)).sqrt();
    let paired = nudge.delta_se.unwrap();
    assert!(nudge.delta_vs_baseline.unwrap() > 0.0);
    assert!(
        paired < 0.3 * unpaired,
        "paired SE {paired:.5} vs unpaired {unpaired:.5}"
    );
}

#[test]
fn joint_attainment_is_the_product_when_independent_and_above_it_under_a_factor() {
    let fx = scratch("joint");
    let dir = fx.root.clone();
    let indicators = "id,name_zh,name_en,group,unit,transform,lower,upper,decimals\na,甲,a,pair,index,level,,,2\nb,乙,b,pair,index,level,,,2\n";
    let targets = "id,indicator_id,kind,comparator,value,target_year,base_year,from_year,source\na_t,a,level,>=,16,2025,,,t\nb_t,b,level,>=,16,2025,,,t\n";
    let mut history = String::from("indicator_id,year,value,provenance,source\n");
    for id in ["a", "b"] {
        for (y, v) in LEVEL {
            history.push_str(&format!("{id},{y},{v},official,t\n"));
        }
    }
    std::fs::write(dir.join("data/indicators.csv"), indicators).unwrap();
    std::fs::write(dir.join("data/targets.csv"), targets).unwrap();
    std::fs::write(dir.join("data/history.csv"), history).unwrap();
    std::fs::write(
        dir.join("scenarios/baseline.toml"),
        "name = \"baseline\"\ndescription = \"d\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("scenarios/linked.toml"),
        "name = \"linked\"\ndescription = \"d\"\n[[factor]]\nselect = \"group:pair\"\nloading = 0.9\n",
    )
    .unwrap();
    let (_, t) = simulate(&dir, 2, DRAWS);
    let n = DRAWS as f64;
    let all = |s: &str| {
        t.scorecard
            .iter()
            .find(|r| r.scenario == s && r.group == "pair" && r.k == 2)
            .unwrap()
            .p_at_least
    };
    let (pa, pb) = (
        row(&t, "baseline", "a_t").p_attain.unwrap(),
        row(&t, "baseline", "b_t").p_attain.unwrap(),
    );
    let product = pa * pb;
    let p_all = all("baseline");
    let se =
        (p_all * (1.0 - p_all) / n + pb * pb * pa * (1.0 - pa) / n + pa * pa * pb * (1.0 - pb) / n)
            .sqrt();
    assert!(
        (p_all - product).abs() <= 4.0 * se,
        "P(all) {p_all:.4} vs product {product:.4} (4·SE {:.4})",
        4.0 * se
    );
    // The factor leaves the margins alone and raises the joint probability.
    let (la, lb) = (
        row(&t, "linked", "a_t").p_attain.unwrap(),
        row(&t, "linked", "b_t").p_attain.unwrap(),
    );
    let linked = all("linked");
    let se = (linked * (1.0 - linked) / n).sqrt();
    assert!(
        linked > la * lb + 4.0 * se,
        "P(all) under a factor {linked:.4} vs product {:.4}",
        la * lb
    );
}

fn required<'a>(t: &'a Tables, scenario: &str, target: &str, p_goal: f64) -> &'a RequiredRow {
    t.required
        .iter()
        .find(|r| r.scenario == scenario && r.target_id == target && r.p_goal == p_goal)
        .unwrap_or_else(|| panic!("required {scenario}/{target}/{p_goal}"))
}

/// Holds a required extra drift against the closed-form inversion of a
/// Student-t predictive: the statistic S + w·δ meets `cut` with probability p
/// when δ = (g(cut) − Q_{1−p}(S)) / w. The estimate is a sample quantile, so
/// its tolerance is 4 standard errors of that quantile, sqrt(p(1−p)/N) / f,
/// plus the sketch's ±0.001 in rank, both divided by w.
fn assert_required(got: &RequiredRow, predictive: &StudentsT, cut: f64, w: f64, what: &str) {
    let p = got.p_goal;
    let q = predictive.inverse_cdf(1.0 - p);
    let expected = (cut - q) / w;
    let density = predictive.pdf(q);
    let tolerance = (4.0 * (p * (1.0 - p) / DRAWS as f64).sqrt() + 0.001) / density / w;
    let d = got.extra_drift.expect("a drift");
    assert_eq!(got.status, RequiredStatus::Ok, "{what}");
    assert!(
        (d - expected).abs() <= tolerance,
        "{what}, P = {p}: simulated {d:.5}, closed form {expected:.5}, tolerance {tolerance:.5}"
    );
}

/// The Student-t predictive of G_T with ΣM = ΣV² = h (docs/model.md §2).
fn predictive(series: &[(i32, f64)], g: impl Fn(f64) -> f64, h: f64) -> StudentsT {
    let (g_last, mu, s2, k) = fit(series, &g);
    let dof = (series.len() - 2) as f64;
    StudentsT::new(g_last + h * mu, (s2 * (h * h / k + h)).sqrt(), dof).unwrap()
}

#[test]
fn required_extra_drift_matches_the_closed_form_inversion() {
    let fx = scratch("required");
    let dir = fx.root.clone();
    write_fixture(&dir);
    // Effort from the first projected year (2021): five years of it by 2025.
    let (_, t) = simulate(&dir, 2, DRAWS);
    for p in [0.5, 0.8, 0.9] {
        let lev = predictive(&LEVEL, |x| x, 5.0);
        assert_required(
            required(&t, "baseline", "lev_t", p),
            &lev,
            18.95,
            5.0,
            "level",
        );
        let lg = predictive(&LOG, f64::ln, 5.0);
        assert_required(
            required(&t, "baseline", "lg_t", p),
            &lg,
            4.595f64.ln(),
            5.0,
            "log",
        );
        let lt = predictive(&LOGIT, logit, 5.0);
        assert_required(
            required(&t, "baseline", "lt_t", p),
            &lt,
            logit(99.95),
            5.0,
            "logit",
        );
        // Increase 2022 → 2025: the effort of 2023–25 adds 3δ.
        let (g_last, mu, s2, k) = fit(&LEVEL, |x| x);
        let dof = (LEVEL.len() - 2) as f64;
        let inc = StudentsT::new(3.0 * mu, (s2 * (9.0 / k + 3.0)).sqrt(), dof).unwrap();
        assert_required(
            required(&t, "baseline", "inc_t", p),
            &inc,
            2.899_95,
            3.0,
            "increase",
        );
        // Cumulative 2023–25: the effort adds 3δ + 4δ + 5δ.
        let cum = StudentsT::new(
            3.0 * g_last + 12.0 * mu,
            (s2 * (144.0 / k + 32.0)).sqrt(),
            dof,
        )
        .unwrap();
        assert_required(
            required(&t, "baseline", "cum_t", p),
            &cum,
            55.5 - 0.000_05,
            12.0,
            "cumulative",
        );
    }
    // The natural readings: for `level` the drift itself; for `log` the growth
    // it adds, and the deciding draw's gap to the cut over the five years.
    let r = required(&t, "baseline", "lev_t", 0.8);
    assert_eq!(r.extra_natural, r.extra_drift);
    let r = required(&t, "baseline", "lg_t", 0.8);
    let d = r.extra_drift.unwrap();
    assert!((r.extra_growth_pct.unwrap() - 100.0 * d.exp_m1()).abs() < 1e-12);
    let lg = predictive(&LOG, f64::ln, 5.0);
    let q = lg.inverse_cdf(0.2);
    let gap = (4.595 - q.exp()) / 5.0;
    // The quantile's tolerance on the log scale, carried to natural units.
    let tolerance = q.exp() * (4.0 * (0.16 / DRAWS as f64).sqrt() + 0.001) / lg.pdf(q) / 5.0;
    let natural = r.extra_natural.unwrap();
    assert!(
        (natural - gap).abs() <= tolerance,
        "log natural reading {natural} vs {gap} ± {tolerance}"
    );
    // The target of a `logit` at its published ceiling stays reachable (99.95);
    // the milestone has no required drift.
    assert!(t.required.iter().all(|r| r.target_id != "ms_t"));
    // A later effort year leaves fewer years: from 2023, three of them.
    let (_, late) = simulate_from(&dir, 2, DRAWS, Some(2023));
    let lev = predictive(&LEVEL, |x| x, 5.0);
    let r = required(&late, "baseline", "lev_t", 0.8);
    assert_eq!(r.effort_from, 2023);
    assert_required(r, &lev, 18.95, 3.0, "level from 2023");
}

#[test]
fn required_additions_of_a_count_reach_the_goal_in_closed_form() {
    let fx = scratch("required_count");
    let dir = fx.root.clone();
    write_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    // 49 → ≥ 61: 12 more in 5 years. With δ extra additions a year on top,
    // the additions are NegBin(r, p) + Poisson(5δ); P(≥ 12) by convolution.
    let r0 = 0.5 + 9.0;
    let pk: f64 = 5.0 / (5.0 + 5.0);
    let negbin = |n: u64| {
        let n = n as f64;
        (ln_gamma(n + r0) - ln_gamma(n + 1.0) - ln_gamma(r0) + r0 * pk.ln() + n * (1.0 - pk).ln())
            .exp()
    };
    for p in [0.5, 0.8, 0.9] {
        let row = required(&t, "baseline", "cnt_t", p);
        let delta = row.extra_drift.unwrap();
        assert!(delta > 0.0, "P = {p} needs more additions");
        let pois = Poisson::new(5.0 * delta).unwrap();
        let below: f64 = (0..12u64)
            .map(|a| {
                (0..=12 - 1 - a)
                    .map(|b| negbin(a) * pois.pmf(b))
                    .sum::<f64>()
            })
            .sum();
        let reached = 1.0 - below;
        let se = (p * (1.0 - p) / DRAWS as f64).sqrt();
        assert!(
            (reached - p).abs() <= 4.0 * se,
            "count, goal {p}: closed form at δ = {delta:.4} gives {reached:.4}"
        );
        assert_eq!(row.extra_natural, Some(delta));
    }
}
