//! `attain check`: validate the inputs and print an inventory; writes nothing.
//!
//! In: a validated [`CheckConfig`]. Out: the inventory (indicators by group
//! and transform, targets by kind, history rows by provenance, scenarios,
//! uncertain levers, warnings), or the first input error.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::cli::CheckConfig;
use crate::commands::words::clip;
use crate::error::Result;
use crate::input::scenario::Lever;
use crate::input::{load_inputs, Inputs};
use crate::model::Named;

/// Validates the inputs and returns the inventory the terminal shows.
pub fn execute(config: &CheckConfig) -> Result<String> {
    let inputs = load_inputs(&config.data, &config.scenarios)?;
    Ok(inventory(&inputs))
}

/// The inventory printed by `check`.
fn inventory(inv: &Inputs) -> String {
    let c = &inv.catalog;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "inputs are valid: {} indicators, {} targets, {} scenarios",
        c.indicators.len(),
        c.targets.len(),
        inv.scenarios.len()
    );
    let mut by_group: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for i in &c.indicators {
        *by_group
            .entry((i.group.as_str(), i.transform.name()))
            .or_default() += 1;
    }
    let _ = writeln!(out, "indicators by group and transform:");
    for ((g, t), n) in &by_group {
        let _ = writeln!(out, "  {g:<16} {t:<10} {n}");
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for t in &c.targets {
        *kinds.entry(t.kind.name()).or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(out, "targets by kind: {}", kinds.join(", "));
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
        "history rows: {rows} ({}), years {first}–{last}",
        prov.join(", ")
    );
    let stand_ins: Vec<&str> = (0..c.indicators.len())
        .filter(|&k| c.rests_on_illustrative(k))
        .map(|k| c.indicators[k].id.as_str())
        .collect();
    let _ = writeln!(
        out,
        "indicators resting on illustrative rows: {}",
        if stand_ins.is_empty() {
            "none".to_string()
        } else {
            stand_ins.join(", ")
        }
    );
    let _ = writeln!(out, "scenarios:");
    for s in &inv.scenarios {
        let _ = writeln!(out, "  {:<18} {}", s.name, clip(&s.description, 90));
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
        let _ = writeln!(out, "uncertain levers: none");
    } else {
        let _ = writeln!(out, "uncertain levers:");
    }
    for (l, users) in &levers {
        let spread = l.spread.to_string();
        let _ = writeln!(out, "  {:<36} {spread:<34} in {}", l.id, users.join(", "));
    }
    if c.warnings.is_empty() {
        let _ = writeln!(out, "warnings: none");
    }
    for w in &c.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
