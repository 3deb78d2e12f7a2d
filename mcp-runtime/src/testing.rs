//! Testing servers in memory: [`TestClient`] speaks real JSON-RPC to a [`Server`] over an
//! in-memory duplex, the same protocol path stdio takes, with no process and no port.
//!
//! ```
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//! use serde_json::json;
//!
//! /// Add two integers.
//! #[tool]
//! async fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = Server::builder("calc").tools(tools![add]).build().unwrap();
//! let client = TestClient::new(server).await;
//! let result = client.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
//! assert!(!result.is_error());
//! assert_eq!(result.json::<i64>().unwrap(), 5);
//! assert_eq!(result.text(), r#"{"result":5}"#);
//! # }
//! ```

use std::fmt;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[allow(deprecated)]
use rmcp::model::{
    ArgumentInfo, CallToolRequestParams, CallToolResult, ClientConfig, CompleteRequestParams,
    CompletionInfo, GetPromptRequestParams, GetPromptResult, Implementation,
    LoggingMessageNotificationParam, ProgressNotificationParam, Prompt, ReadResourceRequestParams,
    ReadResourceResult, Reference, Resource, ResourceTemplate, ResourceUpdatedNotificationParam,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RunningService, ServiceError};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Notify;

use crate::error::Error;
use crate::server::Server;

mod call;
pub use call::{CallBuilder, PendingCall};

/// An MCP client connected to a server in memory. It records every notification the server
/// sends (progress, logs, resource updates, list changes): see [`TestClient::notifications`].
pub struct TestClient {
    service: RunningService<RoleClient, Recorder>,
    server: tokio::task::JoinHandle<Result<(), Error>>,
    notifications: Arc<Inbox>,
}

/// A notification the server sent to a [`TestClient`].
#[allow(deprecated)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// `notifications/progress`.
    Progress(ProgressNotificationParam),
    /// `notifications/message` (a log message).
    #[allow(deprecated)]
    Log(LoggingMessageNotificationParam),
    /// `notifications/resources/updated`.
    ResourceUpdated(String),
    /// `notifications/resources/list_changed`.
    ResourceListChanged,
    /// `notifications/tools/list_changed`.
    ToolListChanged,
    /// `notifications/prompts/list_changed`.
    PromptListChanged,
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Notification>>,
    arrived: Notify,
}

impl Inbox {
    fn push(&self, notification: Notification) {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notification);
        self.arrived.notify_waiters();
    }

    fn snapshot(&self) -> Vec<Notification> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Answers the server's `sampling/createMessage` requests in a [`TestClient`].
#[allow(deprecated)] // Sampling is deprecated from MCP 2026-07-28 on; older versions have it.
pub type SamplingHandler = Arc<
    dyn Fn(
            rmcp::model::CreateMessageRequestParams,
        ) -> Result<rmcp::model::CreateMessageResult, rmcp::ErrorData>
        + Send
        + Sync,
>;

/// Answers the server's `elicitation/create` requests in a [`TestClient`].
pub type ElicitationHandler = Arc<
    dyn Fn(rmcp::model::ElicitRequestParams) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData>
        + Send
        + Sync,
>;

/// The test client's handler: its identity, a recorder of notifications, and the answers to
/// the server's requests.
struct Recorder {
    config: ClientConfig,
    inbox: Arc<Inbox>,
    sampling: Option<SamplingHandler>,
    elicitation: Option<ElicitationHandler>,
}

#[allow(deprecated)]
impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        self.config.clone()
    }

    async fn create_message(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
        _: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::CreateMessageResult, rmcp::ErrorData> {
        match &self.sampling {
            Some(answer) => answer(params),
            None => Err(rmcp::ErrorData::method_not_found::<
                rmcp::model::CreateMessageRequestMethod,
            >()),
        }
    }

    async fn create_elicitation(
        &self,
        params: rmcp::model::ElicitRequestParams,
        _: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        match &self.elicitation {
            Some(answer) => answer(params),
            None => Ok(rmcp::model::ElicitResult::new(
                rmcp::model::ElicitationAction::Decline,
            )),
        }
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.inbox.push(Notification::Progress(params));
    }

    #[allow(deprecated)]
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.inbox.push(Notification::Log(params));
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.inbox.push(Notification::ResourceUpdated(params.uri));
    }

    async fn on_resource_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.inbox.push(Notification::ResourceListChanged);
    }

    async fn on_tool_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.inbox.push(Notification::ToolListChanged);
    }

    async fn on_prompt_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.inbox.push(Notification::PromptListChanged);
    }
}

