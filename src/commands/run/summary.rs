//! What `attain run` prints: a row per target, a column per scenario.
//!
//! In: a [`RunReport`]. Out: text that fits one screen.

use std::fmt::Write;

use super::RunReport;
use crate::commands::words::{clip, clip_width, goal, pad, pad_left, Basis, Lang, Say};
use crate::plan::Status;

/// The summary of a run in `lang`: a row per target (its id, or under
/// `zh` its Chinese name), a column per scenario with P(attain).
pub fn summary(report: &RunReport, lang: Lang) -> String {
    let m = &report.manifest;
    let rows = &report.tables.attainment;
    let scenarios = &report.plan.scenarios;
    let mut out = String::new();
    let year = m
        .target_year
        .map_or(String::new(), |y| lang.fill(Say::OnCourse, &[&y]));
    let largest_se = largest_se(report);
    let _ = writeln!(
        out,
        "{}",
        lang.fill(
            Say::RunHeading,
            &[
                &m.draws,
                &m.seed,
                &m.threads,
                &format!("{:.1}", m.wall_seconds),
                &round_up(largest_se),
                &year,
            ]
        )
    );
    if let Some(goal) = m.precision.filter(|&goal| largest_se > goal) {
        let warning = lang.fill(
            Say::PrecisionNotMet,
            &[&goal, &round_up(largest_se), &m.draws],
        );
        let _ = writeln!(out, "{}", lang.fill(Say::Warning, &[&warning]));
    }
    let widths: Vec<usize> = scenarios.iter().map(|s| s.chars().count().max(6)).collect();
    let label_width = 36;
    let mut header = pad(lang.say(Say::Target), label_width);
    for (s, w) in scenarios.iter().zip(&widths) {
        let _ = write!(header, " {s:>w$}");
    }
    let _ = write!(header, "  {}", lang.say(Say::BaselineSays));
    let _ = writeln!(out, "{header}");
    let n_targets = rows.len() / scenarios.len().max(1);
    for j in 0..n_targets {
        let first = &rows[j];
        let marker = match report.basis.get(j) {
            _ if report.illustrative.contains(&first.target_id) => "†",
            Some(Basis::Borrowed { .. }) => "‡",
            Some(Basis::Assumption) => "§",
            _ => " ",
        };
        let goal = goal(lang, first.kind, first.comparator, first.target_value);
        let name = match lang {
            Lang::En => &first.target_id,
            Lang::Zh => &first.name_zh,
        };
        let label = format!(
            "{}{} {}",
            clip_width(name, label_width - goal.chars().count() - 3),
            marker,
            goal
        );
        let mut line = pad(&label, label_width);
        for (s, w) in widths.iter().enumerate() {
            let row = &rows[s * n_targets + j];
            let cell = match row.p_attain {
                Some(p) => format!("{p:.2}"),
                None => "n/a".to_string(),
            };
            let _ = write!(line, " {}", pad_left(&cell, *w));
        }
        let likelihood = first.likelihood.map_or("", |l| lang.likelihood(l));
        let note = match first.status {
            Status::InsufficientHistory => lang.say(Say::NoPublicDataYet).to_string(),
            Status::AssumptionOnly => format!("{likelihood} {}", lang.say(Say::AssumedTag)),
            Status::Borrowed => format!("{likelihood} {}", lang.say(Say::BorrowedTag)),
            Status::Ok => likelihood.to_string(),
        };
        let _ = writeln!(line, "  {note}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    basis_notes(&mut out, report, n_targets, lang);
    swings(&mut out, report, lang);
    if !report.illustrative.is_empty() {
        let _ = writeln!(out, "{}", lang.say(Say::IllustrativeNote));
    }
    for w in &report.warnings {
        let _ = writeln!(out, "{}", lang.fill(Say::Warning, &[w]));
    }
    let _ = writeln!(out, "{}", lang.fill(Say::TablesWritten, &[&m_out(report)]));
    out
}

/// The largest swings of P(attain) across an uncertain lever's range
/// (`sensitivity.parquet`): what a probability hangs on.
fn swings(out: &mut String, report: &RunReport, lang: Lang) {
    /// Swings printed at most.
    const SHOWN: usize = 5;
    let mut rows: Vec<_> = report
        .tables
        .sensitivity
        .iter()
        .filter_map(|r| Some((r, r.p_low?, r.p_high?)))
        .collect();
    if rows.is_empty() {
        return;
    }
    rows.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()));
    let _ = writeln!(out, "{}", lang.say(Say::SwingsHeading));
    for (r, low, high) in rows.into_iter().take(SHOWN) {
        let range = match r.lever_mode {
            Some(mode) => format!(
                "{}–{}, {} {mode}",
                r.lever_low,
                r.lever_high,
                lang.say(Say::Peak)
            ),
            None => format!("{}–{}", r.lever_low, r.lever_high),
        };
        let lever = format!("{} ({range})", r.lever);
        let _ = writeln!(
            out,
            "  {:<16} {:<36} {lever:<54} {low:.2} → {high:.2}",
            r.scenario,
            clip(&r.target_id, 36),
        );
    }
}

