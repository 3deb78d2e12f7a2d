//! The HTTP transport's sessions: rmcp's in-memory session manager, with each request's
//! response stream reachable from its handler, so that
//! [`Ctx::close_sse_stream`](crate::Ctx::close_sse_stream) can end it before the result is
//! ready (SEP-1699: the client
//! reconnects with `Last-Event-ID` and receives the rest on the new stream).
//!
//! It also keeps the [`SessionTable`]: the caps on sessions, the idle timeout (a reaper task
//! closes idle sessions, rmcp's own keep-alive is off), and the refusal of a request whose id
//! is already in flight in its session.

use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use rmcp::model::{
    ClientJsonRpcMessage, ErrorCode, ErrorData, GetExtensions, JsonRpcError, JsonRpcVersion2_0,
    RequestId, ServerJsonRpcMessage,
};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionHandle, LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

use super::session_table::{Begun, SessionTable};

/// [`LocalSessionManager`], whose requests carry their [`ResponseStream`] in their extensions,
/// with the [`SessionTable`] beside it.
pub(crate) struct Sessions {
    manager: LocalSessionManager,
    pub(super) table: Arc<SessionTable>,
}

impl Sessions {
    /// Sessions under `table`'s caps and idle timeout. Idle sessions are closed by a task on
    /// the current Tokio runtime (none outside one: then only the caps make room), which ends
    /// with the sessions.
    pub(super) fn new(table: SessionTable) -> Arc<Self> {
        let mut manager = LocalSessionManager::default();
        // The reaper below closes idle sessions; rmcp's keep-alive would also close a session
        // whose client holds a GET stream open and is waiting for news.
        manager.session_config.keep_alive = None;
        let sessions = Arc::new(Self {
            manager,
            table: Arc::new(table),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(reap(Arc::downgrade(&sessions)));
        }
        sessions
    }

    /// Whether session `id` is open.
    pub(super) async fn has(&self, id: &str) -> bool {
        self.manager.sessions.read().await.contains_key(id)
    }

    /// Closes session `id` in rmcp's map (the table has forgotten it already).
    pub(super) async fn close(&self, id: &str) {
        let id: SessionId = Arc::from(id);
        if let Err(error) = self.manager.close_session(&id).await {
            tracing::debug!(%error, "closing a session");
        }
    }

    /// Closes the sessions idle past the timeout, and those rmcp holds that the table never
    /// registered (an `initialize` whose client left before its answer) once they are as old.
    async fn sweep(&self, orphans: &mut std::collections::HashMap<SessionId, Instant>) {
        let now = Instant::now();
        for id in self.table.expired(now) {
            tracing::debug!(session = &*id, "closing an idle session");
            self.close(&id).await;
        }
        let unknown: Vec<SessionId> = (self.manager.sessions.read().await.keys())
            .filter(|id| !self.table.contains(id))
            .cloned()
            .collect();
        orphans.retain(|id, _| unknown.contains(id));
        for id in unknown {
            let since = *orphans.entry(id.clone()).or_insert(now);
            if now.saturating_duration_since(since) >= self.table.idle_timeout {
                orphans.remove(&id);
                self.close(&id).await;
            }
        }
    }
}

/// Sweeps every quarter of the idle timeout (at least every second) while the sessions live.
async fn reap(sessions: Weak<Sessions>) {
    let Some(period) = sessions.upgrade().map(|sessions| {
        (sessions.table.idle_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }) else {
        return;
    };
    let mut orphans = std::collections::HashMap::new();
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(sessions) = sessions.upgrade() else {
            return;
        };
        sessions.sweep(&mut orphans).await;
    }
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("open", &self.table.len())
            .finish_non_exhaustive()
    }
}

/// The SSE response stream of one HTTP request, in the request's extensions as an
/// [`extract::ResponseStream`](crate::extract::ResponseStream) (streamable HTTP with sessions
/// only).
#[derive(Debug, Clone)]
struct ResponseStream {
    session: LocalSessionHandle,
    http_request_id: u64,
}

/// Ends the stream, after an event telling the client to reconnect after `retry`. The session
/// keeps what is sent later, for the client's `Last-Event-ID` reconnection.
impl crate::extract::CloseStream for ResponseStream {
    fn close(&self, retry: Duration) -> crate::util::BoxFuture<'_, bool> {
        Box::pin(async move {
            self.session
                .close_sse_stream(self.http_request_id, Some(retry))
                .await
                .is_ok()
        })
    }
}

