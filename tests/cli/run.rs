//! `attain run`: the tables and their schemas, the manifest, bad arguments,
//! reproducibility, outputs kept after a failure, precision mode and
//! required effort.

use super::*;

// ---------------------------------------------------------------------------
// 2. run
// ---------------------------------------------------------------------------

#[test]
fn run_writes_the_contract_tables_with_metadata_and_manifest() {
    let fx = fixture("run");
    let out = fx.run(&["--seed", "11", "--threads", "1"]);
    out.assert_success();
    let dir = fx.out();
    for name in [
        "attainment.parquet",
        "fan.parquet",
        "scorecard.parquet",
        "run.json",
    ] {
        assert!(dir.join(name).is_file(), "{name} written");
    }
    let scenarios = ["baseline", "push"];

    // attainment: contract columns first, in order; then those of the
    // table's one schema (documented in docs/outputs.md), nothing else
    let att = read_parquet(&dir.join("attainment.parquet"));
    let names = column_names(&att);
    assert!(names.len() >= ATTAINMENT_COLUMNS.len(), "{names:?}");
    assert_eq!(&names[..ATTAINMENT_COLUMNS.len()], &ATTAINMENT_COLUMNS[..]);
    assert_eq!(names, AttainmentRow::COLUMNS);
    assert_eq!(att.height(), scenarios.len() * N_TARGETS);
    let scenario = strings(&att, "scenario");
    let target = strings(&att, "target_id");
    let status = strings(&att, "status");
    let p = floats(&att, "p_attain");
    let se = floats(&att, "p_attain_se");
    let p50 = floats(&att, "value_p50");
    let draws = ints(&att, "draws");
    let seed = ints(&att, "seed");
    for (s, name) in scenarios.iter().enumerate() {
        let rows = &scenario[s * N_TARGETS..(s + 1) * N_TARGETS];
        assert!(rows.iter().all(|r| r.as_deref() == Some(*name)), "{rows:?}");
    }
    let mut insufficient = 0;
    for i in 0..att.height() {
        assert_eq!(draws[i], Some(4000));
        assert_eq!(seed[i], Some(11));
        if target[i].as_deref() == Some(INSUFFICIENT_TARGET) {
            insufficient += 1;
            assert_eq!(status[i].as_deref(), Some("insufficient_history"));
            assert_eq!(p[i], None, "p_attain is null, not zero");
            assert_eq!(se[i], None, "p_attain_se is null, not zero");
            assert_eq!(p50[i], None, "value_p50 is null, not zero");
        } else {
            assert_ne!(status[i].as_deref(), Some("insufficient_history"));
            let pi = p[i].unwrap_or_else(|| panic!("p_attain of {:?}", target[i]));
            assert!((0.0..=1.0).contains(&pi));
            assert!(se[i].is_some());
        }
    }
    assert_eq!(insufficient, scenarios.len());
    // the baseline has no difference with itself; push has one wherever it has a P
    let delta = floats(&att, "delta_vs_baseline");
    for i in 0..att.height() {
        if scenario[i].as_deref() == Some("baseline") {
            assert_eq!(delta[i], None, "row {i}");
        } else {
            assert_eq!(delta[i].is_some(), p[i].is_some(), "row {i}");
        }
    }
    let milestone_status: Vec<_> = (0..att.height())
        .filter(|&i| target[i].as_deref() == Some("regulation_2030"))
        .map(|i| status[i].clone())
        .collect();
    assert!(milestone_status
        .iter()
        .all(|s| s.as_deref() == Some("assumption_only")));

    // fan
    let fan = read_parquet(&dir.join("fan.parquet"));
    assert_eq!(column_names(&fan), FAN_COLUMNS);
    assert_eq!(column_names(&fan), FanRow::COLUMNS);
    let kind = strings(&fan, "kind");
    let observed = kind
        .iter()
        .filter(|k| k.as_deref() == Some("observed"))
        .count();
    assert_eq!(observed, scenarios.len() * N_HISTORY_ROWS);
    assert!(kind
        .iter()
        .all(|k| matches!(k.as_deref(), Some("observed" | "projected"))));
    assert!(fan.height() > observed, "projected rows present");
    // observed rows carry their value in `mean` and `p50` only
    let (fan_mean, fan_p50, fan_p05) = (
        floats(&fan, "mean"),
        floats(&fan, "p50"),
        floats(&fan, "p05"),
    );
    for i in 0..fan.height() {
        if kind[i].as_deref() == Some("observed") {
            assert!(
                fan_mean[i].is_some() && fan_mean[i] == fan_p50[i],
                "row {i}"
            );
            assert_eq!(fan_p05[i], None, "row {i}");
        }
    }
    // within each scenario and indicator, observed years come first
    let fan_scenario = strings(&fan, "scenario");
    let fan_indicator = strings(&fan, "indicator_id");
    for i in 1..fan.height() {
        let same =
            fan_scenario[i] == fan_scenario[i - 1] && fan_indicator[i] == fan_indicator[i - 1];
        if same && kind[i - 1].as_deref() == Some("projected") {
            assert_eq!(kind[i].as_deref(), Some("projected"), "row {i}");
        }
    }

    // scorecard: per scenario, groups `all` (5 targets with a probability),
    // efficiency (2), supply, infrastructure, governance (1 each); k = 0..=targets
    let sc = read_parquet(&dir.join("scorecard.parquet"));
    assert_eq!(column_names(&sc), SCORECARD_COLUMNS);
    assert_eq!(column_names(&sc), ScorecardRow::COLUMNS);
    let per_scenario = (5 + 1) + (2 + 1) + 3 * (1 + 1);
    assert_eq!(sc.height(), scenarios.len() * per_scenario);
    let sc_scenario = strings(&sc, "scenario");
    let sc_group = strings(&sc, "group");
    let sc_p = floats(&sc, "p_exactly");
    for name in scenarios {
        for group in [
            "all",
            "efficiency",
            "supply",
            "infrastructure",
            "governance",
        ] {
            let total: f64 = (0..sc.height())
                .filter(|&i| {
                    sc_scenario[i].as_deref() == Some(name) && sc_group[i].as_deref() == Some(group)
                })
                .map(|i| sc_p[i].unwrap())
                .sum();
            assert!((total - 1.0).abs() < 1e-9, "{name}/{group}: {total}");
        }
    }

    // the manifest, in each Parquet file and in run.json
    for name in ["attainment.parquet", "fan.parquet", "scorecard.parquet"] {
        let kv = parquet_metadata(&dir.join(name));
        let (_, value) = kv
            .iter()
            .find(|(k, _)| k == "attain.run")
            .unwrap_or_else(|| panic!("{name} carries `attain.run`: {kv:?}"));
        let manifest: serde_json::Value =
            serde_json::from_str(value.as_deref().expect("a value")).unwrap();
        assert_eq!(manifest["seed"], 11, "{name}");
    }
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 11);
    assert_eq!(run["draws"], 4000);
    let inputs = run["inputs"].as_object().expect("inputs is an object");
    assert_eq!(inputs.len(), 5, "3 tables and 2 scenarios: {inputs:?}");
    for (path, hash) in inputs {
        let hash = hash.as_str().unwrap();
        assert!(
            hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{path}: {hash}"
        );
    }
    for file in [
        "indicators.csv",
        "targets.csv",
        "history.csv",
        "baseline.toml",
        "push.toml",
    ] {
        assert!(
            inputs.keys().any(|k| k.ends_with(file)),
            "{file} in {inputs:?}"
        );
    }
    assert_eq!(run["scenarios"], serde_json::json!(["baseline", "push"]));
    // Where the time went: every phase a finite, non-negative number of
    // seconds; the three CPU parts of the blocks are each positive and, on
    // one worker, add up to no more than the blocks' wall time (plus clock
    // granularity).
    let timing = run["timing"].as_object().expect("timing is an object");
    let secs = |k: &str| {
        timing[k]
            .as_f64()
            .unwrap_or_else(|| panic!("timing.{k}: {timing:?}"))
    };
    for k in [
        "load",
        "plan",
        "pilot",
        "blocks",
        "finish",
        "tables",
        "paths",
        "fans",
        "targets",
        "walks",
        "counts",
        "milestones",
    ] {
        assert!(
            secs(k).is_finite() && secs(k) >= 0.0,
            "timing.{k}: {timing:?}"
        );
    }
    for k in ["paths", "fans", "targets"] {
        assert!(secs(k) > 0.0, "timing.{k}: {timing:?}");
    }
    if run["threads"] == 1 {
        let cpu = secs("paths") + secs("fans") + secs("targets");
        assert!(cpu <= secs("blocks") + 1e-3, "{cpu} > blocks: {timing:?}");
    }
    // The paths' time split by kind of indicator adds up to it (the same
    // clock readings, summed in whole nanoseconds).
    let kinds = secs("walks") + secs("counts") + secs("milestones");
    assert!(
        (kinds - secs("paths")).abs() <= 1e-6,
        "walks + counts + milestones = {kinds}, paths {}: {timing:?}",
        secs("paths")
    );
}

