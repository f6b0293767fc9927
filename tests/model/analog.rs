//! docs/model.md §2b (an analog's power prior) and §3 (a count's assumed rate)
//! held against their closed forms, computed here independently of the
//! crate: the Student-t of the posterior predictive for walks that borrow
//! an analog's dynamics with one, two and four own observations on the
//! `level` and `logit` scales, and the Poisson additions of a stock whose
//! rate the scenarios assume.

use super::*;

/// An analog-only level series: 11 yearly figures, 2010–2020.
const AN_LEV: [(i32, f64); 11] = [
    (2010, 30.0),
    (2011, 31.2),
    (2012, 31.9),
    (2013, 33.5),
    (2014, 34.1),
    (2015, 35.8),
    (2016, 36.2),
    (2017, 37.9),
    (2018, 39.4),
    (2019, 39.8),
    (2020, 41.5),
];
/// An analog-only share with a gap (2015 missing).
const AN_LT: [(i32, f64); 6] = [
    (2012, 90.1),
    (2013, 91.0),
    (2014, 91.4),
    (2016, 93.0),
    (2017, 93.2),
    (2018, 94.1),
];
const B1: [(i32, f64); 1] = [(2020, 50.0)];
const B2: [(i32, f64); 2] = [(2018, 48.0), (2020, 50.4)];
const B4: [(i32, f64); 4] = [(2016, 45.0), (2017, 46.9), (2019, 48.1), (2020, 50.2)];
const C1: [(i32, f64); 1] = [(2020, 95.2)];

fn write_analog_fixture(dir: &Path) {
    let indicators = "\
id,name_zh,name_en,group,unit,transform,lower,upper,decimals,analog,analog_weight
an_lev,类比,analog level,national,index,level,,,1,,
an_lt,类比,analog share,national,%,logit,0,100,1,,
b1,一点,one own point,alpha,index,level,,,1,an_lev,
b2,两点,two own points,alpha,index,level,,,1,an_lev,0.8
b4,四点,four own points,alpha,index,level,,,1,an_lev,0.5
c1,一点,one own share,alpha,%,logit,0,100,1,an_lt,1
ac,存量,a single stock,beta,count,count,,,0,,
";
    let targets = "\
id,indicator_id,kind,comparator,value,target_year,base_year,from_year,source
b1_t,b1,level,>=,56,2025,,,test
b2_t,b2,level,>=,57,2025,,,test
b4_t,b4,level,>=,57.5,2025,,,test
c1_t,c1,level,>=,97,2025,,,test
ac_t,ac,level,>=,25,2025,,,test
";
    let mut history = String::from("indicator_id,year,value,provenance,source\n");
    for (id, series) in [
        ("an_lev", &AN_LEV[..]),
        ("an_lt", &AN_LT[..]),
        ("b1", &B1[..]),
        ("b2", &B2[..]),
        ("b4", &B4[..]),
        ("c1", &C1[..]),
    ] {
        for (y, v) in series {
            history.push_str(&format!("{id},{y},{v},official,test\n"));
        }
    }
    history.push_str("ac,2020,12,official,test\n");
    std::fs::write(dir.join("data/indicators.csv"), indicators).unwrap();
    std::fs::write(dir.join("data/targets.csv"), targets).unwrap();
    std::fs::write(dir.join("data/history.csv"), history).unwrap();
    let scenarios = [
        (
            "baseline",
            "name = \"baseline\"\ndescription = \"trend\"\n\
             [[adjust]]\nselect = \"ac\"\nrate = 2.5\n",
        ),
        (
            "adjusted",
            "name = \"adjusted\"\ndescription = \"adjustments\"\nextends = \"baseline\"\n\
             [[adjust]]\nselect = [\"b1\", \"b2\", \"c1\"]\nfrom = 2023\ndrift_mult = 1.5\n\
             [[adjust]]\nselect = \"*\"\nfrom = 2024\nvol_scale = 1.4\n\
             [[adjust]]\nselect = \"ac\"\nfrom = 2023\nrate = 4.0\n\
             [[adjust]]\nselect = \"ac\"\nrate_mult = 1.2\n",
        ),
    ];
    for (name, text) in scenarios {
        std::fs::write(dir.join(format!("scenarios/{name}.toml")), text).unwrap();
    }
}

