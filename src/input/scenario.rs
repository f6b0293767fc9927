//! Scenarios: how the future differs from the fitted past (MODEL.md §5).
//!
//! In: TOML files (a folder of them, or named files), the [`Catalog`]. Out:
//! validated [`Scenario`]s whose entries name catalog indicators by index,
//! with `extends` resolved (the parent's entries first). Unknown keys, unknown
//! ids or groups, negative multipliers, probabilities outside [0, 1], fields
//! that apply to none of the selected indicators, an indicator in two factors,
//! and `extends` cycles are errors naming the file and the key.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::catalog::Catalog;
use crate::error::{Error, Place, Result};
use crate::model::rng::stable_hash;
use crate::model::transform::Transform;

/// The name of the reference scenario.
pub const BASELINE: &str = "baseline";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    description: String,
    extends: Option<String>,
    #[serde(default)]
    adjust: Vec<RawAdjust>,
    #[serde(default)]
    shock: Vec<RawShock>,
    #[serde(default)]
    factor: Vec<RawFactor>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Select {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjust {
    select: Select,
    from: Option<i32>,
    to: Option<i32>,
    drift_mult: Option<f64>,
    drift_add: Option<f64>,
    vol_scale: Option<f64>,
    rate_mult: Option<f64>,
    rate: Option<f64>,
    hazard: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShock {
    name: Option<String>,
    select: Select,
    year: i32,
    probability: f64,
    size: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactor {
    name: Option<String>,
    select: Select,
    loading: f64,
}

/// One `[[adjust]]` entry.
#[derive(Debug, Clone, Default)]
pub struct Adjust {
    /// Selected indicators.
    pub indicators: Vec<usize>,
    /// First year (inclusive), if any.
    pub from: Option<i32>,
    /// Last year (inclusive), if any.
    pub to: Option<i32>,
    /// M: multiplies the drift.
    pub drift_mult: Option<f64>,
    /// A: added to the drift, transform scale per year.
    pub drift_add: Option<f64>,
    /// V: multiplies the innovation standard deviation.
    pub vol_scale: Option<f64>,
    /// R: multiplies the yearly addition rate of counts.
    pub rate_mult: Option<f64>,
    /// The assumed additions a year of a count with only its current stock
    /// (MODEL.md §3).
    pub rate: Option<f64>,
    /// Yearly probability a milestone is done.
    pub hazard: Option<f64>,
}

impl Adjust {
    /// Whether the entry covers `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.from.is_none_or(|f| year >= f) && self.to.is_none_or(|t| year <= t)
    }
}

/// One `[[shock]]` entry: a shared event with a probability.
#[derive(Debug, Clone)]
pub struct Shock {
    /// Key of its random stream: the same shock inherited by several
    /// scenarios draws the same uniforms in all of them.
    pub key: u64,
    /// Label.
    pub name: String,
    /// Selected indicators.
    pub indicators: Vec<usize>,
    /// The year it may happen.
    pub year: i32,
    /// Its probability.
    pub probability: f64,
    /// Its size: transform scale, or additions lost or gained for counts.
    pub size: f64,
}

/// One `[[factor]]` entry: a common innovation shared by its members.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Key of its random stream.
    pub key: u64,
    /// Label.
    pub name: String,
    /// Member indicators (walk transforms only).
    pub indicators: Vec<usize>,
    /// ρ in [0, 1).
    pub loading: f64,
}

/// A validated scenario with `extends` resolved.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (the file stem).
    pub name: String,
    /// What it represents.
    pub description: String,
    /// The file it was read from.
    pub file: PathBuf,
    /// The scenario it extends, if any.
    pub extends: Option<String>,
    /// Adjustments, inherited ones first.
    pub adjusts: Vec<Adjust>,
    /// Shocks, inherited ones first.
    pub shocks: Vec<Shock>,
    /// Factors, inherited ones first.
    pub factors: Vec<Factor>,
}

struct Parsed {
    file: PathBuf,
    raw: RawScenario,
}

