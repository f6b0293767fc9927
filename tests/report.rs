//! End-to-end tests of `attain report`: the real binary runs the shipped data
//! (`data/`, `scenarios/`) with few draws into a private folder under
//! `CARGO_TARGET_TMPDIR`, then renders the report, and the tests read back
//! the page, the chart files and the CSV copies against the Parquet tables.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use polars::prelude::*;

mod common;
use common::{floats, read_parquet, repo, Scratch, BIN};
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A private run of the shipped data (few draws), in a scratch folder.
struct Run {
    scratch: Scratch,
}

impl Run {
    fn new(label: &str) -> Self {
        let scratch = Scratch::empty(&format!("report-{label}"));
        let run = Run { scratch };
        let out = Command::new(BIN)
            .env("LANG", "C")
            .arg("run")
            .arg("--data")
            .arg(repo("data"))
            .arg("--scenarios")
            .arg(repo("scenarios"))
            .arg("--out")
            .arg(run.out())
            .args(["--draws", "2000", "--quiet"])
            .output()
            .unwrap();
        assert_success(&out);
        run
    }

    fn out(&self) -> PathBuf {
        self.scratch.path("out")
    }

    fn report_dir(&self) -> PathBuf {
        self.out().join("report")
    }

    fn report(&self, extra: &[&str]) -> Output {
        Command::new(BIN)
            .env("LANG", "C")
            .arg("report")
            .arg("--out")
            .arg(self.out())
            .args(extra)
            .output()
            .unwrap()
    }
}

fn assert_success(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_input_error(out: &Output, parts: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    for part in parts {
        assert!(
            stderr.contains(part),
            "stderr should name {part:?}:\n{stderr}"
        );
    }
}

/// A text column with nulls read as empty strings.
fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
    common::strings(frame, name)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect()
}

/// The fields of one CSV line (RFC 4180 quoting; no line breaks in fields).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Rows of a shipped CSV as maps from column to cell.
fn csv_rows(rel: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = fs::read_to_string(repo(rel)).unwrap();
    let mut lines = text.lines();
    let header = csv_fields(lines.next().unwrap().trim_start_matches('\u{feff}'));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| header.iter().cloned().zip(csv_fields(l)).collect())
        .collect()
}

