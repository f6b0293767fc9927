//! The indicator catalog: indicators, targets and their history, validated.
//!
//! In: `indicators`, `targets` and `history` tables from a data folder
//! ([`crate::input::table`]). Out: a [`Catalog`] whose values cannot be wrong in the
//! ways INTERFACE.md and MODEL.md §1, §3, §6 forbid, plus warnings (values on
//! a `logit` bound nudged inside). Every error names the file, the row as a
//! spreadsheet numbers it, the column, what was expected and what was found.
//!
//! This file defines the types; `parse.rs` reads and validates the tables.

use std::path::PathBuf;

mod parse;

pub use parse::load_catalog;

use crate::model::target::{Comparator, TargetKind};
use crate::model::transform::Transform;

crate::named_enum! {
    /// Where a history figure comes from, strongest first.
    pub enum Provenance {
        /// Published on a government site.
        Official = "official",
        /// A re-publication of an official figure.
        Secondary = "secondary",
        /// Stated in the plan itself.
        Plan = "plan",
        /// A stand-in to be replaced, made by a documented script.
        Illustrative = "illustrative",
    }
}

/// One indicator of the catalog.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Stable snake_case id.
    pub id: String,
    /// Chinese name as the plan writes it.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Group, e.g. `efficiency`.
    pub group: String,
    /// Unit, e.g. `%`.
    pub unit: String,
    /// Transform and its bounds.
    pub transform: Transform,
    /// Decimals the figure is published with.
    pub decimals: i32,
}

/// One observed figure.
#[derive(Debug, Clone)]
pub struct Observation {
    /// Calendar year.
    pub year: i32,
    /// Value on the natural scale (nudged inside a `logit` bound if it lay on one).
    pub value: f64,
    /// Where it comes from.
    pub provenance: Provenance,
    /// The publication.
    pub source: String,
}

/// One target of the plan.
#[derive(Debug, Clone)]
pub struct Target {
    /// Target id.
    pub id: String,
    /// Index of its indicator in [`Catalog::indicators`].
    pub indicator: usize,
    /// How the statistic is formed.
    pub kind: TargetKind,
    /// The comparison.
    pub comparator: Comparator,
    /// The target value, in the indicator's units.
    pub value: f64,
    /// The year by which it is to be met.
    pub target_year: i32,
    /// The clause of the plan it comes from.
    pub source: String,
}

/// The validated inputs of a run.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Indicators, in file order.
    pub indicators: Vec<Indicator>,
    /// Targets, in file order.
    pub targets: Vec<Target>,
    /// History per indicator (same order as `indicators`), sorted by year.
    pub history: Vec<Vec<Observation>>,
    /// Things worth knowing that are not errors.
    pub warnings: Vec<String>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Catalog {
    /// Index of an indicator by id.
    pub fn indicator_index(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }

    /// An indicator's history as (year, natural value) pairs, sorted by year.
    pub fn series(&self, indicator: usize) -> Vec<(i32, f64)> {
        self.history[indicator]
            .iter()
            .map(|o| (o.year, o.value))
            .collect()
    }

    /// The weakest provenance among an indicator's history rows.
    pub fn weakest_provenance(&self, indicator: usize) -> Option<Provenance> {
        self.history[indicator].iter().map(|o| o.provenance).max()
    }

    /// Whether any history row of the indicator is illustrative.
    pub fn rests_on_illustrative(&self, indicator: usize) -> bool {
        self.weakest_provenance(indicator) == Some(Provenance::Illustrative)
    }
}
