//! What the page shows, gathered from the run's rows and the catalog.
//!
//! In: a [`Run`] and the [`Catalog`]. Out: a [`ReportView`]: the run header,
//! one [`TargetRow`] per target (a heat-map row), one [`FanView`] per
//! indicator with a walk or count target, the scorecard distributions and,
//! per scenario with uncertain levers, the tornado bars of
//! `sensitivity.parquet`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::commands::words::{condition, number, target_line as line_label, Basis, Lang, Say};
use crate::input::catalog::{Catalog, Provenance};
use crate::model::lever::Spread;
use crate::model::target::{Comparator, Kind, TargetKind};
use crate::model::transform::Transform;
use crate::model::Named;
use crate::plan::Status;
use crate::tables::attainment::{AttainmentRow, Likelihood};
use crate::tables::fan::FanKind;
use crate::tables::manifest::Manifest;
use crate::tables::Run;

/// One cell of the heat map: a target under a scenario.
#[derive(Debug, Clone)]
pub struct Cell {
    /// P(attain), null when the target has no probability.
    pub p: Option<f64>,
    /// 95 % Wilson interval.
    pub interval: Option<(f64, f64)>,
    /// Likelihood term.
    pub likelihood: Option<Likelihood>,
    /// Status of the target.
    pub status: Status,
}

/// One target: a row of the heat map.
#[derive(Debug, Clone)]
pub struct TargetRow {
    /// Target id.
    pub id: String,
    /// Indicator id.
    pub indicator_id: String,
    /// Indicator name, Chinese.
    pub name_zh: String,
    /// Indicator name, English.
    pub name_en: String,
    /// What is to be met, e.g. "≥ 93 index in 2030".
    pub condition: String,
    /// The plan's wording.
    pub source: String,
    /// Whether its history includes illustrative stand-ins.
    pub illustrative: bool,
    /// What its probability rests on.
    pub basis: Basis,
    /// One cell per scenario of [`ReportView::scenarios`].
    pub cells: Vec<Option<Cell>>,
}

/// An observed figure of a fan chart.
#[derive(Debug, Clone)]
pub struct ObservedPoint {
    /// Year.
    pub year: i32,
    /// Value.
    pub value: f64,
    /// Provenance from the catalog (None: the catalog no longer has the year).
    pub provenance: Option<Provenance>,
}

impl ObservedPoint {
    /// Drawn filled (a published figure) or hollow (a stand-in, or unknown).
    pub fn published(&self) -> bool {
        matches!(
            self.provenance,
            Some(Provenance::Official | Provenance::Secondary | Provenance::Plan)
        )
    }
}

/// One scenario's projection of an indicator.
#[derive(Debug, Clone)]
pub struct ScenarioBands {
    /// Scenario name.
    pub scenario: String,
    /// (year, p05, p10, p25, p50, p75, p90, p95), starting at the last
    /// observation (all seven equal to it) so the fan opens from the data.
    pub points: Vec<(i32, [f64; 7])>,
}

/// A target drawn on a fan chart: a line at `value` from `from_year` to `year`.
#[derive(Debug, Clone)]
pub struct TargetLine {
    /// Legend text.
    pub label: String,
    /// Level to reach, indicator units.
    pub value: f64,
    /// First year of the line.
    pub from_year: i32,
    /// Target year (marked).
    pub year: i32,
}

/// One fan chart.
#[derive(Debug, Clone)]
pub struct FanView {
    /// Indicator id.
    pub indicator_id: String,
    /// Name, Chinese.
    pub name_zh: String,
    /// Name, English.
    pub name_en: String,
    /// Unit.
    pub unit: String,
    /// Decimals the figure is published with (caps the axis labels).
    pub decimals: i32,
    /// Observed figures, by year.
    pub observed: Vec<ObservedPoint>,
    /// One per scenario (same order as [`ReportView::scenarios`]).
    pub bands: Vec<ScenarioBands>,
    /// Targets on this indicator.
    pub targets: Vec<TargetLine>,
    /// Whether any observed figure is a stand-in.
    pub illustrative: bool,
}

