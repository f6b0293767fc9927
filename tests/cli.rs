//! End-to-end tests of the `attain` binary on the small fixture in
//! `tests/fixtures/small/` (six indicators: level, log, logit, count,
//! milestone, and a `log` one with two observations; six targets; scenarios
//! `baseline` and `push`).
//!
//! Each test copies the fixture into its own folder under
//! `CARGO_TARGET_TMPDIR`, mutates the copy as it needs, and runs the real
//! binary with `--data`, `--scenarios` and `--out` pointing into it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use polars::prelude::*;

mod common;
use common::{floats, read_parquet, strings, Outcome};

const BIN: &str = env!("CARGO_BIN_EXE_attain");
const DRAWS: &str = "4000";

/// The columns of `attainment.parquet` promised by INTERFACE.md, in order.
const ATTAINMENT_COLUMNS: [&str; 31] = [
    "scenario",
    "target_id",
    "indicator_id",
    "group",
    "name_zh",
    "name_en",
    "kind",
    "comparator",
    "target_value",
    "target_year",
    "status",
    "p_attain",
    "p_attain_se",
    "p_low",
    "p_high",
    "delta_vs_baseline",
    "delta_se",
    "value_mean",
    "value_p05",
    "value_p10",
    "value_p25",
    "value_p50",
    "value_p75",
    "value_p90",
    "value_p95",
    "last_year",
    "last_value",
    "n_obs",
    "provenance",
    "draws",
    "seed",
];

/// Columns `attainment.parquet` may carry after the contract ones.
const ATTAINMENT_EXTRA: [&str; 4] = [
    "p_reached_by",
    "first_year_p50",
    "likelihood",
    "likelihood_zh",
];

const FAN_COLUMNS: [&str; 12] = [
    "scenario",
    "indicator_id",
    "year",
    "kind",
    "mean",
    "p05",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "p95",
];

const SCORECARD_COLUMNS: [&str; 6] = [
    "scenario",
    "group",
    "targets",
    "k",
    "p_exactly",
    "p_at_least",
];

/// Targets in the fixture, and the one whose indicator has only two observations.
const N_TARGETS: usize = 6;
const INSUFFICIENT_TARGET: &str = "new_brands_total";
/// History rows in the fixture.
const N_HISTORY_ROWS: usize = 26;

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/// A private copy of the fixture, removed when dropped.
struct Fixture {
    root: PathBuf,
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Fixture {
    fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("cli-{label}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small"),
            &root,
        );
        Fixture { root }
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    fn scenarios(&self) -> PathBuf {
        self.root.join("scenarios")
    }

    fn out(&self) -> PathBuf {
        self.root.join("output")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        fs::write(self.path(rel), text).unwrap();
    }

    fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).unwrap();
    }

    /// Replaces the one line of `rel` that starts with `prefix` by `line`, and
    /// returns its number (the header is line 1, as a spreadsheet numbers rows).
    fn set_line(&self, rel: &str, prefix: &str, line: &str) -> usize {
        let text = self.read(rel);
        let lines: Vec<&str> = text.lines().collect();
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(prefix))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "exactly one line of {rel} starts with {prefix:?}"
        );
        let mut out: Vec<&str> = lines.clone();
        out[hits[0]] = line;
        self.write(rel, &(out.join("\n") + "\n"));
        hits[0] + 1
    }

    /// Replaces `from` by `to` in `rel`, which must hold `from`.
    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} holds {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn append(&self, rel: &str, text: &str) {
        let mut all = self.read(rel);
        all.push_str(text);
        self.write(rel, &all);
    }

    fn check(&self) -> Outcome {
        Outcome::of(
            Command::new(BIN)
                .arg("check")
                .arg("--data")
                .arg(self.data())
                .arg("--scenarios")
                .arg(self.scenarios()),
        )
    }

    fn run(&self, extra: &[&str]) -> Outcome {
        Outcome::of(
            Command::new(BIN)
                .arg("run")
                .arg("--data")
                .arg(self.data())
                .arg("--scenarios")
                .arg(self.scenarios())
                .arg("--out")
                .arg(self.out())
                .args(["--draws", DRAWS, "--quiet"])
                .args(extra),
        )
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

/// `FILE`, row N, column `COL` as the error messages print a cell.
fn cell(file: &str, row: usize, column: &str) -> String {
    format!("{file}`, row {row}, column `{column}`")
}

/// `FILE`, key `KEY` as the error messages print a scenario key.
fn key(file: &str, key: &str) -> String {
    format!("{file}`, key `{key}`")
}

fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}

fn ints(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let series = frame
        .column(name)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::Int64)
        .unwrap();
    series.i64().unwrap().iter().collect()
}