/// Options of a [`TestClient`]: start with [`TestClient::builder`].
#[must_use = "a builder does nothing until `.connect()`"]
pub struct TestClientBuilder {
    server: Server,
    identity: Option<crate::auth::Identity>,
    sampling: Option<SamplingHandler>,
    elicitation: Option<ElicitationHandler>,
    protocol: Option<rmcp::model::ProtocolVersion>,
}

impl TestClientBuilder {
    /// Speaks protocol `version` (by default the newest one with an `initialize` handshake).
    /// From `2026-07-28` on, the client starts with `server/discover` and sends its
    /// capabilities with every request, and the server asks it questions through
    /// `InputRequiredResult` rounds, which the client answers with the same handlers
    /// ([`on_sampling`](Self::on_sampling), [`on_elicitation`](Self::on_elicitation)): one test
    /// suite runs a tool under both protocol eras.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::TestClient;
    ///
    /// /// Asks the user's name.
    /// #[tool]
    /// async fn hello(ctx: Ctx) -> Result<String, ToolError> {
    ///     #[derive(serde::Deserialize, schemars::JsonSchema)]
    ///     struct Name {
    ///         name: String,
    ///     }
    ///     let name: Option<Name> = ctx.elicit_as("Your name?").await?;
    ///     Ok(format!("hello, {}", name.map_or("stranger".into(), |n| n.name)))
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use rmcp::model::ProtocolVersion;
    /// for version in [ProtocolVersion::V_2025_11_25, ProtocolVersion::V_2026_07_28] {
    ///     let server = Server::builder("hello").tools(tools![hello]).build().unwrap();
    ///     let client = TestClient::builder(server)
    ///         .protocol_version(version)
    ///         .on_elicitation(|_| {
    ///             Ok(rmcp::model::ElicitResult::new(rmcp::model::ElicitationAction::Accept)
    ///                 .with_content(serde_json::json!({"name": "Ada"})))
    ///         })
    ///         .connect()
    ///         .await
    ///         .unwrap();
    ///     let result = client.call_tool("hello", serde_json::json!({})).await.unwrap();
    ///     assert_eq!(result.text(), "hello, Ada");
    /// }
    /// # }
    /// ```
    pub fn protocol_version(mut self, version: rmcp::model::ProtocolVersion) -> Self {
        self.protocol = Some(version);
        self
    }

