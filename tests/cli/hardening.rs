//! Issue 20: what a new user hit in one afternoon. Each test runs the real
//! binary on a copy of the small fixture and fails on the code before the
//! fix.

use super::*;
use std::collections::BTreeMap;

/// Keeps only the last `keep` history rows of `indicator` (by year).
fn keep_last_rows(fx: &Scratch, indicator: &str, keep: usize) {
    let text = fx.read("data/history.csv");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let prefix = format!("{indicator},");
    let own: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(&prefix))
        .collect();
    let drop: Vec<usize> = own[..own.len().saturating_sub(keep)].to_vec();
    let kept: Vec<&str> = (0..lines.len())
        .filter(|i| !drop.contains(i))
        .map(|i| lines[i])
        .collect();
    fx.write(
        "data/history.csv",
        &(std::iter::once(header)
            .chain(kept)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"),
    );
}

/// Every kind of indicator (a level, log and logit walk, a count, a
/// milestone) with zero, one and two history rows: `check` and `run` agree,
/// and both end with exit 0 or 2, never a panic.
#[test]
fn every_kind_with_zero_one_or_two_history_rows_runs_or_is_an_input_error() {
    for indicator in [
        "quality_index",
        "rd_intensity",
        "pass_rate",
        "labs",
        "regulation",
        "new_brands",
    ] {
        for keep in 0..=2 {
            let fx = fixture(&format!("rows-{indicator}-{keep}"));
            keep_last_rows(&fx, indicator, keep);
            let check = fx.check();
            let run = fx.run(&[]);
            let what = format!(
                "{indicator} with {keep} rows\ncheck:\n{}\nrun:\n{}",
                check.text(),
                run.text()
            );
            assert!(matches!(run.code, Some(0 | 2)), "{what}");
            assert_eq!(check.code, run.code, "check and run agree: {what}");
            assert!(!run.text().contains("panicked"), "{what}");
        }
    }
}

/// A milestone without any history row (nothing says whether it is done)
/// gets no probability, and both `check` and `run` say why.
#[test]
fn a_milestone_without_history_has_no_probability_and_a_warning() {
    let fx = fixture("milestone-no-rows");
    keep_last_rows(&fx, "regulation", 0);
    let check = fx.check();
    check.assert_success();
    assert!(
        check.stdout.contains("no row for milestone `regulation`"),
        "{}",
        check.stdout
    );
    let run = fx.run(&[]);
    run.assert_success();
    assert!(
        run.stdout.contains("no row for milestone `regulation`"),
        "{}",
        run.stdout
    );
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let target = strings(&att, "target_id");
    let status = strings(&att, "status");
    let p = floats(&att, "p_attain");
    for i in (0..att.height()).filter(|&i| target[i].as_deref() == Some("regulation_2030")) {
        assert_eq!(status[i].as_deref(), Some("insufficient_history"));
        assert_eq!(p[i], None);
    }
}

// ---------------------------------------------------------------------------
// item 1: compare and the runs' settings
// ---------------------------------------------------------------------------

fn compare(old: &Path, new: &Path) -> Outcome {
    Outcome::of(Command::new(BIN).arg("compare").arg(old).arg(new))
}

