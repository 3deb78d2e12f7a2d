//! What every component kind declares the same way: name, title, description, icons, tags,
//! scopes, middleware, timeout and `_meta`. Tools, resources and prompts each hold one
//! [`ComponentMeta`] and add only what is their own.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{Icon, IconTheme, MetaObject};
use serde_json::Value;

use crate::middleware::Middleware;

/// The metadata every component kind shares, as the macros declare it.
///
/// Generated code fills it through a descriptor's `meta()`; the server reads it once, at
/// `build()`, into the listing and the component's [`ComponentInfo`](crate::ComponentInfo).
#[doc(hidden)]
#[derive(Clone)]
pub struct ComponentMeta {
    pub(crate) name: &'static str,
    pub(crate) title: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) icons: Vec<Icon>,
    pub(crate) tags: &'static [&'static str],
    pub(crate) scopes: &'static [&'static str],
    pub(crate) middleware: Vec<Arc<dyn Middleware>>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) meta: Option<MetaObject>,
    pub(crate) cache_ttl: Option<Duration>,
    pub(crate) cache_scope: Option<rmcp::model::CacheScope>,
}

impl ComponentMeta {
    /// Metadata with nothing but a name.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            title: None,
            description: None,
            icons: Vec::new(),
            tags: &[],
            scopes: &[],
            middleware: Vec::new(),
            timeout: None,
            meta: None,
            cache_ttl: None,
            cache_scope: None,
        }
    }

    /// Sets the description.
    pub fn description(&mut self, description: &'static str) {
        self.description = Some(description);
    }

    /// Sets the human-readable title.
    pub fn title(&mut self, title: &'static str) {
        self.title = Some(title);
    }

    /// Adds an icon: its `src` URI, MIME type, sizes (`"48x48"`, `"any"`) and theme (`"light"`
    /// or `"dark"`; the macros accept nothing else, anything else is ignored here).
    pub fn icon(
        &mut self,
        src: &'static str,
        mime_type: Option<&'static str>,
        sizes: &'static [&'static str],
        theme: Option<&'static str>,
    ) {
        self.icons.push(icon(src, mime_type, sizes, theme));
    }

    /// The component's tags.
    pub fn tags(&mut self, tags: &'static [&'static str]) {
        self.tags = tags;
    }

    /// The OAuth scopes a caller needs to see and use the component.
    pub fn scopes(&mut self, scopes: &'static [&'static str]) {
        self.scopes = scopes;
    }

    /// Adds middleware around this component only.
    pub fn middleware(&mut self, middleware: Arc<dyn Middleware>) {
        self.middleware.push(middleware);
    }

    /// The component's own timeout (`timeout = "5s"`), in milliseconds.
    pub fn timeout_ms(&mut self, millis: u64) {
        self.timeout = Some(Duration::from_millis(millis));
    }

    /// How long a list that shows the component may be cached, in milliseconds (its
    /// `ttlMs`): a list's is the shortest of its components' and its server's.
    pub fn cache_ttl_ms(&mut self, millis: u64) {
        self.cache_ttl = Some(Duration::from_millis(millis));
    }

    /// Who may cache a list that shows the component (its `cacheScope`): a list is
    /// `private` when any of its components or its server says so.
    pub fn cache_scope(&mut self, scope: rmcp::model::CacheScope) {
        self.cache_scope = Some(scope);
    }

    /// One entry of the component's `_meta` object.
    pub fn meta_entry(&mut self, key: &'static str, value: Value) {
        self.meta
            .get_or_insert_with(MetaObject::new)
            .0
            .insert(key.to_owned(), value);
    }

    /// The icons as a listing carries them (`None` when there are none).
    pub(crate) fn listed_icons(&self) -> Option<Vec<Icon>> {
        (!self.icons.is_empty()).then(|| self.icons.clone())
    }
}

/// One MCP icon from its parts.
pub(crate) fn icon(
    src: &str,
    mime_type: Option<&str>,
    sizes: &[&str],
    theme: Option<&str>,
) -> Icon {
    let mut icon = Icon::new(src);
    if let Some(mime_type) = mime_type {
        icon = icon.with_mime_type(mime_type);
    }
    if !sizes.is_empty() {
        icon = icon.with_sizes(sizes.iter().map(|s| (*s).to_owned()).collect());
    }
    match theme {
        Some("light") => icon.with_theme(IconTheme::Light),
        Some("dark") => icon.with_theme(IconTheme::Dark),
        _ => icon,
    }
}

impl fmt::Debug for ComponentMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentMeta")
            .field("name", &self.name)
            .field("title", &self.title)
            .field("description", &self.description)
            .field("tags", &self.tags)
            .field("scopes", &self.scopes)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_keep_every_part_and_meta_collects_entries() {
        let mut meta = ComponentMeta::new("t");
        assert_eq!(meta.listed_icons(), None);
        meta.icon(
            "https://x/a.png",
            Some("image/png"),
            &["48x48"],
            Some("light"),
        );
        meta.icon("https://x/b.svg", None, &[], Some("sepia"));
        let icons = serde_json::to_value(meta.listed_icons()).unwrap();
        assert_eq!(
            icons,
            serde_json::json!([
                {"src": "https://x/a.png", "mimeType": "image/png", "sizes": ["48x48"], "theme": "light"},
                {"src": "https://x/b.svg"},
            ])
        );
        meta.meta_entry("com.example/rank", Value::from(3));
        meta.meta_entry("com.example/beta", Value::from(true));
        assert_eq!(
            serde_json::to_value(&meta.meta).unwrap(),
            serde_json::json!({"com.example/rank": 3, "com.example/beta": true})
        );
    }
}
