//! `attain check` and the input errors every command shares: exit 2, naming
//! the file, the row and the column (or the key); input formats and encodings.

use super::*;

// ---------------------------------------------------------------------------
// 1. check
// ---------------------------------------------------------------------------

#[test]
fn check_accepts_the_fixture_and_prints_the_inventory() {
    let fx = fixture("check");
    let out = fx.check();
    out.assert_success();
    let s = &out.stdout;
    assert!(s.contains("6 indicators"), "{s}");
    assert!(s.contains("6 targets"), "{s}");
    assert!(s.contains("2 scenarios"), "{s}");
    // provenance counts of the history rows
    assert!(
        s.contains(&format!("history rows: {N_HISTORY_ROWS}")),
        "{s}"
    );
    assert!(s.contains("official 19"), "{s}");
    assert!(s.contains("plan 2"), "{s}");
    assert!(s.contains("illustrative 5"), "{s}");
    for transform in ["level", "log", "logit", "count", "milestone"] {
        assert!(s.contains(transform), "{transform} in {s}");
    }
    assert!(s.contains("baseline") && s.contains("push"), "{s}");
    // check writes nothing
    assert!(!fx.out().exists());
}

// ---------------------------------------------------------------------------
// 3. input encodings and formats
// ---------------------------------------------------------------------------

#[test]
fn csv_with_byte_order_mark_and_crlf_loads() {
    let fx = fixture("bom");
    for table in ["indicators", "targets", "history"] {
        let rel = format!("data/{table}.csv");
        let text = fx.read(&rel);
        fx.write(&rel, &format!("\u{feff}{}", text.replace('\n', "\r\n")));
    }
    let out = fx.check();
    out.assert_success();
    assert!(
        out.stdout.contains("6 indicators, 6 targets"),
        "{}",
        out.stdout
    );
}

