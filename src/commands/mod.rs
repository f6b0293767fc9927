//! The commands: each takes its validated config, does its work through the
//! layers below, and returns the text the terminal shows.
//!
//! In: a [`Command`]. Out: the text for stdout, or the error whose
//! [`exit_code`](crate::Error::exit_code) the binary returns. Progress goes
//! to stderr through the one factory in [`progress`]; the words people read
//! are in [`words`].

pub mod backtest;
pub mod check;
pub mod compare;
pub mod progress;
pub mod report;
pub mod run;
pub mod words;

use crate::cli::Command;
use crate::error::Result;

/// Runs a command and returns what it prints on stdout.
pub fn execute(command: &Command) -> Result<String> {
    match command {
        Command::Run(config) => run::execute(config),
        Command::Check(config) => check::execute(config),
        Command::Compare(config) => compare::execute(config),
        Command::Backtest(config) => backtest::execute(config),
        Command::Report(config) => report::execute(config),
    }
}
