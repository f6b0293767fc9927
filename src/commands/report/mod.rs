//! `attain report`: a run's tables as a page people can look at.
//!
//! In: the output folder of a previous `attain run` ([`crate::tables::read_run`]) and the
//! catalog of its data folder (labels, units, history provenance). Out, in
//! the report folder (default `output/report`): `index.html`, a
//! self-contained page (inline CSS and SVG, an embedded subset of a CJK font,
//! no script, no network) with the run header, a heat map of P(attain) for
//! targets × scenarios, the scorecard and one fan chart per indicator with a
//! walk or count target ([`chart`], drawn with plotters); the same charts as
//! SVG files in `charts/`; every Parquet table of the run as CSV in
//! `tables/` (UTF-8 with a byte-order mark, so Excel shows Chinese;
//! [`crate::tables::csv`]); and all of them as one Excel workbook,
//! `attain.xlsx` ([`workbook`]).
//!
//! The whole folder is built under a temporary name beside the report folder
//! and renamed into place at the end, so a failed report leaves the previous
//! one as it was; the run's own files are only read.

pub mod chart;
pub mod page;
pub mod view;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::cli::ReportConfig;
use crate::commands::words::{Lang, Say};
use crate::error::{Error, Result};
use crate::input::catalog::load_catalog;
use crate::tables::csv::csv_with_bom;
use crate::tables::manifest::{sha256_file, Manifest};
use crate::tables::read_run;
use crate::tables::stage::{Content, Staged};

/// The workbook's file name in the report folder.
pub const WORKBOOK: &str = "attain.xlsx";

/// What `report` wrote, for the terminal.
#[derive(Debug)]
pub struct Done {
    /// The report folder.
    pub dir: PathBuf,
    /// Targets in the heat map.
    pub targets: usize,
    /// Scenarios.
    pub scenarios: usize,
    /// Fan charts drawn.
    pub fan_charts: usize,
    /// CSV copies written (file names).
    pub copies: Vec<String>,
    /// Things the reader should know (inputs changed since the run, …).
    pub warnings: Vec<String>,
    /// The language of the page and of this message.
    pub lang: Lang,
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lang = self.lang;
        for w in &self.warnings {
            writeln!(f, "{}", lang.fill(Say::Warning, &[w]))?;
        }
        writeln!(
            f,
            "{}",
            lang.fill(
                Say::ReportWritten,
                &[
                    &self.dir.display(),
                    &self.targets,
                    &self.scenarios,
                    &self.fan_charts,
                    &self.copies.join(", "),
                ]
            )
        )
    }
}

