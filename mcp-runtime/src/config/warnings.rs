//! `MCP_*` variables that name no setting: `MCP_POTR=9000` is a slip for `MCP_PORT`, which
//! would otherwise be ignored without a word.
//!
//! A [`Config`](super::Config) notes them when it loads, and keeps note of the sections and
//! variables its server reads through it ([`section`](super::Config::section),
//! [`var`](super::Config::var)); the warnings are worked out when asked for, so a section read
//! after the settings still counts. The rule is on [`Settings::warnings`](super::Settings::warnings).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::Origin;
use super::env_var_name;
use super::keys::{Keys, keys};
use super::sources::{settings_key, var_path};

/// An `MCP_*` variable that names no setting: see
/// [`Settings::warnings`](super::Settings::warnings).
///
/// It prints as `unknown setting MCP_POTR; did you mean MCP_PORT?`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigWarning {
    /// The variable, as written: `MCP_POTR`.
    pub env_var: String,
    /// Where it is set: [`Origin::Env`], or [`Origin::DotEnv`] for a `.env` entry.
    pub origin: Origin,
    /// The variable it most likely meant (`MCP_PORT`), if one is close.
    pub suggestion: Option<String>,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown setting {}", self.env_var)?;
        if let Origin::DotEnv(path) = &self.origin {
            write!(f, " (in {})", path.display())?;
        }
        match &self.suggestion {
            Some(suggestion) => write!(f, "; did you mean {suggestion}?"),
            None => f.write_str("; it is ignored"),
        }
    }
}

/// The unknown variables of the sources a [`Settings`](super::Settings) came from (none for
/// settings built in code).
#[derive(Clone, Default)]
pub(super) struct UnknownVars(Option<Arc<Scan>>);

impl UnknownVars {
    pub(super) fn new(scan: Arc<Scan>) -> Self {
        Self(Some(scan))
    }

    pub(super) fn warnings(&self) -> Vec<ConfigWarning> {
        self.0
            .as_ref()
            .map(|scan| scan.warnings())
            .unwrap_or_default()
    }
}

impl fmt::Debug for UnknownVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The names alone: a value may be a secret.
        f.debug_list()
            .entries(self.warnings().iter().map(|warning| &warning.env_var))
            .finish()
    }
}

/// What a [`Config`](super::Config) found that names no setting, and what its server read.
pub(super) struct Scan {
    unknown: Vec<Unknown>,
    read: Mutex<Read>,
}

/// An `MCP_*` variable whose path is no setting and no section of settings.
struct Unknown {
    var: String,
    /// Lowercase, split on `__`: `MCP_LOG__LEVLE` → `["log", "levle"]`.
    path: Vec<String>,
    /// Whether the path is one figment reads (`MCP_LOG____LEVEL` is not: it reaches nothing).
    well_formed: bool,
    origin: Origin,
}

/// The sections and variables the server read through the `Config`.
#[derive(Default)]
struct Read {
    sections: BTreeSet<String>,
    vars: BTreeSet<String>,
}

impl Scan {
    /// The unknown variables among `env` and `dotenv_vars` (read from `dotenv`); a name in
    /// both is the environment's.
    pub(super) fn new(
        env: &BTreeMap<String, String>,
        dotenv_vars: &BTreeMap<String, String>,
        dotenv: Option<&Path>,
    ) -> Self {
        // The keys are derived from the settings type (a walk that costs more than the rest of
        // loading): only when some `MCP_*` variable needs checking against them.
        let dotenv = Origin::DotEnv(dotenv.map(Path::to_path_buf).unwrap_or_default());
        let in_env = env.keys().map(|name| (name, Origin::Env));
        let in_dotenv = dotenv_vars
            .keys()
            .filter(|name| !env.contains_key(*name))
            .map(|name| (name, dotenv.clone()));
        let unknown = in_env
            .chain(in_dotenv)
            .filter_map(|(name, origin)| {
                let path = var_path(name)?;
                let well_formed = settings_key(name).is_some();
                (!(well_formed && keys().knows(&path))).then(|| Unknown {
                    var: name.clone(),
                    path,
                    well_formed,
                    origin,
                })
            })
            .collect();
        Self {
            unknown,
            read: Mutex::default(),
        }
    }

    /// Notes that the server reads section `name`.
    pub(super) fn read_section(&self, name: &str) {
        self.read().sections.insert(name.to_owned());
    }

    /// Notes that the server reads variable `name` itself.
    pub(super) fn read_var(&self, name: &str) {
        self.read().vars.insert(name.to_owned());
    }