/// One scenario's distribution of the number of targets met (group `all`).
#[derive(Debug, Clone)]
pub struct Scorecard {
    /// Scenario.
    pub scenario: String,
    /// Targets counted.
    pub targets: i32,
    /// P(exactly k met), k = 0, 1, …
    pub p_exactly: Vec<f64>,
}

impl Scorecard {
    /// Expected number of targets met.
    pub fn mean(&self) -> f64 {
        self.p_exactly
            .iter()
            .enumerate()
            .map(|(k, p)| k as f64 * p)
            .sum()
    }

    /// The smallest k with P(at most k) ≥ `q`.
    pub fn quantile(&self, q: f64) -> usize {
        let mut cum = 0.0;
        for (k, p) in self.p_exactly.iter().enumerate() {
            cum += p;
            if cum >= q - 1e-12 {
                return k;
            }
        }
        self.p_exactly.len().saturating_sub(1)
    }
}

/// Everything on the page.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// The manifest.
    pub manifest: Manifest,
    /// The data folder labels came from.
    pub data: String,
    /// Scenarios, baseline first.
    pub scenarios: Vec<String>,
    /// History rows by provenance (indicators of the run).
    pub provenance_counts: Vec<(Provenance, usize)>,
    /// Heat-map rows.
    pub targets: Vec<TargetRow>,
    /// Fan charts.
    pub fans: Vec<FanView>,
    /// Scorecards, one per scenario.
    pub scorecards: Vec<Scorecard>,
    /// Tornado bars, one per scenario, target and uncertain lever.
    pub levers: Vec<LeverBar>,
    /// Warnings shown in the header.
    pub warnings: Vec<String>,
}

impl ReportView {
    /// A scenario's name and description as the page shows them in `lang`:
    /// under `zh` the file's `name_zh` and `description_zh` when it gives
    /// them; the description is empty for runs that did not record it.
    pub fn scenario_text(&self, name: &str, lang: Lang) -> (String, String) {
        let Some(t) = self
            .manifest
            .scenario_descriptions
            .iter()
            .find(|t| t.name == name)
        else {
            return (name.to_string(), String::new());
        };
        match lang {
            Lang::Zh => (
                t.name_zh.clone().unwrap_or_else(|| t.name.clone()),
                t.description_zh
                    .clone()
                    .unwrap_or_else(|| t.description.clone()),
            ),
            Lang::En => (t.name.clone(), t.description.clone()),
        }
    }
}

