//! Reading back the tables a previous `attain run` wrote.
//!
//! In: the run's output folder. Out: a [`Run`]: the manifest (`run.json`),
//! typed rows of `attainment.parquet`, `fan.parquet` and `scorecard.parquet`,
//! and every `*.parquet` table of the folder as a frame for the spreadsheet
//! copies. A missing file, a missing column, a column of the wrong type or a
//! null where a value is required is an input error (exit status 2) naming
//! the file, the row and the column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use crate::error::{Error, Place, Result};
use crate::load::sheet_row;

/// The quantile columns of `fan.parquet`, in order.
pub const FAN_QUANTILES: [&str; 7] = ["p05", "p10", "p25", "p50", "p75", "p90", "p95"];

/// The part of `run.json` the report shows.
#[derive(Debug, Clone, Deserialize)]
pub struct RunManifest {
    /// Crate version that wrote the run.
    pub version: String,
    /// Seed.
    pub seed: u64,
    /// Draws simulated.
    pub draws: u64,
    /// Worker threads.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Last projected year.
    #[serde(default)]
    pub horizon: Option<i32>,
    /// SHA-256 of every input file, by path.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    /// Scenarios, baseline first.
    pub scenarios: Vec<String>,
    /// Start time, UTC.
    #[serde(default)]
    pub started_utc: Option<String>,
    /// Wall time, seconds.
    #[serde(default)]
    pub wall_seconds: Option<f64>,
}

/// One row of `attainment.parquet`, the columns the report uses.
#[derive(Debug, Clone)]
pub struct AttainmentRow {
    /// Scenario.
    pub scenario: String,
    /// Target id.
    pub target_id: String,
    /// Indicator id.
    pub indicator_id: String,
    /// Indicator group.
    pub group: String,
    /// Indicator name, Chinese.
    pub name_zh: String,
    /// Indicator name, English.
    pub name_en: String,
    /// Target kind.
    pub kind: String,
    /// Comparator.
    pub comparator: String,
    /// Target value.
    pub target_value: f64,
    /// Target year.
    pub target_year: i32,
    /// `ok`, `insufficient_history`, `assumption_only`.
    pub status: String,
    /// P(attain), null without a probability.
    pub p_attain: Option<f64>,
    /// 95 % Wilson interval, low end.
    pub p_low: Option<f64>,
    /// 95 % Wilson interval, high end.
    pub p_high: Option<f64>,
    /// Weakest provenance of the history used (`illustrative` marks a stand-in).
    pub provenance: Option<String>,
    /// Likelihood term, English (absent in runs written before it existed).
    pub likelihood: Option<String>,
    /// Likelihood term, Chinese.
    pub likelihood_zh: Option<String>,
}

/// One row of `fan.parquet`.
#[derive(Debug, Clone)]
pub struct FanRow {
    /// Scenario.
    pub scenario: String,
    /// Indicator id.
    pub indicator_id: String,
    /// Year.
    pub year: i32,
    /// `observed` or `projected`.
    pub observed: bool,
    /// p05 … p95 (natural units); observed years hold only p50.
    pub quantiles: [Option<f64>; 7],
}

/// One row of `scorecard.parquet`.
#[derive(Debug, Clone)]
pub struct ScorecardRow {
    /// Scenario.
    pub scenario: String,
    /// Group or `all`.
    pub group: String,
    /// Targets counted.
    pub targets: i32,
    /// Number met.
    pub k: i32,
    /// P(exactly k).
    pub p_exactly: f64,
}

/// A run read back.
#[derive(Debug)]
pub struct Run {
    /// `run.json`.
    pub manifest: RunManifest,
    /// `attainment.parquet`.
    pub attainment: Vec<AttainmentRow>,
    /// `fan.parquet`.
    pub fan: Vec<FanRow>,
    /// `scorecard.parquet`.
    pub scorecard: Vec<ScorecardRow>,
    /// Every `*.parquet` table of the folder, by file name, sorted.
    pub frames: Vec<(String, DataFrame)>,
}

/// Reads the run in `out`.
pub fn read_run(out: &Path) -> Result<Run> {
    let manifest = read_manifest(&out.join("run.json"))?;
    let mut frames = Vec::new();
    for name in ["attainment.parquet", "fan.parquet", "scorecard.parquet"] {
        let path = out.join(name);
        frames.push((name.to_string(), read_parquet(&path)?));
    }
    let attainment = attainment_rows(&out.join("attainment.parquet"), &frames[0].1)?;
    let fan = fan_rows(&out.join("fan.parquet"), &frames[1].1)?;
    let scorecard = scorecard_rows(&out.join("scorecard.parquet"), &frames[2].1)?;
    check_scenarios(out, &manifest, &attainment)?;
    for path in other_tables(out)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        frames.push((name, read_parquet(&path)?));
    }
    frames.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Run {
        manifest,
        attainment,
        fan,
        scorecard,
        frames,
    })
}