#[test]
fn parquet_tables_load_in_place_of_csv() {
    let csv = fixture("csv-run");
    let fx = fixture("parquet");
    for table in ["indicators", "targets", "history"] {
        let csv_path = fx.path(&format!("data/{table}.csv"));
        let mut frame = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(csv_path.clone()))
            .unwrap()
            .finish()
            .unwrap();
        let file = fs::File::create(fx.path(&format!("data/{table}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
        fs::remove_file(csv_path).unwrap();
    }
    let out = fx.check();
    out.assert_success();
    assert!(
        out.stdout.contains("6 indicators, 6 targets"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("official 19"), "{}", out.stdout);

    // and the same numbers come out of a run
    fx.run(&[]).assert_success();
    csv.run(&[]).assert_success();
    let a = read_parquet(&fx.out().join("attainment.parquet"));
    let b = read_parquet(&csv.out().join("attainment.parquet"));
    assert_eq!(floats(&a, "p_attain"), floats(&b, "p_attain"));
}

// ---------------------------------------------------------------------------
// 4. input errors: exit 2, naming file, row and column (or key)
// ---------------------------------------------------------------------------

#[test]
fn missing_history_file_is_named() {
    let fx = fixture("missing-file");
    fx.remove("data/history.csv");
    fx.check()
        .assert_input_error(&["history.csv`", "history.parquet", "no such file"]);
}

#[test]
fn missing_column_is_named() {
    let fx = fixture("missing-column");
    let text = fx.read("data/indicators.csv");
    let without: Vec<&str> = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0)
        .collect();
    fx.write("data/indicators.csv", &(without.join("\n") + "\n"));
    fx.check()
        .assert_input_error(&["indicators.csv`", "a column `decimals`"]);
}

#[test]
fn unparsable_history_value_names_row_and_column() {
    let fx = fixture("nan");
    let row = fx.set_line(
        "data/history.csv",
        "quality_index,2022,",
        "quality_index,2022,n/a,official,statistical yearbook 2023",
    );
    assert_eq!(row, 5, "header is row 1");
    fx.check().assert_input_error(&[
        &cell("history.csv", 5, "value"),
        "expected a number",
        "`n/a`",
    ]);
}

#[test]
fn empty_indicator_id_is_an_error() {
    let fx = fixture("empty-id");
    let row = fx.set_line(
        "data/indicators.csv",
        "rd_intensity,",
        ",研发投入强度,R&D intensity,efficiency,%,log,,,2",
    );
    fx.check()
        .assert_input_error(&[&cell("indicators.csv", row, "id"), "an empty cell"]);
}

#[test]
fn duplicate_indicator_id_names_both_rows() {
    let fx = fixture("dup-id");
    let row = fx.set_line(
        "data/indicators.csv",
        "pass_rate,",
        "rd_intensity,抽检合格率,Inspection pass rate,supply,%,logit,0,100,1",
    );
    fx.check().assert_input_error(&[
        &cell("indicators.csv", row, "id"),
        "`rd_intensity`",
        "already used on row 3",
    ]);
}

#[test]
fn duplicate_indicator_year_names_both_rows() {
    let fx = fixture("dup-year");
    let row = fx.set_line(
        "data/history.csv",
        "quality_index,2023,",
        "quality_index,2022,90.8,official,statistical yearbook 2024",
    );
    fx.check().assert_input_error(&[
        &format!("history.csv`, row {row}"),
        "`quality_index`, 2022",
        "the first is row 5",
    ]);
}

#[test]
fn unknown_transform_is_named() {
    let fx = fixture("transform");
    let row = fx.set_line(
        "data/indicators.csv",
        "quality_index,",
        "quality_index,质量指数,Quality index,efficiency,index,linear,,,1",
    );
    fx.check()
        .assert_input_error(&[&cell("indicators.csv", row, "transform"), "`linear`"]);
}

#[test]
fn unknown_target_kind_is_named() {
    let fx = fixture("kind");
    let row = fx.set_line(
        "data/targets.csv",
        "quality_index_2030,",
        "quality_index_2030,quality_index,final,>=,96,2030,,,x",
    );
    fx.check()
        .assert_input_error(&[&cell("targets.csv", row, "kind"), "`final`"]);
}

#[test]
fn unknown_comparator_is_named() {
    let fx = fixture("comparator");
    let row = fx.set_line(
        "data/targets.csv",
        "quality_index_2030,",
        "quality_index_2030,quality_index,level,=>,96,2030,,,x",
    );
    fx.check()
        .assert_input_error(&[&cell("targets.csv", row, "comparator"), "`=>`"]);
}

#[test]
fn logit_without_bounds_is_an_error() {
    let fx = fixture("logit-nobounds");
    let row = fx.set_line(
        "data/indicators.csv",
        "pass_rate,",
        "pass_rate,抽检合格率,Inspection pass rate,supply,%,logit,,,1",
    );
    fx.check().assert_input_error(&[
        &cell("indicators.csv", row, "lower"),
        "required for `logit`",
    ]);
}

#[test]
fn logit_with_lower_not_below_upper_is_an_error() {
    let fx = fixture("logit-order");
    let row = fx.set_line(
        "data/indicators.csv",
        "pass_rate,",
        "pass_rate,抽检合格率,Inspection pass rate,supply,%,logit,100,50,1",
    );
    fx.check().assert_input_error(&[
        &cell("indicators.csv", row, "upper"),
        "above the lower bound 100",
        "found 50",
    ]);
    // equal bounds are no better
    fx.set_line(
        "data/indicators.csv",
        "pass_rate,",
        "pass_rate,抽检合格率,Inspection pass rate,supply,%,logit,100,100,1",
    );
    fx.check()
        .assert_input_error(&[&cell("indicators.csv", row, "upper")]);
}

#[test]
fn value_outside_logit_bounds_is_an_error() {
    let fx = fixture("logit-outside");
    let row = fx.set_line(
        "data/history.csv",
        "pass_rate,2024,",
        "pass_rate,2024,101,official,inspection report 2024",
    );
    fx.check()
        .assert_input_error(&[&cell("history.csv", row, "value"), "[0, 100]", "found 101"]);
}

#[test]
fn value_on_a_logit_bound_is_a_warning_naming_the_row() {
    let fx = fixture("logit-bound");
    let row = fx.set_line(
        "data/history.csv",
        "pass_rate,2024,",
        "pass_rate,2024,100,official,inspection report 2024",
    );
    let out = fx.check();
    out.assert_success();
    let text = out.text();
    assert!(
        text.contains(&format!(
            "warning: `{}",
            fx.data().join("history.csv").display()
        )) && text.contains(&cell("history.csv", row, "value"))
            && text.contains("lies on a bound"),
        "{text}"
    );
}

#[test]
fn falling_count_is_an_error() {
    let fx = fixture("count-falls");
    let row = fx.set_line(
        "data/history.csv",
        "labs,2023,",
        "labs,2023,5,illustrative,test stand-in",
    );
    fx.check().assert_input_error(&[
        &cell("history.csv", row, "value"),
        "was 6 on row 22",
        "found 5",
    ]);
}

#[test]
fn target_naming_an_unknown_indicator_is_an_error() {
    let fx = fixture("target-indicator");
    let row = fx.set_line(
        "data/targets.csv",
        "labs_2030,",
        "labs_2030,lab_count,level,>=,14,2030,,,x",
    );
    fx.check()
        .assert_input_error(&[&cell("targets.csv", row, "indicator_id"), "`lab_count`"]);
}

#[test]
fn increase_without_base_year_is_an_error() {
    let fx = fixture("increase");
    let row = fx.set_line(
        "data/targets.csv",
        "rd_intensity_increase,",
        "rd_intensity_increase,rd_intensity,increase,>=,0.3,2030,,,x",
    );
    fx.check().assert_input_error(&[
        &cell("targets.csv", row, "base_year"),
        "required for kind `increase`",
    ]);
}

#[test]
fn every_year_without_from_year_is_an_error() {
    let fx = fixture("every-year");
    let row = fx.set_line(
        "data/targets.csv",
        "quality_index_2030,",
        "quality_index_2030,quality_index,every_year,>=,88,2030,,,x",
    );
    fx.check().assert_input_error(&[
        &cell("targets.csv", row, "from_year"),
        "required for kind `every_year`",
    ]);
}

#[test]
fn cumulative_without_from_year_is_an_error() {
    let fx = fixture("cumulative");
    let row = fx.set_line(
        "data/targets.csv",
        "new_brands_total,",
        "new_brands_total,new_brands,cumulative,>=,500,2030,,,x",
    );
    fx.check().assert_input_error(&[
        &cell("targets.csv", row, "from_year"),
        "required for kind `cumulative`",
    ]);
}

#[test]
fn target_year_before_last_observation_is_an_error() {
    let fx = fixture("target-year");
    let row = fx.set_line(
        "data/targets.csv",
        "quality_index_2030,",
        "quality_index_2030,quality_index,level,>=,96,2023,,,x",
    );
    fx.check().assert_input_error(&[
        &cell("targets.csv", row, "target_year"),
        "(2024)",
        "found 2023",
    ]);
}

#[test]
fn scenario_unknown_key_names_file_key_and_line() {
    let fx = fixture("scenario-key");
    // the key goes on line 5 of push.toml
    fx.replace(
        "scenarios/push.toml",
        "extends = \"baseline\"\n",
        "extends = \"baseline\"\ncolour = \"red\"\n",
    );
    let line = fx
        .read("scenarios/push.toml")
        .lines()
        .position(|l| l.starts_with("colour"))
        .unwrap()
        + 1;
    fx.check()
        .assert_input_error(&[&format!("push.toml`, line {line}"), "`colour`"]);
}

#[test]
fn scenario_unknown_indicator_is_named() {
    let fx = fixture("scenario-id");
    fx.replace(
        "scenarios/push.toml",
        "select = \"quality_index\"",
        "select = \"quality_indx\"",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[0].select"), "`quality_indx`"]);
}

#[test]
fn scenario_negative_drift_mult_is_an_error() {
    let fx = fixture("scenario-mult");
    fx.replace(
        "scenarios/push.toml",
        "drift_add = 0.2\n",
        "drift_add = 0.2\ndrift_mult = -0.5\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[0].drift_mult"), "≥ 0", "-0.5"]);
}

#[test]
fn scenario_probability_above_one_is_an_error() {
    let fx = fixture("scenario-prob");
    fx.append(
        "scenarios/push.toml",
        "\n[[shock]]\nselect = \"quality_index\"\nyear = 2027\nprobability = 1.5\nsize = -0.1\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "shock[0].probability"), "[0, 1]", "1.5"]);
}

#[test]
fn scenario_hazard_above_one_is_an_error() {
    let fx = fixture("scenario-hazard");
    fx.replace("scenarios/push.toml", "hazard = 0.3", "hazard = 1.2");
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[1].hazard"), "[0, 1]", "1.2"]);
}

// uncertain levers (docs/model.md §5): a range instead of a number

#[test]
fn scenario_ranges_are_checked_like_numbers() {
    let cases = [
        // (replacement of `drift_add = 0.2`, key, what is expected, what was found)
        (
            "drift_add = { low = 0.3, high = 0.1 }",
            "adjust[0].drift_add.high",
            "above `low` (0.3)",
            "0.1",
        ),
        (
            "drift_add = { low = 0.1, mode = 0.5, high = 0.3 }",
            "adjust[0].drift_add.mode",
            "from `low` to `high`",
            "0.5",
        ),
        (
            "drift_add = { low = 0.1 }",
            "adjust[0].drift_add",
            "both `low` and `high`",
            "no `high`",
        ),
        (
            "drift_add = { low = 0.1, hgih = 0.3 }",
            "adjust[0].drift_add.hgih",
            "`low`, `high`",
            "the key `hgih`",
        ),
        (
            "drift_add = { low = \"a\", high = 0.3 }",
            "adjust[0].drift_add.low",
            "a number",
            "\"a\"",
        ),
        (
            "drift_add = \"0.2\"",
            "adjust[0].drift_add",
            "or a range",
            "\"0.2\"",
        ),
    ];
    for (i, (text, at, expected, found)) in cases.into_iter().enumerate() {
        let fx = fixture(&format!("scenario-range-{i}"));
        fx.replace("scenarios/push.toml", "drift_add = 0.2", text);
        fx.check()
            .assert_input_error(&[&key("push.toml", at), expected, found]);
    }
    // The range rules of the field apply to each end: a hazard is a probability.
    let fx = fixture("scenario-range-hazard");
    fx.replace(
        "scenarios/push.toml",
        "hazard = 0.3",
        "hazard = { low = 0.2, high = 1.2 }",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[1].hazard.high"), "[0, 1]", "1.2"]);
}

#[test]
fn check_lists_each_uncertain_lever_with_the_scenarios_that_use_it() {
    let fx = fixture("scenario-range-listed");
    fx.replace(
        "scenarios/push.toml",
        "drift_add = 0.2",
        "drift_add = { low = 0.1, mode = 0.2, high = 0.4 }",
    );
    let out = fx.check();
    assert_eq!(out.code, Some(0), "{}", out.text());
    assert!(
        out.stdout.contains("push.adjust[0].drift_add")
            && out.stdout.contains("triangular 0.1–0.4, peak 0.2")
            && out.stdout.contains("in push"),
        "{}",
        out.stdout
    );
}

#[test]
fn scenario_field_that_applies_to_no_selected_indicator_is_an_error() {
    let fx = fixture("scenario-applies");
    fx.replace(
        "scenarios/push.toml",
        "drift_add = 0.2\n",
        "drift_add = 0.2\nrate_mult = 1.5\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[0].rate_mult"), "count"]);
}

#[test]
fn scenario_indicator_in_two_factors_is_an_error() {
    let fx = fixture("scenario-factors");
    fx.append(
        "scenarios/push.toml",
        "\n[[factor]]\nselect = [\"quality_index\", \"rd_intensity\"]\nloading = 0.5\n\
         \n[[factor]]\nselect = [\"rd_intensity\", \"pass_rate\"]\nloading = 0.3\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "factor[1].select"), "`rd_intensity`"]);
}

#[test]
fn scenario_extends_cycle_is_an_error() {
    let fx = fixture("scenario-cycle");
    fx.write(
        "scenarios/cycle_a.toml",
        "name = \"cycle_a\"\ndescription = \"a\"\nextends = \"cycle_b\"\n",
    );
    fx.write(
        "scenarios/cycle_b.toml",
        "name = \"cycle_b\"\ndescription = \"b\"\nextends = \"cycle_a\"\n",
    );
    let out = fx.check();
    out.assert_input_error(&[".toml`, key `extends`", "cycle_a", "cycle_b", "cycle"]);
    let text = out.text();
    assert!(
        text.contains(&key("cycle_a.toml", "extends"))
            || text.contains(&key("cycle_b.toml", "extends")),
        "{text}"
    );
}

#[test]
fn missing_baseline_scenario_is_an_error() {
    let fx = fixture("no-baseline");
    fx.remove("scenarios/baseline.toml");
    fx.replace("scenarios/push.toml", "extends = \"baseline\"\n", "");
    let scenarios = fx.scenarios().display().to_string();
    fx.check()
        .assert_input_error(&[&format!("`{scenarios}`"), "`baseline`"]);
}

#[test]
fn scenario_name_must_match_its_file() {
    let fx = fixture("scenario-name");
    fx.replace(
        "scenarios/push.toml",
        "name = \"push\"",
        "name = \"pusher\"",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "name"), "`pusher`"]);
}

