//! `attain check`: validate the inputs and print an inventory; writes nothing.
//!
//! In: a validated [`CheckConfig`]. Out: the inventory (indicators by group
//! and transform, targets by kind, history rows by provenance, scenarios,
//! uncertain levers, warnings), or the first input error. Without a
//! scenarios folder (and none named), the data folder is checked alone.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::cli::CheckConfig;
use crate::commands::words::{clip, Lang, Say};
use crate::error::Result;
use crate::input::catalog::load_catalog;
use crate::input::scenario::Lever;
use crate::input::{load_inputs, Inputs};
use crate::model::Named;

/// Validates the inputs and returns the inventory the terminal shows.
pub fn execute(config: &CheckConfig) -> Result<String> {
    match &config.scenarios {
        Some(scenarios) => {
            let inputs = load_inputs(&config.data, scenarios)?;
            Ok(inventory(&inputs, config.lang, true))
        }
        None => {
            // No scenarios folder: the data folder alone.
            let inputs = Inputs {
                catalog: load_catalog(&config.data)?,
                scenarios: Vec::new(),
            };
            Ok(inventory(&inputs, config.lang, false))
        }
    }
}

/// The inventory printed by `check`.
fn inventory(inv: &Inputs, lang: Lang, with_scenarios: bool) -> String {
    let c = &inv.catalog;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        lang.fill(
            Say::InputsValid,
            &[&c.indicators.len(), &c.targets.len(), &inv.scenarios.len()]
        )
    );
    let mut by_group: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for i in &c.indicators {
        *by_group
            .entry((i.group.as_str(), i.transform.name()))
            .or_default() += 1;
    }
    let _ = writeln!(out, "{}", lang.say(Say::IndicatorsByGroup));
    for ((g, t), n) in &by_group {
        let _ = writeln!(out, "  {g:<16} {t:<10} {n}");
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &c.targets {
        *kinds.entry(t.kind.name()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        out,
        "{}",
        lang.fill(Say::TargetsByKind, &[&kinds.join(", ")])
    );
    let mut prov: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut first, mut last) = (i32::MAX, i32::MIN);
    for o in c.history.iter().flatten() {
        *prov.entry(o.provenance.name()).or_default() += 1;
        first = first.min(o.year);
        last = last.max(o.year);
    }
    let rows: usize = prov.values().sum();
    let prov: Vec<String> = prov.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        out,
        "{}",
        lang.fill(Say::HistoryRows, &[&rows, &prov.join(", "), &first, &last])
    );
    let stand_ins: Vec<&str> = (0..c.indicators.len())
        .filter(|&k| c.rests_on_illustrative(k))
        .map(|k| c.indicators[k].id.as_str())
        .collect();
    let stand_ins = if stand_ins.is_empty() {
        lang.say(Say::Nothing).to_string()
    } else {
        stand_ins.join(", ")
    };
    let _ = writeln!(out, "{}", lang.fill(Say::OnIllustrative, &[&stand_ins]));
    if with_scenarios {
        let _ = writeln!(out, "{}", lang.say(Say::Scenarios));
    } else {
        let _ = writeln!(
            out,
            "{}",
            lang.fill(Say::NoScenarioFolder, &[&"scenarios/"])
        );
    }
    for s in &inv.scenarios {
        let description = match (lang, &s.description_zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => &s.description,
        };
        let _ = writeln!(out, "  {:<18} {}", s.name, clip(description, 90));
    }
    // Each lever once, with the scenarios that use it (its own and those
    // that inherit it).
    let mut levers: Vec<(&Lever, Vec<&str>)> = Vec::new();
    for s in &inv.scenarios {
        for l in s.levers() {
            match levers.iter_mut().find(|(m, _)| m.key == l.key) {
                Some((_, users)) => users.push(&s.name),
                None => levers.push((l, vec![&s.name])),
            }
        }
    }
    if levers.is_empty() {
        let _ = writeln!(out, "{}", lang.say(Say::LeversNone));
    } else {
        let _ = writeln!(out, "{}", lang.say(Say::Levers));
    }
    for (l, users) in &levers {
        let spread = l.spread.to_string();
        let used = lang.fill(Say::UsedIn, &[&users.join(", ")]);
        let _ = writeln!(out, "  {:<36} {spread:<34} {used}", l.id);
    }
    if c.warnings.is_empty() {
        let _ = writeln!(out, "{}", lang.say(Say::WarningsNone));
    }
    for w in &c.warnings {
        let _ = writeln!(out, "{}", lang.fill(Say::Warning, &[w]));
    }
    out
}
