//! `[metrics]`: what `/metrics` tells.

use serde::{Deserialize, Serialize};

use super::BOOL;

/// What the Prometheus metrics tell (`[metrics]`, `MCP_METRICS__*`). Where `/metrics` is
/// served and who may read it are `[http]` settings (`metrics_addr`, `metrics_token`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct MetricsSettings {
    /// Whether the series of components that declare scopes carry their names
    /// (`MCP_METRICS__SHOW_RESTRICTED`, default `false`). By default they are counted together
    /// under `component="(restricted)"`, so that `/metrics` does not name what callers without
    /// the scopes cannot list.
    pub show_restricted: bool,
}

/// What the setting at `key` (inside `[metrics]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["show_restricted"] => BOOL,
        _ => return None,
    })
}
