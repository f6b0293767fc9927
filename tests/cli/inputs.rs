//! Inputs as people save them: CSV in GB18030/GBK or UTF-16 from a Chinese
//! Excel or WPS, the first sheet of an `.xlsx` workbook, ids as statistical
//! offices write them, and `check` on a data folder alone.

use super::*;

use encoding_rs::GB18030;
use rust_xlsxwriter::Workbook;

/// Gives the copy's history and indicators Chinese sources, so that their
/// encoding matters.
fn with_chinese_sources(fx: &Scratch) {
    let history = fx
        .read("data/history.csv")
        .replace("statistical yearbook", "统计年鉴")
        .replace("stated in the plan", "规划文本");
    fx.write("data/history.csv", &history);
}

/// Writes `rel` (a UTF-8 CSV of the copy) again in GB18030.
fn save_as_gbk(fx: &Scratch, rel: &str) {
    let text = fx.read(rel);
    let (bytes, _, unmappable) = GB18030.encode(&text);
    assert!(!unmappable);
    fs::write(fx.path(rel), bytes).unwrap();
}

/// Writes the CSV `rel` of the copy as the first sheet of `xlsx` (numbers as
/// numbers, other cells as text), as Excel would save it.
fn save_as_xlsx(fx: &Scratch, rel: &str, xlsx: &str) {
    let text = fx.read(rel);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(v) if r > 0 => sheet.write_number(r, c, v).map(|_| ()).unwrap(),
                _ if cell.is_empty() => {}
                _ => sheet.write_string(r, c, cell).map(|_| ()).unwrap(),
            }
        }
    }
    book.save(fx.path(xlsx)).unwrap();
}

/// `run` on the copy into its folder `out`, at seed 5.
fn run_named(fx: &Scratch, out: &str) -> Outcome {
    fx.run_to(&fx.path(out), &["--seed", "5"])
}

fn same_tables(fx: &Scratch, a: &str, b: &str) {
    for table in [
        "attainment.parquet",
        "fan.parquet",
        "scorecard.parquet",
        "required.parquet",
    ] {
        let x = read_parquet(&fx.path(a).join(table));
        let y = read_parquet(&fx.path(b).join(table));
        assert!(x.equals_missing(&y), "{table} differs between {a} and {b}");
    }
}

#[test]
fn gbk_csv_gives_the_same_tables_as_utf8_with_a_warning_naming_the_file() {
    let fx = fixture("gbk");
    with_chinese_sources(&fx);
    run_named(&fx, "utf8").assert_success();
    save_as_gbk(&fx, "data/history.csv");
    save_as_gbk(&fx, "data/indicators.csv");
    let gbk = run_named(&fx, "gbk");
    gbk.assert_success();
    same_tables(&fx, "utf8", "gbk");
    for file in ["history.csv", "indicators.csv"] {
        assert!(
            gbk.stdout
                .lines()
                .any(|l| l.contains(file) && l.contains("GB18030")),
            "a warning names {file}:\n{}",
            gbk.stdout
        );
    }
    // the Chinese names survive the decoding
    let att = read_parquet(&fx.path("gbk").join("attainment.parquet"));
    assert!(strings(&att, "name_zh").contains(&Some("质量指数".to_string())));
}

#[test]
fn utf16_text_from_excel_is_read_with_a_warning() {
    let fx = fixture("utf16");
    run_named(&fx, "utf8").assert_success();
    // Excel's "Unicode text": UTF-16 LE with a byte-order mark, tab-separated
    let text = fx.read("data/history.csv").replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    fs::write(fx.path("data/history.csv"), bytes).unwrap();
    let out = run_named(&fx, "utf16");
    out.assert_success();
    assert!(out.stdout.contains("UTF-16"), "{}", out.stdout);
    same_tables(&fx, "utf8", "utf16");
}