/// Renders the report of the run in `config.out` into `config.report`.
pub fn report(config: &ReportConfig) -> Result<Done> {
    check_destination(&config.report, &config.out)?;
    let run = read_run(&config.out)?;
    let data = data_folder(config, &run.manifest);
    let catalog = load_catalog(&data)?;
    let mut warnings = input_changes(&catalog.files, &run.manifest);
    for name in &run.left_out {
        warnings.push(format!(
            "`{}` left out: it was written for another run than `run.json` describes (rerun its command after `attain run`)",
            config.out.join(name).display()
        ));
    }
    let view = view::assemble(&run, &catalog, &data, config.lang, &mut warnings);
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut fan_svgs = Vec::with_capacity(view.fans.len());
    for fan in &view.fans {
        let svg = chart::fan_svg(fan, &view.scenarios, config.lang)?;
        files.push((
            PathBuf::from(format!("charts/fan_{}.svg", fan.indicator_id)),
            svg.clone().into_bytes(),
        ));
        fan_svgs.push(svg);
    }
    let scorecard_svg = chart::scorecard_svg(&view.scorecards, &view.scenarios, config.lang)?;
    files.push((
        PathBuf::from("charts/scorecard.svg"),
        scorecard_svg.clone().into_bytes(),
    ));
    let mut copies = Vec::new();
    for (name, frame) in &run.frames {
        let csv_name = format!("{}.csv", name.trim_end_matches(".parquet"));
        let bytes = csv_with_bom(frame).map_err(|e| Error::Write {
            path: config.report.join("tables").join(&csv_name),
            source: e.into(),
        })?;
        files.push((PathBuf::from("tables").join(&csv_name), bytes));
        copies.push(csv_name);
    }
    let book = workbook::workbook(&run.frames, &run.manifest).map_err(|e| Error::Write {
        path: config.report.join(WORKBOOK),
        source: e.into(),
    })?;
    files.push((PathBuf::from(WORKBOOK), book));
    let html = page::render(&view, &fan_svgs, &scorecard_svg, &copies, config.lang);
    files.push((PathBuf::from("index.html"), html.into_bytes()));
    files.push((
        PathBuf::from("fonts-OFL.txt"),
        page::FONT_LICENCE.as_bytes().to_vec(),
    ));
    let files: Vec<(PathBuf, Content)> = files
        .into_iter()
        .map(|(name, bytes)| (name, Content::Bytes(bytes)))
        .collect();
    let mut staged = Staged::new();
    staged.folder(&config.report, &files)?;
    staged.commit()?;
    Ok(Done {
        dir: config.report.clone(),
        targets: view.targets.len(),
        scenarios: view.scenarios.len(),
        fan_charts: view.fans.len(),
        copies,
        warnings,
        lang: config.lang,
    })
}

/// `--data`, else the folder the run read its indicators from (if it is
/// still there), else `data`.
fn data_folder(config: &ReportConfig, manifest: &Manifest) -> PathBuf {
    if let Some(data) = &config.data {
        return data.clone();
    }
    manifest
        .inputs
        .keys()
        .map(Path::new)
        .find(|p| {
            p.file_stem().is_some_and(|s| s == "indicators")
                && p.parent().is_some_and(|d| d.is_dir())
        })
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// Warnings for catalog files whose SHA-256 differs from the one the run recorded.
fn input_changes(files: &[PathBuf], manifest: &Manifest) -> Vec<String> {
    let mut warnings = Vec::new();
    for file in files {
        let name = file.file_name();
        let recorded = manifest
            .inputs
            .iter()
            .find(|(path, _)| Path::new(path).file_name() == name);
        let current = sha256_file(file).ok();
        match recorded {
            Some((_, sha)) if current.as_ref() == Some(sha) => {}
            Some((path, _)) => warnings.push(format!(
                "`{}` differs from the `{path}` the run read (SHA-256): labels and provenance come from the current file",
                file.display()
            )),
            None => warnings.push(format!(
                "`{}` is not among the inputs recorded in run.json: labels and provenance come from it",
                file.display()
            )),
        }
    }
    warnings
}

/// The file that marks a folder as a report (so a later report may replace it).
const MARK: &str = "index.html";

/// The report folder must be a new folder, an empty one or a previous report,
/// and must not hold the run's outputs.
fn check_destination(report: &Path, out: &Path) -> Result<()> {
    let bad = |found: String| {
        Error::Argument {
        flag: "--report".into(),
        expected: "a new folder, an empty one, or a previous report (holding index.html), not the run's folder"
            .into(),
        found,
    }
    };
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if absolute(out).starts_with(absolute(report)) {
        return Err(bad(format!(
            "`{}`, which holds the run's folder `{}`",
            report.display(),
            out.display()
        )));
    }
    if report.exists() {
        if !report.is_dir() {
            return Err(bad(format!("`{}`, a file", report.display())));
        }
        let empty = std::fs::read_dir(report)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !report.join(MARK).is_file() {
            return Err(bad(format!(
                "`{}`, a folder with other files",
                report.display()
            )));
        }
    }
    Ok(())
}

/// Renders the report and returns what the terminal shows.
pub fn execute(config: &ReportConfig) -> Result<String> {
    report(config).map(|done| done.to_string())
}
