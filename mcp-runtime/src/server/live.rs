//! What changes while a server runs: disabled components, connected clients, subscriptions
//! and the log level each session asked for.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};

use super::Server;

/// What changes while a server runs.
#[derive(Default)]
pub(crate) struct Live {
    any_disabled: AtomicBool,
    disabled: RwLock<Disabled>,
    peers: Mutex<Vec<Peer<RoleServer>>>,
    subscriptions: Mutex<HashMap<String, Vec<Peer<RoleServer>>>>,
    /// Open `subscriptions/listen` requests (protocol 2026-07-28): each sink sends only what
    /// its client asked for.
    listeners: Mutex<Vec<rmcp::service::SubscriptionSink>>,
    /// The level each session set with `logging/setLevel`.
    #[allow(deprecated)]
    log_levels: Mutex<HashMap<usize, rmcp::model::LoggingLevel>>,
}

#[derive(Default)]
struct Disabled {
    names: HashSet<String>,
    tags: HashSet<String>,
}

/// Identifies a session: every request of a session shares its `initialize` parameters.
pub(crate) fn session_key(peer: &Peer<RoleServer>) -> Option<usize> {
    peer.peer_info().map(|info| Arc::as_ptr(&info) as usize)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    pub(crate) fn is_enabled(&self, name: &str, tags: &[&str]) -> bool {
        if !self.any_disabled.load(Ordering::Acquire) {
            return true;
        }
        let disabled = self.disabled.read().unwrap_or_else(PoisonError::into_inner);
        !disabled.names.contains(name) && !tags.iter().any(|tag| disabled.tags.contains(*tag))
    }

    /// Remembers a client that finished `initialize`.
    pub(crate) fn connected(&self, peer: Peer<RoleServer>) {
        let mut peers = lock(&self.peers);
        peers.retain(|peer| !peer.is_transport_closed());
        peers.push(peer);
    }

    fn connected_peers(&self) -> Vec<Peer<RoleServer>> {
        let mut peers = lock(&self.peers);
        peers.retain(|peer| !peer.is_transport_closed());
        peers.clone()
    }

    /// Subscribes a session to `uri`, once.
    pub(crate) fn subscribe(&self, uri: String, peer: Peer<RoleServer>) {
        let key = session_key(&peer);
        let mut subscriptions = lock(&self.subscriptions);
        let peers = subscriptions.entry(uri).or_default();
        if key.is_none() || !peers.iter().any(|peer| session_key(peer) == key) {
            peers.push(peer);
        }
    }

    /// Ends a session's subscription to `uri`.
    pub(crate) fn unsubscribe(&self, uri: &str, peer: &Peer<RoleServer>) {
        let key = session_key(peer);
        let mut subscriptions = lock(&self.subscriptions);
        if let Some(peers) = subscriptions.get_mut(uri) {
            peers.retain(|peer| session_key(peer) != key);
            if peers.is_empty() {
                subscriptions.remove(uri);
            }
        }
    }

    /// Records the level a session asked for.
    /// Adds a `subscriptions/listen` sink.
    pub(crate) fn listen(&self, sink: rmcp::service::SubscriptionSink) {
        lock(&self.listeners).push(sink);
    }

    /// Removes the sink of subscription `id` of the session of `peer`.
    pub(crate) fn unlisten(&self, sink: &rmcp::service::SubscriptionSink) {
        lock(&self.listeners).retain(|open| !same_sink(open, sink));
    }

    fn listeners(&self) -> Vec<rmcp::service::SubscriptionSink> {
        lock(&self.listeners).clone()
    }

    #[allow(deprecated)]
    pub(crate) fn set_log_level(&self, peer: &Peer<RoleServer>, level: rmcp::model::LoggingLevel) {
        if let Some(key) = session_key(peer) {
            lock(&self.log_levels).insert(key, level);
        }
    }

    /// The level the request's session asked for.
    #[allow(deprecated)]
    pub(crate) fn log_level(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Option<rmcp::model::LoggingLevel> {
        let key = session_key(&context.peer)?;
        lock(&self.log_levels).get(&key).copied()
    }
}

/// Which components an enable or disable applies to.
/// Whether two sinks are the same subscription: the same request id, on the same session.
fn same_sink(a: &rmcp::service::SubscriptionSink, b: &rmcp::service::SubscriptionSink) -> bool {
    a.id() == b.id() && std::ptr::eq(a.accepted(), b.accepted())
}

#[derive(Debug, Clone, Copy)]
enum Selector<'a> {
    Name(&'a str),
    Tag(&'a str),
}

impl Server {
    /// Disables the tool, resource or prompt named `name` (a resource by its name, not its
    /// URI): it disappears from lists and calls to it fail as unknown. Connected clients get
    /// the matching `list_changed` notifications. Returns how many components it affected.
    ///
    /// Inside a mounted server's component, `name` is the mounted server's own name.
    pub async fn disable(&self, name: &str) -> usize {
        let name = self.outer_name(name);
        self.set_enabled(Selector::Name(&name), false).await
    }

    /// Enables what [`disable`](Self::disable) disabled.
    pub async fn enable(&self, name: &str) -> usize {
        let name = self.outer_name(name);
        self.set_enabled(Selector::Name(&name), true).await
    }

    /// Disables every component tagged `tag`.
    pub async fn disable_tag(&self, tag: &str) -> usize {
        self.set_enabled(Selector::Tag(tag), false).await
    }

    /// Enables what [`disable_tag`](Self::disable_tag) disabled.
    pub async fn enable_tag(&self, tag: &str) -> usize {
        self.set_enabled(Selector::Tag(tag), true).await
    }

    /// A name of this handle's server, as the outermost server knows it.
    fn outer_name<'a>(&self, name: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.mount {
            Some(mount) => mount.name(name).into(),
            None => name.into(),
        }
    }

    async fn set_enabled(&self, selector: Selector<'_>, enabled: bool) -> usize {
        let inner = &self.inner;
        let matches = |name: &str, tags: &[&str]| match selector {
            Selector::Name(wanted) => name == wanted,
            Selector::Tag(wanted) => tags.contains(&wanted),
        };
        let catalog = &inner.catalog;
        let count = |commons: &mut dyn Iterator<Item = &super::catalog::Common>| {
            commons.filter(|c| matches(&c.name, c.tags)).count()
        };
        let tools = count(&mut catalog.tools.items.iter().map(|t| &t.common));
        let resources = count(&mut catalog.resources.items.iter().map(|r| &r.common));
        let prompts = count(&mut catalog.prompts.items.iter().map(|p| &p.common));
        {
            let live = &inner.live;
            let mut disabled = live
                .disabled
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let set = match selector {
                Selector::Name(name) => (&mut disabled.names, name),
                Selector::Tag(tag) => (&mut disabled.tags, tag),
            };
            let changed = if enabled {
                set.0.remove(set.1)
            } else {
                set.0.insert(set.1.to_owned())
            };
            let any = !disabled.names.is_empty() || !disabled.tags.is_empty();
            live.any_disabled.store(any, Ordering::Release);
            if !changed {
                return 0;
            }
        }
        let peers = inner.live.connected_peers();
        for peer in &peers {
            if tools > 0 {
                let _ = peer.notify_tool_list_changed().await;
            }
            if resources > 0 {
                let _ = peer.notify_resource_list_changed().await;
            }
            if prompts > 0 {
                let _ = peer.notify_prompt_list_changed().await;
            }
        }
        // Listeners get what they subscribed to (the sink refuses the rest).
        for sink in inner.live.listeners() {
            if tools > 0 {
                let _ = sink.notify_tool_list_changed().await;
            }
            if resources > 0 {
                let _ = sink.notify_resource_list_changed().await;
            }
            if prompts > 0 {
                let _ = sink.notify_prompt_list_changed().await;
            }
        }
        tools + resources + prompts
    }

    /// Tells every client subscribed to `uri` that the resource changed
    /// (`notifications/resources/updated`). Returns how many clients were notified.
    ///
    /// Inside a mounted server's component, `uri` is the mounted server's own URI
    /// (`weather://current`, listed as `weather://weather/current`).
    pub async fn notify_resource_updated(&self, uri: &str) -> usize {
        let uri = match &self.mount {
            Some(mount) => mount.uri(uri),
            None => uri.to_owned(),
        };
        let peers: Vec<Peer<RoleServer>> = {
            let mut subscriptions = lock(&self.inner.live.subscriptions);
            match subscriptions.get_mut(&uri) {
                Some(peers) => {
                    peers.retain(|peer| !peer.is_transport_closed());
                    peers.clone()
                }
                None => Vec::new(),
            }
        };
        let mut sent = 0;
        for peer in peers {
            let param = ResourceUpdatedNotificationParam::new(uri.as_str());
            if peer.notify_resource_updated(param).await.is_ok() {
                sent += 1;
            }
        }
        for sink in self.inner.live.listeners() {
            // A sink whose client did not name this URI refuses it.
            if sink.notify_resource_updated(uri.as_str()).await.is_ok() {
                sent += 1;
            }
        }
        sent
    }
}
