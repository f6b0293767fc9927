//! One definition per output table: a row struct whose field names are the
//! column names, turned into a Polars frame and read back from one.
//!
//! In: a row type declared with [`table!`](crate::table). Out: its
//! [`Table`] implementation: the column names in order ([`Table::COLUMNS`]),
//! a frame of rows for the Parquet writer ([`Table::to_frame`]) and typed
//! rows from a frame ([`Table::from_frame`]), with errors naming the file,
//! the row (as a spreadsheet numbers it) and the column. The writer, the
//! report, `compare` and the tests all go through it, so a column is spelled
//! once.
//!
//! Cells: text, `f64`, `i32`, `i64`, `u32`, `bool` and the [`Named`] enums
//! (written as their names); `Option<_>` of any of them is a nullable
//! column. Reading is lenient where a spreadsheet or another tool may have
//! changed a type (any integer type for an integer column, any number for a
//! float column) and where a table of an earlier version lacks a nullable
//! column (read as nulls).

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, Place, Result};
use crate::input::table::sheet_row;
use crate::model::Named;

/// An output table: its columns and its rows as frames.
pub trait Table: Sized {
    /// The column names, in order.
    const COLUMNS: &'static [&'static str];

    /// The rows as a frame.
    fn to_frame(rows: &[Self]) -> PolarsResult<DataFrame>;

    /// The rows of a frame read from `file`.
    fn from_frame(file: &Path, frame: &DataFrame) -> Result<Vec<Self>>;
}

/// Why a column could not be read.
pub enum Unreadable {
    /// The column has another type.
    Type,
    /// A cell holds a value the type does not know (row index, what it holds).
    Value(usize, String),
}

/// The value of a non-null cell.
pub trait Value: Sized + Clone {
    /// What a column of these holds, for error messages.
    fn expected() -> String;

    /// A column of optional values.
    fn column(name: &str, values: Vec<Option<Self>>) -> Column;

    /// A column's values (None: null).
    fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable>;
}

/// A field of a row struct: a [`Value`], or an `Option` of one (nullable).
pub trait Field: Sized {
    /// The cell value.
    type Value: Value;
    /// Whether the column may hold nulls (and may be missing in a table of
    /// an earlier version).
    const NULLABLE: bool;
    /// As an optional cell.
    fn into_cell(self) -> Option<Self::Value>;
    /// From an optional cell (None when a required cell is null).
    fn from_cell(cell: Option<Self::Value>) -> Option<Self>;
}

impl<T: Value> Field for T {
    type Value = T;
    const NULLABLE: bool = false;
    fn into_cell(self) -> Option<T> {
        Some(self)
    }
    fn from_cell(cell: Option<T>) -> Option<T> {
        cell
    }
}

impl<T: Value> Field for Option<T> {
    type Value = T;
    const NULLABLE: bool = true;
    fn into_cell(self) -> Option<T> {
        self
    }
    fn from_cell(cell: Option<T>) -> Option<Option<T>> {
        Some(cell)
    }
}

fn series<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Column::from(Series::new(name.into(), values))
}

impl Value for String {
    fn expected() -> String {
        "text".into()
    }
    fn column(name: &str, values: Vec<Option<Self>>) -> Column {
        series(name, values)
    }
    fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable> {
        let values = column
            .as_materialized_series()
            .str()
            .map_err(|_| Unreadable::Type)?;
        Ok(values.iter().map(|v| v.map(String::from)).collect())
    }
}

/// A numeric column cast to `dtype`, when its type is one `accept` takes.
fn cast(
    column: &Column,
    accept: bool,
    dtype: &DataType,
) -> std::result::Result<Series, Unreadable> {
    if !accept {
        return Err(Unreadable::Type);
    }
    column
        .as_materialized_series()
        .cast(dtype)
        .map_err(|_| Unreadable::Type)
}

impl Value for f64 {
    fn expected() -> String {
        "numbers".into()
    }
    fn column(name: &str, values: Vec<Option<Self>>) -> Column {
        series(name, values)
    }
    fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable> {
        let numeric = column.dtype().is_primitive_numeric();
        let cast = cast(column, numeric, &DataType::Float64)?;
        Ok(cast.f64().map_err(|_| Unreadable::Type)?.iter().collect())
    }
}