/// The text between `<tr id="target-ID">` and the next `</tr>`.
fn target_row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<tr id=\"target-{id}\">"))
        .unwrap_or_else(|| panic!("the heat map has a row for `{id}`"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

/// The rows of the sheet `name` of a workbook, as cells.
fn sheet_rows(
    book: &mut calamine::Xlsx<std::io::BufReader<fs::File>>,
    name: &str,
) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

/// The text of a cell (empty for an empty one).
fn text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn workbook_holds_every_table_with_chinese_headers_and_the_manifest() {
    use calamine::{open_workbook, Data, DataType as _, Reader, Xlsx};
    let run = Run::new("workbook");
    assert_success(&run.report(&[]));
    let path = run.report_dir().join("attain.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).expect("a workbook calamine reads");
    let names = book.sheet_names();
    assert_eq!(
        names,
        [
            "attainment",
            "required",
            "scorecard",
            "fan",
            "sensitivity",
            "manifest"
        ],
        "a sheet per table of the run, then the manifest"
    );
    for name in ["attainment", "required", "scorecard", "fan", "sensitivity"] {
        let frame = read_parquet(&run.out().join(format!("{name}.parquet")));
        let rows = sheet_rows(&mut book, name);
        // Two header rows: Chinese names, then the Parquet names.
        let parquet_names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let english: Vec<String> = rows[1].iter().map(text).collect();
        assert_eq!(english, parquet_names, "{name}: the Parquet names in row 2");
        assert!(
            rows[0].iter().map(text).any(|h| h == "情景"),
            "{name}: Chinese names in row 1"
        );
        assert_eq!(rows.len(), frame.height() + 2, "{name}: every row");
        // Every number agrees with Parquet exactly (the cell holds the value).
        for (c, column) in parquet_names.iter().enumerate() {
            let Ok(values) = frame
                .column(column)
                .unwrap()
                .as_materialized_series()
                .cast(&DataType::Float64)
            else {
                continue;
            };
            if !frame.column(column).unwrap().dtype().is_primitive_numeric() {
                continue;
            }
            for (r, v) in values.f64().unwrap().iter().enumerate() {
                let cell = &rows[r + 2][c];
                match v {
                    Some(v) => assert_eq!(
                        cell.get_float().or(cell.get_int().map(|i| i as f64)),
                        Some(v),
                        "{name} row {r} column {column}"
                    ),
                    None => assert_eq!(*cell, Data::Empty, "{name} row {r} {column}: null"),
                }
            }
        }
    }
    // The attainment sheet: Chinese headers, likelihood terms in both languages.
    let rows = sheet_rows(&mut book, "attainment");
    let zh: Vec<String> = rows[0].iter().map(text).collect();
    for header in ["目标编号", "达成概率", "可能性（中文）", "可能性（英文）"]
    {
        assert!(zh.contains(&header.to_string()), "{header} in {zh:?}");
    }
    let col = |n: &str| rows[1].iter().position(|c| text(c) == n).unwrap();
    let (en_term, zh_term) = (col("likelihood"), col("likelihood_zh"));
    assert!(rows[2..]
        .iter()
        .any(|r| text(&r[en_term]) == "likely" || text(&r[en_term]).contains("unlikely")));
    assert!(rows[2..].iter().any(|r| text(&r[zh_term]).contains("可能")));

    // The manifest sheet: seed, draws and the SHA-256 of every input.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.out().join("run.json")).unwrap()).unwrap();
    let rows = sheet_rows(&mut book, "manifest");
    let value = |key: &str| {
        rows.iter()
            .find(|r| text(&r[0]).starts_with(key))
            .map(|r| text(&r[1]))
            .unwrap_or_else(|| panic!("manifest row {key}"))
    };
    assert_eq!(value("seed"), manifest["seed"].to_string());
    assert_eq!(value("draws "), manifest["draws"].to_string());
    for (path, sha) in manifest["inputs"].as_object().unwrap() {
        assert_eq!(
            value(&format!("input 输入文件 {path}")),
            format!("sha256:{}", sha.as_str().unwrap())
        );
    }
}

/// The bold numbers of a heat-map row, in order.
fn bold_values(row: &str) -> Vec<String> {
    row.split("<b>")
        .skip(1)
        .filter_map(|s| s.split("</b>").next())
        .filter(|s| {
            s.parse::<f64>().is_ok() || *s == "n/a" || *s == "&lt; 0.001" || *s == "&gt; 0.999"
        })
        .map(String::from)
        .collect()
}

/// A probability as the page shows it (HTML-escaped): two decimals, three
/// near 0 and 1, `< 0.001` and `> 0.999` at the ends, never a bare 0.
fn shown(p: f64) -> String {
    if p < 0.001 {
        "&lt; 0.001".into()
    } else if p >= 1.0 {
        "1.00".into()
    } else if p > 0.999 {
        "&gt; 0.999".into()
    } else if !(0.01..=0.99).contains(&p) {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

#[test]
fn report_shows_every_target_scenario_and_fan_chart_of_the_shipped_data() {
    let run = Run::new("shipped");
    // Any further table in the run's folder gets a spreadsheet copy too.
    fs::copy(
        run.out().join("scorecard.parquet"),
        run.out().join("extra.parquet"),
    )
    .unwrap();
    let out = run.report(&[]);
    assert_success(&out);
    let dir = run.report_dir();
    let html = fs::read_to_string(dir.join("index.html")).unwrap();

    let targets = csv_rows("data/targets.csv");
    let indicators = csv_rows("data/indicators.csv");
    let attainment = read_parquet(&run.out().join("attainment.parquet"));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.out().join("run.json")).unwrap()).unwrap();
    let scenarios: Vec<String> = manifest["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(scenarios.len(), 4, "the shipped scenarios");

    // Every target has a heat-map row with its Chinese name and one cell per
    // scenario showing P(attain) from the Parquet table, to two decimals.
    let ids = strings(&attainment, "target_id");
    let scen = strings(&attainment, "scenario");
    let p = floats(&attainment, "p_attain");
    for t in &targets {
        let id = &t["id"];
        let row = target_row(&html, id);
        let indicator = indicators
            .iter()
            .find(|i| i["id"] == t["indicator_id"])
            .unwrap();
        assert!(
            row.contains(&indicator["name_zh"]),
            "row {id} names {}",
            indicator["name_zh"]
        );
        assert_eq!(row.matches("<td class=\"p\"").count(), scenarios.len());
        let expected: Vec<String> = scenarios
            .iter()
            .map(|s| {
                let i = (0..ids.len())
                    .find(|&i| &ids[i] == id && &scen[i] == s)
                    .unwrap();
                p[i].map_or("n/a".to_string(), shown)
            })
            .collect();
        assert_eq!(bold_values(row), expected, "P(attain) of {id}");
    }
    assert_eq!(
        html.matches("<td class=\"p\"").count(),
        targets.len() * scenarios.len(),
        "the heat map has targets × scenarios cells"
    );

    // † on exactly the targets whose history includes stand-ins (none in
    // the shipped data, which invents nothing).
    let provenance = strings(&attainment, "provenance");
    let illustrative: BTreeSet<&String> = (0..ids.len())
        .filter(|&i| provenance[i] == "illustrative")
        .map(|i| &ids[i])
        .collect();
    for t in &targets {
        let marked = target_row(&html, &t["id"]).contains("class=\"dagger\"");
        assert_eq!(marked, illustrative.contains(&t["id"]), "† on {}", t["id"]);
    }
    assert_eq!(
        html.contains("Illustrative history"),
        !illustrative.is_empty()
    );

    // Targets grouped by what they rest on: each under the heading of its
    // status (and analog), and a target without data names the publication
    // that would supply it.
    let status = strings(&attainment, "status");
    let analog = common::strings(&attainment, "analog");
    let heading_before = |id: &str| {
        let at = html.find(&format!("<tr id=\"target-{id}\">")).unwrap();
        let start = html[..at]
            .rfind("<tr class=\"basis\">")
            .expect("a basis heading");
        html[start..at].split("</tr>").next().unwrap().to_string()
    };
    let mut seen_status = BTreeSet::new();
    for i in 0..ids.len() {
        let heading = heading_before(&ids[i]);
        let expected = match status[i].as_str() {
            "ok" => "Own published history",
            "borrowed" => "Borrowed dynamics",
            "assumption_only" => "Scenario assumption",
            _ => "No public data yet",
        };
        assert!(heading.contains(expected), "{}: {heading}", ids[i]);
        if let Some(a) = &analog[i] {
            if status[i] == "borrowed" {
                assert!(
                    heading.contains(a.as_str()),
                    "{} borrows {a}: {heading}",
                    ids[i]
                );
            }
        }
        if status[i] == "insufficient_history" {
            let t = targets.iter().find(|t| t["id"] == ids[i]).unwrap();
            let indicator = indicators
                .iter()
                .find(|r| r["id"] == t["indicator_id"])
                .unwrap();
            let source = &indicator["published_in"];
            assert!(!source.is_empty(), "{}: a publication", ids[i]);
            assert!(
                target_row(&html, &ids[i]).contains("would come from"),
                "{} names where its figures would come from",
                ids[i]
            );
        }
        seen_status.insert(status[i].clone());
    }
    assert!(
        seen_status.len() >= 3,
        "the shipped data has several bases: {seen_status:?}"
    );

    // One fan chart per indicator with a target other than a milestone and
    // a projection (enough history).
    let fan = read_parquet(&run.out().join("fan.parquet"));
    let fan_kind = strings(&fan, "kind");
    let fan_id = strings(&fan, "indicator_id");
    let projected: BTreeSet<&String> = (0..fan.height())
        .filter(|&i| fan_kind[i] == "projected")
        .map(|i| &fan_id[i])
        .collect();
    let charted: BTreeSet<&String> = targets
        .iter()
        .filter(|t| t["kind"] != "milestone" && projected.contains(&t["indicator_id"]))
        .map(|t| &t["indicator_id"])
        .collect();
    assert!(!charted.is_empty());
    assert_eq!(html.matches("<figure class=\"fan\"").count(), charted.len());
    for id in &charted {
        assert!(html.contains(&format!("<figure class=\"fan\" id=\"fan-{id}\">")));
        let svg = fs::read_to_string(dir.join(format!("charts/fan_{id}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polygon"),
            "fan_{id}.svg has bands"
        );
    }
    let charts = fs::read_dir(dir.join("charts")).unwrap().count();
    assert_eq!(charts, charted.len() + 1, "fan charts and the scorecard");

    // The scorecard: a chart and one table row per scenario.
    assert!(html.contains("<figure class=\"scorecard\"><svg"));
    for s in &scenarios {
        assert!(
            html.contains(&format!("<b>{s}</b></td>")),
            "scorecard row of {s}"
        );
    }

    // Self-contained: the font is embedded and nothing is fetched.
    assert!(html.contains("@font-face") && html.contains("data:font/woff2;base64,"));
    for remote in ["src=\"http", "href=\"http", "url(http", "<script"] {
        assert!(!html.contains(remote), "the page holds no {remote}");
    }
    assert!(dir.join("fonts-OFL.txt").is_file());

    // CSV copies: BOM, the Parquet header and as many rows.
    for name in ["attainment", "fan", "scorecard", "extra"] {
        let bytes = fs::read(dir.join(format!("tables/{name}.csv"))).unwrap();
        assert!(
            bytes.starts_with(BOM),
            "{name}.csv starts with the UTF-8 BOM"
        );
        let text = std::str::from_utf8(&bytes[BOM.len()..]).unwrap();
        let frame = read_parquet(&run.out().join(format!("{name}.parquet")));
        let header: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), header.join(","));
        assert_eq!(lines.count(), frame.height(), "{name}.csv rows");
    }
    let attainment_csv = fs::read_to_string(dir.join("tables/attainment.csv")).unwrap();
    assert!(
        attainment_csv.contains("研发投入强度"),
        "Chinese kept in the copy"
    );

    // A second report replaces the first whole, byte for byte the same, with
    // no temporary left behind.
    assert_success(&run.report(&[]));
    assert_eq!(fs::read_to_string(dir.join("index.html")).unwrap(), html);
    let leftovers: Vec<String> = fs::read_dir(run.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
}

#[test]
fn report_of_the_small_fixture_marks_targets_without_a_probability() {
    // tests/fixtures/small: a milestone (no fan chart) and a target with too
    // little history (null probabilities: "n/a", never 0).
    let scratch = Scratch::empty("report-small");
    let root = scratch.root.clone();
    let fixture = repo("tests/fixtures/small");
    let out = Command::new(BIN)
        .arg("run")
        .arg("--data")
        .arg(fixture.join("data"))
        .arg("--scenarios")
        .arg(fixture.join("scenarios"))
        .arg("--out")
        .arg(root.join("out"))
        .args(["--draws", "2000", "--quiet"])
        .output()
        .unwrap();
    assert_success(&out);
    let report = root.join("elsewhere");
    let out = Command::new(BIN)
        .arg("report")
        .arg("--out")
        .arg(root.join("out"))
        .arg("--data")
        .arg(fixture.join("data"))
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert_success(&out);
    let html = fs::read_to_string(report.join("index.html")).unwrap();
    let row = target_row(&html, "new_brands_total");
    assert_eq!(bold_values(row), ["n/a", "n/a"]);
    assert!(row.contains("insufficient history"));
    assert!(html.contains("No fan chart") && html.contains("regulation_2030"));
    assert!(!html.contains("id=\"fan-regulation\""));
    assert!(html.contains("id=\"fan-quality_index\""));
}

#[test]
fn missing_run_table_exits_2_and_leaves_the_previous_report_and_run_intact() {
    let run = Run::new("missing");
    assert_success(&run.report(&[]));
    let page = fs::read(run.report_dir().join("index.html")).unwrap();
    let attainment = fs::read(run.out().join("attainment.parquet")).unwrap();
    fs::remove_file(run.out().join("fan.parquet")).unwrap();

    let out = run.report(&[]);
    assert_input_error(&out, &["fan.parquet", "no such file", "attain run"]);
    assert_eq!(fs::read(run.report_dir().join("index.html")).unwrap(), page);
    assert_eq!(
        fs::read(run.out().join("attainment.parquet")).unwrap(),
        attainment
    );

    // Into a new folder: nothing is created.
    let fresh = run.scratch.root.join("fresh");
    let out = run.report(&["--report", fresh.to_str().unwrap()]);
    assert_input_error(&out, &["fan.parquet"]);
    assert!(!fresh.exists());
    let names: Vec<String> = fs::read_dir(&run.scratch.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    fs::remove_file(run.out().join("run.json")).unwrap();
    assert_input_error(&run.report(&[]), &["run.json", "no such file"]);
}

#[test]
fn malformed_run_table_names_file_and_column() {
    let run = Run::new("malformed");
    let rewrite = |name: &str, change: &dyn Fn(&mut DataFrame)| {
        let path = run.out().join(name);
        let mut frame = read_parquet(&path);
        change(&mut frame);
        ParquetWriter::new(fs::File::create(&path).unwrap())
            .finish(&mut frame)
            .unwrap();
    };
    rewrite("scorecard.parquet", &|f| {
        f.drop_in_place("k").unwrap();
    });
    let out = run.report(&[]);
    assert_input_error(
        &out,
        &[
            "scorecard.parquet",
            "column `k`",
            "integers",
            "no such column",
        ],
    );
    rewrite("attainment.parquet", &|f| {
        let as_text = f
            .column("p_attain")
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        f.with_column(as_text).unwrap();
    });
    let out = run.report(&[]);
    assert_input_error(
        &out,
        &["attainment.parquet", "column `p_attain`", "numbers", "type"],
    );
    assert!(!run.report_dir().exists());
}

#[test]
fn report_refuses_a_folder_that_is_not_a_previous_report() {
    let run = Run::new("refuse");
    let folder = run.scratch.root.join("notes");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("keep.txt"), "mine").unwrap();
    let out = run.report(&["--report", folder.to_str().unwrap()]);
    assert_input_error(&out, &["--report", "other files"]);
    assert_eq!(fs::read_to_string(folder.join("keep.txt")).unwrap(), "mine");
    let out = run.report(&["--report", run.scratch.root.to_str().unwrap()]);
    assert_input_error(&out, &["--report", "run's folder"]);
}

#[test]
fn report_draws_one_tornado_bar_per_sensitivity_row_with_the_tables_numbers() {
    let run = Run::new("levers");
    assert_success(&run.report(&[]));
    let html = fs::read_to_string(run.report_dir().join("index.html")).unwrap();
    let frame = read_parquet(&run.out().join("sensitivity.parquet"));
    assert!(
        frame.height() > 0,
        "the shipped scenarios have uncertain levers, so sensitivity.parquet has rows"
    );
    let section = &html[html
        .find("<h2 id=\"levers\">")
        .expect("the page has a section on uncertain levers")..];
    let section = &section[..section[1..].find("<h2 ").map_or(section.len(), |i| i + 1)];
    let scenarios = strings(&frame, "scenario");
    let targets = strings(&frame, "target_id");
    let levers = strings(&frame, "lever");
    let (p_low, p_high) = (floats(&frame, "p_low"), floats(&frame, "p_high"));
    assert_eq!(
        section.matches("<tr><td>").count(),
        frame.height(),
        "one bar per row of the table"
    );
    for i in 0..frame.height() {
        let block = section
            .split("<h3 ")
            .find(|b| b.contains(&format!(">{}</h3>", scenarios[i])))
            .unwrap_or_else(|| panic!("a tornado chart for scenario {}", scenarios[i]));
        let bars: Vec<&str> = block.split("<tr><td>").skip(1).collect();
        let shown = format!("{:.2} → {:.2}", p_low[i].unwrap(), p_high[i].unwrap());
        let bar = bars
            .iter()
            .find(|b| {
                b.contains(&format!("<span class=\"id\">{}</span>", targets[i]))
                    && b.contains(&format!("<code>{}</code>", levers[i]))
            })
            .unwrap_or_else(|| panic!("a bar for {} / {}", targets[i], levers[i]));
        assert!(
            bar.contains(&shown),
            "the bar of {} / {} in {} shows {shown}",
            targets[i],
            levers[i],
            scenarios[i]
        );
    }
    assert!(
        fs::read_to_string(run.report_dir().join("tables/sensitivity.csv"))
            .is_ok_and(|t| t.lines().count() == frame.height() + 1),
        "the CSV copy of sensitivity.parquet has its rows"
    );
}