// ---------------------------------------------------------------------------
// analogs (docs/model.md §2b) and assumed rates (§3)
// ---------------------------------------------------------------------------

/// Gives the fixture's indicators the `analog` and `analog_weight` columns,
/// with `(id, analog, weight)` set; returns the row of each id.
fn with_analogs(fx: &Scratch, set: &[(&str, &str, &str)]) -> Vec<usize> {
    let text = fx.read("data/indicators.csv");
    let mut lines: Vec<String> = Vec::new();
    let mut rows = vec![0; set.len()];
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            lines.push(format!("{line},analog,analog_weight"));
            continue;
        }
        let id = line.split(',').next().unwrap_or_default();
        match set.iter().position(|(s, _, _)| *s == id) {
            Some(k) => {
                rows[k] = i + 1;
                lines.push(format!("{line},{},{}", set[k].1, set[k].2));
            }
            None => lines.push(format!("{line},,")),
        }
    }
    fx.write("data/indicators.csv", &(lines.join("\n") + "\n"));
    rows
}

#[test]
fn an_indicator_with_two_points_borrows_an_analog_and_says_so() {
    let fx = fixture("analog-run");
    with_analogs(&fx, &[("new_brands", "rd_intensity", "")]);
    fx.run(&[]).assert_success();
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let target = strings(&att, "target_id");
    let status = strings(&att, "status");
    let analog = strings(&att, "analog");
    let p = floats(&att, "p_attain");
    for i in 0..att.height() {
        if target[i].as_deref() == Some(INSUFFICIENT_TARGET) {
            assert_eq!(status[i].as_deref(), Some("borrowed"));
            assert_eq!(analog[i].as_deref(), Some("rd_intensity"));
            assert!(p[i].is_some());
        } else {
            assert_eq!(analog[i], None, "{:?}", target[i]);
        }
    }
    // The summary names the borrowing.
    assert!(fx.run(&[]).stdout.contains("borrowed"));
}