/// Gathers the view. Catalog entries missing from the run (or the reverse)
/// are tolerated: labels then come from the run's own columns.
pub fn assemble(
    run: &Run,
    catalog: &Catalog,
    data: &Path,
    lang: Lang,
    warnings: &mut Vec<String>,
) -> ReportView {
    let scenarios: Vec<String> = run
        .manifest
        .scenarios
        .iter()
        .filter(|s| run.attainment.iter().any(|r| &r.scenario == *s))
        .cloned()
        .collect();
    let column = |name: &str| scenarios.iter().position(|s| s == name);

    // Heat-map rows, in the run's target order (grouped by basis below).
    let mut targets: Vec<TargetRow> = Vec::new();
    let mut row_of: HashMap<String, usize> = HashMap::new();
    for r in &run.attainment {
        let index = *row_of.entry(r.target_id.clone()).or_insert_with(|| {
            let target = catalog.targets.iter().find(|t| t.id == r.target_id);
            let unit = catalog
                .indicator_index(&r.indicator_id)
                .map(|i| catalog.indicators[i].unit.clone())
                .unwrap_or_default();
            let condition = match target {
                Some(t) => condition(
                    lang,
                    &t.kind,
                    r.comparator,
                    r.target_value,
                    r.target_year,
                    &unit,
                ),
                None => format!(
                    "{} {} {} ({})",
                    r.kind.name(),
                    r.comparator.printed(),
                    number(r.target_value),
                    r.target_year
                ),
            };
            targets.push(TargetRow {
                id: r.target_id.clone(),
                indicator_id: r.indicator_id.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
                condition,
                source: target.map(|t| t.source.clone()).unwrap_or_default(),
                illustrative: r.provenance == Some(Provenance::Illustrative),
                basis: Basis::of(catalog, &r.indicator_id, r.status, r.analog.as_deref()),
                cells: vec![None; scenarios.len()],
            });
            targets.len() - 1
        });
        if let Some(s) = column(&r.scenario) {
            targets[index].cells[s] = Some(Cell {
                p: r.p_attain,
                interval: r.p_low.zip(r.p_high),
                likelihood: r.likelihood,
                status: r.status,
            });
        }
    }

    // Provenance of the history rows of the run's indicators.
    let mut counts: BTreeMap<Provenance, usize> = BTreeMap::new();
    let mut seen_indicators: Vec<&str> = Vec::new();
    for t in &targets {
        if seen_indicators.contains(&t.indicator_id.as_str()) {
            continue;
        }
        seen_indicators.push(&t.indicator_id);
        if let Some(i) = catalog.indicator_index(&t.indicator_id) {
            for o in &catalog.history[i] {
                *counts.entry(o.provenance).or_default() += 1;
            }
        } else {
            warnings.push(format!(
                "indicator `{}` of the run is not in the catalog of `{}`",
                t.indicator_id,
                data.display()
            ));
        }
    }
    let provenance_counts = [
        Provenance::Official,
        Provenance::Secondary,
        Provenance::Plan,
        Provenance::Illustrative,
    ]
    .into_iter()
    .map(|p| (p, counts.get(&p).copied().unwrap_or(0)))
    .collect();

    let fans = seen_indicators
        .iter()
        .filter_map(|id| fan_view(run, catalog, id, &scenarios, lang))
        .collect();

    let scorecards = scenarios
        .iter()
        .filter_map(|s| {
            let mut rows: Vec<_> = run
                .scorecard
                .iter()
                .filter(|r| &r.scenario == s && r.group == "all")
                .collect();
            rows.sort_by_key(|r| r.k);
            let targets = rows.first()?.targets;
            Some(Scorecard {
                scenario: s.clone(),
                targets,
                p_exactly: rows.iter().map(|r| r.p_exactly).collect(),
            })
        })
        .collect();

    // Grouped by what the probabilities rest on: own history, borrowed
    // (by analog), assumption, no data; the run's order within a group.
    targets.sort_by(|a, b| a.basis.cmp(&b.basis));

    let levers = lever_bars(run, &scenarios, catalog);
    ReportView {
        manifest: run.manifest.clone(),
        data: data.display().to_string(),
        scenarios,
        provenance_counts,
        targets,
        fans,
        scorecards,
        levers,
        warnings: warnings.clone(),
    }
}

/// One bar of a tornado chart: how P(attain) of a target moves between the
/// two ends of an uncertain lever's range.
#[derive(Debug, Clone)]
pub struct LeverBar {
    /// Index of the scenario in [`ReportView::scenarios`].
    pub scenario: usize,
    /// Target id.
    pub target_id: String,
    /// Target name (Chinese), or the id when the catalog lacks it.
    pub target_name: String,
    /// The lever's entry (`FILE.adjust[I].FIELD`).
    pub lever: String,
    /// Its range in words, e.g. `triangular 1.1–1.3, peak 1.2`.
    pub range: String,
    /// P(attain) over all draws.
    pub p: f64,
    /// P(attain) with the lever in the lowest tenth of its range.
    pub p_low: f64,
    /// P(attain) with the lever in the highest tenth of its range.
    pub p_high: f64,
    /// Share of the attainment's variance the lever explains alone.
    pub first_order: Option<f64>,
}

impl LeverBar {
    /// How far the probability moves across the range.
    pub fn swing(&self) -> f64 {
        (self.p_high - self.p_low).abs()
    }
}