#[test]
fn compare_credits_a_change_of_target_year_to_the_settings_not_the_scenarios() {
    let fx = fixture("compare-settings");
    let (a, b) = (fx.path("a"), fx.path("b"));
    fx.run_to(&a, &[]).assert_success();
    fx.run_to(&b, &["--target-year", "2028"]).assert_success();
    let out = compare(&a, &b);
    out.assert_success();
    assert!(
        out.stdout.contains("settings differ") && out.stdout.contains("target_year"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2028"), "{}", out.stdout);
    let cmp = read_parquet(&b.join("compare.parquet"));
    let change = floats(&cmp, "change");
    let scen = floats(&cmp, "from_scenarios");
    let sett = floats(&cmp, "from_settings");
    let mut moved = 0;
    for i in 0..cmp.height() {
        if let Some(c) = change[i] {
            assert_eq!(scen[i], Some(0.0), "row {i}: nothing is the scenarios'");
            assert_eq!(sett[i], Some(c), "row {i}: all of it is the settings'");
            moved += usize::from(c != 0.0);
        }
    }
    assert!(moved > 0, "an earlier target year moves something");
}

#[test]
fn compare_does_not_credit_the_scenarios_when_settings_and_scenarios_both_change() {
    let fx = fixture("compare-both");
    let (a, b) = (fx.path("a"), fx.path("b"));
    fx.run_to(&a, &[]).assert_success();
    fx.replace("scenarios/push.toml", "drift_add = 0.2", "drift_add = 0.5");
    fx.run_to(&b, &["--seed", "7"]).assert_success();
    let out = compare(&a, &b);
    out.assert_success();
    assert!(out.stdout.contains("seed 2030 → 7"), "{}", out.stdout);
    assert!(out.stdout.contains("not separated"), "{}", out.stdout);
    let cmp = read_parquet(&b.join("compare.parquet"));
    assert!(floats(&cmp, "from_scenarios").iter().all(Option::is_none));
}

#[test]
fn compare_of_runs_given_in_the_wrong_order_warns() {
    let fx = fixture("compare-order");
    let (a, b) = (fx.path("a"), fx.path("b"));
    fx.run_to(&a, &[]).assert_success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fx.run_to(&b, &[]).assert_success();
    let right = compare(&a, &b);
    right.assert_success();
    assert!(!right.stdout.contains("wrong order"), "{}", right.stdout);
    let wrong = compare(&b, &a);
    wrong.assert_success();
    assert!(wrong.stdout.contains("wrong order"), "{}", wrong.stdout);
}

// ---------------------------------------------------------------------------
// item 2: a run owns its output folder
// ---------------------------------------------------------------------------

fn report(out: &Path) -> Outcome {
    Outcome::of(Command::new(BIN).arg("report").arg("--out").arg(out))
}

#[test]
fn a_new_run_removes_the_compare_table_and_report_leaves_out_tables_of_another_run() {
    let fx = fixture("owns-folder");
    let old = fx.path("old");
    fx.run_to(&old, &[]).assert_success();
    fx.replace("scenarios/push.toml", "drift_add = 0.2", "drift_add = 0.5");
    fx.run_to(&fx.out(), &[]).assert_success();
    compare(&old, &fx.out()).assert_success();
    let table = fx.out().join("compare.parquet");
    assert!(table.is_file());
    // the compare table of this run goes into its report
    report(&fx.out()).assert_success();
    assert!(fx.out().join("report/tables/compare.csv").is_file());
    let kept = fs::read(&table).unwrap();
    // a new run: the table compared the run it replaces, and goes
    fx.run_to(&fx.out(), &[]).assert_success();
    assert!(
        !table.exists(),
        "compare.parquet of the earlier run is removed"
    );
    // put back by hand, it is left out of the report, which says so
    fs::write(&table, kept).unwrap();
    let out = report(&fx.out());
    out.assert_success();
    assert!(!fx.out().join("report/tables/compare.csv").exists());
    assert!(
        out.text().contains("compare.parquet` left out"),
        "{}",
        out.text()
    );
}

// ---------------------------------------------------------------------------
// item 3: --threads
// ---------------------------------------------------------------------------

#[test]
fn a_thread_count_far_above_the_cores_is_a_bad_argument_before_any_work() {
    let fx = fixture("threads");
    let started = std::time::Instant::now();
    let out = fx.run(&["--threads", "100000"]);
    out.assert_input_error(&["--threads", "per core", "100000"]);
    assert!(started.elapsed().as_secs() < 30);
    assert!(!fx.out().exists(), "nothing written");
    let cmp = fx.attain(["compare", "a", "b", "--threads", "100000"]);
    cmp.assert_input_error(&["--threads", "per core"]);
}

// ---------------------------------------------------------------------------
// item 7: --out, --quiet, --target-year
// ---------------------------------------------------------------------------

#[test]
fn an_out_that_is_a_file_or_inside_one_is_a_bad_argument_on_every_command() {
    let fx = fixture("out-file");
    fx.write("taken", "a file\n");
    let file = fx.path("taken");
    let inside = file.join("sub");
    for out in [&file, &inside] {
        let out_arg = out.to_str().unwrap();
        let data = fx.data();
        let scenarios = fx.scenarios();
        let run = fx.attain([
            "run",
            "--data",
            data.to_str().unwrap(),
            "--scenarios",
            scenarios.to_str().unwrap(),
            "--out",
            out_arg,
            "--draws",
            "2000000",
        ]);
        run.assert_input_error(&["argument `--out`", "taken"]);
        let backtest = fx.attain([
            "backtest",
            "--data",
            fx.data().to_str().unwrap(),
            "--out",
            out_arg,
        ]);
        backtest.assert_input_error(&["--out", "taken"]);
        let compare = fx.attain(["compare", "a", "b", "--out", out_arg]);
        compare.assert_input_error(&["--out", "taken"]);
    }
    assert_eq!(fx.read("taken"), "a file\n");
}

#[test]
fn quiet_is_accepted_by_every_command() {
    let fx = fixture("quiet-everywhere");
    let check = fx.attain([
        "check",
        "--quiet",
        "--data",
        fx.data().to_str().unwrap(),
        "--scenarios",
        fx.scenarios().to_str().unwrap(),
    ]);
    check.assert_success();
    assert!(
        check.stdout.contains("inputs are valid"),
        "{}",
        check.stdout
    );
    fx.run(&[]).assert_success();
    let out = fx.out();
    let out = out.to_str().unwrap();
    fx.attain(["compare", out, out, "--quiet"]).assert_success();
    fx.attain(["report", "--out", out, "--quiet"])
        .assert_success();
}

#[test]
fn target_year_shows_in_the_header_and_manifest_and_pro_rates_sums_and_increases() {
    let fx = fixture("target-year");
    let out = fx.run(&["--target-year", "2028"]);
    out.assert_success();
    let header = out.stdout.lines().next().unwrap_or_default();
    assert!(header.contains("2028"), "{header}");
    let manifest = fx.read("output/run.json");
    assert!(manifest.contains("\"target_year\": 2028"), "{manifest}");
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let target = strings(&att, "target_id");
    let value = floats(&att, "target_value");
    let year = ints(&att, "target_year");
    let at = |id: &str| {
        (0..att.height())
            .find(|&i| target[i].as_deref() == Some(id))
            .unwrap()
    };
    // cumulative 500 over 2026–2030: 300 over 2026–2028
    assert!((value[at("new_brands_total")].unwrap() - 300.0).abs() < 1e-9);
    // an increase of 0.3 over 2025–2030: 0.18 by 2028
    assert!((value[at("rd_intensity_increase")].unwrap() - 0.18).abs() < 1e-12);
    // a level is the same threshold
    assert_eq!(value[at("quality_index_2030")], Some(96.0));
    assert!(year.iter().all(|y| *y == Some(2028)));
}

// ---------------------------------------------------------------------------
// item 6: the precision shown is a bound
// ---------------------------------------------------------------------------

/// The number after `SE ≤ ` in the summary's first line.
fn se_bound(stdout: &str) -> f64 {
    let header = stdout.lines().next().unwrap_or_default();
    let at = header.find("SE ≤ ").expect("the header states the SE") + "SE ≤ ".len();
    header[at..]
        .trim_end_matches(')')
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{header}: {e}"))
}

#[test]
fn the_se_in_the_header_bounds_every_standard_error() {
    let fx = fixture("se-bound");
    let out = Outcome::of(
        Command::new(BIN)
            .arg("run")
            .arg("--data")
            .arg(fx.data())
            .arg("--scenarios")
            .arg(fx.scenarios())
            .arg("--out")
            .arg(fx.out())
            .args(["--draws", "45000", "--quiet"]),
    );
    out.assert_success();
    let bound = se_bound(&out.stdout);
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let largest = floats(&att, "p_attain_se")
        .into_iter()
        .flatten()
        .fold(0.0, f64::max);
    assert!(largest > 0.0);
    assert!(bound >= largest, "SE ≤ {bound} but one SE is {largest}");
}

#[test]
fn an_unmet_precision_is_a_warning_with_the_se_reached() {
    let fx = fixture("precision-unmet");
    let out = fx.run(&["--precision", "0.0001", "--max-draws", "8192"]);
    out.assert_success();
    assert!(
        out.stdout.contains("warning: --precision 0.0001 not met"),
        "{}",
        out.stdout
    );
    assert!(se_bound(&out.stdout) > 0.0001);
}

// ---------------------------------------------------------------------------
// item 4: malformed CSV in a person's words
// ---------------------------------------------------------------------------

/// No reader option or internals in a message.
fn assert_no_reader_words(out: &Outcome) {
    for word in [
        "truncate_ragged_lines",
        "infer_schema_length",
        "schema_overrides",
        "ignore_errors",
        "polars",
    ] {
        assert!(!out.text().contains(word), "{word} in:\n{}", out.text());
    }
}

#[test]
fn a_row_with_an_extra_or_a_missing_field_is_named_with_both_counts() {
    let fx = fixture("csv-ragged");
    let row = fx.set_line(
        "data/history.csv",
        "labs,2022,",
        "labs,2022,6,illustrative,test stand-in,extra",
    );
    let out = fx.check();
    out.assert_input_error(&[
        "history.csv",
        &format!("row {row} has 6 fields, the header 5"),
    ]);
    assert_no_reader_words(&out);
    let fx = fixture("csv-short");
    let row = fx.set_line(
        "data/targets.csv",
        "labs_2030,",
        "labs_2030,labs,level,>=,14",
    );
    let out = fx.run(&[]);
    out.assert_input_error(&[
        "targets.csv",
        &format!("row {row} has 5 fields, the header 9"),
    ]);
    assert_no_reader_words(&out);
}

#[test]
fn an_unclosed_quote_is_named_by_its_row_with_a_short_excerpt() {
    let fx = fixture("csv-quote");
    let tail = "x".repeat(5_000_000);
    fx.append(
        "data/history.csv",
        &format!("labs,2025,10,illustrative,\"stand-in {tail}\n"),
    );
    let rows = fx.read("data/history.csv").lines().count();
    let out = fx.check();
    out.assert_input_error(&[
        "history.csv",
        &format!("row {rows}"),
        "a quote is not closed",
    ]);
    assert!(
        out.stderr.len() < 2_000,
        "{} bytes of message",
        out.stderr.len()
    );
    assert_no_reader_words(&out);
}

// ---------------------------------------------------------------------------
// item 5: mistakes that did nothing or gave impossible values
// ---------------------------------------------------------------------------

#[test]
fn a_history_year_after_the_current_year_is_an_input_error_naming_the_row() {
    let fx = fixture("future-row");
    fx.append(
        "data/history.csv",
        "quality_index,2199,99.0,official,a yearbook from the future\n",
    );
    let row = fx.read("data/history.csv").lines().count();
    let out = fx.check();
    out.assert_input_error(&[
        &cell("history.csv", row, "year"),
        "2199",
        "a year that has passed",
    ]);
    fx.run(&[])
        .assert_input_error(&[&cell("history.csv", row, "year")]);
}

#[test]
fn a_shock_or_adjustment_entirely_before_the_first_projected_year_is_an_input_error() {
    let fx = fixture("early-shock");
    fx.append(
        "scenarios/push.toml",
        "\n[[shock]]\nselect = \"quality_index\"\nyear = 2020\nprobability = 0.5\nsize = -1.0\n",
    );
    let out = fx.check();
    out.assert_input_error(&[&key("push.toml", "shock[0].year"), "2025", "2020"]);
    fx.run(&[])
        .assert_input_error(&[&key("push.toml", "shock[0].year")]);

    let fx = fixture("early-adjust");
    fx.append(
        "scenarios/push.toml",
        "\n[[adjust]]\nselect = \"quality_index\"\nfrom = 2020\nto = 2023\ndrift_add = 1.0\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[2].to"), "2025", "2023"]);
}