/// (m, K, μ̂, SS) of a history on scale g, docs/model.md §2.
fn increments(series: &[(i32, f64)], g: &dyn Fn(f64) -> f64) -> (f64, f64, f64, f64) {
    let n = series.len();
    if n < 2 {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let k = f64::from(series[n - 1].0 - series[0].0);
    let mu = (g(series[n - 1].1) - g(series[0].1)) / k;
    let ss: f64 = series
        .windows(2)
        .map(|w| {
            let span = f64::from(w[1].0 - w[0].0);
            (g(w[1].1) - g(w[0].1) - span * mu).powi(2) / span
        })
        .sum();
    ((n - 1) as f64, k, mu, ss)
}

/// A yearly series.
type Series<'a> = &'a [(i32, f64)];

/// P(G_T ≥ g(cut)) under the §2b posterior predictive of `own` with analog
/// `analog` weighted `a`, given ΣM, ΣA and ΣV² over the projected years.
fn p_borrowed(
    (own, analog, a): (Series, Series, f64),
    g: &dyn Fn(f64) -> f64,
    cut: f64,
    (sum_m, sum_a, sum_v2): (f64, f64, f64),
) -> f64 {
    let (m0, k0, mu0, ss0) = increments(analog, g);
    let (kappa0, nu0, nu0_s0) = (a * k0, a * m0 - 1.0, a * ss0);
    assert!(nu0 > 0.0);
    let (m, k, mu, ss) = increments(own, g);
    let kappa = kappa0 + k;
    let mu_n = (kappa0 * mu0 + k * mu) / kappa;
    let nu = nu0 + m;
    let s2 = (nu0_s0 + ss + kappa0 * k / kappa * (mu - mu0).powi(2)) / nu;
    let g_last = g(own[own.len() - 1].1);
    let loc = g_last + sum_m * mu_n + sum_a;
    let scale = (s2 * (sum_m * sum_m / kappa + sum_v2)).sqrt();
    1.0 - StudentsT::new(loc, scale, nu).unwrap().cdf(g(cut))
}

/// P(Poisson(mean) ≥ j).
fn p_poisson_at_least(j: u64, mean: f64) -> f64 {
    1.0 - (0..j)
        .map(|n| Poisson::new(mean).unwrap().pmf(n))
        .sum::<f64>()
}

#[test]
fn borrowed_walks_and_assumed_rates_match_their_closed_forms() {
    let fx = scratch("analog");
    let dir = fx.root.clone();
    write_analog_fixture(&dir);
    let (_, t) = simulate(&dir, 2, DRAWS);
    let id = |x: f64| x;
    let base = (5.0, 0.0, 5.0);
    // Adjusted from 2023 (M = 1.5) and from 2024 (V = 1.4) over 2021–2025.
    let adjusted = (2.0 + 3.0 * 1.5, 0.0, 3.0 + 2.0 * 1.96);
    for (scenario, sums) in [("baseline", base), ("adjusted", adjusted)] {
        // Published at one decimal: ≥ 56 is met from 55.95.
        assert_close(
            row(&t, scenario, "b1_t"),
            p_borrowed((&B1, &AN_LEV, 0.5), &id, 55.95, sums),
            &format!("{scenario}: level, one own point"),
        );
        assert_close(
            row(&t, scenario, "b2_t"),
            p_borrowed((&B2, &AN_LEV, 0.8), &id, 56.95, sums),
            &format!("{scenario}: level, two own points, a = 0.8"),
        );
        assert_close(
            row(&t, scenario, "c1_t"),
            p_borrowed((&C1, &AN_LT, 1.0), &logit, 96.95, sums),
            &format!("{scenario}: logit, one own point, a = 1"),
        );
    }
    // Four own points: the analog only sharpens the fit (status ok).
    assert_close(
        row(&t, "baseline", "b4_t"),
        p_borrowed((&B4, &AN_LEV, 0.5), &id, 57.45, base),
        "level, four own points",
    );
    for target in ["b1_t", "b2_t", "c1_t"] {
        let r = row(&t, "baseline", target);
        assert_eq!(r.status, Status::Borrowed, "{target}");
    }
    assert_eq!(row(&t, "baseline", "b4_t").status, Status::Ok);
    assert_eq!(
        row(&t, "baseline", "b1_t").analog.as_deref(),
        Some("an_lev")
    );
    assert_eq!(row(&t, "baseline", "c1_t").analog.as_deref(), Some("an_lt"));
    // The analog-only series appear in no table.
    assert!(t
        .attainment
        .iter()
        .all(|r| !r.indicator_id.starts_with("an_")));
    assert!(t.fan.iter().all(|r| !r.indicator_id.starts_with("an_")));
    // A stock of 12 with an assumed 2.5 a year: ≥ 25 needs 13 additions in
    // 2021–25, Poisson(12.5). Adjusted: 2.5 in 2021–22, 4.0 from 2023, ×1.2.
    assert_close(
        row(&t, "baseline", "ac_t"),
        p_poisson_at_least(13, 12.5),
        "assumed rate",
    );
    assert_close(
        row(&t, "adjusted", "ac_t"),
        p_poisson_at_least(13, 1.2 * (2.0 * 2.5 + 3.0 * 4.0)),
        "assumed rate, later and multiplied",
    );
    assert_eq!(row(&t, "baseline", "ac_t").status, Status::AssumptionOnly);
}
