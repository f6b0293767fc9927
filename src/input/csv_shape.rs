//! The shape of a CSV file, checked before the CSV reader sees it, so that
//! a malformed file is reported as a person would describe it ("row 7 has 6
//! fields, the header 5", "a quote is not closed") and not in the reader's
//! terms (its options and internals).
//!
//! In: the decoded text of a CSV file (UTF-8, line ends already LF). Out:
//! nothing, or an input error naming the file and the row as a spreadsheet
//! numbers it (the header is row 1; a quoted cell spanning lines is one
//! row), quoting at most a short excerpt of the text. The rules are those
//! of RFC 4180: fields separated by commas, a field may be quoted with `"`,
//! a quote inside a quoted field is doubled.

use std::path::Path;

use crate::error::{Error, Place, Result};

/// Characters of the offending text quoted in a message, at most.
const EXCERPT_CHARS: usize = 30;

/// The first few characters of `text`, with `…` when there are more.
pub fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    let head = head.replace('\n', "↵");
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Checks that every row of `text` (fields separated by `separator`, an
/// ASCII byte: `,`, or a tab in a UTF-16 export) has as many fields as the
/// header, that every quoted field is closed and ends at its closing quote,
/// and that no column name is used twice. Wholly empty lines are ignored.
pub fn check(path: &Path, text: &str, separator: u8) -> Result<()> {
    let sep = separator;
    let bytes = text.as_bytes();
    let mut row = 1;
    let mut i = 0;
    let mut header: Option<Vec<String>> = None;
    while i < bytes.len() {
        // One record: fields until an unquoted newline or the end.
        if bytes[i] == b'\n' {
            // A blank line.
            row += 1;
            i += 1;
            continue;
        }
        let start_row = row;
        let mut fields: Vec<String> = Vec::new();
        loop {
            let mut field = String::new();
            if i < bytes.len() && bytes[i] == b'"' {
                let opened = i;
                i += 1;
                let mut closed = false;
                let from = i;
                while i < bytes.len() {
                    match bytes[i] {
                        b'"' if bytes.get(i + 1) == Some(&b'"') => i += 2,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                if !closed {
                    return Err(Error::input(
                        Place::row(path, start_row),
                        "every quoted cell closed by a quote `\"`",
                        format!(
                            "a quote is not closed: the cell opening `{}` runs to the end of the file",
                            excerpt(&text[opened..])
                        ),
                    ));
                }
                field.push_str(&text[from..i]);
                i += 1; // the closing quote
                let from = i;
                while i < bytes.len() && bytes[i] != sep && bytes[i] != b'\n' {
                    i += 1;
                }
                if !text[from..i].trim().is_empty() {
                    return Err(Error::input(
                        Place::row(path, start_row),
                        "a quoted cell that ends at its closing quote (a quote inside a quoted cell is written twice: `\"\"`)",
                        format!(
                            "`{}` after the closing quote of `\"{}\"`",
                            excerpt(&text[from..i]),
                            excerpt(&field)
                        ),
                    ));
                }
            } else {
                let from = i;
                while i < bytes.len() && bytes[i] != sep && bytes[i] != b'\n' {
                    i += 1;
                }
                field.push_str(&text[from..i]);
            }
            fields.push(field);
            if i < bytes.len() && bytes[i] == sep {
                i += 1;
                continue;
            }
            break;
        }
        // At a newline or the end.
        if i < bytes.len() {
            i += 1;
        }
        match &header {
            None => {
                for (k, name) in fields.iter().enumerate() {
                    let name = name.trim();
                    if let Some(first) = fields[..k].iter().position(|f| f.trim() == name) {
                        return Err(Error::input(
                            Place::row(path, 1),
                            "column names that differ from each other",
                            format!("`{}` as column {} and {}", excerpt(name), first + 1, k + 1),
                        ));
                    }
                }
                header = Some(fields);
            }
            Some(names) if fields.len() != names.len() => {
                let n = fields.len();
                return Err(Error::input(
                    Place::row(path, start_row),
                    format!(
                        "{} fields on every row, as on the header (a comma inside a cell needs quotes)",
                        names.len()
                    ),
                    format!(
                        "row {start_row} has {n} field{}, the header {}",
                        if n == 1 { "" } else { "s" },
                        names.len()
                    ),
                ));
            }
            Some(_) => {}
        }
        row += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        check(Path::new("t.csv"), text, b',')
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_well_formed_table_passes_with_quotes_blank_lines_and_a_last_line_without_newline() {
        let text = "a,b,c\n1,\"x, y\",3\n\n4,\"say \"\"hi\"\"\",6\n7,\"two\nlines\",9\n10,11,12";
        assert!(check(Path::new("t.csv"), text, b',').is_ok());
    }

    #[test]
    fn a_row_with_more_or_fewer_fields_is_named_with_both_counts() {
        let m = message("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5,6\n");
        assert!(
            m.contains("row 3") && m.contains("row 3 has 6 fields, the header 5"),
            "{m}"
        );
        let m = message("a,b\n1\n");
        assert!(m.contains("row 2 has 1 field, the header 2"), "{m}");
    }

    #[test]
    fn an_unclosed_quote_is_named_with_a_short_excerpt() {
        let long = "x".repeat(100_000);
        let m = message(&format!("a,b\n1,2\n3,\"{long}\n"));
        assert!(
            m.contains("row 3") && m.contains("a quote is not closed"),
            "{m}"
        );
        assert!(m.len() < 400, "{m}");
    }

    #[test]
    fn a_row_number_counts_a_cell_spanning_lines_as_one_row() {
        let m = message("a,b\n\"1\n2\",3\n4,5,6\n");
        assert!(m.contains("row 3 has 3 fields"), "{m}");
    }

    #[test]
    fn text_after_a_closing_quote_and_a_repeated_column_are_errors() {
        assert!(message("a,b\n\"1\"x,2\n").contains("after the closing quote"));
        assert!(message("a,b,a\n1,2,3\n").contains("`a` as column 1 and 3"));
    }
}