    fn read(&self) -> std::sync::MutexGuard<'_, Read> {
        // A panic while holding the lock leaves two sets of names: still usable.
        self.read.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The unknown variables worth a warning, each with the variable it most likely meant.
    pub(super) fn warnings(&self) -> Vec<ConfigWarning> {
        if self.unknown.is_empty() {
            return Vec::new();
        }
        let keys = keys();
        let read = self.read();
        self.unknown
            .iter()
            .filter(|unknown| !read.vars.contains(&unknown.var) && warned(unknown, keys, &read))
            .map(|unknown| ConfigWarning {
                env_var: unknown.var.clone(),
                origin: unknown.origin.clone(),
                suggestion: suggestion(&unknown.path, keys, &read.sections),
            })
            .collect()
    }
}

/// Whether an unknown variable is worth a warning. Under a section that is not the runtime's
/// it may be the server's own, read by means a `Config` cannot see: only a name close to a
/// known section's (`MCP_LGO__LEVEL`, or `MCP_APPP__KEY` beside a section `app` that is read)
/// is taken for a slip.
fn warned(unknown: &Unknown, keys: &Keys, read: &Read) -> bool {
    let section = match unknown.path.as_slice() {
        [section, _, ..] if unknown.well_formed && !keys.top.contains(section) => section,
        _ => return true,
    };
    if read.sections.contains(section) {
        return false;
    }
    let sections = keys
        .sections()
        .chain(read.sections.iter().map(String::as_str));
    closest(section, sections).is_some()
}

/// The setting's variable closest to `path`: a runtime setting, or a key of a section the
/// server reads (whose keys are its own, so any `MCP_<SECTION>__<key>` is a candidate).
fn suggestion(path: &[String], keys: &Keys, sections: &BTreeSet<String>) -> Option<String> {
    let written = path.join("__");
    let mut candidates: Vec<String> = keys.leaves.iter().map(|leaf| leaf.join("__")).collect();
    // `appp__key`, `app_key`, `app____key` → `app__key`: the section, then what follows any
    // underscore of what was written.
    for section in sections {
        let tails = written
            .char_indices()
            .filter(|&(at, c)| at > 0 && c != '_' && written[..at].ends_with('_'))
            .map(|(at, _)| &written[at..]);
        candidates.extend(tails.map(|tail| format!("{section}__{tail}")));
    }
    closest(&written, candidates.iter().map(String::as_str)).map(|best| {
        let best: Vec<&str> = best.split("__").collect();
        env_var_name(&best)
    })
}

