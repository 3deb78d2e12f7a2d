//! The thin `rmcp::ServerHandler` adapter: each MCP method becomes a pipeline request.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    ContentBlock, GetPromptRequestParams, GetPromptResponse, InitializeRequestParams,
    InitializeResult, InputResponses, JsonObject, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ServerConfig, SubscribeRequestParams, Tool,
    UnsubscribeRequestParams,
};
use rmcp::model::{
    CancelTaskParams, ClientCapabilities, GetTaskParams, GetTaskResult, SubscriptionFilter,
    UpdateTaskParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};

use super::Server;
use super::catalog::check_scopes;
use super::dispatch::forbidden;
use super::pages::{ListKind, Page};
use crate::middleware::{
    HookRequest, ListPrompts, ListResourceTemplates, ListResources, ListTools, PromptGet,
    RequestParts, ResourceRead, ToolCall,
};
use crate::resource::ResourceError;
use crate::rounds::{Binding, Rounds};

/// A request's rounds (protocol 2026-07-28 and later), and what its state is bound to.
type Opened = Option<(Arc<Rounds>, Binding)>;

/// A list result of one page, with its cursor and caching hints.
macro_rules! paged {
    ($result:ident, $page:expr) => {{
        let page = $page;
        let mut result = $result::with_all_items(page.items);
        result.next_cursor = page.next_cursor;
        result.ttl_ms = page.ttl_ms;
        result.cache_scope = page.cache_scope;
        result
    }};
}

/// Whether a request speaks protocol 2026-07-28 or later: its own `_meta` says so, or its
/// session's `initialize` did. `RequestContext::protocol_version` answers the same, but clones
/// (and, from `_meta`, deserializes) the version on every call.
fn is_2026_07_28_or_later(context: &RequestContext<RoleServer>) -> bool {
    let modern = ProtocolVersion::V_2026_07_28;
    match context
        .meta
        .0
        .0
        .get("io.modelcontextprotocol/protocolVersion")
    {
        Some(serde_json::Value::String(version)) => version.as_str() >= modern.as_str(),
        Some(_) => false,
        None => (context.peer.peer_info()).is_some_and(|info| info.protocol_version >= modern),
    }
}

/// The cursor a list request carries, if any.
fn cursor(params: &Option<PaginatedRequestParams>) -> Option<&str> {
    params.as_ref()?.cursor.as_deref()
}

impl Server {
    /// On protocol 2026-07-28 and later, opens the request's rounds (the answers its
    /// `requestState` and `inputResponses` carry) and puts them in its extensions, where
    /// `Ctx` asks its questions; on earlier protocols, questions are requests to the client
    /// and there are no rounds.
    fn open_rounds(
        &self,
        parts: &mut RequestParts,
        (method, target, arguments): (&str, &str, Option<&JsonObject>),
        state: Option<&str>,
        responses: Option<InputResponses>,
    ) -> Result<Opened, McpError> {
        let context = &mut parts.context;
        if !is_2026_07_28_or_later(context) {
            return Ok(None);
        }
        let subject = crate::auth::Identity::of(&context.extensions).map(|id| id.subject());
        let binding = Binding::new(method, target, arguments, subject);
        let rounds = Arc::new(self.sealer().open(&binding, state, responses)?);
        context.extensions.insert(rounds.clone());
        Ok(Some((rounds, binding)))
    }

    /// Starts a task for the call (the client declared the tasks extension, and the tool runs
    /// as one): answers with its handle at once, and runs the call in the background.
    async fn start_task(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let mut parts = self.parts(context);
        let owner = crate::auth::Identity::of(&parts.context.extensions)
            .map(|identity| identity.subject().to_owned());
        let tasks = self.tasks().clone();
        let begun = tasks.begin(owner, Some(parts.context.peer.clone())).await?;
        // The run outlives the request: its cancellation is the task's, not the request's (a
        // child, so that a timeout that cancels the run does not read as `tasks/cancel`).
        parts.context.ct = begun.cancel.child_token();
        parts.context.extensions.insert(begun.questions.clone());
        parts.context.extensions.insert(begun.run);
        let call = ToolCall {
            name: request.name.into_owned(),
            arguments: request.arguments.unwrap_or_default(),
            parts,
        };
        let server = self.clone();
        let run =
            Box::pin(
                async move { ToolCall::from_response(server.handle(call.into_request()).await?) },
            );
        tasks.spawn(begun.id, begun.cancel, run);
        Ok(CallToolResponse::Task(begun.created))
    }

