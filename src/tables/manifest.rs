//! The manifest of a run: what it was, enough to reproduce it and to tell
//! runs apart (`run.json`, and the key-value metadata of every table).
//!
//! In: the run's settings, inputs and timing. Out: [`Manifest`] (a run) and
//! [`BacktestManifest`] (a backtest), written as JSON; [`sha256_file`] and
//! [`iso8601`] for their fields. A manifest of an earlier version reads with
//! the fields it lacks at their defaults.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Timing;
use crate::error::{Error, Result};
use crate::model::calendar::civil_from_days;

/// The key of the manifest in each Parquet file's metadata.
pub const MANIFEST_KEY: &str = "attain.run";

/// What a run was: enough to reproduce it and to tell runs apart. Fields
/// missing from the `run.json` of an earlier version read as their defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Manifest {
    /// Always `attain`.
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// Seed.
    pub seed: u64,
    /// Draws simulated.
    pub draws: u64,
    /// Draws asked for (`--draws`).
    pub draws_requested: u64,
    /// Worker threads.
    pub threads: usize,
    /// Draws per random-stream block.
    pub block_size: usize,
    /// `--precision`, if given.
    pub precision: Option<f64>,
    /// `--effort-from`, if given.
    pub effort_from: Option<i32>,
    /// `--only`, if given.
    pub only: Vec<String>,
    /// `--target-year`, if given.
    pub target_year: Option<i32>,
    /// Last projected year.
    pub horizon: i32,
    /// SHA-256 of every input file, by path.
    pub inputs: BTreeMap<String, String>,
    /// Scenarios, baseline first.
    pub scenarios: Vec<String>,
    /// What each scenario represents, in the order of `scenarios` (absent in
    /// runs of earlier versions).
    pub scenario_descriptions: Vec<ScenarioText>,
    /// Start time, UTC, ISO 8601.
    pub started_utc: String,
    /// Wall time up to writing, seconds.
    pub wall_seconds: f64,
    /// Where the time went, seconds (absent in runs of earlier versions).
    pub timing: Timing,
}

/// A scenario's name and description as its file gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioText {
    /// Name (the file stem).
    pub name: String,
    /// What it represents.
    pub description: String,
    /// Its Chinese name, if the file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Its Chinese description, if the file gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::Unreadable {
        place: crate::error::Place::file(path),
        what: "cannot read".into(),
        source: e.into(),
    })?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Seconds since the epoch as ISO 8601 UTC.
pub fn iso8601(epoch_seconds: u64) -> String {
    let days = (epoch_seconds / 86_400) as i64;
    let rem = epoch_seconds % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// What a backtest was: enough to reproduce it.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestManifest {
    /// Always `attain`.
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// Always `backtest`.
    pub command: String,
    /// The origins, `FROM..TO` inclusive.
    pub origins: String,
    /// SHA-256 of every input file, by path.
    pub inputs: BTreeMap<String, String>,
    /// Start time, UTC, ISO 8601.
    pub started_utc: String,
}

/// The current time as ISO 8601 UTC.
pub fn now_utc() -> String {
    iso8601(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_without_timing_still_reads() {
        // Runs written before `timing` existed are still read by `compare`.
        let json = r#"{"tool":"attain","version":"0.1.0","seed":1,"draws":10,
            "draws_requested":10,"threads":1,"block_size":4096,"precision":null,
            "horizon":2030,"inputs":{},"scenarios":["baseline"],
            "started_utc":"2026-11-25T00:00:00Z","wall_seconds":0.5}"#;
        let m: Manifest = serde_json::from_str(json).expect("an earlier manifest");
        assert_eq!(m.timing, Timing::default());
        assert_eq!(m.seed, 1);
    }

    #[test]
    fn timing_without_the_split_by_kind_still_reads() {
        // Runs written before `walks`, `counts` and `milestones` existed.
        let json = r#"{"load":0.1,"plan":0.0,"pilot":0.2,"blocks":3.0,"finish":0.0,
            "tables":0.0,"paths":1.5,"fans":0.5,"targets":1.0}"#;
        let t: Timing = serde_json::from_str(json).expect("an earlier timing");
        assert_eq!(t.paths, 1.5);
        assert_eq!((t.walks, t.counts, t.milestones), (0.0, 0.0, 0.0));
    }

    #[test]
    fn iso8601_formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
