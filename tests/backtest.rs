//! `attain backtest` held against hand computations, on the fixture in
//! `tests/fixtures/backtest/` (a `level` walk with a gap, a `logit` share, a
//! `count` stock, an illustrative stand-in, a `log` series with `plan` rows
//! between its published ones, and a milestone).
//!
//! The scores are checked against independent computations: CRPS by
//! numerical integration of (F(x) − 1{x ≥ y})², or for counts by
//! E|X − y| − ½ E|X − X'|; PIT and coverage from the Student-t fitted by hand.
//! A planted future outlier must leave every earlier forecast unchanged.

use std::fs;
use std::process::Command;

use attain::model::score::{brier, crps_standard_normal, reliability, Pmf, Predictive};
use polars::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::gamma::ln_gamma;

mod common;
use common::{read_parquet, Outcome, Scratch, BIN};

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/// A private copy of `tests/fixtures/backtest`.
fn fixture(label: &str) -> Scratch {
    Scratch::copy(&format!("backtest-{label}"), "backtest")
}

/// What the tests do with a copy of the fixture.
trait Backtests {
    /// Appends a row to the copy's `history.csv`.
    fn append_history(&self, line: &str);
    /// `attain backtest` on the copy.
    fn backtest(&self, origins: &str) -> Outcome;
    /// A table the backtest wrote.
    fn table(&self, name: &str) -> DataFrame;
}

impl Backtests for Scratch {
    fn append_history(&self, line: &str) {
        self.append("data/history.csv", &format!("{line}\n"));
    }

    fn backtest(&self, origins: &str) -> Outcome {
        Outcome::of(
            Command::new(BIN)
                .arg("backtest")
                .arg("--data")
                .arg(self.data())
                .arg("--out")
                .arg(self.out())
                .args(["--origins", origins]),
        )
    }

    fn table(&self, name: &str) -> DataFrame {
        read_parquet(&self.out().join(name))
    }
}

/// Every row of a frame, each cell printed exactly (f64 `Debug` round-trips).
fn rows(frame: &DataFrame) -> Vec<Vec<String>> {
    (0..frame.height())
        .map(|i| {
            frame
                .columns()
                .iter()
                .map(|c| format!("{:?}", c.get(i).unwrap()))
                .collect()
        })
        .collect()
}

/// The cell of column `name` in the row for (indicator, origin, year).
fn cell(
    frame: &DataFrame,
    indicator: &str,
    origin: i32,
    year: i32,
    name: &str,
) -> AnyValue<'static> {
    let ids = frame.column("indicator_id").unwrap().str().unwrap().clone();
    let origins = frame.column("origin").unwrap().i32().unwrap().clone();
    let years = frame.column("year").unwrap().i32().unwrap().clone();
    let hits: Vec<usize> = (0..frame.height())
        .filter(|&i| {
            ids.get(i) == Some(indicator)
                && origins.get(i) == Some(origin)
                && years.get(i) == Some(year)
        })
        .collect();
    assert_eq!(hits.len(), 1, "one row for ({indicator}, {origin}, {year})");
    frame
        .column(name)
        .unwrap()
        .get(hits[0])
        .unwrap()
        .into_static()
}

fn float(frame: &DataFrame, indicator: &str, origin: i32, year: i32, name: &str) -> f64 {
    match cell(frame, indicator, origin, year, name) {
        AnyValue::Float64(x) => x,
        other => panic!("{name}: expected a float, found {other:?}"),
    }
}

fn flag(frame: &DataFrame, indicator: &str, origin: i32, year: i32, name: &str) -> bool {
    match cell(frame, indicator, origin, year, name) {
        AnyValue::Boolean(x) => x,
        other => panic!("{name}: expected a boolean, found {other:?}"),
    }
}

