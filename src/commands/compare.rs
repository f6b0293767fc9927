//! Year on year: what moved between two runs, and why.
//!
//! In: two output folders of `attain run`. Out: `compare.parquet` (one row
//! per scenario and target) and a printed list of the largest movements.
//!
//! The change of each P(attain) is split in two by a counterfactual run: the
//! old run's scenarios (from its `inputs/scenarios/` snapshot) on the new
//! run's data (its `inputs/data/`), with the old run's seed, draws and
//! restrictions. Then
//!
//! - `from_data` = P(old scenarios, new data) − P(old run): new or revised
//!   figures, catalog and target edits;
//! - `from_scenarios` = P(new run) − P(old scenarios, new data): scenario edits
//!   (and a change of seed or draws, if any).
//!
//! When the runs' settings differ (seed, draws, `--precision`,
//! `--target-year`, `--only`, `--effort-from`, the version of attain), a
//! third part, `from_settings`, takes what the settings moved, never the
//! scenarios: with the same version and the same scenario files it is
//! P(new run) − P(old scenarios, new data) and `from_scenarios` is 0; with
//! a different version the counterfactual (made by this version) cannot
//! stand for the old run, so the whole change is the settings' when the
//! data and scenarios are the same; otherwise the parts are not separated
//! (null) and the summary says why. A warning is printed when OLD was made
//! after NEW.
//!
//! The parts add up to the change. Streams are keyed by (seed, indicator,
//! block), so `from_data` compares runs on common random numbers and carries
//! little Monte Carlo noise. When the counterfactual cannot be made (a
//! snapshot is missing, or the old scenarios name indicators the new catalog
//! no longer has) both parts are null and the reason is printed.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::CompareConfig;
use crate::commands::run::project;
use crate::commands::words::{pad, pad_left, Lang, Say};
use crate::engine::Settings;
use crate::error::{Error, Result};
use crate::input::{load_inputs, restrict};
use crate::model::Named;
use crate::plan::Status;
use crate::tables::attainment::AttainmentRow;
use crate::tables::compare::{CompareRow, Note, Setting};
use crate::tables::manifest::Manifest;
use crate::tables::schema::Table;
use crate::tables::stage::Staged;
use crate::tables::{build, read_manifest, read_table, COMPARE_TABLE};

/// What `compare` found.
#[derive(Debug, Clone)]
pub struct CompareReport {
    /// The rows, in the later run's order, then rows only the earlier one had.
    pub rows: Vec<CompareRow>,
    /// The earlier run's manifest.
    pub old: Manifest,
    /// The later run's manifest.
    pub new: Manifest,
    /// Why the change could not be split, if it could not.
    pub unsplit: Option<String>,
    /// The settings in which the runs differ.
    pub settings: Vec<SettingChange>,
    /// Whether the earlier run (OLD) was made after the later one (NEW).
    pub old_is_newer: bool,
    /// Where the table went.
    pub written: PathBuf,
}

/// A setting in which two runs differ: its old and new value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    /// Which setting.
    pub setting: Setting,
    /// Its value in the earlier run.
    pub old: String,
    /// Its value in the later run.
    pub new: String,
}

/// The settings in which two runs differ, in [`Setting`] order.
pub fn setting_changes(old: &Manifest, new: &Manifest) -> Vec<SettingChange> {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "none".into());
    let value = |m: &Manifest, s: Setting| match s {
        Setting::Version => m.version.clone(),
        Setting::Seed => m.seed.to_string(),
        // With --precision the draws follow the data; the precision is the setting.
        Setting::Draws if m.precision.is_some() => m.draws_requested.to_string(),
        Setting::Draws => m.draws.to_string(),
        Setting::Precision => opt(m.precision.map(|e| e.to_string())),
        Setting::TargetYear => m
            .target_year
            .map_or_else(|| "each target's own".into(), |y| y.to_string()),
        Setting::Only if m.only.is_empty() => "all targets".into(),
        Setting::Only => m.only.join(","),
        Setting::EffortFrom => opt(m.effort_from.map(|y| y.to_string())),
    };
    Setting::ALL
        .iter()
        .map(|&setting| SettingChange {
            setting,
            old: value(old, setting),
            new: value(new, setting),
        })
        .filter(|c| c.old != c.new)
        .collect()
}

