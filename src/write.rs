//! Writing the output tables: Parquet through Polars, atomically.
//!
//! In: [`Tables`] and the run [`Manifest`]. Out: `attainment.parquet`,
//! `fan.parquet`, `scorecard.parquet`, `required.parquet` and `run.json` in the output folder.
//! Every file is first written under a temporary name in the same folder and
//! renamed into place only when all of them are written, so a failed run
//! leaves the previous outputs as they were. Each Parquet file carries the
//! manifest as key-value metadata under the key `attain.run`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::simulate::Timing;
use crate::summarize::Tables;

/// The key of the manifest in each Parquet file's metadata.
pub const MANIFEST_KEY: &str = "attain.run";

/// What a run was: enough to reproduce it and to tell runs apart.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    #[serde(default)]
    pub effort_from: Option<i32>,
    /// `--only`, if given.
    #[serde(default)]
    pub only: Vec<String>,
    /// `--target-year`, if given.
    #[serde(default)]
    pub target_year: Option<i32>,
    /// Last projected year.
    pub horizon: i32,
    /// SHA-256 of every input file, by path.
    pub inputs: BTreeMap<String, String>,
    /// Scenarios, baseline first.
    pub scenarios: Vec<String>,
    /// Start time, UTC, ISO 8601.
    pub started_utc: String,
    /// Wall time up to writing, seconds.
    pub wall_seconds: f64,
    /// Where the time went, seconds (absent in runs of earlier versions).
    #[serde(default)]
    pub timing: Timing,
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
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// A named column from values.
pub(crate) fn col<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Column::from(Series::new(name.into(), values))
}

const QUANTILE_NAMES: [&str; 7] = ["p05", "p10", "p25", "p50", "p75", "p90", "p95"];

/// The attainment table as a frame.
pub fn attainment_frame(tables: &Tables) -> PolarsResult<DataFrame> {
    let r = &tables.attainment;
    let s = |f: fn(&crate::summarize::AttainmentRow) -> &String| {
        r.iter().map(|x| f(x).clone()).collect::<Vec<_>>()
    };
    let o = |f: fn(&crate::summarize::AttainmentRow) -> Option<f64>| {
        r.iter().map(f).collect::<Vec<_>>()
    };
    let mut columns = vec![
        col("scenario", s(|x| &x.scenario)),
        col("target_id", s(|x| &x.target_id)),
        col("indicator_id", s(|x| &x.indicator_id)),
        col("group", s(|x| &x.group)),
        col("name_zh", s(|x| &x.name_zh)),
        col("name_en", s(|x| &x.name_en)),
        col("kind", s(|x| &x.kind)),
        col("comparator", s(|x| &x.comparator)),
        col(
            "target_value",
            r.iter().map(|x| x.target_value).collect::<Vec<_>>(),
        ),
        col(
            "target_year",
            r.iter().map(|x| x.target_year).collect::<Vec<_>>(),
        ),
        col("status", s(|x| &x.status)),
        col("p_attain", o(|x| x.p_attain)),
        col("p_attain_se", o(|x| x.p_attain_se)),
        col("p_low", o(|x| x.p_low)),
        col("p_high", o(|x| x.p_high)),
        col("delta_vs_baseline", o(|x| x.delta_vs_baseline)),
        col("delta_se", o(|x| x.delta_se)),
        col("value_mean", o(|x| x.value_mean)),
    ];
    for (q, name) in QUANTILE_NAMES.iter().enumerate() {
        columns.push(col(
            &format!("value_{name}"),
            r.iter().map(|x| x.value_quantiles[q]).collect::<Vec<_>>(),
        ));
    }
    columns.extend([
        col(
            "last_year",
            r.iter().map(|x| x.last_year).collect::<Vec<_>>(),
        ),
        col("last_value", o(|x| x.last_value)),
        col("n_obs", r.iter().map(|x| x.n_obs).collect::<Vec<_>>()),
        col(
            "provenance",
            r.iter().map(|x| x.provenance.clone()).collect::<Vec<_>>(),
        ),
        col("draws", r.iter().map(|x| x.draws).collect::<Vec<_>>()),
        col("seed", r.iter().map(|x| x.seed).collect::<Vec<_>>()),
        col("p_reached_by", o(|x| x.p_reached_by)),
        col(
            "first_year_p50",
            r.iter().map(|x| x.first_year_p50).collect::<Vec<_>>(),
        ),
        col(
            "likelihood",
            r.iter().map(|x| x.likelihood.clone()).collect::<Vec<_>>(),
        ),
        col(
            "likelihood_zh",
            r.iter()
                .map(|x| x.likelihood_zh.clone())
                .collect::<Vec<_>>(),
        ),
    ]);
    DataFrame::new(r.len(), columns)
}

