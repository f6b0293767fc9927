//! The output tables: one schema per table, built from the engine's
//! outcome, written atomically as Parquet, and read back.
//!
//! In: the catalog, the plan and the [`Outcome`]. Out: [`Tables`], written by
//! [`write_run`] with `run.json` and a copy of the inputs; [`read_run`] reads
//! a run back for `report` and `compare`. Every table is declared once
//! ([`schema`]): its row struct, whose fields are its columns, is what the
//! writer, the readers and the tests use.
//!
//! - [`attainment`], [`fan`], [`scorecard`], [`required`], [`sensitivity`]:
//!   a run's tables;
//! - [`compare`]: `compare.parquet`; [`backtest`]: the backtest's three;
//! - [`manifest`]: `run.json` and the tables' metadata;
//! - [`stage`]: the one atomic writer; [`csv`]: spreadsheet copies.

pub mod attainment;
pub mod backtest;
pub mod compare;
pub mod csv;
pub mod fan;
pub mod manifest;
pub mod required;
pub mod schema;
pub mod scorecard;
pub mod sensitivity;
pub mod stage;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::engine::Outcome;
use crate::error::{Error, Place, Result};
use crate::input::catalog::Catalog;
use crate::input::table::sheet_row;
use crate::plan::Plan;
use attainment::AttainmentRow;
use fan::FanRow;
use manifest::Manifest;
use required::RequiredRow;
use schema::Table;
use scorecard::ScorecardRow;
use sensitivity::SensitivityRow;
use stage::{Content, Staged};

/// The tables of a run.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// attainment.parquet.
    pub attainment: Vec<AttainmentRow>,
    /// fan.parquet.
    pub fan: Vec<FanRow>,
    /// scorecard.parquet.
    pub scorecard: Vec<ScorecardRow>,
    /// required.parquet.
    pub required: Vec<RequiredRow>,
    /// sensitivity.parquet.
    pub sensitivity: Vec<SensitivityRow>,
}

/// Builds the tables of a run.
pub fn build(catalog: &Catalog, plan: &Plan, outcome: &Outcome, seed: u64) -> Tables {
    Tables {
        attainment: attainment::rows(catalog, plan, outcome, seed),
        fan: fan::rows(catalog, plan, outcome),
        scorecard: scorecard::rows(plan, outcome),
        required: required::rows(catalog, plan, outcome),
        sensitivity: sensitivity::rows(catalog, plan, outcome),
    }
}

/// The file names of a run's tables, in the order they are written.
pub const RUN_TABLES: [&str; 5] = [
    "attainment.parquet",
    "fan.parquet",
    "scorecard.parquet",
    "required.parquet",
    "sensitivity.parquet",
];

/// The input files a run read, copied into `inputs/` of its output so the
/// run can be reproduced and compared with later ones (`attain compare`).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Catalog files (indicators, targets, history).
    pub data: Vec<PathBuf>,
    /// Scenario files.
    pub scenarios: Vec<PathBuf>,
}

impl Snapshot {
    fn files(&self) -> Vec<(PathBuf, Content)> {
        let mut files = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (folder, paths) in [("data", &self.data), ("scenarios", &self.scenarios)] {
            for path in paths.iter() {
                let name = path
                    .file_name()
                    .map_or_else(|| "file".into(), |n| n.to_string_lossy().to_string());
                let mut rel = format!("{folder}/{name}");
                let mut k = 1;
                while !seen.insert(rel.clone()) {
                    k += 1;
                    rel = format!("{folder}/{k}-{name}");
                }
                files.push((PathBuf::from(rel), Content::Copy(path.clone())));
            }
        }
        files
    }
}

/// Writes the run's tables, `run.json` and the `inputs/` snapshot into `out`, atomically.
pub fn write_run(
    out: &Path,
    tables: &Tables,
    manifest: &Manifest,
    snapshot: &Snapshot,
) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e.into(),
    })?;
    let json = serde_json::to_string_pretty(manifest).map_err(|e| Error::Other(e.to_string()))?;
    let frames = [
        AttainmentRow::to_frame(&tables.attainment),
        FanRow::to_frame(&tables.fan),
        ScorecardRow::to_frame(&tables.scorecard),
        RequiredRow::to_frame(&tables.required),
        SensitivityRow::to_frame(&tables.sensitivity),
    ];
    let mut files = Vec::with_capacity(frames.len());
    for (name, frame) in RUN_TABLES.into_iter().zip(frames) {
        let frame = frame.map_err(|e| Error::Write {
            path: out.join(name),
            source: e.into(),
        })?;
        files.push((out.join(name), frame));
    }
    let mut staged = Staged::new();
    staged.parquet_all(&mut files, &json)?;
    staged.text(&out.join("run.json"), &(json + "\n"))?;
    staged.folder(&out.join("inputs"), &snapshot.files())?;
    // `compare.parquet` compared the run this one replaces: it no longer
    // describes the folder. (Backtest tables describe the data, not the
    // run: `report` keeps them only when they read the run's data.)
    staged.remove_on_commit(&out.join(COMPARE_TABLE));
    staged.commit()
}

/// The file name of `compare`'s table.
pub const COMPARE_TABLE: &str = "compare.parquet";

/// The manifest JSON a Parquet table carries as key-value metadata (None
/// when it carries none or cannot be read).
pub fn table_manifest(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = ParquetReader::new(file);
    let metadata = reader.get_metadata().ok()?;
    let kv = metadata.key_value_metadata().as_ref()?;
    kv.iter()
        .find(|k| k.key == manifest::MANIFEST_KEY)
        .and_then(|k| k.value.clone())
}

