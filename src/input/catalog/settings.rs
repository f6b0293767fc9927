//! The catalog's model settings: `model.toml` beside the tables (optional).
//!
//! In: the file's text. Out: the persistence prior of docs/model.md §2c, or an
//! input error naming the file and the key: unknown keys, support points
//! outside [0, 1], weights that are negative or do not sum to 1, lists of
//! different lengths, a missing `source`.
//!
//! ```toml
//! [persistence]
//! phi    = [0.0, 0.8]
//! weight = [0.3, 0.7]
//! source = "how the prior was chosen"
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Place, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    persistence: Option<RawPersistence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPersistence {
    phi: Vec<f64>,
    weight: Vec<f64>,
    source: String,
}

/// The catalog's model settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelSettings {
    /// The persistence prior: (φ_k, w_k), weights summing to 1; `None`: φ = 1.
    pub persistence: Option<Vec<(f64, f64)>>,
    /// How the prior was chosen.
    pub source: Option<String>,
}

/// How close to 1 the weights must sum.
const WEIGHT_TOLERANCE: f64 = 1e-6;

/// Reads `model.toml` in `dir`, if it exists.
pub fn read_settings(dir: &Path) -> Result<(ModelSettings, Option<std::path::PathBuf>)> {
    let path = dir.join("model.toml");
    if !path.is_file() {
        return Ok((ModelSettings::default(), None));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Unreadable {
        place: Place::file(&path),
        what: "cannot read the model settings".into(),
        source: e.into(),
    })?;
    let raw: RawSettings = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        Error::input(
            Place {
                file: path.clone(),
                at: line.map(|l| format!("line {l}")),
            },
            "model settings in the documented format ([persistence] with phi, weight, source)",
            e.message().trim().to_string(),
        )
    })?;
    let Some(p) = raw.persistence else {
        return Ok((ModelSettings::default(), Some(path)));
    };
    let key = |k: &str| Place::key(&path, &format!("persistence.{k}"));
    if p.phi.is_empty() || p.phi.len() != p.weight.len() {
        return Err(Error::input(
            key("weight"),
            format!("one weight for each of the {} values of `phi`", p.phi.len()),
            format!("{} weights", p.weight.len()),
        ));
    }
    if let Some(phi) = p.phi.iter().find(|phi| !(0.0..=1.0).contains(*phi)) {
        return Err(Error::input(
            key("phi"),
            "persistences φ in [0, 1]",
            format!("{phi}"),
        ));
    }
    if let Some(w) = p.weight.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(Error::input(key("weight"), "weights ≥ 0", format!("{w}")));
    }
    let total: f64 = p.weight.iter().sum();
    if (total - 1.0).abs() > WEIGHT_TOLERANCE {
        return Err(Error::input(
            key("weight"),
            "weights that sum to 1",
            format!("a sum of {total}"),
        ));
    }
    if p.source.trim().is_empty() {
        return Err(Error::input(
            key("source"),
            "how the prior was chosen (corpus, origins, scores)",
            "an empty text",
        ));
    }
    Ok((
        ModelSettings {
            persistence: Some(p.phi.into_iter().zip(p.weight).collect()),
            source: Some(p.source.trim().to_string()),
        },
        Some(path),
    ))
}
