//! What travels with a request: [`RequestCx`], and the injected parameters built from it
//! ([`Ctx`], [`State`]) through the [`FromRequestCx`] extractor trait.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rmcp::model::{Implementation, ProgressNotificationParam, ProgressToken, RequestId};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};
use tokio_util::sync::CancellationToken;

use crate::error::ToolError;

/// Everything the server knows about one request while it runs: the rmcp request context
/// (id, cancellation, peer, `_meta`), the server's shared state, and the component being called.
///
/// Extractors ([`FromRequestCx`]) read from it; user code normally sees it only through them.
pub struct RequestCx {
    pub(crate) request: Arc<RequestContext<RoleServer>>,
    #[allow(deprecated)]
    pub(crate) log_level: Option<rmcp::model::LoggingLevel>,
    /// The server handling the request (a `Server`, mount-aware): carried without naming its
    /// type, so this module does not depend on `server/`, which builds every `RequestCx`.
    /// `RequestCx::server()` and the `Server` extractor live in `server/`.
    pub(crate) server: Arc<dyn Any + Send + Sync>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) component: Arc<str>,
    pub(crate) output: OutputMode,
}

impl RequestCx {
    /// The name of the component being called.
    pub fn component(&self) -> &str {
        &self.component
    }

    /// The rmcp request context: id, cancellation token, `_meta`, extensions and peer.
    pub fn request(&self) -> &RequestContext<RoleServer> {
        &self.request
    }

    pub(crate) fn mask_internal_errors(&self) -> bool {
        self.shared.mask_internal_errors
    }
}

impl fmt::Debug for RequestCx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestCx")
            .field("id", &self.request.id)
            .field("component", &self.component)
            .finish_non_exhaustive()
    }
}

/// A parameter that the runtime injects, rather than an argument the client sends.
///
/// Implemented by [`Ctx`] and [`State<T>`]; implement it for your own types to inject them into
/// tools. Injected parameters never appear in a tool's input schema. A type is injected because
/// it implements this trait, never because of how its name is spelled, so renaming an import
/// changes nothing.
///
/// ```
/// use mcp_runtime::{FromRequestCx, RequestCx, ToolError};
///
/// /// The name of the tool being called.
/// struct ToolName(String);
///
/// impl FromRequestCx for ToolName {
///     fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
///         Ok(ToolName(cx.component().to_owned()))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be injected into a tool",
    label = "not an injected parameter",
    note = "injected parameters implement `mcp_runtime::FromRequestCx` (like `Ctx` and `State<T>`)"
)]
pub trait FromRequestCx: Sized + Send + 'static {
    /// Builds the parameter for one call.
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError>;

    /// Declares what the parameter needs from the server (for instance a state type), so that
    /// `build()` can refuse a server that could not satisfy it.
    fn requirements(requirements: &mut Requirements) {
        let _ = requirements;
    }
}

/// The request's context, for tools that need more than their arguments: request id,
/// cancellation, progress notifications and the client's identity.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Counts to `n`, reporting progress.
/// #[tool]
/// async fn count(ctx: Ctx, n: u32) -> u32 {
///     for i in 0..n {
///         if ctx.is_cancelled() {
///             break;
///         }
///         ctx.progress(f64::from(i + 1), Some(f64::from(n))).await;
///     }
///     n
/// }
/// ```
#[derive(Clone)]
pub struct Ctx {
    request: Arc<RequestContext<RoleServer>>,
    #[allow(deprecated)]
    log_level: Option<rmcp::model::LoggingLevel>,
    component: Arc<str>,
}

#[allow(deprecated)] // MCP logging is gone from 2026-07-28 on; older versions still have it.
impl Ctx {
    /// The JSON-RPC id of this request.
    pub fn request_id(&self) -> &RequestId {
        &self.request.id
    }

