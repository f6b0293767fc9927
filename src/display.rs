//! What users read in the terminal: the run summary and the check inventory.
//!
//! In: a [`RunReport`] or an [`Inventory`]. Out: text that fits one screen.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::job::{Inventory, RunReport};

/// Keeps at most `n` characters.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

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
        let goal = match first.kind.as_str() {
            "milestone" => "done".to_string(),
            "increase" => format!("Δ {} {}", first.comparator, trim_number(first.target_value)),
            "cumulative" => format!("Σ {} {}", first.comparator, trim_number(first.target_value)),
            "every_year" => format!(
                "yearly {} {}",
                first.comparator,
                trim_number(first.target_value)
            ),
            _ => format!("{} {}", first.comparator, trim_number(first.target_value)),
        };
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
        let note = match first.status.as_str() {
            "insufficient_history" => "too little history".to_string(),
            "assumption_only" => format!(
                "{} (assumed hazard)",
                first.likelihood.as_deref().unwrap_or("")
            ),
            _ => first.likelihood.clone().unwrap_or_default(),
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

fn trim_number(v: f64) -> String {
    let s = format!("{v}");
    s.trim_end_matches(".0").to_string()
}

/// The inventory printed by `check`.
pub fn inventory(inv: &Inventory) -> String {
    let c = &inv.catalog;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "inputs are valid: {} indicators, {} targets, {} scenarios",
        c.indicators.len(),
        c.targets.len(),
        inv.scenarios.len()
    );
    let mut by_group: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for i in &c.indicators {
        *by_group
            .entry((i.group.as_str(), i.transform.name()))
            .or_default() += 1;
    }
    let _ = writeln!(out, "indicators by group and transform:");
    for ((g, t), n) in &by_group {
        let _ = writeln!(out, "  {g:<16} {t:<10} {n}");
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &c.targets {
        *kinds.entry(t.kind.name()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(out, "targets by kind: {}", kinds.join(", "));
    let mut prov: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut first, mut last) = (i32::MAX, i32::MIN);
    for o in c.history.iter().flatten() {
        *prov.entry(o.provenance.name()).or_default() += 1;
        first = first.min(o.year);
        last = last.max(o.year);
    }
    let rows: usize = prov.values().sum();
    let prov: Vec<String> = prov.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        out,
        "history rows: {rows} ({}), years {first}–{last}",
        prov.join(", ")
    );
    let stand_ins: Vec<&str> = (0..c.indicators.len())
        .filter(|&k| c.rests_on_illustrative(k))
        .map(|k| c.indicators[k].id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "indicators resting on illustrative rows: {}",
        if stand_ins.is_empty() {
            "none".to_string()
        } else {
            stand_ins.join(", ")
        }
    );
    let _ = writeln!(out, "scenarios:");
    for s in &inv.scenarios {
        let _ = writeln!(out, "  {:<18} {}", s.name, clip(&s.description, 90));
    }
    if c.warnings.is_empty() {
        let _ = writeln!(out, "warnings: none");
    }
    for w in &c.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
