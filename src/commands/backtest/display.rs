//! What `attain backtest` prints: coverage, PIT and skill by horizon and by
//! indicator, the Brier scores, and how much evidence there is.
//!
//! In: a [`Backtest`]. Out: text of about twenty lines.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::pool::{self, brier_scores, by_horizon, Pooled};
use super::{Backtest, SkipReason, TABLES};
use crate::commands::words::{Lang, Say};

fn opt(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |x| format!("{x:+.2}"))
}

fn line(out: &mut String, label: &str, p: &Pooled) {
    let _ = writeln!(
        out,
        "{label:<22} {:>5} {:>6.2} {:>6.2} {:>6.2} {:>8.2} {:>5} {:>8} {:>8} {:>8} {:>8}",
        p.n,
        p.coverage[0],
        p.coverage[1],
        p.coverage[2],
        p.mean_pit,
        p.n_crps,
        opt(p.skill_vs_no_change),
        opt(p.skill_vs_drift),
        opt(p.skill_vs_naive),
        opt(p.skill_vs_no_param_unc),
    );
}

/// The summary of a backtest whose tables went to `out`.
/// Headings and the evidence line are in `lang`; the table of scores keeps
/// its English abbreviations (they are explained on the line below it).
pub fn summary(b: &Backtest, out: &Path, lang: Lang) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}",
        lang.fill(Say::BacktestHeading, &[&b.origins.0, &b.origins.1])
    );
    let prior = match &b.prior {
        Some(points) => points
            .iter()
            .map(|(phi, w)| format!("φ = {phi} with weight {w}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "none (φ = 1: the walk with drift)".to_string(),
    };
    let _ = writeln!(text, "{}", lang.fill(Say::PersistencePrior, &[&prior]));
    let mut reasons: BTreeMap<SkipReason, usize> = BTreeMap::new();
    for (_, _, r) in &b.skipped {
        *reasons.entry(*r).or_default() += 1;
    }
    let scored: std::collections::BTreeSet<(&String, i32)> = b
        .scores
        .iter()
        .map(|r| (&r.indicator_id, r.origin))
        .collect();
    let series = scored
        .iter()
        .map(|(id, _)| *id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let reasons: Vec<String> = reasons
        .iter()
        .map(|(r, n)| format!("{n} {}", r.describe()))
        .collect();
    let _ = writeln!(
        text,
        "{} indicators have published figures ({} others have none or are milestones); {} have enough to score",
        b.with_published.len(),
        b.without_published,
        series
    );
    let _ = writeln!(
        text,
        "(indicator, origin) pairs: {} scored, {} skipped ({})",
        scored.len(),
        b.skipped.len(),
        if reasons.is_empty() {
            "none".to_string()
        } else {
            reasons.join(", ")
        }
    );
    if b.scores.is_empty() {
        let _ = writeln!(text, "nothing to score: no forecast of a published figure");
        return text;
    }
    let _ = writeln!(
        text,
        "{:<22} {:>5} {:>6} {:>6} {:>6} {:>8} {:>5} {:>8} {:>8} {:>8} {:>8}",
        "horizon (years)",
        "n",
        "in50%",
        "in80%",
        "in95%",
        "mean PIT",
        "nCRPS",
        "vs NC",
        "vs drift",
        "vs naive",
        "vs NPU"
    );
    for (h, p) in by_horizon(&b.scores) {
        let label = h.map_or("all".to_string(), |h| h.to_string());
        line(&mut text, &label, &p);
    }
    for id in &b.with_published {
        if let Some(p) = pool::pool(b.scores.iter().filter(|r| &r.indicator_id == id)) {
            line(&mut text, id, &p);
        }
    }
    let _ = writeln!(
        text,
        "skill = 1 − ΣCRPS(model)/ΣCRPS(reference), transform scale; NC: no change; drift: the walk with drift (φ = 1); naive: the walk without drift (φ = 0); NPU: no parameter uncertainty (normal)"
    );
    let infinite = b.scores.iter().filter(|r| r.crps_model.is_none()).count();
    if infinite > 0 {
        let _ = writeln!(
            text,
            "{infinite} forecasts from 3-point fits (1 degree of freedom, infinite CRPS) are left out of the skill"
        );
    }
    if let Some((model, trend, n)) = brier_scores(&b.events) {
        let _ = writeln!(
            text,
            "pseudo-targets (value ≥ another later published figure), {n} events: Brier model {model:.3}, trend rule {trend:.3}"
        );
    }
    analog_lines(&mut text, b);
    if pool::thin(series, b.scores.len()) {
        let _ = writeln!(
            text,
            "{}",
            lang.fill(
                Say::ThinEvidence,
                &[
                    &b.scores.len(),
                    &series,
                    &pool::THIN_SERIES,
                    &pool::THIN_FORECASTS
                ]
            )
        );
    } else {
        let _ = writeln!(
            text,
            "{}",
            lang.fill(Say::Evidence, &[&b.scores.len(), &series])
        );
    }
    let tables = TABLES.map(|f| out.join(f).display().to_string()).join(", ");
    let _ = writeln!(text, "{}", lang.fill(Say::BacktestTables, &[&tables]));
    text
}

/// Per indicator with an analog: the same forecasts with and without it.
fn analog_lines(text: &mut String, b: &Backtest) {
    if b.analog.is_empty() {
        return;
    }
    let _ = writeln!(
        text,
        "borrowing: the same forecasts with the analog (as run fits them) and without it"
    );
    let _ = writeln!(
        text,
        "{:<46} {:>4} {:>5} {:>17} {:>17} {:>10}",
        "indicator ← analog", "n", "only", "in50/80/95 with", "without", "CRPS w/wo"
    );
    let mut ids: Vec<(&str, &str)> = b
        .analog
        .iter()
        .map(|r| (r.indicator_id.as_str(), r.analog.as_str()))
        .collect();
    ids.dedup();
    for (id, analog) in ids {
        let rows: Vec<&crate::tables::backtest::AnalogRow> =
            b.analog.iter().filter(|r| r.indicator_id == id).collect();
        let both: Vec<_> = rows.iter().filter(|r| r.pit_without.is_some()).collect();
        let share = |f: &dyn Fn(&&&crate::tables::backtest::AnalogRow) -> bool| {
            both.iter().filter(|r| f(r)).count() as f64 / both.len().max(1) as f64
        };
        let (with, without) = if both.is_empty() {
            ("—".to_string(), "—".to_string())
        } else {
            (
                format!(
                    "{:.2}/{:.2}/{:.2}",
                    share(&|r| r.in50_with),
                    share(&|r| r.in80_with),
                    share(&|r| r.in95_with)
                ),
                format!(
                    "{:.2}/{:.2}/{:.2}",
                    share(&|r| r.in50_without == Some(true)),
                    share(&|r| r.in80_without == Some(true)),
                    share(&|r| r.in95_without == Some(true))
                ),
            )
        };
        let finite: Vec<(f64, f64)> = both
            .iter()
            .filter_map(|r| r.crps_with.zip(r.crps_without))
            .collect();
        let ratio = if finite.is_empty() {
            "—".to_string()
        } else {
            let (w, wo) = finite
                .iter()
                .fold((0.0, 0.0), |(a, b), (w, wo)| (a + w, b + wo));
            format!("{:.2}", w / wo)
        };
        let label = format!("{id} ← {analog}");
        let _ = writeln!(
            text,
            "{label:<46} {:>4} {:>5} {with:>17} {without:>17} {ratio:>10}",
            both.len(),
            rows.len() - both.len(),
        );
    }
    let _ = writeln!(
        text,
        "n: forecasts both fits make; only: forecasts only the analog makes possible (own figures too few); CRPS w/wo < 1: borrowing helps"
    );
}