/// Lists the scenario files named by `--scenarios`: a folder (every `*.toml`
/// in it) or files. When only files are named, the baseline and any scenario
/// they extend are looked up beside them.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::Unreadable {
                    place: Place::file(path),
                    what: "cannot list the folder".into(),
                    source: e.into(),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::input(
                    Place::file(path),
                    "a folder holding scenario files (*.toml)",
                    "none",
                ));
            }
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(Error::input(
                Place::file(path),
                "a scenario file or a folder of them",
                "no such file or folder",
            ));
        }
    }
    Ok(files)
}

fn read_raw(file: &Path) -> Result<RawScenario> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Unreadable {
        place: Place::file(file),
        what: "cannot read the scenario".into(),
        source: e.into(),
    })?;
    toml::from_str::<RawScenario>(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let place = Place {
            file: file.to_path_buf(),
            at: line.map(|l| format!("line {l}")),
        };
        Error::input(
            place,
            "a scenario in the documented format (keys: name, description, extends, [[adjust]], [[shock]], [[factor]])",
            e.message().trim().to_string(),
        )
    })
}

/// Reads, validates and resolves scenarios. The baseline comes first in the
/// result, then the others in file order.
pub fn load_scenarios(paths: &[PathBuf], catalog: &Catalog) -> Result<Vec<Scenario>> {
    let mut files = scenario_files(paths)?;
    let mut parsed: BTreeMap<String, Parsed> = BTreeMap::new();
    let mut order = Vec::new();
    let mut queue: Vec<PathBuf> = std::mem::take(&mut files);
    let mut i = 0;
    while i < queue.len() {
        let file = queue[i].clone();
        i += 1;
        let raw = read_raw(&file)?;
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if raw.name != stem {
            return Err(Error::input(
                Place::key(&file, "name"),
                format!("the file's name without `.toml` (`{stem}`)"),
                format!("`{}`", raw.name),
            ));
        }
        if parsed.contains_key(&raw.name) {
            continue;
        }
        // Bring in the parent (and the baseline) from the same folder when not named.
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        for wanted in raw.extends.iter().map(String::as_str).chain([BASELINE]) {
            let candidate = dir.join(format!("{wanted}.toml"));
            if !queue.contains(&candidate) && candidate.is_file() {
                queue.push(candidate);
            }
        }
        order.push(raw.name.clone());
        parsed.insert(raw.name.clone(), Parsed { file, raw });
    }
    if !parsed.contains_key(BASELINE) {
        let place = paths
            .first()
            .map(Place::file)
            .unwrap_or_else(|| Place::file("scenarios"));
        return Err(Error::input(
            place,
            "a scenario named `baseline` (scenarios/baseline.toml), the reference for differences",
            "none",
        ));
    }
    let mut resolved: BTreeMap<String, Scenario> = BTreeMap::new();
    for name in &order {
        resolve(name, &parsed, catalog, &mut resolved, &mut Vec::new())?;
    }
    let mut out = vec![resolved.remove(BASELINE).expect("baseline resolved")];
    for name in order {
        if let Some(s) = resolved.remove(&name) {
            out.push(s);
        }
    }
    check_assumed_rates(&out, catalog)?;
    Ok(out)
}

