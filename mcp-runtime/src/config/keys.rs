//! The settings' keys, read off the [`Settings`] type itself, so no list of them can drift
//! from the struct: the names a user section may not take, and the variables that exist.

use std::sync::OnceLock;

use figment::value::{Dict, Value};
use figment::{Figment, Metadata};

use super::sources::{Layer, insert};
use super::{CONFIG_VAR, ENV_PREFIX, Settings};

/// The keys of [`Settings`], derived once.
pub(super) struct Keys {
    /// `Settings`' own keys: `name`, `port`, …, `http`, `log`, …, `auth`.
    pub(super) top: Vec<String>,
    /// Every setting's path: `["port"]`, `["http", "max_body"]`,
    /// `["rate_limit", "global", "burst"]`.
    pub(super) leaves: Vec<Vec<String>>,
    /// The names a user section may not take: see [`reserved_keys`].
    reserved: Vec<String>,
}

impl Keys {
    /// The top-level keys that are sections (hold settings of their own): `http`, `log`, …
    pub(super) fn sections(&self) -> impl Iterator<Item = &str> {
        self.top
            .iter()
            .filter(|key| {
                self.leaves
                    .iter()
                    .any(|leaf| leaf.len() > 1 && leaf[0] == **key)
            })
            .map(String::as_str)
    }

    /// Whether `path` is a setting, or a section holding some (`["rate_limit", "global"]`).
    pub(super) fn knows(&self, path: &[String]) -> bool {
        !path.is_empty() && self.leaves.iter().any(|leaf| leaf.starts_with(path))
    }
}

/// The keys of [`Settings`].
pub(super) fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let top = top_keys();
        let mut leaves = Vec::new();
        for key in &top {
            walk(vec![key.clone()], &mut leaves);
        }
        let config = CONFIG_VAR[ENV_PREFIX.len()..].to_ascii_lowercase();
        let reserved = top.iter().cloned().chain([config]).collect();
        Keys {
            top,
            leaves,
            reserved,
        }
    })
}

/// The keys a user section may not take: the top-level keys of [`Settings`] and `config`
/// (`MCP_CONFIG` names the file).
pub(super) fn reserved_keys() -> impl Iterator<Item = &'static str> {
    keys().reserved.iter().map(String::as_str)
}

/// The top-level keys: every field of a default `Settings` serializes (`None` as `null`),
/// except the private record of unknown variables, which is no setting.
fn top_keys() -> Vec<String> {
    match serde_json::to_value(Settings::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        // A struct serializes to an object; the tests check the keys are all there.
        _ => Vec::new(),
    }
}

/// Adds the settings at or below `path` to `leaves`.
fn walk(path: Vec<String>, leaves: &mut Vec<Vec<String>>) {
    match fields_below(&path) {
        Some(fields) if path.len() < MAX_DEPTH => {
            for field in fields {
                let mut below = path.clone();
                below.push(field);
                walk(below, leaves);
            }
        }
        _ => leaves.push(path),
    }
}

/// Deeper than any section nests (`rate_limit.global.burst` is 3).
const MAX_DEPTH: usize = 8;

/// A key no setting has (variables cannot spell a `?`).
const PROBE: &str = "?";

/// The fields of the section at `path`, or `None` if it is a setting.
///
/// Sections refuse unknown keys (`deny_unknown_fields`), and serde's refusal lists the
/// section's fields: so a table holding only [`PROBE`] at `path` names them. Anything else (a
/// value where a table was given) is a setting. This reaches into optional sections too
/// (`auth`, `rate_limit.per_client`), which a default `Settings` leaves out.
fn fields_below(path: &[String]) -> Option<Vec<String>> {
    let mut probe = path.to_vec();
    probe.push(PROBE.to_owned());
    let mut dict = Dict::new();
    insert(&mut dict, &probe, Value::from(String::new()));
    let figment = Figment::from(Layer {
        metadata: Metadata::named("probe"),
        dict,
    });
    let error = figment.extract::<Settings>().err()?;
    match error.kind {
        figment::error::Kind::UnknownField(field, known) if field == PROBE => {
            Some(known.iter().map(|key| (*key).to_owned()).collect())
        }
        _ => None,
    }
}
