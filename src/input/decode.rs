//! Input tables as people save them: the bytes of a CSV in whatever encoding
//! a spreadsheet wrote it, or an Excel workbook, turned into what the CSV
//! reader of [`super::table`] reads.
//!
//! In: a file's bytes (CSV) or its path (`.xlsx`). Out: [`CsvText`], UTF-8
//! text with its field separator and a warning when the file was not UTF-8;
//! or [`Sheet`], the first worksheet's cells as text with the spreadsheet
//! row number of its header.
//!
//! Encodings, in the order they are tried:
//! - UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8");
//! - UTF-16 with a byte-order mark (Excel's "Unicode text", tab-separated),
//!   with a warning;
//! - GB18030 (which includes GBK and GB2312: what Excel and WPS write as
//!   "CSV" on Chinese Windows), with a warning, when the whole file decodes
//!   without error to text made of Chinese characters, ASCII and the usual
//!   punctuation;
//! - anything else (Latin-1, binary data, …) is an input error naming the
//!   file and saying to save it as "CSV UTF-8".

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::error::{Error, Place, Result};

/// How to save a table so that it is read as it is.
pub const SAVE_AS: &str = "a table saved as \"CSV UTF-8\" (Excel: File → Save As → \
\"CSV UTF-8 (Comma delimited)\"; WPS: 另存为 → CSV, encoding UTF-8) or as .xlsx";

/// A CSV file's text, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvText {
    /// The text, UTF-8, without a byte-order mark, line ends as written.
    pub text: String,
    /// The field separator: `,`, or a tab for a tab-separated text.
    pub separator: u8,
    /// Set when the file was not UTF-8: what it was read as.
    pub warning: Option<String>,
}

/// Decodes the bytes of the CSV file `path`.
pub fn decode_csv(path: &Path, bytes: &[u8]) -> Result<CsvText> {
    let (text, read_as) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (utf8(path, rest)?, None)
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let encoding = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        (strict(path, encoding, &bytes[2..])?, Some("UTF-16"))
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), None)
    } else {
        (gb18030(path, bytes)?, Some("GB18030/GBK"))
    };
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(not_text(
            path,
            format!("binary data (a control character U+{:04X})", c as u32),
        ));
    }
    let header = text.lines().next().unwrap_or_default();
    let separator = if header.contains('\t') && !header.contains(',') {
        b'\t'
    } else {
        b','
    };
    Ok(CsvText {
        warning: read_as.map(|enc| {
            format!(
                "`{}` is not UTF-8: read as {enc}; save it as \"CSV UTF-8\" to silence this warning",
                path.display()
            )
        }),
        text,
        separator,
    })
}

fn not_text(path: &Path, found: String) -> Error {
    Error::input(Place::file(path), SAVE_AS, found)
}

fn utf8(path: &Path, bytes: &[u8]) -> Result<String> {
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
        not_text(
            path,
            format!("a byte that is not UTF-8 at offset {}", e.valid_up_to() + 3),
        )
    })
}

/// The text of `bytes` in `encoding`, or an error if any byte sequence is
/// malformed.
fn strict(path: &Path, encoding: &'static Encoding, bytes: &[u8]) -> Result<String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| {
            not_text(
                path,
                format!("text that is not valid {} either", encoding.name()),
            )
        })
}

/// GB18030 decodes almost any byte pairs, so a file is taken as GB18030
/// only if it reads as Chinese text: every character outside ASCII is a CJK
/// ideograph, CJK or full-width punctuation, or common typographic
/// punctuation. Latin-1 accents and binary data fail this test.
fn gb18030(path: &Path, bytes: &[u8]) -> Result<String> {
    let neither = || {
        not_text(
            path,
            "text that is neither UTF-8 nor GB18030/GBK nor UTF-16 (e.g. Latin-1), or binary data"
                .to_string(),
        )
    };
    let text = strict(path, GB18030, bytes).map_err(|_| neither())?;
    if text.chars().all(chinese_text_char) {
        Ok(text)
    } else {
        Err(neither())
    }
}

