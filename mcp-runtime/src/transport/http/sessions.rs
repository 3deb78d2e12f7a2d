//! The HTTP transport's sessions: rmcp's in-memory session manager, with each request's
//! response stream reachable from its handler, so that
//! [`Ctx::close_sse_stream`](crate::Ctx::close_sse_stream) can end it before the result is
//! ready (SEP-1699: the client
//! reconnects with `Last-Event-ID` and receives the rest on the new stream).

use std::time::Duration;

use futures::Stream;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionHandle, LocalSessionManager, LocalSessionManagerError,
};
use rmcp::transport::streamable_http_server::session::{
    RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

/// [`LocalSessionManager`], whose requests carry their [`ResponseStream`] in their extensions.
#[derive(Debug, Default)]
pub(crate) struct Sessions(LocalSessionManager);

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
        self.0.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.0.initialize_session(id, message).await
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.0.has_session(id).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.0.close_session(id).await
    }

    /// What [`LocalSessionManager::create_stream`] does, with the request's stream added to its
    /// extensions before the session sees it.
    async fn create_stream(
        &self,
        id: &SessionId,
        mut message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        let session = self
            .0
            .sessions
            .read()
            .await
            .get(id)
            .cloned()
            .ok_or_else(|| LocalSessionManagerError::SessionNotFound(id.clone()))?;
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
        let mut events = receiver.inner;
        Ok(futures::stream::poll_fn(move |cx| events.poll_recv(cx)))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.0.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.0.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error> {
        self.0.resume(id, last_event_id).await
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.0.restore_session(id).await
    }

    fn event_store(
        &self,
    ) -> Option<std::sync::Arc<dyn rmcp::transport::streamable_http_server::session::EventStore>>
    {
        self.0.event_store()
    }
}
