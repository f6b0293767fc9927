//! Validating a scenario's own entries against the catalog, and the rules
//! that span scenarios.
//!
//! In: a parsed scenario file and the catalog. Out: its [`Adjust`],
//! [`Shock`] and [`Factor`] entries with indicators named by index, or an
//! input error naming the file and the key.

use std::collections::HashSet;

use super::lever::{value, Allowed};
use super::{Adjust, Factor, Parsed, Scenario, Select, Shock};
use crate::error::{Error, Place, Result};
use crate::input::catalog::Catalog;
use crate::model::rng::stable_hash;
use crate::model::transform::Transform;

pub(super) fn select(
    sel: &Select,
    catalog: &Catalog,
    place: impl Fn() -> Place,
) -> Result<Vec<usize>> {
    let items: Vec<&str> = match sel {
        Select::One(s) => vec![s.as_str()],
        Select::Many(v) => v.iter().map(String::as_str).collect(),
    };
    let mut out = Vec::new();
    for item in items {
        let matched: Vec<usize> = if item == "*" {
            (0..catalog.indicators.len()).collect()
        } else if let Some(group) = item.strip_prefix("group:") {
            catalog
                .indicators
                .iter()
                .enumerate()
                .filter(|(_, i)| i.group == group)
                .map(|(k, _)| k)
                .collect()
        } else {
            catalog.indicator_index(item).into_iter().collect()
        };
        if matched.is_empty() {
            return Err(Error::input(
                place(),
                "an indicator id, `group:NAME` of a group in the catalog, or `*`",
                format!("`{item}`"),
            ));
        }
        for k in matched {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

fn applies(catalog: &Catalog, indicators: &[usize], test: impl Fn(&Transform) -> bool) -> bool {
    indicators
        .iter()
        .any(|&k| test(&catalog.indicators[k].transform))
}

pub(super) fn validate_own(p: &Parsed, catalog: &Catalog, out: &mut Scenario) -> Result<()> {
    let file = &p.file;
    let name = &p.raw.name;
    for (i, a) in p.raw.adjust.iter().enumerate() {
        let key = |field: &str| Place::key(file, &format!("adjust[{i}].{field}"));
        let indicators = select(&a.select, catalog, || key("select"))?;
        let entry = format!("adjust[{i}]");
        let place = |k: &str| Place::key(file, k);
        let field = |raw: &Option<toml::Value>, name: &str, allowed| {
            raw.as_ref()
                .map(|r| value(r, (name_of(p), &entry, name), allowed, &place))
                .transpose()
        };
        let drift_mult = field(&a.drift_mult, "drift_mult", Allowed::MULTIPLIER)?;
        let drift_add = field(&a.drift_add, "drift_add", Allowed::FINITE)?;
        let vol_scale = field(&a.vol_scale, "vol_scale", Allowed::MULTIPLIER)?;
        let rate_mult = field(&a.rate_mult, "rate_mult", Allowed::MULTIPLIER)?;
        let rate = field(&a.rate, "rate", Allowed::RATE)?;
        let hazard = field(&a.hazard, "hazard", Allowed::PROBABILITY)?;
        if let (Some(f), Some(t)) = (a.from, a.to) {
            if f > t {
                return Err(Error::input(
                    key("to"),
                    format!("a year not before `from` ({f})"),
                    format!("{t}"),
                ));
            }
        }
        let walk_fields = [
            ("drift_mult", &drift_mult),
            ("drift_add", &drift_add),
            ("vol_scale", &vol_scale),
        ];
        for (field, v) in walk_fields {
            if v.is_some() && !applies(catalog, &indicators, Transform::is_walk) {
                return Err(Error::input(
                    key(field),
                    "a selection holding at least one level, log or logit indicator",
                    "only counts or milestones",
                ));
            }
        }
        if rate_mult.is_some() && !applies(catalog, &indicators, |t| *t == Transform::Count) {
            return Err(Error::input(
                key("rate_mult"),
                "a selection holding at least one count indicator",
                "no count",
            ));
        }
        if rate.is_some() {
            // Only a count with its current stock alone has no rate of its own.
            let single_stock = |k: usize| {
                catalog.indicators[k].transform == Transform::Count && catalog.history[k].len() == 1
            };
            if let Some(&k) = indicators.iter().find(|&&k| !single_stock(k)) {
                return Err(Error::input(
                    key("rate"),
                    "a selection of counts with one observation (the current stock) only: the others have a rate fitted from their history",
                    format!(
                        "`{}` ({}, {} observations)",
                        catalog.indicators[k].id,
                        catalog.indicators[k].transform.name(),
                        catalog.history[k].len()
                    ),
                ));
            }
        }
        if hazard.is_some() && !applies(catalog, &indicators, |t| *t == Transform::Milestone) {
            return Err(Error::input(
                key("hazard"),
                "a selection holding at least one milestone",
                "no milestone",
            ));
        }
        if [
            &drift_mult,
            &drift_add,
            &vol_scale,
            &rate_mult,
            &rate,
            &hazard,
        ]
        .iter()
        .all(|v| v.is_none())
        {
            return Err(Error::input(
                key("select"),
                "an adjustment with at least one of drift_mult, drift_add, vol_scale, rate_mult, rate, hazard",
                "none",
            ));
        }
        out.adjusts.push(Adjust {
            indicators,
            from: a.from,
            to: a.to,
            drift_mult,
            drift_add,
            vol_scale,
            rate_mult,
            rate,
            hazard,
        });
    }
    for (i, s) in p.raw.shock.iter().enumerate() {
        let key = |field: &str| Place::key(file, &format!("shock[{i}].{field}"));
        let indicators = select(&s.select, catalog, || key("select"))?;
        let entry = format!("shock[{i}]");
        let place = |k: &str| Place::key(file, k);
        let probability = value(
            &s.probability,
            (name_of(p), &entry, "probability"),
            Allowed::PROBABILITY,
            &place,
        )?;
        let size = value(
            &s.size,
            (name_of(p), &entry, "size"),
            Allowed::FINITE,
            &place,
        )?;
        if !applies(catalog, &indicators, |t| {
            t.is_walk() || *t == Transform::Count
        }) {
            return Err(Error::input(
                key("select"),
                "a selection holding a count or a level, log or logit indicator",
                "only milestones",
            ));
        }
        let indicators = indicators
            .into_iter()
            .filter(|&k| {
                let t = catalog.indicators[k].transform;
                t.is_walk() || t == Transform::Count
            })
            .collect();
        out.shocks.push(Shock {
            key: stable_hash(&format!("{name}/shock/{i}")),
            name: s
                .name
                .clone()
                .unwrap_or_else(|| format!("{name} shock {i}")),
            indicators,
            year: s.year,
            probability,
            size,
        });
    }
    for (i, f) in p.raw.factor.iter().enumerate() {
        let key = |field: &str| Place::key(file, &format!("factor[{i}].{field}"));
        let indicators: Vec<usize> = select(&f.select, catalog, || key("select"))?
            .into_iter()
            .filter(|&k| catalog.indicators[k].transform.is_walk())
            .collect();
        if indicators.is_empty() {
            return Err(Error::input(
                key("select"),
                "a selection holding at least one level, log or logit indicator",
                "none",
            ));
        }
        if !(f.loading.is_finite() && (0.0..1.0).contains(&f.loading)) {
            return Err(Error::input(
                key("loading"),
                "a loading in [0, 1)",
                format!("{}", f.loading),
            ));
        }
        let taken: HashSet<usize> = out
            .factors
            .iter()
            .flat_map(|f| f.indicators.iter().copied())
            .collect();
        if let Some(&k) = indicators.iter().find(|k| taken.contains(k)) {
            return Err(Error::input(
                key("select"),
                "indicators that are in no other factor of the scenario (including inherited ones)",
                format!("`{}`, already in a factor", catalog.indicators[k].id),
            ));
        }
        out.factors.push(Factor {
            key: stable_hash(&format!("{name}/factor/{i}")),
            name: f
                .name
                .clone()
                .unwrap_or_else(|| format!("{name} factor {i}")),
            indicators,
            loading: f.loading,
        });
    }
    Ok(())
}

/// The name of the scenario a parsed file defines (its levers' prefix).
fn name_of(p: &Parsed) -> &str {
    &p.raw.name
}

/// A count with only its current stock is projected from a rate the
/// scenarios assume (docs/model.md §3): if one scenario assumes it, every
/// scenario must, for every year from the stock's year to its last target
/// year, so that the target's status is the same in all of them.
pub(super) fn check_assumed_rates(scenarios: &[Scenario], catalog: &Catalog) -> Result<()> {
    for (k, ind) in catalog.indicators.iter().enumerate() {
        let assumes = |s: &Scenario| {
            s.adjusts
                .iter()
                .any(|a| a.rate.is_some() && a.indicators.contains(&k))
        };
        let Some(first) = scenarios.iter().find(|s| assumes(s)) else {
            continue;
        };
        let place = |s: &Scenario| Place {
            file: s.file.clone(),
            at: Some(format!("the `rate` of `{}`", ind.id)),
        };
        if let Some(s) = scenarios.iter().find(|s| !assumes(s)) {
            return Err(Error::input(
                place(s),
                format!(
                    "a `rate` for `{}` in every scenario (`{}` assumes one; a count with only its current stock needs an assumed rate in every scenario or in none)",
                    ind.id, first.name
                ),
                "none",
            ));
        }
        let stock_year = catalog.history[k].last().map_or(i32::MAX, |o| o.year);
        let last_target = catalog
            .targets
            .iter()
            .filter(|t| t.indicator == k)
            .map(|t| t.target_year)
            .max()
            .unwrap_or(stock_year);
        for s in scenarios {
            let covered = |year: i32| {
                s.adjusts
                    .iter()
                    .any(|a| a.rate.is_some() && a.indicators.contains(&k) && a.covers(year))
            };
            if let Some(year) = (stock_year + 1..=last_target).find(|&y| !covered(y)) {
                return Err(Error::input(
                    place(s),
                    format!(
                        "a `rate` for `{}` covering every year from {} to {last_target}",
                        ind.id,
                        stock_year + 1
                    ),
                    format!("none for {year}"),
                ));
            }
        }
    }
    Ok(())
}
