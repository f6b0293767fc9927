//! The indicator catalog: indicators, targets and their history, validated.
//!
//! In: `indicators`, `targets` and `history` tables from a data folder
//! ([`crate::input::table`]). Out: a [`Catalog`] whose values cannot be wrong in the
//! ways the README (Data) and docs/model.md §1, §3, §6 forbid, plus warnings (values on
//! a `logit` bound nudged inside). Every error names the file, the row as a
//! spreadsheet numbers it, the column, what was expected and what was found.
//!
//! This file defines the types; `parse.rs` reads and validates the tables.

use std::path::PathBuf;

mod analog;
mod parse;
mod settings;

pub use parse::load_catalog;
pub use settings::ModelSettings;

use crate::model::persistence::Persistence;
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
    /// The indicator whose dynamics this one borrows (docs/model.md §2b).
    pub analog: Option<Analog>,
    /// The publication that carries, or would carry, its yearly figures.
    pub published_in: Option<String>,
    /// A drift persistence φ fixed for this indicator (docs/model.md §2c);
    /// `None`: the catalog's prior.
    pub persistence: Option<f64>,
    /// Its row in the indicators table (as a spreadsheet numbers it).
    pub row: usize,
}

/// An indicator's analog: another indicator of the same transform whose
/// history enters its fit as a power prior of weight `weight` (docs/model.md §2b).
#[derive(Debug, Clone, PartialEq)]
pub struct Analog {
    /// The analog's index in [`Catalog::indicators`].
    pub index: usize,
    /// The power-prior weight a, in (0, 1].
    pub weight: f64,
}

/// The power-prior weight of an analog when the catalog gives none.
pub const DEFAULT_ANALOG_WEIGHT: f64 = 0.5;

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
    /// The model settings (`model.toml`).
    pub settings: ModelSettings,
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

    /// The weakest provenance among the history rows an indicator's fit
    /// uses: its own and its analog's.
    pub fn weakest_provenance(&self, indicator: usize) -> Option<Provenance> {
        let analog = self.indicators[indicator].analog.as_ref();
        self.history[indicator]
            .iter()
            .chain(analog.into_iter().flat_map(|a| &self.history[a.index]))
            .map(|o| o.provenance)
            .max()
    }

    /// The drift persistence of an indicator (docs/model.md §2c): its own fixed
    /// φ, else the catalog's prior, else φ = 1.
    pub fn persistence(&self, indicator: usize) -> Persistence {
        match (
            self.indicators[indicator].persistence,
            &self.settings.persistence,
        ) {
            (Some(phi), _) => Persistence::Fixed(phi),
            (None, Some(prior)) => Persistence::Prior(prior.clone()),
            (None, None) => Persistence::default(),
        }
    }

    /// Whether an indicator is the target of no target (an analog-only
    /// series: fitted, never projected).
    pub fn has_targets(&self, indicator: usize) -> bool {
        self.targets.iter().any(|t| t.indicator == indicator)
    }

    /// Whether any history row of the indicator is illustrative.
    pub fn rests_on_illustrative(&self, indicator: usize) -> bool {
        self.weakest_provenance(indicator) == Some(Provenance::Illustrative)
    }
}