    /// Fires when the client cancels this request (or the session ends).
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.request.ct
    }

    /// Whether the client has cancelled this request.
    pub fn is_cancelled(&self) -> bool {
        self.request.ct.is_cancelled()
    }

    /// The request's `_meta` object, as the client sent it: its own keys (a trace id, a
    /// tenant, …) beside the reserved ones (`progressToken`, and on 2026-07-28 the
    /// `io.modelcontextprotocol/…` client context). Empty when the client sent none.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    ///
    /// /// Which trace the caller is in.
    /// #[tool]
    /// async fn trace(ctx: Ctx) -> Option<String> {
    ///     ctx.meta().get("traceId").and_then(|id| id.as_str()).map(str::to_owned)
    /// }
    /// ```
    pub fn meta(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.request.meta.0.0
    }

    /// The progress token the client sent with this request, if any.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.request.meta.get_progress_token()
    }

    /// Sends a progress notification, if the client asked for progress (sent a progress
    /// token). Returns whether a notification was sent; a closed connection is not an error
    /// for the tool.
    pub async fn progress(&self, progress: f64, total: Option<f64>) -> bool {
        self.send_progress(progress, total, None).await
    }

    /// Like [`progress`](Self::progress), with a message for the user.
    pub async fn progress_with_message(
        &self,
        progress: f64,
        total: Option<f64>,
        message: impl Into<String>,
    ) -> bool {
        self.send_progress(progress, total, Some(message.into()))
            .await
    }

    async fn send_progress(
        &self,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> bool {
        let Some(progress_token) = self.progress_token() else {
            return false;
        };
        let mut params = ProgressNotificationParam::new(progress_token, progress);
        params.total = total;
        params.message = message;
        self.request.peer.notify_progress(params).await.is_ok()
    }

    /// Ends this request's response stream now, before the result is ready, telling the
    /// client to reconnect after `retry` (streamable HTTP with sessions; SEP-1699). The client
    /// reconnects with `Last-Event-ID` and gets what the tool sends afterwards, the result
    /// included, on the new stream. Returns whether a stream was closed: `false` on stdio, in
    /// stateless mode and in memory, where there is none and the tool simply goes on.
    ///
    /// The session forgets a request once its result is sent: keep working (or wait) for longer
    /// than `retry` after closing, since a result sent before the client is back is lost.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::prelude::*;
    ///
    /// /// A long job: the client polls instead of holding a connection open.
    /// #[tool]
    /// async fn long_job(ctx: Ctx) -> String {
    ///     ctx.close_sse_stream(Duration::from_millis(100)).await;
    ///     tokio::time::sleep(Duration::from_millis(500)).await;
    ///     "done".to_owned()
    /// }
    /// ```
    pub async fn close_sse_stream(&self, retry: std::time::Duration) -> bool {
        match self.request.extensions.get::<ResponseStream>() {
            Some(stream) => stream.0.close(retry).await,
            None => false,
        }
    }

    /// The client's name and version, from its `initialize` request (or the request's `_meta`
    /// on stateless protocol versions).
    pub fn client_info(&self) -> Option<Implementation> {
        self.request.client_info()
    }

    /// The peer, to send other requests and notifications to the client.
    pub fn peer(&self) -> &Peer<RoleServer> {
        &self.request.peer
    }

    /// Sends a `debug` message to the client (`notifications/message`), if its protocol
    /// version has logging and its level (`logging/setLevel`) lets it through. Returns whether
    /// it was sent. The message is also a `tracing` event in the server's own logs.
    pub async fn debug(&self, message: impl Into<String>) -> bool {
        let message = message.into();
        tracing::debug!(component = &*self.component, "{message}");
        self.log(rmcp::model::LoggingLevel::Debug, message).await
    }

    /// Sends an `info` message to the client; see [`debug`](Self::debug).
    pub async fn info(&self, message: impl Into<String>) -> bool {
        let message = message.into();
        tracing::info!(component = &*self.component, "{message}");
        self.log(rmcp::model::LoggingLevel::Info, message).await
    }

    /// Sends a `warning` message to the client; see [`debug`](Self::debug).
    pub async fn warning(&self, message: impl Into<String>) -> bool {
        let message = message.into();
        tracing::warn!(component = &*self.component, "{message}");
        self.log(rmcp::model::LoggingLevel::Warning, message).await
    }

    /// Sends an `error` message to the client; see [`debug`](Self::debug).
    pub async fn error(&self, message: impl Into<String>) -> bool {
        let message = message.into();
        tracing::error!(component = &*self.component, "{message}");
        self.log(rmcp::model::LoggingLevel::Error, message).await
    }

    /// Asks the client's model to answer `prompt` (a `sampling/createMessage` request with one
    /// user message), and returns the text of its reply. Fails with a clear error when the
    /// client did not declare the `sampling` capability, or refused.
    ///
    /// On protocol 2026-07-28 and later the question goes out in the call's result (an
    /// `InputRequiredResult`), and the tool **runs again from the start** with the answer when
    /// the client sends the call again: do side effects after the questions. See "Asking the
    /// client" in the README.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    ///
    /// /// Summarizes a text with the client's model.
    /// #[tool]
    /// async fn summarize(ctx: Ctx, text: String) -> Result<String, ToolError> {
    ///     ctx.sample(format!("Summarize in one line: {text}"), 100).await
    /// }
    /// ```
    pub async fn sample(
        &self,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Result<String, ToolError> {
        let message = rmcp::model::SamplingMessage::user_text(prompt.into());
        let params = rmcp::model::CreateMessageRequestParams::new(vec![message], max_tokens);
        let result = self.create_message(params).await?;
        let text = result
            .message
            .content
            .iter()
            .filter_map(|block| block.as_text().map(|text| text.text.as_str()))
            .collect::<Vec<_>>()
            .join("\n");
        Ok(text)
    }

    /// Sends a full `sampling/createMessage` request (messages, system prompt, model
    /// preferences, …) to the client and returns its answer.
    pub async fn create_message(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
    ) -> Result<rmcp::model::CreateMessageResult, ToolError> {
        self.require_capability("sampling", |c| c.sampling.is_some())?;
        if let Some(questions) = self.task_questions() {
            let request = rmcp::model::CreateMessageRequest::new(params);
            let answer = questions
                .ask(rmcp::model::InputRequest::CreateMessage(request))
                .await?;
            return serde_json::from_value(answer).map_err(|error| {
                ToolError::new(format!(
                    "the client's answer is not a sampling result: {error}"
                ))
            });
        }
        if let Some(rounds) = self.rounds() {
            let request = rmcp::model::CreateMessageRequest::new(params);
            let answer = ask(rounds, rmcp::model::InputRequest::CreateMessage(request))?;
            return serde_json::from_value(answer).map_err(|error| {
                ToolError::new(format!(
                    "the client's answer is not a sampling result: {error}"
                ))
            });
        }
        self.request
            .peer
            .create_message(params)
            .await
            .map_err(|error| ToolError::new(format!("sampling failed: {error}")))
    }

    /// Asks the user for input through the client (`elicitation/create`, form mode):
    /// `message` says what is needed and `schema` is a flat JSON object schema of primitive
    /// properties (strings, numbers, booleans, enums), with optional defaults.
    ///
    /// On protocol 2026-07-28 and later the question goes out in the call's result (an
    /// `InputRequiredResult`), and the tool **runs again from the start** with the answer when
    /// the client sends the call again: do side effects after the questions. See "Asking the
    /// client" in the README.
    ///
    /// ```
    /// use mcp_runtime::prelude::*;
    /// use mcp_runtime::context::ElicitAction;
    ///
    /// /// Books a table, asking for the party size.
    /// #[tool]
    /// async fn book(ctx: Ctx) -> Result<String, ToolError> {
    ///     let answer = ctx
    ///         .elicit(
    ///             "How many people?",
    ///             serde_json::json!({
    ///                 "type": "object",
    ///                 "properties": { "people": { "type": "integer", "minimum": 1, "default": 2 } },
    ///                 "required": ["people"]
    ///             }),
    ///         )
    ///         .await?;
    ///     Ok(match answer.action {
    ///         ElicitAction::Accept => format!("booked: {}", answer.content.unwrap_or_default()),
    ///         _ => "not booked".to_owned(),
    ///     })
    /// }
    /// ```
    pub async fn elicit(
        &self,
        message: impl Into<String>,
        schema: serde_json::Value,
    ) -> Result<Elicitation, ToolError> {
        let schema: rmcp::model::ElicitationSchema =
            serde_json::from_value(schema).map_err(|error| {
                ToolError::new(format!("the elicitation schema is not valid: {error}"))
            })?;
        self.elicit_schema(message.into(), schema).await
    }

    /// Asks the user for a `T` (its schema generated from the type), and returns it when the
    /// user accepted, `None` when they declined or cancelled.
    pub async fn elicit_as<T>(&self, message: impl Into<String>) -> Result<Option<T>, ToolError>
    where
        T: schemars::JsonSchema + serde::de::DeserializeOwned,
    {
        let schema = rmcp::model::ElicitationSchema::from_type::<T>().map_err(|error| {
            ToolError::new(format!("the elicitation schema is not valid: {error}"))
        })?;
        let answer = self.elicit_schema(message.into(), schema).await?;
        match (answer.action, answer.content) {
            (ElicitAction::Accept, Some(content)) => {
                serde_json::from_value(content).map(Some).map_err(|error| {
                    ToolError::new(format!("the user's answer does not fit: {error}"))
                })
            }
            (ElicitAction::Accept, None) => {
                Err(ToolError::new("the user accepted but sent nothing"))
            }
            _ => Ok(None),
        }
    }

    async fn elicit_schema(
        &self,
        message: String,
        requested_schema: rmcp::model::ElicitationSchema,
    ) -> Result<Elicitation, ToolError> {
        self.require_capability("elicitation", |c| c.elicitation.is_some())?;
        let params = rmcp::model::ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema,
        };
        let request = rmcp::model::ElicitRequest::new(params);
        let task_answer = match self.task_questions() {
            Some(questions) => Some(
                questions
                    .ask(rmcp::model::InputRequest::Elicitation(request.clone()))
                    .await?,
            ),
            None => None,
        };
        let round_answer = match (&task_answer, self.rounds()) {
            (None, Some(rounds)) => Some(ask(
                rounds,
                rmcp::model::InputRequest::Elicitation(request.clone()),
            )?),
            _ => None,
        };
        if let Some(answer) = task_answer.or(round_answer) {
            let result: rmcp::model::ElicitResult =
                serde_json::from_value(answer).map_err(|error| {
                    ToolError::new(format!(
                        "the client's answer is not an elicitation result: {error}"
                    ))
                })?;
            return Ok(Elicitation {
                action: result.action,
                content: result.content,
            });
        }
        // The request itself rather than rmcp's `create_elicitation`, which needs its
        // `elicitation` feature (and with it `url`, idna and ICU) for nothing used here.
        let request = rmcp::model::ServerRequest::ElicitRequest(request);
        let result = match self.request.peer.send_request(request).await {
            Ok(rmcp::model::ClientResult::ElicitResult(result)) => result,
            Ok(_) => return Err(ToolError::new("elicitation failed: unexpected response")),
            Err(error) => return Err(ToolError::new(format!("elicitation failed: {error}"))),
        };
        Ok(Elicitation {
            action: result.action,
            content: result.content,
        })
    }

    /// Fails when the client did not declare the capability `name`: in the request's own
    /// `_meta` (`io.modelcontextprotocol/clientCapabilities`, which protocol 2026-07-28
    /// requests carry), else in its `initialize`. A client whose capabilities are unknown is
    /// given the benefit of the doubt.
    ///
    /// On stateless HTTP there is no channel to send the client a request on (its answer would
    /// reach no session), and rmcp hands the handler a stand-in peer (its own crate as the
    /// client, nothing declared): that is refused with what is missing, at once, rather than
    /// waiting for an answer that cannot come.
    fn require_capability(
        &self,
        name: &str,
        declared: impl Fn(&rmcp::model::ClientCapabilities) -> bool,
    ) -> Result<(), ToolError> {
        let peer = self.request.peer.peer_info();
        // Asked across rounds or in a task, the question travels in a result: no channel is
        // needed.
        let stand_in = self.rounds().is_none()
            && self.task_questions().is_none()
            && peer.as_ref().is_some_and(|info| {
                info.meta.is_none()
                    && info.client_info == rmcp::model::Implementation::default()
                    && info.capabilities == rmcp::model::ClientCapabilities::default()
            });
        if stand_in {
            return Err(ToolError::new(format!(
                "cannot ask the client for {name}: on stateless HTTP the server has no channel \
                 to send the client a request before protocol 2026-07-28 (serve with sessions \
                 for tools that ask such clients)"
            )));
        }
        let capabilities = (self.request.meta.client_capabilities())
            .or_else(|| peer.map(|info| info.capabilities.clone()));
        match capabilities {
            Some(capabilities) if !declared(&capabilities) => Err(ToolError::new(format!(
                "the client does not support {name} (it did not declare the `{name}` capability)"
            ))),
            _ => Ok(()),
        }
    }

    /// This request's rounds, when questions to the client travel in its result (protocol
    /// 2026-07-28 and later): see [`crate::rounds`].
    fn rounds(&self) -> Option<&crate::rounds::Rounds> {
        self.request
            .extensions
            .get::<Arc<crate::rounds::Rounds>>()
            .map(|rounds| &**rounds)
    }

    /// This request's open questions, when it runs as a task: answered by `tasks/update`.
    fn task_questions(&self) -> Option<&crate::tasks::runtime::Questions> {
        self.request
            .extensions
            .get::<Arc<crate::tasks::runtime::Questions>>()
            .map(|questions| &**questions)
    }

    #[allow(deprecated)]
    async fn log(&self, level: rmcp::model::LoggingLevel, message: String) -> bool {
        crate::logging::send(
            &self.request,
            self.log_level,
            level,
            &self.component,
            message,
        )
        .await
    }
}

