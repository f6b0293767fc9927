//! End-to-end tests of the `attain` binary on the small fixture in
//! `tests/fixtures/small/` (six indicators: level, log, logit, count,
//! milestone, and a `log` one with two observations; six targets; scenarios
//! `baseline` and `push`), one module per command.
//!
//! Each test copies the fixture into its own folder under
//! `CARGO_TARGET_TMPDIR` ([`Scratch`]), mutates the copy as it needs, and
//! runs the real binary with `--data`, `--scenarios` and `--out` pointing
//! into it.

use std::fs;
use std::path::Path;
use std::process::Command;

use attain::tables::attainment::AttainmentRow;
use attain::tables::fan::FanRow;
use attain::tables::required::RequiredRow;
use attain::tables::schema::Table;
use attain::tables::scorecard::ScorecardRow;
use polars::prelude::*;

#[path = "../common/mod.rs"]
mod common;
use common::{column_names, floats, read_parquet, strings, Outcome, Scratch, BIN};

mod check;
mod compare;
mod hardening;
mod inputs;
mod lang;
mod run;

const DRAWS: &str = "4000";

/// The columns of `attainment.parquet` promised by docs/outputs.md, in order.
const ATTAINMENT_COLUMNS: [&str; 32] = [
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
    "analog",
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

/// A private copy of `tests/fixtures/small`.
fn fixture(label: &str) -> Scratch {
    Scratch::copy(&format!("cli-{label}"), "small")
}

/// The commands the tests run on a copy of the fixture.
trait Commands {
    /// `attain check` on the copy.
    fn check(&self) -> Outcome;
    /// `attain run` on the copy, with few draws, quietly, and `extra` flags.
    fn run(&self, extra: &[&str]) -> Outcome;
    /// The same into the output folder `out`.
    fn run_to(&self, out: &Path, extra: &[&str]) -> Outcome;
}

impl Commands for Scratch {
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
        self.run_to(&self.out(), extra)
    }

    fn run_to(&self, out: &Path, extra: &[&str]) -> Outcome {
        Outcome::of(
            Command::new(BIN)
                .arg("run")
                .arg("--data")
                .arg(self.data())
                .arg("--scenarios")
                .arg(self.scenarios())
                .arg("--out")
                .arg(out)
                .args(["--draws", DRAWS, "--quiet"])
                .args(extra),
        )
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