#[test]
fn analog_errors_name_the_row_and_column() {
    // (analogs set, which of them errs, column, message parts)
    type Case<'a> = (
        &'a [(&'a str, &'a str, &'a str)],
        usize,
        &'a str,
        &'a [&'a str],
    );
    let cases: [Case; 7] = [
        (
            &[("new_brands", "nope", "")],
            0,
            "analog",
            &["another indicator", "`nope`"],
        ),
        (
            &[("new_brands", "pass_rate", "")],
            0,
            "analog",
            &["same transform", "`pass_rate` (logit)"],
        ),
        (
            // rd_intensity comes first in the file: its analog borrows too.
            &[
                ("new_brands", "rd_intensity", ""),
                ("rd_intensity", "new_brands", ""),
            ],
            1,
            "analog",
            &["no chains", "`new_brands`"],
        ),
        (
            &[("labs", "quality_index", "")],
            0,
            "analog",
            &["counts and milestones borrow none"],
        ),
        (
            &[("new_brands", "labs", "")],
            0,
            "analog",
            &["counts and milestones borrow none", "`labs` (count)"],
        ),
        (
            &[("new_brands", "rd_intensity", "1.5")],
            0,
            "analog_weight",
            &["a weight in (0, 1]", "found 1.5"],
        ),
        (
            // rd_intensity has 6 figures (5 increments): 0.2·5 − 1 = 0.
            &[("new_brands", "rd_intensity", "0.2")],
            0,
            "analog_weight",
            &["ν0 = a·m′ − 1 > 0", "m′ = 5", "found 0.2"],
        ),
    ];
    for (set, which, column, parts) in cases {
        let fx = fixture("analog-error");
        let rows = with_analogs(&fx, set);
        let mut expected = vec![cell("indicators.csv", rows[which], column)];
        expected.extend(parts.iter().map(|p| p.to_string()));
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        fx.check().assert_input_error(&expected);
    }
    // A weight needs an analog.
    let fx = fixture("analog-weight-alone");
    let rows = with_analogs(&fx, &[("new_brands", "", "0.5")]);
    fx.check().assert_input_error(&[
        &cell("indicators.csv", rows[0], "analog_weight"),
        "needs an `analog`",
    ]);
}

