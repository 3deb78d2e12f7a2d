//! Pages and caching hints of the four lists (`tools/list`, `resources/list`,
//! `resources/templates/list`, `prompts/list`).
//!
//! A list is paged after the middleware made it, so a middleware that filters or edits a
//! list sees it whole and the pages are pages of what it returned. Items keep their order
//! (the order of registration).
//!
//! A cursor is the position of the next page and a hash of the list it pages (its kind and
//! the key of every item: name, or URI), sealed with a tag keyed by a random key of this
//! server (SipHash, through [`RandomState`]). A client cannot turn a cursor into another
//! position (the tag would not match), nor use one from another server; a cursor for a list
//! that has changed since (a component disabled, another caller's scopes) no longer matches
//! the list's hash. Each of those is refused with `-32602`, and the client lists again from
//! the start. Cursors are deterministic, so the same page of the same list is the same
//! answer, which the line codec's list cache (`list_cache.rs`) keeps serialized once.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::num::NonZeroUsize;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::ErrorData as McpError;
use rmcp::model::CacheScope;

/// The version byte a cursor starts with.
const VERSION: u8 = 1;
/// A cursor's bytes: the version, the position, the list's hash, the tag.
const CURSOR_LEN: usize = 1 + 8 + 8 + 8;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Tools,
    Resources,
    Templates,
    Prompts,
}

impl ListKind {
    const ALL: [ListKind; 4] = [
        ListKind::Tools,
        ListKind::Resources,
        ListKind::Templates,
        ListKind::Prompts,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    /// What the list holds, in words.
    fn noun(self) -> &'static str {
        match self {
            ListKind::Tools => "tools",
            ListKind::Resources => "resources",
            ListKind::Templates => "resource templates",
            ListKind::Prompts => "prompts",
        }
    }
}

/// The caching hints of one component, or of a server's lists (`ttlMs` and `cacheScope`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Hints {
    pub(crate) ttl: Option<Duration>,
    pub(crate) scope: Option<CacheScope>,
}

impl Hints {
    /// Both hints together: the shorter time, the narrower scope.
    fn and(self, other: Hints) -> Hints {
        let ttl = match (self.ttl, other.ttl) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let scope = match (self.scope, other.scope) {
            (Some(CacheScope::Private), _) | (_, Some(CacheScope::Private)) => {
                Some(CacheScope::Private)
            }
            (a, b) => a.or(b),
        };
        Hints { ttl, scope }
    }

    fn is_set(self) -> bool {
        self.ttl.is_some() || self.scope.is_some()
    }
}

/// What the server knows of its lists, per kind, from its catalog.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KindFacts {
    /// Some component declares scopes: what the list shows depends on the caller.
    pub(crate) scoped: bool,
    /// Some component has caching hints of its own.
    pub(crate) own_hints: bool,
}

/// One page of a list, with its caching hints.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_cursor: Option<String>,
    pub(crate) ttl_ms: Option<u64>,
    pub(crate) cache_scope: Option<CacheScope>,
}

/// How a server pages its lists and which caching hints it gives them.
pub(crate) struct Pager {
    page_size: Option<NonZeroUsize>,
    hints: Hints,
    facts: [KindFacts; 4],
    /// The key of cursors' tags and lists' hashes, random per server.
    key: RandomState,
}

impl Pager {
    /// A pager: `facts` per kind, in the order of [`ListKind`].
    pub(crate) fn new(
        page_size: Option<NonZeroUsize>,
        hints: Hints,
        facts: impl Fn(ListKind) -> KindFacts,
    ) -> Self {
        Self {
            page_size,
            hints,
            facts: ListKind::ALL.map(facts),
            key: RandomState::new(),
        }
    }