fn missing(path: &Path, what: &str) -> Error {
    Error::input(
        Place::file(path),
        format!("{what}, as `attain run` writes it (run `attain run --out DIR` first)"),
        "no such file",
    )
}

fn read_manifest(path: &Path) -> Result<RunManifest> {
    if !path.is_file() {
        return Err(missing(path, "the run manifest"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::Unreadable {
        place: Place::file(path),
        what: "cannot read".into(),
        source: e.into(),
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Place::file(path),
            "the JSON manifest of a run (version, seed, draws, scenarios, …)",
            format!("{e}"),
        )
    })
}

fn read_parquet(path: &Path) -> Result<DataFrame> {
    if !path.is_file() {
        return Err(missing(path, "a Parquet table"));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::Unreadable {
        place: Place::file(path),
        what: "cannot open".into(),
        source: e.into(),
    })?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| Error::Unreadable {
            place: Place::file(path),
            what: "not a readable Parquet file".into(),
            source: e.into(),
        })
}

/// The `*.parquet` files of `out` other than the three the report draws.
fn other_tables(out: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(out).map_err(|e| Error::Unreadable {
        place: Place::file(out),
        what: "cannot list the folder".into(),
        source: e.into(),
    })?;
    let mut paths = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let drawn = ["attainment.parquet", "fan.parquet", "scorecard.parquet"];
        if path.is_file()
            && name.ends_with(".parquet")
            && !name.starts_with('.')
            && !drawn.contains(&name.as_str())
        {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Typed access to the columns of a frame, with errors naming file, row and column.
struct Columns<'a> {
    path: &'a Path,
    frame: &'a DataFrame,
}

impl Columns<'_> {
    fn column(&self, name: &str, expected: &str) -> Result<&Column> {
        self.frame.column(name).map_err(|_| {
            Error::input(
                Place {
                    file: self.path.to_path_buf(),
                    at: Some(format!("column `{name}`")),
                },
                format!("a column of {expected}"),
                "no such column",
            )
        })
    }

    fn wrong_type(&self, name: &str, expected: &str, found: &DataType) -> Error {
        Error::input(
            Place {
                file: self.path.to_path_buf(),
                at: Some(format!("column `{name}`")),
            },
            format!("a column of {expected}"),
            format!("a column of type {found}"),
        )
    }

    fn text(&self, name: &str) -> Result<Vec<Option<String>>> {
        let column = self.column(name, "text")?;
        let values = column
            .as_materialized_series()
            .str()
            .map_err(|_| self.wrong_type(name, "text", column.dtype()))?;
        Ok(values.iter().map(|v| v.map(String::from)).collect())
    }

    fn number(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let column = self.column(name, "numbers")?;
        if !column.dtype().is_primitive_numeric() {
            return Err(self.wrong_type(name, "numbers", column.dtype()));
        }
        let cast = column
            .as_materialized_series()
            .cast(&DataType::Float64)
            .map_err(|_| self.wrong_type(name, "numbers", column.dtype()))?;
        let values = cast
            .f64()
            .map_err(|_| self.wrong_type(name, "numbers", column.dtype()))?;
        Ok(values.iter().map(|v| v.filter(|x| x.is_finite())).collect())
    }

    fn integer(&self, name: &str) -> Result<Vec<Option<i32>>> {
        let column = self.column(name, "integers")?;
        if !column.dtype().is_integer() {
            return Err(self.wrong_type(name, "integers", column.dtype()));
        }
        let cast = column
            .as_materialized_series()
            .cast(&DataType::Int32)
            .map_err(|_| self.wrong_type(name, "integers", column.dtype()))?;
        let values = cast
            .i32()
            .map_err(|_| self.wrong_type(name, "integers", column.dtype()))?;
        Ok(values.iter().collect())
    }

    /// A value that must be present on `row` (0-based).
    fn required<T>(&self, value: Option<T>, row: usize, name: &str) -> Result<T> {
        value.ok_or_else(|| {
            Error::input(
                Place::cell(self.path, sheet_row(row), name),
                "a value",
                "a null",
            )
        })
    }
}