/// ∫ (F(x) − 1{x ≥ y})² dx by Simpson's rule after x = y + w·sinh(u), which
/// spreads the points over the heavy tails; split at the jump.
fn crps_by_integration(cdf: impl Fn(f64) -> f64, y: f64, width: f64) -> f64 {
    let simpson = |a: f64, b: f64, f: &dyn Fn(f64) -> f64| {
        let n = 20_000;
        let h = (b - a) / n as f64;
        let mut s = f(a) + f(b);
        for i in 1..n {
            s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    };
    let below = |u: f64| cdf(y + width * u.sinh()).powi(2) * width * u.cosh();
    let above = |u: f64| (1.0 - cdf(y + width * u.sinh())).powi(2) * width * u.cosh();
    simpson(-14.0, 0.0, &below) + simpson(0.0, 14.0, &above)
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (tolerance {tol})");
}

// ---------------------------------------------------------------------------
// the scores themselves
// ---------------------------------------------------------------------------

#[test]
fn normal_crps_at_its_mean_is_two_phi_of_zero_minus_one_over_root_pi() {
    // 2φ(0) − 1/√π = 2/√(2π) − 1/√π = 0.233695…
    let hand = 2.0 / (2.0 * std::f64::consts::PI).sqrt() - 1.0 / std::f64::consts::PI.sqrt();
    close(crps_standard_normal(0.0), hand, 1e-12, "closed form");
    close(hand, 0.233_695, 1e-6, "the constant");
    let n = Normal::new(0.0, 1.0).unwrap();
    close(
        crps_by_integration(|x| n.cdf(x), 0.0, 1.0),
        hand,
        1e-8,
        "integral",
    );
}

#[test]
fn student_t_and_normal_crps_match_numerical_integrals() {
    for &(location, scale, dof, y) in &[
        (0.0, 1.0, 2.0, 0.0),
        (1.5, 0.4, 3.0, 2.7),
        (-2.0, 2.5, 5.0, -9.0),
        (10.0, 0.01, 30.0, 10.003),
    ] {
        let t = StudentsT::new(location, scale, dof).unwrap();
        let integral = crps_by_integration(|x| t.cdf(x), y, scale);
        let closed = Predictive::student_t(location, scale, dof).crps(y).unwrap();
        close(closed, integral, 1e-7 * scale.max(1.0), "Student-t CRPS");
        let n = Normal::new(location, scale).unwrap();
        let closed = Predictive::normal(location, scale).crps(y).unwrap();
        close(
            closed,
            crps_by_integration(|x| n.cdf(x), y, scale),
            1e-8,
            "normal CRPS",
        );
    }
    // One degree of freedom: E|X| is infinite, and so is the CRPS.
    assert_eq!(Predictive::student_t(0.0, 1.0, 1.0).crps(0.5), None);
}

#[test]
fn discrete_scores_match_a_hand_example() {
    // P(0) = 0.2, P(1) = 0.5, P(2) = 0.3, y = 1:
    // CRPS = (0.2 − 0)² + (0.7 − 1)² + (1 − 1)² = 0.13
    //      = E|X − 1| − ½E|X − X'| = 0.5 − ½·0.74.
    let pmf = Pmf::new(vec![0.2, 0.5, 0.3]);
    close(pmf.crps(1), 0.13, 1e-12, "CRPS");
    close(
        pmf.crps(4),
        0.2f64.powi(2) + 0.7f64.powi(2) + 1.0 + 1.0,
        1e-12,
        "CRPS above",
    );
    close(pmf.mid_pit(1), 0.2 + 0.25, 1e-12, "mid PIT");
    assert!(pmf.covers(1, 0.5) && !pmf.covers(3, 0.95));
    // Negative binomial r = 1.5, p = ½: P(0) = ½^1.5, P(1) = r·½^1.5·½.
    let nb = Pmf::negative_binomial(1.5, 0.5);
    close(nb.mass(0), 0.5f64.powf(1.5), 1e-12, "NB P(0)");
    close(nb.mass(1), 1.5 * 0.5f64.powf(1.5) * 0.5, 1e-12, "NB P(1)");
}

#[test]
fn brier_and_reliability_match_a_hand_example() {
    // (0.9 − 1)² + (0.2 − 0)² + (0.5 − 1)² = 0.01 + 0.04 + 0.25, over 3.
    let p = [0.9, 0.2, 0.5, 0.25];
    let o = [true, false, true, true];
    close(brier(&p[..3], &o[..3]).unwrap(), 0.1, 1e-12, "Brier");
    let bins = reliability(&p, &o, 10);
    assert_eq!(bins[2].n, 2);
    close(
        bins[2].mean_forecast.unwrap(),
        0.225,
        1e-12,
        "mean forecast",
    );
    close(
        bins[2].observed_frequency.unwrap(),
        0.5,
        1e-12,
        "observed frequency",
    );
    assert_eq!(bins[9].observed_frequency, Some(1.0));
    assert_eq!(brier(&[], &[]), None);
}

// ---------------------------------------------------------------------------
// the command
// ---------------------------------------------------------------------------

#[test]
fn walk_forecasts_match_the_fit_done_by_hand() {
    let fx = fixture("walk");
    fx.backtest("2019..2019").assert_success();
    let t = fx.table("backtest.parquet");
    // Origin 2019 sees 1, 2, 4, 5 (2016–2019): μ̂ = 4/3, increments 1, 2, 1,
    // s² = ((1/3)² + (2/3)² + (1/3)²)/2 = 1/3, 2 degrees of freedom, K = 3.
    close(
        float(&t, "walk", 2019, 2020, "fit_drift"),
        4.0 / 3.0,
        1e-12,
        "μ̂",
    );
    close(
        float(&t, "walk", 2019, 2020, "fit_s2"),
        1.0 / 3.0,
        1e-12,
        "s²",
    );
    close(float(&t, "walk", 2019, 2020, "dof"), 2.0, 0.0, "dof");
    // h = 1: location 5 + 4/3, scale sqrt(s²(1/K + 1)) = 2/3; y = 7 gives z = 1,
    // and for 2 degrees of freedom F(z) = ½ + z/(2√(2 + z²)).
    let pit = 0.5 + 1.0 / (2.0 * 3f64.sqrt());
    close(float(&t, "walk", 2019, 2020, "pit"), pit, 1e-12, "PIT");
    assert!(
        !flag(&t, "walk", 2019, 2020, "in50"),
        "0.789 is outside [0.25, 0.75]"
    );
    assert!(flag(&t, "walk", 2019, 2020, "in80") && flag(&t, "walk", 2019, 2020, "in95"));
    let model = StudentsT::new(5.0 + 4.0 / 3.0, 2.0 / 3.0, 2.0).unwrap();
    close(
        float(&t, "walk", 2019, 2020, "crps_model"),
        crps_by_integration(|x| model.cdf(x), 7.0, 2.0 / 3.0),
        1e-7,
        "model CRPS",
    );
    close(
        float(&t, "walk", 2019, 2020, "crps_no_change"),
        2.0,
        1e-12,
        "no change",
    );
    let plug_in = Normal::new(5.0 + 4.0 / 3.0, (1.0f64 / 3.0).sqrt()).unwrap();
    close(
        float(&t, "walk", 2019, 2020, "crps_no_param_unc"),
        crps_by_integration(|x| plug_in.cdf(x), 7.0, 0.5),
        1e-8,
        "no parameter uncertainty",
    );
    // h = 3 (2022, across the gap): location 9, scale sqrt(s²(9/3 + 3)) = √2.
    let model3 = StudentsT::new(9.0, 2f64.sqrt(), 2.0).unwrap();
    close(
        float(&t, "walk", 2019, 2022, "pit"),
        model3.cdf(8.0),
        1e-12,
        "PIT h = 3",
    );

    // Pseudo-targets: 2020 against the 2022 figure (7 ≥ 8: no; trend 6.33: no)
    // and 2022 against the 2020 figure (8 ≥ 7: yes; trend 9: yes).
    let e = fx.table("backtest_events.parquet");
    let walk: Vec<usize> = (0..e.height())
        .filter(|&i| e.column("indicator_id").unwrap().str().unwrap().get(i) == Some("walk"))
        .collect();
    assert_eq!(walk.len(), 2);
    let get = |name: &str, i: usize| e.column(name).unwrap().get(i).unwrap().into_static();
    for i in walk {
        let year = get("year", i);
        let (p, trend, outcome) = if year == AnyValue::Int32(2020) {
            (1.0 - model.cdf(8.0), 0.0, false)
        } else {
            (1.0 - model3.cdf(7.0), 1.0, true)
        };
        match (get("p_model", i), get("p_trend", i), get("outcome", i)) {
            (AnyValue::Float64(pm), AnyValue::Float64(pt), AnyValue::Boolean(o)) => {
                close(pm, p, 1e-12, "event probability");
                assert_eq!((pt, o), (trend, outcome));
            }
            other => panic!("unexpected event row {other:?}"),
        }
    }
}

#[test]
fn count_forecasts_match_the_negative_binomial_done_by_hand() {
    let fx = fixture("count");
    fx.backtest("2020..2020").assert_success();
    let t = fx.table("backtest.parquet");
    // Origin 2020 sees 40, 46, 49 (2015–2020): C = 9, K = 5; one year on the
    // additions are NB(r = 9.5, p = 5/6); 3 were added (49 → 52).
    let (r, p): (f64, f64) = (9.5, 5.0 / 6.0);
    let mass = |j: f64| {
        (ln_gamma(j + r) - ln_gamma(j + 1.0) - ln_gamma(r) + r * p.ln() + j * (1.0 - p).ln()).exp()
    };
    let pmf: Vec<f64> = (0..200).map(|j| mass(f64::from(j))).collect();
    let mid_pit = pmf[..3].iter().sum::<f64>() + 0.5 * pmf[3];
    close(
        float(&t, "stock", 2020, 2021, "pit"),
        mid_pit,
        1e-10,
        "mid PIT",
    );
    let mut e_abs = 0.0;
    let mut e_pair = 0.0;
    for (i, pi) in pmf.iter().enumerate() {
        e_abs += pi * (i as f64 - 3.0).abs();
        for (j, pj) in pmf.iter().enumerate() {
            e_pair += pi * pj * (i as f64 - j as f64).abs();
        }
    }
    close(
        float(&t, "stock", 2020, 2021, "crps_model"),
        e_abs - 0.5 * e_pair,
        1e-9,
        "count CRPS",
    );
    close(
        float(&t, "stock", 2020, 2021, "crps_no_change"),
        3.0,
        1e-12,
        "no change",
    );
    // The plug-in rate is 9/5 a year: Poisson(1.8).
    let poisson: Vec<f64> = (0..100)
        .map(|j| (f64::from(j) * 1.8f64.ln() - 1.8 - ln_gamma(f64::from(j) + 1.0)).exp())
        .collect();
    let e_abs: f64 = poisson
        .iter()
        .enumerate()
        .map(|(i, q)| q * (i as f64 - 3.0).abs())
        .sum();
    let e_pair: f64 = poisson
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            poisson
                .iter()
                .enumerate()
                .map(move |(j, b)| a * b * (i as f64 - j as f64).abs())
        })
        .sum();
    close(
        float(&t, "stock", 2020, 2021, "crps_no_param_unc"),
        e_abs - 0.5 * e_pair,
        1e-9,
        "Poisson CRPS",
    );
}

