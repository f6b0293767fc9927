//! The `attain` binary: parse, call the library, print, choose the exit code.

use std::process::ExitCode;

use attain::cli::Cli;
use attain::commands;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli
        .into_command()
        .and_then(|command| commands::execute(&command))
    {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
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
