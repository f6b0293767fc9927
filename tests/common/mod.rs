//! Helpers shared by the integration tests: running the `attain` binary and
//! reading its Parquet tables back.

#![allow(dead_code)] // each test crate uses a part of them

use std::fs;
use std::path::Path;
use std::process::Command;

use polars::prelude::*;

/// What a run of the binary did.
pub struct Outcome {
    /// Exit status.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Runs `command` and keeps its exit status and output.
    pub fn of(command: &mut Command) -> Self {
        let out = command.output().expect("the binary runs");
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Standard output then standard error.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Exit status 0, or a failure showing both streams.
    pub fn assert_success(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
    }

    /// Exit status 2 and a message holding every one of `parts`.
    pub fn assert_input_error(&self, parts: &[&str]) {
        assert_eq!(
            self.code,
            Some(2),
            "expected exit status 2\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(
            self.stderr.contains("error: "),
            "the error goes to stderr as `error: …`; stderr:\n{}",
            self.stderr
        );
        let text = self.text();
        for part in parts {
            assert!(
                text.contains(part),
                "the message should contain {part:?}; it is:\n{text}"
            );
        }
    }
}

pub fn read_parquet(path: &Path) -> DataFrame {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    ParquetReader::new(file)
        .finish()
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn strings(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .unwrap()
        .as_materialized_series()
        .str()
        .unwrap_or_else(|e| panic!("column {name} is text: {e}"))
        .iter()
        .map(|v| v.map(String::from))
        .collect()
}

pub fn floats(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .unwrap()
        .as_materialized_series()
        .f64()
        .unwrap_or_else(|e| panic!("column {name} is f64: {e}"))
        .iter()
        .collect()
}
