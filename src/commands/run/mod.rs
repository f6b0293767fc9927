//! `attain run`: project every target under every scenario and write the tables.
//!
//! In: a validated [`RunConfig`]. Out: the tables, `run.json` and the
//! inputs' copy in the output folder, and the summary the terminal shows
//! (`summary.rs`). All input errors are found before the first draw.

mod summary;

use std::collections::BTreeMap;
use std::time::Instant;

use crate::cli::RunConfig;
use crate::commands::progress::Progress;
use crate::commands::words::Basis;
use crate::engine::{simulate, Outcome, Settings, BLOCK};
use crate::error::{Error, Result};
use crate::input::catalog::Catalog;
use crate::input::scenario::Scenario;
use crate::input::{load_inputs, restrict, Inputs};
use crate::plan::{compile, Plan};
use crate::tables::attainment::borrowed_from;
use crate::tables::manifest::{now_utc, sha256_file, Manifest, ScenarioText};
use crate::tables::{build, write_run, Snapshot, Tables};

pub use summary::summary;

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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {} threads: {e}", settings.threads)))?;
    let mut outcome = pool.install(|| simulate(&plan, settings, precision, progress));
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
    /// What each target's probability rests on, in target order.
    pub basis: Vec<Basis>,
    /// Where the tables went.
    pub out: std::path::PathBuf,
}

/// Runs the whole job.
pub fn run(config: &RunConfig) -> Result<RunReport> {
    let started = Instant::now();
    let started_utc = now_utc();
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
    let tables = build(&catalog, &plan, &outcome, config.seed);
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
        block_size: BLOCK,
        precision: config.precision.map(|(e, _)| e),
        effort_from: config.effort_from,
        only: config.only.clone(),
        target_year: config.target_year,
        horizon,
        inputs,
        scenarios: plan.scenarios.clone(),
        scenario_descriptions: plan
            .scenarios
            .iter()
            .filter_map(|name| scenarios.iter().find(|s| &s.name == name))
            .map(|s| ScenarioText {
                name: s.name.clone(),
                description: s.description.clone(),
                name_zh: s.name_zh.clone(),
                description_zh: s.description_zh.clone(),
            })
            .collect(),
        started_utc,
        wall_seconds: started.elapsed().as_secs_f64(),
        timing: outcome.timing.clone(),
    };
    let snapshot = Snapshot {
        data: catalog.files.clone(),
        scenarios: scenario_files,
    };
    write_run(&config.out, &tables, &manifest, &snapshot)?;
    let implausible = implausible_medians(&catalog, &tables);
    let basis = catalog
        .targets
        .iter()
        .zip(&plan.targets)
        .map(|(t, tp)| {
            let indicator = &catalog.indicators[t.indicator].id;
            let analog = borrowed_from(&catalog, &plan, t.indicator);
            Basis::of(&catalog, indicator, tp.status, analog.as_deref())
        })
        .collect();
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
        warnings: catalog
            .warnings
            .iter()
            .cloned()
            .chain(implausible)
            .collect(),
        illustrative,
        basis,
        out: config.out.clone(),
    })
}

/// A projected median this many times the last observed value (in size)
/// is implausible for a level or log indicator.
pub const IMPLAUSIBLE_GROWTH: f64 = 100.0;

/// Warnings for projected medians far outside any plausible range: a level
/// or log indicator whose median in some projected year is more than
/// [`IMPLAUSIBLE_GROWTH`] times its last observed value (a `drift_add = 50`
/// meant as 50 %). A logit indicator stays within its bounds by
/// construction. One warning per scenario and indicator.
fn implausible_medians(catalog: &Catalog, tables: &Tables) -> Vec<String> {
    use crate::model::transform::Transform;
    use crate::tables::fan::FanKind;
    let mut warnings = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in tables.fan.iter().filter(|r| r.kind == FanKind::Projected) {
        let Some(k) = catalog.indicator_index(&row.indicator_id) else {
            continue;
        };
        if !matches!(
            catalog.indicators[k].transform,
            Transform::Level | Transform::Log
        ) {
            continue;
        }
        let Some(last) = catalog.history[k].last() else {
            continue;
        };
        let Some(p50) = row.p50 else { continue };
        let limit = IMPLAUSIBLE_GROWTH * last.value.abs();
        let wild = !p50.is_finite() || (limit > 0.0 && (p50 - last.value).abs() > limit);
        if wild && seen.insert((row.scenario.clone(), k)) {
            warnings.push(format!(
                "scenario `{}`, indicator `{}`: the projected median of {} is {p50:.4e}, more than {IMPLAUSIBLE_GROWTH}× the last value ({} in {}); check the scenario's settings for it (e.g. a `drift_add` in percent instead of a share)",
                row.scenario, row.indicator_id, row.year, last.value, last.year
            ));
        }
    }
    warnings
}

/// Runs the job and returns the summary the terminal shows.
pub fn execute(config: &RunConfig) -> Result<String> {
    run(config).map(|report| summary(&report, config.lang))
}