    /// Every request carries `identity` (see [`TestClient::connect_as`]).
    pub fn identity(mut self, identity: crate::auth::Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Declares the `sampling` capability and answers `sampling/createMessage` with `answer`.
    #[allow(deprecated)]
    pub fn on_sampling(
        mut self,
        answer: impl Fn(
            rmcp::model::CreateMessageRequestParams,
        ) -> Result<rmcp::model::CreateMessageResult, rmcp::ErrorData>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.sampling = Some(Arc::new(answer));
        self
    }

    /// Declares the `elicitation` capability and answers `elicitation/create` with `answer`.
    pub fn on_elicitation(
        mut self,
        answer: impl Fn(
            rmcp::model::ElicitRequestParams,
        ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.elicitation = Some(Arc::new(answer));
        self
    }

    /// Connects and completes the `initialize` handshake.
    pub async fn connect(self) -> Result<TestClient, Error> {
        let server = match &self.identity {
            Some(identity) => self.server.with_identity(identity.clone()),
            None => self.server,
        };
        let (client_io, server) = server.serve_in_memory();
        let mut config = ClientConfig::default();
        if let Some(version) = &self.protocol {
            config.protocol_version = version.clone();
        }
        config.client_info =
            Implementation::new("mcp-runtime-test-client", env!("CARGO_PKG_VERSION"));
        if self.sampling.is_some() {
            config.capabilities.sampling = Some(Default::default());
        }
        if self.elicitation.is_some() {
            config.capabilities.elicitation = Some(Default::default());
        }
        let notifications = Arc::new(Inbox::default());
        let recorder = Recorder {
            config,
            inbox: notifications.clone(),
            sampling: self.sampling,
            elicitation: self.elicitation,
        };
        let service = match self.protocol {
            Some(version) if version >= rmcp::model::ProtocolVersion::V_2026_07_28 => {
                use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
                let lifecycle = ClientLifecycleMode::Discover {
                    preferred_versions: vec![version],
                };
                recorder.serve_with_lifecycle(client_io, lifecycle).await
            }
            _ => recorder.serve(client_io).await,
        }
        .map_err(|error| Error::Initialize(error.to_string()))?;
        Ok(TestClient {
            service,
            server,
            notifications,
        })
    }
}

impl TestClient {
    /// Connects to `server` and completes the `initialize` handshake.
    ///
    /// # Panics
    /// If the handshake fails, which means the server is broken: this is test tooling, and a
    /// panic is the clearest failure in a test. Use [`TestClient::connect`] to get the error.
    pub async fn new(server: Server) -> Self {
        match Self::connect(server).await {
            Ok(client) => client,
            Err(error) => panic!("TestClient could not connect: {error}"),
        }
    }

    /// Connects to `server`, returning the error if the handshake fails.
    pub async fn connect(server: Server) -> Result<Self, Error> {
        Self::builder(server).connect().await
    }

    /// Connects to `server` as `identity`: every request carries it, as if the HTTP layer had
    /// verified a token for it, so scopes and the [`Auth`](crate::auth::Auth) extractor can be
    /// tested without HTTP.
    ///
    /// # Panics
    /// If the handshake fails (see [`TestClient::new`]).
    pub async fn connect_as(server: Server, identity: crate::auth::Identity) -> Self {
        match Self::builder(server).identity(identity).connect().await {
            Ok(client) => client,
            Err(error) => panic!("TestClient could not connect: {error}"),
        }
    }

    /// A client with options: an identity, answers to sampling and elicitation requests.
    pub fn builder(server: Server) -> TestClientBuilder {
        TestClientBuilder {
            server,
            identity: None,
            sampling: None,
            protocol: None,
            elicitation: None,
        }
    }

    /// Every notification received so far, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.notifications.snapshot()
    }

    /// Waits until a notification matching `predicate` has arrived (or `timeout` passes), and
    /// returns it.
    pub async fn wait_for_notification(
        &self,
        timeout: Duration,
        predicate: impl Fn(&Notification) -> bool,
    ) -> Option<Notification> {
        let wait = async {
            loop {
                let arrived = self.notifications.arrived.notified();
                if let Some(found) = self.notifications.snapshot().into_iter().find(&predicate) {
                    return found;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(timeout, wait).await.ok()
    }

    /// Sets the minimum level of log messages the server sends this client
    /// (`logging/setLevel`).
    #[allow(deprecated)]
    pub async fn set_log_level(&self, level: rmcp::model::LoggingLevel) -> Result<(), ClientError> {
        let params = rmcp::model::SetLevelRequestParams::new(level);
        Ok(self.service.set_level(params).await?)
    }

    /// Lists every static resource.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ClientError> {
        Ok(self.service.list_all_resources().await?)
    }

    /// Lists every resource template.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ClientError> {
        Ok(self.service.list_all_resource_templates().await?)
    }

    /// Reads a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ClientError> {
        Ok(self
            .service
            .read_resource(ReadResourceRequestParams::new(uri))
            .await?)
    }

    /// Reads a resource and returns its text contents, joined with newlines.
    pub async fn read_text(&self, uri: &str) -> Result<String, ClientError> {
        let result = self.read_resource(uri).await?;
        Ok(result
            .contents
            .iter()
            .filter_map(|contents| match contents {
                rmcp::model::ResourceContents::TextResourceContents { text, .. } => {
                    Some(text.as_str())
                }
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// Subscribes to updates of a resource.
    #[allow(deprecated)]
    pub async fn subscribe(&self, uri: &str) -> Result<(), ClientError> {
        Ok(self
            .service
            .subscribe(SubscribeRequestParams::new(uri))
            .await?)
    }

    /// Unsubscribes from updates of a resource.
    #[allow(deprecated)]
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), ClientError> {
        Ok(self
            .service
            .unsubscribe(UnsubscribeRequestParams::new(uri))
            .await?)
    }

    /// Lists every prompt.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, ClientError> {
        Ok(self.service.list_all_prompts().await?)
    }

    /// Gets a prompt. `arguments` must be a JSON object (or `null` for none).
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: Value,
    ) -> Result<GetPromptResult, ClientError> {
        let mut params = GetPromptRequestParams::new(name);
        match arguments {
            Value::Object(map) => params = params.with_arguments(map),
            Value::Null => {}
            other => {
                return Err(ClientError::Arguments(format!(
                    "prompt arguments must be a JSON object, not `{other}`"
                )));
            }
        }
        Ok(self.service.get_prompt(params).await?)
    }

    /// Completes a prompt argument.
    pub async fn complete_prompt(
        &self,
        prompt: &str,
        argument: &str,
        value: &str,
    ) -> Result<CompletionInfo, ClientError> {
        self.complete(Reference::for_prompt(prompt), argument, value)
            .await
    }

    /// Completes a resource-template variable.
    pub async fn complete_resource(
        &self,
        template: &str,
        variable: &str,
        value: &str,
    ) -> Result<CompletionInfo, ClientError> {
        self.complete(Reference::for_resource(template), variable, value)
            .await
    }

    async fn complete(
        &self,
        reference: Reference,
        argument: &str,
        value: &str,
    ) -> Result<CompletionInfo, ClientError> {
        let params = CompleteRequestParams::new(reference, ArgumentInfo::new(argument, value));
        Ok(self.service.complete(params).await?.completion)
    }

    /// The server's `initialize` response: name, version, capabilities, instructions.
    pub fn server_info(&self) -> Option<std::sync::Arc<rmcp::model::ServerPeerInfo>> {
        self.service.peer_info()
    }

    /// Lists every tool (all pages).
    pub async fn list_tools(&self) -> Result<Vec<Tool>, ClientError> {
        Ok(self.service.list_all_tools().await?)
    }

    /// Calls a tool. `arguments` must be a JSON object (or `null` for none).
    ///
    /// A tool that fails returns `Ok` with [`ToolResult::is_error`] set; `Err` is a
    /// protocol error, such as an unknown tool (`-32602`).
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<ToolResult, ClientError> {
        let mut params = CallToolRequestParams::new(name.to_owned());
        match arguments {
            Value::Object(map) => params = params.with_arguments(map),
            Value::Null => {}
            other => {
                return Err(ClientError::Arguments(format!(
                    "tool arguments must be a JSON object, not `{other}`"
                )));
            }
        }
        Ok(ToolResult(self.service.call_tool(params).await?))
    }

    /// A tool call with options: `_meta` ([`CallBuilder::meta`]), a timeout
    /// ([`CallBuilder::timeout`]), and cancellation while it runs ([`CallBuilder::start`] then
    /// [`PendingCall::cancel`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::testing::{ClientError, TestClient};
    /// use serde_json::json;
    ///
    /// /// Waits until it is cancelled; says whether it was.
    /// #[tool]
    /// async fn wait(ctx: Ctx) -> bool {
    ///     ctx.cancellation_token().cancelled().await;
    ///     true
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = Server::builder("s").tools(tools![wait]).build().unwrap();
    /// let client = TestClient::new(server).await;
    /// let call = client
    ///     .call_tool_with("wait", json!({}))
    ///     .meta(json!({"traceId": "t-1"}))
    ///     .start()
    ///     .await
    ///     .unwrap();
    /// call.cancel().await.unwrap();
    /// assert!(matches!(call.await, Err(ClientError::Cancelled { .. })));
    ///
    /// let late = client
    ///     .call_tool_with("wait", json!({}))
    ///     .timeout(Duration::from_millis(50))
    ///     .send()
    ///     .await;
    /// assert!(matches!(late, Err(ClientError::Timeout(_))));
    /// # }
    /// ```
    pub fn call_tool_with(&self, name: &str, arguments: Value) -> CallBuilder<'_> {
        CallBuilder::new(self, name, arguments)
    }

    /// The underlying rmcp client, for requests this type has no helper for.
    pub fn peer(&self) -> &rmcp::Peer<RoleClient> {
        self.service.peer()
    }

    /// Closes the connection and waits for the server to stop.
    pub async fn close(self) -> Result<(), Error> {
        self.service
            .cancel()
            .await
            .map_err(|error| Error::Session(error.to_string()))?;
        self.server
            .await
            .map_err(|error| Error::Session(error.to_string()))?
    }
}

impl fmt::Debug for TestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestClient").finish_non_exhaustive()
    }
}

