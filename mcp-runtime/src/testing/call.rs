//! One tool call with options: `_meta`, a timeout, and cancellation while it runs
//! ([`TestClient::call_tool_with`]).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use rmcp::RoleClient;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CancelledNotification, CancelledNotificationParam,
    ClientRequest, MetaObject, RequestId, RequestMetaObject, ServerResult,
};
use rmcp::service::{PeerRequestOptions, RequestHandle, ServiceError};
use serde_json::{Map, Value};

use super::{ClientError, TestClient, ToolResult};

/// A tool call being prepared: made by [`TestClient::call_tool_with`], sent by
/// [`send`](Self::send) (wait for the result) or [`start`](Self::start) (get a
/// [`PendingCall`] to cancel or await).
#[must_use = "a call is sent by `.send()` or `.start()`"]
pub struct CallBuilder<'a> {
    client: &'a TestClient,
    params: Result<CallToolRequestParams, ClientError>,
    meta: Map<String, Value>,
    timeout: Option<Duration>,
}

impl<'a> CallBuilder<'a> {
    pub(super) fn new(client: &'a TestClient, name: &str, arguments: Value) -> Self {
        let params = CallToolRequestParams::new(name.to_owned());
        let params = match arguments {
            Value::Object(map) => Ok(params.with_arguments(map)),
            Value::Null => Ok(params),
            other => Err(ClientError::Arguments(format!(
                "tool arguments must be a JSON object, not `{other}`"
            ))),
        };
        Self {
            client,
            params,
            meta: Map::new(),
            timeout: None,
        }
    }

    /// Adds keys to the request's `_meta` (a JSON object: a `serde_json::Map` or a
    /// `json!({…})` object); tools read them with [`Ctx::meta`](crate::Ctx::meta). Called
    /// again, it adds more keys. Anything but an object fails the call with
    /// [`ClientError::Arguments`].
    pub fn meta(mut self, meta: impl Into<Value>) -> Self {
        match meta.into() {
            Value::Object(map) => self.meta.extend(map),
            other => {
                self.params = Err(ClientError::Arguments(format!(
                    "`_meta` must be a JSON object, not `{other}`"
                )));
            }
        }
        self
    }

    /// Gives up waiting after `timeout`: the client then sends `notifications/cancelled` for
    /// the call (so the tool's [`Ctx::cancellation_token`](crate::Ctx::cancellation_token)
    /// fires) and the call fails with [`ClientError::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the call and waits for its result.
    ///
    /// As with [`TestClient::call_tool`], a tool that fails returns `Ok` with
    /// [`ToolResult::is_error`] set; `Err` is a protocol error, a timeout or a cancellation.
    pub async fn send(self) -> Result<ToolResult, ClientError> {
        self.start().await?.result().await
    }

    /// Sends the call and returns at once, with a [`PendingCall`] to cancel or to await.
    pub async fn start(self) -> Result<PendingCall, ClientError> {
        let params = self.params?;
        let mut options = PeerRequestOptions::no_options();
        options.timeout = self.timeout;
        if !self.meta.is_empty() {
            options = options.with_meta(RequestMetaObject(MetaObject(self.meta)));
        }
        let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let handle = self
            .client
            .peer()
            .send_request_with_option(request, options)
            .await?;
        Ok(PendingCall { handle })
    }
}

impl fmt::Debug for CallBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallBuilder")
            .field("meta", &self.meta)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A tool call that was sent and has not been answered yet: [`cancel`](Self::cancel) it, or
/// await it ([`result`](Self::result), or `.await` on the value itself).
pub struct PendingCall {
    handle: RequestHandle<RoleClient>,
}

impl PendingCall {
    /// The JSON-RPC id of the call.
    pub fn request_id(&self) -> &RequestId {
        &self.handle.id
    }

    /// Cancels the call: sends `notifications/cancelled` with its request id, which fires the
    /// tool's [`Ctx::cancellation_token`](crate::Ctx::cancellation_token). Awaiting the call
    /// afterwards gives [`ClientError::Cancelled`] (or the result, if it arrived first); the
    /// server sends no response to a cancelled request.
    pub async fn cancel(&self) -> Result<(), ClientError> {
        self.cancel_with_reason("cancelled by the test client")
            .await
    }

    /// [`cancel`](Self::cancel), with the reason the notification carries.
    pub async fn cancel_with_reason(&self, reason: impl Into<String>) -> Result<(), ClientError> {
        let params =
            CancelledNotificationParam::new(Some(self.handle.id.clone()), Some(reason.into()));
        self.handle
            .peer
            .send_notification(CancelledNotification::new(params).into())
            .await?;
        Ok(())
    }

    /// Waits for the call's outcome: its result, [`ClientError::Cancelled`] after
    /// [`cancel`](Self::cancel), [`ClientError::Timeout`] after the builder's timeout.
    pub async fn result(self) -> Result<ToolResult, ClientError> {
        match self.handle.await_response().await? {
            ServerResult::CallToolResult(result) => Ok(ToolResult(result)),
            other => {
                tracing::debug!(?other, "tools/call answered with another kind of result");
                Err(ClientError::Service(ServiceError::UnexpectedResponse))
            }
        }
    }
}

impl IntoFuture for PendingCall {
    type Output = Result<ToolResult, ClientError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.result())
    }
}

impl fmt::Debug for PendingCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingCall")
            .field("request_id", &self.handle.id)
            .finish_non_exhaustive()
    }
}