impl SessionManager for Sessions {
    type Error = LocalSessionManagerError;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.manager.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.manager.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.manager.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.table.forget(id);
        self.manager.close_session(id).await
    }

    /// What [`LocalSessionManager::create_stream`] does, with the request's stream added to its
    /// extensions before the session sees it; a request whose id is in flight in the session
    /// already gets an error instead.
    async fn create_stream(
        &self,
        id: &SessionId,
        mut message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let session = self
            .manager
            .sessions
            .read()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| LocalSessionManagerError::SessionNotFound(id.clone()))?;
        let mut in_flight = None;
        if let ClientJsonRpcMessage::Request(request) = &message {
            match self.table.begin(id, &request.id) {
                Begun::Started => {
                    in_flight = Some(InFlight {
                        table: self.table.clone(),
                        session: id.clone(),
                        request: request.id.clone(),
                    });
                }
                Begun::Untracked => {}
                Begun::Duplicate => {
                    tracing::info!(
                        session = &**id,
                        id = %request.id,
                        "refused a request whose id is already in flight in its session"
                    );
                    return Ok(Events::answer(duplicate(request.id.clone())));
                }
            }
        }
        let receiver = session.establish_request_wise_channel().await?;
        if let (Some(http_request_id), ClientJsonRpcMessage::Request(request)) =
            (receiver.http_request_id, &mut message)
        {
            let stream = ResponseStream {
                session: session.clone(),
                http_request_id,
            };
            (request.request.extensions_mut())
                .insert(crate::extract::ResponseStream(std::sync::Arc::new(stream)));
        }
        session
            .push_message(message, receiver.http_request_id)
            .await?;
        Ok(Events {
            first: None,
            events: Some(receiver.inner),
            _in_flight: in_flight,
        })
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.table.touch(id);
        self.manager.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.manager.create_standalone_stream(id).await?;
        Ok(Open::new(&self.table, id, stream))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let stream = self.manager.resume(id, last_event_id).await?;
        Ok(Open::new(&self.table, id, stream))
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.manager.restore_session(id).await
    }

    fn event_store(
        &self,
    ) -> Option<std::sync::Arc<dyn rmcp::transport::streamable_http_server::session::EventStore>>
    {
        self.manager.event_store()
    }
}

/// The answer to a request whose id is already in flight in its session.
fn duplicate(id: RequestId) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::Error(JsonRpcError {
        jsonrpc: JsonRpcVersion2_0,
        id: Some(id.clone()),
        error: ErrorData::new(
            ErrorCode::INVALID_REQUEST,
            format!("a request with id {id} is already in flight in this session"),
            None,
        ),
    })
}

/// A request counted in flight in its session until its stream ends or is dropped.
struct InFlight {
    table: Arc<SessionTable>,
    session: SessionId,
    request: RequestId,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.table.end(&self.session, &self.request);
    }
}

/// A GET (or resumed) stream counted open in its session until dropped.
struct StreamOpen {
    table: Arc<SessionTable>,
    session: SessionId,
}

impl Drop for StreamOpen {
    fn drop(&mut self) {
        self.table.stream(&self.session, false);
    }
}

/// A request's events: rmcp's channel, or one answer given here; with what it keeps counted.
struct Events {
    first: Option<ServerSseMessage>,
    events: Option<tokio::sync::mpsc::Receiver<ServerSseMessage>>,
    _in_flight: Option<InFlight>,
}

impl Events {
    fn answer(message: ServerJsonRpcMessage) -> Self {
        Self {
            first: Some(ServerSseMessage::from_message(message)),
            events: None,
            _in_flight: None,
        }
    }
}

impl Stream for Events {
    type Item = ServerSseMessage;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(first));
        }
        match &mut self.events {
            Some(events) => events.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// A stream of a session counted open while it lives.
struct Open<S> {
    stream: Pin<Box<S>>,
    _open: StreamOpen,
}

impl<S> Open<S> {
    fn new(table: &Arc<SessionTable>, session: &SessionId, stream: S) -> Self {
        table.stream(session, true);
        Self {
            stream: Box::pin(stream),
            _open: StreamOpen {
                table: table.clone(),
                session: session.clone(),
            },
        }
    }
}

impl<S: Stream> Stream for Open<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}