/// The candidate nearest to `written`, if it is near enough to be what was meant: at most one
/// edit for a short name, a third of its length for a longer one.
fn closest<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (written.chars().count() / 3).max(1);
    candidates
        .map(|candidate| (distance(written, candidate), candidate))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`: the
/// optimal string alignment distance, so `potr` is one edit from `port`.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use figment::value::Dict;

    use super::*;
    use crate::config::test_util::config;
    use crate::config::{Config, Settings};

    /// The warnings of these variables, as `(variable, suggestion)`.
    fn warned(vars: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        pairs(config(vars).warnings())
    }

    fn pairs(warnings: Vec<ConfigWarning>) -> Vec<(String, Option<String>)> {
        warnings
            .into_iter()
            .map(|warning| (warning.env_var, warning.suggestion))
            .collect()
    }

    fn one(var: &str, suggestion: Option<&str>) -> Vec<(String, Option<String>)> {
        vec![(var.to_owned(), suggestion.map(str::to_owned))]
    }

    #[test]
    fn a_misspelt_setting_names_the_closest() {
        let config = config(&[("MCP_POTR", "9000")]);
        let warnings = config.warnings();
        assert_eq!(
            warnings[0].to_string(),
            "unknown setting MCP_POTR; did you mean MCP_PORT?"
        );
        assert_eq!(warnings[0].origin, Origin::Env);
        // The settings still load, and carry the warning.
        let settings = config.settings().unwrap();
        assert_eq!(settings.port, 8000);
        assert_eq!(settings.warnings(), warnings);
        assert_eq!(
            warned(&[("MCP_LOG__LEVLE", "debug")]),
            one("MCP_LOG__LEVLE", Some("MCP_LOG__LEVEL"))
        );
        assert_eq!(
            warned(&[("MCP_LOG_LEVEL", "debug")]),
            one("MCP_LOG_LEVEL", Some("MCP_LOG__LEVEL"))
        );
        assert_eq!(
            warned(&[("MCP_HTTP__MAX_BODDY", "1")]),
            one("MCP_HTTP__MAX_BODDY", Some("MCP_HTTP__MAX_BODY"))
        );
        assert_eq!(
            warned(&[("mcp_mask_internal_error", "false")]),
            one("mcp_mask_internal_error", Some("MCP_MASK_INTERNAL_ERRORS"))
        );
        // Malformed: figment never sees it, so it would reach nothing.
        assert_eq!(
            warned(&[("MCP_LOG____LEVEL", "debug")]),
            one("MCP_LOG____LEVEL", Some("MCP_LOG__LEVEL"))
        );
        // A slip in a section's name.
        assert_eq!(
            warned(&[("MCP_LGO__LEVEL", "debug")]),
            one("MCP_LGO__LEVEL", Some("MCP_LOG__LEVEL"))
        );
        assert_eq!(
            warned(&[("MCP_RATELIMIT__GLOBAL__PER_SECOND", "5")]),
            one(
                "MCP_RATELIMIT__GLOBAL__PER_SECOND",
                Some("MCP_RATE_LIMIT__GLOBAL__PER_SECOND")
            )
        );
    }

    #[test]
    fn a_far_off_name_is_warned_about_without_a_guess() {
        let warnings = config(&[("MCP_XYZZY", "1")]).warnings();
        assert_eq!(pairs(warnings.clone()), one("MCP_XYZZY", None));
        assert_eq!(
            warnings[0].to_string(),
            "unknown setting MCP_XYZZY; it is ignored"
        );
    }

    #[test]
    fn settings_and_other_variables_are_no_warnings() {
        let vars = [
            ("MCP_PORT", "9000"),
            ("MCP_LOG__LEVEL", "debug"),
            ("mcp_log__format", "json"),
            ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "5"),
            ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "10"),
            ("MCP_RATE_LIMIT__GLOBAL", "{per_second = 100}"),
            ("MCP_HTTP__MAX_BODY", "1024"),
            ("MCP_AUTH__STATIC_TOKENS", "a,b"),
            ("MCP_TIMEOUT__DEFAULT", "30s"),
            ("MCP_CONFIG", "other.toml"),
            ("MCP_TIMEOUT", "10000"),
            ("MCP_TOOL_TIMEOUT", "60000"),
            ("HOME", "/root"),
            ("MCPX", "1"),
        ];
        let config = Config::builder().env(vars).load().unwrap();
        assert_eq!(pairs(config.warnings()), []);
        assert_eq!(config.settings().unwrap().warnings(), []);
        assert_eq!(Settings::default().warnings(), []);
    }

    #[test]
    fn a_servers_own_sections_and_variables() {
        let config = config(&[
            ("MCP_APP__API_KEY", "k"),
            ("MCP_APPP__RETRIES", "3"),
            ("MCP_APP_TIMEOUT", "5"),
            ("MCP_BILLING__PLAN", "pro"),
            ("MCP_DATABASE_URL", "postgres://"),
        ]);
        let settings = config.settings().unwrap();
        // Before `app` is read: far from the runtime's sections, its variables may be anyone's;
        // top-level ones are not.
        assert_eq!(
            pairs(settings.warnings()),
            [
                ("MCP_APP_TIMEOUT".to_owned(), None),
                ("MCP_DATABASE_URL".to_owned(), None),
            ]
        );
        // Once it is (even after the settings were taken), a slip beside it is one.
        config.section::<Dict>("app").unwrap();
        assert_eq!(config.var("MCP_DATABASE_URL"), Some("postgres://"));
        let expected = [
            (
                "MCP_APPP__RETRIES".to_owned(),
                Some("MCP_APP__RETRIES".to_owned()),
            ),
            (
                "MCP_APP_TIMEOUT".to_owned(),
                Some("MCP_APP__TIMEOUT".to_owned()),
            ),
        ];
        assert_eq!(pairs(settings.warnings()), expected);
        assert_eq!(pairs(config.warnings()), expected);

        // A section near a runtime one is taken for a slip until the server reads it.
        let config = super::super::test_util::config(&[("MCP_LOGS__KEEP", "7")]);
        assert_eq!(
            pairs(config.warnings()),
            one("MCP_LOGS__KEEP", None),
            "`logs` is one edit from `log`"
        );
        config.section::<Dict>("logs").unwrap();
        assert_eq!(pairs(config.warnings()), []);
    }

    #[test]
    fn dotenv_entries_are_checked_too() {
        let dir = std::env::temp_dir().join(format!(
            "mcp-config-warnings-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".env");
        std::fs::write(&path, "MCP_PROT=9000\nMCP_POTR=1\nMCP_PORT=9001\n").unwrap();
        let config = Config::builder()
            .dotenv(&path)
            .env([("MCP_POTR", "2")])
            .load()
            .unwrap();
        let warnings = config.warnings();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // The environment's copy of a name wins, as it does for values.
        assert_eq!(warnings[0].env_var, "MCP_POTR");
        assert_eq!(warnings[0].origin, Origin::Env);
        assert_eq!(
            warnings[1].to_string(),
            format!(
                "unknown setting MCP_PROT (in {}); did you mean MCP_PORT?",
                path.display()
            )
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(distance("potr", "port"), 1, "a swap is one edit");
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("log", "log"), 0);
        assert_eq!(
            closest("potr", ["path", "port", "host"].into_iter()),
            Some("port")
        );
        assert_eq!(closest("app", ["auth", "log"].into_iter()), None);
    }
}
