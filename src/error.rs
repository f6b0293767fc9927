//! Errors of `attain`: what went wrong, where, and how it maps to an exit status.
//!
//! In: nothing. Out: [`Error`], whose [`Error::exit_code`] is 2 for bad input
//! or bad arguments and 1 for anything else (README).

use std::path::PathBuf;

/// A place in an input file: the file, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub file: PathBuf,
    /// Where in the file, e.g. "row 12, column `value`" or "key `shock[0].year`".
    pub at: Option<String>,
}

impl Place {
    /// A whole file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Place {
            file: file.into(),
            at: None,
        }
    }

    /// A row (numbered as a spreadsheet numbers it: the header is row 1) and a column.
    pub fn cell(file: impl Into<PathBuf>, row: usize, column: &str) -> Self {
        Place {
            file: file.into(),
            at: Some(format!("row {row}, column `{column}`")),
        }
    }

    /// A row as a whole.
    pub fn row(file: impl Into<PathBuf>, row: usize) -> Self {
        Place {
            file: file.into(),
            at: Some(format!("row {row}")),
        }
    }

    /// A key of a TOML file.
    pub fn key(file: impl Into<PathBuf>, key: &str) -> Self {
        Place {
            file: file.into(),
            at: Some(format!("key `{key}`")),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.file.display())?;
        if let Some(at) = &self.at {
            write!(f, ", {at}")?;
        }
        Ok(())
    }
}

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input is wrong: the place, what was expected, what was found.
    #[error("{place}: expected {expected}, found {found}")]
    Input {
        /// Where.
        place: Place,
        /// What the input should hold.
        expected: String,
        /// What it holds.
        found: String,
    },
    /// An input file could not be read or parsed at all.
    #[error("{place}: {what}")]
    Unreadable {
        /// Which file.
        place: Place,
        /// What failed.
        what: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A command-line argument is wrong.
    #[error("argument `{flag}`: expected {expected}, found {found}")]
    Argument {
        /// The flag.
        flag: String,
        /// What it should be.
        expected: String,
        /// What was given.
        found: String,
    },
    /// Writing outputs failed (the previous outputs are left as they were).
    #[error("could not write `{path}`")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Shorthand for [`Error::Input`].
    /// `found` is clipped to a short excerpt: a message quotes a cell, not
    /// the 50 MB a stray quote swallowed.
    pub fn input(place: Place, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::Input {
            place,
            expected: expected.into(),
            found: clip_found(found.into()),
        }
    }

    /// The process exit status for this error: 2 for bad input or arguments, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Unreadable { .. } | Error::Argument { .. } => 2,
            Error::Write { .. } | Error::Other(_) => 1,
        }
    }
}

/// Characters of what was found that a message quotes, at most.
const FOUND_CHARS: usize = 160;

fn clip_found(found: String) -> String {
    let n = found.chars().count();
    if n <= FOUND_CHARS {
        return found;
    }
    let head: String = found.chars().take(60).collect();
    format!("{head}… ({n} characters in all)")
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