/// Whether a table of another command in a run's folder belongs with the
/// run: `compare.parquet` carries the manifest of the run it was written
/// into (the same manifest as `run.json`, wall time and timing included);
/// a backtest table carries the inputs it read, which must all be among the
/// run's.
pub fn belongs_to_run(path: &Path, run: &Manifest) -> bool {
    let Some(json) = table_manifest(path) else {
        return false;
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) else {
        return false;
    };
    let inputs: Vec<&str> = value
        .get("inputs")
        .and_then(|i| i.as_object())
        .map(|i| i.values().filter_map(|h| h.as_str()).collect())
        .unwrap_or_default();
    let run_hashes: Vec<&str> = run.inputs.values().map(String::as_str).collect();
    let among_run = !inputs.is_empty() && inputs.iter().all(|h| run_hashes.contains(h));
    if value.get("command").and_then(|c| c.as_str()) == Some("backtest") {
        return among_run;
    }
    // The same run: the whole manifest (start, wall time, timing, inputs) as `run.json` has it.
    let Ok(same) = serde_json::from_value::<Manifest>(value) else {
        return false;
    };
    among_run && serde_json::to_value(&same).ok() == serde_json::to_value(run).ok()
}

/// A run read back from its output folder.
#[derive(Debug)]
pub struct Run {
    /// `run.json`.
    pub manifest: Manifest,
    /// `attainment.parquet`.
    pub attainment: Vec<AttainmentRow>,
    /// `fan.parquet`.
    pub fan: Vec<FanRow>,
    /// `scorecard.parquet`.
    pub scorecard: Vec<ScorecardRow>,
    /// `sensitivity.parquet` (no rows for a run of an earlier version,
    /// which did not write it).
    pub sensitivity: Vec<SensitivityRow>,
    /// Every `*.parquet` table of the folder that belongs to the run, by
    /// file name, sorted (for the spreadsheet copies).
    pub frames: Vec<(String, DataFrame)>,
    /// Tables of other commands in the folder that belong to another run
    /// ([`belongs_to_run`]), left out.
    pub left_out: Vec<String>,
}

/// An input error for a file of a run that is missing.
fn missing(path: &Path, what: &str) -> Error {
    Error::input(
        Place::file(path),
        format!("{what}, as `attain run` writes it (run `attain run --out DIR` first)"),
        "no such file",
    )
}

/// Reads the manifest of the run in `out`.
pub fn read_manifest(out: &Path) -> Result<Manifest> {
    let path = out.join("run.json");
    if !path.is_file() {
        return Err(missing(&path, "the run manifest `run.json`"));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Unreadable {
        place: Place::file(&path),
        what: "cannot read".into(),
        source: e.into(),
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Place::file(&path),
            "the JSON manifest of a run (version, seed, draws, scenarios, …)",
            format!("{e}"),
        )
    })
}

/// Reads a Parquet table.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
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

/// Reads one table of a run: its rows, and its frame.
pub fn read_table<T: Table>(out: &Path, name: &str) -> Result<(Vec<T>, DataFrame)> {
    let path = out.join(name);
    let frame = read_parquet(&path)?;
    Ok((T::from_frame(&path, &frame)?, frame))
}

/// Reads the run in `out`: its manifest, its attainment, fan, scorecard
/// and sensitivity rows, and every Parquet table of the folder as a frame. A missing file,
/// a missing column, a column of the wrong type, a null where a value is
/// required, a probability outside [0, 1] or a scenario the manifest does
/// not list is an input error naming the file, the row and the column.
pub fn read_run(out: &Path) -> Result<Run> {
    let manifest = read_manifest(out)?;
    let (attainment, attainment_frame) = read_table::<AttainmentRow>(out, "attainment.parquet")?;
    let (fan, fan_frame) = read_table::<FanRow>(out, "fan.parquet")?;
    let (scorecard, scorecard_frame) = read_table::<ScorecardRow>(out, "scorecard.parquet")?;
    let path = out.join("attainment.parquet");
    if attainment.is_empty() {
        return Err(Error::input(
            Place::file(&path),
            "one row per scenario and target",
            "no rows",
        ));
    }
    for (i, row) in attainment.iter().enumerate() {
        if let Some(p) = row.p_attain.filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(Error::input(
                Place::cell(&path, sheet_row(i), "p_attain"),
                "a probability from 0 to 1",
                format!("{p}"),
            ));
        }
        if !manifest.scenarios.contains(&row.scenario) {
            return Err(Error::input(
                Place::cell(&path, sheet_row(i), "scenario"),
                format!(
                    "a scenario listed in `{}` ({})",
                    out.join("run.json").display(),
                    manifest.scenarios.join(", ")
                ),
                format!("`{}`", row.scenario),
            ));
        }
    }
    let mut frames = vec![
        ("attainment.parquet".to_string(), attainment_frame),
        ("fan.parquet".to_string(), fan_frame),
        ("scorecard.parquet".to_string(), scorecard_frame),
    ];
    let mut sensitivity = Vec::new();
    if out.join("sensitivity.parquet").is_file() {
        let (rows, frame) = read_table::<SensitivityRow>(out, "sensitivity.parquet")?;
        sensitivity = rows;
        frames.push(("sensitivity.parquet".to_string(), frame));
    }
    let mut left_out = Vec::new();
    for path in other_tables(out)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let own = RUN_TABLES.contains(&name.as_str());
        if !own && !belongs_to_run(&path, &manifest) {
            left_out.push(name);
            continue;
        }
        frames.push((name, read_parquet(&path)?));
    }
    frames.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Run {
        manifest,
        attainment,
        fan,
        scorecard,
        sensitivity,
        frames,
        left_out,
    })
}

/// The `*.parquet` files of `out` other than those [`read_run`] reads as rows.
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
        let drawn = [
            "attainment.parquet",
            "fan.parquet",
            "scorecard.parquet",
            "sensitivity.parquet",
        ];
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