/// A protocol-level failure of a [`TestClient`] request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("JSON-RPC error {}: {}", .0.code.0, .0.message)]
    Rpc(rmcp::ErrorData),
    /// The connection failed.
    #[error(transparent)]
    Service(ServiceError),
    /// The arguments (or the `_meta`) were not a JSON object.
    #[error("{0}")]
    Arguments(String),
    /// The request was cancelled ([`PendingCall::cancel`]) before its answer arrived.
    #[error("the request was cancelled{}", .reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Cancelled {
        /// The reason sent with `notifications/cancelled`.
        reason: Option<String>,
    },
    /// No answer within the call's timeout ([`CallBuilder::timeout`]); the client cancelled
    /// the request.
    #[error("no answer within {}; the request was cancelled", crate::error::format_duration(*.0))]
    Timeout(Duration),
}

impl ClientError {
    /// The JSON-RPC error code, if the server answered with an error.
    pub fn code(&self) -> Option<i32> {
        match self {
            ClientError::Rpc(error) => Some(error.code.0),
            _ => None,
        }
    }

    /// The JSON-RPC error message, if the server answered with an error.
    pub fn message(&self) -> Option<&str> {
        match self {
            ClientError::Rpc(error) => Some(&error.message),
            _ => None,
        }
    }
}