/// Whether two folders hold the same files with the same bytes (false when
/// either cannot be read).
fn same_files(a: &Path, b: &Path) -> bool {
    let list = |dir: &Path| -> Option<Vec<(std::ffi::OsString, Vec<u8>)>> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            files.push((entry.file_name(), std::fs::read(entry.path()).ok()?));
        }
        files.sort();
        Some(files)
    };
    matches!((list(a), list(b)), (Some(x), Some(y)) if x == y)
}

/// The columns of a run's attainment table that compare reads.
struct RunRow {
    scenario: String,
    target_id: String,
    p: Option<f64>,
    se: Option<f64>,
    status: Status,
}

fn read_attainment(dir: &Path) -> Result<Vec<RunRow>> {
    let (rows, _) = read_table::<AttainmentRow>(dir, "attainment.parquet")?;
    Ok(rows
        .into_iter()
        .map(|r| RunRow {
            scenario: r.scenario,
            target_id: r.target_id,
            p: r.p_attain,
            se: r.p_attain_se,
            status: r.status,
        })
        .collect())
}

/// P(attain) of the old scenarios on the new data, by (scenario, target).
type Counterfactual = HashMap<(String, String), Option<f64>>;

fn counterfactual(
    old: &Path,
    new: &Path,
    manifest: &Manifest,
    threads: usize,
) -> std::result::Result<Counterfactual, String> {
    let scenarios = old.join("inputs").join("scenarios");
    let data = new.join("inputs").join("data");
    for (dir, run) in [(&scenarios, old), (&data, new)] {
        if !dir.is_dir() {
            return Err(format!(
                "{} has no {} snapshot (runs made before snapshots were kept lack it); rerun it to split the change",
                run.display(),
                dir.strip_prefix(run).unwrap_or(dir).display()
            ));
        }
    }
    let explain = |e: Error| format!("the old scenarios do not run on the new data: {e}");
    let mut inputs = load_inputs(&data, &[scenarios]).map_err(explain)?;
    restrict(&mut inputs.catalog, &manifest.only, manifest.target_year).map_err(explain)?;
    let horizon = inputs
        .catalog
        .targets
        .iter()
        .map(|t| t.target_year)
        .max()
        .ok_or("no targets left in the new data")?;
    let settings = Settings {
        draws: manifest.draws,
        seed: manifest.seed,
        threads,
    };
    let (plan, outcome) = project(
        &inputs.catalog,
        &inputs.scenarios,
        horizon,
        None,
        &settings,
        None,
        &|_| {},
    )
    .map_err(explain)?;
    let t = build(&inputs.catalog, &plan, &outcome, manifest.seed);
    Ok(t.attainment
        .into_iter()
        .map(|r| ((r.scenario, r.target_id), r.p_attain))
        .collect())
}