/// The answer an earlier round gave to this question, or the error that stops the run here
/// (the question goes to the client with this round's result).
fn ask(
    rounds: &crate::rounds::Rounds,
    request: rmcp::model::InputRequest,
) -> Result<serde_json::Value, ToolError> {
    use crate::rounds::Unanswered;
    rounds.ask(request).map_err(|unanswered| match unanswered {
        Unanswered::Pending => ToolError::input_required(),
        Unanswered::Changed(key) => ToolError::new(format!(
            "on this round the tool asked a different question ({key}) than the one the client \
             answered: the questions a tool asks must depend only on its arguments and the \
             earlier answers"
        )),
    })
}

/// What the user chose in answer to [`Ctx::elicit`].
pub use rmcp::model::ElicitationAction as ElicitAction;

/// The user's answer to [`Ctx::elicit`]: accepted (with the content), declined or cancelled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Elicitation {
    /// Accept, decline or cancel.
    pub action: ElicitAction,
    /// The values entered, when accepted.
    pub content: Option<serde_json::Value>,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("request_id", &self.request.id)
            .finish_non_exhaustive()
    }
}

impl FromRequestCx for Ctx {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(Ctx {
            request: cx.request.clone(),
            log_level: cx.log_level,
            component: cx.component.clone(),
        })
    }
}