#[test]
fn only_published_figures_are_fitted_and_scored() {
    let fx = fixture("published");
    fx.backtest("2016..2022").assert_success();
    let t = fx.table("backtest.parquet");
    let ids: Vec<String> = t
        .column("indicator_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect();
    assert!(
        !ids.iter().any(|i| i == "stand_in" || i == "law"),
        "{ids:?}"
    );
    // `mixed` from 2019 fits 2016, 2017, 2019 (not the 2018 plan row) and is
    // scored on 2020 and 2022 (not the 2021 plan row).
    let n = cell(&t, "mixed", 2019, 2020, "fit_n_obs");
    assert_eq!(n, AnyValue::UInt32(3));
    let _ = cell(&t, "mixed", 2019, 2022, "fit_n_obs");
    let provenance: Vec<&str> = t
        .column("provenance")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap())
        .collect();
    assert!(provenance
        .iter()
        .all(|p| *p == "official" || *p == "secondary"));
}

#[test]
fn the_summary_counts_scored_and_skipped_pairs() {
    let fx = fixture("summary");
    let out = fx.backtest("2016..2022");
    out.assert_success();
    // By hand over 4 published indicators × 7 origins = 28 pairs:
    // no figure in the origin year: walk 2021; share 2021, 2022; stock 2016,
    // 2017, 2019, 2022; mixed 2018, 2021 (9). Too little history: walk 2016,
    // 2017; share 2016; mixed 2016, 2017 (5). Nothing after: walk 2022, share
    // 2020, stock 2021, mixed 2022 (4). Scored: 10.
    assert!(
        out.stdout.contains(
            "10 scored, 18 skipped (9 no figure in the origin year, 5 too little history, 4 nothing published after)"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("4 indicators have published figures (2 others have none or are milestones); 4 have enough to score"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.lines().count() <= 25, "{}", out.stdout);
    // One forecast per later published figure of each scored pair.
    let t = fx.table("backtest.parquet");
    // walk 2018, 2019, 2020; share 2017, 2018, 2019; stock 2018, 2020; mixed 2019, 2020.
    assert_eq!(t.height(), (3 + 2 + 1) + (3 + 2 + 1) + (2 + 1) + (2 + 1));
    let rel = fx.table("backtest_reliability.parquet");
    assert_eq!(rel.height(), 20);
    let e = fx.table("backtest_events.parquet");
    let total: u32 = rel
        .column("n")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|n| n.unwrap())
        .sum();
    assert_eq!(
        total as usize,
        2 * e.height(),
        "each event once per forecaster"
    );
}

#[test]
fn a_planted_future_outlier_leaves_earlier_forecasts_unchanged() {
    let fx = fixture("outlier");
    fx.backtest("2016..2022").assert_success();
    let before = rows(&fx.table("backtest.parquet"));
    // 2021 is a gap of `walk`: plant a wild figure there.
    fx.append_history("walk,2021,1000,official,planted outlier");
    fx.backtest("2016..2022").assert_success();
    let after_frame = fx.table("backtest.parquet");
    let after = rows(&after_frame);
    // Every forecast made before 2021 of a year other than 2021 is identical,
    // fit and scores alike.
    for row in &before {
        assert!(after.contains(row), "changed by the outlier: {row:?}");
    }
    // What is new is exactly the forecasts of 2021 and from 2021.
    let origins = after_frame.column("origin").unwrap().i32().unwrap().clone();
    let years = after_frame.column("year").unwrap().i32().unwrap().clone();
    let ids = after_frame
        .column("indicator_id")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let new: Vec<usize> = (0..after.len())
        .filter(|&i| !before.contains(&after[i]))
        .collect();
    assert!(!new.is_empty());
    for &i in &new {
        assert_eq!(ids.get(i), Some("walk"));
        assert!(years.get(i) == Some(2021) || origins.get(i) == Some(2021));
    }
    // And it is scored as the surprise it is.
    close(
        float(&after_frame, "walk", 2020, 2021, "pit"),
        1.0,
        1e-3,
        "PIT of the outlier",
    );
    assert!(!flag(&after_frame, "walk", 2020, 2021, "in95"));
}

#[test]
fn tables_carry_the_manifest() {
    let fx = fixture("manifest");
    fx.backtest("2018..2020").assert_success();
    for name in [
        "backtest.parquet",
        "backtest_events.parquet",
        "backtest_reliability.parquet",
    ] {
        let file = fs::File::open(fx.out().join(name)).unwrap();
        let mut reader = ParquetReader::new(file);
        let metadata = reader.get_metadata().unwrap();
        let kv = metadata.key_value_metadata().clone().unwrap_or_default();
        let run = kv
            .iter()
            .find(|k| k.key == "attain.run")
            .and_then(|k| k.value.clone())
            .unwrap_or_else(|| panic!("{name} carries attain.run"));
        assert!(
            run.contains("\"command\": \"backtest\"") && run.contains("2018..2020"),
            "{run}"
        );
    }
}

#[test]
fn bad_origins_exit_2_and_write_nothing() {
    let fx = fixture("bad-origins");
    for bad in ["2016-2021", "2021..2016", "abc", "2016..", "16..21"] {
        let out = fx.backtest(bad);
        assert_eq!(out.code, Some(2), "{bad}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("--origins") && out.stderr.contains(bad),
            "{bad}: {}",
            out.stderr
        );
    }
    assert!(!fx.out().exists());
}

#[test]
fn bad_data_exits_2_and_leaves_the_previous_tables() {
    let fx = fixture("bad-data");
    fx.backtest("2016..2022").assert_success();
    let before = fs::read(fx.out().join("backtest.parquet")).unwrap();
    fx.append_history("walk,2023,n/a,official,broken row");
    let out = fx.backtest("2016..2022");
    assert_eq!(out.code, Some(2), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("history.csv") && out.stderr.contains("n/a"),
        "{}",
        out.stderr
    );
    assert_eq!(fs::read(fx.out().join("backtest.parquet")).unwrap(), before);
}

#[test]
fn quiet_hides_progress_only_and_writes_the_tables() {
    let fx = fixture("quiet");
    let out = Command::new(BIN)
        .arg("backtest")
        .arg("--data")
        .arg(fx.root.join("data"))
        .arg("--out")
        .arg(fx.out())
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(out.status.success());
    // `--quiet` means no progress bar, as on every command; the result
    // is printed either way
    assert!(!out.stdout.is_empty());
    assert!(fx.out().join("backtest.parquet").is_file());
}

/// Links `walk` to a national analog-only level series `nat` (2010–2018,
/// weight 0.5).
fn with_national_analog(fx: &Scratch) {
    let text = fx.read("data/indicators.csv");
    let mut lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},analog,analog_weight"),
            _ if l.starts_with("walk,") => format!("{l},nat,0.5"),
            _ => format!("{l},,"),
        })
        .collect();
    lines.push("nat,全国,National walk index,national,index,level,,,1,,".into());
    fx.write("data/indicators.csv", &(lines.join("\n") + "\n"));
    for (y, v) in [
        (2010, 0.0),
        (2011, 1.1),
        (2012, 2.5),
        (2013, 3.1),
        (2014, 4.6),
        (2015, 5.2),
        (2016, 6.9),
        (2017, 7.4),
        (2018, 8.8),
    ] {
        fx.append_history(&format!("nat,{y},{v},official,national yearbook"));
    }
}

