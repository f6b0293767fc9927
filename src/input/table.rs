//! Reading input tables with Polars: every cell as text.
//!
//! In: a path stem such as `data/history` (the `.csv` file, or the same table
//! as `.xlsx` or `.parquet`). Out: a [`RawTable`] of optional strings, one per
//! cell, that the catalog parses with errors naming file, row and column.
//!
//! Every column is read as text so that a bad cell is reported as what it is
//! ("expected a number, found `n/a`") rather than as a failed type inference.
//! CSV may be UTF-8 with or without a byte-order mark, with LF or CRLF line
//! ends; a CSV in GB18030/GBK or UTF-16, and the first sheet of an `.xlsx`
//! workbook, are first turned into that by [`super::decode`].

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::decode::{decode_csv, read_xlsx};
use crate::error::{Error, Place, Result};

/// A table read from disk: column names and, per row, the text of each cell
/// (`None` for an empty or null cell).
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file it came from.
    pub path: PathBuf,
    /// Column names, in file order.
    pub columns: Vec<String>,
    /// Cells, row-major. Wholly empty rows (blank lines) are left out.
    pub rows: Vec<Vec<Option<String>>>,
    /// The spreadsheet row number of each kept row (the header is row 1).
    pub numbers: Vec<usize>,
    /// Set when the file was read in an encoding other than UTF-8.
    pub warning: Option<String>,
}

/// The row number of data row `index` (0-based) as a spreadsheet shows it: the
/// header is row 1, so the first data row is row 2. The same numbering is used
/// for Parquet files, as if a header row preceded the data.
pub fn sheet_row(index: usize) -> usize {
    index + 2
}

/// Finds `stem.csv`, `stem.xlsx` or `stem.parquet` in `dir` (in that order).
pub fn find_table(dir: &Path, stem: &str) -> Result<PathBuf> {
    let csv = dir.join(format!("{stem}.csv"));
    for ext in ["csv", "xlsx", "parquet"] {
        let path = dir.join(format!("{stem}.{ext}"));
        if path.is_file() {
            return Ok(path);
        }
    }
    Err(Error::input(
        Place::file(&csv),
        format!("the file `{stem}.csv` (or `{stem}.xlsx`, `{stem}.parquet`)"),
        "no such file",
    ))
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Reads a CSV or Parquet table as text cells.
pub fn read_table(path: &Path) -> Result<RawTable> {
    let unreadable = |what: &str, e: Box<dyn std::error::Error + Send + Sync>| Error::Unreadable {
        place: Place::file(path),
        what: what.to_string(),
        source: e,
    };
    if has_extension(path, "xlsx") {
        return read_sheet(path);
    }
    let mut warning = None;
    let frame = if has_extension(path, "parquet") {
        let file = std::fs::File::open(path).map_err(|e| unreadable("cannot open", e.into()))?;
        ParquetReader::new(file)
            .finish()
            .map_err(|e| unreadable("not a readable Parquet file", e.into()))?
    } else {
        let bytes = std::fs::read(path).map_err(|e| unreadable("cannot open", e.into()))?;
        let decoded = decode_csv(path, &bytes)?;
        warning = decoded.warning;
        let text = decoded.text.replace("\r\n", "\n");
        if text.trim().is_empty() {
            return Err(Error::input(
                Place::file(path),
                "a header row",
                "an empty file",
            ));
        }
        super::csv_shape::check(path, &text, decoded.separator)?;
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_parse_options(CsvParseOptions::default().with_separator(decoded.separator))
            .into_reader_with_file_handle(Cursor::new(text.into_bytes()))
            .finish()
            // The shape is checked above; what the reader still refuses is
            // told without its options, which a user cannot set.
            .map_err(|_| {
                Error::input(
                    Place::file(path),
                    "a CSV table: a header row, then rows of as many fields, separated by commas",
                    "text the CSV reader cannot read as such a table",
                )
            })?
    };
    let mut table = to_raw(path, &frame)?;
    table.warning = warning;
    Ok(table)
}

/// The first worksheet of a workbook, with rows numbered as the workbook
/// numbers them.
fn read_sheet(path: &Path) -> Result<RawTable> {
    let sheet = read_xlsx(path)?;
    let columns: Vec<Column> = sheet
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let values: Vec<Option<&str>> = sheet
                .rows
                .iter()
                .map(|row| row.get(c).and_then(|v| v.as_deref()))
                .collect();
            Column::new(name.as_str().into(), values)
        })
        .collect();
    let frame = DataFrame::new(sheet.rows.len(), columns).map_err(|e| Error::Unreadable {
        place: Place::file(path),
        what: "its first worksheet is not a table (a header row, then one row per record)".into(),
        source: e.into(),
    })?;
    let mut table = to_raw(path, &frame)?;
    for n in &mut table.numbers {
        *n += sheet.header_row - 1;
    }
    Ok(table)
}