/// Shared state given to the builder with [`ServerBuilder::state`](crate::ServerBuilder::state),
/// injected into every tool that takes `State<T>`.
///
/// `build()` fails, naming the tool, if a tool takes `State<T>` and no `T` was given.
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// struct Greeting(String);
///
/// /// Greets someone.
/// #[tool]
/// async fn greet(greeting: State<Greeting>, name: String) -> String {
///     format!("{}, {name}!", greeting.0)
/// }
///
/// let server = Server::builder("greeter")
///     .state(Greeting("Hello".into()))
///     .tools(tools![greet])
///     .build()
///     .unwrap();
/// # let _ = server;
/// ```
pub struct State<T: ?Sized>(Arc<T>);

impl<T: ?Sized> State<T> {
    /// The shared `Arc`, to keep the state beyond the call.
    pub fn into_arc(self) -> Arc<T> {
        self.0
    }
}

impl<T: ?Sized> Deref for State<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for State<T> {
    fn clone(&self) -> Self {
        State(self.0.clone())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("State").field(&&*self.0).finish()
    }
}

impl<T: Send + Sync + 'static> FromRequestCx for State<T> {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        cx.shared.state.get::<T>().map(State).ok_or_else(|| {
            // `build()` checks requirements, so this is reachable only through a hand-built
            // extractor that skipped `requirements`.
            ToolError::internal(format!(
                "no state of type `{}` was given to the server builder",
                std::any::type_name::<T>()
            ))
        })
    }

    fn requirements(requirements: &mut Requirements) {
        requirements.state::<T>();
    }
}