#[test]
fn an_assumed_rate_projects_a_single_stock_and_is_refused_elsewhere() {
    let fx = fixture("rate");
    // labs with its last stock alone, and an assumed 1.5 a year.
    let history = fx.read("data/history.csv");
    let kept: Vec<&str> = history
        .lines()
        .filter(|l| !l.starts_with("labs,") || l.starts_with("labs,2024"))
        .collect();
    fx.write("data/history.csv", &(kept.join("\n") + "\n"));
    fx.append(
        "scenarios/baseline.toml",
        "\n[[adjust]]\nselect = \"labs\"\nrate = 1.5\n",
    );
    fx.run(&[]).assert_success();
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let target = strings(&att, "target_id");
    let status = strings(&att, "status");
    let labs = (0..att.height())
        .find(|&i| target[i].as_deref() == Some("labs_2030"))
        .unwrap();
    assert_eq!(status[labs].as_deref(), Some("assumption_only"));
    // A rate for an indicator that has its own: refused, naming the key.
    let fx = fixture("rate-elsewhere");
    fx.append(
        "scenarios/push.toml",
        "\n[[adjust]]\nselect = \"labs\"\nrate = 1.5\n",
    );
    fx.check().assert_input_error(&[
        &key("push.toml", "adjust[2].rate"),
        "counts with one observation",
        "`labs` (count, 5 observations)",
    ]);
    // A rate in one scenario only: the other must state one too.
    let fx = fixture("rate-one-scenario");
    let history = fx.read("data/history.csv");
    let kept: Vec<&str> = history
        .lines()
        .filter(|l| !l.starts_with("labs,") || l.starts_with("labs,2024"))
        .collect();
    fx.write("data/history.csv", &(kept.join("\n") + "\n"));
    fx.write(
        "scenarios/push.toml",
        &fx.read("scenarios/push.toml")
            .replace("extends = \"baseline\"\n", ""),
    );
    fx.append(
        "scenarios/baseline.toml",
        "\n[[adjust]]\nselect = \"labs\"\nrate = 1.5\n",
    );
    fx.check()
        .assert_input_error(&["push.toml", "the `rate` of `labs`", "in every scenario"]);
}