    /// The page of `items` (the whole list, in order) that `cursor` points at (the first
    /// without one), with the list's caching hints. `key` names an item (its name or URI);
    /// `own` gives the hints of the component an item lists, if it has its own.
    pub(crate) fn page<T>(
        &self,
        kind: ListKind,
        mut items: Vec<T>,
        cursor: Option<&str>,
        key: impl Fn(&T) -> &str,
        own: impl Fn(&str) -> Option<Hints>,
    ) -> Result<Page<T>, McpError> {
        let facts = self.facts[kind.slot()];
        let mut hints = self.hints;
        if facts.own_hints {
            for item in &items {
                if let Some(own) = own(key(item)) {
                    hints = hints.and(own);
                }
            }
        }
        // A list that depends on the caller's scopes is never for everyone to cache.
        if facts.scoped && hints.is_set() {
            hints.scope = Some(CacheScope::Private);
        }
        let ttl_ms = hints
            .ttl
            .map(|ttl| u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        let Some(size) = self.page_size else {
            if cursor.is_some() {
                return Err(McpError::invalid_params(
                    format!(
                        "invalid cursor: this server lists all its {} on one page and issues \
                         no cursors; list again without one",
                        kind.noun()
                    ),
                    None,
                ));
            }
            return Ok(Page {
                items,
                next_cursor: None,
                ttl_ms,
                cache_scope: hints.scope,
            });
        };
        let total = items.len();
        let needs_hash = cursor.is_some() || total > size.get();
        let view = if needs_hash {
            self.view(kind, &items, &key)
        } else {
            0
        };
        let start = match cursor {
            Some(cursor) => self.open(kind, cursor, view, total)?,
            None => 0,
        };
        let end = start.saturating_add(size.get()).min(total);
        let next_cursor = (end < total).then(|| self.seal(kind, end, view));
        items.truncate(end);
        items.drain(..start);
        Ok(Page {
            items,
            next_cursor,
            ttl_ms,
            cache_scope: hints.scope,
        })
    }

    /// The keyed hash of a list: its kind, its length and every item's key, in order.
    fn view<T>(&self, kind: ListKind, items: &[T], key: &impl Fn(&T) -> &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = self.key.build_hasher();
        "mcp-runtime list".hash(&mut hasher);
        (kind as u8).hash(&mut hasher);
        items.len().hash(&mut hasher);
        for item in items {
            key(item).hash(&mut hasher);
        }
        hasher.finish()
    }

    fn tag(&self, kind: ListKind, position: u64, view: u64) -> u64 {
        self.key
            .hash_one(("mcp-runtime cursor", kind as u8, position, view))
    }

    /// The cursor of the page at `position` of the list with hash `view`.
    fn seal(&self, kind: ListKind, position: usize, view: u64) -> String {
        let position = position as u64;
        let mut bytes = Vec::with_capacity(CURSOR_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&position.to_le_bytes());
        bytes.extend_from_slice(&view.to_le_bytes());
        bytes.extend_from_slice(&self.tag(kind, position, view).to_le_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position `cursor` points at in the list with hash `view` and `total` items.
    fn open(
        &self,
        kind: ListKind,
        cursor: &str,
        view: u64,
        total: usize,
    ) -> Result<usize, McpError> {
        let invalid = || {
            McpError::invalid_params(
                format!(
                    "invalid cursor: not one this server gave for its {}; list again without \
                     a cursor",
                    kind.noun()
                ),
                None,
            )
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor.as_bytes())
            .map_err(|_| invalid())?;
        let Ok(bytes) = <[u8; CURSOR_LEN]>::try_from(bytes.as_slice()) else {
            return Err(invalid());
        };
        let word = |at: usize| {
            let mut word = [0; 8];
            word.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(word)
        };
        let (position, sealed_view, tag) = (word(1), word(9), word(17));
        if bytes[0] != VERSION || tag != self.tag(kind, position, sealed_view) {
            return Err(invalid());
        }
        let position = usize::try_from(position).map_err(|_| invalid())?;
        if sealed_view != view || position == 0 || position >= total {
            return Err(McpError::invalid_params(
                format!(
                    "stale cursor: the {} listed have changed since it was given (or this \
                     caller sees others); list again without a cursor",
                    kind.noun()
                ),
                None,
            ));
        }
        Ok(position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pager(size: usize) -> Pager {
        Pager::new(NonZeroUsize::new(size), Hints::default(), |_| {
            KindFacts::default()
        })
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("t{i}")).collect()
    }

    fn page(
        pager: &Pager,
        items: Vec<String>,
        cursor: Option<&str>,
    ) -> Result<Page<String>, McpError> {
        pager.page(ListKind::Tools, items, cursor, String::as_str, |_| None)
    }

    #[test]
    fn pages_cover_the_list_in_order_and_cursors_are_deterministic() {
        let pager = pager(2);
        let first = page(&pager, names(5), None).expect("a page");
        assert_eq!(first.items, ["t0", "t1"]);
        let cursor = first.next_cursor.expect("more");
        assert_eq!(
            page(&pager, names(5), None).expect("a page").next_cursor,
            Some(cursor.clone()),
            "the same page has the same cursor"
        );
        let second = page(&pager, names(5), Some(&cursor)).expect("a page");
        assert_eq!(second.items, ["t2", "t3"]);
        let last = page(&pager, names(5), second.next_cursor.as_deref()).expect("a page");
        assert_eq!(last.items, ["t4"]);
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_cursor_does_not_open_elsewhere() {
        let pager = pager(2);
        let cursor = page(&pager, names(5), None)
            .expect("a page")
            .next_cursor
            .expect("more");
        // Another kind of list, another server, another list.
        let other_kind = pager.page(
            ListKind::Prompts,
            names(5),
            Some(&cursor),
            String::as_str,
            |_| None,
        );
        assert_eq!(other_kind.err().map(|e| e.code.0), Some(-32602));
        let other_server = page(&pager_of_another_server(), names(5), Some(&cursor));
        assert!(
            other_server
                .err()
                .is_some_and(|e| e.message.starts_with("invalid cursor")),
        );
        let changed = page(&pager, names(4), Some(&cursor));
        assert!(
            changed
                .err()
                .is_some_and(|e| e.message.starts_with("stale cursor"))
        );
        // Every single-bit change of the cursor's bytes is refused.
        let bytes = URL_SAFE_NO_PAD.decode(&cursor).expect("base64");
        for bit in 0..bytes.len() * 8 {
            let mut forged = bytes.clone();
            forged[bit / 8] ^= 1 << (bit % 8);
            let forged = URL_SAFE_NO_PAD.encode(forged);
            assert!(page(&pager, names(5), Some(&forged)).is_err(), "bit {bit}");
        }
    }

    fn pager_of_another_server() -> Pager {
        pager(2)
    }

    #[test]
    fn hints_take_the_shortest_time_and_the_narrowest_scope() {
        let server = Hints {
            ttl: Some(Duration::from_secs(60)),
            scope: Some(CacheScope::Public),
        };
        let own = Hints {
            ttl: Some(Duration::from_secs(5)),
            scope: None,
        };
        let facts = |scoped| KindFacts {
            scoped,
            own_hints: true,
        };
        for (scoped, scope) in [(false, CacheScope::Public), (true, CacheScope::Private)] {
            let pager = Pager::new(None, server, |_| facts(scoped));
            let page = pager
                .page(ListKind::Tools, names(3), None, String::as_str, |name| {
                    (name == "t1").then_some(own)
                })
                .expect("a page");
            assert_eq!(page.ttl_ms, Some(5_000));
            assert_eq!(page.cache_scope, Some(scope), "scoped: {scoped}");
        }
        let private = Hints {
            ttl: None,
            scope: Some(CacheScope::Private),
        };
        assert_eq!(server.and(private).scope, Some(CacheScope::Private));
        assert_eq!(Hints::default().and(server), server);
    }
}