/// Compares two runs and writes `compare.parquet`.
pub fn compare(config: &CompareConfig) -> Result<CompareReport> {
    let old_manifest = read_manifest(&config.old)?;
    let new_manifest = read_manifest(&config.new)?;
    let old_rows = read_attainment(&config.old)?;
    let new_rows = read_attainment(&config.new)?;
    let settings = setting_changes(&old_manifest, &new_manifest);
    let snapshot = |run: &Path, folder: &str| run.join("inputs").join(folder);
    let same_scenarios = same_files(
        &snapshot(&config.old, "scenarios"),
        &snapshot(&config.new, "scenarios"),
    );
    let same_data = same_files(
        &snapshot(&config.old, "data"),
        &snapshot(&config.new, "data"),
    );
    let new_version = settings.iter().any(|c| c.setting == Setting::Version);
    let snapshots = ["data", "scenarios"]
        .iter()
        .all(|f| snapshot(&config.old, f).is_dir() && snapshot(&config.new, f).is_dir());
    let (attribution, unsplit) = if settings.is_empty() {
        (Attribution::DataAndScenarios, None)
    } else if !snapshots {
        (
            Attribution::Unsplit,
            Some("the runs' settings differ and a run has no `inputs/` snapshot to tell whether its inputs changed too".to_string()),
        )
    } else if same_data && same_scenarios {
        (Attribution::AllToSettings, None)
    } else if new_version {
        (
            Attribution::Unsplit,
            Some("the runs were made by different versions of attain and their inputs differ too: the model's change cannot be told from the inputs'".to_string()),
        )
    } else if same_scenarios {
        (Attribution::DataAndSettings, None)
    } else {
        (
            Attribution::Unsplit,
            Some("both the settings and the scenarios changed: their parts are not separated (rerun with the old settings to split them)".to_string()),
        )
    };
    let (cf, unsplit) = match attribution {
        Attribution::DataAndScenarios | Attribution::DataAndSettings => {
            match counterfactual(&config.old, &config.new, &old_manifest, config.threads) {
                Ok(cf) => (Some(cf), unsplit),
                Err(reason) => (None, Some(reason)),
            }
        }
        Attribution::AllToSettings | Attribution::Unsplit => (None, unsplit),
    };
    let attribution = match (&cf, attribution) {
        (None, Attribution::DataAndScenarios | Attribution::DataAndSettings) => {
            Attribution::Unsplit
        }
        (_, a) => a,
    };
    let old_is_newer = old_manifest.started_utc > new_manifest.started_utc;
    let mut old_by_key: BTreeMap<(String, String), &RunRow> = old_rows
        .iter()
        .map(|r| ((r.scenario.clone(), r.target_id.clone()), r))
        .collect();
    let sub = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
    let mut rows = Vec::with_capacity(new_rows.len());
    for r in &new_rows {
        let key = (r.scenario.clone(), r.target_id.clone());
        let before = old_by_key.remove(&key);
        let p_old = before.and_then(|b| b.p);
        let mid = cf.as_ref().and_then(|cf| cf.get(&key).copied().flatten());
        let change = sub(r.p, p_old);
        let (from_data, from_scenarios, from_settings) = match attribution {
            _ if before.is_none() => (None, None, None),
            Attribution::AllToSettings => (Some(0.0), Some(0.0), change),
            Attribution::Unsplit => (None, None, None),
            _ if mid.is_none() => (None, None, None),
            Attribution::DataAndScenarios => (sub(mid, p_old), sub(r.p, mid), Some(0.0)),
            Attribution::DataAndSettings => (sub(mid, p_old), Some(0.0), sub(r.p, mid)),
        };
        rows.push(CompareRow {
            scenario: r.scenario.clone(),
            target_id: r.target_id.clone(),
            p_old,
            p_new: r.p,
            change,
            change_se: before
                .and_then(|b| b.se)
                .zip(r.se)
                .map(|(a, b)| (a * a + b * b).sqrt()),
            from_data,
            from_scenarios,
            from_settings,
            status_old: before.map(|b| b.status),
            status_new: Some(r.status),
            note: if before.is_some() {
                Note::Both
            } else {
                Note::New
            },
        });
    }
    for r in old_rows
        .iter()
        .filter(|r| old_by_key.contains_key(&(r.scenario.clone(), r.target_id.clone())))
    {
        rows.push(CompareRow {
            scenario: r.scenario.clone(),
            target_id: r.target_id.clone(),
            p_old: r.p,
            p_new: None,
            change: None,
            change_se: None,
            from_data: None,
            from_scenarios: None,
            from_settings: None,
            status_old: Some(r.status),
            status_new: None,
            note: Note::Dropped,
        });
    }
    let written = config.out.join(COMPARE_TABLE);
    write_compare(&config.out, &written, &rows, &new_manifest)?;
    Ok(CompareReport {
        rows,
        old: old_manifest,
        new: new_manifest,
        unsplit,
        settings,
        old_is_newer,
        written,
    })
}

/// How the change of each probability is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribution {
    /// Same settings: data and scenarios, by the counterfactual.
    DataAndScenarios,
    /// Same scenarios, other settings (same version): data by the
    /// counterfactual, the rest to the settings.
    DataAndSettings,
    /// Same data and scenarios: all of it is the settings'.
    AllToSettings,
    /// Not split.
    Unsplit,
}

/// Writes `compare.parquet` with the later run's manifest as its metadata
/// (so that `report` on that run's folder knows the table is its own).
fn write_compare(out: &Path, path: &Path, rows: &[CompareRow], new: &Manifest) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e.into(),
    })?;
    let mut frame = CompareRow::to_frame(rows).map_err(|e| Error::Write {
        path: path.to_path_buf(),
        source: e.into(),
    })?;
    let mut staged = Staged::new();
    let json = serde_json::to_string_pretty(new).map_err(|e| Error::Other(e.to_string()))?;
    staged.parquet(path, &mut frame, &json)?;
    staged.commit()
}