macro_rules! integer_value {
    ($t:ty, $dtype:expr, $get:ident) => {
        impl Value for $t {
            fn expected() -> String {
                "integers".into()
            }
            fn column(name: &str, values: Vec<Option<Self>>) -> Column {
                series(name, values)
            }
            fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable> {
                let integer = column.dtype().is_integer();
                let cast = cast(column, integer, &$dtype)?;
                Ok(cast.$get().map_err(|_| Unreadable::Type)?.iter().collect())
            }
        }
    };
}

integer_value!(i32, DataType::Int32, i32);
integer_value!(i64, DataType::Int64, i64);
integer_value!(u32, DataType::UInt32, u32);

impl Value for bool {
    fn expected() -> String {
        "true/false values".into()
    }
    fn column(name: &str, values: Vec<Option<Self>>) -> Column {
        series(name, values)
    }
    fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable> {
        let values = column
            .as_materialized_series()
            .bool()
            .map_err(|_| Unreadable::Type)?;
        Ok(values.iter().collect())
    }
}

impl<T: Named> Value for T {
    fn expected() -> String {
        format!("text: {}", T::expected())
    }
    fn column(name: &str, values: Vec<Option<Self>>) -> Column {
        let names: Vec<Option<&str>> = values.iter().map(|v| v.map(|v| v.name())).collect();
        series(name, names)
    }
    fn read(column: &Column) -> std::result::Result<Vec<Option<Self>>, Unreadable> {
        let texts = String::read(column)?;
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| match text {
                None => Ok(None),
                Some(text) => T::parse(&text)
                    .map(Some)
                    .ok_or(Unreadable::Value(i, format!("`{text}`"))),
            })
            .collect()
    }
}

/// A column of a table from the rows' field values.
pub fn column<F: Field>(name: &str, values: impl Iterator<Item = F>) -> Column {
    F::Value::column(name, values.map(F::into_cell).collect())
}

/// The place of a column of `file`.
fn column_place(file: &Path, name: &str) -> Place {
    Place {
        file: file.to_path_buf(),
        at: Some(format!("column `{name}`")),
    }
}

/// The cells of column `name` of a frame read from `file`. A nullable
/// column missing from the frame (a table of an earlier version) reads as
/// nulls.
pub fn read<F: Field>(file: &Path, frame: &DataFrame, name: &str) -> Result<Vec<Option<F::Value>>> {
    let expected = || format!("a column of {}", F::Value::expected());
    let Ok(column) = frame.column(name) else {
        if F::NULLABLE {
            return Ok(vec![None; frame.height()]);
        }
        return Err(Error::input(
            column_place(file, name),
            expected(),
            "no such column",
        ));
    };
    F::Value::read(column).map_err(|why| match why {
        Unreadable::Type => Error::input(
            column_place(file, name),
            expected(),
            format!("a column of type {}", column.dtype()),
        ),
        Unreadable::Value(row, found) => Error::input(
            Place::cell(file, sheet_row(row), name),
            F::Value::expected(),
            found,
        ),
    })
}

/// The field value of row `row` (0-based) of a column read with [`read`].
pub fn cell<F: Field>(
    file: &Path,
    cells: &[Option<F::Value>],
    row: usize,
    name: &str,
) -> Result<F> {
    F::from_cell(cells[row].clone())
        .ok_or_else(|| Error::input(Place::cell(file, sheet_row(row), name), "a value", "a null"))
}

/// Declares the row struct of an output table, its fields named as its
/// columns, and implements [`Table`] for it.
#[macro_export]
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )+
        }

        impl $crate::tables::schema::Table for $name {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn to_frame(rows: &[Self]) -> ::polars::prelude::PolarsResult<::polars::prelude::DataFrame> {
                ::polars::prelude::DataFrame::new(
                    rows.len(),
                    vec![$(
                        $crate::tables::schema::column::<$ty>(
                            stringify!($field),
                            rows.iter().map(|r| r.$field.clone()),
                        )
                    ),+],
                )
            }

            fn from_frame(
                file: &::std::path::Path,
                frame: &::polars::prelude::DataFrame,
            ) -> $crate::error::Result<Vec<Self>> {
                $(
                    let $field = $crate::tables::schema::read::<$ty>(file, frame, stringify!($field))?;
                )+
                (0..frame.height())
                    .map(|i| {
                        Ok($name {
                            $(
                                $field: $crate::tables::schema::cell::<$ty>(
                                    file, &$field, i, stringify!($field),
                                )?,
                            )+
                        })
                    })
                    .collect()
            }
        }
    };
}
