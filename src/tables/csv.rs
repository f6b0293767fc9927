//! Spreadsheet copies of a run's tables: CSV that Excel opens with Chinese intact.
//!
//! In: a Polars frame read from one of the run's Parquet files. Out: the same
//! table as CSV bytes, UTF-8 with a byte-order mark (Excel reads a CSV
//! without one in the machine's legacy code page and garbles Chinese), a
//! header row, `,` between fields, nulls as empty cells, one line per row.

use polars::prelude::*;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `frame` as CSV with a UTF-8 byte-order mark.
pub fn csv_with_bom(frame: &DataFrame) -> PolarsResult<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut frame = frame.clone();
    CsvWriter::new(&mut bytes)
        .include_bom(true)
        .include_header(true)
        .finish(&mut frame)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_copy_starts_with_the_bom_and_keeps_chinese_and_nulls() {
        let frame = DataFrame::new(
            2,
            vec![
                Column::new("name_zh".into(), ["研发投入强度", "食品"]),
                Column::new("p".into(), [Some(0.5), None]),
            ],
        )
        .unwrap();
        let bytes = csv_with_bom(&frame).unwrap();
        assert!(bytes.starts_with(BOM));
        let text = std::str::from_utf8(&bytes[BOM.len()..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, ["name_zh,p", "研发投入强度,0.5", "食品,"]);
    }
}