fn m_out(report: &RunReport) -> String {
    report.out.display().to_string()
}

/// What the marked targets rest on: the analogs borrowed, the assumptions,
/// and for targets without a probability the publication that would give
/// them one.
fn basis_notes(out: &mut String, report: &RunReport, n_targets: usize, lang: Lang) {
    let ids = |pick: &dyn Fn(&Basis) -> bool| -> Vec<(&str, &Basis)> {
        report
            .basis
            .iter()
            .enumerate()
            .filter(|(_, b)| pick(b))
            .filter_map(|(j, b)| {
                report
                    .tables
                    .attainment
                    .get(j)
                    .map(|r| (r.target_id.as_str(), b))
            })
            .take(n_targets)
            .collect()
    };
    let borrowed = ids(&|b| matches!(b, Basis::Borrowed { .. }));
    if !borrowed.is_empty() {
        let list: Vec<String> = borrowed
            .iter()
            .map(|(id, b)| match b {
                Basis::Borrowed {
                    id: analog,
                    name_zh,
                } => format!("{id} ← {name_zh} ({analog})"),
                _ => String::new(),
            })
            .collect();
        let _ = writeln!(out, "{}", lang.fill(Say::BorrowedNote, &[&list.join("; ")]));
    }
    let assumed = ids(&|b| matches!(b, Basis::Assumption));
    if !assumed.is_empty() {
        let list: Vec<&str> = assumed.iter().map(|(id, _)| *id).collect();
        let _ = writeln!(
            out,
            "{}",
            lang.fill(Say::AssumptionNote, &[&list.join(", ")])
        );
    }
    let missing = ids(&|b| matches!(b, Basis::NoData { .. }));
    if !missing.is_empty() {
        let _ = writeln!(out, "{}", lang.fill(Say::MissingNote, &[&missing.len()]));
        for (id, b) in missing {
            if let Basis::NoData { published_in } = b {
                let source = published_in
                    .as_deref()
                    .unwrap_or(lang.say(Say::NoPublicationKnown));
                let _ = writeln!(out, "  {id}: {}", clip(source, 110));
            }
        }
    }
}

/// The largest standard error of a P(attain) in the run; without any, the
/// bound for a probability of one half.
fn largest_se(report: &RunReport) -> f64 {
    report
        .tables
        .attainment
        .iter()
        .filter_map(|r| r.p_attain_se)
        .fold(None, |most: Option<f64>, se| {
            Some(most.map_or(se, |m| m.max(se)))
        })
        .unwrap_or_else(|| (0.25 / report.manifest.draws.max(1) as f64).sqrt())
}

/// A bound written with two significant digits, rounded up (never below
/// the value it bounds): 0.00236 → `0.0024`, 0.0011 → `0.0011`.
pub fn round_up(x: f64) -> String {
    if !(x > 0.0 && x.is_finite()) {
        return format!("{}", x.max(0.0));
    }
    let decimals = (1 - x.log10().floor() as i32).max(0);
    let scale = 10f64.powi(decimals);
    // A tiny slack so that a value already on the grid is not pushed up.
    let up = (x * scale * (1.0 - 1e-12)).ceil() / scale;
    format!("{up:.*}", decimals as usize)
}

#[cfg(test)]
mod tests {
    use super::round_up;

    #[test]
    fn a_bound_is_rounded_up_to_two_significant_digits() {
        assert_eq!(round_up(0.00236), "0.0024");
        assert_eq!(round_up(0.0011), "0.0011");
        assert_eq!(round_up(0.00158), "0.0016");
        assert_eq!(round_up(0.0020000001), "0.0021");
        assert_eq!(round_up(0.002), "0.0020");
        assert_eq!(round_up(0.5), "0.50");
    }
}
