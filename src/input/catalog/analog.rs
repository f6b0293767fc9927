//! Analogs (docs/model.md §2b): which indicator's dynamics another borrows, and
//! the rules that make the borrowing well defined.
//!
//! In: the indicators table's `analog` and `analog_weight` cells, then the
//! history. Out: each indicator's [`Analog`], or an input error naming the
//! file, the row and the column: an unknown id, an analog of another
//! transform, a chain of analogs, an analog that is a count or a milestone
//! (or a count or milestone with an analog), a weight outside (0, 1] or one
//! without an analog, and ν0 = a·m′ − 1 ≤ 0.

use std::path::Path;

use super::{Analog, Indicator, Observation, DEFAULT_ANALOG_WEIGHT};
use crate::error::{Error, Place, Result};
use crate::model::fit::PowerPrior;

/// An analog cell as read, before the ids are resolved.
pub(super) struct Named {
    /// The indicator's index.
    pub indicator: usize,
    /// The analog's id, as written.
    pub id: String,
    /// The weight, if given.
    pub weight: Option<f64>,
}

/// Resolves the analogs named in the indicators table (`path`).
pub(super) fn resolve(
    path: &Path,
    indicators: &mut [Indicator],
    named: Vec<Named>,
    weight_without_analog: Option<usize>,
) -> Result<()> {
    let cell = |row: usize, column: &str| Place::cell(path, row, column);
    if let Some(row) = weight_without_analog {
        return Err(Error::input(
            cell(row, "analog_weight"),
            "an empty cell (a weight needs an `analog`)",
            "a weight",
        ));
    }
    let chained: Vec<usize> = named.iter().map(|n| n.indicator).collect();
    for n in named {
        let ind = &indicators[n.indicator];
        let row = ind.row;
        let Some(index) = indicators.iter().position(|i| i.id == n.id) else {
            return Err(Error::input(
                cell(row, "analog"),
                "the id of another indicator of the catalog",
                format!("`{}`", n.id),
            ));
        };
        let analog = &indicators[index];
        if index == n.indicator || chained.contains(&index) {
            return Err(Error::input(
                cell(row, "analog"),
                "an indicator that borrows from no other (no chains of analogs)",
                format!("`{}`, which names an analog itself", n.id),
            ));
        }
        if !ind.transform.is_walk() || !analog.transform.is_walk() {
            return Err(Error::input(
                cell(row, "analog"),
                "an analog between `level`, `log` or `logit` indicators (counts and milestones borrow none)",
                format!(
                    "`{}` ({}) for `{}` ({})",
                    n.id,
                    analog.transform.name(),
                    ind.id,
                    ind.transform.name()
                ),
            ));
        }
        if analog.transform != ind.transform {
            return Err(Error::input(
                cell(row, "analog"),
                format!(
                    "an analog on the same transform as `{}` ({}, with the same bounds)",
                    ind.id,
                    ind.transform.name()
                ),
                format!("`{}` ({})", n.id, analog.transform.name()),
            ));
        }
        let weight = n.weight.unwrap_or(DEFAULT_ANALOG_WEIGHT);
        if !(weight > 0.0 && weight <= 1.0) {
            return Err(Error::input(
                cell(row, "analog_weight"),
                "a weight in (0, 1]",
                format!("{weight}"),
            ));
        }
        indicators[n.indicator].analog = Some(Analog { index, weight });
    }
    Ok(())
}

/// Checks that every analog's weighted increments give a proper prior:
/// ν0 = a·m′ − 1 > 0.
pub(super) fn check_priors(
    path: &Path,
    indicators: &[Indicator],
    history: &[Vec<Observation>],
) -> Result<()> {
    for ind in indicators {
        let Some(analog) = &ind.analog else {
            continue;
        };
        let series: Vec<(i32, f64)> = history[analog.index]
            .iter()
            .map(|o| (o.year, o.value))
            .collect();
        if PowerPrior::of_analog(ind.transform, &series, analog.weight).is_none() {
            let m = series.len().saturating_sub(1);
            return Err(Error::input(
                Place::cell(path, ind.row, "analog_weight"),
                format!(
                    "a weight a with ν0 = a·m′ − 1 > 0: `{}` has m′ = {m} increments, so a above {}",
                    indicators[analog.index].id,
                    if m > 0 {
                        format!("1/{m}")
                    } else {
                        "any weight (it needs two or more figures)".to_string()
                    }
                ),
                format!("{}", analog.weight),
            ));
        }
    }
    Ok(())
}
