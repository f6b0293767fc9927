//! Scenarios: how the future differs from the fitted past (docs/model.md §5).
//!
//! In: TOML files (a folder of them, or named files), the [`Catalog`]. Out:
//! validated [`Scenario`]s whose entries name catalog indicators by index,
//! with `extends` resolved (the parent's entries first). A numeric field may
//! be a number or an uncertain lever written as a range (`lever.rs`). Unknown
//! keys, unknown ids or groups, negative multipliers, probabilities outside
//! [0, 1], fields that apply to none of the selected indicators, an indicator
//! in two factors, and `extends` cycles are errors naming the file and the key
//! (`validate.rs`).
//!
//! The entries of a scenario are those of its parents first, then its own;
//! an inherited uncertain lever keeps the identity of the file that defines
//! it, so a scenario and its parent draw the same values (common random
//! numbers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod lever;
mod validate;

use super::catalog::Catalog;
use crate::error::{Error, Place, Result};

pub use lever::{Lever, Value};

/// The name of the reference scenario.
pub const BASELINE: &str = "baseline";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    name: String,
    description: String,
    name_zh: Option<String>,
    description_zh: Option<String>,
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

/// A numeric field as written: a number or a range (read by `lever.rs`).
type RawValue = toml::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjust {
    select: Select,
    from: Option<i32>,
    to: Option<i32>,
    drift_mult: Option<RawValue>,
    drift_add: Option<RawValue>,
    vol_scale: Option<RawValue>,
    rate_mult: Option<RawValue>,
    rate: Option<RawValue>,
    hazard: Option<RawValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShock {
    name: Option<String>,
    select: Select,
    year: i32,
    probability: RawValue,
    size: RawValue,
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
    pub drift_mult: Option<Value>,
    /// A: added to the drift, transform scale per year.
    pub drift_add: Option<Value>,
    /// V: multiplies the innovation standard deviation.
    pub vol_scale: Option<Value>,
    /// R: multiplies the yearly addition rate of counts.
    pub rate_mult: Option<Value>,
    /// The assumed additions a year of a count with only its current stock
    /// (docs/model.md §3).
    pub rate: Option<Value>,
    /// Yearly probability a milestone is done.
    pub hazard: Option<Value>,
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
    pub probability: Value,
    /// Its size: transform scale, or additions lost or gained for counts.
    pub size: Value,
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
    /// Its name in Chinese, if the file gives one (shown under `--lang zh`).
    pub name_zh: Option<String>,
    /// What it represents, in Chinese, if the file says.
    pub description_zh: Option<String>,
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

impl Scenario {
    /// Its uncertain levers (inherited ones first), each once.
    pub fn levers(&self) -> Vec<&Lever> {
        let values = self
            .adjusts
            .iter()
            .flat_map(|a| {
                [
                    &a.drift_mult,
                    &a.drift_add,
                    &a.vol_scale,
                    &a.rate_mult,
                    &a.rate,
                    &a.hazard,
                ]
            })
            .flatten()
            .chain(
                self.shocks
                    .iter()
                    .flat_map(|sh| [&sh.probability, &sh.size]),
            );
        let mut levers: Vec<&Lever> = Vec::new();
        for v in values {
            if let Value::Uncertain(l) = v {
                if !levers.iter().any(|m| m.key == l.key) {
                    levers.push(l);
                }
            }
        }
        levers
    }
}

pub(super) struct Parsed {
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
            "a scenario in the documented format (keys: name, description, name_zh, description_zh, extends, [[adjust]], [[shock]], [[factor]])",
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
    validate::check_assumed_rates(&out, catalog)?;
    Ok(out)
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
            name_zh: None,
            description_zh: None,
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
    let text = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    scenario.name_zh = text(&p.raw.name_zh);
    scenario.description_zh = text(&p.raw.description_zh);
    scenario.file = p.file.clone();
    validate::validate_own(p, catalog, &mut scenario)?;
    done.insert(name.to_string(), scenario.clone());
    Ok(scenario)
}