#[test]
fn an_analog_is_cut_at_the_origin_and_its_forecasts_are_scored_with_and_without_it() {
    let plain = fixture("analog-plain");
    plain.backtest("2016..2022").assert_success();
    let fx = fixture("analog");
    with_national_analog(&fx);
    fx.backtest("2016..2022").assert_success();
    let scores = fx.table("backtest.parquet");
    let compared = fx.table("backtest_analog.parquet");
    let without = plain.table("backtest.parquet");
    assert!(compared.height() > 0);
    // Each compared forecast: "with" is the main table's row (the fit as run
    // makes it), "without" the row of a backtest of the catalog without the
    // analog.
    let ids = compared
        .column("indicator_id")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let origins = compared.column("origin").unwrap().i32().unwrap().clone();
    let years = compared.column("year").unwrap().i32().unwrap().clone();
    let pit_with = compared.column("pit_with").unwrap().f64().unwrap().clone();
    let pit_without = compared
        .column("pit_without")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    for i in 0..compared.height() {
        let (id, origin, year) = (
            ids.get(i).unwrap(),
            origins.get(i).unwrap(),
            years.get(i).unwrap(),
        );
        assert_eq!(id, "walk");
        close(
            pit_with.get(i).unwrap(),
            float(&scores, "walk", origin, year, "pit"),
            0.0,
            "with the analog",
        );
        match pit_without.get(i) {
            Some(p) => close(
                p,
                float(&without, "walk", origin, year, "pit"),
                0.0,
                "without",
            ),
            // Too few own figures: only the analog makes the forecast possible.
            None => assert!(
                !rows(&without).iter().any(|r| {
                    r[0] == "String(\"walk\")"
                        && r[2] == format!("Int32({origin})")
                        && r[4] == format!("Int32({year})")
                }),
                "walk {origin}→{year}: no forecast without the analog"
            ),
        }
    }
    // The analog's figures after an origin never reach that origin's fit.
    let before = rows(&scores);
    fx.append_history("nat,2020,500,official,planted outlier");
    fx.backtest("2016..2022").assert_success();
    let after = rows(&fx.table("backtest.parquet"));
    let frame = fx.table("backtest.parquet");
    let origins = frame.column("origin").unwrap().i32().unwrap().clone();
    let mut changed = 0;
    for (i, row) in after.iter().enumerate() {
        // The analog-only series is backtested too: its own new forecasts
        // of 2020 are not the point here.
        if row[0] != "String(\"walk\")" {
            continue;
        }
        if origins.get(i).unwrap() < 2020 {
            assert!(
                before.contains(row),
                "changed by a later analog figure: {row:?}"
            );
        } else if !before.contains(row) {
            changed += 1;
        }
    }
    assert!(changed > 0, "the outlier reaches the fits from 2020 on");
}

