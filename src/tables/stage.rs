//! The one atomic writer: files and folders staged under temporary names
//! beside their destination, renamed into place together.
//!
//! In: Parquet frames, text, folders of files (copies or bytes). Out: the
//! files in place, or, on any error, nothing changed: every temporary is
//! removed and the previous outputs are as they were. Each Parquet file is
//! zstd-compressed and carries the run's manifest as key-value metadata
//! under [`MANIFEST_KEY`].

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::manifest::MANIFEST_KEY;
use crate::error::{Error, Result};

/// Where a staged folder's file comes from.
#[derive(Debug, Clone)]
pub enum Content {
    /// A copy of a file.
    Copy(PathBuf),
    /// These bytes.
    Bytes(Vec<u8>),
}

/// Files staged under temporary names, renamed into place together.
pub struct Staged {
    moves: Vec<(PathBuf, PathBuf)>,
    folders: Vec<(PathBuf, PathBuf)>,
    removals: Vec<PathBuf>,
}

impl Staged {
    /// Nothing staged yet.
    pub fn new() -> Self {
        Staged {
            moves: Vec::new(),
            folders: Vec::new(),
            removals: Vec::new(),
        }
    }

    /// Stages a folder holding `files` (path inside the folder, content);
    /// on commit it replaces `dir` as a whole.
    pub fn folder(&mut self, dir: &Path, files: &[(PathBuf, Content)]) -> Result<()> {
        let temp = Self::temp_for(dir);
        let _ = std::fs::remove_dir_all(&temp);
        let mut failed = None;
        let mut write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&temp)?;
            for (name, content) in files {
                let target = temp.join(name);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                failed = Some(dir.join(name));
                match content {
                    Content::Copy(source) => std::fs::copy(source, &target).map(|_| ())?,
                    Content::Bytes(bytes) => std::fs::write(&target, bytes)?,
                }
            }
            Ok(())
        };
        match write() {
            Ok(()) => {
                self.folders.push((temp, dir.to_path_buf()));
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&temp);
                self.abandon();
                Err(Error::Write {
                    path: failed.unwrap_or_else(|| dir.to_path_buf()),
                    source: e.into(),
                })
            }
        }
    }

    fn temp_for(path: &Path) -> PathBuf {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
    }

    /// Writes a frame as Parquet under a temporary name.
    pub fn parquet(
        &mut self,
        path: &Path,
        frame: &mut DataFrame,
        manifest_json: &str,
    ) -> Result<()> {
        let temp = Self::temp_for(path);
        let result = write_parquet(&temp, frame, manifest_json);
        self.record(path, temp, result)
    }

    /// [`Staged::parquet`] for several frames at the same time, each on a
    /// thread of its own (small files: the time is mostly set-up and I/O).
    pub fn parquet_all(
        &mut self,
        files: &mut [(PathBuf, DataFrame)],
        manifest_json: &str,
    ) -> Result<()> {
        let written: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .iter_mut()
                .map(|(path, frame)| {
                    let temp = Self::temp_for(path);
                    scope.spawn(move || {
                        let result = write_parquet(&temp, frame, manifest_json);
                        (temp, result)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a Parquet writer thread panicked"))
                .collect()
        });
        let mut first_error = Ok(());
        for ((path, _), (temp, result)) in files.iter().zip(written) {
            if first_error.is_ok() {
                first_error = self.record(path, temp, result);
            } else {
                let _ = std::fs::remove_file(&temp);
            }
        }
        first_error
    }

    /// Removes `path` (if it exists) on commit, after every staged file is
    /// in place: a file the committed outputs make stale.
    pub fn remove_on_commit(&mut self, path: &Path) {
        self.removals.push(path.to_path_buf());
    }

    /// Writes text under a temporary name.
    pub fn text(&mut self, path: &Path, text: &str) -> Result<()> {
        let temp = Self::temp_for(path);
        let result = std::fs::write(&temp, text).map_err(Into::into);
        self.record(path, temp, result)
    }

    fn record(
        &mut self,
        path: &Path,
        temp: PathBuf,
        result: std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<()> {
        match result {
            Ok(()) => {
                self.moves.push((temp, path.to_path_buf()));
                Ok(())
            }
            Err(source) => {
                let _ = std::fs::remove_file(&temp);
                self.abandon();
                Err(Error::Write {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
    }

    /// Removes the staged files.
    pub fn abandon(&mut self) {
        for (temp, _) in self.moves.drain(..) {
            let _ = std::fs::remove_file(temp);
        }
        for (temp, _) in self.folders.drain(..) {
            let _ = std::fs::remove_dir_all(temp);
        }
    }

    /// Renames every staged file into place.
    pub fn commit(mut self) -> Result<()> {
        let moves = std::mem::take(&mut self.moves);
        for (temp, path) in &moves {
            std::fs::rename(temp, path).map_err(|e| Error::Write {
                path: path.clone(),
                source: e.into(),
            })?;
        }
        let folders = std::mem::take(&mut self.folders);
        for (temp, dir) in &folders {
            let old = Self::temp_for(dir).with_extension("old");
            let had = dir.exists();
            if had {
                let _ = std::fs::remove_dir_all(&old);
                std::fs::rename(dir, &old).map_err(|e| Error::Write {
                    path: dir.clone(),
                    source: e.into(),
                })?;
            }
            if let Err(e) = std::fs::rename(temp, dir) {
                if had {
                    // Put the previous folder back.
                    let _ = std::fs::rename(&old, dir);
                }
                let _ = std::fs::remove_dir_all(temp);
                return Err(Error::Write {
                    path: dir.clone(),
                    source: e.into(),
                });
            }
            if had {
                let _ = std::fs::remove_dir_all(&old);
            }
        }
        for path in std::mem::take(&mut self.removals) {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Write {
                        path,
                        source: e.into(),
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl Default for Staged {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// Writes `frame` as zstd-compressed Parquet to `path`, with the manifest
/// as key-value metadata.
fn write_parquet(
    path: &Path,
    frame: &mut DataFrame,
    manifest_json: &str,
) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            MANIFEST_KEY.to_string(),
            manifest_json.to_string(),
        )])))
        .finish(frame)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, values: Vec<i64>) -> Column {
        Column::from(Series::new(name.into(), values))
    }

    #[test]
    fn parquet_all_stages_every_frame_or_none() {
        let dir = std::env::temp_dir().join(format!("attain-parquet-all-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        let frame =
            |n: i64| DataFrame::new(n as usize, vec![col("n", (0..n).collect::<Vec<i64>>())]);
        let frame = |n| frame(n).expect("a frame");
        // The second file's folder does not exist: the error names that
        // file, and the first file's temporary is removed too.
        let mut files = vec![
            (dir.join("one.parquet"), frame(2)),
            (dir.join("missing").join("two.parquet"), frame(3)),
        ];
        let mut staged = Staged::new();
        let error = staged
            .parquet_all(&mut files, "{}")
            .expect_err("a missing folder");
        assert!(error.to_string().contains("two.parquet"), "{error}");
        drop(staged);
        assert_eq!(std::fs::read_dir(&dir).expect("the folder").count(), 0);
        // Both in place: each file holds its own frame after the commit.
        let mut files = vec![
            (dir.join("one.parquet"), frame(2)),
            (dir.join("two.parquet"), frame(3)),
        ];
        let mut staged = Staged::new();
        staged.parquet_all(&mut files, "{}").expect("written");
        staged.commit().expect("committed");
        for (path, frame) in &files {
            let file = std::fs::File::open(path).expect("a table");
            let read = ParquetReader::new(file).finish().expect("Parquet");
            assert!(read.equals(frame), "{}", path.display());
        }
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("the folder")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporaries left: {names:?}");
        std::fs::remove_dir_all(&dir).expect("cleaned up");
    }
}