fn attainment_rows(path: &Path, frame: &DataFrame) -> Result<Vec<AttainmentRow>> {
    let c = Columns { path, frame };
    let scenario = c.text("scenario")?;
    let target_id = c.text("target_id")?;
    let indicator_id = c.text("indicator_id")?;
    let group = c.text("group")?;
    let name_zh = c.text("name_zh")?;
    let name_en = c.text("name_en")?;
    let kind = c.text("kind")?;
    let comparator = c.text("comparator")?;
    let target_value = c.number("target_value")?;
    let target_year = c.integer("target_year")?;
    let status = c.text("status")?;
    let p_attain = c.number("p_attain")?;
    let p_low = c.number("p_low")?;
    let p_high = c.number("p_high")?;
    let provenance = c.text("provenance")?;
    // Columns added after the first release: read them when present.
    let optional_text = |name: &str| -> Result<Vec<Option<String>>> {
        if frame.column(name).is_ok() {
            c.text(name)
        } else {
            Ok(vec![None; frame.height()])
        }
    };
    let likelihood = optional_text("likelihood")?;
    let likelihood_zh = optional_text("likelihood_zh")?;
    let mut rows = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        if let Some(p) = p_attain[i].filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(Error::input(
                Place::cell(path, sheet_row(i), "p_attain"),
                "a probability from 0 to 1",
                format!("{p}"),
            ));
        }
        rows.push(AttainmentRow {
            scenario: c.required(scenario[i].clone(), i, "scenario")?,
            target_id: c.required(target_id[i].clone(), i, "target_id")?,
            indicator_id: c.required(indicator_id[i].clone(), i, "indicator_id")?,
            group: group[i].clone().unwrap_or_default(),
            name_zh: name_zh[i].clone().unwrap_or_default(),
            name_en: name_en[i].clone().unwrap_or_default(),
            kind: c.required(kind[i].clone(), i, "kind")?,
            comparator: c.required(comparator[i].clone(), i, "comparator")?,
            target_value: c.required(target_value[i], i, "target_value")?,
            target_year: c.required(target_year[i], i, "target_year")?,
            status: status[i].clone().unwrap_or_default(),
            p_attain: p_attain[i],
            p_low: p_low[i],
            p_high: p_high[i],
            provenance: provenance[i].clone(),
            likelihood: likelihood[i].clone(),
            likelihood_zh: likelihood_zh[i].clone(),
        });
    }
    if rows.is_empty() {
        return Err(Error::input(
            Place::file(path),
            "one row per scenario and target",
            "no rows",
        ));
    }
    Ok(rows)
}

fn fan_rows(path: &Path, frame: &DataFrame) -> Result<Vec<FanRow>> {
    let c = Columns { path, frame };
    let scenario = c.text("scenario")?;
    let indicator_id = c.text("indicator_id")?;
    let year = c.integer("year")?;
    let kind = c.text("kind")?;
    let mut quantiles = Vec::with_capacity(FAN_QUANTILES.len());
    for name in FAN_QUANTILES {
        quantiles.push(c.number(name)?);
    }
    let mut rows = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        let observed = match kind[i].as_deref() {
            Some("observed") => true,
            Some("projected") => false,
            other => {
                return Err(Error::input(
                    Place::cell(path, sheet_row(i), "kind"),
                    "`observed` or `projected`",
                    other.map_or("a null".to_string(), |k| format!("`{k}`")),
                ))
            }
        };
        let mut q = [None; 7];
        for (slot, column) in q.iter_mut().zip(&quantiles) {
            *slot = column[i];
        }
        rows.push(FanRow {
            scenario: c.required(scenario[i].clone(), i, "scenario")?,
            indicator_id: c.required(indicator_id[i].clone(), i, "indicator_id")?,
            year: c.required(year[i], i, "year")?,
            observed,
            quantiles: q,
        });
    }
    Ok(rows)
}

fn scorecard_rows(path: &Path, frame: &DataFrame) -> Result<Vec<ScorecardRow>> {
    let c = Columns { path, frame };
    let scenario = c.text("scenario")?;
    let group = c.text("group")?;
    let targets = c.integer("targets")?;
    let k = c.integer("k")?;
    let p_exactly = c.number("p_exactly")?;
    let mut rows = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        rows.push(ScorecardRow {
            scenario: c.required(scenario[i].clone(), i, "scenario")?,
            group: c.required(group[i].clone(), i, "group")?,
            targets: c.required(targets[i], i, "targets")?,
            k: c.required(k[i], i, "k")?,
            p_exactly: c.required(p_exactly[i], i, "p_exactly")?,
        });
    }
    Ok(rows)
}

/// Every scenario of the attainment table is one the manifest lists.
fn check_scenarios(out: &Path, manifest: &RunManifest, rows: &[AttainmentRow]) -> Result<()> {
    for (i, row) in rows.iter().enumerate() {
        if !manifest.scenarios.contains(&row.scenario) {
            return Err(Error::input(
                Place::cell(out.join("attainment.parquet"), sheet_row(i), "scenario"),
                format!(
                    "a scenario listed in `{}` ({})",
                    out.join("run.json").display(),
                    manifest.scenarios.join(", ")
                ),
                format!("`{}`", row.scenario),
            ));
        }
    }
    Ok(())
}
