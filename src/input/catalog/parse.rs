//! Reading and validating the catalog tables into a [`Catalog`].
//!
//! In: a data folder. Out: the [`Catalog`], or the first input error, naming
//! the file, the row, the column, what was expected and what was found.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::{analog, settings, Catalog, Indicator, Observation, Provenance, Target};
use crate::error::{Error, Place, Result};
use crate::input::table::{find_table, read_table, RawTable, Row};
use crate::model::calendar::civil_from_days;
use crate::model::target::{Comparator, Kind, TargetKind};
use crate::model::transform::Transform;
use crate::model::Named;

/// Loads and validates `indicators`, `targets` and `history` from `dir`.
pub fn load_catalog(dir: &Path) -> Result<Catalog> {
    let indicators_path = find_table(dir, "indicators")?;
    let targets_path = find_table(dir, "targets")?;
    let history_path = find_table(dir, "history")?;
    let tables = [
        read_table(&indicators_path)?,
        read_table(&targets_path)?,
        read_table(&history_path)?,
    ];
    let mut warnings: Vec<String> = tables.iter().filter_map(|t| t.warning.clone()).collect();
    let [indicators_table, targets_table, history_table] = &tables;
    let indicators = parse_indicators(indicators_table)?;
    let history = parse_history(history_table, &indicators, &mut warnings)?;
    analog::check_priors(&indicators_path, &indicators, &history)?;
    let (settings, settings_path) = settings::read_settings(dir)?;
    let targets = parse_targets(targets_table, &indicators, &history)?;
    // A milestone without a row: nothing says whether it is done. (A walk
    // or a count without one is listed by `run` as having no public data.)
    for (k, indicator) in indicators.iter().enumerate() {
        let milestone = indicator.transform == Transform::Milestone;
        if milestone && history[k].is_empty() && targets.iter().any(|t| t.indicator == k) {
            warnings.push(format!(
                "`{}`: no row for milestone `{}`, so whether it is done is unknown; its targets get no probability (status `insufficient_history`; a row with 0 says it is not done yet)",
                history_path.display(),
                indicator.id
            ));
        }
    }
    let mut files = vec![indicators_path, targets_path, history_path];
    files.extend(settings_path);
    Ok(Catalog {
        indicators,
        targets,
        history,
        settings,
        warnings,
        files,
    })
}

/// The current calendar year (UTC), from the system clock.
pub fn current_year() -> i32 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((seconds / 86_400) as i64).0 as i32
}

/// An id or group name as statistical offices write them: ASCII letters
/// (either case), digits, `_`, `.` and `-`, starting with a letter or a
/// digit (`rd_intensity`, `N0001`, `NY.GDP.MKTP.CD`).
pub fn valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn check_id(id: &str, place: Place) -> Result<()> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(Error::input(
            place,
            "an id of ASCII letters, digits, `_`, `.` and `-`, starting with a letter or digit \
             (e.g. `rd_intensity`, `N0001`, `NY.GDP.MKTP.CD`)",
            format!("`{id}`"),
        ))
    }
}

/// Reads the id of a row: snake_case and not used on an earlier row.
fn unique_id(
    row: &Row,
    column: usize,
    what: &str,
    seen: &mut HashMap<String, usize>,
) -> Result<String> {
    let id = row.string(column, what)?;
    check_id(&id, row.cell_place(column))?;
    if let Some(first) = seen.insert(id.clone(), row.number()) {
        return Err(Error::input(
            row.cell_place(column),
            "a unique id",
            format!("`{id}`, already used on row {first}"),
        ));
    }
    Ok(id)
}