// ---------------------------------------------------------------------------
// 5. a failed run keeps the previous outputs
// ---------------------------------------------------------------------------

#[test]
fn bad_input_leaves_previous_outputs_untouched() {
    let fx = fixture("atomic");
    fx.run(&[]).assert_success();
    let before_files = list_dir(&fx.out());
    let before = contents(&fx.out());
    fx.set_line(
        "data/history.csv",
        "quality_index,2022,",
        "quality_index,2022,n/a,official,statistical yearbook 2023",
    );
    fx.run(&[])
        .assert_input_error(&[&cell("history.csv", 5, "value")]);
    let after_files = list_dir(&fx.out());
    assert_eq!(after_files, before_files, "no file added or removed");
    assert!(
        after_files
            .iter()
            .all(|n| !n.ends_with(".tmp") && !n.starts_with('.')),
        "no temporary files: {after_files:?}"
    );
    assert_eq!(contents(&fx.out()), before, "every file unchanged");
}

/// Every file under `dir` (recursively), by relative path, with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for name in list_dir(dir) {
        let path = dir.join(&name);
        if path.is_dir() {
            for (inner, bytes) in contents(&path) {
                all.push((format!("{name}/{inner}"), bytes));
            }
        } else {
            all.push((name, fs::read(path).unwrap()));
        }
    }
    all
}