/// The tornado bars of the run, by scenario (the page's order), widest swing
/// first; rows without probabilities are left out.
fn lever_bars(run: &Run, scenarios: &[String], catalog: &Catalog) -> Vec<LeverBar> {
    let mut bars: Vec<LeverBar> = run
        .sensitivity
        .iter()
        .filter_map(|r| {
            let scenario = scenarios.iter().position(|s| s == &r.scenario)?;
            let spread = match r.lever_mode {
                Some(mode) => Spread::Triangular {
                    low: r.lever_low,
                    mode,
                    high: r.lever_high,
                },
                None => Spread::Uniform {
                    low: r.lever_low,
                    high: r.lever_high,
                },
            };
            let target_name = catalog
                .targets
                .iter()
                .find(|t| t.id == r.target_id)
                .map_or_else(
                    || r.target_id.clone(),
                    |t| catalog.indicators[t.indicator].name_zh.clone(),
                );
            Some(LeverBar {
                scenario,
                target_id: r.target_id.clone(),
                target_name,
                lever: r.lever.clone(),
                range: spread.to_string(),
                p: r.p_attain?,
                p_low: r.p_low?,
                p_high: r.p_high?,
                first_order: r.first_order,
            })
        })
        .collect();
    bars.sort_by(|a, b| {
        a.scenario
            .cmp(&b.scenario)
            .then(b.swing().total_cmp(&a.swing()))
            .then_with(|| a.target_id.cmp(&b.target_id))
            .then_with(|| a.lever.cmp(&b.lever))
    });
    bars
}

/// A fan chart for `indicator_id` if it has a target other than a milestone
/// and projected rows in `fan.parquet`.
fn fan_view(
    run: &Run,
    catalog: &Catalog,
    indicator_id: &str,
    scenarios: &[String],
    lang: Lang,
) -> Option<FanView> {
    let rows: Vec<_> = run
        .attainment
        .iter()
        .filter(|r| r.indicator_id == indicator_id && Some(&r.scenario) == scenarios.first())
        .collect();
    let first = rows.first()?;
    if rows.iter().all(|r| r.kind == Kind::Milestone) {
        return None;
    }
    let index = catalog.indicator_index(indicator_id);
    if index.is_some_and(|i| {
        let transform = catalog.indicators[i].transform;
        !transform.is_walk() && transform != Transform::Count
    }) {
        return None;
    }
    // Nothing projected (too little history): no fan to draw.
    if !run
        .fan
        .iter()
        .any(|f| f.indicator_id == indicator_id && f.kind == FanKind::Projected)
    {
        return None;
    }
    let history = index.map(|i| &catalog.history[i]);
    let baseline = scenarios.first()?;
    let mut observed: Vec<ObservedPoint> = run
        .fan
        .iter()
        .filter(|f| {
            f.indicator_id == indicator_id && &f.scenario == baseline && f.kind == FanKind::Observed
        })
        .filter_map(|f| {
            Some(ObservedPoint {
                year: f.year,
                value: f.p50?,
                provenance: history
                    .and_then(|h| h.iter().find(|o| o.year == f.year))
                    .map(|o| o.provenance),
            })
        })
        .collect();
    observed.sort_by_key(|o| o.year);
    let last = observed.last().map(|o| (o.year, o.value));
    let mut bands = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        let mut points: Vec<(i32, [f64; 7])> = run
            .fan
            .iter()
            .filter(|f| {
                f.indicator_id == indicator_id && &f.scenario == s && f.kind == FanKind::Projected
            })
            .filter_map(|f| {
                let mut q = [0.0; 7];
                for (slot, v) in q.iter_mut().zip(f.quantiles()) {
                    *slot = v?;
                }
                Some((f.year, q))
            })
            .collect();
        points.sort_by_key(|p| p.0);
        if let (Some((year, value)), Some(first)) = (last, points.first()) {
            if first.0 > year {
                points.insert(0, (year, [value; 7]));
            }
        }
        bands.push(ScenarioBands {
            scenario: s.clone(),
            points,
        });
    }
    let targets = rows
        .iter()
        .filter_map(|r| {
            let target = catalog.targets.iter().find(|t| t.id == r.target_id);
            // A count is a whole number: its threshold is its value.
            let decimals = index
                .filter(|&i| catalog.indicators[i].transform != Transform::Count)
                .map(|i| catalog.indicators[i].decimals);
            target_line(r, target.map(|t| t.kind), &observed, &bands, decimals, lang)
        })
        .collect();
    let unit = index
        .map(|i| catalog.indicators[i].unit.clone())
        .unwrap_or_default();
    let illustrative = observed.iter().any(|o| !o.published());
    Some(FanView {
        indicator_id: indicator_id.to_string(),
        name_zh: first.name_zh.clone(),
        name_en: first.name_en.clone(),
        unit,
        decimals: index.map_or(2, |i| catalog.indicators[i].decimals),
        observed,
        bands,
        targets,
        illustrative,
    })
}

