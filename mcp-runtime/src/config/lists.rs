//! `[lists]`: how the four lists are paged, and the caching hints they carry.

use std::num::NonZeroUsize;
use std::time::Duration;

use rmcp::model::CacheScope;
use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::{DURATION, Problem};

/// How `tools/list`, `resources/list`, `resources/templates/list` and `prompts/list` are
/// paged and may be cached (`[lists]`, `MCP_LISTS__*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ListSettings {
    /// The most items in one page of a list (`MCP_LISTS__PAGE_SIZE`); by default a list is
    /// one page, and any cursor is refused.
    pub page_size: Option<usize>,
    /// How long a client may treat a list as fresh, its `ttlMs` (`MCP_LISTS__CACHE_TTL`);
    /// by default none is said (on protocol `2026-07-28`: 0).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub cache_ttl: Option<Duration>,
    /// Who may cache a list, its `cacheScope` (`MCP_LISTS__CACHE_SCOPE`: `public` or
    /// `private`). A list that depends on the caller's scopes is `private` whatever this
    /// says.
    pub cache_scope: Option<CacheScope>,
}

impl ListSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.page_size == Some(0) {
            return Some(Problem::new(&["page_size"], "0"));
        }
        if self.cache_ttl.is_some_and(|ttl| ttl.is_zero()) {
            return Some(Problem::new(&["cache_ttl"], quoted("0s")));
        }
        None
    }

    /// The page size, if lists are paged.
    pub fn page_size(&self) -> Option<NonZeroUsize> {
        self.page_size.and_then(NonZeroUsize::new)
    }
}

/// What the setting at `key` (inside `[lists]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["page_size"] => "a whole number of items, at least 1",
        ["cache_ttl"] => DURATION,
        ["cache_scope"] => "\"public\" or \"private\"",
        _ => return None,
    })
}