#[test]
fn successful_run_leaves_no_temporary_files() {
    let fx = fixture("no-temp");
    fx.run(&[]).assert_success();
    fx.run(&[]).assert_success();
    assert_eq!(
        list_dir(&fx.out()),
        [
            "attainment.parquet",
            "fan.parquet",
            "inputs",
            "required.parquet",
            "run.json",
            "scorecard.parquet",
            "sensitivity.parquet"
        ]
    );
    assert_eq!(list_dir(&fx.out().join("inputs")), ["data", "scenarios"]);
    assert_eq!(
        list_dir(&fx.out().join("inputs/scenarios")),
        ["baseline.toml", "push.toml"]
    );
}

// ---------------------------------------------------------------------------
// 6. bad arguments
// ---------------------------------------------------------------------------

#[test]
fn zero_draws_is_a_bad_argument() {
    let fx = fixture("draws0");
    // clap rejects a repeated `--draws`, so the command is spelled out here
    let out = Outcome::of(
        Command::new(BIN)
            .arg("run")
            .arg("--data")
            .arg(fx.data())
            .arg("--scenarios")
            .arg(fx.scenarios())
            .arg("--out")
            .arg(fx.out())
            .args(["--draws", "0", "--quiet"]),
    );
    out.assert_input_error(&["`--draws`", "found 0"]);
    assert!(!fx.out().exists(), "nothing written");
}

