//! What `attain backtest` prints: coverage, PIT and skill by horizon and by
//! indicator, the Brier scores, and how much evidence there is.
//!
//! In: a [`Backtest`]. Out: text of about twenty lines.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::{brier_scores, by_horizon, pool, Backtest, Pooled, SkipReason, TABLES};

fn opt(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |x| format!("{x:+.2}"))
}

fn line(out: &mut String, label: &str, p: &Pooled) {
    let _ = writeln!(
        out,
        "{label:<22} {:>4} {:>6.2} {:>6.2} {:>6.2} {:>8.2} {:>4} {:>9} {:>9}",
        p.n,
        p.coverage[0],
        p.coverage[1],
        p.coverage[2],
        p.mean_pit,
        p.n_crps,
        opt(p.skill_vs_no_change),
        opt(p.skill_vs_no_param_unc),
    );
}

/// The summary of a backtest whose tables went to `out`.
pub fn summary(b: &Backtest, out: &Path) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Backtest of the baseline model (fit only, no scenario adjustments), origins {}..{}, published figures only",
        b.origins.0, b.origins.1
    );
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
        "{:<22} {:>4} {:>6} {:>6} {:>6} {:>8} {:>4} {:>9} {:>9}",
        "horizon (years)",
        "n",
        "in50%",
        "in80%",
        "in95%",
        "mean PIT",
        "nCRPS",
        "skill/NC",
        "skill/NPU"
    );
    for (h, p) in by_horizon(&b.scores) {
        let label = h.map_or("all".to_string(), |h| h.to_string());
        line(&mut text, &label, &p);
    }
    for id in &b.with_published {
        if let Some(p) = pool(b.scores.iter().filter(|r| &r.indicator_id == id)) {
            line(&mut text, id, &p);
        }
    }
    let _ = writeln!(
        text,
        "skill = 1 − ΣCRPS(model)/ΣCRPS(reference), transform scale; NC: no change, NPU: no parameter uncertainty (normal)"
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
    let _ = writeln!(
        text,
        "thin evidence: {} forecasts of {} series from overlapping origins, not independent",
        b.scores.len(),
        series
    );
    let _ = writeln!(
        text,
        "tables: {}",
        TABLES.map(|f| out.join(f).display().to_string()).join(", ")
    );
    text
}
