//! The `attain` binary: parse, call the library, print, choose the exit code.

use std::process::ExitCode;

use attain::cli::{Cli, Command};
use attain::{backtest, compare, display, job, report};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = cli.into_command().and_then(|command| match command {
        Command::Run(config) => {
            job::run(&config).map(|report| print!("{}", display::summary(&report)))
        }
        Command::Check(config) => {
            job::check(&config).map(|inv| print!("{}", display::inventory(&inv)))
        }
        Command::Compare(config) => {
            compare::compare(&config).map(|report| print!("{}", compare::summary(&report)))
        }
        Command::Backtest(config) => backtest::run(&config).map(|b| {
            if config.print {
                print!("{}", backtest::display::summary(&b, &config.out));
            }
        }),
        Command::Report(config) => report::report(&config).map(|done| print!("{done}")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::from(error.exit_code() as u8)
        }
    }
}