fn chinese_text_char(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x7F                // ASCII
        | 0xB7 | 0xD7 | 0xF7       // · × ÷
        | 0x2010..=0x2027          // dashes, quotes, ellipsis
        | 0x2030..=0x203B          // ‰ ′ ″ ※
        | 0x2103 | 0x2116 | 0x2160..=0x216B // ℃ № Roman numerals
        | 0x2190..=0x2199          // arrows
        | 0x2200..=0x22FF          // mathematical operators (≥ ≤ ±)
        | 0x2460..=0x249B          // circled and parenthesised numbers
        | 0x2500..=0x257F          // box drawing
        | 0x25A0..=0x25FF          // geometric shapes
        | 0x3000..=0x303F          // CJK punctuation
        | 0x3040..=0x30FF          // kana
        | 0x3100..=0x312F          // bopomofo
        | 0x3200..=0x33FF          // enclosed CJK, CJK compatibility
        | 0x3400..=0x4DBF          // CJK extension A
        | 0x4E00..=0x9FFF          // CJK unified ideographs
        | 0xF900..=0xFAFF          // CJK compatibility ideographs
        | 0xFE30..=0xFE4F          // CJK compatibility forms
        | 0xFF00..=0xFFEF          // full-width forms
        | 0x20000..=0x3134F        // CJK extensions B–G
    )
}

/// The first worksheet of a workbook as text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Column names (the header row).
    pub columns: Vec<String>,
    /// The cells of each row below the header, as text (`None` when empty).
    pub rows: Vec<Vec<Option<String>>>,
    /// The spreadsheet row number of the header (1 when it is the first row).
    pub header_row: usize,
}

/// Reads the first worksheet of the `.xlsx` file `path`.
pub fn read_xlsx(path: &Path) -> Result<Sheet> {
    let unreadable = |e: calamine::XlsxError| Error::Unreadable {
        place: Place::file(path),
        what: "not a readable Excel workbook (.xlsx)".into(),
        source: e.into(),
    };
    let mut book: Xlsx<_> = open_workbook(path).map_err(unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Error::input(Place::file(path), "a worksheet", "a workbook without one"))?
        .map_err(unreadable)?;
    let Some((first_row, first_col)) = range.start() else {
        return Err(Error::input(
            Place::file(path),
            "a header row",
            "an empty first worksheet",
        ));
    };
    let mut rows = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<_>>());
    let header = rows.next().unwrap_or_default();
    if first_col > 0 {
        return Err(Error::input(
            Place::file(path),
            "the header in the first row's first cell (A1) onwards",
            format!("a first worksheet starting in column {}", first_col + 1),
        ));
    }
    Ok(Sheet {
        columns: header.into_iter().map(Option::unwrap_or_default).collect(),
        rows: rows.collect(),
        header_row: first_row as usize + 1,
    })
}

/// A cell as the text a CSV would hold: numbers as Rust prints them
/// (2024, 3.2), text trimmed, empty cells as `None`.
fn cell_text(cell: &Data) -> Option<String> {
    let text = match cell {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Float(v) => format!("{v}"),
        Data::Int(v) => format!("{v}"),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Result<CsvText> {
        decode_csv(Path::new("data/history.csv"), bytes)
    }

    #[test]
    fn utf8_with_and_without_bom_reads_without_warning() {
        let plain = decode("id,name_zh\nrd,研发\n".as_bytes()).unwrap();
        assert_eq!(plain.text, "id,name_zh\nrd,研发\n");
        assert_eq!(plain.warning, None);
        let bom = decode("\u{feff}id,name_zh\nrd,研发\n".as_bytes()).unwrap();
        assert_eq!(bom.text, plain.text);
    }

    #[test]
    fn gbk_reads_with_a_warning_naming_the_file() {
        let (bytes, _, _) = GB18030.encode("id,name_zh,unit\nrd,研发投入强度（%）,“%”\n");
        let csv = decode(&bytes).unwrap();
        assert_eq!(csv.text, "id,name_zh,unit\nrd,研发投入强度（%）,“%”\n");
        let warning = csv.warning.unwrap();
        assert!(warning.contains("data/history.csv") && warning.contains("GB18030"));
    }

    #[test]
    fn utf16_with_bom_reads_tab_separated() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "id\tname_zh\r\nrd\t研发\r\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let csv = decode(&bytes).unwrap();
        assert_eq!(csv.separator, b'\t');
        assert_eq!(csv.text, "id\tname_zh\r\nrd\t研发\r\n");
        assert!(csv.warning.unwrap().contains("UTF-16"));
    }

    #[test]
    fn latin1_and_binary_are_refused_with_how_to_save() {
        for bytes in [
            &b"id,name\nq,Qualit\xe9 des produits\n"[..],
            &b"id,name\nq,d\xe9j\xe0 vu\n"[..],
            &b"\x00\x01\x02\xff\xfe\x00PK\x03\x04"[..],
            &b"id,name\nq,\x00\x00\n"[..],
        ] {
            let e = decode(bytes).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("data/history.csv"), "{text}");
            assert!(text.contains("CSV UTF-8"), "{text}");
            assert_eq!(e.exit_code(), 2);
        }
    }
}