/// The fan table as a frame.
pub fn fan_frame(tables: &Tables) -> PolarsResult<DataFrame> {
    let r = &tables.fan;
    let mut columns = vec![
        col(
            "scenario",
            r.iter().map(|x| x.scenario.clone()).collect::<Vec<_>>(),
        ),
        col(
            "indicator_id",
            r.iter().map(|x| x.indicator_id.clone()).collect::<Vec<_>>(),
        ),
        col("year", r.iter().map(|x| x.year).collect::<Vec<_>>()),
        col("kind", r.iter().map(|x| x.kind.clone()).collect::<Vec<_>>()),
        col("mean", r.iter().map(|x| x.mean).collect::<Vec<_>>()),
    ];
    for (q, name) in QUANTILE_NAMES.iter().enumerate() {
        columns.push(col(
            name,
            r.iter().map(|x| x.quantiles[q]).collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(r.len(), columns)
}

/// The scorecard table as a frame.
pub fn scorecard_frame(tables: &Tables) -> PolarsResult<DataFrame> {
    let r = &tables.scorecard;
    DataFrame::new(
        r.len(),
        vec![
            col(
                "scenario",
                r.iter().map(|x| x.scenario.clone()).collect::<Vec<_>>(),
            ),
            col(
                "group",
                r.iter().map(|x| x.group.clone()).collect::<Vec<_>>(),
            ),
            col("targets", r.iter().map(|x| x.targets).collect::<Vec<_>>()),
            col("k", r.iter().map(|x| x.k).collect::<Vec<_>>()),
            col(
                "p_exactly",
                r.iter().map(|x| x.p_exactly).collect::<Vec<_>>(),
            ),
            col(
                "p_at_least",
                r.iter().map(|x| x.p_at_least).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// The required-effort table as a frame.
pub fn required_frame(tables: &Tables) -> PolarsResult<DataFrame> {
    let r = &tables.required;
    let s = |f: fn(&crate::summarize::RequiredRow) -> &String| {
        r.iter().map(|x| f(x).clone()).collect::<Vec<_>>()
    };
    DataFrame::new(
        r.len(),
        vec![
            col("scenario", s(|x| &x.scenario)),
            col("target_id", s(|x| &x.target_id)),
            col("p_goal", r.iter().map(|x| x.p_goal).collect::<Vec<_>>()),
            col("status", s(|x| &x.status)),
            col(
                "extra_drift",
                r.iter().map(|x| x.extra_drift).collect::<Vec<_>>(),
            ),
            col(
                "extra_natural",
                r.iter().map(|x| x.extra_natural).collect::<Vec<_>>(),
            ),
            col(
                "effort_from",
                r.iter().map(|x| x.effort_from).collect::<Vec<_>>(),
            ),
            col("indicator_id", s(|x| &x.indicator_id)),
            col("p_attain", r.iter().map(|x| x.p_attain).collect::<Vec<_>>()),
            col("extra_natural_unit", s(|x| &x.extra_natural_unit)),
            col(
                "extra_growth_pct",
                r.iter().map(|x| x.extra_growth_pct).collect::<Vec<_>>(),
            ),
            col(
                "target_year",
                r.iter().map(|x| x.target_year).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// Files staged under temporary names, renamed into place together.
pub struct Staged {
    moves: Vec<(PathBuf, PathBuf)>,
    folders: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Nothing staged yet.
    pub fn new() -> Self {
        Staged {
            moves: Vec::new(),
            folders: Vec::new(),
        }
    }

    /// Stages a folder holding copies of `files` (name inside the folder,
    /// source); on commit it replaces `dir` as a whole.
    pub fn folder(&mut self, dir: &Path, files: &[(String, PathBuf)]) -> Result<()> {
        let temp = Self::temp_for(dir);
        let _ = std::fs::remove_dir_all(&temp);
        let result = (|| -> std::io::Result<()> {
            for (name, source) in files {
                let target = temp.join(name);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::copy(source, &target)?;
            }
            std::fs::create_dir_all(&temp)
        })();
        match result {
            Ok(()) => {
                self.folders.push((temp, dir.to_path_buf()));
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&temp);
                self.abandon();
                Err(Error::Write {
                    path: dir.to_path_buf(),
                    source: e.into(),
                })
            }
        }
    }

    fn temp_for(path: &Path) -> PathBuf {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
    }

    /// Writes a frame as Parquet under a temporary name.
    pub fn parquet(
        &mut self,
        path: &Path,
        frame: &mut DataFrame,
        manifest_json: &str,
    ) -> Result<()> {
        let temp = Self::temp_for(path);
        let result = write_parquet(&temp, frame, manifest_json);
        self.record(path, temp, result)
    }

    /// [`Staged::parquet`] for several frames at the same time, each on a
    /// thread of its own (small files: the time is mostly set-up and I/O).
    pub fn parquet_all(
        &mut self,
        files: &mut [(PathBuf, DataFrame)],
        manifest_json: &str,
    ) -> Result<()> {
        let written: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .iter_mut()
                .map(|(path, frame)| {
                    let temp = Self::temp_for(path);
                    scope.spawn(move || {
                        let result = write_parquet(&temp, frame, manifest_json);
                        (temp, result)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a Parquet writer thread panicked"))
                .collect()
        });
        let mut first_error = Ok(());
        for ((path, _), (temp, result)) in files.iter().zip(written) {
            if first_error.is_ok() {
                first_error = self.record(path, temp, result);
            } else {
                let _ = std::fs::remove_file(&temp);
            }
        }
        first_error
    }

    /// Writes text under a temporary name.
    pub fn text(&mut self, path: &Path, text: &str) -> Result<()> {
        let temp = Self::temp_for(path);
        let result = std::fs::write(&temp, text).map_err(Into::into);
        self.record(path, temp, result)
    }

    fn record(
        &mut self,
        path: &Path,
        temp: PathBuf,
        result: std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<()> {
        match result {
            Ok(()) => {
                self.moves.push((temp, path.to_path_buf()));
                Ok(())
            }
            Err(source) => {
                let _ = std::fs::remove_file(&temp);
                self.abandon();
                Err(Error::Write {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }

    /// Removes the staged files.
    pub fn abandon(&mut self) {
        for (temp, _) in self.moves.drain(..) {
            let _ = std::fs::remove_file(temp);
        }
        for (temp, _) in self.folders.drain(..) {
            let _ = std::fs::remove_dir_all(temp);
        }
    }

    /// Renames every staged file into place.
    pub fn commit(mut self) -> Result<()> {
        let moves = std::mem::take(&mut self.moves);
        for (temp, path) in &moves {
            std::fs::rename(temp, path).map_err(|e| Error::Write {
                path: path.clone(),
                source: e.into(),
            })?;
        }
        let folders = std::mem::take(&mut self.folders);
        for (temp, dir) in &folders {
            let old = dir.with_file_name(format!(
                ".{}.{}.old",
                dir.file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().to_string()),
                std::process::id()
            ));
            let had = dir.exists();
            let swap = (|| -> std::io::Result<()> {
                if had {
                    std::fs::rename(dir, &old)?;
                }
                std::fs::rename(temp, dir)
            })();
            swap.map_err(|e| Error::Write {
                path: dir.clone(),
                source: e.into(),
            })?;
            if had {
                let _ = std::fs::remove_dir_all(&old);
            }
        }
        Ok(())
    }
}

impl Default for Staged {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// Writes `frame` as zstd-compressed Parquet to `path`, with the manifest
/// as key-value metadata.
fn write_parquet(
    path: &Path,
    frame: &mut DataFrame,
    manifest_json: &str,
) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            MANIFEST_KEY.to_string(),
            manifest_json.to_string(),
        )])))
        .finish(frame)?;
    Ok(())
}

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
    fn files(&self) -> Vec<(String, PathBuf)> {
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
                files.push((rel, path.clone()));
            }
        }
        files
    }
}

/// Writes the four tables, `run.json` and the `inputs/` snapshot into `out`, atomically.
pub fn write_tables(
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
    let frame_error = |name: &str, e: PolarsError| Error::Write {
        path: out.join(name),
        source: e.into(),
    };
    let frames = [
        ("attainment.parquet", attainment_frame(tables)),
        ("fan.parquet", fan_frame(tables)),
        ("scorecard.parquet", scorecard_frame(tables)),
        ("required.parquet", required_frame(tables)),
    ];
    let mut files = Vec::with_capacity(frames.len());
    for (name, frame) in frames {
        files.push((out.join(name), frame.map_err(|e| frame_error(name, e))?));
    }
    let mut staged = Staged::new();
    staged.parquet_all(&mut files, &json)?;
    staged.text(&out.join("run.json"), &(json + "\n"))?;
    staged.folder(&out.join("inputs"), &snapshot.files())?;
    staged.commit()
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
    fn parquet_all_stages_every_frame_or_none() {
        let dir = std::env::temp_dir().join(format!("attain-parquet-all-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        let frame =
            |n: i64| DataFrame::new(n as usize, vec![col("n", (0..n).collect::<Vec<i64>>())]);
        let frame = |n| frame(n).expect("a frame");
        // The second file's folder does not exist: the error names that
        // file, and the first file's temporary is removed too.
        let mut files = vec![
            (dir.join("one.parquet"), frame(2)),
            (dir.join("missing").join("two.parquet"), frame(3)),
        ];
        let mut staged = Staged::new();
        let error = staged
            .parquet_all(&mut files, "{}")
            .expect_err("a missing folder");
        assert!(error.to_string().contains("two.parquet"), "{error}");
        drop(staged);
        assert_eq!(std::fs::read_dir(&dir).expect("the folder").count(), 0);
        // Both in place: each file holds its own frame after the commit.
        let mut files = vec![
            (dir.join("one.parquet"), frame(2)),
            (dir.join("two.parquet"), frame(3)),
        ];
        let mut staged = Staged::new();
        staged.parquet_all(&mut files, "{}").expect("written");
        staged.commit().expect("committed");
        for (path, frame) in &files {
            let file = std::fs::File::open(path).expect("a table");
            let read = ParquetReader::new(file).finish().expect("Parquet");
            assert!(read.equals(frame), "{}", path.display());
        }
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("the folder")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporaries left: {names:?}");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }

    #[test]
    fn iso8601_formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
