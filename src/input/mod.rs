//! The inputs of a run: tables read with Polars, validated into a catalog,
//! and the scenarios.
//!
//! In: a data folder and scenario files. Out: [`Inputs`], whose values cannot
//! be wrong in the ways the documented input formats forbid; every error
//! names the file, the row (as a spreadsheet numbers it) or key, what was
//! expected and what was found, and all of them are found before the first
//! draw.
//!
//! - [`decode`]: a CSV in GB18030/GBK or UTF-16, or an `.xlsx` workbook,
//!   turned into what the CSV reader reads;
//! - [`table`]: a CSV, `.xlsx` or Parquet file as text cells;
//! - [`catalog`]: indicators, targets and history;
//! - [`scenario`]: the scenario files, `extends` resolved.

pub mod catalog;
pub mod decode;
pub mod scenario;
pub mod table;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use catalog::{load_catalog, Catalog};
use scenario::{load_scenarios, Scenario};

/// Inputs loaded and validated.
pub struct Inputs {
    /// The catalog.
    pub catalog: Catalog,
    /// The scenarios, baseline first.
    pub scenarios: Vec<Scenario>,
}

/// Loads and validates the data and scenarios.
pub fn load_inputs(data: &Path, scenarios: &[PathBuf]) -> Result<Inputs> {
    let catalog = load_catalog(data)?;
    let scenarios = load_scenarios(scenarios, &catalog)?;
    Ok(Inputs { catalog, scenarios })
}

/// Keeps the targets `--only` names (target or indicator ids; empty: all)
/// and asks every target for `--target-year` when given.
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
            if let Some(first) = t.kind.first_year().filter(|f| !f.fits(year)) {
                return Err(bad(format!(
                    "{} of `{}`",
                    first.expected_target_year(),
                    t.id
                )));
            }
            t.target_year = year;
        }
    }
    Ok(())
}
