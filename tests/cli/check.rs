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
