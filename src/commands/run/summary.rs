//! What `attain run` prints: a row per target, a column per scenario.
//!
//! In: a [`RunReport`]. Out: text that fits one screen.

use std::fmt::Write;

use super::RunReport;
use crate::commands::words::{clip, goal};
use crate::model::Named;
use crate::plan::Status;

/// The summary of a run: a row per target, a column per scenario with P(attain).
pub fn summary(report: &RunReport) -> String {
    let m = &report.manifest;
    let rows = &report.tables.attainment;
    let scenarios = &report.plan.scenarios;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "P(target met), {} draws, seed {}, {} threads, {:.1} s (Monte Carlo SE ≤ {:.3})",
        m.draws,
        m.seed,
        m.threads,
        m.wall_seconds,
        (0.25 / m.draws as f64).sqrt()
    );
    let widths: Vec<usize> = scenarios.iter().map(|s| s.chars().count().max(6)).collect();
    let label_width = 36;
    let mut header = format!("{:<label_width$}", "target");
    for (s, w) in scenarios.iter().zip(&widths) {
        let _ = write!(header, " {s:>w$}");
    }
    header.push_str("  baseline says");
    let _ = writeln!(out, "{header}");
    let n_targets = rows.len() / scenarios.len().max(1);
    for j in 0..n_targets {
        let first = &rows[j];
        let marker = if report.illustrative.contains(&first.target_id) {
            "†"
        } else {
            " "
        };
        let goal = goal(first.kind, first.comparator, first.target_value);
        let label = format!(
            "{}{} {}",
            clip(&first.target_id, label_width - goal.chars().count() - 3),
            marker,
            goal
        );
        let mut line = format!("{label:<label_width$}");
        for (s, w) in widths.iter().enumerate() {
            let row = &rows[s * n_targets + j];
            let cell = match row.p_attain {
                Some(p) => format!("{p:.2}"),
                None => "n/a".to_string(),
            };
            let _ = write!(line, " {cell:>w$}");
        }
        let likelihood = first.likelihood.map_or("", |l| l.name());
        let note = match first.status {
            Status::InsufficientHistory => "too little history".to_string(),
            Status::AssumptionOnly => format!("{likelihood} (assumed hazard)"),
            Status::Ok => likelihood.to_string(),
        };
        let _ = writeln!(line, "  {note}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !report.illustrative.is_empty() {
        let _ = writeln!(out, "† rests on illustrative history (stand-ins to replace with official series; see data/README.md)");
    }
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(
        out,
        "tables written to {}/ (attainment, fan, scorecard, required .parquet; run.json)",
        m_out(report)
    );
    out
}

fn m_out(report: &RunReport) -> String {
    report.out.display().to_string()
}