#[test]
fn with_a_persistence_prior_the_walk_is_scored_as_a_mixture_of_student_ts() {
    let fx = fixture("prior");
    fx.write(
        "data/model.toml",
        "[persistence]\nphi = [0.0, 0.8]\nweight = [0.3, 0.7]\nsource = \"test\"\n",
    );
    fx.backtest("2019..2019").assert_success();
    let t = fx.table("backtest.parquet");
    // The walk of `walk_forecasts_match_the_fit_done_by_hand`: origin 2019,
    // G_n = 5, μ̂ = 4/3, s² = 1/3, K = 3, 2 degrees of freedom. h = 3 (2022):
    // for each φ, S = φ + φ² + φ³, location 5 + S·μ̂, scale sqrt(s²(S²/K + 3)).
    let component = |phi: f64| {
        let s = phi + phi * phi + phi * phi * phi;
        StudentsT::new(
            5.0 + s * 4.0 / 3.0,
            (1.0 / 3.0 * (s * s / 3.0 + 3.0)).sqrt(),
            2.0,
        )
        .unwrap()
    };
    let (still, damped) = (component(0.0), component(0.8));
    let mixture = |x: f64| 0.3 * still.cdf(x) + 0.7 * damped.cdf(x);
    close(
        float(&t, "walk", 2019, 2022, "pit"),
        mixture(8.0),
        1e-12,
        "PIT",
    );
    close(
        float(&t, "walk", 2019, 2022, "crps_model"),
        crps_by_integration(mixture, 8.0, 1.0),
        1e-6,
        "mixture CRPS",
    );
    // The references: the walk with drift (φ = 1) and without (φ = 0).
    let drift = component(1.0);
    close(
        float(&t, "walk", 2019, 2022, "crps_drift"),
        crps_by_integration(|x| drift.cdf(x), 8.0, 1.0),
        1e-7,
        "walk with drift",
    );
    close(
        float(&t, "walk", 2019, 2022, "crps_naive"),
        crps_by_integration(|x| still.cdf(x), 8.0, 1.0),
        1e-7,
        "walk without drift",
    );
    // Without the prior, the model is the walk with drift.
    let plain = fixture("no-prior");
    plain.backtest("2019..2019").assert_success();
    let p = plain.table("backtest.parquet");
    close(
        float(&p, "walk", 2019, 2022, "crps_model"),
        float(&t, "walk", 2019, 2022, "crps_drift"),
        1e-12,
        "no prior: φ = 1",
    );
}

#[test]
fn the_summary_speaks_chinese_with_lang_zh_and_the_tables_do_not_change() {
    let fx = fixture("summary-zh");
    let en = fx.backtest("2016..2022");
    en.assert_success();
    let before = rows(&fx.table("backtest.parquet"));
    let zh = Outcome::of(
        Command::new(BIN)
            .args(["backtest", "--lang", "zh", "--data"])
            .arg(fx.data())
            .arg("--out")
            .arg(fx.out())
            .args(["--origins", "2016..2022"]),
    );
    zh.assert_success();
    assert!(zh.stdout.starts_with("基准模型回测"), "{}", zh.stdout);
    assert!(zh.stdout.contains("表格："), "{}", zh.stdout);
    assert!(en.stdout.starts_with("Backtest of the baseline model"));
    assert_eq!(rows(&fx.table("backtest.parquet")), before);
}