fn parse_indicators(table: &RawTable) -> Result<Vec<Indicator>> {
    let c_id = table.column("id")?;
    let c_zh = table.column("name_zh")?;
    let c_en = table.column("name_en")?;
    let c_group = table.column("group")?;
    let c_unit = table.column("unit")?;
    let c_transform = table.column("transform")?;
    let c_lower = table.column("lower")?;
    let c_upper = table.column("upper")?;
    let c_decimals = table.column("decimals")?;
    // Columns added later: optional, so older catalogs stay valid.
    let c_analog = table.optional_column("analog");
    let c_weight = table.optional_column("analog_weight");
    let c_published = table.optional_column("published_in");
    let c_persistence = table.optional_column("persistence");
    let mut analogs = Vec::new();
    let mut weight_without_analog = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for index in 0..table.rows.len() {
        let row = table.row(index);
        let id = unique_id(&row, c_id, "an indicator id", &mut seen)?;
        let transform_name = row.string(c_transform, "a transform")?;
        let lower = row.opt_f64(c_lower)?;
        let upper = row.opt_f64(c_upper)?;
        let transform = match transform_name.as_str() {
            "level" => Transform::Level,
            "log" => Transform::Log,
            "count" => Transform::Count,
            "milestone" => Transform::Milestone,
            "logit" => match (lower, upper) {
                (Some(lower), Some(upper)) if lower < upper => Transform::Logit { lower, upper },
                (Some(lower), Some(upper)) => {
                    return Err(Error::input(
                        row.cell_place(c_upper),
                        format!("an upper bound above the lower bound {lower}"),
                        format!("{upper}"),
                    ))
                }
                (None, _) => {
                    return Err(Error::input(
                        row.cell_place(c_lower),
                        "a lower bound (required for `logit`)",
                        "an empty cell",
                    ))
                }
                (_, None) => {
                    return Err(Error::input(
                        row.cell_place(c_upper),
                        "an upper bound (required for `logit`)",
                        "an empty cell",
                    ))
                }
            },
            other => {
                return Err(Error::input(
                    row.cell_place(c_transform),
                    "one of level, log, logit, count, milestone",
                    format!("`{other}`"),
                ))
            }
        };
        let decimals = row.i32(c_decimals)?;
        if !(0..=9).contains(&decimals) {
            return Err(Error::input(
                row.cell_place(c_decimals),
                "a number of decimals from 0 to 9",
                format!("{decimals}"),
            ));
        }
        let group = row.string(c_group, "a group")?;
        check_id(&group, row.cell_place(c_group))?;
        let text = |c: Option<usize>| c.and_then(|c| row.text(c)).map(str::to_string);
        let persistence = match c_persistence {
            Some(c) => row.opt_f64(c)?,
            None => None,
        };
        if let Some(phi) = persistence.filter(|phi| !(0.0..=1.0).contains(phi)) {
            return Err(Error::input(
                row.cell_place(c_persistence.expect("read")),
                "a drift persistence φ in [0, 1] (empty: the catalog's prior)",
                format!("{phi}"),
            ));
        }
        if persistence.is_some() && !transform.is_walk() {
            return Err(Error::input(
                row.cell_place(c_persistence.expect("read")),
                "an empty cell (a persistence is for `level`, `log` or `logit` indicators)",
                format!("a persistence for a {}", transform.name()),
            ));
        }
        let weight = match c_weight {
            Some(c) => row.opt_f64(c)?,
            None => None,
        };
        match text(c_analog) {
            Some(id) => analogs.push(analog::Named {
                indicator: out.len(),
                id,
                weight,
            }),
            None if weight.is_some() => {
                weight_without_analog.get_or_insert(row.number());
            }
            None => {}
        }
        out.push(Indicator {
            id,
            name_zh: row.text(c_zh).unwrap_or_default().to_string(),
            name_en: row.text(c_en).unwrap_or_default().to_string(),
            group,
            unit: row.text(c_unit).unwrap_or_default().to_string(),
            transform,
            decimals,
            analog: None,
            published_in: text(c_published),
            persistence,
            row: row.number(),
        });
    }
    if out.is_empty() {
        return Err(Error::input(
            Place::file(&table.path),
            "at least one indicator",
            "no rows",
        ));
    }
    analog::resolve(&table.path, &mut out, analogs, weight_without_analog)?;
    Ok(out)
}