/// What injected parameters need from the server, checked by `build()`.
#[derive(Debug, Default, Clone)]
pub struct Requirements {
    pub(crate) states: Vec<(TypeId, &'static str)>,
}

impl Requirements {
    /// Requires shared state of type `T` on the builder.
    pub fn state<T: Send + Sync + 'static>(&mut self) {
        self.states
            .push((TypeId::of::<T>(), std::any::type_name::<T>()));
    }
}

/// How a tool's structured value is returned; decided once, from its output schema.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    /// Not a structured value (content, `CallToolResult`, `()`).
    #[default]
    Unstructured,
    /// A plain string: returned as text only.
    Text,
    /// An object: structured content as-is, plus a text copy.
    Object,
    /// Anything else: structured content `{"result": value}`, plus a text copy.
    Wrapped,
}

/// The response stream of one request, which [`Ctx::close_sse_stream`] ends: a transport that
/// has one (streamable HTTP with sessions) puts it in the request's extensions.
#[derive(Clone)]
pub(crate) struct ResponseStream(pub(crate) Arc<dyn CloseStream>);

/// A transport's response stream that can be ended early, telling the client to reconnect.
pub(crate) trait CloseStream: Send + Sync {
    /// Ends the stream after an event telling the client to reconnect after `retry`; whether
    /// it was open.
    fn close(&self, retry: std::time::Duration) -> crate::util::BoxFuture<'_, bool>;
}

