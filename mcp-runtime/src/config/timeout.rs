//! `[timeout]`: the limit for tools that declare none, and [`TimeLimit`], a limit or none.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Problem;
use super::error::quoted;

/// The limit of a tool call when nothing sets one: not the tool (`#[tool(timeout = "…")]`),
/// not the server ([`ServerBuilder::default_timeout`](crate::ServerBuilder::default_timeout)
/// or the `timeout.default` setting), not the server it is mounted in.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// What `timeout.default` expects: what every duration setting expects, or `off`.
const HINT: &str = "a duration greater than 0, like 250ms, 30s, 2m or 1h, or `off` for no limit";

/// Timeouts (`[timeout]`, `MCP_TIMEOUT__*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TimeoutSettings {
    /// The limit for a tool call when the tool declares none (`MCP_TIMEOUT__DEFAULT=30s`, or
    /// `off` for no limit). Unset (`None`) by default, which leaves the builder's choice, or
    /// that of the server this one is mounted in, or else [`DEFAULT_TOOL_TIMEOUT`].
    pub default: Option<TimeLimit>,
}

impl TimeoutSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.default == Some(TimeLimit::After(Duration::ZERO)) {
            return Some(Problem::new(&["default"], quoted("0s")));
        }
        None
    }
}

/// What the setting at `key` (inside `[timeout]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["default"] => HINT,
        _ => return None,
    })
}

/// A time limit, or explicitly none: the default timeout of a server's tools
/// ([`TimeoutSettings::default`],
/// [`ServerBuilder::default_timeout`](crate::ServerBuilder::default_timeout)).
///
/// Written `"30s"`, `"250ms"`, `"2m"` or `"off"` in settings; a [`Duration`] converts into
/// [`TimeLimit::After`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeLimit {
    /// A call that runs longer is cut: the caller gets an error result naming the tool and
    /// the limit.
    After(Duration),
    /// No limit: a call runs until it ends (or the client cancels it).
    Off,
}

impl TimeLimit {
    /// The limit, if there is one.
    pub fn duration(self) -> Option<Duration> {
        match self {
            TimeLimit::After(limit) => Some(limit),
            TimeLimit::Off => None,
        }
    }
}

impl From<Duration> for TimeLimit {
    fn from(limit: Duration) -> Self {
        TimeLimit::After(limit)
    }
}

impl Serialize for TimeLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            #[cfg(feature = "config")]
            TimeLimit::After(limit) => humantime_serde::re::humantime::format_duration(*limit)
                .to_string()
                .serialize(serializer),
            #[cfg(not(feature = "config"))]
            TimeLimit::After(limit) => limit.serialize(serializer),
            TimeLimit::Off => serializer.serialize_str("off"),
        }
    }
}

impl<'de> Deserialize<'de> for TimeLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LimitVisitor)
    }
}

/// Reads `"off"`, or a duration: `"30s"` with the `config` feature (a table is refused, so
/// the setting is no section), serde's own form of a [`Duration`] (`{"secs": 30, "nanos":
/// 0}`) without it.
struct LimitVisitor;

impl<'de> serde::de::Visitor<'de> for LimitVisitor {
    type Value = TimeLimit;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration, or `off`")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TimeLimit, E> {
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(TimeLimit::Off);
        }
        #[cfg(feature = "config")]
        {
            humantime_serde::re::humantime::parse_duration(text)
                .map(TimeLimit::After)
                .map_err(E::custom)
        }
        #[cfg(not(feature = "config"))]
        Err(E::invalid_value(serde::de::Unexpected::Str(text), &self))
    }

    #[cfg(not(feature = "config"))]
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<TimeLimit, A::Error> {
        Duration::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(TimeLimit::After)
    }

    #[cfg(not(feature = "config"))]
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<TimeLimit, A::Error> {
        Duration::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
            .map(TimeLimit::After)
    }
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use std::time::Duration;

    use super::TimeLimit;
    use crate::config::test_util::{config, settings_error};

    #[test]
    fn durations() {
        let settings = config(&[("MCP_TIMEOUT__DEFAULT", "250ms"), ("MCP_CACHE__TTL", "2m")])
            .settings()
            .unwrap();
        assert_eq!(
            settings.timeout.default,
            Some(TimeLimit::After(Duration::from_millis(250)))
        );
        assert_eq!(settings.cache.ttl, Duration::from_secs(120));
        let error = settings_error(&[("MCP_TIMEOUT__DEFAULT", "soon")]);
        assert!(
            error
                .to_string()
                .starts_with("MCP_TIMEOUT__DEFAULT=soon: expected a duration"),
            "{error}"
        );
        let error = settings_error(&[("MCP_CACHE__TTL", "0s")]);
        assert_eq!(error.env_var(), Some("MCP_CACHE__TTL"));
    }

    #[test]
    fn off_is_no_limit_and_zero_is_refused_pointing_at_off() {
        for text in ["off", "OFF", " off "] {
            let settings = config(&[("MCP_TIMEOUT__DEFAULT", text)])
                .settings()
                .unwrap();
            assert_eq!(settings.timeout.default, Some(TimeLimit::Off), "{text:?}");
        }
        for text in ["0s", "0"] {
            let error = settings_error(&[("MCP_TIMEOUT__DEFAULT", text)]);
            assert!(
                error.to_string().contains("or `off` for no limit"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn a_limit_serializes_as_it_is_written() {
        let json = |limit: TimeLimit| serde_json::to_value(limit).unwrap();
        assert_eq!(json(TimeLimit::Off), "off");
        assert_eq!(json(TimeLimit::After(Duration::from_secs(90))), "1m 30s");
        let back: TimeLimit = serde_json::from_value(json(TimeLimit::Off)).unwrap();
        assert_eq!(back, TimeLimit::Off);
        let back: TimeLimit = serde_json::from_value("1m 30s".into()).unwrap();
        assert_eq!(back, TimeLimit::After(Duration::from_secs(90)));
    }
}
