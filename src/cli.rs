//! Command-line parsing, in two stages: raw flags (clap), then one
//! validated config per command: [`RunConfig`], [`CheckConfig`],
//! [`CompareConfig`], [`BacktestConfig`], [`ReportConfig`].
//!
//! In: `std::env::args`. Out: a [`Command`].

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};

/// The language people read the terminal and the page in (`--lang`). Column
/// names of the tables never change with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `zh` or `en` (as `--lang` takes them).
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The default for a value of the `LANG` environment variable: Chinese
    /// when it starts with `zh` (`zh_CN.UTF-8`), else English.
    pub fn from_env(lang: Option<&str>) -> Lang {
        match lang {
            Some(l) if l.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }
}

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
    Check(CheckArgs),
    /// Compare two runs: what moved, and how much of it the data and the scenarios moved.
    Compare(CompareArgs),
    /// Hold the model's past forecasts against the published figures after them.
    Backtest(BacktestArgs),
    /// Turn a run's tables into an HTML page, chart images and spreadsheet copies.
    Report(ReportArgs),
}

/// Flags of `compare`.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Output folder of the earlier run.
    pub old: PathBuf,
    /// Output folder of the later run.
    pub new: PathBuf,
    /// Where compare.parquet goes (default: the later run's folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads of the counterfactual run (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar (as on every command).
    #[arg(long)]
    pub quiet: bool,
    /// Language of the summary and the report page: zh or en (default: zh
    /// when LANG starts with zh, else en). Table columns never change.
    #[arg(long)]
    pub lang: Option<String>,
}

/// Flags of `backtest`.
#[derive(Debug, Args, Clone)]
pub struct BacktestArgs {
    /// Folder with indicators, targets and history (.csv, .xlsx or .parquet).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Origin years FROM..TO, inclusive: fit on figures up to each, score after.
    #[arg(long, default_value = "2016..2021")]
    pub origins: String,
    /// No progress bar (as on every command).
    #[arg(long)]
    pub quiet: bool,
    /// Language of the summary and the report page: zh or en (default: zh
    /// when LANG starts with zh, else en). Table columns never change.
    #[arg(long)]
    pub lang: Option<String>,
}

/// A validated `backtest`.
#[derive(Debug, Clone)]
pub struct BacktestConfig {
    /// Data folder.
    pub data: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// First and last origin year.
    pub origins: (i32, i32),
    /// Show progress.
    pub progress: bool,
    /// Language of what people read.
    pub lang: Lang,
}

/// Parses `FROM..TO` (inclusive years, FROM ≤ TO).
pub fn parse_origins(text: &str) -> Result<(i32, i32)> {
    let bad = || Error::Argument {
        flag: "--origins".into(),
        expected: "years FROM..TO with FROM ≤ TO, e.g. 2016..2021".into(),
        found: format!("`{text}`"),
    };
    let (from, to) = text.trim().split_once("..").ok_or_else(bad)?;
    let year = |s: &str| {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1000..=9999).contains(y))
    };
    match (year(from), year(to)) {
        (Some(from), Some(to)) if from <= to => Ok((from, to)),
        _ => Err(bad()),
    }
}

/// `--lang`, or the default for the `LANG` environment variable.
fn lang(flag: Option<&str>) -> Result<Lang> {
    match flag {
        Some(text) => Lang::parse(text).ok_or_else(|| Error::Argument {
            flag: "--lang".into(),
            expected: "`zh` or `en`".into(),
            found: format!("`{text}`"),
        }),
        None => Ok(Lang::from_env(std::env::var("LANG").ok().as_deref())),
    }
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
    /// No progress bar (as on every command).
    #[arg(long)]
    pub quiet: bool,
    /// Language of the summary and the report page: zh or en (default: zh
    /// when LANG starts with zh, else en). Table columns never change.
    #[arg(long)]
    pub lang: Option<String>,
}

/// Where the inputs are.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Folder with indicators, targets and history (.csv, .xlsx or .parquet).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// A folder of scenario files, or scenario files.
    #[arg(long, num_args = 1.., default_value = "scenarios")]
    pub scenarios: Vec<PathBuf>,
}

/// Flags of `check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Folder with indicators, targets and history (.csv, .xlsx or .parquet).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// A folder of scenario files, or scenario files (default: `scenarios`;
    /// when that folder does not exist, the data folder is checked alone).
    #[arg(long, num_args = 1..)]
    pub scenarios: Vec<PathBuf>,
    /// No progress bar (as on every command).
    #[arg(long)]
    pub quiet: bool,
    /// Language of the summary and the report page: zh or en (default: zh
    /// when LANG starts with zh, else en). Table columns never change.
    #[arg(long)]
    pub lang: Option<String>,
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
    /// No progress bar (as on every command).
    #[arg(long)]
    pub quiet: bool,
    /// Add draw blocks until every P(attain) has a standard error at most this.
    #[arg(long)]
    pub precision: Option<f64>,
    /// Upper bound on draws with --precision.
    #[arg(long, default_value_t = 10_000_000)]
    pub max_draws: u64,
    /// First year of the extra effort in required.parquet (default: each
    /// indicator's first projected year).
    #[arg(long)]
    pub effort_from: Option<i32>,
    /// Language of the summary and the report page: zh or en (default: zh
    /// when LANG starts with zh, else en). Table columns never change.
    #[arg(long)]
    pub lang: Option<String>,
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
    /// First year of required effort.
    pub effort_from: Option<i32>,
    /// Language of what people read.
    pub lang: Lang,
}