// ---------------------------------------------------------------------------
// drift persistence (docs/model.md §2c): data/model.toml and the `persistence` column
// ---------------------------------------------------------------------------

#[test]
fn bad_persistence_priors_name_the_file_and_key() {
    let cases = [
        (
            "phi = [0.0, 0.8]\nweight = [0.3, 0.6]\nsource = \"x\"\n",
            "persistence.weight",
            "sum to 1",
        ),
        (
            "phi = [0.0, 1.2]\nweight = [0.3, 0.7]\nsource = \"x\"\n",
            "persistence.phi",
            "in [0, 1]",
        ),
        (
            "phi = [0.0, 0.8]\nweight = [1.0]\nsource = \"x\"\n",
            "persistence.weight",
            "one weight for each",
        ),
        (
            "phi = [0.5]\nweight = [-1.0]\nsource = \"x\"\n",
            "persistence.weight",
            "weights ≥ 0",
        ),
        (
            "phi = [0.5]\nweight = [1.0]\nsource = \" \"\n",
            "persistence.source",
            "how the prior was chosen",
        ),
    ];
    for (body, key_name, part) in cases {
        let fx = fixture("prior");
        fx.write("data/model.toml", &format!("[persistence]\n{body}"));
        fx.check()
            .assert_input_error(&[&key("model.toml", key_name), part]);
        fx.run(&[]).assert_input_error(&["model.toml"]);
        assert!(!fx.out().exists(), "nothing written");
    }
    let fx = fixture("prior-key");
    fx.write(
        "data/model.toml",
        "[persistence]\nphi = [1.0]\nweight = [1.0]\nsource = \"x\"\nfactor = 2\n",
    );
    fx.check()
        .assert_input_error(&["model.toml", "line 5", "unknown field `factor`"]);
}