#[test]
fn an_implausible_projected_median_is_a_warning_naming_scenario_and_indicator() {
    let fx = fixture("implausible");
    fx.append(
        "scenarios/push.toml",
        "\n[[adjust]]\nselect = \"rd_intensity\"\ndrift_add = 50\n",
    );
    let out = fx.run(&[]);
    out.assert_success();
    assert!(
        out.stdout
            .contains("warning: scenario `push`, indicator `rd_intensity`"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("scenario `baseline`, indicator"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------
// item 9: charts draw the published threshold, with distinct ticks
// ---------------------------------------------------------------------------

/// The texts of an SVG's `<text>` elements.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

#[test]
fn a_fan_chart_draws_the_published_threshold_with_a_note_and_distinct_ticks() {
    let fx = fixture("chart-threshold");
    fx.set_line(
        "data/targets.csv",
        "pass_rate_2030,",
        "pass_rate_2030,pass_rate,level,>=,100,2030,,,a pass rate of 100 %",
    );
    fx.append(
        "data/history.csv",
        "pass_rate,2025,100,official,inspection report 2025\n",
    );
    fx.run(&[]).assert_success();
    report(&fx.out()).assert_success();
    let svg = fs::read_to_string(fx.out().join("report/charts/fan_pass_rate.svg")).unwrap();
    let texts = svg_texts(&svg);
    assert!(
        texts.iter().any(|t| t.contains("drawn at 99.95")),
        "a note on the threshold drawn: {texts:?}"
    );
    // each panel (one per scenario) labels its value axis once per tick
    let panels = 2;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &texts {
        if t.parse::<f64>().is_ok() && t.contains('.') {
            *counts.entry(t.as_str()).or_default() += 1;
        }
    }
    assert!(counts.len() > 1, "{texts:?}");
    for (label, n) in &counts {
        assert!(
            *n <= panels,
            "tick label {label} appears {n} times: {counts:?}"
        );
    }
}