fn parse_history(
    table: &RawTable,
    indicators: &[Indicator],
    warnings: &mut Vec<String>,
) -> Result<Vec<Vec<Observation>>> {
    let c_ind = table.column("indicator_id")?;
    let c_year = table.column("year")?;
    let c_value = table.column("value")?;
    let c_prov = table.column("provenance")?;
    let c_source = table.column("source")?;
    let by_id: HashMap<&str, usize> = indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| (ind.id.as_str(), i))
        .collect();
    // (indicator, year) -> (row number, observation)
    let mut series: Vec<BTreeMap<i32, (usize, Observation)>> =
        vec![BTreeMap::new(); indicators.len()];
    for index in 0..table.rows.len() {
        let row = table.row(index);
        let id = row.string(c_ind, "an indicator id")?;
        let Some(&k) = by_id.get(id.as_str()) else {
            return Err(Error::input(
                row.cell_place(c_ind),
                "an indicator id listed in indicators",
                format!("`{id}`"),
            ));
        };
        let indicator = &indicators[k];
        let year = row.i32(c_year)?;
        if !(1900..=2200).contains(&year) {
            return Err(Error::input(
                row.cell_place(c_year),
                "a calendar year",
                format!("{year}"),
            ));
        }
        let this_year = current_year();
        if year > this_year {
            return Err(Error::input(
                row.cell_place(c_year),
                format!("a year that has passed (it is {this_year}): a history row is a published figure, not a goal"),
                format!("{year}"),
            ));
        }
        let mut value = row.f64(c_value)?;
        let prov_text = row.string(c_prov, "a provenance")?;
        let provenance = Provenance::parse(&prov_text).ok_or_else(|| {
            Error::input(
                row.cell_place(c_prov),
                format!("one of {}", Provenance::expected()),
                format!("`{prov_text}`"),
            )
        })?;
        let source = row.string(c_source, "the source of the figure")?;
        let place = row.cell_place(c_value);
        match indicator.transform {
            Transform::Log if value <= 0.0 => {
                return Err(Error::input(
                    place,
                    format!("a positive value (`{}` uses `log`)", indicator.id),
                    format!("{value}"),
                ))
            }
            Transform::Logit { lower, upper } => {
                if value < lower || value > upper {
                    return Err(Error::input(
                        place,
                        format!(
                            "a value within the bounds [{lower}, {upper}] of `{}`",
                            indicator.id
                        ),
                        format!("{value}"),
                    ));
                }
                if value == lower || value == upper {
                    let half = 0.5 * 10f64.powi(-indicator.decimals);
                    let nudged = if value == lower {
                        value + half
                    } else {
                        value - half
                    };
                    warnings.push(format!(
                        "{place}: {value} lies on a bound of `{}`; used as {nudged} (half a unit of its last decimal inside)",
                        indicator.id
                    ));
                    value = nudged;
                }
            }
            Transform::Count if value < 0.0 || value.fract() != 0.0 => {
                return Err(Error::input(
                    place,
                    format!("a whole number ≥ 0 (`{}` is a count)", indicator.id),
                    format!("{value}"),
                ))
            }
            Transform::Milestone if value != 0.0 && value != 1.0 => {
                return Err(Error::input(
                    place,
                    format!("0 or 1 (`{}` is a milestone)", indicator.id),
                    format!("{value}"),
                ))
            }
            _ => {}
        }
        let observation = Observation {
            year,
            value,
            provenance,
            source,
        };
        if let Some((first, _)) = series[k].insert(year, (row.number(), observation)) {
            return Err(Error::input(
                row.row_place(),
                format!("one row per indicator and year (`{id}`, {year})"),
                format!("a second row for it; the first is row {first}"),
            ));
        }
    }
    let mut out = Vec::with_capacity(indicators.len());
    for (k, rows) in series.into_iter().enumerate() {
        let indicator = &indicators[k];
        let mut previous: Option<(usize, f64)> = None;
        for (row_number, obs) in rows.values() {
            if let Some((prev_row, prev_value)) = previous {
                if indicator.transform == Transform::Count && obs.value < prev_value {
                    return Err(Error::input(
                        Place::cell(&table.path, *row_number, "value"),
                        format!(
                            "a count that does not fall (`{}` was {prev_value} on row {prev_row}; use `log` for a stock that can fall)",
                            indicator.id
                        ),
                        format!("{}", obs.value),
                    ));
                }
                if indicator.transform == Transform::Milestone && obs.value < prev_value {
                    return Err(Error::input(
                        Place::cell(&table.path, *row_number, "value"),
                        format!("a milestone that stays done once done (row {prev_row} says 1)"),
                        format!("{}", obs.value),
                    ));
                }
            }
            previous = Some((*row_number, obs.value));
        }
        out.push(rows.into_values().map(|(_, o)| o).collect());
    }
    Ok(out)
}