impl From<ServiceError> for ClientError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::McpError(error) => ClientError::Rpc(error),
            ServiceError::Cancelled { reason } => ClientError::Cancelled { reason },
            ServiceError::Timeout { timeout } => ClientError::Timeout(timeout),
            other => ClientError::Service(other),
        }
    }
}

/// The result of a tool call, with helpers to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult(pub CallToolResult);

impl ToolResult {
    /// Whether the tool reported an error (`isError: true`).
    pub fn is_error(&self) -> bool {
        self.0.is_error == Some(true)
    }

    /// The text content blocks, joined with newlines.
    pub fn text(&self) -> String {
        self.0
            .content
            .iter()
            .filter_map(|block| block.as_text())
            .map(|text| text.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The structured content, if any.
    pub fn structured(&self) -> Option<&Value> {
        self.0.structured_content.as_ref()
    }

    /// The structured content as `T`. A scalar result wrapped as `{"result": …}` is unwrapped
    /// when `T` does not match the wrapper itself.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        let Some(value) = self.structured() else {
            return serde_json::from_str(&self.text());
        };
        serde_json::from_value::<T>(value.clone()).or_else(|error| match value {
            Value::Object(map) if map.len() == 1 && map.contains_key("result") => {
                serde_json::from_value(map["result"].clone())
            }
            _ => Err(error),
        })
    }

    /// The raw result.
    pub fn into_inner(self) -> CallToolResult {
        self.0
    }
}