/// The printed comparison: the largest movements first, on one screen.
pub fn summary(report: &CompareReport, lang: Lang) -> String {
    let mut out = String::new();
    let run = |m: &Manifest| {
        lang.fill(
            Say::RunLine,
            &[&m.started_utc, &m.seed, &m.draws, &m.version],
        )
    };
    let _ = writeln!(out, "{}", lang.fill(Say::OldRun, &[&run(&report.old)]));
    let _ = writeln!(out, "{}", lang.fill(Say::NewRun, &[&run(&report.new)]));
    if report.old_is_newer {
        let warning = lang.fill(
            Say::OldIsNewer,
            &[&report.old.started_utc, &report.new.started_utc],
        );
        let _ = writeln!(out, "{}", lang.fill(Say::Warning, &[&warning]));
    }
    if !report.settings.is_empty() {
        let changes: Vec<String> = report
            .settings
            .iter()
            .map(|c| format!("{} {} → {}", c.setting.name(), c.old, c.new))
            .collect();
        let warning = lang.fill(Say::SettingsDiffer, &[&changes.join(", ")]);
        let _ = writeln!(out, "{}", lang.fill(Say::Warning, &[&warning]));
    }
    let compared = report.rows.iter().filter(|r| r.change.is_some()).count();
    let mut moved: Vec<&CompareRow> = report
        .rows
        .iter()
        .filter(|r| r.change.is_some_and(|c| c != 0.0))
        .collect();
    moved.sort_by(|a, b| {
        let key = |r: &CompareRow| r.change.unwrap_or(0.0).abs();
        key(b).total_cmp(&key(a))
    });
    let pct = |v: Option<f64>| v.map_or("     –".to_string(), |v| format!("{v:>+6.3}"));
    let _ = writeln!(
        out,
        "{}\n  {} {} {} {} {} {} {}",
        lang.say(Say::LargestChanges),
        pad(lang.say(Say::ScenarioTarget), 48),
        pad_left(lang.say(Say::Old), 5),
        pad_left(lang.say(Say::New), 5),
        pad_left(lang.say(Say::Change), 6),
        pad_left(lang.say(Say::FromData), 6),
        pad_left(lang.say(Say::FromScenarios), 6),
        pad_left(lang.say(Say::FromSettings), 6),
    );
    for r in moved.iter().take(12) {
        let label = format!("{} / {}", r.scenario, r.target_id);
        let label: String = label.chars().take(48).collect();
        let _ = writeln!(
            out,
            "  {label:<48} {:>5.2} {:>5.2} {} {} {} {}",
            r.p_old.unwrap_or(f64::NAN),
            r.p_new.unwrap_or(f64::NAN),
            pct(r.change),
            pct(r.from_data),
            pct(r.from_scenarios),
            pct(r.from_settings)
        );
    }
    let significant = moved
        .iter()
        .filter(|r| {
            r.change
                .zip(r.change_se)
                .is_some_and(|(c, se)| c.abs() > 2.0 * se)
        })
        .count();
    let _ = writeln!(
        out,
        "{}",
        lang.fill(Say::ChangedCount, &[&moved.len(), &compared, &significant])
    );
    let new: Vec<_> = report.rows.iter().filter(|r| r.note == Note::New).collect();
    let dropped: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.note == Note::Dropped)
        .collect();
    if !new.is_empty() || !dropped.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.fill(Say::NewDropped, &[&new.len(), &dropped.len()])
        );
    }
    match &report.unsplit {
        Some(reason) => {
            let _ = writeln!(out, "{}", lang.fill(Say::NotSplit, &[reason]));
        }
        None => {
            let _ = writeln!(out, "{}", lang.say(Say::SplitLegend));
        }
    }
    let _ = writeln!(
        out,
        "{}",
        lang.fill(Say::TableWritten, &[&report.written.display()])
    );
    out
}

/// Compares the two runs and returns what the terminal shows.
pub fn execute(config: &CompareConfig) -> Result<String> {
    compare(config).map(|report| summary(&report, config.lang))
}