#[test]
fn xlsx_history_gives_the_same_tables_as_csv() {
    let fx = fixture("xlsx");
    with_chinese_sources(&fx);
    run_named(&fx, "csv").assert_success();
    save_as_xlsx(&fx, "data/history.csv", "data/history.xlsx");
    save_as_xlsx(&fx, "data/indicators.csv", "data/indicators.xlsx");
    fx.remove("data/history.csv");
    fx.remove("data/indicators.csv");
    let out = run_named(&fx, "xlsx");
    out.assert_success();
    same_tables(&fx, "csv", "xlsx");
    let manifest = fx.read("xlsx/run.json");
    assert!(manifest.contains("history.xlsx"), "the workbook is hashed");
}

#[test]
fn xlsx_errors_name_rows_as_the_workbook_numbers_them() {
    let fx = fixture("xlsx-row");
    let row = fx.set_line(
        "data/history.csv",
        "quality_index,2021,",
        "quality_index,2021,n/a,official,statistical yearbook 2022",
    );
    save_as_xlsx(&fx, "data/history.csv", "data/history.xlsx");
    fx.remove("data/history.csv");
    fx.check()
        .assert_input_error(&[&cell("history.xlsx", row, "value"), "a number", "`n/a`"]);
}

#[test]
fn latin1_or_binary_input_exits_2_naming_the_file_and_keeps_earlier_outputs() {
    let fx = fixture("latin1");
    fx.run(&[]).assert_success();
    let before = fs::read(fx.out().join("attainment.parquet")).unwrap();
    let manifest = fx.read("output/run.json");
    for (bytes, rel) in [
        (
            &b"id,name_zh,name_en,group,unit,transform,lower,upper,decimals\nq,Qualit\xe9,Quality,efficiency,index,level,,,1\n"[..],
            "data/indicators.csv",
        ),
        (&b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8"[..], "data/history.csv"),
    ] {
        let keep = fs::read(fx.path(rel)).unwrap();
        fs::write(fx.path(rel), bytes).unwrap();
        let out = fx.run(&[]);
        let name = rel.rsplit('/').next().unwrap();
        out.assert_input_error(&[name, "CSV UTF-8"]);
        assert_eq!(fs::read(fx.out().join("attainment.parquet")).unwrap(), before);
        assert_eq!(fx.read("output/run.json"), manifest);
        fs::write(fx.path(rel), keep).unwrap();
    }
}

#[test]
fn ids_as_statistical_offices_write_them_are_accepted() {
    let fx = fixture("ids");
    for rel in [
        "data/indicators.csv",
        "data/targets.csv",
        "data/history.csv",
        "scenarios/baseline.toml",
        "scenarios/push.toml",
    ] {
        let text = fx
            .read(rel)
            .replace("quality_index", "NY.GDP.MKTP.CD")
            .replace("rd_intensity", "N0001");
        fx.write(rel, &text);
    }
    fx.check().assert_success();
    let out = fx.run(&[]);
    out.assert_success();
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let ids = strings(&att, "indicator_id");
    assert!(ids.contains(&Some("NY.GDP.MKTP.CD".into())));
    assert!(ids.contains(&Some("N0001".into())));

    // a space or a Chinese character is still not an id
    let row = fx.set_line(
        "data/indicators.csv",
        "N0001,",
        "N 0001,研发投入强度,R&D intensity,efficiency,%,log,,,2",
    );
    fx.check().assert_input_error(&[
        &cell("indicators.csv", row, "id"),
        "`N 0001`",
        "NY.GDP.MKTP.CD",
    ]);
}

#[test]
fn check_validates_a_data_folder_alone_without_a_scenarios_folder() {
    let fx = fixture("data-alone");
    fs::remove_dir_all(fx.scenarios()).unwrap();
    let out = Outcome::of(
        Command::new(BIN)
            .current_dir(&fx.root)
            .args(["check", "--data", "data"]),
    );
    out.assert_success();
    assert!(out
        .stdout
        .contains("inputs are valid: 6 indicators, 6 targets, 0 scenarios"));
    assert!(out.stdout.contains("none checked"), "{}", out.stdout);
    // a scenarios folder named but missing is still an error
    let named = Outcome::of(Command::new(BIN).current_dir(&fx.root).args([
        "check",
        "--data",
        "data",
        "--scenarios",
        "scenarios",
    ]));
    assert_eq!(named.code, Some(2), "{}", named.text());
}