fn parse_targets(
    table: &RawTable,
    indicators: &[Indicator],
    history: &[Vec<Observation>],
) -> Result<Vec<Target>> {
    let c_id = table.column("id")?;
    let c_ind = table.column("indicator_id")?;
    let c_kind = table.column("kind")?;
    let c_cmp = table.column("comparator")?;
    let c_value = table.column("value")?;
    let c_year = table.column("target_year")?;
    let c_base = table.column("base_year")?;
    let c_from = table.column("from_year")?;
    let c_source = table.column("source")?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for index in 0..table.rows.len() {
        let row = table.row(index);
        let id = unique_id(&row, c_id, "a target id", &mut seen)?;
        let ind_id = row.string(c_ind, "an indicator id")?;
        let Some(k) = indicators.iter().position(|i| i.id == ind_id) else {
            return Err(Error::input(
                row.cell_place(c_ind),
                "an indicator id listed in indicators",
                format!("`{ind_id}`"),
            ));
        };
        let indicator = &indicators[k];
        let kind_text = row.string(c_kind, "a kind")?;
        let target_year = row.i32(c_year)?;
        let base_year = row.opt_i32(c_base)?;
        let from_year = row.opt_i32(c_from)?;
        let need = |col: usize, value: Option<i32>, what: &str| {
            value.ok_or_else(|| {
                Error::input(
                    row.cell_place(col),
                    format!("a {what} (required for kind `{kind_text}`)"),
                    "an empty cell",
                )
            })
        };
        let kind = match Kind::parse(&kind_text) {
            Some(Kind::Level) => TargetKind::Level,
            Some(Kind::Increase) => TargetKind::Increase {
                base_year: need(c_base, base_year, "base year")?,
            },
            Some(Kind::EveryYear) => TargetKind::EveryYear {
                from_year: need(c_from, from_year, "first year")?,
            },
            Some(Kind::Cumulative) => TargetKind::Cumulative {
                from_year: need(c_from, from_year, "first year")?,
            },
            Some(Kind::Milestone) => TargetKind::Milestone,
            None => {
                return Err(Error::input(
                    row.cell_place(c_kind),
                    format!("one of {}", Kind::expected()),
                    format!("`{kind_text}`"),
                ))
            }
        };
        let is_milestone_indicator = indicator.transform == Transform::Milestone;
        if is_milestone_indicator != (kind == TargetKind::Milestone) {
            return Err(Error::input(
                row.cell_place(c_kind),
                if is_milestone_indicator {
                    format!("kind `milestone` (`{ind_id}` is a milestone)")
                } else {
                    format!("a kind other than `milestone` (`{ind_id}` is not a milestone)")
                },
                format!("`{kind_text}`"),
            ));
        }
        let cmp_text = row.string(c_cmp, "a comparator")?;
        let comparator = Comparator::parse(&cmp_text).ok_or_else(|| {
            Error::input(
                row.cell_place(c_cmp),
                format!("one of {}", Comparator::expected()),
                format!("`{cmp_text}`"),
            )
        })?;
        let value = row.f64(c_value)?;
        let observed = &history[k];
        if let Some(last) = observed.last() {
            if target_year < last.year {
                return Err(Error::input(
                    row.cell_place(c_year),
                    format!(
                        "a target year not before the last observation of `{ind_id}` ({})",
                        last.year
                    ),
                    format!("{target_year}"),
                ));
            }
        }
        if let Some(first) = kind.first_year() {
            let column = table.column(first.column)?;
            if !first.fits(target_year) {
                return Err(Error::input(
                    row.cell_place(column),
                    first.expected(target_year),
                    format!("{}", first.year),
                ));
            }
            // Every year the statistic reads up to the last observation is observed.
            if let Some(last) = observed.last().map(|o| o.year) {
                let observed_years: HashSet<i32> = observed.iter().map(|o| o.year).collect();
                if let Some(missing) = kind
                    .years_read(target_year)
                    .into_iter()
                    .find(|&y| y <= last && !observed_years.contains(&y))
                {
                    return Err(Error::input(
                        row.cell_place(column),
                        format!("a year from which every year the target reads up to the last observation of `{ind_id}` ({last}) is observed"),
                        format!("{}, with no history row for {missing}", first.year),
                    ));
                }
            }
        }
        out.push(Target {
            id,
            indicator: k,
            kind,
            comparator,
            value,
            target_year,
            source: row.text(c_source).unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}
