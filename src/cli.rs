//! Command-line parsing, in two stages: raw flags (clap), then a validated
//! [`RunConfig`] or [`CheckConfig`].
//!
//! In: `std::env::args`. Out: a [`Command`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};

/// The seed used when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 2030;
/// The draws used when `--draws` is not given.
pub const DEFAULT_DRAWS: u64 = 100_000;

/// How likely is each 2030 target of the plan to be met, under each scenario?
#[derive(Debug, Parser)]
#[command(
    name = "attain",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A command; without one, `run` with the flags given.
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// Flags of `run` when no command is given.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Project every target under every scenario and write the tables.
    Run(RunArgs),
    /// Validate the data and scenarios and print an inventory; writes nothing.
    Check(InputArgs),
    /// Turn a run's tables into an HTML page, chart images and spreadsheet copies.
    Report(ReportArgs),
}

/// Flags of `report`.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// The output folder of a previous `attain run`.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Where the report goes (default: `report` inside --out).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Data folder for labels and history provenance (default: the folder the run read, else `data`).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// Where the inputs are.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Folder with indicators, targets and history (.csv or .parquet).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// A folder of scenario files, or scenario files.
    #[arg(long, num_args = 1.., default_value = "scenarios")]
    pub scenarios: Vec<PathBuf>,
}

/// Flags of `run`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Inputs.
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output folder.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Monte Carlo draws.
    #[arg(long, default_value_t = DEFAULT_DRAWS)]
    pub draws: u64,
    /// Seed of every random stream.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Ask every target for this year instead of its own.
    #[arg(long)]
    pub target_year: Option<i32>,
    /// Keep only these targets (target or indicator ids, comma separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Add draw blocks until every P(attain) has a standard error at most this.
    #[arg(long)]
    pub precision: Option<f64>,
    /// Upper bound on draws with --precision.
    #[arg(long, default_value_t = 10_000_000)]
    pub max_draws: u64,
}

/// A validated `run`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Data folder.
    pub data: PathBuf,
    /// Scenario paths.
    pub scenarios: Vec<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
    /// Draws.
    pub draws: u64,
    /// Seed.
    pub seed: u64,
    /// Threads.
    pub threads: usize,
    /// Override of every target year.
    pub target_year: Option<i32>,
    /// Target or indicator ids to keep (empty: all).
    pub only: Vec<String>,
    /// Show progress.
    pub progress: bool,
    /// (SE goal, max draws).
    pub precision: Option<(f64, u64)>,
}

/// A validated `check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Data folder.
    pub data: PathBuf,
    /// Scenario paths.
    pub scenarios: Vec<PathBuf>,
}

/// A validated `report`.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// The run's output folder.
    pub out: PathBuf,
    /// The report folder.
    pub report: PathBuf,
    /// The data folder, if given.
    pub data: Option<PathBuf>,
}

/// What to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run the job.
    Run(RunConfig),
    /// Validate inputs.
    Check(CheckConfig),
    /// Render the report of a run.
    Report(ReportConfig),
}

impl RunArgs {
    fn validate(self) -> Result<RunConfig> {
        if self.draws == 0 {
            return Err(Error::Argument {
                flag: "--draws".into(),
                expected: "a number of draws ≥ 1".into(),
                found: "0".into(),
            });
        }
        if self.seed > i64::MAX as u64 {
            return Err(Error::Argument {
                flag: "--seed".into(),
                expected: format!("a seed from 0 to {}", i64::MAX),
                found: self.seed.to_string(),
            });
        }
        if let Some(t) = self.threads.filter(|&t| t == 0) {
            return Err(Error::Argument {
                flag: "--threads".into(),
                expected: "a thread count ≥ 1".into(),
                found: t.to_string(),
            });
        }
        if let Some(e) = self
            .precision
            .filter(|e| !(e.is_finite() && *e > 0.0 && *e < 0.5))
        {
            return Err(Error::Argument {
                flag: "--precision".into(),
                expected: "a standard error between 0 and 0.5, e.g. 0.002".into(),
                found: e.to_string(),
            });
        }
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        use std::io::IsTerminal;
        Ok(RunConfig {
            data: self.inputs.data,
            scenarios: self.inputs.scenarios,
            out: self.out,
            draws: self.draws,
            seed: self.seed,
            threads,
            target_year: self.target_year,
            only: self
                .only
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            progress: !self.quiet && std::io::stderr().is_terminal(),
            precision: self.precision.map(|e| (e, self.max_draws.max(self.draws))),
        })
    }
}

impl Cli {
    /// Validates the parsed flags.
    pub fn into_command(self) -> Result<Command> {
        match self.command {
            Some(Sub::Run(args)) => Ok(Command::Run(args.validate()?)),
            Some(Sub::Check(inputs)) => Ok(Command::Check(CheckConfig {
                data: inputs.data,
                scenarios: inputs.scenarios,
            })),
            Some(Sub::Report(args)) => Ok(Command::Report(ReportConfig {
                report: args.report.unwrap_or_else(|| args.out.join("report")),
                out: args.out,
                data: args.data,
            })),
            None => Ok(Command::Run(self.run.validate()?)),
        }
    }
}