#[test]
fn zero_threads_is_a_bad_argument() {
    let fx = fixture("threads0");
    let out = fx.run(&["--threads", "0"]);
    out.assert_input_error(&["`--threads`", "found 0"]);
    assert!(!fx.out().exists(), "nothing written");
}

#[test]
fn unknown_only_id_is_a_bad_argument() {
    let fx = fixture("only");
    let out = fx.run(&["--only", "no_such_target"]);
    out.assert_input_error(&["`--only`", "`no_such_target`"]);
    assert!(!fx.out().exists(), "nothing written");
}

#[test]
fn unparsable_flag_value_exits_2() {
    let fx = fixture("draws-text");
    let out = fx.run(&["--threads", "many"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--threads"), "{}", out.stderr);
    assert!(!fx.out().exists(), "nothing written");
}

// ---------------------------------------------------------------------------
// reproducibility and robustness
// ---------------------------------------------------------------------------

#[test]
fn results_do_not_depend_on_thread_count() {
    let one = fixture("threads1");
    let three = fixture("threads3");
    one.run(&["--threads", "1"]).assert_success();
    three.run(&["--threads", "3"]).assert_success();
    for (table, columns) in [
        (
            "attainment.parquet",
            &["p_attain", "value_p50", "delta_vs_baseline"][..],
        ),
        ("fan.parquet", &["mean", "p05", "p50", "p95"][..]),
        ("scorecard.parquet", &["p_exactly"][..]),
    ] {
        let a = read_parquet(&one.out().join(table));
        let b = read_parquet(&three.out().join(table));
        assert_eq!(a.height(), b.height(), "{table}");
        for column in columns {
            assert_eq!(floats(&a, column), floats(&b, column), "{table}: {column}");
        }
    }
}

#[test]
fn seed_beyond_a_signed_64_bit_integer_is_a_bad_argument() {
    // The seed column is Int64 (what pandas, DuckDB and Excel read without loss).
    let fx = fixture("big-seed");
    let seed = u64::MAX.to_string();
    let out = fx.run(&["--seed", &seed]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--seed"), "{}", out.stderr);
    let max = i64::MAX.to_string();
    fx.run(&["--seed", &max]).assert_success();
}

#[test]
fn trailing_blank_line_in_csv_is_ignored() {
    let fx = fixture("blank-line");
    fx.append("data/history.csv", "\n");
    let out = fx.check();
    out.assert_success();
    assert!(
        out.stdout
            .contains(&format!("history rows: {N_HISTORY_ROWS}")),
        "{}",
        out.stdout
    );
}

#[test]
fn precision_mode_adds_draws_until_every_standard_error_is_small_enough() {
    let fx = fixture("precision");
    fx.run(&["--precision", "0.004", "--max-draws", "200000"])
        .assert_success();
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fx.out().join("run.json")).unwrap()).unwrap();
    let draws = run["draws"].as_u64().unwrap();
    assert!(draws > 4000, "the manifest records the draws used: {draws}");
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let ses: Vec<f64> = floats(&att, "p_attain_se").into_iter().flatten().collect();
    assert!(!ses.is_empty());
    assert!(ses.iter().all(|&se| se <= 0.004), "{ses:?}");
    // Deterministic for a seed: the same run gives the same draws and probabilities.
    let again = fixture("precision-again");
    again
        .run(&["--precision", "0.004", "--max-draws", "200000"])
        .assert_success();
    let att2 = read_parquet(&again.out().join("attainment.parquet"));
    assert_eq!(floats(&att, "p_attain"), floats(&att2, "p_attain"));
}

// ---------------------------------------------------------------------------
// required effort and year-on-year comparison
// ---------------------------------------------------------------------------

/// The contract columns of docs/outputs.md, then the extra ones.
const REQUIRED_COLUMNS: [&str; 12] = [
    "scenario",
    "target_id",
    "p_goal",
    "status",
    "extra_drift",
    "extra_natural",
    "effort_from",
    "indicator_id",
    "p_attain",
    "extra_natural_unit",
    "extra_growth_pct",
    "target_year",
];

fn required_drift(frame: &DataFrame, scenario: &str, target: &str, goal: f64) -> Option<f64> {
    let scenarios = strings(frame, "scenario");
    let targets = strings(frame, "target_id");
    let goals = floats(frame, "p_goal");
    let drifts = floats(frame, "extra_drift");
    let i = (0..frame.height())
        .find(|&i| {
            scenarios[i].as_deref() == Some(scenario)
                && targets[i].as_deref() == Some(target)
                && goals[i] == Some(goal)
        })
        .unwrap_or_else(|| panic!("no row {scenario}/{target}/{goal}"));
    drifts[i]
}

#[test]
fn required_effort_has_three_goals_per_ok_target_and_follows_a_scenario_push() {
    let fx = fixture("required");
    fx.run(&["--effort-from", "2026"]).assert_success();
    let req = read_parquet(&fx.out().join("required.parquet"));
    assert_eq!(column_names(&req), REQUIRED_COLUMNS);
    assert_eq!(column_names(&req), RequiredRow::COLUMNS);
    // Four targets have status ok (not the milestone, not the short series); two scenarios.
    assert_eq!(req.height(), 4 * 2 * 3);
    assert!(ints(&req, "effort_from").iter().all(|&y| y == Some(2026)));
    for target in [
        "quality_index_2030",
        "rd_intensity_increase",
        "pass_rate_2030",
        "labs_2030",
    ] {
        let d: Vec<f64> = [0.5, 0.8, 0.9]
            .map(|g| required_drift(&req, "baseline", target, g).unwrap())
            .to_vec();
        assert!(
            d[0] < d[1] && d[1] < d[2],
            "{target}: more certainty takes more drift {d:?}"
        );
    }
    // `push` adds 0.2 a year to the quality index from 2026 on the same random
    // numbers, so it needs exactly 0.2 a year less.
    for goal in [0.5, 0.8, 0.9] {
        let base = required_drift(&req, "baseline", "quality_index_2030", goal).unwrap();
        let push = required_drift(&req, "push", "quality_index_2030", goal).unwrap();
        assert!(
            (base - push - 0.2).abs() < 1e-6,
            "goal {goal}: {base} vs {push}"
        );
    }
    let units = strings(&req, "extra_natural_unit");
    assert!(units.contains(&Some("percentage points a year".to_string())));
    assert!(units.contains(&Some("additions a year".to_string())));
    // Growth in % a year only for the `log` indicator.
    let growth = floats(&req, "extra_growth_pct");
    let targets = strings(&req, "target_id");
    for i in 0..req.height() {
        let is_log = targets[i].as_deref() == Some("rd_intensity_increase");
        assert_eq!(growth[i].is_some(), is_log, "row {i}");
    }
}

#[test]
fn a_level_beyond_a_bound_is_unreachable_with_nulls() {
    let fx = fixture("unreachable");
    fx.set_line(
        "data/targets.csv",
        "pass_rate_2030,",
        "pass_rate_2030,pass_rate,level,>=,100.1,2030,,,beyond the ceiling",
    );
    fx.run(&[]).assert_success();
    let req = read_parquet(&fx.out().join("required.parquet"));
    let targets = strings(&req, "target_id");
    let status = strings(&req, "status");
    let drift = floats(&req, "extra_drift");
    let rows: Vec<usize> = (0..req.height())
        .filter(|&i| targets[i].as_deref() == Some("pass_rate_2030"))
        .collect();
    assert_eq!(rows.len(), 6);
    for i in rows {
        assert_eq!(status[i].as_deref(), Some("unreachable"));
        assert_eq!(drift[i], None);
    }
}

#[test]
fn effort_from_after_a_target_year_is_a_bad_argument() {
    let fx = fixture("effort-late");
    fx.run(&["--effort-from", "2031"])
        .assert_input_error(&["`--effort-from`", "2031"]);
    assert!(!fx.out().exists(), "nothing written");
}