    /// Whether this call runs as a task: the tool says so, and the request declares the tasks
    /// extension (a tool that requires it refuses a request that does not).
    fn runs_as_task(
        &self,
        name: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<bool, McpError> {
        use crate::tasks::TaskSupport;
        let catalog = &self.inner.catalog;
        let support = catalog
            .find_tool(&self.inner.live, name)
            .map(|i| catalog.tools.items[i].kind.task)
            .unwrap_or_default();
        if support == TaskSupport::Forbidden {
            return Ok(false);
        }
        let declared = context
            .client_capabilities()
            .is_some_and(|capabilities| capabilities.supports_tasks());
        if !declared && support == TaskSupport::Required {
            return Err(McpError::missing_required_client_capability(
                ClientCapabilities::builder().enable_tasks().build(),
            ));
        }
        Ok(declared)
    }

    /// The token subject of a request's caller, if authenticated.
    fn caller(&self, context: RequestContext<RoleServer>) -> Option<String> {
        let parts = self.parts(context);
        crate::auth::Identity::of(&parts.context.extensions)
            .map(|identity| identity.subject().to_owned())
    }

    /// The `InputRequiredResult` for the questions this round asked, if it asked any (or why
    /// the state could not be written).
    fn questions(
        &self,
        opened: Opened,
    ) -> Option<Result<rmcp::model::InputRequiredResult, String>> {
        let (rounds, binding) = opened?;
        rounds
            .has_pending()
            .then(|| self.sealer().seal(&binding, &rounds))
    }

    /// The page of a list `cursor` points at, with its caching hints; `key` names an item
    /// as the catalog does (a name, or a resource's URI).
    fn page<T>(
        &self,
        kind: ListKind,
        items: Vec<T>,
        cursor: Option<&str>,
        key: impl Fn(&T) -> &str,
    ) -> Result<Page<T>, McpError> {
        let catalog = &self.inner.catalog;
        let own = |key: &str| {
            let common = match kind {
                ListKind::Tools => &catalog.tools.get(key)?.common,
                ListKind::Prompts => &catalog.prompts.get(key)?.common,
                ListKind::Resources | ListKind::Templates => &catalog.resources.get(key)?.common,
            };
            Some(common.cache)
        };
        self.inner.pager.page(kind, items, cursor, key, own)
    }
}

/// The methods that wait return boxed futures: rmcp's `handle_request`, which a task per
/// request runs, holds the largest of them inline and is moved a few times on its way into the
/// task; a box moves as a pointer.
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        self.inner.info.clone()
    }

    fn list_tools(
        &self,
        params: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + Send + '_ {
        Box::pin(async move {
            let request = ListTools {
                parts: self.parts(context),
            };
            let tools = ListTools::from_response(self.handle(request.into_request()).await?)?;
            let page = self.page(ListKind::Tools, tools, cursor(&params), |t| &t.name)?;
            Ok(paged!(ListToolsResult, page))
        })
    }

    fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, McpError>> + Send + '_ {
        Box::pin(async move {
            if self.inner.task_tools && self.runs_as_task(&request.name, &context)? {
                // Boxed: its state would otherwise sit in every call's future (which rmcp moves
                // into a task of its own per request).
                return Box::pin(self.start_task(request, context)).await;
            }
            let mut parts = self.parts(context);
            let arguments = request.arguments.unwrap_or_default();
            let opened = self.open_rounds(
                &mut parts,
                ("tools/call", &request.name, Some(&arguments)),
                request.request_state.as_deref(),
                request.input_responses,
            )?;
            let call = ToolCall {
                name: request.name.into_owned(),
                arguments,
                parts,
            };
            let result = ToolCall::from_response(self.handle(call.into_request()).await?)?;
            Ok(match self.questions(opened) {
                None => CallToolResponse::from(result),
                Some(Ok(questions)) => CallToolResponse::InputRequired(questions),
                Some(Err(message)) => {
                    CallToolResult::error(vec![ContentBlock::text(message)]).into()
                }
            })
        })
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // Disabled tools are unknown here too (rmcp's HTTP transport validates with this).
        let catalog = &self.inner.catalog;
        let position = catalog.find_tool(&self.inner.live, name)?;
        let schemas = catalog.tools.items[position].kind.schemas.get().ok()?;
        Some(schemas.listed.clone())
    }

    fn list_resources(
        &self,
        params: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + Send + '_ {
        Box::pin(async move {
            let request = ListResources {
                parts: self.parts(context),
            };
            let resources =
                ListResources::from_response(self.handle(request.into_request()).await?)?;
            let page = self.page(ListKind::Resources, resources, cursor(&params), |r| &r.uri)?;
            Ok(paged!(ListResourcesResult, page))
        })
    }

    fn list_resource_templates(
        &self,
        params: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + Send + '_ {
        Box::pin(async move {
            let request = ListResourceTemplates {
                parts: self.parts(context),
            };
            let templates =
                ListResourceTemplates::from_response(self.handle(request.into_request()).await?)?;
            let page = self.page(ListKind::Templates, templates, cursor(&params), |t| {
                &t.uri_template
            })?;
            Ok(paged!(ListResourceTemplatesResult, page))
        })
    }

    fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResponse, McpError>> + Send + '_ {
        Box::pin(async move {
            let mut parts = self.parts(context);
            let opened = self.open_rounds(
                &mut parts,
                ("resources/read", &request.uri, None),
                request.request_state.as_deref(),
                request.input_responses,
            )?;
            let read = ResourceRead {
                uri: request.uri,
                parts,
            };
            // A question asked on this round wins over the error that stopped the run there.
            let response = self.handle(read.into_request()).await;
            Ok(match self.questions(opened) {
                None => ReadResourceResponse::from(ResourceRead::from_response(response?)?),
                Some(Ok(questions)) => ReadResourceResponse::InputRequired(questions),
                Some(Err(message)) => return Err(McpError::internal_error(message, None)),
            })
        })
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let catalog = &self.inner.catalog;
        let Some((i, _)) = catalog.route_resource(&self.inner.live, &request.uri) else {
            return Err(
                ResourceError::not_found(request.uri.clone()).into_mcp(("uri", &request.uri), true)
            );
        };
        let RequestParts { context } = self.parts(context);
        let scopes = catalog.resources.items[i].common.scopes;
        if let Err(missing) = check_scopes(scopes, &context.extensions) {
            let what = format!("the resource `{}`", request.uri);
            return Err(forbidden(&what, &missing));
        }
        self.inner.live.subscribe(request.uri, context.peer);
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.inner.live.unsubscribe(&request.uri, &context.peer);
        Ok(())
    }

    fn list_prompts(
        &self,
        params: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + Send + '_ {
        Box::pin(async move {
            let request = ListPrompts {
                parts: self.parts(context),
            };
            let prompts = ListPrompts::from_response(self.handle(request.into_request()).await?)?;
            let page = self.page(ListKind::Prompts, prompts, cursor(&params), |p| &p.name)?;
            Ok(paged!(ListPromptsResult, page))
        })
    }

    fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResponse, McpError>> + Send + '_ {
        Box::pin(async move {
            let mut parts = self.parts(context);
            let arguments = request.arguments.unwrap_or_default();
            let opened = self.open_rounds(
                &mut parts,
                ("prompts/get", &request.name, Some(&arguments)),
                request.request_state.as_deref(),
                request.input_responses,
            )?;
            let get = PromptGet {
                name: request.name,
                arguments,
                parts,
            };
            // A question asked on this round wins over the error that stopped the run there.
            let response = self.handle(get.into_request()).await;
            Ok(match self.questions(opened) {
                None => GetPromptResponse::from(PromptGet::from_response(response?)?),
                Some(Ok(questions)) => GetPromptResponse::InputRequired(questions),
                Some(Err(message)) => return Err(McpError::internal_error(message, None)),
            })
        })
    }

    /// `subscriptions/listen` (protocol 2026-07-28): list changes as the client asks, and
    /// updates of the resources it names that this server has (others are left out of the
    /// acknowledgement).
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = requested.clone();
        if let Some(uris) = &mut accepted.resource_subscriptions {
            let catalog = &self.inner.catalog;
            uris.retain(|uri| catalog.route_resource(&self.inner.live, uri).is_some());
        }
        Some(accepted)
    }

    /// Holds a subscription open until the client cancels it or the server stops; meanwhile
    /// `disable`/`enable` and `notify_resource_updated` reach it.
    fn listen(
        &self,
        context: rmcp::service::SubscriptionContext,
    ) -> impl Future<Output = Result<(), McpError>> + Send + '_ {
        Box::pin(async move {
            /// Removes the sink however the subscription ends (a cancelled request's future is
            /// dropped, not finished).
            struct Unlisten<'a>(&'a super::live::Live, rmcp::service::SubscriptionSink);
            impl Drop for Unlisten<'_> {
                fn drop(&mut self) {
                    self.0.unlisten(&self.1);
                }
            }
            let sink = context.sink().clone();
            self.inner.live.listen(sink.clone());
            let _unlisten = Unlisten(&self.inner.live, sink);
            let stopping = self.lifespan().stopping_token.clone();
            tokio::select! {
                () = context.cancelled() => {}
                () = stopping.cancelled() => {}
            }
            Ok(())
        })
    }

    fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + Send + '_ {
        Box::pin(async move {
            let caller = self.caller(context);
            self.tasks().get(&request.task_id, caller.as_deref()).await
        })
    }

    fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + Send + '_ {
        Box::pin(async move {
            let caller = self.caller(context);
            (self.tasks())
                .update(&request.task_id, caller.as_deref(), request.input_responses)
                .await
        })
    }

    fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), McpError>> + Send + '_ {
        Box::pin(async move {
            let caller = self.caller(context);
            self.tasks()
                .cancel(&request.task_id, caller.as_deref())
                .await
        })
    }

    fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + '_ {
        Box::pin(async move { self.completions(request).await })
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.inner.live.set_log_level(&context.peer, request.level);
        Ok(())
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        context.peer.set_peer_info(request.clone());
        // Registered here rather than on `notifications/initialized` (handled in a task of its
        // own), so a change right after the handshake still reaches the client.
        self.inner.live.connected(context.peer.clone());
        self.negotiate_initialize(&request)
    }
}
