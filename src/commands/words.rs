//! The words people read: how a target, a number or a status is written in
//! the terminal and on the report page.
//!
//! In: the model's and the tables' typed values. Out: text. Every
//! kind-specific phrase lives here, so a new kind of target is described in
//! one place.

mod columns;
mod phrases;

use std::fmt::Display;

pub use crate::cli::Lang;
pub use columns::{column_zh, is_probability};
pub use phrases::Say;

use crate::input::catalog::{Catalog, Provenance};
use crate::model::target::{Comparator, Kind, TargetKind};
use crate::model::Named;
use crate::plan::Status;
use crate::tables::attainment::Likelihood;

// `Lang` is a flag's value, so it is defined with the flags (`cli.rs`);
// what it says is here.
impl Lang {
    /// The sentence `say` in this language.
    pub fn say(self, say: Say) -> &'static str {
        match self {
            Lang::En => say.en(),
            Lang::Zh => say.zh(),
        }
    }

    /// The sentence `say` with its blanks `{0}`, `{1}`, … filled by `values`.
    pub fn fill(self, say: Say, values: &[&dyn Display]) -> String {
        let mut text = self.say(say).to_string();
        for (i, v) in values.iter().enumerate() {
            text = text.replace(&format!("{{{i}}}"), &v.to_string());
        }
        text
    }

    /// A likelihood term (IPCC scale) in this language.
    pub fn likelihood(self, term: Likelihood) -> &'static str {
        match self {
            Lang::En => term.name(),
            Lang::Zh => term.zh(),
        }
    }

    /// The value of an HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
        }
    }
}