fn to_raw(path: &Path, frame: &DataFrame) -> Result<RawTable> {
    let columns: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    let mut text_columns = Vec::with_capacity(columns.len());
    for column in frame.columns() {
        let as_text = column
            .cast(&DataType::String)
            .map_err(|e| Error::Unreadable {
                place: Place::file(path),
                what: format!("column `{}` cannot be read as text", column.name()),
                source: e.into(),
            })?;
        let values: Vec<Option<String>> = as_text
            .str()
            .map_err(|e| Error::Unreadable {
                place: Place::file(path),
                what: format!("column `{}` cannot be read as text", column.name()),
                source: e.into(),
            })?
            .iter()
            .map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from))
            .collect();
        text_columns.push(values);
    }
    let height = frame.height();
    let mut rows = Vec::with_capacity(height);
    let mut numbers = Vec::with_capacity(height);
    for r in 0..height {
        let row: Vec<Option<String>> = text_columns.iter().map(|c| c[r].clone()).collect();
        if row.iter().any(Option::is_some) {
            rows.push(row);
            numbers.push(sheet_row(r));
        }
    }
    Ok(RawTable {
        path: path.to_path_buf(),
        columns,
        rows,
        numbers,
        warning: None,
    })
}

impl RawTable {
    /// The index of a required column, or an error naming it.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| {
            Error::input(
                Place::file(&self.path),
                format!("a column `{name}`"),
                format!("columns {}", self.columns.join(", ")),
            )
        })
    }

    /// The index of an optional column.
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// A reader over the cells of data row `index`.
    pub fn row(&self, index: usize) -> Row<'_> {
        Row { table: self, index }
    }
}

/// One data row, with typed getters whose errors name file, row and column.
pub struct Row<'a> {
    table: &'a RawTable,
    index: usize,
}

impl Row<'_> {
    /// The row number as a spreadsheet shows it.
    pub fn number(&self) -> usize {
        self.table.numbers[self.index]
    }

    fn place(&self, column: usize) -> Place {
        Place::cell(&self.table.path, self.number(), &self.table.columns[column])
    }

    /// The place of this row as a whole.
    pub fn row_place(&self) -> Place {
        Place::row(&self.table.path, self.number())
    }

    /// The place of one cell of this row.
    pub fn cell_place(&self, column: usize) -> Place {
        self.place(column)
    }

    /// The raw text of a cell.
    pub fn text(&self, column: usize) -> Option<&str> {
        self.table.rows[self.index][column].as_deref()
    }

    /// A required text cell.
    pub fn string(&self, column: usize, expected: &str) -> Result<String> {
        self.text(column)
            .map(String::from)
            .ok_or_else(|| Error::input(self.place(column), expected, "an empty cell"))
    }

    /// An optional number.
    pub fn opt_f64(&self, column: usize) -> Result<Option<f64>> {
        match self.text(column) {
            None => Ok(None),
            Some(t) => match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(Error::input(
                    self.place(column),
                    "a number",
                    format!("`{t}`"),
                )),
            },
        }
    }

    /// A required number.
    pub fn f64(&self, column: usize) -> Result<f64> {
        self.opt_f64(column)?
            .ok_or_else(|| Error::input(self.place(column), "a number", "an empty cell"))
    }

    /// An optional whole number (a year, a count of decimals); `2030.0` is accepted.
    pub fn opt_i32(&self, column: usize) -> Result<Option<i32>> {
        match self.text(column) {
            None => Ok(None),
            Some(t) => {
                let parsed = t.parse::<i32>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|v| v.fract() == 0.0 && v.abs() < 1e9)
                        .map(|v| v as i32)
                });
                parsed.map(Some).ok_or_else(|| {
                    Error::input(self.place(column), "a whole number", format!("`{t}`"))
                })
            }
        }
    }

    /// A required whole number.
    pub fn i32(&self, column: usize) -> Result<i32> {
        self.opt_i32(column)?
            .ok_or_else(|| Error::input(self.place(column), "a whole number", "an empty cell"))
    }
}
