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
//! - [`table`]: a CSV, `.xlsx` or Parquet file as text cells ([`csv_shape`]:
//!   a malformed CSV told in a person's words);
//! - [`catalog`]: indicators, targets and history;
//! - [`scenario`]: the scenario files, `extends` resolved.

pub mod catalog;
pub mod csv_shape;
pub mod decode;
pub mod scenario;
pub mod table;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::target::TargetKind;
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
            t.value = on_course(t.kind, t.value, t.target_year, year);
            t.target_year = year;
        }
    }
    Ok(())
}

/// The threshold that asks whether a target is on course in `year` rather
/// than met in its own `target_year` (`--target-year`): an `increase` from
/// its base year and a `cumulative` sum from its first year are pro-rated
/// over the years elapsed (an increase of 0.3 over 2025–2030 asks for 0.18
/// by 2028; a sum over 2026–2030 of 500 asks for 300 over 2026–2028). A
/// `level`, an `every_year` or a `milestone` target asks the same threshold
/// in the other year.
pub fn on_course(kind: TargetKind, value: f64, target_year: i32, year: i32) -> f64 {
    let share = |elapsed: i32, full: i32| {
        if full > 0 {
            f64::from(elapsed) / f64::from(full)
        } else {
            1.0
        }
    };
    match kind {
        TargetKind::Increase { base_year } => {
            value * share(year - base_year, target_year - base_year)
        }
        TargetKind::Cumulative { from_year } => {
            value * share(year - from_year + 1, target_year - from_year + 1)
        }
        TargetKind::Level | TargetKind::EveryYear { .. } | TargetKind::Milestone => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_course_pro_rates_increases_and_sums_over_the_years_elapsed() {
        let inc = TargetKind::Increase { base_year: 2025 };
        assert!((on_course(inc, 0.3, 2030, 2028) - 0.18).abs() < 1e-12);
        let sum = TargetKind::Cumulative { from_year: 2026 };
        assert!((on_course(sum, 500.0, 2030, 2028) - 300.0).abs() < 1e-9);
        assert_eq!(on_course(TargetKind::Level, 96.0, 2030, 2028), 96.0);
        assert_eq!(on_course(inc, 0.3, 2030, 2030), 0.3);
    }
}
