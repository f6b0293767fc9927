//! `--lang zh|en`: what people read in Chinese or English, on every command;
//! the tables' columns never change with it.

use super::*;

#[test]
fn run_in_chinese_prints_chinese_headings_names_and_terms() {
    let fx = fixture("lang-run-zh");
    let zh = fx.run(&["--lang", "zh"]);
    zh.assert_success();
    let text = &zh.stdout;
    for part in [
        "目标达成概率",
        "次模拟",
        "基准情景判断",
        "质量指数",
        "暂无公开数据",
        "表格已写入",
    ] {
        assert!(text.contains(part), "{part:?} in\n{text}");
    }
    // a likelihood term in Chinese on some row
    assert!(
        [
            "几乎确定",
            "很可能",
            "可能",
            "或许可能",
            "不太可能",
            "很不可能",
            "极不可能"
        ]
        .iter()
        .any(|t| text.contains(t)),
        "{text}"
    );
    assert!(!text.contains("baseline says"), "{text}");

    // the same run in English reads as before; the tables are the same
    let zh_tables = read_parquet(&fx.out().join("attainment.parquet"));
    let en = fx.run(&["--lang", "en"]);
    en.assert_success();
    assert!(
        en.stdout.starts_with("P(target met), 4000 draws"),
        "{}",
        en.stdout
    );
    assert!(en.stdout.contains("baseline says"));
    assert!(en.stdout.contains("quality_index_2030"));
    let en_tables = read_parquet(&fx.out().join("attainment.parquet"));
    assert_eq!(column_names(&zh_tables), column_names(&en_tables));
    assert_eq!(column_names(&en_tables), AttainmentRow::COLUMNS);
    assert_eq!(
        floats(&zh_tables, "p_attain"),
        floats(&en_tables, "p_attain")
    );
}

#[test]
fn the_default_language_follows_lang() {
    let fx = fixture("lang-env");
    let check = |lang_env: &str| {
        Outcome::of(
            Command::new(BIN)
                .env("LANG", lang_env)
                .arg("check")
                .arg("--data")
                .arg(fx.data())
                .arg("--scenarios")
                .arg(fx.scenarios()),
        )
    };
    let zh = check("zh_CN.UTF-8");
    zh.assert_success();
    assert!(zh.stdout.starts_with("输入有效"), "{}", zh.stdout);
    let en = check("en_US.UTF-8");
    en.assert_success();
    assert!(en.stdout.starts_with("inputs are valid"), "{}", en.stdout);
    // --lang wins over LANG
    let forced = Outcome::of(
        Command::new(BIN)
            .env("LANG", "zh_CN.UTF-8")
            .args(["check", "--lang", "en", "--data"])
            .arg(fx.data())
            .arg("--scenarios")
            .arg(fx.scenarios()),
    );
    forced.assert_success();
    assert!(forced.stdout.starts_with("inputs are valid"));
}

#[test]
fn an_unknown_language_is_an_argument_error() {
    let fx = fixture("lang-bad");
    let out = fx.run(&["--lang", "fr"]);
    out.assert_input_error(&["--lang", "`zh` or `en`", "`fr`"]);
}

#[test]
fn compare_and_report_speak_chinese_too() {
    let fx = fixture("lang-compare");
    fx.run(&[]).assert_success();
    let old = fx.path("old");
    fs::rename(fx.out(), &old).unwrap();
    fx.run(&[]).assert_success();
    let cmp = Outcome::of(
        Command::new(BIN)
            .args(["compare", "--lang", "zh"])
            .arg(&old)
            .arg(fx.out()),
    );
    cmp.assert_success();
    assert!(cmp.stdout.contains("上次运行") && cmp.stdout.contains("表格已写入"));

    let report = Outcome::of(
        Command::new(BIN)
            .args(["report", "--lang", "zh", "--out"])
            .arg(fx.out())
            .arg("--data")
            .arg(fx.data()),
    );
    report.assert_success();
    assert!(report.stdout.contains("报告已写入"), "{}", report.stdout);
    let html = fs::read_to_string(fx.out().join("report/index.html")).unwrap();
    assert!(html.contains("<html lang=\"zh-Hans\">"));
    assert!(html.contains("目标 × 情景：各情景下的达成概率"));
    assert!(html.contains("95% 区间"));
    assert!(!html.contains("Fan charts"), "the page is in Chinese");
    // the scenarios' descriptions are on the page
    assert!(html.contains("Faster quality gains and a faster regulation."));
}