/// A validated `check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Data folder.
    pub data: PathBuf,
    /// Scenario paths; `None` when the default `scenarios` folder does not
    /// exist and none was named: the data folder is checked alone.
    pub scenarios: Option<Vec<PathBuf>>,
    /// Language of what people read.
    pub lang: Lang,
}

/// A validated `compare`.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// The earlier run's output folder.
    pub old: PathBuf,
    /// The later run's output folder.
    pub new: PathBuf,
    /// Where `compare.parquet` goes (default: the later run's folder).
    pub out: PathBuf,
    /// Threads of the counterfactual run.
    pub threads: usize,
    /// Language of what people read.
    pub lang: Lang,
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
    /// Language of what people read.
    pub lang: Lang,
}

/// What to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run the job.
    Run(RunConfig),
    /// Validate inputs.
    Check(CheckConfig),
    /// Compare two runs.
    Compare(CompareConfig),
    /// Backtest the model.
    Backtest(BacktestConfig),
    /// Render the report of a run.
    Report(ReportConfig),
}

/// Threads per core above which `--threads` is refused: more workers than
/// a few per core only cost memory (each holds its summaries) and start-up.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The cores of this machine.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `--threads`: all cores when not given; from 1 to
/// [`MAX_THREADS_PER_CORE`] × the cores (at least 8), else exit 2.
pub fn threads(given: Option<usize>) -> Result<usize> {
    let cores = cores();
    let most = (MAX_THREADS_PER_CORE * cores).max(8);
    match given {
        None => Ok(cores),
        Some(t) if (1..=most).contains(&t) => Ok(t),
        Some(t) => Err(Error::Argument {
            flag: "--threads".into(),
            expected: format!(
                "a thread count from 1 to {most} ({MAX_THREADS_PER_CORE} per core of the {cores} here; results do not depend on it)"
            ),
            found: t.to_string(),
        }),
    }
}

/// Whether to show a progress bar: not with `--quiet`, nor when stderr is
/// not a terminal. `--quiet` means this on every command; what a command
/// prints on stdout (its result) is printed either way.
fn show_progress(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::io::stderr().is_terminal()
}

/// Checks, before any work, that `dir` is a folder this process can write
/// into, or can be created: its nearest existing ancestor is a writable
/// folder. Exit 2 otherwise, naming the flag and the path.
pub fn writable_folder(flag: &str, dir: &Path) -> Result<()> {
    let bad = |found: String| Error::Argument {
        flag: flag.into(),
        expected: "a folder that exists or can be created, and can be written to".into(),
        found,
    };
    let mut existing = dir;
    while !existing.as_os_str().is_empty() && !existing.exists() {
        if existing.symlink_metadata().is_ok() {
            return Err(bad(format!("`{}`, a broken link", existing.display())));
        }
        match existing.parent() {
            Some(parent) => existing = parent,
            None => break,
        }
    }
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    if !existing.is_dir() {
        let what = if existing == dir {
            format!("`{}`, a file", dir.display())
        } else {
            format!(
                "`{}`, inside the file `{}`",
                dir.display(),
                existing.display()
            )
        };
        return Err(bad(what));
    }
    // Write permission: a probe file, removed at once (the mode bits do not
    // tell for root, ACLs or read-only mounts).
    let probe = existing.join(format!(".attain-probe.{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(bad(format!(
            "`{}`, which cannot be written to ({e})",
            existing.display()
        ))),
    }
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
        let threads = threads(self.threads)?;
        writable_folder("--out", &self.out)?;
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
            progress: show_progress(self.quiet),
            precision: self.precision.map(|e| (e, self.max_draws.max(self.draws))),
            effort_from: self.effort_from,
            lang: lang(self.lang.as_deref())?,
        })
    }
}

impl Cli {
    /// Validates the parsed flags.
    pub fn into_command(self) -> Result<Command> {
        match self.command {
            Some(Sub::Run(args)) => Ok(Command::Run(args.validate()?)),
            Some(Sub::Check(args)) => {
                let default = PathBuf::from("scenarios");
                let scenarios = if !args.scenarios.is_empty() {
                    Some(args.scenarios)
                } else if default.exists() {
                    Some(vec![default])
                } else {
                    None
                };
                Ok(Command::Check(CheckConfig {
                    lang: lang(args.lang.as_deref())?,
                    data: args.data,
                    scenarios,
                }))
            }
            Some(Sub::Compare(args)) => Ok(Command::Compare(CompareConfig {
                lang: lang(args.lang.as_deref())?,
                threads: threads(args.threads)?,
                out: {
                    let out = args.out.unwrap_or_else(|| args.new.clone());
                    writable_folder("--out", &out)?;
                    out
                },
                old: args.old,
                new: args.new,
            })),
            Some(Sub::Backtest(args)) => {
                let origins = parse_origins(&args.origins)?;
                let lang = lang(args.lang.as_deref())?;
                writable_folder("--out", &args.out)?;
                Ok(Command::Backtest(BacktestConfig {
                    origins,
                    data: args.data,
                    out: args.out,
                    progress: show_progress(args.quiet),
                    lang,
                }))
            }
            Some(Sub::Report(args)) => Ok(Command::Report(ReportConfig {
                lang: lang(args.lang.as_deref())?,
                report: args.report.unwrap_or_else(|| args.out.join("report")),
                out: args.out,
                data: args.data,
            })),
            None => Ok(Command::Run(self.run.validate()?)),
        }
    }
}
