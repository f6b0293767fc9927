//! Writing the report folder whole or not at all.
//!
//! In: the report folder and its files (relative path, bytes). Out: the
//! folder in place. Everything is written under a temporary folder beside
//! it (`.NAME.PID.tmp`); only then is a previous report moved aside, the new
//! one renamed into place and the old one removed. A failure before the
//! rename leaves the previous report as it was and removes the temporary
//! folder.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file that marks a folder as a report (so a later report may replace it).
const MARK: &str = "index.html";

/// The report folder must be a new folder, an empty one or a previous report,
/// and must not hold the run's outputs.
pub fn check_destination(report: &Path, out: &Path) -> Result<()> {
    let bad = |found: String| {
        Error::Argument {
        flag: "--report".into(),
        expected: "a new folder, an empty one, or a previous report (holding index.html), not the run's folder"
            .into(),
        found,
    }
    };
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if absolute(out).starts_with(absolute(report)) {
        return Err(bad(format!(
            "`{}`, which holds the run's folder `{}`",
            report.display(),
            out.display()
        )));
    }
    if report.exists() {
        if !report.is_dir() {
            return Err(bad(format!("`{}`, a file", report.display())));
        }
        let empty = std::fs::read_dir(report)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !report.join(MARK).is_file() {
            return Err(bad(format!(
                "`{}`, a folder with other files",
                report.display()
            )));
        }
    }
    Ok(())
}

/// A temporary folder removed on drop unless committed.
struct TempFolder {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    path.with_file_name(format!(".{name}.{}.{suffix}", std::process::id()))
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// Writes `files` (paths relative to `report`) as the folder `report`.
pub fn write_folder(report: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    if let Some(parent) = report.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
    }
    let mut temp = TempFolder {
        path: sibling(report, "tmp"),
        keep: false,
    };
    let _ = std::fs::remove_dir_all(&temp.path);
    for (relative, bytes) in files {
        let path = temp.path.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| write_error(&report.join(relative), e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| write_error(&report.join(relative), e))?;
    }
    let old = sibling(report, "old");
    let had_old = report.exists();
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(report, &old).map_err(|e| write_error(report, e))?;
    }
    if let Err(e) = std::fs::rename(&temp.path, report) {
        if had_old {
            let _ = std::fs::rename(&old, report);
        }
        return Err(write_error(report, e));
    }
    temp.keep = true;
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}