/// The file-level key-value metadata of a Parquet file.
fn parquet_metadata(path: &Path) -> Vec<(String, Option<String>)> {
    let file = fs::File::open(path).unwrap();
    let mut reader = ParquetReader::new(file);
    let metadata = reader.get_metadata().unwrap();
    metadata
        .key_value_metadata()
        .as_ref()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// 1. check
// ---------------------------------------------------------------------------

#[test]
fn check_accepts_the_fixture_and_prints_the_inventory() {
    let fx = Fixture::new("check");
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
// 2. run
// ---------------------------------------------------------------------------

#[test]
fn run_writes_the_contract_tables_with_metadata_and_manifest() {
    let fx = Fixture::new("run");
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

    // attainment: contract columns first, in order; only documented extras after them
    let att = read_parquet(&dir.join("attainment.parquet"));
    let names = column_names(&att);
    assert!(names.len() >= ATTAINMENT_COLUMNS.len(), "{names:?}");
    assert_eq!(&names[..ATTAINMENT_COLUMNS.len()], &ATTAINMENT_COLUMNS[..]);
    for extra in &names[ATTAINMENT_COLUMNS.len()..] {
        assert!(
            ATTAINMENT_EXTRA.contains(&extra.as_str()),
            "undocumented column {extra}"
        );
    }
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
// 3. input encodings and formats
// ---------------------------------------------------------------------------

#[test]
fn csv_with_byte_order_mark_and_crlf_loads() {
    let fx = Fixture::new("bom");
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
    let csv = Fixture::new("csv-run");
    let fx = Fixture::new("parquet");
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
    let fx = Fixture::new("missing-file");
    fx.remove("data/history.csv");
    fx.check()
        .assert_input_error(&["history.csv`", "history.parquet", "no such file"]);
}

#[test]
fn missing_column_is_named() {
    let fx = Fixture::new("missing-column");
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
    let fx = Fixture::new("nan");
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
    let fx = Fixture::new("empty-id");
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
    let fx = Fixture::new("dup-id");
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
    let fx = Fixture::new("dup-year");
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
    let fx = Fixture::new("transform");
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
    let fx = Fixture::new("kind");
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
    let fx = Fixture::new("comparator");
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
    let fx = Fixture::new("logit-nobounds");
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
    let fx = Fixture::new("logit-order");
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
    let fx = Fixture::new("logit-outside");
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
    let fx = Fixture::new("logit-bound");
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
    let fx = Fixture::new("count-falls");
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
    let fx = Fixture::new("target-indicator");
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
    let fx = Fixture::new("increase");
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
    let fx = Fixture::new("every-year");
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
    let fx = Fixture::new("cumulative");
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
    let fx = Fixture::new("target-year");
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
    let fx = Fixture::new("scenario-key");
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
    let fx = Fixture::new("scenario-id");
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
    let fx = Fixture::new("scenario-mult");
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
    let fx = Fixture::new("scenario-prob");
    fx.append(
        "scenarios/push.toml",
        "\n[[shock]]\nselect = \"quality_index\"\nyear = 2027\nprobability = 1.5\nsize = -0.1\n",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "shock[0].probability"), "[0, 1]", "1.5"]);
}

#[test]
fn scenario_hazard_above_one_is_an_error() {
    let fx = Fixture::new("scenario-hazard");
    fx.replace("scenarios/push.toml", "hazard = 0.3", "hazard = 1.2");
    fx.check()
        .assert_input_error(&[&key("push.toml", "adjust[1].hazard"), "[0, 1]", "1.2"]);
}

#[test]
fn scenario_field_that_applies_to_no_selected_indicator_is_an_error() {
    let fx = Fixture::new("scenario-applies");
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
    let fx = Fixture::new("scenario-factors");
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
    let fx = Fixture::new("scenario-cycle");
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
    let fx = Fixture::new("no-baseline");
    fx.remove("scenarios/baseline.toml");
    fx.replace("scenarios/push.toml", "extends = \"baseline\"\n", "");
    let scenarios = fx.scenarios().display().to_string();
    fx.check()
        .assert_input_error(&[&format!("`{scenarios}`"), "`baseline`"]);
}

#[test]
fn scenario_name_must_match_its_file() {
    let fx = Fixture::new("scenario-name");
    fx.replace(
        "scenarios/push.toml",
        "name = \"push\"",
        "name = \"pusher\"",
    );
    fx.check()
        .assert_input_error(&[&key("push.toml", "name"), "`pusher`"]);
}

// ---------------------------------------------------------------------------
// 5. a failed run keeps the previous outputs
// ---------------------------------------------------------------------------

#[test]
fn bad_input_leaves_previous_outputs_untouched() {
    let fx = Fixture::new("atomic");
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
    let fx = Fixture::new("no-temp");
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
            "scorecard.parquet"
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
    let fx = Fixture::new("draws0");
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
    let fx = Fixture::new("threads0");
    let out = fx.run(&["--threads", "0"]);
    out.assert_input_error(&["`--threads`", "found 0"]);
    assert!(!fx.out().exists(), "nothing written");
}

#[test]
fn unknown_only_id_is_a_bad_argument() {
    let fx = Fixture::new("only");
    let out = fx.run(&["--only", "no_such_target"]);
    out.assert_input_error(&["`--only`", "`no_such_target`"]);
    assert!(!fx.out().exists(), "nothing written");
}

#[test]
fn unparsable_flag_value_exits_2() {
    let fx = Fixture::new("draws-text");
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
    let one = Fixture::new("threads1");
    let three = Fixture::new("threads3");
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
    let fx = Fixture::new("big-seed");
    let seed = u64::MAX.to_string();
    let out = fx.run(&["--seed", &seed]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--seed"), "{}", out.stderr);
    let max = i64::MAX.to_string();
    fx.run(&["--seed", &max]).assert_success();
}

#[test]
fn trailing_blank_line_in_csv_is_ignored() {
    let fx = Fixture::new("blank-line");
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
    let fx = Fixture::new("precision");
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
    let again = Fixture::new("precision-again");
    again
        .run(&["--precision", "0.004", "--max-draws", "200000"])
        .assert_success();
    let att2 = read_parquet(&again.out().join("attainment.parquet"));
    assert_eq!(floats(&att, "p_attain"), floats(&att2, "p_attain"));
}

// ---------------------------------------------------------------------------
// required effort and year-on-year comparison
// ---------------------------------------------------------------------------

/// The contract columns of INTERFACE.md, then the extra ones.
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
    let fx = Fixture::new("required");
    fx.run(&["--effort-from", "2026"]).assert_success();
    let req = read_parquet(&fx.out().join("required.parquet"));
    assert_eq!(column_names(&req), REQUIRED_COLUMNS);
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
    let fx = Fixture::new("unreachable");
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
    let fx = Fixture::new("effort-late");
    fx.run(&["--effort-from", "2031"])
        .assert_input_error(&["`--effort-from`", "2031"]);
    assert!(!fx.out().exists(), "nothing written");
}

fn compare(old: &Path, new: &Path) -> Outcome {
    Outcome::of(Command::new(BIN).arg("compare").arg(old).arg(new))
}

#[test]
fn compare_splits_each_change_into_data_and_scenarios() {
    let fx = Fixture::new("compare");
    let old = fx.path("old");
    let new = fx.path("new");
    let run_into = |out: &Path| {
        Outcome::of(
            Command::new(BIN)
                .arg("run")
                .arg("--data")
                .arg(fx.data())
                .arg("--scenarios")
                .arg(fx.scenarios())
                .arg("--out")
                .arg(out)
                .args(["--draws", DRAWS, "--quiet"]),
        )
    };
    run_into(&old).assert_success();
    // A new figure for the quality index, and a stronger push.
    fx.append(
        "data/history.csv",
        "quality_index,2025,92.9,official,statistical yearbook 2026\n",
    );
    fx.replace("scenarios/push.toml", "drift_add = 0.2", "drift_add = 0.5");
    run_into(&new).assert_success();
    let out = compare(&old, &new);
    out.assert_success();
    assert!(out.stdout.contains("largest changes"), "{}", out.stdout);
    let cmp = read_parquet(&new.join("compare.parquet"));
    assert_eq!(cmp.height(), N_TARGETS * 2);
    let scenario = strings(&cmp, "scenario");
    let target = strings(&cmp, "target_id");
    let change = floats(&cmp, "change");
    let data = floats(&cmp, "from_data");
    let scen = floats(&cmp, "from_scenarios");
    let at = |s: &str, t: &str| {
        (0..cmp.height())
            .find(|&i| scenario[i].as_deref() == Some(s) && target[i].as_deref() == Some(t))
            .unwrap()
    };
    for i in 0..cmp.height() {
        if let (Some(c), Some(d), Some(e)) = (change[i], data[i], scen[i]) {
            assert!((c - d - e).abs() < 1e-12, "the parts add up");
        }
    }
    // The baseline scenario did not change: none of its movement is the scenarios'.
    let qi = at("baseline", "quality_index_2030");
    assert_eq!(scen[qi], Some(0.0));
    assert!(
        data[qi].unwrap() != 0.0,
        "the new figure moves the quality index"
    );
    // The labs' data and scenarios did not change: nothing moved at all.
    let labs = at("push", "labs_2030");
    assert_eq!(
        (change[labs], data[labs], scen[labs]),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    // The stronger push moves the quality index up beyond what the data did.
    let push = at("push", "quality_index_2030");
    assert!(scen[push].unwrap() > 0.0);
}

#[test]
fn compare_without_a_snapshot_gives_the_change_only() {
    let fx = Fixture::new("compare-old");
    fx.run(&[]).assert_success();
    let old = fx.path("old");
    fs::rename(fx.out(), &old).unwrap();
    fs::remove_dir_all(old.join("inputs")).unwrap();
    fx.run(&[]).assert_success();
    let out = compare(&old, &fx.out());
    out.assert_success();
    assert!(out.stdout.contains("not split"), "{}", out.stdout);
    let cmp = read_parquet(&fx.out().join("compare.parquet"));
    assert!(floats(&cmp, "from_data").iter().all(Option::is_none));
    assert!(floats(&cmp, "change").iter().flatten().all(|&c| c == 0.0));
}

#[test]
fn compare_of_a_folder_that_is_not_a_run_is_an_input_error() {
    let fx = Fixture::new("compare-bad");
    fx.run(&[]).assert_success();
    let out = compare(&fx.data(), &fx.out());
    out.assert_input_error(&["run.json"]);
    assert!(!fx.out().join("compare.parquet").exists());
}