#[test]
fn a_persistence_outside_zero_one_names_the_row() {
    let fx = fixture("persistence-column");
    let text = fx.read("data/indicators.csv");
    let mut lines: Vec<String> = Vec::new();
    let mut row = 0;
    for (i, line) in text.lines().enumerate() {
        let extra = match (i, line.split(',').next().unwrap_or_default()) {
            (0, _) => "persistence",
            (_, "quality_index") => {
                row = i + 1;
                "1.5"
            }
            _ => "",
        };
        lines.push(format!("{line},{extra}"));
    }
    fx.write("data/indicators.csv", &(lines.join("\n") + "\n"));
    fx.check().assert_input_error(&[
        &cell("indicators.csv", row, "persistence"),
        "in [0, 1]",
        "found 1.5",
    ]);
}

#[test]
fn a_valid_prior_is_listed_among_the_inputs_of_a_run() {
    let fx = fixture("prior-run");
    fx.write(
        "data/model.toml",
        "[persistence]\nphi = [0.0, 0.8]\nweight = [0.3, 0.7]\nsource = \"test\"\n",
    );
    fx.run(&[]).assert_success();
    let manifest = fx.read("output/run.json");
    assert!(manifest.contains("model.toml"), "{manifest}");
    assert!(fx.out().join("inputs/data/model.toml").is_file());
}
