//! The jobs behind the commands: `run` and `check`.
//!
//! In: a validated config. Out: for `run`, the tables written and a
//! [`RunReport`] for the terminal; for `check`, an [`Inventory`]. All input
//! errors are found before the first draw.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::catalog::{load_catalog, Catalog, TargetKind};
use crate::cli::{CheckConfig, RunConfig};
use crate::error::{Error, Result};
use crate::plan::{compile, Plan};
use crate::progress::Progress;
use crate::scenario::{load_scenarios, Scenario};
use crate::simulate::{simulate, Outcome, Settings};
use crate::summarize::{tables, Tables};
use crate::write::{iso8601, sha256_file, write_tables, Manifest, Snapshot};

/// Inputs loaded and validated.
pub struct Inputs {
    /// The catalog.
    pub catalog: Catalog,
    /// The scenarios, baseline first.
    pub scenarios: Vec<Scenario>,
}

/// Loads and validates the data and scenarios.
pub fn load_inputs(data: &Path, scenarios: &[std::path::PathBuf]) -> Result<Inputs> {
    let catalog = load_catalog(data)?;
    let scenarios = load_scenarios(scenarios, &catalog)?;
    Ok(Inputs { catalog, scenarios })
}

/// Applies `--only` and `--target-year` to the catalog.
pub fn restrict(catalog: &mut Catalog, only: &[String], target_year: Option<i32>) -> Result<()> {
    if !only.is_empty() {
        for id in only {
            let known = catalog.targets.iter().any(|t| &t.id == id)
                || catalog.indicators.iter().any(|i| &i.id == id);
            if !known {
                return Err(Error::Argument {
                    flag: "--only".into(),
                    expected: "target or indicator ids of the catalog".into(),
                    found: format!("`{id}`"),
                });
            }
        }
        let indicators = &catalog.indicators;
        catalog
            .targets
            .retain(|t| only.contains(&t.id) || only.contains(&indicators[t.indicator].id));
    }
    if let Some(year) = target_year {
        for t in &mut catalog.targets {
            let last = catalog.history[t.indicator].last().map(|o| o.year);
            let bad = |what: String| Error::Argument {
                flag: "--target-year".into(),
                expected: what,
                found: year.to_string(),
            };
            if last.is_some_and(|l| year < l) {
                return Err(bad(format!(
                    "a year not before the last observation of `{}`",
                    t.id
                )));
            }
            match t.kind {
                TargetKind::Increase { base_year } if base_year >= year => {
                    return Err(bad(format!(
                        "a year after the base year {base_year} of `{}`",
                        t.id
                    )))
                }
                TargetKind::EveryYear { from_year } | TargetKind::Cumulative { from_year }
                    if from_year > year =>
                {
                    return Err(bad(format!(
                        "a year not before the first year {from_year} of `{}`",
                        t.id
                    )))
                }
                _ => {}
            }
            t.target_year = year;
        }
    }
    Ok(())
}

/// Compiles the plan and simulates it on a pool of `settings.threads` threads.
pub fn project(
    catalog: &Catalog,
    scenarios: &[Scenario],
    horizon: i32,
    effort_from: Option<i32>,
    settings: &Settings,
    precision: Option<(f64, u64)>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Plan, Outcome)> {
    let started = Instant::now();
    let plan = compile(catalog, scenarios, horizon, effort_from);
    let compiled = started.elapsed().as_secs_f64();
    let transforms: Vec<_> = catalog.indicators.iter().map(|i| i.transform).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {} threads: {e}", settings.threads)))?;
    let mut outcome = pool.install(|| simulate(&plan, &transforms, settings, precision, progress));
    outcome.timing.plan = compiled;
    Ok((plan, outcome))
}