/// The unrounded value at which a figure published with `decimals`
/// decimals (rounded half away from zero) starts to meet `comparator value`:
/// half a unit of the last decimal below the value for `>=` and `<`, above
/// it for `>` and `<=` (e.g. 99.95 for "≥ 100" at one decimal).
pub fn published_threshold(comparator: Comparator, value: f64, decimals: i32) -> f64 {
    let half = 0.5 * 10f64.powi(-decimals.clamp(0, 12));
    let drawn = match comparator {
        Comparator::Ge | Comparator::Lt => value - half,
        Comparator::Gt | Comparator::Le => value + half,
    };
    // Written with one decimal more than published, e.g. 99.95.
    crate::model::transform::round_published(drawn, decimals.clamp(0, 12) + 1)
}

/// The level a target asks of the indicator, as a line on its fan chart.
fn target_line(
    r: &AttainmentRow,
    kind: Option<TargetKind>,
    observed: &[ObservedPoint],
    bands: &[ScenarioBands],
    decimals: Option<i32>,
    lang: Lang,
) -> Option<TargetLine> {
    let kind = kind?;
    let mut base_text = String::new();
    let base = |base_year: i32| {
        // The base year's value: observed, else the baseline's median.
        let (value, how) = match observed.iter().find(|o| o.year == base_year) {
            Some(o) => (o.value, lang.say(Say::BaseValue)),
            None => (
                bands.first()?.points.iter().find(|p| p.0 == base_year)?.1[3],
                lang.say(Say::BaseMedian),
            ),
        };
        base_text = format!("{base_year} {how} {}", number(value));
        Some(value)
    };
    let (value, from) = kind.yearly_level(r.target_value, r.target_year, base)?;
    let first_year = observed.first().map_or(r.target_year, |o| o.year);
    let mut label = line_label(
        lang,
        &kind,
        (r.comparator, r.target_value, r.target_year),
        value,
        &base_text,
    );
    // A level is met when its published figure is: the line is drawn at
    // the threshold of the unrounded value, with a note.
    let published = matches!(kind, TargetKind::Level | TargetKind::EveryYear { .. });
    let value = match decimals.filter(|_| published) {
        Some(d) => {
            let drawn = published_threshold(r.comparator, value, d);
            if drawn != value {
                label.push_str(&lang.fill(Say::DrawnAt, &[&number(drawn), &number(value)]));
            }
            drawn
        }
        None => value,
    };
    Some(TargetLine {
        label,
        value,
        from_year: from.unwrap_or(first_year),
        year: r.target_year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scorecard_mean_and_quantiles_follow_the_distribution() {
        let s = Scorecard {
            scenario: "x".into(),
            targets: 3,
            p_exactly: vec![0.1, 0.2, 0.3, 0.4],
        };
        assert!((s.mean() - 2.0).abs() < 1e-12);
        assert_eq!(s.quantile(0.5), 2);
        assert_eq!(s.quantile(0.1), 0);
        assert_eq!(s.quantile(0.95), 3);
    }
}
