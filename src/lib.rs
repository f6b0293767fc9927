//! `attain`: how likely is each target of a development plan to be met, under
//! each policy scenario?
//!
//! The layers, each importing only the ones below it (docs/architecture.md):
//!
//! - [`commands`]: `run`, `check`, `compare`, `backtest`, `report`, each with
//!   its terminal output; [`cli`] parses the flags into their configs;
//! - [`tables`]: one schema per output table, built from the engine's
//!   outcome, written atomically as Parquet and read back;
//! - [`engine`]: the Monte Carlo on rayon: the pilot, blocks of draws, the
//!   summaries;
//! - [`plan`]: fits, scenarios and targets compiled to year arrays;
//! - [`input`]: the data tables and scenario files, validated;
//! - [`model`]: the mathematics, no I/O: transforms and published rounding,
//!   targets, fits, required effort, random streams, sketches, scores;
//! - [`error`]: what can go wrong, with the place and the exit status.
//!
//! The statistical contract is summarised in the README.

#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod engine;
pub mod error;
pub mod input;
pub mod model;
pub mod plan;
pub mod tables;

pub use error::{Error, Result};
