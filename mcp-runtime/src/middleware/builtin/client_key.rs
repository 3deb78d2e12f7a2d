//! [`ClientKey`]: who "a client" is, for [`RateLimit`](super::RateLimit) and
//! [`Cache`](super::Cache).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use rmcp::model::InitializeRequestParams;

use crate::middleware::Request;

/// Who "a client" is, for [`RateLimit`](super::RateLimit) and [`Cache`](super::Cache): a function from a request
/// to a key. Requests with the same key share a bucket (or cache entries).
///
/// - [`ClientKey::caller`] (the default): the authenticated subject when the request carries
///   an identity (see [`crate::auth`]), else the session.
/// - [`ClientKey::session`]: one key per MCP session (a connection over stdio, the
///   `Mcp-Session-Id` over HTTP). Stateless HTTP has no sessions: no key.
/// - [`ClientKey::subject`]: the authenticated subject only.
/// - [`ClientKey::client_name`]: the name the client gave in `initialize`
///   (`clientInfo.name`); every connection of the same client program shares it.
/// - [`ClientKey::from_fn`]: anything else, such as the caller's identity, which an
///   authentication middleware placed earlier in the pipeline attaches to the request:
///
/// ```
/// use mcp_runtime::middleware::{ClientKey, RateLimit, Request};
///
/// /// What an authentication middleware attached to the request.
/// #[derive(Clone)]
/// struct Identity {
///     subject: String,
/// }
///
/// // Ten calls a second per authenticated subject, in bursts of up to twenty.
/// let by_identity =
///     ClientKey::from_fn(|req: &Request| req.extensions().get::<Identity>().map(|id| id.subject.clone()));
/// let limit = RateLimit::per_client(10.0, 20).key(by_identity);
/// ```
///
/// A key function returning `None` means "no key": [`RateLimit`] puts such requests in one
/// shared anonymous bucket, and [`Cache`](super::Cache) does not cache them.
#[derive(Clone)]
pub struct ClientKey {
    name: &'static str,
    key: Arc<KeyFn>,
}

/// What a [`ClientKey`] runs.
type KeyFn = dyn Fn(&Request) -> Option<String> + Send + Sync;

impl ClientKey {
    /// One key per MCP session, stable for the life of the session and never reused by a
    /// later one: the connection over stdio or a byte stream, the `Mcp-Session-Id` over HTTP.
    ///
    /// Stateless HTTP has no sessions (every request stands alone), so its requests have no
    /// key: key by [`subject`](Self::subject) there, which [`caller`](Self::caller) does.
    pub fn session() -> Self {
        Self {
            name: "session",
            key: Arc::new(session_key),
        }
    }

    /// The authenticated subject when the request carries an identity, else the session: the
    /// default, right on every transport.
    pub fn caller() -> Self {
        Self {
            name: "caller",
            key: Arc::new(|request| subject_key(request).or_else(|| session_key(request))),
        }
    }

    /// The client's self-declared name (`clientInfo.name` from `initialize`). Clients choose
    /// it, so it is a convenience for trusted deployments, not a security boundary.
    pub fn client_name() -> Self {
        Self {
            name: "client_name",
            key: Arc::new(|request| {
                let info = request.context().peer.peer_info()?;
                Some(format!("client:{}", info.client_info.name))
            }),
        }
    }

    /// The authenticated subject (the verified token's `sub`, see [`crate::auth`]): one
    /// bucket per caller across sessions and replicas' sessions, which is what stateless HTTP
    /// needs. Requests without an identity have no key.
    pub fn subject() -> Self {
        Self {
            name: "subject",
            key: Arc::new(subject_key),
        }
    }

    /// A key computed by `f`, such as the authenticated subject read from an extension a
    /// previous middleware attached. `None` means the request has no key.
    pub fn from_fn<F>(f: F) -> Self
    where
        F: Fn(&Request) -> Option<String> + Send + Sync + 'static,
    {
        Self {
            name: "custom",
            key: Arc::new(f),
        }
    }

    /// The key of `request`, if it has one.
    pub fn key_of(&self, request: &Request) -> Option<String> {
        (self.key)(request)
    }
}

impl Default for ClientKey {
    fn default() -> Self {
        Self::caller()
    }
}

/// The key of [`ClientKey::subject`].
fn subject_key(request: &Request) -> Option<String> {
    request
        .identity()
        .map(|identity| format!("subject:{}", identity.subject()))
}

/// The session key of [`ClientKey::session`].
fn session_key(request: &Request) -> Option<String> {
    #[cfg(feature = "http")]
    if let Some(parts) = request.extensions().get::<http::request::Parts>() {
        // Over HTTP, a request's peer lives only as long as the request in stateless mode;
        // the session is what the client names.
        return parts
            .headers
            .get("mcp-session-id")
            .and_then(|id| id.to_str().ok())
            .map(|id| format!("session:{id}"));
    }
    session_id(request).map(|id| format!("session:{id}"))
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientKey").field(&self.name).finish()
    }
}

/// Session ids: one per `initialize` (the `Arc` rmcp keeps the client's handshake in).
///
/// The address of that `Arc` identifies the session while it lives, but a later session could
/// be allocated at the same address. Holding a `Weak` to it keeps the allocation, so the
/// address cannot be reused while it is in the table; dead entries are pruned as it grows.
struct Sessions {
    ids: HashMap<usize, (Weak<InitializeRequestParams>, u64)>,
    next_id: u64,
    prune_at: usize,
}

fn session_id(request: &Request) -> Option<u64> {
    static SESSIONS: OnceLock<Mutex<Sessions>> = OnceLock::new();
    let info = request.context().peer.peer_info()?;
    let address = Arc::as_ptr(&info) as usize;
    let mut sessions = SESSIONS
        .get_or_init(|| {
            Mutex::new(Sessions {
                ids: HashMap::new(),
                next_id: 0,
                prune_at: 64,
            })
        })
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, id)) = sessions.ids.get(&address) {
        return Some(*id);
    }
    if sessions.ids.len() >= sessions.prune_at {
        sessions.ids.retain(|_, (info, _)| info.strong_count() > 0);
        sessions.prune_at = (sessions.ids.len() * 2).max(64);
    }
    sessions.next_id += 1;
    let id = sessions.next_id;
    sessions.ids.insert(address, (Arc::downgrade(&info), id));
    Some(id)
}
