//! List answers serialized once and reused by the line codec (`transport::line`): a `tools/list` of 1,000 tools is ~400 KB of JSON,
//! and serializing it was nearly all of what the list cost. Each distinct answer (one per
//! view: the caller's scopes, what is enabled, the page) is kept with its JSON; an answer equal
//! to a kept one is written from that JSON. An answer that changes (a component disabled,
//! middleware that edits the list) is simply a new view, so nothing has to be invalidated.
//!
//! Comparing is cheap: the listed components share their schemas (`Arc`s) with the catalog,
//! and comparing an `Arc` of a JSON object starts by comparing the pointers.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::{
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    ServerResult,
};
use serde::Serialize;

/// Views kept per kind of list, the most recently used first: a view is one page of one
/// caller's list, so a paged list needs a few per caller.
const VIEWS: usize = 16;

/// The serialized list answers of one server, shared by all its sessions.
#[derive(Default)]
pub(crate) struct ListCache {
    tools: Views<ListToolsResult>,
    resources: Views<ListResourcesResult>,
    templates: Views<ListResourceTemplatesResult>,
    prompts: Views<ListPromptsResult>,
}

impl ListCache {
    /// The JSON of `result` when it is a list (serialized now if no kept view equals it);
    /// `None` for any other result.
    pub(crate) fn json(&self, result: &ServerResult) -> Option<Arc<[u8]>> {
        match result {
            ServerResult::ListToolsResult(r) => self.tools.json(r),
            ServerResult::ListResourcesResult(r) => self.resources.json(r),
            ServerResult::ListResourceTemplatesResult(r) => self.templates.json(r),
            ServerResult::ListPromptsResult(r) => self.prompts.json(r),
            _ => None,
        }
    }
}

/// The kept answers of one kind of list.
struct Views<R> {
    views: Mutex<Vec<Arc<View<R>>>>,
}

impl<R> Default for Views<R> {
    fn default() -> Self {
        Self {
            views: Mutex::new(Vec::new()),
        }
    }
}

struct View<R> {
    result: R,
    json: Arc<[u8]>,
}

impl<R: PartialEq + Clone + Serialize> Views<R> {
    fn json(&self, result: &R) -> Option<Arc<[u8]>> {
        // Compared outside the lock: other sessions keep listing meanwhile.
        let kept: Vec<Arc<View<R>>> = self.lock().clone();
        if let Some(view) = kept.iter().find(|view| view.result == *result) {
            let json = view.json.clone();
            let mut views = self.lock();
            if let Some(at) = views.iter().position(|kept| Arc::ptr_eq(kept, view)) {
                views[..=at].rotate_right(1);
            }
            return Some(json);
        }
        // A new view. Should it not serialize, the caller serializes it the usual way and
        // meets the same error there.
        let json: Arc<[u8]> = serde_json::to_vec(result).ok()?.into();
        let mut views = self.lock();
        views.insert(
            0,
            Arc::new(View {
                result: result.clone(),
                json: json.clone(),
            }),
        );
        views.truncate(VIEWS);
        Some(json)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<View<R>>>> {
        // Plain data that no code panics while holding.
        self.views.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rmcp::model::{ServerResult, Tool};
    use serde_json::json;

    use super::*;

    fn tool(name: &str, schema: &Arc<rmcp::model::JsonObject>) -> Tool {
        Tool::new(name.to_owned(), "Adds.", schema.clone())
    }

    fn schema() -> Arc<rmcp::model::JsonObject> {
        let serde_json::Value::Object(map) =
            json!({"type": "object", "properties": {"a": {"type": "integer"}}})
        else {
            unreachable!("an object literal")
        };
        Arc::new(map)
    }

    #[test]
    fn an_equal_answer_reuses_the_json_and_a_changed_one_is_a_new_view() {
        let cache = ListCache::default();
        let schema = schema();
        let list = |names: &[&str]| {
            ServerResult::ListToolsResult(ListToolsResult::with_all_items(
                names.iter().map(|name| tool(name, &schema)).collect(),
            ))
        };
        let first = cache.json(&list(&["a", "b"])).expect("a list");
        let again = cache.json(&list(&["a", "b"])).expect("a list");
        assert!(Arc::ptr_eq(&first, &again), "the kept JSON is reused");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&first).expect("JSON"),
            serde_json::to_value(list(&["a", "b"])).expect("serializes")
        );

        // One tool fewer (disabled, or out of the caller's scopes): another view.
        let fewer = cache.json(&list(&["a"])).expect("a list");
        assert!(!Arc::ptr_eq(&first, &fewer));
        assert_eq!(
            &*fewer,
            serde_json::to_vec(&list(&["a"]))
                .expect("serializes")
                .as_slice()
        );
        // Both stay kept.
        assert!(Arc::ptr_eq(
            &first,
            &cache.json(&list(&["a", "b"])).expect("a list")
        ));
        assert!(Arc::ptr_eq(
            &fewer,
            &cache.json(&list(&["a"])).expect("a list")
        ));

        // A different schema with the same name is a different answer.
        let other = Arc::new({
            let mut map = (*schema).clone();
            map.insert("required".to_owned(), json!(["a"]));
            map
        });
        let changed = ServerResult::ListToolsResult(ListToolsResult::with_all_items(vec![
            tool("a", &other),
            tool("b", &schema),
        ]));
        let json = cache.json(&changed).expect("a list");
        assert!(!Arc::ptr_eq(&first, &json));
        assert_eq!(
            &*json,
            serde_json::to_vec(&changed).expect("serializes").as_slice()
        );

        // Other results are not lists.
        assert!(cache.json(&ServerResult::empty(())).is_none());
    }

    #[test]
    fn at_most_a_few_views_are_kept_the_least_recently_used_dropped() {
        let cache = ListCache::default();
        let schema = schema();
        let list = |name: &str| {
            ServerResult::ListToolsResult(ListToolsResult::with_all_items(vec![tool(
                name, &schema,
            )]))
        };
        let first = cache.json(&list("v0")).expect("a list");
        for i in 1..VIEWS {
            cache.json(&list(&format!("v{i}")));
        }
        // v0 used again: the least recently used is now v1.
        assert!(Arc::ptr_eq(
            &first,
            &cache.json(&list("v0")).expect("a list")
        ));
        cache.json(&list("new"));
        assert_eq!(cache.tools.lock().len(), VIEWS);
        assert!(Arc::ptr_eq(
            &first,
            &cache.json(&list("v0")).expect("a list")
        ));
        let names: Vec<String> = cache
            .tools
            .lock()
            .iter()
            .map(|view| view.result.tools[0].name.to_string())
            .collect();
        assert!(!names.contains(&"v1".to_owned()), "{names:?}");
    }
}