/// What a finished run tells the terminal.
pub struct RunReport {
    /// The tables written.
    pub tables: Tables,
    /// The plan.
    pub plan: Plan,
    /// The manifest written.
    pub manifest: Manifest,
    /// Scenario descriptions, by name.
    pub descriptions: Vec<(String, String)>,
    /// Warnings about the inputs.
    pub warnings: Vec<String>,
    /// Targets resting on illustrative history.
    pub illustrative: Vec<String>,
    /// Where the tables went.
    pub out: std::path::PathBuf,
}

/// Runs the whole job.
pub fn run(config: &RunConfig) -> Result<RunReport> {
    let started = Instant::now();
    let started_utc = iso8601(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    let Inputs {
        mut catalog,
        scenarios,
    } = load_inputs(&config.data, &config.scenarios)?;
    restrict(&mut catalog, &config.only, config.target_year)?;
    let loaded = started.elapsed().as_secs_f64();
    let horizon = catalog
        .targets
        .iter()
        .map(|t| t.target_year)
        .max()
        .ok_or_else(|| Error::Argument {
            flag: "--only".into(),
            expected: "at least one target".into(),
            found: "none left".into(),
        })?;
    if let Some(year) = config.effort_from {
        if let Some(t) = catalog.targets.iter().find(|t| t.target_year < year) {
            return Err(Error::Argument {
                flag: "--effort-from".into(),
                expected: format!(
                    "a year not after any target year (`{}` is for {})",
                    t.id, t.target_year
                ),
                found: year.to_string(),
            });
        }
    }
    let settings = Settings {
        draws: config.draws,
        seed: config.seed,
        threads: config.threads,
    };
    let progress = Progress::draws(config.progress, config.draws);
    let (plan, mut outcome) = project(
        &catalog,
        &scenarios,
        horizon,
        config.effort_from,
        &settings,
        config.precision,
        &|n| progress.advance(n),
    )?;
    progress.finish();
    let tabled = Instant::now();
    let tables = tables(&catalog, &plan, &outcome, config.seed);
    outcome.timing.load = loaded;
    outcome.timing.tables = tabled.elapsed().as_secs_f64();
    let mut inputs = BTreeMap::new();
    let scenario_files: Vec<_> = scenarios.iter().map(|s| s.file.clone()).collect();
    for file in catalog.files.iter().chain(&scenario_files) {
        inputs.insert(file.display().to_string(), sha256_file(file)?);
    }
    let manifest = Manifest {
        tool: "attain".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        seed: config.seed,
        draws: outcome.draws,
        draws_requested: config.draws,
        threads: config.threads,
        block_size: crate::simulate::BLOCK,
        precision: config.precision.map(|(e, _)| e),
        effort_from: config.effort_from,
        only: config.only.clone(),
        target_year: config.target_year,
        horizon,
        inputs,
        scenarios: plan.scenarios.clone(),
        started_utc,
        wall_seconds: started.elapsed().as_secs_f64(),
        timing: outcome.timing.clone(),
    };
    let snapshot = Snapshot {
        data: catalog.files.clone(),
        scenarios: scenario_files,
    };
    write_tables(&config.out, &tables, &manifest, &snapshot)?;
    let illustrative = catalog
        .targets
        .iter()
        .filter(|t| catalog.rests_on_illustrative(t.indicator))
        .map(|t| t.id.clone())
        .collect();
    Ok(RunReport {
        tables,
        plan,
        manifest,
        descriptions: scenarios
            .iter()
            .map(|s| (s.name.clone(), s.description.clone()))
            .collect(),
        warnings: catalog.warnings.clone(),
        illustrative,
        out: config.out.clone(),
    })
}

/// What `check` found.
pub struct Inventory {
    /// The catalog.
    pub catalog: Catalog,
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
}

/// Validates inputs; writes nothing.
pub fn check(config: &CheckConfig) -> Result<Inventory> {
    let Inputs { catalog, scenarios } = load_inputs(&config.data, &config.scenarios)?;
    Ok(Inventory { catalog, scenarios })
}