/// The width of `s` in a terminal: CJK and full-width characters take two
/// columns.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `s` padded with spaces to `width` terminal columns (left-aligned).
pub fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// `s` padded on the left to `width` terminal columns (right-aligned).
pub fn pad_left(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// Keeps at most `width` terminal columns of `s`, ending in `…` when cut.
pub fn clip_width(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = display_width(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// The provenance of a history row, as a reader is told it.
pub fn provenance_word(lang: Lang, p: Provenance) -> &'static str {
    match (lang, p) {
        (Lang::En, p) => p.name(),
        (Lang::Zh, Provenance::Official) => "官方发布",
        (Lang::Zh, Provenance::Secondary) => "转载官方数字",
        (Lang::Zh, Provenance::Plan) => "规划文本",
        (Lang::Zh, Provenance::Illustrative) => "示意数据",
    }
}

/// The status of a target's probability, as a reader is told it.
pub fn status_word(lang: Lang, status: Status) -> &'static str {
    match (lang, status) {
        (Lang::En, s) => s.name(),
        (Lang::Zh, Status::Ok) => "自身数据",
        (Lang::Zh, Status::Borrowed) => "借用",
        (Lang::Zh, Status::AssumptionOnly) => "情景假设",
        (Lang::Zh, Status::InsufficientHistory) => "历史数据不足",
    }
}

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
    pub fn heading(&self, lang: Lang) -> String {
        match self {
            Basis::Own => lang.say(Say::BasisOwn).to_string(),
            Basis::Borrowed { id, name_zh } => lang.fill(Say::BasisBorrowed, &[name_zh, id]),
            Basis::Assumption => lang.say(Say::BasisAssumption).to_string(),
            Basis::NoData { .. } => lang.say(Say::BasisNoData).to_string(),
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

/// A probability as a reader sees it: two decimals, three near 0 and 1,
/// and never a bare 0 or 1 that the draws do not show: below 0.001 it reads
/// `< 0.001`, above 0.999 (but not 1) `> 0.999`.
pub fn probability(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_string()
    } else if p >= 1.0 {
        "1.00".to_string()
    } else if p > 0.999 {
        "> 0.999".to_string()
    } else if !(0.01..=0.99).contains(&p) {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
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
pub fn goal(lang: Lang, kind: Kind, comparator: Comparator, value: f64) -> String {
    let (cmp, v) = (comparator.name(), trim_number(value));
    match kind {
        Kind::Milestone => lang.say(Say::Done).to_string(),
        Kind::Increase => format!("Δ {cmp} {v}"),
        Kind::Cumulative => format!("Σ {cmp} {v}"),
        Kind::EveryYear => format!("{} {cmp} {v}", lang.say(Say::Yearly)),
        Kind::Level => format!("{cmp} {v}"),
    }
}

/// What a target asks, in words: "≥ 93 index in 2030", "increase 2025→2030 ≥ 5".
pub fn condition(
    lang: Lang,
    kind: &TargetKind,
    comparator: Comparator,
    value: f64,
    year: i32,
    unit: &str,
) -> String {
    let cmp = comparator.printed();
    let v = number(value);
    let unit = unit_word(lang, unit);
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    if lang == Lang::Zh {
        return match kind {
            TargetKind::Level => format!("{year} 年 {cmp} {v}{unit}"),
            TargetKind::Increase { base_year } => {
                format!("{base_year}→{year} 年增加 {cmp} {v}{unit}")
            }
            TargetKind::EveryYear { from_year } => {
                format!("{from_year}–{year} 年每年 {cmp} {v}{unit}")
            }
            TargetKind::Cumulative { from_year } => {
                format!("{from_year}–{year} 年累计 {cmp} {v}{unit}")
            }
            TargetKind::Milestone => format!("{year} 年前完成"),
        };
    }
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

/// A catalog unit in the reader's language (the catalog writes units in
/// English: `%`, `index`, `10k CNY/person`, `count`, …); a milestone's
/// `0/1` and an index have none. Units this table does not know are shown
/// as the catalog writes them.
pub fn unit_word(lang: Lang, unit: &str) -> String {
    let zh = match unit {
        "" | "0/1" => return String::new(),
        "index" if lang == Lang::Zh => "",
        "%" => "%",
        "points" => "分",
        "count" => "个",
        "count/year" => "个/年",
        "10k CNY/person" => "万元/人",
        "100m CNY" => "亿元",
        "10k CNY" => "万元",
        "CNY" => "元",
        "days" => "天",
        _ => unit,
    };
    match lang {
        Lang::En => unit.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// The legend of a target's line on a fan chart, at the yearly `level` it
/// asks ([`TargetKind::yearly_level`]); `base` describes the base value of
/// an increase ("2025 value 44").
pub fn target_line(
    lang: Lang,
    kind: &TargetKind,
    (comparator, value, year): (Comparator, f64, i32),
    level: f64,
    base: &str,
) -> String {
    let cmp = comparator.printed();
    if lang == Lang::Zh {
        return match kind {
            TargetKind::Level => format!("目标：{year} 年 {cmp} {}", number(value)),
            TargetKind::EveryYear { from_year } => {
                format!("目标：{from_year}–{year} 年每年 {cmp} {}", number(value))
            }
            TargetKind::Increase { .. } => format!(
                "目标：{base} + {} = {year} 年 {}",
                number(value),
                number(level)
            ),
            TargetKind::Cumulative { from_year } => format!(
                "目标：{from_year}–{year} 年累计 {cmp} {}，即年均 {}",
                number(value),
                number(level)
            ),
            TargetKind::Milestone => String::new(),
        };
    }
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
    fn probabilities_never_read_as_a_bare_zero() {
        assert_eq!(probability(0.0), "< 0.001");
        assert_eq!(probability(0.0004), "< 0.001");
        assert_eq!(probability(0.004), "0.004");
        assert_eq!(probability(0.5312), "0.53");
        assert_eq!(probability(0.9996), "> 0.999");
        assert_eq!(probability(1.0), "1.00");
    }

    #[test]
    fn chinese_takes_two_columns_a_character() {
        assert_eq!(display_width("研发 R&D"), 8);
        assert_eq!(pad("研发", 6), "研发  ");
        assert_eq!(clip_width("研发投入强度", 7), "研发投…");
        assert_eq!(Lang::from_env(Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_env(Some("C.UTF-8")), Lang::En);
        assert_eq!(Lang::from_env(None), Lang::En);
    }

    #[test]
    fn goals_name_their_statistic() {
        assert_eq!(
            goal(Lang::En, Kind::Increase, Comparator::Ge, 5.0),
            "Δ >= 5"
        );
        assert_eq!(goal(Lang::En, Kind::Milestone, Comparator::Ge, 1.0), "done");
        assert_eq!(goal(Lang::Zh, Kind::Milestone, Comparator::Ge, 1.0), "完成");
        assert_eq!(
            condition(
                Lang::En,
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
