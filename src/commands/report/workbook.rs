//! The run as one Excel workbook, for people who work in Excel or WPS.
//!
//! In: the run's tables (Polars frames, read from its Parquet files) and its
//! manifest. Out: the bytes of `attain.xlsx`: one sheet per table
//! (`attainment`, `required`, `scorecard`, `fan`, `sensitivity`, `compare`
//! when present, then any other table of the folder), each with two header
//! rows (the Chinese name of each column, then its Parquet name) frozen above
//! the rows, probabilities formatted as percentages (the cell holds the
//! probability itself, as in Parquet), nulls as empty cells and widths that
//! fit the contents; and a `manifest` sheet (seed, draws, threads, times,
//! scenarios, the SHA-256 of every input).

use polars::prelude::*;
use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::commands::words::{column_zh, display_width, is_probability};
use crate::tables::manifest::Manifest;

/// Sheets in this order first; other tables follow in file-name order.
const ORDER: [&str; 6] = [
    "attainment",
    "required",
    "scorecard",
    "fan",
    "sensitivity",
    "compare",
];

/// Widest column, in characters.
const MAX_WIDTH: usize = 48;

/// The workbook of the run whose tables are `frames` (file name, frame).
pub fn workbook(frames: &[(String, DataFrame)], manifest: &Manifest) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let styles = Styles::new();
    let mut sheets: Vec<(&str, &DataFrame)> = frames
        .iter()
        .map(|(name, frame)| (name.trim_end_matches(".parquet"), frame))
        .collect();
    let rank = |name: &str| ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len());
    sheets.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then(a.0.cmp(b.0)));
    for (name, frame) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(name))?;
        table_sheet(sheet, frame, &styles)?;
    }
    let sheet = book.add_worksheet();
    sheet.set_name("manifest")?;
    manifest_sheet(sheet, manifest, &styles)?;
    book.save_to_buffer()
}

struct Styles {
    zh: Format,
    en: Format,
    percent: Format,
    fine_percent: Format,
}

impl Styles {
    fn new() -> Self {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xE8EEF6))
            .set_align(FormatAlign::Center);
        Styles {
            zh: header.clone(),
            en: header.set_font_color(Color::RGB(0x555555)).set_italic(),
            percent: Format::new().set_num_format("0.0%"),
            fine_percent: Format::new().set_num_format("0.00%"),
        }
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

fn table_sheet(sheet: &mut Worksheet, frame: &DataFrame, styles: &Styles) -> Result<(), XlsxError> {
    for (c, column) in frame.columns().iter().enumerate() {
        let col = c as u16;
        let name = column.name().as_str();
        let zh = column_zh(name).unwrap_or(name);
        sheet.write_string_with_format(0, col, zh, &styles.zh)?;
        sheet.write_string_with_format(1, col, name, &styles.en)?;
        let mut width = display_width(zh).max(display_width(name));
        let series = column.as_materialized_series();
        let fine = name.ends_with("_se");
        match series.dtype() {
            DataType::Boolean => {
                if let Ok(values) = series.bool() {
                    for (r, v) in values.iter().enumerate() {
                        if let Some(v) = v {
                            sheet.write_boolean(row(r), col, v)?;
                        }
                    }
                }
                width = width.max(5);
            }
            dtype if dtype.is_primitive_numeric() => {
                let as_f64 = series.cast(&DataType::Float64).ok();
                let values = as_f64.as_ref().and_then(|s| s.f64().ok());
                for (r, v) in values.into_iter().flat_map(|ca| ca.iter()).enumerate() {
                    let Some(v) = v.filter(|v| v.is_finite()) else {
                        continue;
                    };
                    if is_probability(name) {
                        let format = if fine {
                            &styles.fine_percent
                        } else {
                            &styles.percent
                        };
                        sheet.write_number_with_format(row(r), col, v, format)?;
                        width = width.max(8);
                    } else {
                        sheet.write_number(row(r), col, v)?;
                        width = width.max(shown_width(v));
                    }
                }
            }
            _ => {
                let as_text = series.cast(&DataType::String).ok();
                let values = as_text.as_ref().and_then(|s| s.str().ok());
                for (r, v) in values.into_iter().flat_map(|ca| ca.iter()).enumerate() {
                    if let Some(v) = v {
                        sheet.write_string(row(r), col, v)?;
                        width = width.max(display_width(v));
                    }
                }
            }
        }
        sheet.set_column_width(col, (width.min(MAX_WIDTH) + 2) as f64)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

/// The sheet row of data row `r` (below the two header rows).
fn row(r: usize) -> u32 {
    r as u32 + 2
}

/// About how many characters Excel's General format shows for `v`.
fn shown_width(v: f64) -> usize {
    let text = format!("{v}");
    text.len().min(11)
}

fn manifest_sheet(sheet: &mut Worksheet, m: &Manifest, styles: &Styles) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, "项目", &styles.zh)?;
    sheet.write_string_with_format(0, 1, "值", &styles.zh)?;
    sheet.write_string_with_format(1, 0, "item", &styles.en)?;
    sheet.write_string_with_format(1, 1, "value", &styles.en)?;
    let mut rows: Vec<(String, String)> = vec![
        ("tool 工具".into(), format!("{} {}", m.tool, m.version)),
        ("seed 随机种子".into(), m.seed.to_string()),
        ("draws 模拟次数".into(), m.draws.to_string()),
        (
            "draws_requested 请求的模拟次数".into(),
            m.draws_requested.to_string(),
        ),
        ("threads 线程数".into(), m.threads.to_string()),
        ("horizon 预测终止年份".into(), m.horizon.to_string()),
        ("started_utc 开始时间（UTC）".into(), m.started_utc.clone()),
        (
            "wall_seconds 用时（秒）".into(),
            format!("{:.2}", m.wall_seconds),
        ),
        ("scenarios 情景".into(), m.scenarios.join(", ")),
    ];
    if let Some(e) = m.precision {
        rows.push(("precision 精度目标".into(), e.to_string()));
    }
    if let Some(y) = m.effort_from {
        rows.push(("effort_from 努力起始年份".into(), y.to_string()));
    }
    if let Some(y) = m.target_year {
        rows.push(("target_year 目标年份".into(), y.to_string()));
    }
    if !m.only.is_empty() {
        rows.push(("only 仅限".into(), m.only.join(", ")));
    }
    for (path, sha) in &m.inputs {
        rows.push((format!("input 输入文件 {path}"), format!("sha256:{sha}")));
    }
    let mut widths = (8, 8);
    for (i, (key, value)) in rows.iter().enumerate() {
        sheet.write_string(row(i), 0, key)?;
        // Numbers as numbers, so they can be used in formulas.
        match value.parse::<f64>() {
            Ok(v) if !value.is_empty() => sheet.write_number(row(i), 1, v)?,
            _ => sheet.write_string(row(i), 1, value)?,
        };
        widths.0 = widths.0.max(display_width(key));
        widths.1 = widths.1.max(display_width(value));
    }
    sheet.set_column_width(0, (widths.0.min(80) + 2) as f64)?;
    sheet.set_column_width(1, (widths.1.min(80) + 2) as f64)?;
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name("attainment"), "attainment");
        assert_eq!(sheet_name("a/b"), "a_b");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
