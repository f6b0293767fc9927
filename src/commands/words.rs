//! The words people read: how a target, a number or a status is written in
//! the terminal and on the report page.
//!
//! In: the model's and the tables' typed values. Out: text. Every
//! kind-specific phrase lives here, so a new kind of target is described in
//! one place.

use crate::input::catalog::Catalog;
use crate::model::target::{Comparator, Kind, TargetKind};
use crate::model::Named;
use crate::plan::Status;

/// What a target's probability rests on, as people are told.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// The indicator's own published history.
    Own,
    /// Fewer than three own figures and the dynamics of an analog series.
    Borrowed {
        /// The analog's id.
        id: String,
        /// The analog's name, Chinese.
        name_zh: String,
    },
    /// An assumption the scenarios state (a hazard, an assumed rate).
    Assumption,
    /// No basis: too little history; the publication that would supply it.
    NoData {
        /// Where its yearly figures are (or would be) published, if known.
        published_in: Option<String>,
    },
}

impl Basis {
    /// The basis of a target of `indicator` with `status`, borrowing from
    /// the analog `analog` (an id) if any.
    pub fn of(catalog: &Catalog, indicator: &str, status: Status, analog: Option<&str>) -> Basis {
        let index = catalog.indicator_index(indicator);
        match status {
            Status::Ok => Basis::Own,
            Status::Borrowed => {
                let id = analog.unwrap_or_default().to_string();
                let name_zh = catalog
                    .indicator_index(&id)
                    .map(|k| catalog.indicators[k].name_zh.clone())
                    .unwrap_or_default();
                Basis::Borrowed { id, name_zh }
            }
            Status::AssumptionOnly => Basis::Assumption,
            Status::InsufficientHistory => Basis::NoData {
                published_in: index.and_then(|k| catalog.indicators[k].published_in.clone()),
            },
        }
    }

    /// A heading for the targets resting on this basis.
    pub fn heading(&self) -> String {
        match self {
            Basis::Own => "Own published history 自身公布数据".to_string(),
            Basis::Borrowed { id, name_zh } => {
                format!("Borrowed dynamics 借用: {name_zh} (`{id}`)")
            }
            Basis::Assumption => "Scenario assumption 情景假设".to_string(),
            Basis::NoData { .. } => "No public data yet 暂无公开数据".to_string(),
        }
    }
}

/// Keeps at most `n` characters.
pub fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A number as typed: `93`, not `93.0`.
pub fn trim_number(v: f64) -> String {
    let s = format!("{v}");
    s.trim_end_matches(".0").to_string()
}

/// A number without trailing zeros (at most 4 decimals).
pub fn number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// What a target asks, in a few characters: `>= 93`, `Δ >= 5`, `Σ >= 500`,
/// `yearly >= 97`, `done`.
pub fn goal(kind: Kind, comparator: Comparator, value: f64) -> String {
    let (cmp, v) = (comparator.name(), trim_number(value));
    match kind {
        Kind::Milestone => "done".to_string(),
        Kind::Increase => format!("Δ {cmp} {v}"),
        Kind::Cumulative => format!("Σ {cmp} {v}"),
        Kind::EveryYear => format!("yearly {cmp} {v}"),
        Kind::Level => format!("{cmp} {v}"),
    }
}

/// What a target asks, in words: "≥ 93 index in 2030", "increase 2025→2030 ≥ 5".
pub fn condition(
    kind: &TargetKind,
    comparator: Comparator,
    value: f64,
    year: i32,
    unit: &str,
) -> String {
    let cmp = comparator.printed();
    let v = number(value);
    let unit = if unit.is_empty() || unit == "0/1" {
        String::new()
    } else {
        format!(" {unit}")
    };
    match kind {
        TargetKind::Level => format!("{cmp} {v}{unit} in {year}"),
        TargetKind::Increase { base_year } => {
            format!("increase {base_year}→{year} {cmp} {v}{unit}")
        }
        TargetKind::EveryYear { from_year } => {
            format!("{cmp} {v}{unit} every year {from_year}–{year}")
        }
        TargetKind::Cumulative { from_year } => {
            format!("Σ {from_year}–{year} {cmp} {v}{unit}")
        }
        TargetKind::Milestone => format!("done by {year}"),
    }
}

/// The legend of a target's line on a fan chart, at the yearly `level` it
/// asks ([`TargetKind::yearly_level`]); `base` describes the base value of
/// an increase ("2025 value 44").
pub fn target_line(
    kind: &TargetKind,
    (comparator, value, year): (Comparator, f64, i32),
    level: f64,
    base: &str,
) -> String {
    let cmp = comparator.printed();
    match kind {
        TargetKind::Level => format!("target {cmp} {} in {year}", number(value)),
        TargetKind::EveryYear { from_year } => {
            format!(
                "target {cmp} {} every year {from_year}–{year}",
                number(value)
            )
        }
        TargetKind::Increase { .. } => format!(
            "target: {base} + {} = {} in {year}",
            number(value),
            number(level)
        ),
        TargetKind::Cumulative { from_year } => format!(
            "target: Σ {from_year}–{year} {cmp} {}, i.e. {} a year on average",
            number(value),
            number(level)
        ),
        TargetKind::Milestone => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(93.0), "93");
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(0.12345), "0.1235");
        assert_eq!(number(-0.00001), "0");
        assert_eq!(trim_number(1500.0), "1500");
    }

    #[test]
    fn goals_name_their_statistic() {
        assert_eq!(goal(Kind::Increase, Comparator::Ge, 5.0), "Δ >= 5");
        assert_eq!(goal(Kind::Milestone, Comparator::Ge, 1.0), "done");
        assert_eq!(
            condition(
                &TargetKind::Cumulative { from_year: 2026 },
                Comparator::Ge,
                500.0,
                2030,
                "count/year"
            ),
            "Σ 2026–2030 ≥ 500 count/year"
        );
    }
}