/// What every request of a server (or of a mounted server's components) shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) state: StateMap,
    pub(crate) mask_internal_errors: bool,
    /// The default limit of the server's tool calls, when its builder (or settings) chose
    /// one; a mounted server that did not takes its parent's.
    pub(crate) default_timeout: Option<crate::config::TimeLimit>,
    /// Whether the builder set masking itself (a mounted server that did not takes its
    /// parent's).
    pub(crate) mask_set: bool,
}

/// The server's shared state values, one per type. A value given to the builder is set at
/// once; one promised by a startup hook is a slot filled when the server starts.
#[derive(Default, Clone)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Arc<std::sync::OnceLock<Arc<dyn Any + Send + Sync>>>>,
}

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let slot = std::sync::OnceLock::new();
        let _ = slot.set(Arc::new(value) as Arc<dyn Any + Send + Sync>);
        self.values.insert(TypeId::of::<T>(), Arc::new(slot));
    }

    /// Reserves a slot for a value a startup hook will produce.
    pub(crate) fn promise<T: Send + Sync + 'static>(&mut self) {
        self.values.entry(TypeId::of::<T>()).or_default();
    }

    /// Fills a promised slot (a value the builder already had stays).
    pub(crate) fn fill(&self, type_id: TypeId, value: Arc<dyn Any + Send + Sync>) {
        if let Some(slot) = self.values.get(&type_id) {
            let _ = slot.set(value);
        }
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|slot| slot.get())
            .cloned()
            .and_then(|value| value.downcast::<T>().ok())
    }

    /// This map over `below`: a type this map has comes from here, any other from `below`.
    /// The slots are shared, so values startup hooks fill later show through.
    pub(crate) fn layered_over(&self, below: &StateMap) -> StateMap {
        let mut values = below.values.clone();
        values.extend(self.values.iter().map(|(k, v)| (*k, v.clone())));
        StateMap { values }
    }

    pub(crate) fn contains(&self, type_id: TypeId) -> bool {
        self.values.contains_key(&type_id)
    }
}
