//! Helpers shared by the integration tests: a private scratch folder per
//! test (a copy of a fixture, or empty), running the `attain` binary, and
//! reading its Parquet tables back.

#![allow(dead_code)] // each test crate uses a part of them

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use polars::prelude::*;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_attain");

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A test's own folder under `CARGO_TARGET_TMPDIR`, removed when the test
/// passes (kept to look at when it fails).
pub struct Scratch {
    /// The folder.
    pub root: PathBuf,
}

impl Scratch {
    /// An empty folder, named after the test.
    pub fn empty(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{label}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        Scratch { root }
    }

    /// A copy of `tests/fixtures/FIXTURE` (its `data/` and `scenarios/`).
    pub fn copy(label: &str, fixture: &str) -> Self {
        let scratch = Scratch::empty(label);
        copy_dir(&repo(&format!("tests/fixtures/{fixture}")), &scratch.root);
        scratch
    }

    /// A path inside the folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The data folder.
    pub fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The scenarios folder.
    pub fn scenarios(&self) -> PathBuf {
        self.root.join("scenarios")
    }

    /// The output folder.
    pub fn out(&self) -> PathBuf {
        self.root.join("output")
    }

    /// A file's text.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Writes a file.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).unwrap();
        }
        fs::write(path, text).unwrap();
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).unwrap();
    }

    /// Replaces the one line of `rel` that starts with `prefix` by `line`, and
    /// returns its number (the header is line 1, as a spreadsheet numbers rows).
    pub fn set_line(&self, rel: &str, prefix: &str, line: &str) -> usize {
        let text = self.read(rel);
        let lines: Vec<&str> = text.lines().collect();
        let hits: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with(prefix))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "exactly one line of {rel} starts with {prefix:?}"
        );
        let mut out: Vec<&str> = lines.clone();
        out[hits[0]] = line;
        self.write(rel, &(out.join("\n") + "\n"));
        hits[0] + 1
    }

    /// Replaces `from` by `to` in `rel`, which must hold `from`.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} holds {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Appends text to a file.
    pub fn append(&self, rel: &str, text: &str) {
        let mut all = self.read(rel);
        all.push_str(text);
        self.write(rel, &all);
    }

    /// Runs the binary with `args`, in this folder.
    pub fn attain<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Outcome::of(Command::new(BIN).current_dir(&self.root).args(args))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

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
    /// The language of what it prints is English unless the test sets
    /// `LANG` itself (the default follows `LANG`, which differs by machine).
    pub fn of(command: &mut Command) -> Self {
        if !command.get_envs().any(|(k, _)| k == "LANG") {
            command.env("LANG", "C");
        }
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

/// A Parquet table.
pub fn read_parquet(path: &Path) -> DataFrame {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    ParquetReader::new(file)
        .finish()
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A text column.
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

/// A float column.
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

/// The column names of a frame.
pub fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