/// A count with only its current stock is projected from a rate the
/// scenarios assume (MODEL.md §3): if one scenario assumes it, every
/// scenario must, for every year from the stock's year to its last target
/// year, so that the target's status is the same in all of them.
fn check_assumed_rates(scenarios: &[Scenario], catalog: &Catalog) -> Result<()> {
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

fn resolve(
    name: &str,
    parsed: &BTreeMap<String, Parsed>,
    catalog: &Catalog,
    done: &mut BTreeMap<String, Scenario>,
    stack: &mut Vec<String>,
) -> Result<Scenario> {
    if let Some(s) = done.get(name) {
        return Ok(s.clone());
    }
    let p = &parsed[name];
    if stack.iter().any(|s| s == name) {
        stack.push(name.to_string());
        return Err(Error::input(
            Place::key(&p.file, "extends"),
            "scenarios that do not extend each other in a cycle",
            format!("the cycle {}", stack.join(" → ")),
        ));
    }
    stack.push(name.to_string());
    let mut scenario = match &p.raw.extends {
        Some(parent) => {
            if !parsed.contains_key(parent) {
                return Err(Error::input(
                    Place::key(&p.file, "extends"),
                    "the name of a scenario in the same folder",
                    format!("`{parent}`"),
                ));
            }
            let mut s = resolve(parent, parsed, catalog, done, stack)?;
            s.extends = Some(parent.clone());
            s
        }
        None => Scenario {
            name: String::new(),
            description: String::new(),
            file: PathBuf::new(),
            extends: None,
            adjusts: Vec::new(),
            shocks: Vec::new(),
            factors: Vec::new(),
        },
    };
    stack.pop();
    scenario.name = p.raw.name.clone();
    scenario.description = p.raw.description.trim().to_string();
    scenario.file = p.file.clone();
    validate_own(p, catalog, &mut scenario)?;
    done.insert(name.to_string(), scenario.clone());
    Ok(scenario)
}

fn select(sel: &Select, catalog: &Catalog, place: impl Fn() -> Place) -> Result<Vec<usize>> {
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

fn check_range(
    value: Option<f64>,
    lo: f64,
    hi: Option<f64>,
    place: Place,
    what: &str,
) -> Result<()> {
    if let Some(v) = value {
        let ok = v.is_finite() && v >= lo && hi.is_none_or(|h| v <= h);
        if !ok {
            return Err(Error::input(place, what.to_string(), format!("{v}")));
        }
    }
    Ok(())
}

fn applies(catalog: &Catalog, indicators: &[usize], test: impl Fn(&Transform) -> bool) -> bool {
    indicators
        .iter()
        .any(|&k| test(&catalog.indicators[k].transform))
}

fn validate_own(p: &Parsed, catalog: &Catalog, out: &mut Scenario) -> Result<()> {
    let file = &p.file;
    let name = &p.raw.name;
    for (i, a) in p.raw.adjust.iter().enumerate() {
        let key = |field: &str| Place::key(file, &format!("adjust[{i}].{field}"));
        let indicators = select(&a.select, catalog, || key("select"))?;
        check_range(
            a.drift_mult,
            0.0,
            None,
            key("drift_mult"),
            "a multiplier ≥ 0",
        )?;
        check_range(a.vol_scale, 0.0, None, key("vol_scale"), "a multiplier ≥ 0")?;
        check_range(a.rate_mult, 0.0, None, key("rate_mult"), "a multiplier ≥ 0")?;
        check_range(a.rate, 0.0, None, key("rate"), "additions a year ≥ 0")?;
        check_range(
            a.hazard,
            0.0,
            Some(1.0),
            key("hazard"),
            "a probability in [0, 1]",
        )?;
        check_range(
            a.drift_add,
            f64::NEG_INFINITY,
            None,
            key("drift_add"),
            "a finite number",
        )?;
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
            ("drift_mult", a.drift_mult),
            ("drift_add", a.drift_add),
            ("vol_scale", a.vol_scale),
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
        if a.rate_mult.is_some() && !applies(catalog, &indicators, |t| *t == Transform::Count) {
            return Err(Error::input(
                key("rate_mult"),
                "a selection holding at least one count indicator",
                "no count",
            ));
        }
        if a.rate.is_some() {
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
        if a.hazard.is_some() && !applies(catalog, &indicators, |t| *t == Transform::Milestone) {
            return Err(Error::input(
                key("hazard"),
                "a selection holding at least one milestone",
                "no milestone",
            ));
        }
        if [
            a.drift_mult,
            a.drift_add,
            a.vol_scale,
            a.rate_mult,
            a.rate,
            a.hazard,
        ]
        .iter()
        .all(Option::is_none)
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
            drift_mult: a.drift_mult,
            drift_add: a.drift_add,
            vol_scale: a.vol_scale,
            rate_mult: a.rate_mult,
            rate: a.rate,
            hazard: a.hazard,
        });
    }
    for (i, s) in p.raw.shock.iter().enumerate() {
        let key = |field: &str| Place::key(file, &format!("shock[{i}].{field}"));
        let indicators = select(&s.select, catalog, || key("select"))?;
        check_range(
            Some(s.probability),
            0.0,
            Some(1.0),
            key("probability"),
            "a probability in [0, 1]",
        )?;
        check_range(
            Some(s.size),
            f64::NEG_INFINITY,
            None,
            key("size"),
            "a finite number",
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
            probability: s.probability,
            size: s.size,
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
