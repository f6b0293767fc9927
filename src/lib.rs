//! `attain`: how likely is each target of a development plan to be met, under
//! each policy scenario?
//!
//! The pipeline, one module per stage: [`load`] reads tables with Polars →
//! [`catalog`] validates indicators, targets and history → [`scenario`] reads
//! and validates scenarios → [`fit`] fits each history → [`plan`] compiles
//! fits, scenarios and targets to year arrays → [`simulate`] runs the Monte
//! Carlo on rayon, with [`effort`] for the required extra drift → [`summarize`] turns summaries into rows → [`write`](mod@write) writes
//! Parquet atomically. [`job`] strings the stages together for each command,
//! [`display`] renders what the terminal shows, [`cli`] parses the flags.
//! [`compare`] sets two runs side by side. [`backtest`] holds past forecasts
//! against later published figures, with the proper scores of [`score`].
//! [`report`] turns a run's tables into an HTML page, charts and CSV copies.
//! The statistical contract is MODEL.md (summarised in the README).

#![warn(missing_docs)]

pub mod backtest;
pub mod catalog;
pub mod cli;
pub mod compare;
pub mod display;
pub mod effort;
pub mod error;
pub mod fit;
pub mod job;
pub mod load;
pub mod plan;
pub mod progress;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod score;
pub mod simulate;
pub mod sketch;
pub mod summarize;
pub mod write;

pub use error::{Error, Result};
